// The index's keys and leaf documents: what each accepted statement changes in the map.
//
// Mirrors ledger/index/entries.py (SETTINGS_KEY, index_changes,
// IndexChanges) as CZ.indexEntries; the root a checkpoint commits to is
// CZ.index.checkpointIndexRoot. Keys are "<kind>:<name>", ids lower-case hex,
// indexes entry indexes in the log, and a value is the RFC 8785 canonical JSON
// of one document:
//
//   asset:<asset id>          {"events": [index, ...]}   every entry bearing on the asset
//   fingerprint:<hex digest>  {"assets": [asset id, ...]} assets whose application or version bore it
//   certificate:<number>      {"asset": asset id}         the first asset registered under it
//   registration:<number>     {"asset": asset id}         likewise for a registration number
//   party:<party id>          {"events": [index, ...]}   the party's own party.* entries
//   holder:<party id>         {"assets": [...]}           every asset the party ever held
//   licensee:<party id>       {"assets": [...]}           every asset it was ever licensed
//   pledgee:<party id>        {"assets": [...]}           every asset ever pledged to it
//   settings:log              {"events": [index, ...]}   every log.settings entry
//
// Lists are in log order (ids in order of first occurrence), never shrink and
// hold an item once. A lookup is a function from a key to its stored value
// (Uint8Array) or null; effects are CZ.registry's, as MemoryRegistry.add
// returns them. Pure.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bytes;

  const SETTINGS_KEY = "settings:log";

  /**
   * Return the index keys that *statement*, accepted at *index* with *effects*,
   * changes, with their new values: a Map from key to canonical JSON bytes, in key order.
   */
  function indexChanges(lookup, statement, { index, effects }) {
    const docs = new Documents(lookup);
    docs.take(statement, index, effects);
    return docs.encode(docs.dirty);
  }

  /** The changes of several statements in a row, each seeing those before it, over a base lookup. */
  class IndexChanges {
    constructor(base) {
      this.docs = new Documents(base);
    }

    /** Take in the changes of *statement* accepted at *index* with *effects*. */
    add(statement, { index, effects }) {
      this.docs.take(statement, index, effects);
    }

    /** Return every key the statements added so far changed, with its value after them. */
    changed() {
      return this.docs.encode(this.docs.dirty);
    }
  }

  // The parties whose party: key a party.* statement changes: those its effects
  // register or change, the owners of the keys it changes, and those its body names.
  function parties(statement, effects) {
    if (!statement.type.startsWith("party.")) return [];
    const ids = [
      ...effects.parties.map((p) => p.id),
      ...effects.keys.map((k) => k.party),
      ...CZ.bodies.contentOf(statement).namedParties,
    ];
    return [...new Set(ids.map(B.hex))];
  }

  /** Documents read once from a lookup, changed in place, and encoded when asked. */
  class Documents {
    constructor(lookup) {
      this.lookup = lookup;
      this.docs = new Map();
      this.members = new Map(); // key -> Set of the items its list holds
      this.dirty = new Set();
    }

    take(statement, index, effects) {
      if (effects.settings !== null && effects.settings !== undefined) this.append(SETTINGS_KEY, "events", index);
      for (const asset of new Set(effects.assets.map(B.hex))) this.append(`asset:${asset}`, "events", index);
      for (const party of parties(statement, effects)) this.append(`party:${party}`, "events", index);
      for (const obj of effects.objects) {
        if (obj instanceof CZ.registry.Asset) {
          const named = B.hex(obj.id);
          this.append(`fingerprint:${B.hex(obj.fingerprint)}`, "assets", named);
          this.append(`holder:${B.hex(obj.holder)}`, "assets", named);
          if (obj.pledgee !== null) this.append(`pledgee:${B.hex(obj.pledgee)}`, "assets", named);
          if (obj.certificate !== null) this.first(`certificate:${obj.certificate}`, { asset: named });
          if (obj.registration_number !== null) {
            this.first(`registration:${obj.registration_number}`, { asset: named });
          }
        } else if (obj instanceof CZ.registry.Licence) {
          this.append(`licensee:${B.hex(obj.licensee)}`, "assets", B.hex(obj.asset));
        }
      }
    }

    encode(keys) {
      const sorted = [...keys].sort(CZ.bodies.byCodePoint);
      return new Map(sorted.map((key) => [key, CZ.canonical.bytes(this.docs.get(key))]));
    }

    doc(key) {
      let doc = this.docs.get(key);
      if (doc === undefined) {
        const value = this.lookup(key);
        doc = value === null || value === undefined ? {} : parse(key, value);
        this.docs.set(key, doc);
      }
      return doc;
    }

    append(key, member, item) {
      const doc = this.doc(key);
      if (!Object.prototype.hasOwnProperty.call(doc, member)) doc[member] = [];
      const items = doc[member];
      let seen = this.members.get(key);
      if (seen === undefined) {
        seen = new Set(items);
        this.members.set(key, seen);
      }
      if (!seen.has(item)) {
        seen.add(item);
        items.push(item);
        this.dirty.add(key);
      }
    }

    first(key, value) {
      const doc = this.doc(key);
      if (Object.keys(doc).length === 0) {
        Object.assign(doc, value);
        this.dirty.add(key);
      }
    }
  }

  function parse(key, value) {
    const doc = CZ.canonical.parse(value, `the index document of ${key}`);
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      throw new MalformedInput(`the index document of ${key} is not a JSON object`);
    }
    return doc;
  }

  CZ.indexEntries = { SETTINGS_KEY, indexChanges, IndexChanges };
})((globalThis.CZ = globalThis.CZ || {}));
