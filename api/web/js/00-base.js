// The browser verifier's namespace and the errors every part of it throws.
//
// Each file under api/web/js adds one part to the global CZ object, in the
// order of the files' names, and does no I/O: the page (ui files) reads the
// files a judge drops and calls CZ.verifyBundle / CZ.verifyReceipt. Each part
// mirrors one Python module of ledger/ (named in its header comment) and
// keeps its reason codes, so that the page and `cunzheng verify` agree; the
// differential test (tests/web/test_differential.py) holds them to it.
"use strict";
(function (CZ) {
  class LedgerError extends Error {
    constructor(message) {
      super(message);
      this.name = this.constructor.name;
    }
  }
  class MalformedInput extends LedgerError {}
  class InvalidProof extends LedgerError {}
  class InvalidSignature extends LedgerError {}
  class RuleViolation extends LedgerError {
    constructor(reasonCode, detail) {
      super(`${reasonCode}: ${detail}`);
      this.reasonCode = reasonCode;
      this.detail = detail;
    }
  }
  CZ.errors = { LedgerError, MalformedInput, InvalidProof, InvalidSignature, RuleViolation };
})((globalThis.CZ = globalThis.CZ || {}));
