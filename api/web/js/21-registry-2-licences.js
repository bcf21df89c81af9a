// Rules of licences (许可) and objections (异议).
//
// Mirrors ledger/registry/licences.py and ledger/registry/objections.py. An
// exclusive licence (独占) excludes any other licence that overlaps it in
// scope, territory and term; a sole (排他) or non-exclusive (普通) one may
// overlap others, but not an exclusive one. An objection is filed by any
// registered party during publicity or after registration; the registrar's
// upheld decision suspends the registration or, with effect cancel, revokes it.
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const R = CZ.registry;
  const B = CZ.bodies;
  const hex = (u8) => CZ.bytes.hex(u8);

  // A licence grant by the current holder.
  function grant(statement, index, loggedAt, view, policy) {
    const asset = R.assets.eventOn(statement, view, loggedAt, R.REGISTERED);
    R.requireSigners(statement, view, { asset });
    const body = B.bodyAs(B.contentOf(statement), B.LicenceGrant);
    if (view.party(body.licensee) === null) throw new RuleViolation("party.unknown", `no party has id ${hex(body.licensee)}`);
    const licence = new R.Licence({
      id: statement.hash,
      asset: asset.id,
      licensor: asset.holder,
      licensee: body.licensee,
      kind: body.kind,
      scope: body.scope,
      territory: body.territory,
      start: body.start,
      end: body.end,
      sublicensing: body.sublicensing,
      index,
    });
    if (licence.end <= licence.start) throw new RuleViolation("licence.term_invalid", "a licence must end after it starts");
    for (const other of view.licencesOf(asset.id)) {
      const ends = other.ended !== null && other.ended <= licence.start;
      const exclusive = licence.kind === "exclusive" || other.kind === "exclusive";
      if (!ends && exclusive && licence.overlaps(other)) {
        throw new RuleViolation(
          "licence.overlaps_exclusive",
          `the licence overlaps licence ${hex(other.id)} in scope, territory and term, and one of them is exclusive`,
        );
      }
    }
    return new R.Effects({ objects: [asset.replace({ last_event: statement.hash }), licence], assets: [asset.id] });
  }

  // The licensee's acceptance.
  function accept(statement, index, loggedAt, view, policy) {
    const licence = licenceNamed(statement, view);
    R.requireSigners(statement, view);
    if (licence.accepted || licence.ended !== null) {
      throw new RuleViolation("licence.wrong_status", "the licence is already accepted or has ended");
    }
    return new R.Effects({ objects: [licence.replace({ accepted: true })], assets: [licence.asset] });
  }

  // Termination by the licensor or the licensee.
  function terminate(statement, index, loggedAt, view, policy) {
    const licence = licenceNamed(statement, view);
    R.requireSigners(statement, view);
    if (licence.ended !== null) throw new RuleViolation("licence.wrong_status", "the licence has already ended");
    return new R.Effects({ objects: [licence.replace({ ended: loggedAt })], assets: [licence.asset] });
  }

  function licenceNamed(statement, view) {
    const licenceId = B.bodyAs(B.contentOf(statement), B.OnLicence).licence;
    const licence = view.licence(licenceId);
    if (licence === null) throw new RuleViolation("licence.unknown", `no licence has id ${hex(licenceId)}`);
    return licence;
  }

  // Filing an objection.
  function file(statement, index, loggedAt, view, policy) {
    const filer = R.partyOf(view, statement.signer, loggedAt);
    const body = B.bodyAs(B.contentOf(statement), B.ObjectionFile);
    const asset = view.asset(body.asset);
    if (asset === null) throw new RuleViolation("asset.unknown", `no asset has id ${hex(body.asset)}`);
    const status = asset.statusAt(loggedAt);
    if (status !== R.PUBLICIZED && status !== R.REGISTERED) {
      throw new RuleViolation("objection.not_open", `objections are filed during publicity or after registration; the asset is ${status}`);
    }
    const evidence = body.evidence_sha256;
    const objection = new R.Objection({ id: statement.hash, asset: asset.id, filer, evidence, status: "pending", index });
    return new R.Effects({ objects: [objection], assets: [asset.id], digests: [evidence] });
  }

  // The registrar's decision on an objection.
  function decide(statement, index, loggedAt, view, policy) {
    const asset = R.assets.eventOn(statement, view, loggedAt);
    R.requireSigners(statement, view, { asset });
    const decision = B.bodyAs(B.contentOf(statement), B.ObjectionDecide);
    const objection = view.objection(decision.objection);
    if (objection === null || !CZ.bytes.equal(objection.asset, asset.id)) {
      throw new RuleViolation("objection.unknown", `asset ${hex(asset.id)} has no objection ${hex(decision.objection)}`);
    }
    if (objection.status !== "pending") throw new RuleViolation("objection.decided", `the objection was already ${objection.status}`);
    let next = asset.replace({ last_event: statement.hash });
    if (decision.outcome === "upheld") next = next.replace({ status: decision.effect === "cancel" ? R.REVOKED : R.SUSPENDED });
    return new R.Effects({ objects: [objection.replace({ status: decision.outcome }), next], assets: [asset.id] });
  }

  R.licences = { grant, accept, terminate };
  R.objections = { file, decide };
})((globalThis.CZ = globalThis.CZ || {}));
