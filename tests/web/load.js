// Loads every part of the browser verifier (api/web/js/*.js, in name order)
// into this Node process's global CZ, as the page does with one script.
// Usage in a test: `const CZ = require("./load.js");`
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const dir = path.join(__dirname, "..", "..", "api", "web", "js");
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) {
  vm.runInThisContext(fs.readFileSync(path.join(dir, name), "utf8"), { filename: name });
}
module.exports = globalThis.CZ;
