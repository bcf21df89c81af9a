// The offline verifier of a single receipt: the receipt, the log's public key and the file.
//
// Mirrors ledger/verify/receipt.py (verify_receipt, raising the first check
// that fails), the receipt model of schemas/receipts.py and what
// `cunzheng verify FILE RECEIPT --json` prints (cli/receipts.py) as
// CZ.verifyReceipt. `await CZ.verifyReceipt(receiptText, options)` returns
// that cunzheng.receipt-report/v1 object: ok, and the facts, or the reason
// the first failing check gives. Options: logKey (verifier key string),
// contentSha256 (the file's SHA-256 bytes), fileName (the file's name, as the
// report states it), tsaRoots ([DER or PEM bytes]: without them, tokens are
// not checked).
"use strict";
(function (CZ) {
  const { LedgerError, InvalidProof, MalformedInput } = CZ.errors;
  const B = CZ.bytes;
  const RECEIPT_FORMAT = "cunzheng.receipt/v1";
  const RECEIPT_REPORT_FORMAT = "cunzheng.receipt-report/v1";

  function invalid(where, message) {
    return new MalformedInput(`receipt is not a valid ${RECEIPT_FORMAT} file: ${where}: ${message}`);
  }

  function integer(value, where, min) {
    const n = CZ.bundles.laxInteger(value);
    if (n === null || !Number.isSafeInteger(n)) throw invalid(where, "Input should be a valid integer");
    if (n < min) throw invalid(where, `Input should be greater than or equal to ${min}`);
    return n;
  }

  function decoded(list, where, size) {
    if (!Array.isArray(list)) throw invalid(where, "Input should be a valid list");
    return list.map((text, i) => {
      try {
        const raw = B.b64decode(text, "the value");
        if (size && raw.length !== size) throw new MalformedInput(`the value must decode to 32 bytes, not ${raw.length}`);
        if (!size && !raw.length) throw new MalformedInput("must not be empty");
        return raw;
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        throw invalid(`${where}.${i}`, e.message);
      }
    });
  }

  function text(value, where) {
    if (typeof value !== "string") throw invalid(where, "Input should be a valid string");
    return value;
  }

  function format(value, where) {
    if (value !== RECEIPT_FORMAT) throw invalid(where, `Input should be '${RECEIPT_FORMAT}'`);
    return value;
  }

  function dict(value, where) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw invalid(where, "Input should be a valid dictionary");
    }
    return value;
  }

  // The receipt's fields in the order the model declares them, each with its reader and default.
  const MODEL = [
    ["format", format, RECEIPT_FORMAT],
    ["statement", dict, undefined],
    ["logged_at", text, undefined],
    ["index", (v, w) => integer(v, w, 0), undefined],
    ["tree_size", (v, w) => integer(v, w, 1), undefined],
    ["inclusion_proof", (v, w) => decoded(v, w, 32), undefined],
    ["checkpoint", text, undefined],
    ["timestamps", (v, w) => decoded(v, w, 0), []],
  ];

  /** Return the receipt in *data* (text or bytes), or throw MalformedInput naming the first field that is wrong. */
  function parseReceipt(data) {
    const obj = CZ.canonical.parse(data, "receipt");
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw invalid("receipt", "Input should be a valid dictionary or instance of Receipt");
    }
    const receipt = {};
    for (const [key, read, dflt] of MODEL) {
      if (obj[key] !== undefined) receipt[key] = read(obj[key], key);
      else if (dflt === undefined) throw invalid(key, "Field required");
      else receipt[key] = dflt;
    }
    const known = MODEL.map(([key]) => key);
    for (const key of Object.keys(obj)) if (!known.includes(key)) throw invalid(key, "Extra inputs are not permitted");
    return receipt;
  }

  /** Return what the receipt proves, or throw the LedgerError of the first check that fails (verify_receipt). */
  async function checkReceipt(data, { logKey, contentSha256 = null, tsaRoots = [] }) {
    const receipt = parseReceipt(data);
    const statement = CZ.statements.parse(receipt.statement);
    const loggedAt = CZ.statements.parseTime(receipt.logged_at, "logged_at");
    await CZ.statements.checkSignature(statement);
    if (contentSha256 !== null) {
      const claimed = statement.type === "evidence.timestamp" ? B.hex(statement.content.sha256) : "None";
      if (claimed !== B.hex(contentSha256)) {
        throw new InvalidProof(
          `content does not match: the file's SHA-256 is ${B.hex(contentSha256)}, the statement records ${claimed}`,
        );
      }
    }
    const { checkpoint } = await CZ.note.openCheckpoint(receipt.checkpoint, logKey, logKey.name);
    if (checkpoint.size !== receipt.tree_size) {
      throw new InvalidProof(
        `the checkpoint is for a tree of ${checkpoint.size} leaves, the receipt claims ${receipt.tree_size}`,
      );
    }
    const leafHash = CZ.merkle.leafHash(CZ.statements.jsonLeaf(receipt.statement, receipt.logged_at));
    CZ.merkle.verifyInclusion(receipt.index, receipt.tree_size, leafHash, receipt.inclusion_proof, checkpoint.root);
    const timestamps = [];
    if (tsaRoots.length) {
      const digest = CZ.attestations.checkpointImprint(receipt.checkpoint);
      for (const token of receipt.timestamps) {
        timestamps.push(await CZ.tsa.verifyToken(token, { digest, trustRoots: tsaRoots }));
      }
    }
    return { receipt, statement, loggedAt, checkpoint, timestamps };
  }

  /** Return what `cunzheng verify FILE RECEIPT --json` prints for the receipt in *data* and the file's digest. */
  async function verifyReceipt(data, options) {
    const logKey = CZ.note.Verifier.fromString(options.logKey);
    const tsaRoots = options.tsaRoots || [];
    let result;
    try {
      result = await checkReceipt(data, { logKey, contentSha256: options.contentSha256 ?? null, tsaRoots });
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      return { format: RECEIPT_REPORT_FORMAT, ok: false, reason: e.message };
    }
    const { formatTime } = CZ.verify;
    const stamps = result.timestamps.map((t) => ({ time: formatTime(t.latest), tsa: t.tsaSubject }));
    return {
      format: RECEIPT_REPORT_FORMAT,
      ok: true,
      file: options.fileName ?? "",
      sha256: B.hex(options.contentSha256),
      type: result.statement.type,
      signer: B.b64encode(result.statement.signer),
      origin: result.checkpoint.origin,
      size: result.checkpoint.size,
      index: result.receipt.index,
      logged_at: formatTime(result.loggedAt),
      timestamps: stamps,
      timestamps_unchecked: result.receipt.timestamps.length > 0 && !tsaRoots.length,
    };
  }

  CZ.receipts = { RECEIPT_FORMAT, RECEIPT_REPORT_FORMAT, parseReceipt, checkReceipt };
  CZ.verifyReceipt = verifyReceipt;
})((globalThis.CZ = globalThis.CZ || {}));
