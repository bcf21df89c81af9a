// What every statement body shares: the member checks, times and the base of the typed bodies.
//
// Mirrors ledger/bodies/core.py, with ledger/clock.py's format_time (its
// parse_time is CZ.statements.parseTime, and canonical base64 is
// CZ.bytes.b64decode). Shapes only: whether a well-formed statement is
// allowed is decided by CZ.registry.
//
// Conventions of the JavaScript side, kept by every CZ.bodies and CZ.registry
// part:
// - bytes (ids, digests, keys) are Uint8Array, as Python's bytes;
// - a time is a Number of microseconds since 1970-01-01T00:00:00Z, as
//   CZ.statements.parseTime gives (Python's datetime is exact to the
//   microsecond, which a Date is not); compare with <, add CZ.bodies.DAY days;
// - a body is an instance of its model class with the Python attribute names
//   (snake_case), an absent optional member being null.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const bodies = (CZ.bodies = CZ.bodies || {});

  const HEX_SHA256 = /^[0-9a-f]{64}$/;
  // financial_institution: a lender that takes pledges (质押权人), registered by the operator.
  const PARTY_KINDS = ["exchange", "rights_holder", "court", "witness", "operator", "financial_institution"];
  const MAX_NAME = 200;
  // Python's str.isspace characters: a text made only of them is blank.
  const BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

  // ----- Python's view of values, for messages and checks -----

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
  }

  function isInt(value) {
    return typeof value === "number" && Number.isInteger(value);
  }

  // The length of a text in code points, as Python's len counts a str.
  function textLength(value) {
    return [...value].length;
  }

  // Order texts by code point, as Python's sorted does.
  function byCodePoint(a, b) {
    const x = Array.from(a, (c) => c.codePointAt(0));
    const y = Array.from(b, (c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
      if (x[i] !== y[i]) return x[i] - y[i];
    }
    return x.length - y.length;
  }

  // Characters Python's str.isprintable refuses, which its repr escapes.
  const UNPRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

  function escapeCode(code) {
    if (code < 0x100) return "\\x" + code.toString(16).padStart(2, "0");
    if (code < 0x10000) return "\\u" + code.toString(16).padStart(4, "0");
    return "\\U" + code.toString(16).padStart(8, "0");
  }

  function reprText(value) {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let out = quote;
    for (const c of value) {
      const code = c.codePointAt(0);
      if (c === "\\" || c === quote) out += "\\" + c;
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (c === "\t") out += "\\t";
      else if (c !== " " && UNPRINTABLE.test(c)) out += escapeCode(code);
      else out += c;
    }
    return out + quote;
  }

  // Return *value* written as Python's repr writes the same JSON value.
  function pyRepr(value) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "string") return reprText(value);
    if (typeof value === "number") return isInt(value) ? String(value) : String(value).replace(/e\+?/, "e+").replace("e+-", "e-");
    if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
    return "{" + Object.entries(value).map(([k, v]) => `${reprText(k)}: ${pyRepr(v)}`).join(", ") + "}";
  }

  // ----- times (ledger/clock.py; parse_time is CZ.statements.parseTime) -----

  const DAY = 86400 * 1000000;

  function parts(moment) {
    const millis = Math.floor(moment / 1000);
    const date = new Date(millis);
    const two = (n) => String(n).padStart(2, "0");
    const year = String(date.getUTCFullYear()).padStart(4, "0");
    const micros = String((millis % 1000 + 1000) % 1000 * 1000 + (moment - millis * 1000)).padStart(6, "0");
    return {
      date: `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`,
      clock: `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`,
      micros,
    };
  }

  // Return *moment* as RFC 3339 UTC with microseconds and Z, as the ledger writes times.
  function formatTime(moment) {
    const p = parts(moment);
    return `${p.date}T${p.clock}.${p.micros}Z`;
  }

  // Return *moment* as Python's datetime.isoformat writes a UTC time (for messages).
  function isoformat(moment) {
    const p = parts(moment);
    return `${p.date}T${p.clock}${p.micros === "000000" ? "" : "." + p.micros}+00:00`;
  }

  function parseTime(text, what) {
    return CZ.statements.parseTime(text, what);
  }

  // ----- the member checks -----

  // Refuse *obj* if it lacks one of *required* or has a member in neither list.
  function requireKeys(obj, { required, optional = [], what }) {
    const keys = Object.keys(obj);
    const missing = required.filter((k) => !keys.includes(k)).sort(byCodePoint);
    if (missing.length) throw new MalformedInput(`${what} lacks ${missing.join(", ")}`);
    const extra = keys.filter((k) => !required.includes(k) && !optional.includes(k)).sort(byCodePoint);
    if (extra.length) throw new MalformedInput(`${what} has unknown members: ${extra.join(", ")}`);
  }

  function hexDigest(value, what) {
    if (typeof value !== "string" || !HEX_SHA256.test(value)) {
      throw new MalformedInput(`${what} must be 64 lowercase hex digits`);
    }
    return CZ.bytes.fromHex(value);
  }

  // Return the 32-byte Ed25519 public key written in canonical base64 in *value*.
  function publicKey(value, what) {
    return CZ.bytes.b64decode(value, what, 32);
  }

  function isText(value, limit) {
    return typeof value === "string" && !BLANK.test(value) && textLength(value) <= limit;
  }

  // Return the text at *key* in *body*, or null where it is absent (a null is refused).
  function optionalText(body, key, what, limit) {
    if (!Object.prototype.hasOwnProperty.call(body, key)) return null;
    const value = body[key];
    if (value === null) throw new MalformedInput(`${what}: ${key} is null; leave the member out if there is none`);
    if (!isText(value, limit)) {
      throw new MalformedInput(`${what}: ${key} must be a non-empty string of at most ${limit} characters`);
    }
    return value;
  }

  const identifier = hexDigest;

  function moment(value, what) {
    return parseTime(value, what);
  }

  function text(limit) {
    return (value, what) => {
      if (!isText(value, limit)) throw new MalformedInput(`${what} must be a non-empty string of at most ${limit} characters`);
      return value;
    };
  }

  function count(value, what) {
    if (!isInt(value) || value < 0) throw new MalformedInput(`${what} must be a non-negative integer`);
    return value;
  }

  function flag(value, what) {
    if (typeof value !== "boolean") throw new MalformedInput(`${what} must be true or false`);
    return value;
  }

  function codes(value, what) {
    if (
      !Array.isArray(value) ||
      value.length < 1 ||
      value.length > 32 ||
      value.some((v) => typeof v !== "string" || !v || textLength(v) > 64) ||
      new Set(value).size !== value.length
    ) {
      throw new MalformedInput(`${what} must be a list of 1 to 32 distinct short strings`);
    }
    return Object.freeze([...value]);
  }

  function oneOf(...allowed) {
    return (value, what) => {
      if (!allowed.includes(value)) throw new MalformedInput(`${what} must be one of ${allowed.join(", ")}`);
      return value;
    };
  }

  // ----- the typed bodies -----

  // A statement's body, parsed and checked: one subclass per statement type.
  // A subclass names its members in REQUIRED and OPTIONAL, each with the
  // converter from its JSON value, and DEFAULTS for absent optional ones; or
  // it overrides parse. Members are checked in the order the body lists them.
  class StatementBody {
    constructor(values) {
      Object.assign(this, this.constructor.DEFAULTS, values);
      Object.freeze(this);
    }

    static parse(body) {
      return new this(parseMembers(this, body));
    }

    get TYPE() {
      return this.constructor.TYPE;
    }

    // The ids of the parties the body names as taking part (holder, licensee, ...).
    get namedParties() {
      return [];
    }
  }
  StatementBody.TYPE = "";
  StatementBody.REQUIRED = {};
  StatementBody.OPTIONAL = {};
  StatementBody.DEFAULTS = {};

  function parseMembers(model, body) {
    const what = `${model.TYPE} body`;
    const { REQUIRED: required, OPTIONAL: optional } = model;
    requireKeys(body, { required: Object.keys(required), optional: Object.keys(optional), what });
    const values = {};
    for (const [key, item] of Object.entries(body)) {
      const convert = Object.prototype.hasOwnProperty.call(required, key) ? required[key] : optional[key];
      values[key] = convert(item, `${what}: ${key}`);
    }
    return values;
  }

  // Give *model* its statement type and member tables (class fields cannot be static data here).
  function define(model, { TYPE = "", REQUIRED = {}, OPTIONAL = {}, DEFAULTS = {} } = {}) {
    Object.assign(model, { TYPE, REQUIRED, OPTIONAL, DEFAULTS });
    return model;
  }

  Object.assign(bodies, {
    PARTY_KINDS,
    MAX_NAME,
    DAY,
    isObject,
    isInt,
    textLength,
    byCodePoint,
    pyRepr,
    parseTime,
    formatTime,
    isoformat,
    requireKeys,
    hexDigest,
    publicKey,
    optionalText,
    identifier,
    moment,
    text,
    count,
    flag,
    codes,
    oneOf,
    StatementBody,
    parseMembers,
    define,
  });
})((globalThis.CZ = globalThis.CZ || {}));
