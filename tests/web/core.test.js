// Tests of the browser verifier's byte, SHA-256 and JSON parts
// (api/web/js/01-bytes.js, 02-sha256.js, 03-canonical-0-parse.js,
// 03-canonical.js) against the Python they mirror: schemas/encoding.py,
// hashlib, and ledger/canonical.py with orjson's messages
// (tests/web/core_json_cases.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const crypto = require("node:crypto");
const CZ = require("./load.js");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { py, python } = require("./core_python.js");

const { MalformedInput } = CZ.errors;
const { b64encode, b64decode, hex, fromHex, utf8, text, concat, equal } = CZ.bytes;

test("base64 accepts and refuses exactly what schemas.encoding does, with its messages", () => {
  const samples = [
    "", "QQ", "QQ==", "QR==", "Q===", "QQ=", "QUI=", "QUJ=", "QUJD", "QQ==QQ==", " QQ==", "QQ==\n",
    "Q", "=", "==", "QQ=a", "é", "QUJD====", "QUJD=", "QUI==", "QUI=QUI=", "QU I=", "QUJD\r\n", "-_8=",
    "AAAA", "AAA=", "AA==", "A===", "QUJDRA==", "QUJDRA=", "QUJDRA", "QUJDRB==", "QUJDREU=", "QUJDREV=",
  ];
  // A few hundred random spellings over an alphabet rich in padding.
  const alphabet = "AQRa/+=";
  for (let i = 0; i < 400; i++) {
    let s = "";
    for (let n = 0; n < 1 + (i % 9); n++) s += alphabet[(i * 7 + n * 13 + ((i * n) >> 2)) % alphabet.length];
    samples.push(s);
  }
  const expected = py(`
import json
from cunzheng.schemas.encoding import decode_base64
out = []
for s in json.loads(${JSON.stringify(JSON.stringify(samples))}):
    try:
        out.append(["ok", decode_base64(s).hex()])
    except ValueError as e:
        out.append(["error", str(e)])
print(json.dumps(out))`);
  samples.forEach((s, i) => {
    let got;
    try {
      got = ["ok", hex(b64decode(s))];
    } catch (e) {
      assert.ok(e instanceof MalformedInput, `${s}: ${e}`);
      got = ["error", e.message];
    }
    assert.deepStrictEqual(got, expected[i], `base64 ${JSON.stringify(s)}`);
  });
});

test("base64 round-trips every length and checks size and type", () => {
  for (let n = 0; n < 70; n++) {
    const raw = crypto.randomBytes(n);
    const spelled = b64encode(new Uint8Array(raw));
    assert.strictEqual(spelled, raw.toString("base64"));
    assert.deepStrictEqual(b64decode(spelled, "key"), new Uint8Array(raw));
  }
  assert.throws(() => b64decode("QQ==", "root", 32), { message: "root is 1 bytes, not 32 bytes" });
  assert.throws(() => b64decode(5, "root"), { message: "root must be a base64 string" });
});

