// A court question's answer as JSON, and an answer recomputed from registry state.
//
// Mirrors ledger/answers.py (answer_json) and the recomputation of
// ledger/verify/claims.py (Seen, recompute), with ledger/questions.py's
// meaning of each question, as CZ.claims. The verifier replays a bundle's
// proved entries through CZ.registry's MemoryRegistry and computes the
// answer from the state it reaches:
//
// - history: the asset as it stands;
// - holder: the holder at the time;
// - licensed: the licences of the party in force at the time for the purpose;
// - portfolio: the assets the party holds, its licences, the assets pledged to
//   it (with at: the ids of those it held then, of its licences then in force
//   and of the assets then pledged to it);
// - fingerprint: the ids of the assets whose application or a new version bore it;
// - certificate: the asset first registered under the number, as it stands.
//
// Registry values follow CZ.registry: ids are Uint8Array, times BigInt
// microseconds, objects carry Python's attribute names. Pure.
"use strict";
(function (CZ) {
  const B = CZ.bytes;
  const claims = (CZ.claims = CZ.claims || {});

  /** Return the registry answer *value* as JSON values: bytes as hex, registry objects as documents. */
  function answerJson(value) {
    if (value instanceof Uint8Array) return B.hex(value);
    if (Array.isArray(value)) return value.map(answerJson);
    if (CZ.registry.isObject(value)) return CZ.registry.toDoc(value);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, answerJson(v)]));
    }
    return value;
  }

  /** What the replay saw on the way, beyond the state at its end: fingerprints and certificates borne. */
  class Seen {
    constructor() {
      this.fingerprints = new Map(); // fingerprint hex -> [asset id hex, ...]
      this.certificates = new Map(); // certificate number -> asset id hex
    }

    /** Note the fingerprint and certificate of each asset among an entry's effects. */
    take(objects) {
      for (const obj of objects) {
        if (!(obj instanceof CZ.registry.Asset)) continue;
        const fingerprint = B.hex(obj.fingerprint);
        const id = B.hex(obj.id);
        const ids = this.fingerprints.get(fingerprint) || [];
        if (!ids.includes(id)) ids.push(id);
        this.fingerprints.set(fingerprint, ids);
        if (obj.certificate !== null && !this.certificates.has(obj.certificate)) {
          this.certificates.set(obj.certificate, id);
        }
      }
    }
  }

  /** Return the answer to *question* that the registry state *view* gives at *moment* (null: now), as the API writes it. */
  function recompute(question, view, moment, seen = new Seen()) {
    if (question.kind === "fingerprint") return seen.fingerprints.get(question.fingerprint) || [];
    if (question.kind === "certificate") {
      const found = seen.certificates.get(question.certificate);
      return found === undefined ? null : answerJson(view.asset(B.fromHex(found)));
    }
    if (question.kind === "portfolio") return portfolio(B.fromHex(question.party), view, moment);
    const asset = view.asset(B.fromHex(question.asset));
    if (question.kind === "history") return answerJson(asset);
    if (question.kind === "holder") return asset === null ? null : answerJson(asset.holder);
    const party = B.fromHex(question.party);
    const purpose = question.purpose;
    if (asset === null) return [];
    const found = view
      .licencesOf(asset.id)
      .filter(
        (lic) =>
          B.equal(lic.licensee, party) &&
          (lic.scope.includes(purpose) || lic.scope.includes("*")) &&
          lic.activeAt(moment),
      );
    return answerJson(found.map((lic) => lic.id));
  }

  function portfolio(party, view, moment) {
    const objects = [...view.objects.values()];
    const assets = objects.filter((o) => o instanceof CZ.registry.Asset);
    const licences = objects.filter((o) => o instanceof CZ.registry.Licence);
    const holds = assets.filter((a) => B.equal(a.holder, party));
    const licensed = licences.filter((lic) => B.equal(lic.licensee, party));
    const pledged = assets.filter((a) => a.pledgee !== null && B.equal(a.pledgee, party));
    if (moment !== null) {
      return answerJson({
        holds: holds.map((a) => a.id),
        licensed: licensed.filter((lic) => lic.activeAt(moment)).map((lic) => lic.id),
        pledged: pledged.map((a) => a.id),
      });
    }
    return answerJson({ holds, licensed, pledged });
  }

  Object.assign(claims, { answerJson, Seen, recompute });
})((globalThis.CZ = globalThis.CZ || {}));
