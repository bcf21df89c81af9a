// Bytes and their text spellings: canonical base64, hex, UTF-8.
//
// Mirrors cunzheng.schemas.encoding and cunzheng.ledger.encoding: every base64
// value in a format is padded standard base64 (RFC 4648 section 4) and
// *canonical*, so each value has exactly one accepted spelling
// (docs/decisions/0004-strict-encodings.md). decode() first applies the rules
// of CPython's binascii.a2b_base64(strict_mode=True), then encodes the result
// again and compares, exactly as the Python does, so that both refuse the same
// texts with the same message.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const VALUE_OF = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

  /** Return *u8* as canonical padded base64 text. */
  function b64encode(u8) {
    let out = "";
    let i = 0;
    for (; i + 3 <= u8.length; i += 3) {
      const n = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
      out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    }
    const rest = u8.length - i;
    if (rest === 1) {
      const n = u8[i] << 16;
      out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
    } else if (rest === 2) {
      const n = (u8[i] << 16) | (u8[i + 1] << 8);
      out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
    }
    return out;
  }

  // The bytes CPython's strict base64 decoder returns for *text*, or null where
  // it raises. It stops at the padding that completes a quartet (then nothing
  // may follow), ignores '=' where no quartet is open, and keeps the unused
  // bits of the last character unchecked: the re-encoding in b64decode
  // catches those.
  function strictDecode(text) {
    if (text.length > 0 && text[0] === "=") return null;
    const out = [];
    let quadPos = 0;
    let leftChar = 0;
    let pads = 0;
    let paddingStarted = false;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 61 /* '=' */) {
        paddingStarted = true;
        pads += 1;
        if (quadPos >= 2 && quadPos + pads >= 4) {
          return i + 1 < text.length ? null : Uint8Array.from(out);
        }
        continue;
      }
      const value = code < 128 ? VALUE_OF[code] : -1;
      if (value < 0 || paddingStarted) return null;
      pads = 0;
      if (quadPos === 0) {
        leftChar = value;
      } else if (quadPos === 1) {
        out.push((leftChar << 2) | (value >> 4));
        leftChar = value & 0x0f;
      } else if (quadPos === 2) {
        out.push((leftChar << 4) | (value >> 2));
        leftChar = value & 0x03;
      } else {
        out.push((leftChar << 6) | value);
      }
      quadPos = (quadPos + 1) & 3;
    }
    return quadPos === 0 ? Uint8Array.from(out) : null;
  }

  /**
   * Return the bytes of canonical padded base64 *text*, or throw MalformedInput
   * naming *what*. With *size*, the bytes must also be exactly that long.
   */
  function b64decode(text, what = "value", size = undefined) {
    if (typeof text !== "string") throw new MalformedInput(`${what} must be a base64 string`);
    const raw = strictDecode(text);
    if (raw === null) throw new MalformedInput(`${what} is not valid base64`);
    if (b64encode(raw) !== text) {
      throw new MalformedInput(`${what} is not canonical base64 (padding or unused bits)`);
    }
    if (size !== undefined && raw.length !== size) {
      throw new MalformedInput(`${what} is ${raw.length} bytes, not ${size} bytes`);
    }
    return raw;
  }

  /** Return *u8* as lowercase hex. */
  function hex(u8) {
    let out = "";
    for (let i = 0; i < u8.length; i++) out += (u8[i] < 16 ? "0" : "") + u8[i].toString(16);
    return out;
  }

  /** Return the bytes spelled by the hex text *str* (either case), or throw MalformedInput. */
  function fromHex(str, what = "value") {
    if (typeof str !== "string" || str.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(str)) {
      throw new MalformedInput(`${what} is not hex`);
    }
    const out = new Uint8Array(str.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(str.substr(2 * i, 2), 16);
    return out;
  }

  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /** Return the UTF-8 encoding of *str*. */
  function utf8(str) {
    return encoder.encode(str);
  }

  /** Return *u8* decoded as UTF-8, or throw MalformedInput naming *what* (no replacement characters). */
  function text(u8, what = "text") {
    try {
      return decoder.decode(u8);
    } catch {
      throw new MalformedInput(`${what} is not valid UTF-8`);
    }
  }

  /**
   * Return *str* quoted as Python's repr() quotes a str, for messages that
   * must read as the Python's: single quotes unless the text holds a single
   * quote and no double quote, backslash escapes for control characters, and
   * \xNN, \uNNNN or \UNNNNNNNN for characters Python does not print
   * (Unicode categories C and Z, but the space).
   */
  function pyRepr(str) {
    const quote = str.includes("'") && !str.includes('"') ? '"' : "'";
    const hexOf = (code, width) => code.toString(16).padStart(width, "0");
    let out = quote;
    for (const ch of str) {
      const code = ch.codePointAt(0);
      if (ch === "\\" || ch === quote) out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (code < 0x20 || code === 0x7f) out += "\\x" + hexOf(code, 2);
      else if (code < 0x7f || ch === " " || !/[\p{C}\p{Z}]/u.test(ch)) out += ch;
      else if (code <= 0xff) out += "\\x" + hexOf(code, 2);
      else if (code <= 0xffff) out += "\\u" + hexOf(code, 4);
      else out += "\\U" + hexOf(code, 8);
    }
    return out + quote;
  }

  /** Return the bytes of all arguments, one after another. */
  function concat(...parts) {
    let length = 0;
    for (const part of parts) length += part.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Return whether *a* and *b* hold the same bytes. */
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  CZ.bytes = { b64encode, b64decode, hex, fromHex, utf8, text, pyRepr, concat, equal };
})((globalThis.CZ = globalThis.CZ || {}));