test("hex, UTF-8, concat and equal", () => {
  assert.strictEqual(hex(new Uint8Array([0, 15, 16, 255])), "000f10ff");
  assert.deepStrictEqual(fromHex("000F10ff"), new Uint8Array([0, 15, 16, 255]));
  assert.throws(() => fromHex("abc"), MalformedInput);
  assert.throws(() => fromHex("zz"), MalformedInput);
  assert.strictEqual(text(utf8("é€😀")), "é€😀");
  assert.throws(() => text(new Uint8Array([0xc3])), MalformedInput);
  assert.throws(() => text(new Uint8Array([0xed, 0xa0, 0x80])), MalformedInput);
  assert.deepStrictEqual(concat(new Uint8Array([1]), new Uint8Array(), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
  assert.ok(equal(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
  assert.ok(!equal(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
  assert.ok(!equal(new Uint8Array([1]), new Uint8Array([1, 0])));
});

test("SHA-256 matches the FIPS 180-4 examples and hashlib at every boundary", () => {
  assert.strictEqual(hex(CZ.sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.strictEqual(
    hex(CZ.sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  const data = new Uint8Array(crypto.randomBytes(300));
  for (let n = 0; n <= 300; n++) {
    const want = crypto.createHash("sha256").update(data.subarray(0, n)).digest("hex");
    assert.strictEqual(hex(CZ.sha256(data.subarray(0, n))), want, `length ${n}`);
  }
});

test("SHA-256 gives the same digest however the message is cut into updates", () => {
  const data = new Uint8Array(crypto.randomBytes(5000));
  const want = crypto.createHash("sha256").update(data).digest("hex");
  for (const step of [1, 3, 63, 64, 65, 127, 1000, 4999]) {
    const h = new CZ.Sha256();
    for (let at = 0; at < data.length; at += step) h.update(data.subarray(at, at + step));
    assert.strictEqual(hex(h.digest()), want, `step ${step}`);
  }
  const unaligned = new Uint8Array(data.buffer, 3, 4000);
  assert.strictEqual(hex(CZ.sha256(unaligned)), crypto.createHash("sha256").update(unaligned).digest("hex"));
  const h = new CZ.Sha256();
  h.digest();
  assert.throws(() => h.update(data));
});

test("canonical JSON writes what ledger/canonical.py writes", () => {
  const values = [
    { b: 1, a: [true, false, null, "x"], c: { z: "é\u2028\n\t\u0001\"\\/\u007f😀", "": -3 } },
    [9007199254740991, -9007199254740991, 0, "", []],
    { "10": 1, "9": 2, A: 3, _: 4, a: 5 },
    "plain",
    42,
  ];
  const expected = py(`
import json
from cunzheng.ledger.canonical import canonical_json
print(json.dumps([canonical_json(v).decode() for v in json.loads(${JSON.stringify(JSON.stringify(values))})]))`);
  values.forEach((v, i) => assert.strictEqual(CZ.canonical.json(v), expected[i]));
  assert.deepStrictEqual(CZ.canonical.bytes({ a: "é" }), utf8('{"a":"é"}'));
});

test("canonical JSON refuses what ledger/canonical.py refuses", () => {
  let deep = "x";
  for (let i = 0; i < 17; i++) deep = [deep];
  const refused = [
    [1.5, "numbers in statements must be integers, not floating point"],
    [new CZ.canonical.JsonFloat(1), "numbers in statements must be integers, not floating point"],
    [2 ** 53, "integer 9007199254740992 is outside I-JSON's exact range (±2^53-1)"],
    [-(2n ** 60n), "integer -1152921504606846976 is outside I-JSON's exact range (±2^53-1)"],
    [{ "é": 1 }, "object key 'é' must be an ASCII string"],
    [deep, "JSON nests deeper than 16 levels"],
    [undefined, "value of type undefined cannot be written as JSON"],
    ["\ud800", "string holds a lone UTF-16 surrogate"],
  ];
  for (const [value, message] of refused) {
    assert.throws(() => CZ.canonical.json(value), (e) => e instanceof MalformedInput && e.message === message);
  }
});

test("parse and parseCanonical read, or refuse, as ledger/canonical.py does, word for word", () => {
  const cases = JSON.parse(
    execFileSync(python, [path.join(__dirname, "core_json_cases.py")], { encoding: "utf8", maxBuffer: 256 << 20 }),
  );
  assert.ok(cases.length > 1000);
  const verdict = (read) => {
    try {
      return { ok: tagged(read()) };
    } catch (e) {
      assert.ok(e instanceof MalformedInput, String(e));
      return { error: e.message };
    }
  };
  for (const c of cases) {
    const text = b64decode(c.text);
    const shown = JSON.stringify(Buffer.from(text).toString("latin1")).slice(0, 120);
    assert.deepStrictEqual(verdict(() => CZ.canonical.parse(text, "bundle")), c.loads, `parse ${shown}`);
    assert.deepStrictEqual(verdict(() => CZ.canonical.parseCanonical(text, "leaf")), c.canonical, `canonical ${shown}`);
  }
});

// A parsed value as tests/web/core_json_cases.py tags the Python's: floats and
// integers beyond 2^53 marked.
function tagged(value) {
  if (value instanceof CZ.canonical.JsonFloat) return { $float: value.value };
  if (typeof value === "bigint") return { $int: String(value) };
  if (Array.isArray(value)) return value.map(tagged);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagged(v)]));
  }
  return value;
}

test("parse keeps big integers and floats apart from safe integers", () => {
  assert.strictEqual(CZ.canonical.parse("9007199254740991"), 9007199254740991);
  assert.strictEqual(CZ.canonical.parse("9007199254740992"), 9007199254740992n);
  assert.ok(CZ.canonical.parse("1.0") instanceof CZ.canonical.JsonFloat);
  assert.throws(() => CZ.canonical.parse(new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x5d])), MalformedInput);
  assert.throws(() => CZ.canonical.parse(new Uint8Array([0x22, 0xff, 0x22])), MalformedInput);
  assert.throws(() => CZ.canonical.parse("[".repeat(1025) + "]".repeat(1025)), MalformedInput);
  // Beyond the standard library's recursion limit, where the Python's duplicate-key pass gives up.
  assert.throws(() => CZ.canonical.parse("[".repeat(1000) + "]".repeat(1000), "bundle"), {
    message: "bundle is not valid JSON: maximum recursion depth exceeded while decoding a JSON array from a unicode string",
  });
  assert.throws(() => CZ.canonical.parseCanonical("[".repeat(1000) + "]".repeat(1000)), {
    message: "JSON nests deeper than 16 levels",
  });
});

test("parseCanonical accepts only a value's own canonical text", () => {
  assert.deepStrictEqual(CZ.canonical.parseCanonical(utf8('{"a":1,"b":"é"}')), { a: 1, b: "é" });
  for (const t of ['{"b":1,"a":2}', '{"a": 1}', '"\\u00e9"', "1.0", '{"a":"\\/"}']) {
    assert.throws(() => CZ.canonical.parseCanonical(utf8(t), "leaf"), MalformedInput, t);
  }
});
