// Each entry's own independent time: the evidence of the first time-stamped checkpoint that held it.
//
// Mirrors ledger/verify/times.py (checkpoint_time, timed_checkpoint_times,
// entry_checks, finding_facts) as CZ.times. Each entry names (timed_by) the
// first checkpoint with independent evidence that held it: the bundle
// checkpoint or one of the bundle's timed_checkpoints. For that checkpoint
// the log key's signature, its consistency with the bundle checkpoint, its
// RFC 3161 tokens and its witness cosignatures are checked; each entry then
// gets one entry_time check saying what its time rests on or why it fails.
// An entry must name the first such checkpoint the bundle carries that holds
// it, and every timed checkpoint must be named by some entry.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const { check, replace } = CZ.verify;
  // Shown for a kind of evidence that established nothing, so that every template fact is filled.
  const NONE = "—";

  /** Return what the checks of one checkpoint's tokens and cosignatures establish about the entries it holds. */
  function checkpointTime(size, stamped, tsa, witnessed, witness) {
    const subject = `timed:${size}`;
    const facts = { size };
    for (const c of [...stamped, ...witnessed]) {
      if (c.required && c.outcome !== "passed") {
        const failed = c.check === "timestamp" ? "timestamp" : "witnesses";
        const colon = c.subject.indexOf(":");
        facts.cause = c.reason;
        facts.what = (colon < 0 ? "" : c.subject.slice(colon + 1)) || c.subject;
        return check("entry_time", subject, "failed", `entry_time.${failed}_failed`, true, facts, c.detail);
      }
    }
    if (tsa === null && witness === null) {
      facts.tokens = stamped.filter((c) => c.check === "timestamp").length;
      facts.cosignatures = witnessed.filter((c) => c.check === "cosignature").length;
      return check("entry_time", subject, "not_checked", "entry_time.not_checked", false, facts);
    }
    const bounds = [tsa, witness].filter((t) => t !== null).map((t) => BigInt(t.latest));
    facts.time = CZ.verify.formatTime(bounds.reduce((a, b) => (b < a ? b : a)));
    Object.assign(facts, tsaFacts(tsa), witnessFacts(witness, witnessed));
    return check("entry_time", subject, "passed", "entry_time.established", true, facts);
  }

  /**
   * Return [what each timed checkpoint establishes, as a Map by the size its note
   * states, and the failed checks of those no entry can name].
   */
  async function timedCheckpointTimes(items, { key, origin, cp, tsaRoots, witnesses }) {
    const times = new Map();
    const stray = [];
    for (const item of items) {
      const size = statedSize(item.checkpoint);
      if (size === null || times.has(size) || (cp !== null && size === cp.size)) {
        stray.push(unnamed(size === null ? NONE : size));
        continue;
      }
      times.set(size, await timed(item, size, key, origin, cp, tsaRoots, witnesses));
    }
    return [times, stray];
  }

  /**
   * Return [each entry's time check, as a Map by index, a failed check for each timed
   * checkpoint no entry names]. *entries* are {index, loggedAt (text), timedBy (or null)}.
   */
  function entryChecks(entries, times, cp) {
    const out = new Map();
    const named = new Set();
    for (const entry of entries) {
      const subject = `entry:${entry.index}`;
      const facts = { index: entry.index, logged_at: entry.loggedAt };
      if (cp === null) {
        out.set(entry.index, CZ.checkpoints.unusable("entry_time", subject, facts));
        continue;
      }
      if (entry.timedBy === null || entry.timedBy === undefined) {
        out.set(entry.index, check("entry_time", subject, "not_checked", "entry_time.none", false, facts));
        continue;
      }
      named.add(entry.timedBy);
      facts.size = entry.timedBy;
      const base = times.get(entry.timedBy);
      const later = [...times.keys()].filter((s) => s > entry.index);
      const first = later.length ? Math.min(...later) : null;
      let reason;
      if (entry.index >= entry.timedBy) reason = "entry_time.not_covered";
      else if (base === undefined) reason = "entry_time.missing";
      else if (first !== entry.timedBy) {
        // The builder names the first; a later one is a weaker bound, so it was moved.
        reason = "entry_time.not_first";
        facts.first = first === null ? "None" : String(first);
      } else {
        out.set(entry.index, replace(base, { subject, facts: { ...base.facts, ...facts } }));
        continue;
      }
      out.set(entry.index, check("entry_time", subject, "failed", reason, true, facts));
    }
    const sizes = [...times.keys()].sort((a, b) => a - b);
    const stray = sizes.filter((s) => !named.has(s) && (cp === null || s !== cp.size)).map(unnamed);
    return [out, stray];
  }

  /** Return the failed check of timed evidence no entry can name: moved, added or altered. */
  function unnamed(size) {
    return check("entry_time", `timed:${size}`, "failed", "entry_time.unnamed", true, { size });
  }

  /** Return the facts of an established entry time that a finding shows. */
  function findingFacts(c) {
    if (c.reason !== "entry_time.established") return {};
    const out = {};
    for (const k of ["tsa_time", "tsa_subject", "gen_time", "witness_time", "witness", "witnesses"]) {
      if (k in c.facts && c.facts[k] !== NONE) out[k] = c.facts[k];
    }
    return { ...out, timed_size: c.facts.size, entry_time: c.facts.time };
  }

  async function timed(item, size, key, origin, cp, tsaRoots, witnesses) {
    const earlier = { checkpoint: item.checkpoint, consistency_proof: item.consistency_proof };
    const [linked] = await CZ.checkpoints.earlierChecks([earlier], key, origin, cp);
    if (linked.outcome !== "passed") {
      let reason = linked.reason;
      if (reason.startsWith("earlier.")) reason = "entry_time." + reason.slice("earlier.".length);
      const facts = { ...linked.facts, size };
      return replace(linked, { check: "entry_time", subject: `timed:${size}`, reason, facts });
    }
    const A = CZ.attestations;
    const timedCp = CZ.note.Checkpoint.parse(CZ.cosignature.checkpointBody(item.checkpoint));
    const [stamped, tsa] = await A.timestampChecks(item.timestamps, item.checkpoint, timedCp, tsaRoots);
    const lines = await A.witnessLines(item.checkpoint, item.cosignatures, key);
    const cosigned = A.cosignedNote(item.checkpoint, item.cosignatures);
    const [witnessed, witness] = await A.cosignatureChecks(lines, cosigned, timedCp, witnesses);
    return checkpointTime(size, stamped, tsa, witnessed, witness);
  }

  /** Return the tree size on the second line of *note*, unverified, or null. */
  function statedSize(note) {
    const lines = note.split("\n");
    if (lines.length <= 2) return null;
    try {
      return CZ.note.parseTreeSize(lines[1]);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      return null;
    }
  }

  function tsaFacts(tsa) {
    if (tsa === null) return { tsa_subject: NONE, gen_time: NONE, tsa_time: NONE };
    const stated = tsa.stated === null ? NONE : CZ.verify.formatTime(tsa.stated);
    return { tsa_subject: tsa.by, gen_time: stated, tsa_time: CZ.verify.formatTime(tsa.latest) };
  }

  function witnessFacts(witness, witnessed) {
    if (witness === null) return { witness: NONE, witnesses: NONE, witness_time: NONE };
    const met = witnessed.find((c) => c.reason === "witnesses.policy_met");
    const names = met !== undefined && "witnesses" in met.facts ? String(met.facts.witnesses) : witness.by;
    return { witness: witness.by, witnesses: names, witness_time: CZ.verify.formatTime(witness.latest) };
  }

  CZ.times = { NONE, checkpointTime, timedCheckpointTimes, entryChecks, findingFacts };
})((globalThis.CZ = globalThis.CZ || {}));
