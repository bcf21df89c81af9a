// The registry's objects: assets, licences and objections, as the log has made them.
//
// Mirrors ledger/registry/state.py (Asset, Licence, Objection, the statuses,
// to_doc). Objects are frozen; each allowed statement returns new versions
// in its Effects. toDoc gives the JSON form Python's to_doc gives (bytes in
// hex, times in RFC 3339) of these and of parties and key records, for
// answers and comparisons.
"use strict";
(function (CZ) {
  const R = CZ.registry;
  const B = CZ.bodies;

  // Asset statuses (登记状态).
  const APPLIED = "applied"; // 申请
  const PUBLICIZED = "publicized"; // 公示
  const REGISTERED = "registered"; // 登记
  const SUSPENDED = "suspended"; // 中止 (upheld objection)
  const CANCELLED = "cancelled"; // 注销 (by the holder)
  const REVOKED = "revoked"; // 撤销 (by the registrar)

  // A data asset under registration, identified by the hash of its application.
  // Fields: id, holder, registrar, status, last_event, fingerprint, index, version,
  // publicity_until, certificate, expires, pledgee, system, registration_number.
  class Asset extends R.Record {
    // Whether the asset still binds its fingerprint: not cancelled and not revoked.
    get live() {
      return this.status !== CANCELLED && this.status !== REVOKED;
    }

    // The status at *moment*, counting expiry (期满) as a status.
    statusAt(moment) {
      if (this.status === REGISTERED && this.expires !== null && moment >= this.expires) return "expired";
      return this.status;
    }
  }
  Asset.FIELDS = ["id", "holder", "registrar", "status", "last_event", "fingerprint", "index", "version", "publicity_until", "certificate", "expires", "pledgee", "system", "registration_number"];
  Asset.DEFAULTS = { version: 1, publicity_until: null, certificate: null, expires: null, pledgee: null, system: null, registration_number: null };

  // A licence (许可) granted by the holder of an asset.
  class Licence extends R.Record {
    // Whether the licence is in force at *moment* (accepted, within term, not ended).
    activeAt(moment) {
      return this.accepted && this.start <= moment && moment < this.end && (this.ended === null || moment < this.ended);
    }

    // Whether the two licences cover some common use, place and time.
    overlaps(other) {
      return meet(this.scope, other.scope) && meet(this.territory, other.territory) && this.start < until(other) && other.start < until(this);
    }
  }
  Licence.FIELDS = ["id", "asset", "licensor", "licensee", "kind", "scope", "territory", "start", "end", "sublicensing", "index", "accepted", "ended"];
  Licence.DEFAULTS = { accepted: false, ended: null };

  // An objection (异议) to an asset's registration.
  class Objection extends R.Record {}
  Objection.FIELDS = ["id", "asset", "filer", "evidence", "status", "index"];

  function meet(a, b) {
    return a.includes("*") || b.includes("*") || a.some((x) => b.includes(x));
  }

  function until(licence) {
    return licence.ended !== null ? Math.min(licence.end, licence.ended) : licence.end;
  }

  const TIME_FIELDS = new Set(["publicity_until", "expires", "start", "end", "ended", "revoked_from"]);
  const KINDS = { asset: Asset, licence: Licence, objection: Objection };

  // Whether *value* is a registry object (asset, licence or objection).
  function isObject(value) {
    return Object.values(KINDS).some((kind) => value instanceof kind);
  }

  // The stored kind name of *obj*: asset, licence or objection.
  function kindOfObject(obj) {
    return Object.keys(KINDS).find((kind) => obj instanceof KINDS[kind]);
  }

  // *obj* (a registry object, party or key record) as a JSON document, in its
  // dataclass's field order: bytes in hex, times in RFC 3339.
  function toDoc(obj) {
    const doc = {};
    for (const name of obj.constructor.FIELDS) {
      const value = obj[name];
      if (value instanceof Uint8Array) doc[name] = CZ.bytes.hex(value);
      else if (TIME_FIELDS.has(name) && value !== null) doc[name] = B.formatTime(value);
      else doc[name] = Array.isArray(value) ? [...value] : value;
    }
    return doc;
  }

  Object.assign(R, { APPLIED, PUBLICIZED, REGISTERED, SUSPENDED, CANCELLED, REVOKED, Asset, Licence, Objection, KINDS, isObject, kindOfObject, toDoc });
})((globalThis.CZ = globalThis.CZ || {}));
