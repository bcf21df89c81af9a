// Bodies of evidence statements: a file's digest or a dataset's fingerprint.
//
// Mirrors ledger/bodies/evidence.py:
// - evidence.timestamp: {"sha256": hex, "media_type"?: str}, the digest of a
//   file or of a salted commitment;
// - evidence.dataset: {"root": hex, "scheme": "directory"|"records",
//   "count": int, "format"?: "csv"|"jsonl"}, a dataset fingerprint.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  const SCHEMES = ["directory", "records"];
  const RECORD_FORMATS = ["csv", "jsonl"];

  // The digest of a file (or a salted commitment) whose existence is timestamped.
  class EvidenceTimestamp extends B.StatementBody {
    static parse(body) {
      const what = "evidence.timestamp body";
      B.requireKeys(body, { required: ["sha256"], optional: ["media_type"], what });
      const sha256 = B.hexDigest(body.sha256, `${what}: sha256`);
      return new this({ sha256, media_type: B.optionalText(body, "media_type", what, 255) });
    }
  }
  B.define(EvidenceTimestamp, { TYPE: "evidence.timestamp", DEFAULTS: { media_type: null } });

  // A dataset's fingerprint: the Merkle root over its *count* files or records.
  class EvidenceDataset extends B.StatementBody {
    static parse(body) {
      const what = "evidence.dataset body";
      B.requireKeys(body, { required: ["root", "scheme", "count"], optional: ["format"], what });
      const root = B.hexDigest(body.root, `${what}: root`);
      const { scheme, count } = body;
      if (!SCHEMES.includes(scheme)) throw new MalformedInput(`${what}: scheme must be directory or records`);
      if (!B.isInt(count) || count < 0) throw new MalformedInput(`${what}: count must be a non-negative integer`);
      const hasFormat = Object.prototype.hasOwnProperty.call(body, "format");
      if (hasFormat && (!RECORD_FORMATS.includes(body.format) || scheme !== "records")) {
        throw new MalformedInput(`${what}: format must be csv or jsonl, and only for records`);
      }
      return new this({ root, scheme, count, format: hasFormat ? body.format : null });
    }
  }
  B.define(EvidenceDataset, { TYPE: "evidence.dataset", DEFAULTS: { format: null } });

  Object.assign(B, { SCHEMES, RECORD_FORMATS, EvidenceTimestamp, EvidenceDataset });
})((globalThis.CZ = globalThis.CZ || {}));
