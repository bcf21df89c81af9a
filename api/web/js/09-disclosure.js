// Selective disclosure: that one record or file belongs to a logged dataset root.
//
// Mirrors cunzheng.ledger.disclosure (parse_disclosure, verify_disclosure,
// DisclosedItem), the Disclosure model of cunzheng.schemas.fingerprints it
// parses into, and the leaf rules of cunzheng.ledger.fingerprint it needs
// (item_salt, record_digest, record_leaf, file_commitment, file_leaf), with
// the dataset roots they give.
//
// A dataset is committed by the RFC 9162 root over one leaf per item, each
// leaf RFC 8785 canonical JSON:
//
//   record i:  {"i": i, "sha256": hex(SHA-256(salt_i || record))}
//   file:      {"path": path, "sha256": hex(commitment)}, where the commitment
//              is the file's SHA-256, or SHA-256(salt_i || it) if salted
//
// and item i's salt is HMAC-SHA256(master salt, uint64 big-endian i). A
// disclosure (cunzheng.disclosure/v1) carries one item, its own salt, its
// index, the dataset's size and the inclusion proof of its leaf.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof } = CZ.errors;
  const B = CZ.bytes;

  const DISCLOSURE_FORMAT = "cunzheng.disclosure/v1";
  const SALT_SIZE = 32;
  const HEX64 = /^[0-9a-f]{64}$/;

  // --- Leaves and roots (cunzheng.ledger.fingerprint) ----------------------------------

  /** Return HMAC-SHA256(key, message) (RFC 2104), synchronously. */
  function hmacSha256(key, message) {
    const block = new Uint8Array(64);
    block.set(key.length > 64 ? CZ.sha256(key) : key);
    const inner = block.map((b) => b ^ 0x36);
    const outer = block.map((b) => b ^ 0x5c);
    return CZ.sha256(B.concat(outer, CZ.sha256(B.concat(inner, message))));
  }

  /** Return the salt of item *index* of a dataset: HMAC-SHA256(master, uint64 big-endian index). */
  function itemSalt(master, index) {
    if (master.length !== SALT_SIZE) {
      throw new MalformedInput(`a salt has ${SALT_SIZE} bytes, not ${master.length}`);
    }
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, BigInt(index));
    return hmacSha256(master, counter);
  }

  /** Return the digest a record leaf commits to: SHA-256(salt || record), or SHA-256(record). */
  function recordDigest(record, salt) {
    return CZ.sha256(salt === null ? record : B.concat(salt, record));
  }

  /** Return the leaf of record *index*: the canonical JSON of {"i": index, "sha256": hex}. */
  function recordLeaf(index, digest) {
    return B.utf8(`{"i":${index},"sha256":"${B.hex(digest)}"}`);
  }

  /** Return the digest a directory leaf commits to: the file's SHA-256, or SHA-256(salt || it). */
  function fileCommitment(fileSha256, salt) {
    return salt === null ? fileSha256 : CZ.sha256(B.concat(salt, fileSha256));
  }

  /** Return the leaf of a directory's file: the canonical JSON of {"path": path, "sha256": hex}. */
  function fileLeaf(path, digest) {
    return CZ.canonical.bytes({ path, sha256: B.hex(digest) });
  }

  /** Return the dataset root over *records* (byte strings, in order), salted from *master* if given. */
  function recordsRoot(records, master = null) {
    return CZ.merkle.rootFromLeafHashes(
      records.map((record, i) => {
        const salt = master === null ? null : itemSalt(master, i);
        return CZ.merkle.leafHash(recordLeaf(i, recordDigest(record, salt)));
      }),
    );
  }

  /** Return the dataset root over *files* ({path, sha256}, in leaf order), salted from *master* if given. */
  function directoryRoot(files, master = null) {
    return CZ.merkle.rootFromLeafHashes(
      files.map((file, i) => {
        const salt = master === null ? null : itemSalt(master, i);
        return CZ.merkle.leafHash(fileLeaf(file.path, fileCommitment(file.sha256, salt)));
      }),
    );
  }

  /** Return the records of a JSON Lines file: each line's bytes without its LF or CRLF. */
  function jsonlRecords(data) {
    const records = [];
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(0x0a, start);
      const next = end < 0 ? data.length : end + 1;
      if (end < 0) end = data.length;
      else if (end > start && data[end - 1] === 0x0d) end -= 1;
      records.push(data.subarray(start, end));
      start = next;
    }
    return records;
  }

  // --- The disclosure file (cunzheng.schemas.fingerprints.Disclosure) ------------------
  //
  // The Python reads the file into a Pydantic model and reports its first error as
  // "disclosure is not a valid cunzheng.disclosure/v1 file: <field>: <message>". The
  // readers below give the same errors for the same fields, in the model's field
  // order, with Pydantic's lax integers (an integral float, a bool or a numeric string
  // is taken as an integer).

  class FieldError extends Error {}

  function integer(minimum) {
    return (value) => {
      let n = value;
      if (typeof value === "boolean") n = value ? 1 : 0;
      else if (value instanceof CZ.canonical.JsonFloat) {
        if (!Number.isInteger(value.value)) {
          throw new FieldError("Input should be a valid integer, got a number with a fractional part");
        }
        n = value.value;
      } else if (typeof value === "string") {
        const m = /^\s*([+-]?\d+)(?:\.0*)?\s*$/.exec(value);
        if (m === null) throw new FieldError("Input should be a valid integer, unable to parse string as an integer");
        n = Number(m[1]);
      } else if (typeof value !== "number" && typeof value !== "bigint") {
        throw new FieldError("Input should be a valid integer");
      }
      if (n < minimum) throw new FieldError(`Input should be greater than or equal to ${minimum}`);
      return n;
    };
  }

  function literal(...allowed) {
    const names = allowed.map((a) => `'${a}'`);
    const spelled = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
    return (value) => {
      if (!allowed.includes(value)) throw new FieldError(`Input should be ${spelled}`);
      return value;
    };
  }

  function hexHash(value) {
    if (typeof value !== "string" || !HEX64.test(value)) {
      throw new FieldError("must be 64 lowercase hex digits (32 bytes)");
    }
    return B.fromHex(value);
  }

  function canonicalBase64(value) {
    try {
      return B.b64decode(value, "the value");
    } catch (e) {
      throw new FieldError(e.message);
    }
  }

  function string(value) {
    if (typeof value !== "string") throw new FieldError("Input should be a valid string");
    return value;
  }

  function optional(read) {
    return (value) => (value === null ? null : read(value));
  }

  const REQUIRED = Symbol("required");
  // The model's fields in its order: [name, reader, default].
  const FIELDS = [
    ["format", literal(DISCLOSURE_FORMAT), DISCLOSURE_FORMAT],
    ["scheme", literal("records", "directory"), REQUIRED],
    ["root", hexHash, REQUIRED],
    ["size", integer(1), REQUIRED],
    ["index", integer(0), REQUIRED],
    ["record", optional(canonicalBase64), null],
    ["path", optional(string), null],
    ["sha256", optional(hexHash), null],
    ["salt", optional(hexHash), null],
    ["inclusion_proof", proofHashes, REQUIRED],
  ];

  function proofHashes(value) {
    if (!Array.isArray(value)) throw new FieldError("Input should be a valid list");
    return value.map((h, i) => {
      try {
        return hexHash(h);
      } catch (e) {
        throw Object.assign(e, { at: `.${i}` });
      }
    });
  }

  /** Return the fields of the disclosure JSON value *obj*, or the first error as [where, message]. */
  function readModel(obj) {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      return [null, ["disclosure", "Input should be a valid dictionary or instance of Disclosure"]];
    }
    const out = {};
    for (const [name, read, fallback] of FIELDS) {
      if (!Object.prototype.hasOwnProperty.call(obj, name)) {
        if (fallback === REQUIRED) return [null, [name, "Field required"]];
        out[name] = fallback;
        continue;
      }
      try {
        out[name] = read(obj[name]);
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        return [null, [name + (e.at || ""), e.message]];
      }
    }
    const extra = Object.keys(obj).find((k) => !FIELDS.some(([name]) => name === k));
    if (extra !== undefined) return [null, [extra, "Extra inputs are not permitted"]];
    const records = out.scheme === "records";
    if (records && (out.record === null || out.path !== null || out.sha256 !== null)) {
      return [null, ["disclosure", "a records disclosure has record and neither path nor sha256"]];
    }
    if (!records && (out.record !== null || out.path === null || out.sha256 === null)) {
      return [null, ["disclosure", "a directory disclosure has path and sha256 and no record"]];
    }
    return [out, null];
  }

  /**
   * Return the disclosure in *data* (bytes or text) as {scheme, root, size, index,
   * record, path, sha256, salt, inclusionProof}, or throw MalformedInput naming the
   * first field that is wrong.
   */
  function parseDisclosure(data) {
    const [d, error] = readModel(CZ.canonical.parse(data, "disclosure"));
    if (error !== null) {
      throw new MalformedInput(`disclosure is not a valid ${DISCLOSURE_FORMAT} file: ${error[0]}: ${error[1]}`);
    }
    const { inclusion_proof: inclusionProof, format, ...rest } = d;
    return { ...rest, inclusionProof };
  }

  // --- Verifying ------------------------------------------------------------------------

  /** An item proved to be in a dataset: a record's bytes, or a file's path, with its plain SHA-256. */
  class DisclosedItem {
    constructor(scheme, index, size, root, sha256, salt, { record = null, path = null } = {}) {
      Object.assign(this, { scheme, index, size, root, sha256, salt, record, path });
      Object.freeze(this);
    }

    /** Return a short human name of the item, such as "record 1234 of 10001". */
    describe() {
      if (this.scheme === "records") return `record ${this.index} of ${this.size}`;
      return `file ${CZ.bodies.pyRepr(this.path)} (item ${this.index} of ${this.size})`;
    }
  }

  /** Return [the disclosed item, its leaf]; the model has checked which fields are set. */
  function itemOf(d) {
    if (d.record !== null) {
      const item = new DisclosedItem("records", d.index, d.size, d.root, CZ.sha256(d.record), d.salt, {
        record: d.record,
      });
      return [item, recordLeaf(d.index, recordDigest(d.record, d.salt))];
    }
    const item = new DisclosedItem("directory", d.index, d.size, d.root, d.sha256, d.salt, { path: d.path });
    return [item, fileLeaf(d.path, fileCommitment(d.sha256, d.salt))];
  }

  /**
   * Return the DisclosedItem that the disclosure in *data* proves to be in the dataset
   * with *root* (and *count* items, when given); throw MalformedInput or InvalidProof.
   */
  function verifyDisclosure(data, root, count = null) {
    if (root.length !== CZ.merkle.HASH_SIZE) {
      throw new MalformedInput(`a dataset root has ${CZ.merkle.HASH_SIZE} bytes, not ${root.length}`);
    }
    const d = parseDisclosure(data);
    const [item, leaf] = itemOf(d);
    const what = `${item.describe()} is not in the dataset`;
    if (!B.equal(d.root, root)) {
      throw new InvalidProof(`${what}: the disclosure is for root ${B.hex(d.root)}, not ${B.hex(root)}`);
    }
    // Loose comparisons: a size beyond 2^53 - 1 is a BigInt, a count may be a Number.
    if (count !== null && d.size != count) {
      throw new InvalidProof(`${what}: the disclosure gives size ${d.size}, the statement ${count}`);
    }
    if (d.index >= d.size) {
      throw new InvalidProof(`${what}: index ${d.index} is not less than the size ${d.size}`);
    }
    try {
      CZ.merkle.verifyInclusion(d.index, d.size, CZ.merkle.leafHash(leaf), d.inclusionProof, root);
    } catch (e) {
      if (!(e instanceof InvalidProof)) throw e;
      if (e.message.endsWith("root mismatch")) {
        const altered = d.scheme === "records" ? "record or its salt" : "path, digest or salt";
        throw new InvalidProof(
          `${what}: root mismatch: the ${altered}, the index or the proof was altered, ` +
            "or the item belongs to another dataset",
        );
      }
      const colon = e.message.indexOf(": ");
      throw new InvalidProof(`${what}: ${colon < 0 ? "" : e.message.slice(colon + 2)}`);
    }
    return item;
  }

  CZ.fingerprint = {
    SALT_SIZE,
    itemSalt,
    recordDigest,
    recordLeaf,
    fileCommitment,
    fileLeaf,
    recordsRoot,
    directoryRoot,
    jsonlRecords,
  };
  CZ.disclosure = { DISCLOSURE_FORMAT, DisclosedItem, parseDisclosure, verifyDisclosure };
})((globalThis.CZ = globalThis.CZ || {}));
