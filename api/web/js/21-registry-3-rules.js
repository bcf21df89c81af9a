// The rules of the log: which well-formed statements are allowed, given the log before them.
//
// Mirrors ledger/registry/rules.py: check is the one place that decides. It
// returns the Effects of a statement logged at an index and time against a
// view of the registry before it, or throws RuleViolation saying why not.
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const R = CZ.registry;
  const B = CZ.bodies;
  const hex = (u8) => CZ.bytes.hex(u8);
  const equal = (a, b) => CZ.bytes.equal(a, b);

  // Kinds of party only the operator may register (a rights holder or witness may register itself).
  const OPERATOR_REGISTERED = ["exchange", "court", "operator", "financial_institution"];
  // Kinds of party that may vouch for another's identity (实名核验).
  const ATTESTERS = ["exchange", "operator"];

  // Return the effects of *statement* logged at *index* and *loggedAt*, or throw RuleViolation.
  function check(statement, { index, loggedAt, view }) {
    // Every key that signs must be current; a registration's own key is checked by its rule.
    const signers = statement.type === "party.register" ? statement.cosigners : statement.signers;
    for (const key of signers) R.currentKey(view, key, loggedAt);
    return RULES[statement.type](statement, index, loggedAt, view, view.policy());
  }

  function register(statement, index, loggedAt, view) {
    const body = B.bodyAs(B.contentOf(statement), B.PartyRegister);
    const { key, kind } = body;
    R.requireUnregistered(view, key);
    const genesis = kind === "operator" && !view.hasOperator();
    const selfSigned = equal(statement.signer, key);
    if (genesis && !selfSigned) {
      throw new RuleViolation("party.genesis_not_self_signed", "the first operator must sign its own registration");
    }
    const operatorRegistered = OPERATOR_REGISTERED.includes(kind);
    if (!genesis && !(selfSigned && !operatorRegistered)) {
      const allowed = operatorRegistered ? ["operator"] : ["operator", "exchange"];
      const signerKind = selfSigned ? "" : R.kindOf(view, R.currentKey(view, statement.signer, loggedAt));
      if (!allowed.includes(signerKind)) {
        throw new RuleViolation(
          "party.registration_not_authorised",
          `a ${kind} party is registered by ${allowed.join(" or ")}` +
            (operatorRegistered ? "" : ", or by itself") +
            `, not by ${selfSigned ? "itself" : "a " + signerKind + " party"}`,
        );
      }
    }
    // Registered by the operator or an exchange: that party vouches for the identity.
    let verifiedBy;
    if (genesis) verifiedBy = statement.hash;
    else if (selfSigned) verifiedBy = null;
    else verifiedBy = R.currentKey(view, statement.signer, loggedAt).party;
    if (verifiedBy !== null && body.registry_id !== null) requireRegistryIdFree(view, body.registry_id);
    const party = new R.Party({
      id: statement.hash,
      kind,
      name: body.name,
      registry_id: body.registry_id,
      index,
      registry_id_type: body.registry_id_type,
      verified_by: verifiedBy,
      verified_index: verifiedBy === null ? null : index,
    });
    return new R.Effects({ parties: [party], keys: [new R.KeyRecord({ key, party: party.id, index })] });
  }

  function requireRegistryIdFree(view, registryId) {
    const holder = view.verifiedPartyWithRegistryId(registryId);
    if (holder !== null) {
      throw new RuleViolation(
        "party.registry_id_taken",
        `registry id ${registryId} belongs to verified party ${hex(holder.id)} ` +
          `(${holder.name}); two verified parties cannot share one registry id`,
      );
    }
  }

  function attest(statement, index, loggedAt, view) {
    const signer = R.currentKey(view, statement.signer, loggedAt);
    if (!ATTESTERS.includes(R.kindOf(view, signer))) {
      throw new RuleViolation("party.attest_not_authorised", "a party's identity is attested by an exchange or the operator");
    }
    const body = B.bodyAs(B.contentOf(statement), B.PartyAttest);
    const party = R.requireParty(view, body.party);
    if (party.verified) {
      throw new RuleViolation("party.already_verified", `party ${hex(party.id)} was verified at entry ${pyValue(party.verified_index)}`);
    }
    const statedType = party.registry_id_type || body.registry_id_type;
    if (party.name !== body.name || party.registry_id !== body.registry_id || statedType !== body.registry_id_type) {
      throw new RuleViolation(
        "party.attest_mismatch",
        `the attestation names ${body.name} (${body.registry_id_type} ${body.registry_id}); ` +
          `the party registered as ${party.name} ` +
          `(${party.registry_id_type || "untyped"} ${party.registry_id || "no registry id"})`,
      );
    }
    requireRegistryIdFree(view, body.registry_id);
    const attested = party.replace({ registry_id_type: body.registry_id_type, verified_by: signer.party, verified_index: index });
    return new R.Effects({ parties: [attested] });
  }

  // A value as Python's f-string writes it (None for null).
  function pyValue(value) {
    return value === null ? "None" : String(value);
  }

  function settings(statement, index, loggedAt, view) {
    if (R.kindOf(view, R.currentKey(view, statement.signer, loggedAt)) !== "operator") {
      throw new RuleViolation("settings.not_operator", "the log's settings are signed by its operator");
    }
    return new R.Effects({ settings: R.Policy.fromBody(B.bodyAs(B.contentOf(statement), B.LogSettings)) });
  }

  function authoriseForParty(statement, loggedAt, view, party) {
    const signer = R.currentKey(view, statement.signer, loggedAt);
    if (!equal(signer.party, party.id) && R.kindOf(view, signer) !== "operator") {
      throw new RuleViolation("party.not_authorised", `only a current key of party ${hex(party.id)} or the operator may change its keys`);
    }
  }

  function keyOf(view, party, key) {
    const record = view.key(key);
    if (record === null || !equal(record.party, party.id)) {
      throw new RuleViolation("key.not_of_party", `key ${R.b64(key)} does not belong to party ${hex(party.id)}`);
    }
    return record;
  }

  function rotate(statement, index, loggedAt, view) {
    const body = B.bodyAs(B.contentOf(statement), B.PartyRotateKey);
    const party = R.requireParty(view, body.party);
    authoriseForParty(statement, loggedAt, view, party);
    const old = keyOf(view, party, body.old_key);
    if (!old.validAt(loggedAt)) throw new RuleViolation("key.revoked", `key ${R.b64(old.key)} is already revoked; nothing to rotate`);
    R.requireUnregistered(view, body.new_key);
    return new R.Effects({ keys: [old.revoked(loggedAt, index), new R.KeyRecord({ key: body.new_key, party: party.id, index })] });
  }

  function revoke(statement, index, loggedAt, view) {
    const body = B.bodyAs(B.contentOf(statement), B.PartyRevokeKey);
    const party = R.requireParty(view, body.party);
    authoriseForParty(statement, loggedAt, view, party);
    const record = keyOf(view, party, body.key);
    return new R.Effects({ keys: [record.revoked(body.revoked_from, index)] });
  }

  function timestamp(statement) {
    return new R.Effects({ digests: [B.bodyAs(B.contentOf(statement), B.EvidenceTimestamp).sha256] });
  }

  function dataset(statement) {
    return new R.Effects({ digests: [B.bodyAs(B.contentOf(statement), B.EvidenceDataset).root] });
  }

  // A read of confidential particulars is logged by the operator that served it.
  function access(statement, index, loggedAt, view) {
    if (R.kindOf(view, R.currentKey(view, statement.signer, loggedAt)) !== "operator") {
      throw new RuleViolation("access.not_operator", "reads of confidential particulars are logged by the operator");
    }
    const asset = B.bodyAs(B.contentOf(statement), B.AccessRead).asset;
    if (view.asset(asset) === null) throw new RuleViolation("asset.unknown", `no asset has id ${hex(asset)}`);
    return new R.Effects({ assets: [asset] });
  }

  const RULES = Object.freeze({
    "evidence.timestamp": timestamp,
    "evidence.dataset": dataset,
    "party.register": register,
    "party.rotate_key": rotate,
    "party.revoke_key": revoke,
    "party.attest": attest,
    "log.settings": settings,
    "asset.apply": R.assets.apply,
    "asset.publicize": R.assets.publicize,
    "asset.register": R.assets.register,
    "asset.version": R.assets.version,
    "asset.change": R.assets.change,
    "asset.renew": R.assets.renew,
    "asset.cancel": R.assets.cancel,
    "asset.revoke": R.assets.revoke,
    "asset.transfer": R.assets.transfer,
    "asset.pledge": R.assets.pledge,
    "asset.release": R.assets.release,
    "licence.grant": R.licences.grant,
    "licence.accept": R.licences.accept,
    "licence.terminate": R.licences.terminate,
    "objection.file": R.objections.file,
    "access.read": access,
    "objection.decide": R.objections.decide,
  });

  Object.assign(R, { OPERATOR_REGISTERED, ATTESTERS, RULES, check });
})((globalThis.CZ = globalThis.CZ || {}));
