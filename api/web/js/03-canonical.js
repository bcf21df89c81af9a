// RFC 8785 (JCS) canonical JSON, and reading JSON as ledger/canonical.py reads it.
//
// Mirrors ledger/canonical.py. Statements hold objects, arrays, strings,
// integers, booleans and null, never floating-point numbers, so JCS reduces
// to: keys sorted by UTF-16 code units, no insignificant whitespace, strings
// escaped as JSON.stringify escapes them, integers within I-JSON's exact
// range (±2^53-1). Object keys must be ASCII and values nest at most 16 deep.
//
// parse() accepts what the Python's loads() accepts (orjson's strict RFC 8259
// grammar, read by 03-canonical-0-parse.js, then I-JSON's ban on naming a key
// twice) and keeps what JavaScript numbers would lose: an integer beyond
// ±2^53-1 comes back as a BigInt and a number written with a fraction or an
// exponent (or beyond 64 bits, which orjson reads as a float) as a JsonFloat,
// so that json() refuses both as the Python refuses them.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const MAX_SAFE_INTEGER = 2 ** 53 - 1;
  const MAX_DEPTH = 16;

  /** Return the RFC 8785 canonical text of *value* (JSON without floats). */
  function json(value) {
    return write(value, 0);
  }

  /** Return the UTF-8 bytes of json(value). */
  function bytes(value) {
    return CZ.bytes.utf8(json(value));
  }

  function write(value, depth) {
    if (depth > MAX_DEPTH) throw new MalformedInput(`JSON nests deeper than ${MAX_DEPTH} levels`);
    if (value === null || value === true || value === false) return String(value);
    if (typeof value === "string") return writeString(value);
    if (typeof value === "number" || typeof value === "bigint") return writeInteger(value);
    if (value instanceof CZ.canonical.JsonFloat) {
      throw new MalformedInput("numbers in statements must be integers, not floating point");
    }
    if (Array.isArray(value)) return "[" + value.map((item) => write(item, depth + 1)).join(",") + "]";
    if (typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
      const keys = Object.keys(value);
      for (const key of keys) {
        if (!/^[\x00-\x7f]*$/.test(key)) {
          throw new MalformedInput(`object key ${CZ.bytes.pyRepr(key)} must be an ASCII string`);
        }
      }
      // ASCII keys: ordering by UTF-16 code units is JavaScript's default sort.
      keys.sort();
      const members = keys.map((key) => writeString(key) + ":" + write(value[key], depth + 1));
      return "{" + members.join(",") + "}";
    }
    throw new MalformedInput(`value of type ${typeof value} cannot be written as JSON`);
  }

  function writeInteger(value) {
    if (Number.isSafeInteger(value)) return String(value); // String(-0) is "0", as Python's int has no -0
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new MalformedInput("numbers in statements must be integers, not floating point");
    }
    const big = BigInt(value);
    if (big > BigInt(MAX_SAFE_INTEGER) || big < -BigInt(MAX_SAFE_INTEGER)) {
      throw new MalformedInput(`integer ${big} is outside I-JSON's exact range (±2^53-1)`);
    }
    return big.toString();
  }

  function writeString(value) {
    // Lone surrogates have no UTF-8 encoding; the Python encoder refuses them.
    if (!value.isWellFormed()) throw new MalformedInput("string holds a lone UTF-16 surrogate");
    // For well-formed strings JSON.stringify escapes exactly as RFC 8785
    // section 3.2.2.2 asks: \b \t \n \f \r \" \\, other controls as \u00xx.
    return JSON.stringify(value);
  }

  /**
   * Return the JSON value in *text* (a string or UTF-8 bytes), or throw
   * MalformedInput naming *what*, with the Python's message. Duplicate keys
   * in an object are refused (I-JSON, RFC 7493 section 2.3).
   */
  function parse(text, what = "JSON") {
    return CZ.canonical.readJson(text, what, true);
  }

  /** Return the JSON value in *data*, which must be its own RFC 8785 canonical encoding. */
  function parseCanonical(data, what = "JSON") {
    // As the Python: orjson's reading (the last of two equal keys counts), then
    // the canonical writing of what was read, compared with the text.
    const value = CZ.canonical.readJson(data, what, false);
    const written = json(value);
    const textual = typeof data === "string" ? data : CZ.bytes.text(data, what);
    if (written !== textual) throw new MalformedInput(`${what} is not in RFC 8785 canonical form`);
    return value;
  }

  Object.assign(CZ.canonical, { json, bytes, parse, parseCanonical, MAX_SAFE_INTEGER });
})((globalThis.CZ = globalThis.CZ || {}));
