// The log's own registry settings: that a bundle carries every log.settings entry, by the index.
//
// Mirrors ledger/verify/settings.py (check_settings) as CZ.settingsCheck.
// The log's index lists every log.settings entry under settings:log; a bundle
// with registry or party entries carries that key's proof at its checkpoint,
// present or absent, with every entry it lists. checkSettings checks the
// proof against the checkpoint's index line and requires the bundle's
// settings entries to be exactly those listed, each proved.
//
// Reason codes: settings.proved, settings.not_proved, settings.index_proof,
// settings.missing_entry, settings.extra_entry (and checkpoint.unusable when
// the bundle checkpoint did not verify). Pure.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof } = CZ.errors;

  /**
   * Return the check that the bundle's settings entries are all the log's, by
   * the proofs at *cp* (null if it did not verify); null if nothing rests on them.
   *
   * *proofs* are the index proofs to check here (among them that of
   * settings:log, if the bundle carries it); *entries* is a Map from the index
   * of each settings entry in the bundle to whether its signature and inclusion
   * proof held. *needed* says the bundle has entries whose replay depends on
   * the settings; *required* that a missing proof fails the bundle.
   */
  function checkSettings(proofs, cp, entries, { needed, required }) {
    const facts = { entries: entries.size };
    if (!proofs.length) {
      if (!needed && !entries.size) return null;
      return result("not_checked", "settings.not_proved", facts, "", required);
    }
    if (cp === null || cp === undefined) return result("not_checked", "checkpoint.unusable", facts);
    facts.size = cp.size;
    const key = CZ.indexEntries.SETTINGS_KEY;
    let listed;
    try {
      const root = CZ.index.checkpointIndexRoot(cp);
      if (root === null) {
        throw new MalformedInput(
          `the bundle carries index proofs, but its checkpoint of ${cp.size} entries commits to no index`,
        );
      }
      const docs = CZ.completeness.provedDocuments(root, proofs);
      if (!docs.has(key)) return result("not_checked", "settings.not_proved", facts, "", required);
      listed = CZ.completeness.assetEvents(key, docs.get(key));
    } catch (e) {
      if (!(e instanceof InvalidProof || e instanceof MalformedInput)) throw e;
      return result("failed", "settings.index_proof", facts, e.message);
    }
    facts.listed = listed.length;
    const held = new Set([...entries].filter(([, proved]) => proved).map(([i]) => i));
    const missing = listed.filter((i) => !held.has(i));
    const pyList = CZ.completeness.pyList;
    if (missing.length) {
      facts.missing = missing.join(", ");
      const detail = `the index lists settings entries ${pyList(missing)}; the bundle lacks them`;
      return result("failed", "settings.missing_entry", facts, detail);
    }
    const wanted = new Set(listed);
    const extra = [...entries.keys()].filter((i) => !wanted.has(i)).sort((a, b) => a - b);
    if (extra.length) {
      facts.extra = extra.join(", ");
      const detail = `entries ${pyList(extra)} are not among the settings entries the index lists`;
      return result("failed", "settings.extra_entry", facts, detail);
    }
    return result("passed", "settings.proved", facts);
  }

  function result(outcome, reason, facts, detail = "", required = true) {
    return { check: "settings", subject: "settings", outcome, reason, required, facts, detail };
  }

  CZ.settingsCheck = { checkSettings };
})((globalThis.CZ = globalThis.CZ || {}));
