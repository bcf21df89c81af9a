// Bodies of licences (数据授权 / 许可) and objections (异议).
//
// Mirrors ledger/bodies/licences.py and ledger/bodies/objections.py. A grant
// is an event in its asset's chain; acceptance and termination name the
// licence (the id of its grant) instead. An objection is filed against an
// asset without joining its chain; the registrar's decision on it is an event
// in the asset's chain.
"use strict";
(function (CZ) {
  const B = CZ.bodies;

  const LICENCE_KINDS = ["exclusive", "sole", "non_exclusive"];
  const OUTCOMES = ["upheld", "dismissed"];
  const EFFECTS = ["suspend", "cancel"];

  // 许可: a licence granted by the holder to *licensee*, for a scope, territory and term.
  class LicenceGrant extends B.AssetEvent {
    get namedParties() {
      return [this.licensee];
    }
  }
  B.defineEvent(LicenceGrant, "licence.grant", {
    licensee: B.identifier,
    kind: B.oneOf(...LICENCE_KINDS),
    scope: B.codes,
    territory: B.codes,
    start: B.moment,
    end: B.moment,
    sublicensing: B.flag,
    fee_terms_sha256: B.identifier,
  });

  // A body that names a licence: the id of its grant.
  class OnLicence extends B.StatementBody {}

  // The licensee's acceptance of a licence.
  class LicenceAccept extends OnLicence {}
  B.define(LicenceAccept, { TYPE: "licence.accept", REQUIRED: { licence: B.identifier } });

  // The end of a licence, by its licensor or its licensee.
  class LicenceTerminate extends OnLicence {}
  B.define(LicenceTerminate, { TYPE: "licence.terminate", REQUIRED: { licence: B.identifier } });

  // 异议: an objection to an asset, with its grounds and the digest of its evidence.
  class ObjectionFile extends B.OnAsset {}
  B.define(ObjectionFile, {
    TYPE: "objection.file",
    REQUIRED: { asset: B.identifier, evidence_sha256: B.identifier, grounds: B.text(2000) },
  });

  // The registrar's decision on an objection; an upheld one suspends or (effect cancel) revokes.
  class ObjectionDecide extends B.AssetEvent {}
  B.defineEvent(
    ObjectionDecide,
    "objection.decide",
    { objection: B.identifier, outcome: B.oneOf(...OUTCOMES) },
    { effect: B.oneOf(...EFFECTS) },
    { effect: null },
  );

  const LICENCE_BODIES = [LicenceGrant, LicenceAccept, LicenceTerminate];
  const OBJECTION_BODIES = [ObjectionFile, ObjectionDecide];

  Object.assign(B, {
    LICENCE_KINDS,
    OUTCOMES,
    EFFECTS,
    LicenceGrant,
    OnLicence,
    LicenceAccept,
    LicenceTerminate,
    ObjectionFile,
    ObjectionDecide,
    LICENCE_BODIES,
    OBJECTION_BODIES,
  });
})((globalThis.CZ = globalThis.CZ || {}));
