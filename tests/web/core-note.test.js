// Tests of the browser verifier's signed-note parts (api/web/js/05-note-*.js)
// against ledger/note: key strings, and notes and checkpoints genuine or with
// one thing changed, each given the Python's verdict and message
// (tests/web/core_note_cases.py), and the Ed25519 signatures that only
// libsodium's strict rules refuse.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");
const { python } = require("./core_python.js");

const B = CZ.bytes;
const cases = JSON.parse(
  execFileSync(python, [path.join(__dirname, "core_note_cases.py")], { encoding: "utf8", maxBuffer: 64 << 20 }),
);

// The Python's outcome shape: {ok: value} or {error: class name, message}.
async function outcome(run) {
  try {
    return { ok: await run() };
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.constructor.name, message: e.message };
  }
}

function sigs(signatures) {
  return signatures.map((s) => [s.name, s.keyId, B.hex(s.signature)]);
}

function openedJson(opened) {
  return { text: opened.text, signatures: sigs(opened.signatures), unverified: sigs(opened.unverified) };
}

function checkpointJson({ checkpoint, note }) {
  return {
    origin: checkpoint.origin,
    size: String(checkpoint.size),
    root: B.hex(checkpoint.root),
    extensions: [...checkpoint.extensions],
    body: checkpoint.body(),
    note: openedJson(note),
  };
}

test("verifier and witness key strings parse as in ledger/note/keys.py", () => {
  for (const c of cases.keys) {
    const sync = (run) => {
      try {
        return { ok: run() };
      } catch (e) {
        assert.ok(e instanceof CZ.errors.LedgerError, String(e));
        return { error: e.constructor.name, message: e.message };
      }
    };
    assert.deepStrictEqual(sync(() => CZ.note.Verifier.fromString(c.text).toString()), c.verifier, c.text);
  }
});

test("notes and checkpoints open, or fail, as in ledger/note", async () => {
  assert.ok(cases.notes.length > 35);
  for (const c of cases.notes) {
    const verifiers = c.verifiers.map((v) => CZ.note.Verifier.fromString(v));
    const data = B.b64decode(c.note);
    const got = await outcome(async () => checkpointJson(await CZ.note.openCheckpoint(data, verifiers[0])));
    assert.deepStrictEqual(got, c.checkpoint, c.name);
    if (c.pinned) {
      const pinned = await outcome(async () =>
        checkpointJson(await CZ.note.openCheckpoint(data, verifiers[0], "other.org")),
      );
      assert.deepStrictEqual(pinned, c.pinned, `${c.name} (pinned origin)`);
    }
    if (c.note_any) {
      const other = CZ.note.Verifier.fromString(cases.other_verifier);
      const any = await outcome(async () => openedJson(await CZ.note.openNote(data, [verifiers[0], other])));
      assert.deepStrictEqual(any, c.note_any, `${c.name} (open_note)`);
    }
  }
});

test("a note given as text opens as the same note given as bytes", async () => {
  const genuine = cases.notes.find((c) => c.name === "genuine");
  const verifier = CZ.note.Verifier.fromString(genuine.verifiers[0]);
  const text = B.text(B.b64decode(genuine.note));
  const { checkpoint } = await CZ.note.openCheckpoint(text, verifier);
  assert.strictEqual(checkpoint.size, 42);
  await assert.rejects(CZ.note.openCheckpoint(text + "\ud800", verifier), {
    message: "malformed note: not valid UTF-8 (a lone surrogate)",
  });
});

test("tree sizes beyond 2^53 are BigInts and the body is written back unchanged", () => {
  const root = B.b64encode(new Uint8Array(32));
  const big = CZ.note.Checkpoint.parse(`log\n18446744073709551615\n${root}\n`);
  assert.strictEqual(big.size, 18446744073709551615n);
  assert.strictEqual(big.body(), `log\n18446744073709551615\n${root}\n`);
  assert.strictEqual(CZ.note.Checkpoint.parse(`log\n9007199254740991\n${root}\n`).size, 9007199254740991);
  assert.throws(() => new CZ.note.Checkpoint("log", -1, new Uint8Array(32)), CZ.errors.MalformedInput);
  assert.throws(() => new CZ.note.Checkpoint("log", 1, new Uint8Array(31)), CZ.errors.MalformedInput);
  assert.throws(() => new CZ.note.Checkpoint("a\nb", 1, new Uint8Array(32)), CZ.errors.MalformedInput);
});

test("WebCrypto alone accepts a small-order key that the strict check refuses", async () => {
  // The identity point as the key, R = identity and S = 0: the cofactorless
  // equation holds, so WebCrypto says yes; libsodium (and the page) say no.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const signature = B.concat(identity, new Uint8Array(32));
  const message = B.utf8("anything");
  const algorithm = { name: "Ed25519" };
  const key = await crypto.subtle.importKey("raw", identity, algorithm, false, ["verify"]);
  assert.strictEqual(await crypto.subtle.verify(algorithm, key, signature, message), true);
  assert.strictEqual(await CZ.note.verifyEd25519(identity, message, signature), false);
  // A key that is not canonical (y >= p) and a signature of the wrong length.
  const nonCanonical = B.fromHex("ee" + "ff".repeat(30) + "7f");
  assert.strictEqual(await CZ.note.verifyEd25519(nonCanonical, message, signature), false);
  assert.strictEqual(await CZ.note.verifyEd25519(identity, message, signature.subarray(1)), false);
});

test("key names, key IDs and messages' quoting follow the Python", () => {
  assert.ok(CZ.note.validKeyName("example.com/log"));
  for (const bad of ["", "a+b", "a b", "a\u3000b", "a\x1fb", "a\ud800"]) assert.ok(!CZ.note.validKeyName(bad), bad);
  assert.strictEqual(CZ.note.keyLabel("n", 0xab), "n+000000ab");
  assert.strictEqual(CZ.note.describeKeys([]), "no key");
  const many = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ name: "k", keyId: n }));
  assert.strictEqual(CZ.note.describeKeys(many), "k+00000001, k+00000002, k+00000003, k+00000004, k+00000005 and 2 more");
});
