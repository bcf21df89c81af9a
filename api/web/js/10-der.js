// A small strict DER reader (X.690): tag, length and value, and the few
// universal types time-stamp tokens and certificates use.
//
// It stands in for the parsing asn1crypto and cryptography do for
// ledger/tsa/tokens.py and ledger/tsa/verify.py, but accepts DER only:
// definite, minimal lengths; minimal INTEGERs; BOOLEAN as 00 or FF; times in
// their one DER form. Anything else is a MalformedInput naming what was read.
// Times are BigInt microseconds since 1970-01-01 UTC (exact for any year a
// certificate can name); formatTime writes them as ledger.clock.format_time.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const TAG = {
    BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
    UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, T61_STRING: 0x14, IA5_STRING: 0x16,
    UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, UNIVERSAL_STRING: 0x1c, BMP_STRING: 0x1e,
    SEQUENCE: 0x30, SET: 0x31,
  };
  const MAX_LENGTH_OCTETS = 4;

  function fail(what, why) {
    throw new MalformedInput(`not a DER ${what}: ${why}`);
  }

  // Returns the element starting at data[start] within data[..limit]: its tag
  // (the identifier octet), where its value lies, and its full encoding.
  function readAt(data, start, limit, what) {
    if (start + 2 > limit) fail(what, "truncated element");
    const tag = data[start];
    if ((tag & 0x1f) === 0x1f) fail(what, "tag numbers above 30 do not occur here");
    let length = data[start + 1];
    let header = 2;
    if (length === 0x80) fail(what, "indefinite length");
    if (length > 0x80) {
      const count = length & 0x7f;
      if (count > MAX_LENGTH_OCTETS) fail(what, "length too large");
      if (start + 2 + count > limit) fail(what, "truncated length");
      if (data[start + 2] === 0) fail(what, "length with a leading zero octet");
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + data[start + 2 + i];
      if (length < 0x80) fail(what, "long form for a short length");
      header += count;
    }
    const end = start + header + length;
    if (end > limit) fail(what, "value runs past the end of its container");
    return {
      tag,
      constructed: (tag & 0x20) !== 0,
      start,
      end,
      der: data.subarray(start, end),
      value: data.subarray(start + header, end),
    };
  }

  // Returns the one element that *data* encodes, with nothing after it.
  function read(data, what) {
    const node = readAt(data, 0, data.length, what);
    if (node.end !== data.length) fail(what, "trailing bytes after the value");
    return node;
  }

  // Returns the elements inside the constructed *node*, which must fill it exactly.
  function children(node, what) {
    if (!node.constructed) fail(what, "a primitive value where a constructed one belongs");
    const out = [];
    const data = node.value;
    for (let at = 0; at < data.length; ) {
      const child = readAt(data, at, data.length, what);
      out.push(child);
      at = child.end;
    }
    return out;
  }

  function expect(node, tag, what) {
    if (!node || node.tag !== tag) {
      const found = node ? `0x${node.tag.toString(16)}` : "nothing";
      fail(what, `expected tag 0x${tag.toString(16)}, found ${found}`);
    }
    return node;
  }

  // Returns the elements of the SEQUENCE (or SET, by *tag*) *node*.
  function sequence(node, what, tag = TAG.SEQUENCE) {
    return children(expect(node, tag, what), what);
  }

  function integerBytes(node, what) {
    const v = expect(node, TAG.INTEGER, what).value;
    if (v.length === 0) fail(what, "empty INTEGER");
    if (v.length > 1 && ((v[0] === 0 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) {
      fail(what, "INTEGER not minimally encoded");
    }
    return v;
  }

  // Returns the INTEGER *node* as a BigInt (two's complement).
  function integer(node, what) {
    const v = integerBytes(node, what);
    let n = 0n;
    for (const b of v) n = (n << 8n) | BigInt(b);
    if (v[0] & 0x80) n -= 1n << BigInt(8 * v.length);
    return n;
  }

  function boolean(node, what) {
    const v = expect(node, TAG.BOOLEAN, what).value;
    if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) fail(what, "BOOLEAN not 00 or FF");
    return v[0] === 0xff;
  }

  function octets(node, what) {
    return expect(node, TAG.OCTET_STRING, what).value;
  }

  // Returns the bits of the BIT STRING *node*: its bytes and how many trailing bits are unused.
  function bitString(node, what) {
    const v = expect(node, TAG.BIT_STRING, what).value;
    if (v.length === 0 || v[0] > 7 || (v.length === 1 && v[0] !== 0)) fail(what, "bad BIT STRING");
    const unused = v[0];
    const bytes = v.subarray(1);
    if (unused && bytes[bytes.length - 1] & ((1 << unused) - 1)) fail(what, "unused bits set");
    return { bytes, unused };
  }

  // Returns the bytes of a BIT STRING that must be whole octets (keys, signatures).
  function octetBits(node, what) {
    const { bytes, unused } = bitString(node, what);
    if (unused) fail(what, "a BIT STRING of whole octets expected");
    return bytes;
  }

  // Returns the OBJECT IDENTIFIER *node* in dotted form.
  function oid(node, what) {
    const v = expect(node, TAG.OID, what).value;
    if (v.length === 0 || v[v.length - 1] & 0x80) fail(what, "truncated OBJECT IDENTIFIER");
    const arcs = [];
    let n = 0n;
    let fresh = true;
    for (const b of v) {
      if (fresh && b === 0x80) fail(what, "OBJECT IDENTIFIER arc with a leading zero");
      n = (n << 7n) | BigInt(b & 0x7f);
      fresh = (b & 0x80) === 0;
      if (fresh) {
        arcs.push(n);
        n = 0n;
      }
    }
    const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
    return [first, arcs[0] - 40n * first, ...arcs.slice(1)].join(".");
  }

  // Returns the OBJECT IDENTIFIER *node* in dotted form as asn1crypto reads it: arcs with
  // leading 0x80 octets count, an unfinished last arc is dropped, nothing at all is "".
  // For fields of a time-stamp token that asn1crypto reads where cryptography does not.
  function looseOid(node, what) {
    const arcs = [];
    let n = 0n;
    for (const b of expect(node, TAG.OID, what).value) {
      n = (n << 7n) | BigInt(b & 0x7f);
      if (!(b & 0x80)) {
        arcs.push(n);
        n = 0n;
      }
    }
    if (!arcs.length) return "";
    const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
    return [first, arcs[0] - 40n * first, ...arcs.slice(1)].join(".");
  }

  const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
  const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;

  // Returns a UTCTime or GeneralizedTime *node* as BigInt microseconds since the epoch.
  function time(node, what) {
    const text = latin1(node.value);
    let m;
    let year;
    if (node.tag === TAG.UTC_TIME && (m = UTC_TIME.exec(text))) {
      year = Number(m[1]) + (Number(m[1]) < 50 ? 2000 : 1900);
    } else if (node.tag === TAG.GENERALIZED_TIME && (m = GENERALIZED_TIME.exec(text))) {
      year = Number(m[1]);
    } else {
      fail(what, `not a DER UTCTime or GeneralizedTime: ${JSON.stringify(text)}`);
    }
    const [month, day, hour, minute, second] = m.slice(2, 7).map(Number);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
      fail(what, `no such time: ${JSON.stringify(text)}`);
    }
    const days = daysFromCivil(year, month, day);
    const micros = BigInt(((m[7] || "") + "000000").slice(0, 6));
    const seconds = BigInt(days) * 86400n + BigInt(hour * 3600 + minute * 60 + second);
    return seconds * 1000000n + micros;
  }

  function daysInMonth(year, month) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  }

  // Days from 1970-01-01 to the given date of the proleptic Gregorian calendar.
  function daysFromCivil(y, m, d) {
    y -= m <= 2 ? 1 : 0;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  // Returns *micros* (since the epoch) as RFC 3339 UTC with six fraction digits, as format_time.
  function formatTime(micros) {
    const seconds = micros / 1000000n - (micros % 1000000n < 0n ? 1n : 0n);
    const fraction = micros - seconds * 1000000n;
    const days = seconds / 86400n - (seconds % 86400n < 0n ? 1n : 0n);
    const rest = Number(seconds - days * 86400n);
    const date = new Date(Number(days) * 86400000);
    const pad = (n, w) => String(n).padStart(w, "0");
    const ymd = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
    const hms = `${pad(Math.floor(rest / 3600), 2)}:${pad(Math.floor(rest / 60) % 60, 2)}:${pad(rest % 60, 2)}`;
    return `${ymd}T${hms}.${pad(fraction, 6)}Z`;
  }

  function latin1(bytes) {
    return String.fromCharCode(...bytes);
  }

  // Returns the text of a directory string (the string types names use), or null for other types.
  function string(node, what) {
    const v = node.value;
    try {
      switch (node.tag) {
        case TAG.UTF8_STRING:
          return new TextDecoder("utf-8", { fatal: true }).decode(v);
        case TAG.PRINTABLE_STRING:
        case TAG.IA5_STRING:
        case TAG.T61_STRING:
          return latin1(v);
        case TAG.BMP_STRING:
          return new TextDecoder("utf-16be", { fatal: true }).decode(v);
        case TAG.UNIVERSAL_STRING: {
          if (v.length % 4) throw new Error("odd length");
          const view = new DataView(v.buffer, v.byteOffset, v.length);
          const points = [];
          for (let i = 0; i < v.length; i += 4) points.push(view.getUint32(i));
          return String.fromCodePoint(...points);
        }
        default:
          return null;
      }
    } catch (e) {
      return fail(what, `a string that does not decode (${e.message})`);
    }
  }

  // Checks every element inside *node*, at any depth, against the DER rules of its universal
  // type (INTEGER, BOOLEAN, NULL, BIT STRING, OBJECT IDENTIFIER, times); values under other
  // tags are only split into elements; elements *skip* returns true for are left alone.
  function checkStrict(node, what, skip = () => false) {
    if (skip(node)) return;
    if (node.constructed) {
      for (const child of children(node, what)) checkStrict(child, what, skip);
      return;
    }
    const check = {
      [TAG.INTEGER]: integerBytes, [TAG.BOOLEAN]: boolean, [TAG.BIT_STRING]: bitString,
      [TAG.OID]: oid, [TAG.UTC_TIME]: time, [TAG.GENERALIZED_TIME]: time,
      [TAG.NULL]: (n) => n.value.length && fail(what, "NULL with contents"),
    }[node.tag];
    if (check) check(node, what);
  }

  CZ.der = {
    TAG, read, children, expect, sequence, integer, integerBytes, boolean, octets,
    bitString, octetBits, oid, looseOid, time, formatTime, string, checkStrict,
  };
})((globalThis.CZ = globalThis.CZ || {}));
