// Checkpoint checks: each checkpoint is the log's, and the later ones extend the earlier ones.
//
// Mirrors ledger/verify/checkpoints.py (open_as, bundle_checkpoint,
// earlier_checks, current_check, unusable) as CZ.checkpoints, and holds what
// every part of the verifier's checks shares (CZ.verify: the check record of
// ledger/verify/report.Check and ledger/clock.format_time). The bundle
// checkpoint, each earlier checkpoint and the log's current one are opened
// with the log key, pinned to the log's origin, and RFC 9162 consistency
// proofs show that the tree only grew: a larger tree signed before a smaller
// one shows a shrunk log; another root, or a failing proof, a fork.
// Reason codes start with checkpoint., earlier. or current.
"use strict";
(function (CZ) {
  const { LedgerError, InvalidSignature, InvalidProof } = CZ.errors;
  const verify = (CZ.verify = CZ.verify || {});

  /** Return a check as ledger/verify/report.Check holds it (outcome: passed, failed, not_checked). */
  function check(name, subject, outcome, reason, required = true, facts = {}, detail = "") {
    return { check: name, subject, outcome, reason, required, facts, detail };
  }

  /** Return *check* with some of its members replaced, as dataclasses.replace does. */
  function replace(base, changes) {
    return { ...base, ...changes };
  }

  /** Return a time in microseconds since the epoch (Number or BigInt) as RFC 3339 UTC with microseconds and Z. */
  function formatTime(micros) {
    const big = BigInt(micros);
    const seconds = big / 1000000n - (big % 1000000n < 0n ? 1n : 0n);
    const fraction = Number(big - seconds * 1000000n);
    const date = new Date(Number(seconds) * 1000);
    const year = String(date.getUTCFullYear()).padStart(4, "0");
    const two = (n) => String(n).padStart(2, "0");
    const day = `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`;
    const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
    return `${day}T${time}.${String(fraction).padStart(6, "0")}Z`;
  }

  // The check each kind of checkpoint is reported under, and what it is about.
  const KINDS = {
    checkpoint: ["checkpoint", "log"],
    earlier: ["earlier_checkpoint", "earlier:?"],
    current: ["current_checkpoint", "current"],
  };

  /** Python's repr of a string, as the messages quote origins. */
  function repr(text) {
    return CZ.bodies && CZ.bodies.pyRepr ? CZ.bodies.pyRepr(text) : `'${text}'`;
  }

  /**
   * Return [checkpoint, note] if *key* signed *note* for *origin*, else the failed check
   * (prefix: "checkpoint", "earlier" or "current").
   */
  async function openAs(note, key, origin, prefix) {
    const [kind, subject] = KINDS[prefix];
    const facts = { key: key.toString(), origin };
    let opened;
    try {
      const { checkpoint, note: signed } = await CZ.note.openCheckpoint(note, key);
      opened = [checkpoint, signed];
    } catch (e) {
      if (e instanceof InvalidSignature) return check(kind, subject, "failed", `${prefix}.not_signed`, true, facts, e.message);
      if (e instanceof LedgerError) return check(kind, subject, "failed", `${prefix}.malformed`, true, facts, e.message);
      throw e;
    }
    const cp = opened[0];
    if (cp.origin !== origin) {
      const reason = prefix === "checkpoint" ? "checkpoint.wrong_origin" : `${prefix}.malformed`;
      const detail = `the checkpoint is for log ${repr(cp.origin)}, not ${repr(origin)}`;
      facts.found = cp.origin;
      return check(kind, subject, "failed", reason, true, facts, detail);
    }
    return opened;
  }

  /** Return [opened bundle checkpoint or null, its check]. */
  async function bundleCheckpoint(note, key, origin) {
    const opened = await openAs(note, key, origin, "checkpoint");
    if (!Array.isArray(opened)) return [null, opened];
    const cp = opened[0];
    const facts = { origin: cp.origin, size: cp.size, root: CZ.bytes.hex(cp.root) };
    return [opened, check("checkpoint", "log", "passed", "checkpoint.signed", true, facts)];
  }

  /** Return the check of each earlier checkpoint ({checkpoint, consistency_proof: [u8]}): the log's, and extended by *cp*. */
  async function earlierChecks(earlier, key, origin, cp) {
    const checks = [];
    for (const item of earlier) {
      if (cp === null) {
        checks.push(unusable("earlier_checkpoint", "earlier:?"));
        continue;
      }
      const opened = await openAs(item.checkpoint, key, origin, "earlier");
      if (!Array.isArray(opened)) {
        checks.push(opened);
        continue;
      }
      const old = opened[0];
      checks.push(extendsCheck("earlier", `earlier:${old.size}`, old, cp, item.consistency_proof, { old_size: old.size }));
    }
    return checks;
  }

  /** Return the check that the log's *current* checkpoint ([note, proof] or null) extends *cp*. */
  async function currentCheck(current, key, origin, cp) {
    if (current === null || current === undefined) {
      return check("current_checkpoint", "current", "not_checked", "current.not_consulted", false);
    }
    if (cp === null) return unusable("current_checkpoint", "current");
    const [note, proof] = current;
    const opened = await openAs(note, key, origin, "current");
    if (!Array.isArray(opened)) return opened;
    const fresh = opened[0];
    return extendsCheck("current", "current", cp, fresh, proof, { new_size: fresh.size });
  }

  /** Return the required check that could not be made because the bundle checkpoint did not verify. */
  function unusable(kind, subject, facts = {}) {
    return check(kind, subject, "not_checked", "checkpoint.unusable", true, facts);
  }

  function extendsCheck(prefix, subject, old, fresh, proof, facts) {
    const kind = KINDS[prefix][0];
    const bundleSize = prefix === "earlier" ? fresh.size : old.size;
    const passed = check(kind, subject, "passed", `${prefix}.consistent`, true, { size: bundleSize, ...facts });
    if (fresh.size < old.size) {
      const detail = `a checkpoint of ${old.size} entries was signed before one of ${fresh.size}`;
      return replace(passed, { outcome: "failed", reason: `${prefix}.shrunk`, detail });
    }
    try {
      CZ.merkle.verifyConsistency(old.size, fresh.size, [...proof], old.root, fresh.root);
    } catch (e) {
      if (!(e instanceof InvalidProof)) throw e;
      return replace(passed, { outcome: "failed", reason: `${prefix}.fork`, detail: e.message });
    }
    return passed;
  }

  Object.assign(verify, { check, replace, formatTime });
  CZ.checkpoints = { openAs, bundleCheckpoint, earlierChecks, currentCheck, unusable };
})((globalThis.CZ = globalThis.CZ || {}));
