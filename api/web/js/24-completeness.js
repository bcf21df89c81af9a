// Completeness: that a bundle's entries are all the entries that bear on its claimed answer.
//
// Mirrors ledger/verify/completeness.py (answer_keys, listed_assets,
// asset_events, check_completeness, proved_documents) as CZ.completeness.
// A bundle that answers a question carries, for every index key the answer
// rests on, the key's document and its proof of presence or absence at the
// bundle checkpoint; checkCompleteness checks each proof against the root the
// checkpoint commits to, then requires the claim's entries, and the bundle's
// registry entries, to be exactly the events the asset documents list, each in
// the bundle and proved, in log order.
//
// Reason codes: completeness.proved, completeness.no_index,
// completeness.index_proof, completeness.key_missing,
// completeness.missing_event, completeness.extra_event, completeness.order
// (and checkpoint.unusable when the bundle checkpoint did not verify).
//
// Inputs as the verifier holds them: a claim is the bundle's JSON object
// {question, answer, entries}; an index proof is {key, value, proof} with
// value absent or null for a proof of absence; a checkpoint is CZ.note's; a
// registry map is a Map from entry index to whether its signature and
// inclusion proof held. Pure.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof } = CZ.errors;
  const ASSET_KINDS = ["history", "holder", "licensed"];
  const ROLES = ["holder", "licensee", "pledgee"];
  const HEX_ID = /^[0-9a-f]{64}$/;

  /** Return the index keys *question*'s answer rests on first, before the assets they list. */
  function answerKeys(question) {
    if (ASSET_KINDS.includes(question.kind)) return [`asset:${question.asset}`];
    if (question.kind === "portfolio") return ROLES.map((role) => `${role}:${question.party}`);
    if (question.kind === "fingerprint") return [`fingerprint:${question.fingerprint}`];
    return [`certificate:${question.certificate}`];
  }

  /** Return the ids of the assets whose whole history the answer rests on, from *documents* (a Map). */
  function listedAssets(question, documents) {
    if (ASSET_KINDS.includes(question.kind)) return [question.asset];
    const ids = [];
    for (const key of answerKeys(question)) {
      const doc = documents.get(key);
      if (doc === undefined || doc === null) continue;
      const listed = question.kind === "certificate" ? [member(doc, "asset")] : member(doc, "assets");
      if (!Array.isArray(listed) || !listed.every(isId)) {
        throw new MalformedInput(`the index document of ${key} does not list asset ids`);
      }
      ids.push(...listed);
    }
    return [...new Set(ids)];
  }

  /** Return the entry indexes the document of an asset:<id> key lists (none when absent), checked increasing. */
  function assetEvents(key, doc) {
    if (doc === undefined || doc === null) return [];
    const events = member(doc, "events");
    if (
      !Array.isArray(events) ||
      !events.every((i) => Number.isInteger(i) && i >= 0) ||
      !strictlyIncreasing(events)
    ) {
      throw new MalformedInput(`the index document of ${key} does not list events in log order`);
    }
    return events;
  }

  /**
   * Return the check that the bundle's entries are all those bearing on *claim*,
   * by the index proofs *index* at checkpoint *cp* (null if it did not verify).
   * *registry* maps the index of each registry entry in the bundle to whether
   * its signature and inclusion proof held.
   */
  function checkCompleteness(claim, index, cp, registry) {
    const facts = { kind: claim.question.kind };
    const claimed = claim.entries;
    if (!strictlyIncreasing(claimed)) {
      facts.entries = claimed.join(", ");
      return result("failed", "completeness.order", facts, "claim.entries out of order");
    }
    if (cp === null || cp === undefined) return unusable(facts);
    facts.size = cp.size;
    let root;
    try {
      root = CZ.index.checkpointIndexRoot(cp);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      return result("failed", "completeness.index_proof", facts, e.message);
    }
    if (root === null) return result("not_checked", "completeness.no_index", facts);
    let keys, assets, expected;
    try {
      const docs = provedDocuments(root, index);
      keys = answerKeys(claim.question);
      requireKeys(keys, docs);
      assets = listedAssets(claim.question, docs).map((a) => `asset:${a}`);
      requireKeys(assets, docs);
      const all = new Set();
      for (const key of assets) for (const i of assetEvents(key, docs.get(key))) all.add(i);
      expected = [...all].sort((a, b) => a - b);
    } catch (e) {
      if (e instanceof KeyMissing) {
        facts.key = e.key;
        return result("failed", "completeness.key_missing", facts, `no proof of ${e.key}`);
      }
      if (!(e instanceof InvalidProof || e instanceof MalformedInput)) throw e;
      return result("failed", "completeness.index_proof", facts, e.message);
    }
    facts.keys = new Set([...keys, ...assets]).size;
    facts.events = expected.length;
    const held = new Set([...registry].filter(([, proved]) => proved).map(([i]) => i));
    const claimedSet = new Set(claimed);
    const missing = expected.filter((i) => !held.has(i) || !claimedSet.has(i));
    if (missing.length) {
      facts.missing = missing.join(", ");
      const detail = `the index lists entries ${pyList(missing)}; the bundle or its claim lacks them`;
      return result("failed", "completeness.missing_event", facts, detail);
    }
    const wanted = new Set(expected);
    const extra = [...new Set([...claimed, ...registry.keys()])].filter((i) => !wanted.has(i));
    extra.sort((a, b) => a - b);
    if (extra.length) {
      facts.extra = extra.join(", ");
      const detail = `entries ${pyList(extra)} are not among those the index lists for the answer`;
      return result("failed", "completeness.extra_event", facts, detail);
    }
    return result("passed", "completeness.proved", facts);
  }

  class KeyMissing extends Error {
    constructor(key) {
      super(`no proof of ${key}`);
      this.key = key;
    }
  }

  function requireKeys(keys, docs) {
    for (const key of keys) if (!docs.has(key)) throw new KeyMissing(key);
  }

  /**
   * Return a Map of each key's document (null: proved absent), every proof
   * checked against *root*; throw InvalidProof or MalformedInput if one fails.
   */
  function provedDocuments(root, index) {
    const docs = new Map();
    index.forEach((item, n) => {
      const where = `index.${n}`;
      if (docs.has(item.key)) throw new MalformedInput(`${where}: a second proof of ${item.key}`);
      const proof = CZ.index.parseProof(item.proof);
      if (proof.key !== item.key) {
        throw new MalformedInput(`${where}: the proof is of another key, ${proof.key}`);
      }
      const value = item.value === undefined ? null : item.value;
      if (value === null) {
        CZ.index.verifyAbsence(root, item.key, proof);
      } else {
        CZ.index.verifyPresence(root, item.key, CZ.canonical.bytes(value), proof);
      }
      docs.set(item.key, value);
    });
    return docs;
  }

  // A document's member as Python's dict.get reads it: null when absent.
  function member(doc, name) {
    return Object.prototype.hasOwnProperty.call(doc, name) ? doc[name] : null;
  }

  function isId(value) {
    return typeof value === "string" && HEX_ID.test(value);
  }

  function strictlyIncreasing(list) {
    return list.every((v, i) => i === 0 || list[i - 1] < v);
  }

  // A list of integers as Python writes one in a message: [3, 5].
  function pyList(list) {
    return `[${list.join(", ")}]`;
  }

  function unusable(facts) {
    return result("not_checked", "checkpoint.unusable", facts);
  }

  function result(outcome, reason, facts, detail = "") {
    return { check: "completeness", subject: "claim", outcome, reason, required: true, facts, detail };
  }

  CZ.completeness = { answerKeys, listedAssets, assetEvents, checkCompleteness, provedDocuments, pyList };
})((globalThis.CZ = globalThis.CZ || {}));
