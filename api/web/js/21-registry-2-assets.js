// Rules of an asset's life: application, publicity, registration and what follows.
//
// Mirrors ledger/registry/assets.py. The holder and the registrar sign
// applications, versions, changes, renewals and cancellations; the registrar
// alone starts publicity, registers and revokes; a transfer is signed by the
// holder, the new holder and the registrar (and the pledgee while pledged); a
// pledge by the holder and the pledgee, its release by the pledgee. A
// fingerprint binds one live asset; a certificate number is issued once and
// follows its registration system's format.
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const R = CZ.registry;
  const B = CZ.bodies;
  const hex = (u8) => CZ.bytes.hex(u8);
  const equal = (a, b) => CZ.bytes.equal(a, b);

  // The asset an event names, checking it exists, prev is its last event and its status is one *allowed*.
  function eventOn(statement, view, loggedAt, ...allowed) {
    const event = B.bodyAs(B.contentOf(statement), B.AssetEvent);
    const asset = view.asset(event.asset);
    if (asset === null) throw new RuleViolation("asset.unknown", `no asset has id ${hex(event.asset)}`);
    if (!equal(event.prev, asset.last_event)) {
      throw new RuleViolation(
        "asset.stale_prev",
        `prev names event ${hex(event.prev)}, but the asset's last event is ${hex(asset.last_event)}`,
      );
    }
    const status = asset.statusAt(loggedAt);
    if (allowed.length && !allowed.includes(status)) {
      throw new RuleViolation("asset.wrong_status", `${statement.type} needs an asset that is ${allowed.join(" or ")}; this one is ${status}`);
    }
    return asset;
  }

  function moved(asset, statement, changes = {}) {
    return asset.replace({ last_event: statement.hash, ...changes });
  }

  function done(asset) {
    return new R.Effects({ objects: [asset], assets: [asset.id] });
  }

  // 申请: a new asset, applied for.
  function apply(statement, index, loggedAt, view, policy) {
    const holder = R.partyOf(view, statement.signer, loggedAt);
    const body = B.bodyAs(B.contentOf(statement), B.AssetApply);
    R.requireKind(view, body.registrar, "exchange", "asset.registrar_not_exchange");
    R.requireSigners(statement, view);
    if (policy.system(body.system) === null) {
      const accepted = policy.systems.map((s) => s.name).join(", ");
      throw new RuleViolation("asset.unknown_system", `registration system ${B.pyRepr(body.system)} is not one this log accepts (${accepted})`);
    }
    requireFingerprintFree(view, body.fingerprint, holder, null);
    const asset = new R.Asset({
      id: statement.hash,
      holder,
      registrar: body.registrar,
      status: R.APPLIED,
      last_event: statement.hash,
      fingerprint: body.fingerprint,
      index,
      system: body.system,
    });
    return new R.Effects({ objects: [asset], assets: [asset.id], digests: [body.fingerprint] });
  }

  // Refuse a fingerprint that a live asset other than *assetId* is bound to.
  function requireFingerprintFree(view, fingerprint, holder, assetId) {
    for (const other of view.assetsWithFingerprint(fingerprint)) {
      if ((assetId !== null && equal(other.id, assetId)) || !other.live) continue;
      const route = equal(other.holder, holder)
        ? `record a new version of asset ${hex(other.id)} (asset.version) instead`
        : `another holder's claim to the same data goes through an objection (objection.file) against asset ${hex(other.id)}`;
      throw new RuleViolation("asset.fingerprint_taken", `fingerprint ${hex(fingerprint)} is bound to live asset ${hex(other.id)}; ${route}`);
    }
  }

  // 公示: the start of publicity.
  function publicize(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.APPLIED);
    R.requireSigners(statement, view, { asset });
    const until = B.bodyAs(B.contentOf(statement), B.AssetPublicize).until;
    if (until < loggedAt + policy.publicity) {
      throw new RuleViolation("asset.publicity_too_short", `publicity must last at least ${R.days(policy.publicity)} days`);
    }
    return done(moved(asset, statement, { status: R.PUBLICIZED, publicity_until: until }));
  }

  // 登记: registration once publicity is over without an open objection.
  function register(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.PUBLICIZED);
    R.requireSigners(statement, view, { asset });
    if (loggedAt < asset.publicity_until) {
      throw new RuleViolation("asset.publicity_not_over", `publicity runs until ${B.isoformat(asset.publicity_until)}`);
    }
    if (view.objectionsOf(asset.id).some((o) => o.status === "pending")) {
      throw new RuleViolation("asset.objection_pending", "an objection awaits the registrar's decision");
    }
    const body = B.bodyAs(B.contentOf(statement), B.AssetRegister);
    if (!(loggedAt < body.expires && body.expires <= loggedAt + policy.term)) {
      throw new RuleViolation("asset.term_invalid", `the term must end within ${R.days(policy.term)} days`);
    }
    checkNumbers(view, policy, asset, body);
    return done(
      moved(asset, statement, {
        status: R.REGISTERED,
        certificate: body.certificate,
        expires: body.expires,
        registration_number: body.registration_number,
      }),
    );
  }

  // Refuse a certificate or registration number its system does not allow, or a certificate already issued.
  function checkNumbers(view, policy, asset, body) {
    // An asset stored before assets named their system belongs to the first one.
    const name = asset.system ?? (policy.systems.length ? policy.systems[0].name : "");
    const system = policy.system(name);
    if (system === null) {
      throw new RuleViolation("asset.unknown_system", `registration system ${B.pyRepr(name)} is no longer one this log's settings name`);
    }
    if (!R.matches(system.certificate, body.certificate)) {
      throw new RuleViolation(
        "asset.certificate_format",
        `certificate number ${B.pyRepr(body.certificate)} does not follow the format of ${name} (${system.certificate})`,
      );
    }
    const number = body.registration_number;
    const pattern = system.registration_number;
    if (number !== null && pattern !== null && !R.matches(pattern, number)) {
      throw new RuleViolation(
        "asset.registration_number_format",
        `registration number ${B.pyRepr(number)} does not follow the format of ${name} (${pattern})`,
      );
    }
    const issued = view.assetWithCertificate(body.certificate);
    if (issued !== null) {
      throw new RuleViolation("asset.certificate_taken", `certificate number ${body.certificate} was issued to asset ${hex(issued.id)}`);
    }
  }

  // A new version of the data: a new fingerprint linked to the last.
  function version(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.REGISTERED);
    R.requireSigners(statement, view, { asset });
    const fingerprint = B.bodyAs(B.contentOf(statement), B.AssetVersion).fingerprint;
    requireFingerprintFree(view, fingerprint, asset.holder, asset.id);
    const next = moved(asset, statement, { fingerprint, version: asset.version + 1 });
    return new R.Effects({ objects: [next], assets: [asset.id], digests: [fingerprint] });
  }

  // 变更: a change of particulars.
  function change(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.APPLIED, R.PUBLICIZED, R.REGISTERED);
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement));
  }

  // 续展: a renewal before expiry.
  function renew(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.REGISTERED);
    R.requireSigners(statement, view, { asset });
    const expires = B.bodyAs(B.contentOf(statement), B.AssetRenew).expires;
    if (!(asset.expires < expires && expires <= asset.expires + policy.term)) {
      throw new RuleViolation("asset.term_invalid", `a renewal extends the term by at most ${R.days(policy.term)} days`);
    }
    return done(moved(asset, statement, { expires }));
  }

  // 注销: cancellation by the holder.
  function cancel(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.APPLIED, R.PUBLICIZED, R.REGISTERED, "expired");
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement, { status: R.CANCELLED }));
  }

  // 撤销: revocation by the registrar.
  function revoke(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.APPLIED, R.PUBLICIZED, R.REGISTERED, "suspended", "expired");
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement, { status: R.REVOKED }));
  }

  // 转让: a transfer to a new holder.
  function transfer(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.REGISTERED);
    const to = B.bodyAs(B.contentOf(statement), B.AssetTransfer).to;
    if (view.party(to) === null) throw new RuleViolation("party.unknown", `no party has id ${hex(to)}`);
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement, { holder: to }));
  }

  // 质押: a pledge to a pledgee.
  function pledge(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt, R.REGISTERED);
    if (asset.pledgee !== null) throw new RuleViolation("asset.already_pledged", `the asset is pledged to ${hex(asset.pledgee)}`);
    const pledgee = B.bodyAs(B.contentOf(statement), B.AssetPledge).pledgee;
    R.requireKind(view, pledgee, "financial_institution", "asset.pledgee_not_financial_institution");
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement, { pledgee }));
  }

  // 解除质押: the release of a pledge by the pledgee.
  function release(statement, index, loggedAt, view, policy) {
    const asset = eventOn(statement, view, loggedAt);
    if (asset.pledgee === null) throw new RuleViolation("asset.not_pledged", "the asset is not pledged");
    R.requireSigners(statement, view, { asset });
    return done(moved(asset, statement, { pledgee: null }));
  }

  R.assets = { eventOn, apply, publicize, register, version, change, renew, cancel, revoke, transfer, pledge, release };
})((globalThis.CZ = globalThis.CZ || {}));
