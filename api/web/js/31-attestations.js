// Independent times for a bundle: RFC 3161 tokens over its checkpoint and witness cosignatures of it.
//
// Mirrors ledger/verify/attestations.py (checkpoint_imprint, cosigned_note,
// witness_lines, timestamp_checks, cosignature_checks) as CZ.attestations.
// A token's message imprint is the SHA-256 of the signed checkpoint note; a
// token says a TSA saw the checkpoint by genTime (within its accuracy), a
// witness cosignature says the same by the witness's clock, in whole seconds.
// Tokens are checked against the TSA roots given (CZ.tsa.verifyToken) and
// cosignatures against a witness policy (CZ.cosignature.WitnessPolicy);
// without them, both are reported as not checked. An independent time is
// {latest, by, stated}, times in microseconds since the epoch.
"use strict";
(function (CZ) {
  const { LedgerError, InvalidSignature, InvalidProof } = CZ.errors;
  const { check } = CZ.verify;
  // A cosignature's time is in whole seconds, rounded down: it signed before the next second.
  const COSIGNATURE_RESOLUTION = 1000000n;

  /** Return the digest a time-stamp token over the signed checkpoint *note* must carry. */
  function checkpointImprint(note) {
    return CZ.sha256(CZ.bytes.utf8(note));
  }

  /** Return the checkpoint *note* with each witness's cosignature line ({witness, signature}) appended. */
  function cosignedNote(note, cosignatures) {
    return note + cosignatures.map((c) => `— ${c.witness} ${c.signature}\n`).join("");
  }

  /** Return the witness signature lines of checkpoint *note*: those in it and *cosignatures*. */
  async function witnessLines(note, cosignatures, key) {
    try {
      const opened = await CZ.note.openCheckpoint(cosignedNote(note, cosignatures), key);
      return opened.note.unverified;
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      return cosignatures.map((c) => CZ.cosignature.parseLine(`— ${c.witness} ${c.signature}`));
    }
  }

  /** Return [the check of each token (DER bytes) over checkpoint *note*, the earliest time they establish]. */
  async function timestampChecks(tokens, note, cp, roots) {
    if (!tokens.length) return [[check("timestamps", "bundle", "not_checked", "timestamps.none", false)], null];
    const checks = [];
    let earliest = null;
    for (let n = 1; n <= tokens.length; n++) {
      const token = tokens[n - 1];
      const subject = `timestamp:${n}`;
      const facts = { name: n };
      if (!roots.length) {
        checks.push(check("timestamp", subject, "not_checked", "timestamp.not_checked", false, facts, claimed(token)));
        continue;
      }
      if (cp === null) {
        checks.push(check("timestamp", subject, "not_checked", "checkpoint.unusable", true, facts));
        continue;
      }
      facts.size = cp.size;
      let info;
      try {
        info = await CZ.tsa.verifyToken(token, { digest: checkpointImprint(note), trustRoots: roots });
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        const reason =
          e instanceof InvalidProof
            ? "timestamp.other_digest"
            : e instanceof InvalidSignature
              ? "timestamp.untrusted"
              : "timestamp.malformed";
        checks.push(check("timestamp", subject, "failed", reason, true, facts, e.message));
        continue;
      }
      const { formatTime } = CZ.verify;
      facts.tsa_subject = info.tsaSubject;
      facts.gen_time = formatTime(info.genTime);
      facts.tsa_time = formatTime(info.latest);
      checks.push(check("timestamp", subject, "passed", "timestamp.trusted", true, facts));
      if (earliest === null || BigInt(info.latest) < BigInt(earliest.latest)) {
        earliest = { latest: BigInt(info.latest), by: info.tsaSubject, stated: BigInt(info.genTime) };
      }
    }
    return [checks, earliest];
  }

  /** Return [the checks of the witness lines of note *cosigned* under *policy* (or null), the earliest time]. */
  async function cosignatureChecks(witnessed, cosigned, cp, policy) {
    if (!witnessed.length && policy === null) {
      return [[check("cosignatures", "bundle", "not_checked", "cosignatures.none", false)], null];
    }
    if (policy === null) {
      const checks = witnessed.map((s) =>
        check("cosignature", `witness:${s.name}`, "not_checked", "cosignature.not_checked", false, { witness: s.name }, claimedTime(s)),
      );
      return [checks, null];
    }
    if (cp === null) {
      return [[check("witness_policy", "witnesses", "not_checked", "checkpoint.unusable", true)], null];
    }
    const [checks, times] = await namedChecks(witnessed, cosigned, policy);
    const facts = {
      threshold: policy.threshold,
      named: policy.witnesses.length,
      cosigned: times.size,
      witnesses: [...times.keys()].join(", ") || "—",
    };
    try {
      await policy.check(cosigned);
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      checks.push(check("witness_policy", "witnesses", "failed", "witnesses.policy_not_met", true, facts, e.message));
      return [checks, null];
    }
    checks.push(check("witness_policy", "witnesses", "passed", "witnesses.policy_met", true, facts));
    let first = null;
    for (const [name, at] of times) if (first === null || at < first[1]) first = [name, at];
    return [checks, { latest: first[1], by: first[0], stated: first[1] - COSIGNATURE_RESOLUTION }];
  }

  async function namedChecks(witnessed, cosigned, policy) {
    const { formatTime } = CZ.verify;
    const body = CZ.cosignature.checkpointBody(cosigned);
    const byKey = new Map();
    for (const s of witnessed) {
      const id = `${s.name} ${s.keyId}`;
      if (!byKey.has(id)) byKey.set(id, s);
    }
    const named = new Set(policy.witnesses.map((w) => `${w.name} ${w.keyId}`));
    const checks = [];
    const times = new Map();
    for (const witness of policy.witnesses) {
      const subject = `witness:${witness.name}`;
      const facts = { witness: witness.name };
      const found = byKey.get(`${witness.name} ${witness.keyId}`);
      if (found === undefined) {
        checks.push(check("cosignature", subject, "not_checked", "cosignature.absent", false, facts));
        continue;
      }
      let at;
      try {
        at = BigInt((await witness.verify(body, found.signature)).getTime()) * 1000n;
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        checks.push(check("cosignature", subject, "failed", "cosignature.invalid", true, facts, e.message));
        continue;
      }
      times.set(witness.name, at + COSIGNATURE_RESOLUTION);
      facts.time = formatTime(at);
      facts.bound = formatTime(at + COSIGNATURE_RESOLUTION);
      checks.push(check("cosignature", subject, "passed", "cosignature.valid", true, facts));
    }
    for (const [id, s] of byKey) {
      if (!named.has(id)) {
        const facts = { witness: s.name };
        checks.push(check("cosignature", `witness:${s.name}`, "not_checked", "cosignature.unnamed", false, facts, claimedTime(s)));
      }
    }
    return [checks, times];
  }

  /** Return what a token claims, unchecked, for the report's technical detail. */
  function claimed(token) {
    let info;
    try {
      info = CZ.tsa.readToken(token);
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      return `the token does not parse: ${e.message}`;
    }
    const subject = CZ.bodies.pyRepr(info.tsaSubject);
    return `unchecked, the token claims TSA ${subject} at ${CZ.verify.formatTime(info.genTime)}`;
  }

  // The latest time Python's datetime can hold: 9999-12-31T23:59:59 UTC, in seconds.
  const MAX_SECONDS = 253402300799n;

  /** Return the time a cosignature line claims, unchecked, for the report's technical detail. */
  function claimedTime(signature) {
    const raw = signature.signature;
    if (raw.length < 8) return "the cosignature is too short to hold a time";
    let seconds = 0n;
    for (let i = 0; i < 8; i++) seconds = (seconds << 8n) | BigInt(raw[i]);
    if (seconds > MAX_SECONDS) return `unchecked, the cosignature claims time ${seconds} (POSIX seconds)`;
    return `unchecked, the cosignature claims time ${CZ.verify.formatTime(seconds * 1000000n)}`;
  }

  CZ.attestations = {
    COSIGNATURE_RESOLUTION,
    checkpointImprint,
    cosignedNote,
    witnessLines,
    timestampChecks,
    cosignatureChecks,
  };
})((globalThis.CZ = globalThis.CZ || {}));
