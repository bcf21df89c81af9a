// CZ.registry.matches against Python's re.fullmatch: the formats log.settings gives
// certificate and registration numbers are Python regular expressions, and the page
// must accept exactly the numbers the log accepts (ledger/registry/policy.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const PATTERNS = [
  CZ.registry.CNIPA_CERTIFICATE,
  CZ.registry.CNIPA_REGISTRATION_NUMBER,
  CZ.registry.UNCHECKED,
  "\\d+",
  "[\\d]{3}",
  "\\D+",
  "\\w+",
  "[\\w-]+",
  "\\W",
  "\\s*x\\s*",
  "\\S+",
  "a$",
  "a$\\n",
  "a.c",
  "\\Aab\\Z",
  "(?P<year>\\d{4})-(?P=year)",
  "[]a]+",
  "[^]a]+",
  "[A-Z]{2,3}-\\d{1,4}",
  "京|沪[0-9]+",
  "(?s:a.c)x.",
];
const VALUES = [
  "20260100310000001",
  "1999123100310000001",
  "91310000MA1FL000",
  "91310000MA1FL00a",
  "",
  "123",
  "١٢٣",
  "１２３",
  "abc",
  "a\nc",
  "a\rc",
  "a\u2028c",
  "a",
  "a\n",
  "ab",
  "数据_1",
  "-",
  " x ",
  "\u3000x\u00a0",
  "\ufeffx",
  "2026-2026",
  "2026-2027",
  "]a]",
  "bcd",
  "AB-12",
  "ABCD-1",
  "沪123",
  "京",
  "a\ncx\n",
  "a\ncxy",
];

const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const expected = JSON.parse(
  execFileSync(
    python,
    ["-c", "import json, re, sys; p, v = json.load(sys.stdin); print(json.dumps([[re.fullmatch(a, b) is not None for b in v] for a in p]))"],
    { input: JSON.stringify([PATTERNS, VALUES]), encoding: "utf8" },
  ),
);

test("each format matches in full the values Python's re.fullmatch matches", () => {
  PATTERNS.forEach((pattern, i) => {
    const got = VALUES.map((value) => CZ.registry.matches(pattern, value));
    assert.deepStrictEqual(got, expected[i], `pattern ${pattern}`);
  });
});

test("a policy that names no system accepts any, with numbers unchecked", () => {
  const anything = CZ.replay.REPLAY_POLICY.system("any-system");
  assert.strictEqual(anything.name, "any-system");
  assert.ok(CZ.registry.matches(anything.certificate, "whatever\nit is"));
  assert.strictEqual(CZ.registry.DEFAULT_POLICY.system("any-system"), null);
});
