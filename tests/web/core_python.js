// Runs a Python snippet with the project's interpreter and returns what it
// prints as JSON, so the core tests compare the browser verifier's parts with
// the values the Python modules (the specification) produce.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const venvPython = path.join(__dirname, "..", "..", ".venv", "bin", "python");
const python = fs.existsSync(venvPython) ? venvPython : "python3";

/** Run *code* (which must print one JSON document) and return the parsed document. */
function py(code) {
  const out = execFileSync(python, ["-c", code], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

module.exports = { py, python };
