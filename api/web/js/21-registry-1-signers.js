// Who must sign a registry statement, and who did, in terms of parties.
//
// Mirrors ledger/registry/roles.py (party_of, require_kind) and
// ledger/registry/signers.py (Requirement, required_signers,
// missing_signers, require_signers): the one table of who signs what that
// the rules check, in the order the refusal names the first one missing.
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const R = CZ.registry;
  const B = CZ.bodies;
  const hex = (u8) => CZ.bytes.hex(u8);

  // The id of the party whose current key *key* is.
  function partyOf(view, key, loggedAt) {
    return R.currentKey(view, key, loggedAt).party;
  }

  // Refuse with *code* unless party *partyId* is registered and of *kind*.
  function requireKind(view, partyId, kind, code) {
    const party = view.party(partyId);
    if (party === null || party.kind !== kind) {
      const found = party === null ? "not registered" : `a ${party.kind}`;
      throw new RuleViolation(code, `party ${hex(partyId)} must be a registered ${kind}; it is ${found}`);
    }
  }

  // A signature the rules require: a key of one of *parties*, acting as *role*; with
  // *submitter*, that key must be the statement's own signer. *code* is the refusal's reason.
  class Requirement extends R.Record {
    // Whether the signing keys *signed* (the statement's signer being *signer*) meet it.
    met(view, signer, signed) {
      const keys = this.submitter ? [signer] : signed;
      return keys.some((key) => {
        const record = view.key(key);
        return record !== null && this.parties.some((p) => CZ.bytes.equal(p, record.party));
      });
    }
  }
  Requirement.DEFAULTS = { submitter: false };

  function need(role, party, { code = null, submitter = false } = {}) {
    return new Requirement({ role, parties: [party], code: code ?? `signature.missing_${role.replaceAll(" ", "_")}`, submitter });
  }

  // The party whose key signs first takes *role* (the applicant, the objector, ...).
  function submitterOf(statement, view, role) {
    const record = view.key(statement.signer);
    if (record === null) {
      throw new RuleViolation(
        "key.unknown",
        `the statement is signed by key ${R.b64(statement.signer)}, which no party has registered`,
      );
    }
    return need(role, record.party, { submitter: true });
  }

  function assetOf(view, assetId) {
    const asset = view.asset(assetId);
    if (asset === null) throw new RuleViolation("asset.unknown", `no asset has id ${hex(assetId)}`);
    return asset;
  }

  function licenceOf(view, licenceId) {
    const licence = view.licence(licenceId);
    if (licence === null) throw new RuleViolation("licence.unknown", `no licence has id ${hex(licenceId)}`);
    return licence;
  }

  function onAsset(statement, asset) {
    const holder = need("holder", asset.holder);
    const registrar = need("registrar", asset.registrar);
    const kind = statement.type;
    const content = B.contentOf(statement);
    if (["asset.publicize", "asset.register", "asset.revoke", "objection.decide"].includes(kind)) return [registrar];
    if (["asset.version", "asset.change", "asset.renew", "asset.cancel"].includes(kind)) return [holder, registrar];
    if (kind === "asset.transfer") {
      const needs = [holder, registrar, need("new holder", B.bodyAs(content, B.AssetTransfer).to)];
      if (asset.pledgee !== null) needs.push(need("pledgee", asset.pledgee, { code: "asset.pledged" }));
      return needs;
    }
    if (kind === "asset.pledge") return [holder, need("pledgee", B.bodyAs(content, B.AssetPledge).pledgee)];
    if (kind === "asset.release") return asset.pledgee === null ? [] : [need("pledgee", asset.pledgee)];
    if (kind === "licence.grant") {
      const needs = [need("holder", asset.holder, { code: "licence.not_holder", submitter: true })];
      const exclusive = B.bodyAs(content, B.LicenceGrant).kind === "exclusive";
      if (exclusive && asset.pledgee !== null) needs.push(need("pledgee", asset.pledgee, { code: "asset.pledged" }));
      return needs;
    }
    throw new TypeError(`${kind} is not an event on an asset`);
  }

  // The signatures the rules require of *statement*, given the registry *view* before it.
  function requiredSigners(statement, view) {
    const kind = statement.type;
    const content = B.contentOf(statement);
    if (kind === "asset.apply") {
      return [submitterOf(statement, view, "holder"), need("registrar", B.bodyAs(content, B.AssetApply).registrar)];
    }
    if (kind === "objection.file") return [submitterOf(statement, view, "objector")];
    if (kind === "licence.accept") {
      const licence = licenceOf(view, B.bodyAs(content, B.OnLicence).licence);
      return [need("licensee", licence.licensee, { code: "licence.not_licensee" })];
    }
    if (kind === "licence.terminate") {
      const licence = licenceOf(view, B.bodyAs(content, B.OnLicence).licence);
      return [new Requirement({ role: "licensor or licensee", parties: [licence.licensor, licence.licensee], code: "licence.not_party", submitter: true })];
    }
    if (content instanceof B.AssetEvent) return onAsset(statement, assetOf(view, content.asset));
    if (kind === "party.register") return []; // its key may be new to the log: the registration's own rule decides
    return [submitterOf(statement, view, "submitter")];
  }

  // The requirements of *statement* that its signatures (or the keys *signed*) do not meet.
  function missingSigners(statement, view, { signed = null, required = null } = {}) {
    const keys = signed === null ? statement.signers : [...signed];
    const needs = required === null ? requiredSigners(statement, view) : required;
    const signer = keys.some((k) => CZ.bytes.equal(k, statement.signer)) ? statement.signer : new Uint8Array(0);
    return needs.filter((r) => !r.met(view, signer, keys));
  }

  // Refuse *statement* unless every signature the rules require of it is there (the first missing is named).
  function requireSigners(statement, view, { asset = null } = {}) {
    const needs = asset !== null ? onAsset(statement, asset) : null;
    for (const requirement of missingSigners(statement, view, { required: needs })) {
      const who = requirement.parties.map((p) => `party ${hex(p)}`).join(" or ");
      let detail;
      if (requirement.code === "licence.not_holder") detail = "only the holder of the asset at that time may grant a licence";
      else if (requirement.code === "licence.not_party") detail = "only the licensor or the licensee may terminate a licence";
      else detail = `${statement.type} must be signed by the ${requirement.role} (${who})`;
      throw new RuleViolation(requirement.code, detail);
    }
  }

  Object.assign(R, { partyOf, requireKind, Requirement, requiredSigners, missingSigners, requireSigners });
})((globalThis.CZ = globalThis.CZ || {}));
