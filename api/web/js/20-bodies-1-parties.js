// Bodies of party statements: registration, attestation and the life of a party's keys.
//
// Mirrors ledger/bodies/parties.py:
// - party.register: {"kind", "name", "registry_id"?, "registry_id_type"?, "key": base64};
//   a typed registry id is checked (20-bodies-1-identifiers.js), an untyped one is declared text;
// - party.attest: {"party": id, "name", "registry_id_type", "registry_id"} (实名核验);
// - party.rotate_key: {"party": id, "old_key": base64, "new_key": base64};
// - party.revoke_key: {"party": id, "key": base64, "from": RFC 3339}.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  const MAX_REGISTRY_ID = 64;
  const has = (body, key) => Object.prototype.hasOwnProperty.call(body, key);

  // Return [registry id type, registry id] of *body*, the id checked against its type.
  function typedRegistryId(body, what) {
    const registryId = B.optionalText(body, "registry_id", what, MAX_REGISTRY_ID);
    if (!has(body, "registry_id_type")) return [null, registryId];
    const kind = body.registry_id_type;
    if (!B.REGISTRY_ID_TYPES.includes(kind)) {
      throw new MalformedInput(`${what}: registry_id_type must be one of ${B.REGISTRY_ID_TYPES.join(", ")}`);
    }
    if (registryId === null) throw new MalformedInput(`${what}: registry_id_type needs a registry_id`);
    B.checkRegistryId(kind, registryId, `${what}: registry_id`);
    return [kind, registryId];
  }

  // A party's registration: its kind, name, first key and, for an organisation, its code.
  class PartyRegister extends B.StatementBody {
    static parse(body) {
      const what = "party.register body";
      B.requireKeys(body, { required: ["kind", "name", "key"], optional: ["registry_id", "registry_id_type"], what });
      const kind = body.kind;
      if (!B.PARTY_KINDS.includes(kind)) throw new MalformedInput(`${what}: kind must be one of ${B.PARTY_KINDS.join(", ")}`);
      const name = B.optionalText(body, "name", what, B.MAX_NAME);
      const [idType, registryId] = typedRegistryId(body, what);
      const key = B.publicKey(body.key, `${what}: key`);
      return new this({ kind, name, key, registry_id: registryId, registry_id_type: idType });
    }
  }
  B.define(PartyRegister, { TYPE: "party.register", DEFAULTS: { registry_id: null, registry_id_type: null } });

  // 实名核验: an exchange or the operator vouches for a party's name and typed registry id.
  class PartyAttest extends B.StatementBody {
    static parse(body) {
      const what = "party.attest body";
      B.requireKeys(body, { required: ["party", "name", "registry_id_type", "registry_id"], what });
      const party = B.hexDigest(body.party, `${what}: party`);
      const name = B.optionalText(body, "name", what, B.MAX_NAME);
      const [idType, registryId] = typedRegistryId(body, what);
      return new this({ party, name, registry_id_type: idType, registry_id: registryId });
    }

    get namedParties() {
      return [this.party];
    }
  }
  B.define(PartyAttest, { TYPE: "party.attest" });

  // The replacement of one of a party's keys by a new one.
  class PartyRotateKey extends B.StatementBody {
    static parse(body) {
      const what = "party.rotate_key body";
      B.requireKeys(body, { required: ["party", "old_key", "new_key"], what });
      const party = B.hexDigest(body.party, `${what}: party`);
      const oldKey = B.publicKey(body.old_key, `${what}: old_key`);
      const newKey = B.publicKey(body.new_key, `${what}: new_key`);
      if (CZ.bytes.equal(oldKey, newKey)) throw new MalformedInput(`${what}: new_key must differ from old_key`);
      return new this({ party, old_key: oldKey, new_key: newKey });
    }

    get namedParties() {
      return [this.party];
    }
  }
  B.define(PartyRotateKey, { TYPE: "party.rotate_key" });

  // The revocation of one of a party's keys from a moment on ("from" on the wire).
  class PartyRevokeKey extends B.StatementBody {
    static parse(body) {
      const what = "party.revoke_key body";
      B.requireKeys(body, { required: ["party", "key", "from"], what });
      const party = B.hexDigest(body.party, `${what}: party`);
      const key = B.publicKey(body.key, `${what}: key`);
      const revokedFrom = B.parseTime(body.from, `${what}: from`);
      return new this({ party, key, revoked_from: revokedFrom });
    }

    get namedParties() {
      return [this.party];
    }
  }
  B.define(PartyRevokeKey, { TYPE: "party.revoke_key" });

  Object.assign(B, { PartyRegister, PartyAttest, PartyRotateKey, PartyRevokeKey });
})((globalThis.CZ = globalThis.CZ || {}));
