// CZ.der and CZ.tsa against cunzheng.ledger.tsa: every token tests/web/tsa_vectors.py
// makes (the project's TSA with ECDSA and RSA keys, OpenSSL's TSA with RSA and ECDSA
// keys, one defect at a time, certificate paths of several profiles, single-bit
// changes of tokens and of a trust root) is accepted by CZ.tsa.verifyToken exactly when
// verify_token accepts it, with the same TokenInfo, or refused with the same error
// class (and, for the named cases, the same message); readToken likewise.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const B = CZ.bytes;
const der = CZ.der;
const { MalformedInput } = CZ.errors;
const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const { cases } = JSON.parse(
  execFileSync(python, [path.join(__dirname, "tsa_vectors.py")], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  }),
);
const named = cases.filter((c) => !c.name.startsWith("flip-"));
const flipped = cases.filter((c) => c.name.startsWith("flip-"));

/** Return *info* in the form tsa_vectors.py writes a TokenInfo. */
function infoJson(info) {
  return {
    genTime: der.formatTime(info.genTime),
    accuracyMicros: info.accuracy === null ? null : Number(info.accuracy),
    latest: der.formatTime(info.latest),
    serial: String(info.serial),
    policy: info.policy,
    hashName: info.hashName,
    imprint: B.hex(info.imprint),
    nonce: info.nonce === null ? null : String(info.nonce),
    tsaSubject: info.tsaSubject,
    tsaCertificate: info.tsaCertificate === null ? null : B.b64encode(info.tsaCertificate),
  };
}

async function outcome(call) {
  try {
    return { info: infoJson(await call()) };
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.name, message: e.message };
  }
}

function verifyCase(c) {
  return outcome(() =>
    CZ.tsa.verifyToken(B.b64decode(c.token), {
      digest: B.fromHex(c.digest),
      trustRoots: c.roots.map((r) => B.b64decode(r)),
      certificates: c.certificates.map((r) => B.b64decode(r)),
      nonce: c.nonce === null ? null : BigInt(c.nonce),
    }));
}

// Chain errors quote cryptography's or OpenSSL's own words in parentheses, and a token
// rfc3161-client cannot parse is reported in its words: those differ, the rest is the same.
function comparable(result, python) {
  if (!result.error) return result;
  if ((python.message || "").startsWith("rfc3161-client cannot parse the token:")) return { error: result.error };
  return { error: result.error, message: result.message.replace(/ \(.*\);/, " (…);") };
}

test("the cases cover accepted and refused tokens from both TSAs", () => {
  const ok = named.filter((c) => c.expected.info).map((c) => c.name);
  const openssl = named.some((c) => c.name.startsWith("openssl-")) ? ["openssl-ecdsa-ess-sha256"] : [];
  for (const name of ["ecdsa-p256", "ecdsa-p384", "rsa-pkcs1", "intermediate-given", ...openssl]) {
    assert.ok(ok.includes(name), name);
  }
  const refusedBy = (name) => named.find((c) => c.name === name).expected.error;
  assert.strictEqual(refusedBy("signed-short-utctime"), "InvalidSignature");
  assert.strictEqual(refusedBy("digest-parameters"), "MalformedInput");
  assert.ok(named.some((c) => c.name === "expired-certificate" && c.expected.error));
  assert.ok(flipped.length > 500);
  assert.ok(flipped.some((c) => c.name.startsWith("flip-root-") && c.expected.error === "InvalidSignature"));
});

test("named tokens: same verdict, TokenInfo and message as verify_token", async () => {
  for (const c of named) {
    const python = c.expected;
    assert.deepStrictEqual(comparable(await verifyCase(c), python), comparable(python, python), c.name);
  }
});

test("named tokens: readToken says what read_token says", async () => {
  for (const c of named) {
    const got = await outcome(() => CZ.tsa.readToken(B.b64decode(c.token)));
    assert.deepStrictEqual(got.info || got.error, c.read.info || c.read.error, c.name);
  }
});

// Where verify_token crashes (a trust root OpenSSL cannot read), the page must still refuse.
test("every single-bit change of a token or root is refused as verify_token refuses it", async () => {
  const differ = [];
  for (const c of flipped) {
    const got = await verifyCase(c);
    const python = c.expected.crash ? "a refusal" : c.expected.error || "accepts";
    if (c.expected.crash ? !got.error : got.error !== c.expected.error) {
      differ.push(`${c.name}: JS ${got.error || "accepts"} (${got.message}), Python ${python}`);
    }
  }
  assert.deepStrictEqual(differ, []);
});

test("every truncation of a token is MalformedInput, to readToken and verifyToken", async () => {
  const c = named.find((x) => x.name === "rsa-pkcs1");
  const token = B.b64decode(c.token);
  const options = { digest: B.fromHex(c.digest), trustRoots: c.roots.map((r) => B.b64decode(r)) };
  for (let size = 0; size < token.length; size += 7) {
    const part = token.subarray(0, size);
    assert.throws(() => CZ.tsa.readToken(part), MalformedInput, `readToken, ${size} bytes`);
    await assert.rejects(CZ.tsa.verifyToken(part, options), MalformedInput, `verifyToken, ${size} bytes`);
  }
});

