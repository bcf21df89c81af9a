// Signed statements and the leaves that log them.
//
// Mirrors cunzheng.ledger.statements (parse_statement, check_signature,
// make_leaf, json_leaf, parse_leaf) and the time rule of cunzheng.ledger.clock
// (parse_time). A statement is a JSON object
//
//   {"type": ..., "signer": <base64 key>, "signed_at": <RFC 3339 UTC>,
//    "body": {...}, "signature": <base64>, "cosignatures": [...]?}
//
// whose signatures cover "cunzheng/statement/v1\n" followed by the RFC 8785
// canonical JSON of the statement without its signatures. The log appends the
// leaf {"logged_at": ..., "statement": ...} in canonical JSON, and a statement
// is identified by the SHA-256 of its canonical JSON.
//
// The body is parsed into the typed model of its statement type by
// CZ.bodies.parseBody (cunzheng.ledger.bodies), a later part: `content`.
//
// Signatures are checked by CZ.note.verifyEd25519: WebCrypto's Ed25519, which
// (like libsodium) uses the cofactorless equation, plus the cheap refusals
// libsodium's strict verify makes and WebCrypto does not (S >= L, keys that
// are not canonical or have small order, R of small order;
// docs/decisions/0006-one-signature-at-a-time.md). So the page refuses exactly
// the signatures PyNaCl refuses.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidSignature } = CZ.errors;
  const B = CZ.bytes;

  // Domain separation: a statement signature can never be replayed as another message.
  const CONTEXT = B.utf8("cunzheng/statement/v1\n");
  // An entry bundle holds a leaf in at most 0xFFFF bytes; the leaf wraps the statement in
  // {"logged_at":"<27-character time>","statement":...}.
  const MAX_ENTRY_SIZE = 0xffff;
  const LEAF_OVERHEAD = '{"logged_at":"2026-01-01T00:00:00.000000Z","statement":}'.length;
  const MAX_STATEMENT_SIZE = MAX_ENTRY_SIZE - LEAF_OVERHEAD;
  const MAX_COSIGNERS = 8;
  const FIELDS = ["body", "signature", "signed_at", "signer", "type"];
  const SIGNATURES = ["signature", "cosignatures"];
  const SIGNATURE_MEMBER = B.utf8(',"signature":"');

  function isObject(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }

  // --- Time (cunzheng.ledger.clock.parse_time) -------------------------------------------

  const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

  /**
   * Return the microseconds since 1970-01-01T00:00:00Z (a Number) written in *text*, an
   * RFC 3339 UTC time ending in "Z"; digits finer than a microsecond are dropped, as
   * Python's datetime drops them. A Number holds every microsecond exactly from about
   * 1685 to 2255 (2^53 of them either side of 1970); further out it is rounded.
   */
  function parseTime(text, what = "time") {
    const m = typeof text === "string" ? RFC3339_UTC.exec(text) : null;
    if (m === null) {
      throw new MalformedInput(
        `${what} ${CZ.bodies.pyRepr(text)} is not an RFC 3339 UTC time like 2026-01-31T08:00:00Z`,
      );
    }
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    if (year < 1 || days === undefined || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
      throw new MalformedInput(`${what} ${CZ.bodies.pyRepr(text)} is not a valid date and time`);
    }
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 19xx
    date.setUTCHours(hour, minute, second, 0);
    const micros = Number(((m[7] || "") + "000000").slice(0, 6));
    return date.getTime() * 1000 + micros;
  }

  // --- Parsing -------------------------------------------------------------------------

  function compareBytes(a, b) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }

  function parseCosignatures(value, signer) {
    if (value === undefined || value === null) return [[], []];
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_COSIGNERS) {
      throw new MalformedInput(`cosignatures must be a list of 1 to ${MAX_COSIGNERS} objects`);
    }
    const keys = [];
    const sigs = [];
    value.forEach((item, i) => {
      if (!isObject(item)) throw new MalformedInput(`cosignature ${i} must be an object`);
      CZ.bodies.requireKeys(item, { required: ["signature", "signer"], what: `cosignature ${i}` });
      keys.push(B.b64decode(item.signer, `cosignature ${i} signer`, 32));
      sigs.push(B.b64decode(item.signature, `cosignature ${i} signature`, 64));
    });
    // Sorted by key and all different, so that a set of cosigners has one spelling.
    const ordered = keys.every((k, i) => i === 0 || compareBytes(keys[i - 1], k) < 0);
    if (!ordered || keys.some((k) => B.equal(k, signer))) {
      throw new MalformedInput("cosigners must differ from the signer and each other, sorted by key");
    }
    return [keys, sigs];
  }

  /**
   * Return the statement in *data* (bytes, JSON text or a parsed object) after checking
   * its shape and size, not its signature. Throws MalformedInput saying what is wrong.
   */
  function parse(data) {
    const isText = data instanceof Uint8Array || typeof data === "string";
    const obj = isText ? CZ.canonical.parse(data, "statement") : data;
    if (!isObject(obj)) throw new MalformedInput("statement must be a JSON object");
    const canonical = CZ.canonical.bytes(obj);
    if (canonical.length > MAX_STATEMENT_SIZE) {
      throw new MalformedInput(
        `statement is ${canonical.length} bytes as canonical JSON; the limit is ` +
          `${MAX_STATEMENT_SIZE} so that its leaf fits the ${MAX_ENTRY_SIZE}-byte entry limit`,
      );
    }
    CZ.bodies.requireKeys(obj, { required: FIELDS, optional: ["cosignatures"], what: "statement" });
    const content = CZ.bodies.parseBody(obj.type, obj.body);
    const signer = B.b64decode(obj.signer, "signer", 32);
    const signature = B.b64decode(obj.signature, "signature", 64);
    const signedAt = parseTime(obj.signed_at, "signed_at");
    const [cosigners, cosignatures] = parseCosignatures(obj.cosignatures, signer);
    return {
      type: obj.type,
      signer,
      signedAt,
      body: obj.body,
      content,
      signature,
      canonical,
      fields: obj,
      cosigners,
      cosignatures,
      signers: [signer, ...cosigners],
      hash: CZ.sha256(canonical),
      signedMessage: () => signedMessage(canonical, obj, cosigners),
    };
  }

  /** Return the bytes every signature of the statement covers. */
  function signedMessage(canonical, fields, cosigners) {
    if (cosigners.length === 0) {
      // The canonical form without its "signature" member, which is the last
      // ',"signature":"' in the bytes: only signed_at, signer and type (checked plain
      // strings) follow it in key order.
      const cut = lastIndexOf(canonical, SIGNATURE_MEMBER);
      const end = canonical.indexOf(0x22 /* '"' */, cut + SIGNATURE_MEMBER.length);
      return B.concat(CONTEXT, canonical.subarray(0, cut), canonical.subarray(end + 1));
    }
    const unsigned = {};
    for (const [k, v] of Object.entries(fields)) if (!SIGNATURES.includes(k)) unsigned[k] = v;
    return B.concat(CONTEXT, CZ.canonical.bytes(unsigned));
  }

  function lastIndexOf(haystack, needle) {
    outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
      for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  // --- Signatures ----------------------------------------------------------------------

  /** Resolve if every signature of *statement* verifies (signer first, then cosigners), else reject with InvalidSignature. */
  async function checkSignature(statement) {
    const message = statement.signedMessage();
    const signatures = [statement.signature, ...statement.cosignatures];
    for (let i = 0; i < statement.signers.length; i++) {
      const key = statement.signers[i];
      if (!(await CZ.note.verifyEd25519(key, message, signatures[i]))) {
        const role = i === 0 ? "signer" : "cosigner";
        throw new InvalidSignature(
          `statement signature does not verify with ${role} key ${B.b64encode(key)}`,
        );
      }
    }
  }

  // --- Leaves --------------------------------------------------------------------------

  /** Return the leaf that logs the parsed *statement* at *loggedAt* (RFC 3339 text), as canonical JSON. */
  function makeLeaf(statement, loggedAt) {
    // Keys in JCS order ("logged_at" < "statement") around the statement's canonical bytes.
    return B.concat(
      B.utf8(`{"logged_at":"${loggedAt}","statement":`),
      statement.canonical,
      B.utf8("}"),
    );
  }

  /**
   * Return the leaf that logs the statement JSON object *statement*, as given, at
   * *loggedAt*. Receipts and bundles state their leaf this way, unparsed, so that any
   * change to their text changes the leaf hash.
   */
  function jsonLeaf(statement, loggedAt) {
    return CZ.canonical.bytes({ logged_at: loggedAt, statement });
  }

  /** Return {statement, loggedAt (microseconds)} held in *leaf*, which must be canonical JSON. */
  function parseLeaf(leaf) {
    const obj = CZ.canonical.parseCanonical(leaf, "leaf");
    const keys = isObject(obj) ? Object.keys(obj).sort() : [];
    if (keys.length !== 2 || keys[0] !== "logged_at" || keys[1] !== "statement") {
      throw new MalformedInput("leaf must be an object with exactly logged_at and statement");
    }
    return { statement: parse(obj.statement), loggedAt: parseTime(obj.logged_at, "logged_at") };
  }

  CZ.statements = {
    CONTEXT,
    MAX_STATEMENT_SIZE,
    MAX_COSIGNERS,
    parse,
    parseTime,
    checkSignature,
    makeLeaf,
    jsonLeaf,
    parseLeaf,
  };
})((globalThis.CZ = globalThis.CZ || {}));
