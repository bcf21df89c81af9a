// Parties and their keys, and what an allowed statement changes.
//
// Mirrors ledger/registry/parties.py (Party, KeyRecord, current_key, kind_of,
// require_unregistered, require_party) and ledger/registry/effects.py
// (Effects). A party's id is the SHA-256 of its party.register; each key
// belongs to one party, is valid from its registration or rotation and stops
// being valid at its revoked_from time.
//
// Registry objects are frozen records with the Python dataclasses' field
// names (snake_case); `replace` gives a changed copy, as dataclasses.replace.
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const registry = (CZ.registry = CZ.registry || {});

  // A frozen record: DEFAULTS fill the fields a constructor call leaves out.
  class Record {
    constructor(values) {
      Object.assign(this, this.constructor.DEFAULTS, values);
      Object.freeze(this);
    }

    // Return a copy of this record with *changes*.
    replace(changes) {
      return new this.constructor({ ...this, ...changes });
    }
  }
  Record.DEFAULTS = {};

  // A registered party; verified_by names the exchange or operator that vouched for it.
  class Party extends Record {
    get verified() {
      return this.verified_by !== null;
    }
  }
  Party.FIELDS = ["id", "kind", "name", "registry_id", "index", "registry_id_type", "verified_by", "verified_index"];
  Party.DEFAULTS = { registry_id_type: null, verified_by: null, verified_index: null };

  // A party's key: logged at entry index, valid until revoked_from (if set).
  class KeyRecord extends Record {
    // Whether the key may sign a statement logged at *moment*.
    validAt(moment) {
      return this.revoked_from === null || moment < this.revoked_from;
    }

    // This key revoked from *moment* on by entry *index* (or earlier, if it already was).
    revoked(moment, index) {
      if (this.revoked_from !== null && this.revoked_from <= moment) return this;
      return this.replace({ revoked_from: moment, revoked_index: index });
    }
  }
  KeyRecord.FIELDS = ["key", "party", "index", "revoked_from", "revoked_index"];
  KeyRecord.DEFAULTS = { revoked_from: null, revoked_index: null };

  // New or changed parties, keys and registry objects, new settings; digests and assets to index the entry under.
  class Effects extends Record {}
  Effects.DEFAULTS = { parties: [], keys: [], objects: [], digests: [], assets: [], settings: null };

  const b64 = (key) => CZ.bytes.b64encode(key);

  // Return the record of *key* if it may sign at *loggedAt*, else throw RuleViolation.
  function currentKey(view, key, loggedAt) {
    const record = view.key(key);
    if (record === null) {
      throw new RuleViolation(
        "key.unknown",
        `the statement is signed by key ${b64(key)}, which no party has registered; ` +
          "register the key first (cunzheng register)",
      );
    }
    if (!record.validAt(loggedAt)) {
      throw new RuleViolation(
        "key.revoked",
        `key ${b64(key)} was revoked from ${CZ.bodies.isoformat(record.revoked_from)}; sign with a current key of the party`,
      );
    }
    return record;
  }

  // The kind of the party that holds *record* ("" if none).
  function kindOf(view, record) {
    const party = view.party(record.party);
    return party !== null ? party.kind : "";
  }

  function requireUnregistered(view, key) {
    if (view.key(key) !== null) {
      throw new RuleViolation("key.already_registered", `key ${b64(key)} is already registered to a party`);
    }
  }

  function requireParty(view, partyId) {
    const party = view.party(partyId);
    if (party === null) throw new RuleViolation("party.unknown", `no party has id ${CZ.bytes.hex(partyId)}`);
    return party;
  }

  Object.assign(registry, { Record, Party, KeyRecord, Effects, b64, currentKey, kindOf, requireUnregistered, requireParty });
})((globalThis.CZ = globalThis.CZ || {}));
