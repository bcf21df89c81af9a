// The registry's state held in memory, for replaying a bundle's entries.
//
// Mirrors ledger/registry/memory.py (MemoryRegistry): a registry view over
// Maps that `apply` updates with an allowed statement's Effects, and `add`
// checks a statement with CZ.registry.check and applies it. The maps are
// keyed by the hex of ids and keys and keep insertion order, as Python's
// dicts do, so that lookups that take the first match agree.
"use strict";
(function (CZ) {
  const R = CZ.registry;
  const hex = (u8) => CZ.bytes.hex(u8);
  const equal = (a, b) => CZ.bytes.equal(a, b);

  class MemoryRegistry {
    constructor({ settings = R.DEFAULT_POLICY } = {}) {
      this.parties = new Map(); // hex id -> Party
      this.keys = new Map(); // hex key -> KeyRecord
      this.objects = new Map(); // "kind:hex id" -> Asset | Licence | Objection
      this.digests = new Map(); // hex digest -> [entry index]
      this.events = new Map(); // hex asset id -> [entry index]
      this.settings = settings;
    }

    key(key) {
      return this.keys.get(hex(key)) ?? null;
    }

    party(partyId) {
      return this.parties.get(hex(partyId)) ?? null;
    }

    hasOperator() {
      return [...this.parties.values()].some((p) => p.kind === "operator");
    }

    verifiedPartyWithRegistryId(registryId) {
      return [...this.parties.values()].find((p) => p.verified && p.registry_id === registryId) ?? null;
    }

    // The settings in force: the latest log.settings, or the defaults before any.
    policy() {
      return this.settings;
    }

    // Every registry object of *kind* (asset, licence or objection), in the order first made.
    objectsOf(kind) {
      return [...this.objects.values()].filter((o) => o instanceof R.KINDS[kind]);
    }

    assetsWithFingerprint(fingerprint) {
      return this.objectsOf("asset").filter((a) => equal(a.fingerprint, fingerprint));
    }

    assetWithCertificate(certificate) {
      return this.objectsOf("asset").find((a) => a.certificate === certificate) ?? null;
    }

    asset(assetId) {
      return this.objects.get(`asset:${hex(assetId)}`) ?? null;
    }

    licence(licenceId) {
      return this.objects.get(`licence:${hex(licenceId)}`) ?? null;
    }

    // Every licence granted on asset *assetId*, in log order.
    licencesOf(assetId) {
      return this.objectsOf("licence").filter((l) => equal(l.asset, assetId)).sort((a, b) => a.index - b.index);
    }

    objection(objectionId) {
      return this.objects.get(`objection:${hex(objectionId)}`) ?? null;
    }

    // Every objection against asset *assetId*, in log order.
    objectionsOf(assetId) {
      return this.objectsOf("objection").filter((o) => equal(o.asset, assetId)).sort((a, b) => a.index - b.index);
    }

    // Take the effects of the statement accepted at *index*.
    apply(effects, index) {
      for (const party of effects.parties) this.parties.set(hex(party.id), party);
      for (const record of effects.keys) this.keys.set(hex(record.key), record);
      for (const obj of effects.objects) this.objects.set(`${R.kindOfObject(obj)}:${hex(obj.id)}`, obj);
      for (const digest of effects.digests) push(this.digests, hex(digest), index);
      for (const assetId of effects.assets) push(this.events, hex(assetId), index);
      if (effects.settings !== null) this.settings = effects.settings;
    }

    // Check *statement* against the state and take its effects; throws RuleViolation if refused.
    add(statement, { index, loggedAt }) {
      const effects = R.check(statement, { index, loggedAt, view: this });
      this.apply(effects, index);
      return effects;
    }
  }

  function push(map, key, index) {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(index);
  }

  R.MemoryRegistry = MemoryRegistry;
})((globalThis.CZ = globalThis.CZ || {}));
