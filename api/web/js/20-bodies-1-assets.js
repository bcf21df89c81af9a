// Bodies of an asset's life: application, publicity, registration and what follows.
//
// Mirrors ledger/bodies/assets.py. Every event on an asset names the asset
// (the id of its asset.apply) and prev, the id of the asset's last event, so
// an asset's history is one chain. Confidential particulars appear only as
// salted SHA-256 commitments.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  // The particulars of a registration application (登记申请) in the pilots' terms.
  const PARTICULARS = [
    "name", // 数据名称
    "industry", // 所属行业
    "scenario", // 应用场景
    "source", // 数据来源
    "legality", // 合法性声明
    "scale", // 数据规模
    "update_frequency", // 更新频率
    "structure", // 数据结构
    "processing_rules", // 算法规则 / 处理规则说明
  ];
  const PARTICULAR_TEXT = B.text(4000);

  // 数据规模: how many records and/or bytes the data holds ({records, byte_count}).
  function parseScale(value, what) {
    const keys = B.isObject(value) ? Object.keys(value) : [];
    if (!keys.length || keys.some((k) => k !== "records" && k !== "bytes")) {
      throw new MalformedInput(`${what} must be an object with records and/or bytes`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (!B.isInt(item) || item < 0) throw new MalformedInput(`${what}: ${key} must be a non-negative integer`);
    }
    return Object.freeze({ records: value.records ?? null, byte_count: value.bytes ?? null });
  }

  // The public particulars an application or a change states (any may be absent, then null).
  function parseParticulars(value, what) {
    if (!B.isObject(value)) throw new MalformedInput(`${what} must be an object`);
    const unknown = Object.keys(value).filter((k) => !PARTICULARS.includes(k) && k !== "sample_sha256");
    if (unknown.length) throw new MalformedInput(`${what} has unknown particulars: ${unknown.sort(B.byCodePoint).join(", ")}`);
    const values = Object.fromEntries([...PARTICULARS, "sample_sha256"].map((k) => [k, null]));
    for (const [key, item] of Object.entries(value)) {
      if (key === "sample_sha256") values[key] = B.hexDigest(item, `${what}: sample_sha256`);
      else if (key === "scale") values[key] = parseScale(item, `${what}: scale`);
      else values[key] = PARTICULAR_TEXT(item, `${what}: ${key}`);
    }
    return Object.freeze(values);
  }

  // The salted commitment to each confidential particular named in *value*.
  function commitments(value, what) {
    if (!B.isObject(value)) throw new MalformedInput(`${what} must be an object of commitments`);
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (!PARTICULARS.includes(key) && key !== "sample_sha256") throw new MalformedInput(`${what}: ${key} is not a particular`);
      out[key] = B.hexDigest(item, `${what}: ${key}`);
    }
    return Object.freeze(out);
  }

  const NO_COMMITMENTS = Object.freeze({});

  // A body that names the asset it concerns.
  class OnAsset extends B.StatementBody {}

  // An event in an asset's chain: the asset and prev, the asset's last event before it.
  class AssetEvent extends OnAsset {}
  const EVENT = { asset: B.identifier, prev: B.identifier };

  // Define an event type: EVENT's members and *required*, and *optional* with their defaults.
  function event(model, TYPE, required = {}, optional = {}, DEFAULTS = {}) {
    return B.define(model, { TYPE, REQUIRED: { ...EVENT, ...required }, OPTIONAL: optional, DEFAULTS });
  }

  // 申请: an application to register an asset; its id is this statement's hash.
  class AssetApply extends B.StatementBody {
    static parse(body) {
      const values = B.parseMembers(this, body);
      const isPublic = (p) => Object.prototype.hasOwnProperty.call(body.particulars, p);
      const confidential = body.confidential ?? {};
      const isConfidential = (p) => Object.prototype.hasOwnProperty.call(confidential, p);
      const missing = PARTICULARS.filter((p) => !isPublic(p) && !isConfidential(p));
      if (missing.length) throw new MalformedInput(`asset.apply body lacks particulars: ${missing.join(", ")}`);
      if (Object.keys(body.particulars).some(isConfidential)) {
        throw new MalformedInput("asset.apply body: a particular is either public or confidential, not both");
      }
      return new this(values);
    }

    get namedParties() {
      return [this.registrar];
    }
  }
  B.define(AssetApply, {
    TYPE: "asset.apply",
    REQUIRED: { registrar: B.identifier, system: B.text(64), particulars: parseParticulars, fingerprint: B.identifier },
    OPTIONAL: { confidential: commitments },
    DEFAULTS: { confidential: NO_COMMITMENTS },
  });

  // 变更: a change of particulars.
  class AssetChange extends AssetEvent {}
  event(AssetChange, "asset.change", { particulars: parseParticulars }, { confidential: commitments }, { confidential: NO_COMMITMENTS });

  // 公示: the start of publicity, which runs until *until*.
  class AssetPublicize extends AssetEvent {}
  event(AssetPublicize, "asset.publicize", { until: B.moment });

  // 登记: registration, with its certificate number, the end of its term and a registration number.
  class AssetRegister extends AssetEvent {}
  event(
    AssetRegister,
    "asset.register",
    { certificate: B.text(64), expires: B.moment },
    { registration_number: B.text(64) },
    { registration_number: null },
  );

  // A new version of the data: its new fingerprint.
  class AssetVersion extends AssetEvent {}
  event(AssetVersion, "asset.version", { fingerprint: B.identifier });

  // 续展: renewal, to a new end of term.
  class AssetRenew extends AssetEvent {}
  event(AssetRenew, "asset.renew", { expires: B.moment });

  // 注销: cancellation by the holder.
  class AssetCancel extends AssetEvent {}
  event(AssetCancel, "asset.cancel");

  // 撤销: revocation by the registrar, perhaps after an upheld objection.
  class AssetRevoke extends AssetEvent {}
  event(AssetRevoke, "asset.revoke", {}, { objection: B.identifier }, { objection: null });

  // 转让: transfer to a new holder, *to*.
  class AssetTransfer extends AssetEvent {
    get namedParties() {
      return [this.to];
    }
  }
  event(AssetTransfer, "asset.transfer", { to: B.identifier });

  // 质押: a pledge to *pledgee* on terms kept off the log (their digest is logged).
  class AssetPledge extends AssetEvent {
    get namedParties() {
      return [this.pledgee];
    }
  }
  event(AssetPledge, "asset.pledge", { pledgee: B.identifier, terms_sha256: B.identifier });

  // 解除质押: release of the pledge by the pledgee.
  class AssetRelease extends AssetEvent {}
  event(AssetRelease, "asset.release");

  // A read of an asset's confidential *fields* by *reader*, logged by the operator.
  class AccessRead extends OnAsset {}
  B.define(AccessRead, { TYPE: "access.read", REQUIRED: { reader: B.identifier, asset: B.identifier, fields: B.codes } });

  const ASSET_BODIES = [
    AssetApply,
    AssetPublicize,
    AssetRegister,
    AssetVersion,
    AssetChange,
    AssetRenew,
    AssetCancel,
    AssetRevoke,
    AssetTransfer,
    AssetPledge,
    AssetRelease,
    AccessRead,
  ];

  Object.assign(B, {
    PARTICULARS,
    EVENT,
    parseScale,
    parseParticulars,
    OnAsset,
    AssetEvent,
    defineEvent: event,
    AssetApply,
    AssetChange,
    AssetPublicize,
    AssetRegister,
    AssetVersion,
    AssetRenew,
    AssetCancel,
    AssetRevoke,
    AssetTransfer,
    AssetPledge,
    AssetRelease,
    AccessRead,
    ASSET_BODIES,
  });
})((globalThis.CZ = globalThis.CZ || {}));
