// C2SP tlog-checkpoint: a signed note naming a log, its tree size and its root hash.
//
// Mirrors ledger/note/checkpoint.py (the reading half: parse_tree_size,
// Checkpoint, open_checkpoint). The note text is
// `<origin>\n<size>\n<base64 root>\n` followed by optional extension lines
// (https://c2sp.org/tlog-checkpoint). Parsing is strict, so that
// Checkpoint.parse(body).body() === body: a decimal size below 2^64 without
// leading zeros and a root hash in canonical base64.
//
// A tree size is a JavaScript number when it is at most 2^53-1 and a BigInt
// above, as CZ.canonical.parse gives integers; CZ.merkle takes either.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof, InvalidSignature } = CZ.errors;
  const B = CZ.bytes;
  const { CONTROL, isUtf8, shorten, keyLabel, describeKeys, readNote } = CZ.note;

  const MAX_TREE_SIZE = (1n << 64n) - 1n;
  const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;

  function checkLine(what, value) {
    if (typeof value !== "string" || value === "") throw new MalformedInput(`${what} must be a non-empty string`);
    if (CONTROL.test(value) || !isUtf8(value)) {
      throw new MalformedInput(`${what} ${shorten(value)} contains a newline, a control character or a lone surrogate`);
    }
  }

  // A number when exact, else a BigInt.
  function sizeValue(big) {
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** Return the tree size written in *text*: decimal, no sign or leading zeros, below 2^64. */
  function parseTreeSize(text, what = "checkpoint tree size (line 2)") {
    if (!DECIMAL.test(text)) {
      throw new MalformedInput(`${what} ${shorten(text)} is not a decimal number without sign or leading zeros`);
    }
    const size = BigInt(text);
    if (size > MAX_TREE_SIZE) throw new MalformedInput(`${what} ${text} is over 2**64-1`);
    return sizeValue(size);
  }

  /** A log's signed claim of its tree size and root hash (C2SP tlog-checkpoint). */
  class Checkpoint {
    constructor(origin, size, root, extensions = []) {
      checkLine("checkpoint origin", origin);
      if (!(typeof size === "bigint" || Number.isInteger(size))) {
        throw new MalformedInput("checkpoint tree size must be an integer");
      }
      if (!(0n <= BigInt(size) && BigInt(size) <= MAX_TREE_SIZE)) {
        throw new MalformedInput(`checkpoint tree size ${size} is not within 0..2**64-1`);
      }
      if (!(root instanceof Uint8Array) || root.length !== 32) {
        throw new MalformedInput("checkpoint root hash must be 32 bytes");
      }
      if (!Array.isArray(extensions)) throw new MalformedInput("checkpoint extensions must be a tuple of lines");
      extensions.forEach((line, i) => checkLine(`checkpoint extension line ${i + 4}`, line));
      this.origin = origin;
      this.size = sizeValue(BigInt(size));
      this.root = Uint8Array.from(root);
      this.extensions = Object.freeze([...extensions]);
      Object.freeze(this);
    }

    /** Return the checkpoint's note text: origin, size, base64 root, extension lines. */
    body() {
      const head = `${this.origin}\n${this.size}\n${B.b64encode(this.root)}\n`;
      return head + this.extensions.map((line) => line + "\n").join("");
    }

    /** Return the checkpoint whose note text is *body*. */
    static parse(body) {
      if (!body.endsWith("\n")) throw new MalformedInput("checkpoint text must end with a newline");
      const lines = body.slice(0, -1).split("\n");
      if (lines.length < 3) {
        throw new MalformedInput(
          `checkpoint text has ${lines.length} line(s); it needs an origin, a tree size and a root hash`,
        );
      }
      const [origin, size, root, ...extensions] = lines;
      if (origin === "") throw new MalformedInput("checkpoint origin (line 1) is empty");
      extensions.forEach((line, i) => {
        if (line === "") {
          throw new MalformedInput(`checkpoint line ${i + 4} is empty; extension lines may not be`);
        }
      });
      const treeSize = parseTreeSize(size);
      const rootHash = B.b64decode(root, `checkpoint root hash (line 3) ${shorten(root)}`, 32);
      return new Checkpoint(origin, treeSize, rootHash, extensions);
    }
  }

  /**
   * Resolve to {checkpoint, note}: the checkpoint in *note* and the note, if
   * *verifier* signed it. Signatures by other keys (witness cosignatures, say)
   * are kept in the note's `unverified`. The log's key name need not equal the
   * origin line; pass *origin* to pin the log the checkpoint must be from. A
   * note or checkpoint text that does not parse rejects with MalformedInput, a
   * missing or failing signature by *verifier* with InvalidSignature, another
   * origin than *origin* with InvalidProof.
   */
  async function openCheckpoint(note, verifier, origin = null) {
    const opened = await readNote(note, [verifier]);
    if (opened.signatures.length === 0) {
      throw new InvalidSignature(
        `checkpoint is not signed by ${keyLabel(verifier.name, verifier.keyId)}; ` +
          `it is signed by ${describeKeys(opened.unverified)}`,
      );
    }
    const checkpoint = Checkpoint.parse(opened.text);
    if (origin !== null && origin !== undefined && checkpoint.origin !== origin) {
      throw new InvalidProof(`checkpoint is from log ${shorten(checkpoint.origin)}, not the expected ${shorten(origin)}`);
    }
    return { checkpoint, note: opened };
  }

  Object.assign(CZ.note, { MAX_TREE_SIZE, parseTreeSize, Checkpoint, openCheckpoint });
})((globalThis.CZ = globalThis.CZ || {}));
