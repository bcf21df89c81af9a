// The browser verifier's report and its parts, against the Python they mirror.
//
// CZ.report.renderText must write every corpus bundle's report as
// ledger/verify/report.render_text does (without a narrative), in English and
// Chinese and both, from the texts of ledger/verify/report_texts.TEXTS (each
// check's technical detail as the CLI gave it); the shown
// content of a disclosed record must escape as presented.shown_content does;
// times must be written as ledger.clock.format_time writes them; and a
// receipt or bundle that is not one must be refused, never thrown.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");
const { py, python } = require("./core_python.js");

CZ.TEXTS = py("import json; from cunzheng.ledger.verify.report_texts import TEXTS; print(json.dumps(TEXTS))");

// The reports Python renders for each bundle of a corpus in *outdir*, given what the CLI was given.
const RENDER = `
import hashlib, json, sys
from pathlib import Path
from cunzheng.cli.verifying import witness_policy
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import render_text, verify_bundle
out, shown = Path(sys.argv[1]), {}
for case in json.loads((out / "cases.json").read_text()):
    if case["kind"] != "bundle":
        continue
    home, o = out / case["name"], case["options"]
    w = o["witnesses"]
    report = verify_bundle(
        (home / "bundle.json").read_bytes(),
        log_key=Verifier.from_string(o["log_key"]) if o["log_key"] else None,
        files={n: hashlib.sha256((home / n).read_bytes()).digest() for n in o["files"]},
        disclosures=[(n, (home / n).read_bytes()) for n in o["disclosures"]],
        tsa_roots=load_certificates([(home / n).read_bytes() for n in o["tsa_roots"]]),
        witnesses=witness_policy(w["keys"], w["threshold"]) if w else None,
    )
    shown[case["name"]] = {lang: render_text(report, lang=lang) for lang in ("en", "zh", "zh-en")}
print(json.dumps(shown))
`;