test("der.read accepts only DER", () => {
  const bad = {
    "indefinite length": [0x30, 0x80, 0x00, 0x00],
    "long form for a short length": [0x04, 0x81, 0x01, 0xaa],
    "length with a leading zero octet": [0x04, 0x82, 0x00, 0x80, ...new Array(128).fill(0)],
    "trailing bytes": [0x05, 0x00, 0x00],
    "runs past the end": [0x04, 0x05, 0x01],
    "tag numbers above 30": [0x1f, 0x22, 0x00],
  };
  for (const [why, bytes] of Object.entries(bad)) {
    assert.throws(() => der.read(Uint8Array.from(bytes), "test value"), MalformedInput, why);
  }
  const node = der.read(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa]), "x");
  const [n, o] = der.children(node, "x");
  assert.strictEqual(der.integer(n, "x"), 5n);
  assert.deepStrictEqual(Array.from(der.octets(o, "x")), [0xaa]);
});

test("der integers, booleans and OIDs", () => {
  const read = (bytes) => der.read(Uint8Array.from(bytes), "x");
  assert.strictEqual(der.integer(read([0x02, 0x02, 0x00, 0x80]), "x"), 128n);
  assert.strictEqual(der.integer(read([0x02, 0x01, 0xff]), "x"), -1n);
  assert.strictEqual(der.integer(read([0x02, 0x02, 0xff, 0x7f]), "x"), -129n);
  assert.throws(() => der.integer(read([0x02, 0x02, 0x00, 0x7f]), "x"), MalformedInput);
  assert.throws(() => der.integer(read([0x02, 0x02, 0xff, 0x80]), "x"), MalformedInput);
  assert.throws(() => der.integer(read([0x02, 0x00]), "x"), MalformedInput);
  assert.strictEqual(der.boolean(read([0x01, 0x01, 0xff]), "x"), true);
  assert.throws(() => der.boolean(read([0x01, 0x01, 0x01]), "x"), MalformedInput);
  const oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
  assert.strictEqual(der.oid(read(oid), "x"), "1.2.840.113549.1.7.2");
  assert.strictEqual(der.oid(read([0x06, 0x03, 0x88, 0x37, 0x03]), "x"), "2.999.3");
  assert.throws(() => der.oid(read([0x06, 0x02, 0x80, 0x01]), "x"), MalformedInput);
  assert.throws(() => der.oid(read([0x06, 0x01, 0x81]), "x"), MalformedInput);
  assert.deepStrictEqual(der.bitString(read([0x03, 0x02, 0x05, 0xa0]), "x").unused, 5);
  assert.throws(() => der.bitString(read([0x03, 0x02, 0x05, 0xa1]), "x"), MalformedInput);
});

test("der times in their DER forms, to microseconds", () => {
  const time = (tag, text) => der.time(der.read(Uint8Array.from([tag, text.length, ...B.utf8(text)]), "x"), "x");
  const iso = (tag, text) => der.formatTime(time(tag, text));
  assert.strictEqual(iso(0x18, "20261125080000.123456Z"), "2026-11-25T08:00:00.123456Z");
  assert.strictEqual(iso(0x18, "20261125080000.5Z"), "2026-11-25T08:00:00.500000Z");
  assert.strictEqual(iso(0x18, "99991231235959Z"), "9999-12-31T23:59:59.000000Z");
  assert.strictEqual(iso(0x17, "491231235959Z"), "2049-12-31T23:59:59.000000Z");
  assert.strictEqual(iso(0x17, "500101000000Z"), "1950-01-01T00:00:00.000000Z");
  assert.strictEqual(iso(0x17, "240229120000Z"), "2024-02-29T12:00:00.000000Z");
  assert.strictEqual(time(0x18, "19700101000001Z"), 1000000n);
  for (const [tag, text] of [
    [0x18, "20261125080000.120Z"], [0x18, "20261125080000.Z"], [0x18, "20261125080000"],
    [0x18, "202611250800Z"], [0x17, "2611250800Z"], [0x18, "20250229000000Z"],
    [0x18, "20261325080000Z"], [0x18, "20261125240000Z"], [0x18, "20261125080000+0100"],
  ]) {
    assert.throws(() => time(tag, text), MalformedInput, text);
  }
});

test("readToken reads a token's claims; damaged bytes are MalformedInput", () => {
  const c = named.find((x) => x.name === "ecdsa-p256");
  const info = CZ.tsa.readToken(B.b64decode(c.token));
  assert.deepStrictEqual(infoJson(info), c.expected.info);
  for (const bytes of ["", "MAA=", "bm90IGEgdG9rZW4=", "MIAAAA=="]) {
    assert.throws(() => CZ.tsa.readToken(B.b64decode(bytes)), MalformedInput);
  }
});

test("trust roots may be PEM text; junk is not a certificate", async () => {
  const c = named.find((x) => x.name === "ecdsa-p256");
  const body = c.roots[0].match(/.{1,64}/g).join("\n");
  const pem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  const token = B.b64decode(c.token);
  const options = { digest: B.fromHex(c.digest), nonce: BigInt(c.nonce) };
  const info = await CZ.tsa.verifyToken(token, { ...options, trustRoots: [pem] });
  assert.deepStrictEqual(infoJson(info), c.expected.info);
  await assert.rejects(
    CZ.tsa.verifyToken(token, { ...options, trustRoots: [B.utf8("junk")] }),
    (e) => e instanceof MalformedInput && /not an X\.509 certificate/.test(e.message),
  );
});
