// RFC 8785 (JCS) canonical JSON, and a JSON parser that refuses what ours refuses.
//
// Mirrors ledger/canonical.py. Statements hold objects, arrays, strings,
// integers, booleans and null, never floating-point numbers, so JCS reduces
// to: keys sorted by UTF-16 code units, no insignificant whitespace, strings
// escaped as JSON.stringify escapes them, integers within I-JSON's exact
// range (±2^53-1). Object keys must be ASCII and values nest at most 16 deep.
//
// parse() accepts what the Python's loads() accepts (orjson's strict RFC 8259
// grammar, then I-JSON's ban on naming a key twice) and keeps what JavaScript
// numbers would lose: an integer beyond ±2^53-1 comes back as a BigInt and a
// number written with a fraction or an exponent (or beyond 64 bits, which
// orjson reads as a float) as a JsonFloat, so that json() refuses both as the
// Python refuses them.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const MAX_SAFE_INTEGER = 2 ** 53 - 1;
  const MAX_DEPTH = 16;
  // orjson refuses texts nested deeper than this.
  const MAX_PARSE_DEPTH = 1024;

  /** A JSON number written with a fraction or an exponent (Python's float). */
  class JsonFloat {
    constructor(value) {
      this.value = value;
    }
  }

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
    if (value instanceof JsonFloat) {
      throw new MalformedInput("numbers in statements must be integers, not floating point");
    }
    if (Array.isArray(value)) return "[" + value.map((item) => write(item, depth + 1)).join(",") + "]";
    if (typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
      const keys = Object.keys(value);
      for (const key of keys) {
        if (!/^[\x00-\x7f]*$/.test(key)) {
          throw new MalformedInput(`object key ${JSON.stringify(key)} must be an ASCII string`);
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
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new MalformedInput("numbers in statements must be integers, not floating point");
    }
    const big = BigInt(value);
    if (big > BigInt(MAX_SAFE_INTEGER) || big < -BigInt(MAX_SAFE_INTEGER)) {
      throw new MalformedInput(`integer ${big} is outside I-JSON's exact range (±2^53-1)`);
    }
    return big.toString(); // "-0" is written "0", as Python's int has no -0
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
   * MalformedInput naming *what*. Duplicate keys in an object are refused
   * (I-JSON, RFC 7493 section 2.3).
   */
  function parse(text, what = "JSON") {
    if (text instanceof Uint8Array) {
      if (text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf) {
        throw new MalformedInput(`${what} is not valid JSON: UTF-8 byte order mark (BOM) is not supported`);
      }
      text = CZ.bytes.text(text, what);
    } else if (typeof text !== "string") {
      throw new MalformedInput(`${what} must be text`);
    }
    return new Parser(text, what).document();
  }

  /** Return the JSON value in *data*, which must be its own RFC 8785 canonical encoding. */
  function parseCanonical(data, what = "JSON") {
    const value = parse(data, what);
    const textual = typeof data === "string" ? data : CZ.bytes.text(data, what);
    if (write(value, 0) !== textual) throw new MalformedInput(`${what} is not in RFC 8785 canonical form`);
    return value;
  }

  const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

  // A recursive-descent parser for RFC 8259's grammar, no extensions.
  class Parser {
    constructor(text, what) {
      this.text = text;
      this.what = what;
      this.at = 0;
      this.depth = 0;
    }

    fail(reason) {
      throw new MalformedInput(`${this.what} is not valid JSON: ${reason} (char ${this.at})`);
    }

    document() {
      this.space();
      const value = this.value();
      this.space();
      if (this.at !== this.text.length) this.fail("trailing characters");
      return value;
    }

    space() {
      const t = this.text;
      while (this.at < t.length) {
        const c = t.charCodeAt(this.at);
        if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
        this.at++;
      }
    }

    value() {
      const c = this.text[this.at];
      if (c === "{") return this.nested(() => this.object());
      if (c === "[") return this.nested(() => this.array());
      if (c === '"') return this.string();
      for (const [word, meaning] of [["true", true], ["false", false], ["null", null]]) {
        if (this.text.startsWith(word, this.at)) {
          this.at += word.length;
          return meaning;
        }
      }
      return this.number();
    }

    nested(read) {
      if (++this.depth > MAX_PARSE_DEPTH) this.fail("recursion limit exceeded");
      const value = read();
      this.depth--;
      return value;
    }

    object() {
      const out = {};
      const seen = new Set();
      this.at++; // '{'
      this.space();
      if (this.text[this.at] === "}") {
        this.at++;
        return out;
      }
      for (;;) {
        if (this.text[this.at] !== '"') this.fail("expected a string key");
        const key = this.string();
        if (seen.has(key)) {
          throw new MalformedInput(
            `${this.what} names the key ${JSON.stringify(key)} twice in one object; I-JSON ` +
              "(RFC 7493) forbids duplicate keys, since parsers disagree on which value counts",
          );
        }
        seen.add(key);
        this.space();
        if (this.text[this.at] !== ":") this.fail("expected ':'");
        this.at++;
        this.space();
        // defineProperty: a key "__proto__" is a plain member, as in Python.
        Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
        this.space();
        const c = this.text[this.at++];
        if (c === "}") return out;
        if (c !== ",") this.fail("expected ',' or '}'");
        this.space();
      }
    }

    array() {
      const out = [];
      this.at++; // '['
      this.space();
      if (this.text[this.at] === "]") {
        this.at++;
        return out;
      }
      for (;;) {
        out.push(this.value());
        this.space();
        const c = this.text[this.at++];
        if (c === "]") return out;
        if (c !== ",") this.fail("expected ',' or ']'");
        this.space();
      }
    }

    string() {
      const t = this.text;
      let out = "";
      let from = ++this.at; // after the opening quote
      for (;;) {
        if (this.at >= t.length) this.fail("unterminated string");
        const c = t.charCodeAt(this.at);
        if (c === 0x22) break;
        if (c < 0x20) this.fail("unexpected control character in string");
        if (c !== 0x5c) {
          this.at++;
          continue;
        }
        out += t.slice(from, this.at);
        const e = t[this.at + 1];
        if (e === "u") {
          const digits = t.slice(this.at + 2, this.at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("invalid \\u escape");
          out += String.fromCharCode(parseInt(digits, 16));
          this.at += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          this.at += 2;
        } else {
          this.fail("invalid escape");
        }
        from = this.at;
      }
      out += t.slice(from, this.at);
      this.at++; // closing quote
      // Escaped or raw, a lone surrogate is no Unicode text: orjson refuses it.
      if (!out.isWellFormed()) this.fail("lone surrogate in string");
      return out;
    }

    number() {
      NUMBER.lastIndex = this.at;
      const match = NUMBER.exec(this.text);
      if (match === null) this.fail("unexpected character, expected a JSON value");
      const [written, fraction, exponent] = match;
      this.at += written.length;
      if (fraction === undefined && exponent === undefined) {
        const value = Number(written);
        if (Number.isSafeInteger(value)) return value || 0;
        // orjson reads integers into 64 bits (u64, or i64 when negative) and
        // beyond those into a double, that is a float.
        const big = BigInt(written);
        if (big <= 0xffffffffffffffffn && big >= -0x8000000000000000n) return big;
        return new JsonFloat(value);
      }
      const value = Number(written);
      if (!Number.isFinite(value)) this.fail("number is infinity when parsed as double");
      return new JsonFloat(value);
    }
  }

  CZ.canonical = { json, bytes, parse, parseCanonical, JsonFloat, MAX_SAFE_INTEGER };
})((globalThis.CZ = globalThis.CZ || {}));
