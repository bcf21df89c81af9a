// Reading JSON text as ledger/canonical.py reads it: orjson's strict RFC 8259
// grammar, with orjson's error messages and positions.
//
// Mirrors orjson.loads as ledger/canonical.py (loads, loads_canonical) calls
// it. A page that refuses a broken file must say what `cunzheng verify` says,
// so a failure reads "<what> is not valid JSON: <orjson's reason>: line L
// column C (char N)", where N counts Unicode code points and L and C are
// Python's JSONDecodeError's. orjson's rules, as it behaves (tests/web/core.test.js
// holds this file to it on a few hundred broken texts):
//
// - The text must be UTF-8 (or a string without lone surrogates), must not
//   start with a byte order mark, and must hold something besides spaces.
// - An error at the end of the text, or in a literal, \u escape or surrogate
//   pair that the text ends in the middle of, is "unexpected end of data" at
//   the end; other errors are placed at the offending character (a literal's
//   or a number's first character, an escape's backslash, a trailing comma).
// - At most 1024 arrays and objects nest (and, when repeated keys are looked
//   for, about 960: see MAX_NESTING_WITH_DUPLICATE_CHECK).
//
// Values come back as plain JavaScript values, keeping what JavaScript numbers
// would lose: an integer beyond ±2^53-1 is a BigInt (up to orjson's 64-bit
// limits) and a number written with a fraction or an exponent, or an integer
// beyond 64 bits, is a JsonFloat, as orjson reads it as a Python float.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const MAX_NESTING = 1024;
  // The Python's second pass, the standard library's parser that finds repeated
  // keys, gives up at about a thousand levels less the depth of its own call
  // stack, which varies; the page takes 960 for it.
  const MAX_NESTING_WITH_DUPLICATE_CHECK = 960;
  const SIMPLE_ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
  const LITERALS = { t: ["true", true], f: ["false", false], n: ["null", null] };
  const HEX4 = /^[0-9a-fA-F]{4}$/;
  // What may remain of a surrogate pair's second half when the text ends inside it.
  const LOW_SURROGATE_PREFIX = /^(?:\\(?:u[0-9a-fA-F]{0,3})?)?$/;

  /** A JSON number written with a fraction or an exponent (Python's float). */
  class JsonFloat {
    constructor(value) {
      this.value = value;
    }
  }

  function isDigit(c) {
    return c >= "0" && c <= "9";
  }

  // A recursive-descent reader over a JavaScript string (UTF-16 code units).
  class Reader {
    constructor(text, what, refuseDuplicates) {
      this.text = text;
      this.what = what;
      this.refuseDuplicates = refuseDuplicates;
      this.at = 0;
      this.depth = 0;
      this.duplicate = null; // the first repeated key, by the order objects close
      this.tooDeep = null; // "array" or "object": the first container nested too deep for that pass
    }

    fail(reason, at) {
      // Python's JSONDecodeError: char counts code points; line and column from newlines.
      const before = Array.from(this.text.slice(0, at));
      const lastNewline = before.lastIndexOf("\n");
      const line = before.filter((c) => c === "\n").length + 1;
      const column = before.length - lastNewline;
      throw new MalformedInput(
        `${this.what} is not valid JSON: ${reason}: line ${line} column ${column} (char ${before.length})`,
      );
    }

    failEnd() {
      this.fail("unexpected end of data", this.text.length);
    }

    // Fail with *reason* at *at*, or at the end when the text ends there.
    failAt(reason, at) {
      if (at >= this.text.length) this.failEnd();
      this.fail(reason, at);
    }

    document() {
      const t = this.text;
      if (t.length === 0) this.fail("Input is a zero-length, empty document", 0);
      if (!t.isWellFormed()) this.fail("str is not valid UTF-8: surrogates not allowed", 0);
      if (t.charCodeAt(0) === 0xfeff) this.fail("UTF-8 byte order mark (BOM) is not supported", 0);
      this.space();
      if (this.at === t.length) this.fail("input data is empty", 0);
      const value = this.value();
      this.space();
      if (this.at < t.length) this.fail("unexpected content after document", this.at);
      if (this.refuseDuplicates && this.tooDeep !== null) {
        throw new MalformedInput(
          `${this.what} is not valid JSON: maximum recursion depth exceeded while decoding a JSON ${this.tooDeep} from a unicode string`,
        );
      }
      if (this.duplicate !== null) {
        throw new MalformedInput(
          `${this.what} names the key ${CZ.bytes.pyRepr(this.duplicate)} twice in one object; I-JSON ` +
            "(RFC 7493) forbids duplicate keys, since parsers disagree on which value counts",
        );
      }
      return value;
    }

    space() {
      const t = this.text;
      while (this.at < t.length) {
        const c = t[this.at];
        if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") break;
        this.at++;
      }
    }

    value() {
      const c = this.text[this.at];
      if (c === undefined) this.failEnd();
      if (c === "{" || c === "[") return this.container(c);
      if (c === '"') return this.string();
      if (Object.hasOwn(LITERALS, c)) return this.literal(...LITERALS[c]);
      if (isDigit(c) || c === "-" || c === "+" || c === ".") return this.number();
      this.fail("unexpected character, expected a JSON value", this.at);
    }

    literal(word, meaning) {
      const rest = this.text.slice(this.at, this.at + word.length);
      if (rest === word) {
        this.at += word.length;
        return meaning;
      }
      // A text that stops partway through the word is cut short, not wrong.
      if (this.at + rest.length === this.text.length && word.startsWith(rest)) this.failEnd();
      this.fail(`invalid literal, expected '${word}'`, this.at);
    }

    number() {
      const t = this.text;
      const start = this.at;
      if (t[this.at] === "-") this.at++;
      if (!isDigit(t[this.at])) this.failAt("no digit after sign", this.at);
      if (t[this.at] === "0" && isDigit(t[this.at + 1])) this.fail("number with leading zero is not allowed", this.at);
      this.digits();
      let float = false;
      if (t[this.at] === ".") {
        float = true;
        this.at++;
        if (!isDigit(t[this.at])) this.failAt("no digit after decimal point", this.at);
        this.digits();
      }
      if (t[this.at] === "e" || t[this.at] === "E") {
        float = true;
        this.at++;
        if (t[this.at] === "+" || t[this.at] === "-") this.at++;
        if (!isDigit(t[this.at])) this.failAt("no digit after exponent sign", this.at);
        this.digits();
      }
      const written = t.slice(start, this.at);
      const value = Number(written);
      if (!float) {
        if (Number.isSafeInteger(value)) return value || 0; // "-0" is the integer 0
        const big = BigInt(written);
        // orjson reads integers into 64 bits (u64, or i64 when negative), beyond into a float.
        if (big <= 0xffffffffffffffffn && big >= -0x8000000000000000n) return big;
      }
      if (!Number.isFinite(value)) this.fail("number is infinity when parsed as double", start);
      return new JsonFloat(value);
    }

    digits() {
      while (isDigit(this.text[this.at])) this.at++;
    }

    string() {
      const t = this.text;
      let out = "";
      let from = ++this.at; // after the opening quote
      for (;;) {
        if (this.at >= t.length) this.failEnd();
        const c = t.charCodeAt(this.at);
        if (c === 0x22) break;
        if (c < 0x20) this.fail("unexpected control character in string", this.at);
        if (c !== 0x5c) {
          this.at++;
          continue;
        }
        out += t.slice(from, this.at) + this.escape();
        from = this.at;
      }
      out += t.slice(from, this.at);
      this.at++; // the closing quote
      return out;
    }

    // Read the escape at the backslash at this.at; return the text it stands for.
    escape() {
      const t = this.text;
      const backslash = this.at;
      const kind = t[backslash + 1];
      if (kind === undefined) this.failEnd();
      if (Object.hasOwn(SIMPLE_ESCAPES, kind)) {
        this.at += 2;
        return SIMPLE_ESCAPES[kind];
      }
      if (kind !== "u") this.fail("invalid escaped sequence in string", backslash);
      const code = this.hex4(backslash + 2, backslash);
      this.at = backslash + 6;
      if (code >= 0xdc00 && code <= 0xdfff) this.fail("invalid high surrogate in string", backslash);
      if (code < 0xd800 || code > 0xdbff) return String.fromCharCode(code);
      // A high surrogate: the low one must follow as its own \u escape.
      const rest = t.slice(this.at, this.at + 6);
      if (this.at + rest.length === t.length && rest.length < 6 && LOW_SURROGATE_PREFIX.test(rest)) this.failEnd();
      if (!rest.startsWith("\\u")) this.fail("no low surrogate in string", backslash);
      if (!HEX4.test(rest.slice(2))) this.fail("invalid escape in string", backslash);
      const low = parseInt(rest.slice(2), 16);
      if (low < 0xdc00 || low > 0xdfff) this.fail("invalid low surrogate in string", backslash);
      this.at += 6;
      return String.fromCharCode(code, low);
    }

    // The value of the four hex digits at *at*, for the escape at *backslash*.
    hex4(at, backslash) {
      const digits = this.text.slice(at, at + 4);
      if (HEX4.test(digits)) return parseInt(digits, 16);
      if (at + digits.length === this.text.length && /^[0-9a-fA-F]*$/.test(digits)) this.failEnd();
      this.fail("invalid escaped sequence in string", backslash);
    }

    container(open) {
      const close = open === "[" ? "]" : "}";
      this.at++;
      if (++this.depth > MAX_NESTING) this.fail("depth limit exceeded", this.at);
      if (this.depth > MAX_NESTING_WITH_DUPLICATE_CHECK && this.tooDeep === null) {
        this.tooDeep = open === "[" ? "array" : "object";
      }
      const value = open === "[" ? [] : {};
      let duplicate = null;
      this.space();
      if (this.text[this.at] === close) {
        this.at++;
        this.depth--;
        return value;
      }
      for (;;) {
        if (open === "[") {
          value.push(this.value());
        } else {
          const key = this.key();
          if (duplicate === null && Object.hasOwn(value, key)) duplicate = key;
          if (key === "__proto__") {
            // A plain member, as in Python, not the object's prototype.
            Object.defineProperty(value, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
          } else {
            value[key] = this.value();
          }
        }
        this.space();
        const c = this.text[this.at];
        if (c === close) break;
        if (c !== ",") this.failAt(`unexpected character, expected ',' or '${close}'`, this.at);
        const comma = this.at++;
        this.space();
        if (this.text[this.at] === close) this.fail("trailing comma is not allowed", comma);
      }
      this.at++;
      this.depth--;
      // Python checks for repeated keys object by object as each closes, inner first.
      if (this.refuseDuplicates && duplicate !== null && this.duplicate === null) this.duplicate = duplicate;
      return value;
    }

    key() {
      if (this.text[this.at] !== '"') this.failAt("unexpected character, expected a string key", this.at);
      const key = this.string();
      this.space();
      if (this.text[this.at] !== ":") this.failAt("unexpected character, expected ':' after key", this.at);
      this.at++;
      this.space();
      return key;
    }
  }

  /**
   * Return the JSON value in *text* (a string or UTF-8 bytes), or throw
   * MalformedInput naming *what* with orjson's reason. With *refuseDuplicates*,
   * an object may not name a key twice (I-JSON, RFC 7493 section 2.3);
   * without, the last value of a repeated key counts, as in orjson.
   */
  function readJson(text, what, refuseDuplicates) {
    if (text instanceof Uint8Array) {
      try {
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(text);
      } catch {
        throw new MalformedInput(
          `${what} is not valid JSON: str is not valid UTF-8: surrogates not allowed: line 1 column 1 (char 0)`,
        );
      }
    } else if (typeof text !== "string") {
      throw new MalformedInput(`${what} must be JSON text`);
    }
    return new Reader(text, what, refuseDuplicates).document();
  }

  CZ.canonical = Object.assign(CZ.canonical || {}, { JsonFloat, readJson });
})((globalThis.CZ = globalThis.CZ || {}));