const repo = path.join(__dirname, "..", "..");
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cz-report-"));
execFileSync(python, [path.join(__dirname, "corpus.py"), outdir], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
const cases = JSON.parse(fs.readFileSync(path.join(outdir, "cases.json"), "utf8"));
const rendered = JSON.parse(execFileSync(python, ["-c", RENDER, outdir], { cwd: repo, encoding: "utf8", maxBuffer: 64 << 20 }));
test.after(() => fs.rmSync(outdir, { recursive: true, force: true }));

const read = (dir, name) => new Uint8Array(fs.readFileSync(path.join(outdir, dir, name)));
const sha256 = (bytes) => new Uint8Array(crypto.createHash("sha256").update(bytes).digest());

for (const c of cases.filter((x) => x.kind === "bundle")) {
  test(`report ${c.name}: written as render_text writes it, in en, zh and both`, async () => {
    const o = c.options;
    const report = await CZ.verifyBundle(read(c.name, "bundle.json"), {
      logKey: o.log_key,
      files: Object.fromEntries(o.files.map((name) => [name, sha256(read(c.name, name))])),
      disclosures: o.disclosures.map((name) => [name, read(c.name, name)]),
      tsaRoots: o.tsa_roots.map((name) => read(c.name, name)),
      witnesses: o.witnesses,
    });
    // The lower parts word a parse error in their own way; the rendering is what is held here.
    c.expected.checks.forEach((x, n) => (report.checks[n].detail = x.detail));
    for (const lang of ["en", "zh", "zh-en"]) assert.strictEqual(CZ.report.renderText(report, lang), rendered[c.name][lang]);
  });
}

test("a missing fact reads as not known, and identity in words", () => {
  assert.strictEqual(CZ.report.text("report.checkpoint", "en", { size: null, root: "?" }), "Checkpoint: (not known) entries, root hash (not known)");
  const vouched = CZ.report.text("finding.timestamp", "en", { verified: true, verified_by: "Exchange", verified_at: 3 });
  assert.match(vouched, /identity verified by Exchange at entry 3/);
  assert.match(CZ.report.text("finding.timestamp", "zh", { verified: false }), new RegExp(CZ.TEXTS.zh["identity.unverified"]));
  assert.strictEqual(CZ.report.text("no.such.code", "zh"), "no.such.code");
  const times = ["2026-11-25T20:00:00.123450Z", "2026-12-31T16:00:00Z", "2026-11-25T08:00:00.000000Z", "not a time"];
  const python = py(`import json; from cunzheng.ledger.verify.narrative_time import dual_time
print(json.dumps([[dual_time(t, lang) for lang in ("en", "zh")] for t in ${JSON.stringify(times)}]))`);
  assert.deepStrictEqual(times.map((t) => ["en", "zh"].map((lang) => CZ.report.dualTime(t, lang))), python);
});

test("times are written as format_time writes them", () => {
  const moments = [0, 1764057600123456, -1000001, Number.MAX_SAFE_INTEGER];
  const python = py(`import json; from datetime import datetime, timedelta, UTC
from cunzheng.ledger.clock import format_time
print(json.dumps([format_time(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=m)) for m in ${JSON.stringify(moments)}]))`);
  assert.deepStrictEqual(moments.map((m) => CZ.verify.formatTime(BigInt(m))), python);
});

test("a disclosed record's content is shown escaped as shown_content shows it", () => {
  const records = ["plain", 'q"\\\n\t\r', "\u202e bidi \u2028", "\u0085c1 \u00ff", "张三 😀", "x".repeat(250)]
    .map((s) => Array.from(Buffer.from(s, "utf8")))
    .concat([[0xff, 0x41, 0xe2, 0x82, 0x41, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98]]);
  const python = py(`import json; from cunzheng.ledger.verify.presented import shown_content
print(json.dumps([shown_content(bytes(r)) for r in ${JSON.stringify(records)}]))`);
  assert.deepStrictEqual(records.map((r) => CZ.presented.shownContent(Uint8Array.from(r))), python);
});

test("what is not a bundle is reported malformed, never thrown", async () => {
  for (const data of ["", "null", "[]", '{"format": 1}', new Uint8Array([0xff]), '{"log": {}, "checkpoint": "", "entries": []}']) {
    const report = await CZ.verifyBundle(data, { logKey: null });
    assert.strictEqual(report.ok, false);
    assert.deepStrictEqual(report.checks.map((c) => c.reason), ["bundle.malformed"]);
    assert.match(CZ.report.renderText(report, "en"), /NOT VERIFIED/);
  }
});

test("a bundle's fields are read as the Pydantic model reads them", async () => {
  const genuine = JSON.parse(fs.readFileSync(path.join(outdir, "claim_history_genuine", "bundle.json"), "utf8"));
  const edits = [
    (o) => (o.entries[0].index = `${o.entries[0].index}.0`),
    (o) => (o.entries[0].index = false),
    (o) => (o.entries[0].index = ` +${o.entries[0].index} `),
    (o) => (o.entries[1].index = `${o.entries[1].index}`.replace(/(\d)(\d)$/, "$1_$2")),
    (o) => (o.entries[0].index = "1e1"),
    (o) => (o.entries[0].timed_by = 0),
    (o) => (o.entries[0].role = "Evidence"),
    (o) => (o.log.origin = 7),
    (o) => (o.claim.question.at = "2026-02-30T00:00:00.000000Z"),
    (o) => (o.claim.question.kind = "holder"),
    (o) => (o.claim.entries = [-1]),
    (o) => (o.index[0].proof.depth = 257),
    (o) => (o.index[0].value = []),
    (o) => (o.timestamps = [{ token: "" }]),
    (o) => (o.earlier_checkpoints = [{ checkpoint: o.checkpoint, consistency_proof: ["AAAA"] }]),
    (o) => (o.cosignatures = [{ witness: "w", signature: "AA==", extra: 1 }]),
    (o) => delete o.claim,
    (o) => (o.format = "cunzheng.bundle/v2"),
  ];
  const texts = edits.map((change) => {
    const obj = structuredClone(genuine);
    change(obj);
    return JSON.stringify(obj);
  });
  const file = path.join(outdir, "edited.json");
  fs.writeFileSync(file, JSON.stringify(texts));
  const python = py(`import json; from cunzheng.ledger.verify import verify_bundle
texts = json.load(open(${JSON.stringify(file)}))
print(json.dumps([sorted({c.reason for c in verify_bundle(t.encode(), log_key=None).failed()}) for t in texts]))`);
  const seen = [];
  for (const t of texts) {
    const report = await CZ.verifyBundle(t, { logKey: null });
    seen.push([...new Set(report.checks.filter((c) => c.required && c.outcome !== "passed").map((c) => c.reason))].sort());
  }
  assert.deepStrictEqual(seen, python);
});

// A bundle, then the log's current checkpoint as it grew (and forged ones), and what verify_bundle says of each.
const CURRENT = `
import base64, hashlib, json, sys, tempfile
from pathlib import Path
from nacl.signing import SigningKey
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import bundle_json, verify_bundle
from cunzheng.schemas.bundles import BundleRequest
from tests.conftest import evidence, registration
with tempfile.TemporaryDirectory() as home:
    store, signer, holder = Store.open(f"sqlite:///{home}/log.db"), Signer.generate("test.example/log"), SigningKey.generate()
    log = Log(store, signer, batch_size=8, batch_wait=0.001).start()
    log.add(registration(holder)).result()
    index = log.add(evidence(holder, 1)).result().index
    data = bundle_json(build_bundle(log, BundleRequest(indexes=[index])))
    size = int(json.loads(data)["checkpoint"].split("\\n")[1])
    for n in range(2, 6):
        log.add(evidence(holder, n)).result()
    note = log.checkpoint()
    now = int(note.split("\\n")[1])
    forged = lambda s: sign_checkpoint(Checkpoint(signer.name, s, hashlib.sha256(b"other").digest()), signer)
    stranger = Signer.generate(signer.name)
    currents = [
        (note, log.consistency_proof(size, now)),
        (forged(size), []),
        (forged(now), log.consistency_proof(size, now)),
        (forged(size - 1), []),
        (sign_checkpoint(Checkpoint(signer.name, now, hashlib.sha256(b"").digest()), stranger), []),
        ("not a checkpoint", []),
    ]
    log.stop()
    store.close()
key = signer.verifier()
print(json.dumps({
    "bundle": data.decode(),
    "key": key.to_string(),
    "currents": [[n, [base64.b64encode(h).decode() for h in p]] for n, p in currents],
    "reasons": [[c.reason for c in verify_bundle(data, log_key=key, current=c).checks if c.check == "current_checkpoint"] for c in currents],
}))
`;

test("the log's current checkpoint must extend the bundle's, as verify_bundle says", async () => {
  const world = JSON.parse(execFileSync(python, ["-c", CURRENT], { cwd: repo, encoding: "utf8" }));
  const seen = [];
  for (const [note, proof] of world.currents) {
    const current = [note, proof.map((h) => CZ.bytes.b64decode(h))];
    const report = await CZ.verifyBundle(world.bundle, { logKey: world.key, current });
    seen.push(report.checks.filter((c) => c.check === "current_checkpoint").map((c) => c.reason));
  }
  assert.deepStrictEqual(seen, world.reasons);
  assert.deepStrictEqual(new Set(seen.flat()).size, 5, JSON.stringify(seen));
});

test("a receipt is read as the Pydantic model reads it, and refused with the reason", async () => {
  const genuine = cases.find((c) => c.name === "receipt_genuine");
  const receipt = JSON.parse(fs.readFileSync(path.join(outdir, genuine.paths.receipt), "utf8"));
  const edits = [
    (o) => (o.index = `${o.index}`),
    (o) => (o.tree_size = o.tree_size + 0.0),
    (o) => (o.tree_size = 0),
    (o) => (o.extra = 1),
    (o) => (o.statement = []),
    (o) => (o.timestamps = [""]),
    (o) => delete o.checkpoint,
    (o) => (o.format = "cunzheng.receipt/v2"),
  ];
  const texts = ["{}", "[]"].concat(
    edits.map((change) => {
      const obj = structuredClone(receipt);
      change(obj);
      return JSON.stringify(obj);
    }),
  );
  const file = path.join(outdir, "receipts.json");
  fs.writeFileSync(file, JSON.stringify(texts));
  const content = read(genuine.name, genuine.options.files[0]);
  const python = py(`import hashlib, json
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.verify import verify_receipt
def ok(text):
    try:
        verify_receipt(text.encode(), log_key=Verifier.from_string(${JSON.stringify(genuine.options.log_key)}),
                       content_sha256=bytes.fromhex("${Buffer.from(sha256(content)).toString("hex")}"))
    except LedgerError:
        return False
    return True
print(json.dumps([ok(t) for t in json.load(open(${JSON.stringify(file)}))]))`);
  const options = { logKey: genuine.options.log_key, contentSha256: sha256(content), fileName: "x" };
  const seen = [];
  for (const text of texts) {
    const outcome = await CZ.verifyReceipt(text, options);
    assert.strictEqual(outcome.format, "cunzheng.receipt-report/v1");
    if (!outcome.ok) assert.ok(outcome.reason, "a refusal says why");
    seen.push(outcome.ok);
  }
  assert.deepStrictEqual(seen, python);
  assert.ok(python.includes(true) && python.includes(false));
});

/** A document just large enough for CZ.report.render: elements that hold children and text. */
function fakeDocument() {
  const doc = {
    createElement: (tag) => ({
      tag,
      className: "",
      textContent: "",
      dataset: {},
      children: [],
      ownerDocument: doc,
      append(...nodes) {
        this.children.push(...nodes);
      },
    }),
  };
  return doc;
}

function textOf(node) {
  if (typeof node === "string") return node;
  return node.textContent + node.children.map(textOf).join("");
}

test("render puts the report's sections into a page element", async () => {
  const c = cases.find((x) => x.name === "timed_genuine");
  const report = await CZ.verifyBundle(read(c.name, "bundle.json"), {
    logKey: c.options.log_key,
    tsaRoots: c.options.tsa_roots.map((name) => read(c.name, name)),
    witnesses: c.options.witnesses,
  });
  const parent = fakeDocument().createElement("div");
  CZ.report.render(parent, report, "zh");
  const shown = textOf(parent);
  const s = CZ.report.sections(report, "zh");
  for (const line of [s.title, s.verdict, ...s.log, ...s.findings.lines, ...s.limits.lines]) {
    assert.ok(shown.includes(line.trim()), line);
  }
  const rows = parent.children.find((n) => n.className === "report-checks").children;
  assert.deepStrictEqual(rows.map((r) => r.dataset.outcome), report.checks.map((x) => x.outcome));
});
