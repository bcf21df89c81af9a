// The offline verifier of evidence bundles: every check a bundle claims, as one report.
//
// Mirrors ledger/verify/verifier.py (verify_bundle, _entry_checks,
// _settings_check, _times, _findings) and ledger/verify/report.py
// (report_json, without each check's "text") as CZ.verifyBundle. It never
// throws for bad input: `await CZ.verifyBundle(text, options)` returns the
// object of Python's report_json(report). Options, as `cunzheng verify`
// takes them: logKey (verifier key string, or null: the bundle's own key is
// used and the report says so), files ({name: SHA-256 bytes}), disclosures
// ([[name, bytes]]), current ([note, [proof hashes]] or null), tsaRoots
// ([DER or PEM bytes]), witnesses ({keys: [witness key strings], threshold}
// or null).
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const { check } = CZ.verify;
  const B = CZ.bytes;
  const REPORT_FORMAT = "cunzheng.report/v1";

  async function verifyBundle(data, options = {}) {
    const given = options.logKey ? CZ.note.Verifier.fromString(options.logKey) : null;
    const files = options.files instanceof Map ? [...options.files] : Object.entries(options.files || {});
    const tsaRoots = options.tsaRoots || [];
    const witnesses = options.witnesses ? witnessPolicy(options.witnesses) : null;
    let bundle, entries;
    try {
      [bundle, entries] = CZ.bundles.wellFormed(data);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      return reportJson([check("bundle", "bundle", "failed", "bundle.malformed", true, {}, e.message)], [], {});
    }
    const checks = [check("bundle", "bundle", "passed", "bundle.well_formed", true, { format: bundle.format, entries: entries.length })];
    const [key, keyCheck] = CZ.bundles.logKey(bundle, given);
    const origin = bundle.log.origin;
    const [opened, cpCheck] = await CZ.checkpoints.bundleCheckpoint(bundle.checkpoint, key, origin);
    checks.push(keyCheck, cpCheck);
    const cp = opened ? opened[0] : null;
    const [perEntry, replayed, settings] = await entryChecks(bundle, entries, cp);
    if (settings !== null) checks.push(settings);
    const evidence = entries.filter((e) => e.model.role === "evidence").map((e) => [e.model.index, e.statement]);
    const presented = [...bundle.disclosures.map((d, n) => [`bundle#${n + 1}`, d]), ...(options.disclosures || [])];
    const contents = await CZ.presented.checkContents(evidence, { files, disclosures: presented });
    for (const [index, extra] of contents.byEntry) perEntry.get(index).push(...extra);
    const A = CZ.attestations;
    const [stamped, tsa] = await A.timestampChecks(bundle.timestamps, bundle.checkpoint, cp, tsaRoots);
    const cosigned = A.cosignedNote(bundle.checkpoint, bundle.cosignatures);
    const lines = await A.witnessLines(bundle.checkpoint, bundle.cosignatures, key);
    const [witnessed, witness] = await A.cosignatureChecks(lines, cosigned, cp, witnesses);
    const timing = { key, origin, cp, tsaRoots, witnesses };
    const [times, stray] = await CZ.times.timedCheckpointTimes(bundle.timed_checkpoints, timing);
    if (cp !== null) times.set(cp.size, CZ.times.checkpointTime(cp.size, stamped, tsa, witnessed, witness));
    const timed = entries.map((e) => ({ index: e.model.index, loggedAt: e.model.logged_at, timedBy: e.model.timed_by }));
    const [entryTimes, unnamed] = CZ.times.entryChecks(timed, times, cp);
    for (const [index, c] of entryTimes) perEntry.get(index).push(c);
    for (const own of perEntry.values()) checks.push(...own);
    checks.push(...contents.unmatched);
    checks.push(...(await CZ.checkpoints.earlierChecks(bundle.earlier_checkpoints, key, origin, cp)));
    checks.push(await CZ.checkpoints.currentCheck(options.current ?? null, key, origin, cp));
    checks.push(...stamped, ...witnessed, ...stray, ...unnamed);
    if (bundle.claim !== null) {
      const registry = entries.filter((e) => e.model.role === "registry").map((e) => e.model.index);
      const proved = new Map(replayed.filter((r) => registry.includes(r.index)).map((r) => [r.index, r.proved]));
      checks.push(CZ.completeness.checkCompleteness(bundle.claim, bundle.index, cp, proved));
      checks.push(CZ.claims.checkClaim(bundle.claim, replayed, registry));
    }
    const log = {
      origin,
      key: key.toString(),
      key_source: given !== null ? "given" : "bundle",
      size: cp ? cp.size : "?",
      root: cp ? B.hex(cp.root) : "?",
    };
    if (tsa !== null) Object.assign(log, { tsa_time: CZ.verify.formatTime(tsa.latest), tsa_subject: tsa.by });
    if (witness !== null) Object.assign(log, { witness_time: CZ.verify.formatTime(witness.latest), witness: witness.by });
    return reportJson(checks, findings(entries, perEntry, contents, checks), log);
  }

  /** Return the witness policy of {keys, threshold}: the witnesses named and how many must cosign. */
  function witnessPolicy({ keys, threshold }) {
    const verifiers = keys.map((k) => CZ.cosignature.CosignatureVerifier.fromString(k));
    return new CZ.cosignature.WitnessPolicy(verifiers, threshold ?? verifiers.length);
  }

  async function entryChecks(bundle, entries, cp) {
    const perEntry = new Map();
    const replayed = [];
    for (const entry of entries) {
      const signed = await CZ.bundles.signatureCheck(entry);
      const included = CZ.bundles.inclusionCheck(entry, cp);
      perEntry.set(entry.model.index, [signed, included]);
      const proved = signed.outcome === "passed" && included.outcome === "passed";
      const { statement, loggedAt } = entry;
      replayed.push(CZ.replay.replayEntry({ index: entry.model.index, statement, loggedAt, proved }));
    }
    const settings = settingsCheck(bundle, entries, replayed, cp);
    // The log's own settings only when the bundle proves it carries them all.
    const policy = settings !== null && settings.outcome === "passed" ? CZ.registry.DEFAULT_POLICY : null;
    for (const [index, c] of CZ.replay.replay(replayed, { policy })) perEntry.get(index).push(c);
    return [perEntry, replayed, settings];
  }

  function settingsCheck(bundle, entries, replayed, cp) {
    const held = new Map();
    entries.forEach((e, n) => {
      if (e.model.role === "settings") held.set(replayed[n].index, replayed[n].proved);
    });
    // A claim's index proofs are checked by the completeness check; any other bundle's, here.
    let proofs = bundle.index;
    if (bundle.claim !== null) proofs = proofs.filter((p) => p.key === CZ.indexEntries.SETTINGS_KEY);
    const needed = entries.some((e) => e.model.role === "party" || e.model.role === "registry");
    return CZ.settingsCheck.checkSettings(proofs, cp, held, { needed, required: bundle.claim !== null });
  }

  const KEY_FACTS = ["key", "party", "name", "kind", "registry_id", "verified", "verified_by", "verified_at"];

  /** Return what the bundle establishes about each evidence entry. */
  function findings(entries, perEntry, contents, checks) {
    const aboutEntries = ["entry:", "file:", "disclosure:", "claim"];
    const logWide = checks
      .filter((c) => c.required && !aboutEntries.some((p) => c.subject.startsWith(p)))
      .every((c) => c.outcome === "passed");
    const out = [];
    for (const entry of entries) {
      if (entry.model.role !== "evidence") continue;
      const index = entry.model.index;
      const own = perEntry.get(index);
      const established = logWide && own.filter((c) => c.required).every((c) => c.outcome === "passed");
      const facts = { logged_at: entry.model.logged_at };
      for (const c of own) {
        if (c.reason === "key.valid") for (const k of KEY_FACTS) if (k in c.facts) facts[k] = c.facts[k];
        if (c.check === "entry_time") Object.assign(facts, CZ.times.findingFacts(c));
      }
      const content = entry.statement.content;
      if (entry.statement.type === "evidence.dataset") {
        Object.assign(facts, { root: B.hex(content.root), count: content.count, scheme: content.scheme });
      } else {
        facts.digest = B.hex(content.sha256);
      }
      const files = contents.files.get(index) || [];
      const items = contents.items.get(index) || [];
      out.push({ index, type: entry.statement.type, established, facts, files: [...files], items: [...items] });
    }
    return out;
  }

  // How the facts write a missing value for people; a program gets null instead.
  const GAPS = ["—", "?"];

  function jsonFacts(facts) {
    const out = {};
    for (const [k, v] of Object.entries(facts)) out[k] = k !== "content" && GAPS.includes(v) ? null : v;
    return out;
  }

  /** Return the report as Python's report_json gives it, each check without its "text". */
  function reportJson(checks, found, log) {
    const required = checks.filter((c) => c.required);
    return {
      format: REPORT_FORMAT,
      ok: required.length > 0 && required.every((c) => c.outcome === "passed"),
      log: jsonFacts(log),
      findings: found.map((f) => ({ ...f, facts: jsonFacts(f.facts) })),
      checks: checks.map((c) => ({
        check: c.check,
        subject: c.subject,
        outcome: c.outcome,
        reason: c.reason,
        required: c.required,
        facts: jsonFacts(c.facts),
        detail: c.detail,
      })),
    };
  }

  CZ.verifyBundle = verifyBundle;
  CZ.bundles.witnessPolicy = witnessPolicy;
})((globalThis.CZ = globalThis.CZ || {}));
