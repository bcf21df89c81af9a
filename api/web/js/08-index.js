// The verifiable index, verify side: its hashes, presence and absence proofs, and the
// checkpoint line that commits to its root.
//
// Mirrors cunzheng.ledger.index.hashes (key_path, leaf_hash, node_hash,
// short_key), cunzheng.ledger.index.proofs (parse_proof, verify_presence,
// verify_absence, parse_index_root_line) and checkpoint_index_root of
// cunzheng.ledger.index.entries. The format is in the module docstring of
// cunzheng.ledger.index.smt; in short:
//
//   path      = SHA-256(UTF-8 key), 256 bits, bit i = 0 means "left" at depth i
//   leaf hash = SHA-256(0x10 || path || SHA-256(value))
//   node hash = SHA-256(0x11 || left || right)
//   EMPTY     = 32 zero bytes (an empty subtree, and the root of the empty map)
//
// A proof follows the key's path down to the first depth d whose subtree holds
// at most one leaf, carrying the d siblings met on the way (the EMPTY ones
// only as bits of empty_bitmap), and ends at the key's own leaf (presence), at
// EMPTY, or at another key's leaf (absence: its path and value hash in
// "other"). Index values are the RFC 8785 canonical JSON of documents; the
// caller passes their bytes.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof } = CZ.errors;
  const B = CZ.bytes;

  const HASH_SIZE = 32;
  const PATH_BITS = 256;
  const EMPTY = new Uint8Array(HASH_SIZE);
  const INDEX_LINE_NAME = "cunzheng-index";
  const LEAF_PREFIX = Uint8Array.of(0x10);
  const NODE_PREFIX = Uint8Array.of(0x11);
  const PROOF_MEMBERS = ["depth", "empty_bitmap", "key", "other", "siblings"];
  const OTHER_MEMBERS = ["path", "value_hash"];
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  /** Return *key* cut to a readable length for messages (counting code points, as Python). */
  function shortKey(key) {
    const chars = Array.from(key);
    return chars.length <= 18 ? key : chars.slice(0, 10).join("") + "…";
  }

  /** Return the 256-bit path of index *key*: SHA-256 of its UTF-8 bytes. */
  function keyPath(key) {
    if (typeof key !== "string") throw new TypeError(`an index key is a str, not ${typeof key}`);
    if (!key) throw new MalformedInput("an index key may not be empty");
    if (LONE_SURROGATE.test(key)) {
      throw new MalformedInput(`index key ${shortKey(key)} contains a lone surrogate`);
    }
    return CZ.sha256(B.utf8(key));
  }

  /** Return the index leaf hash SHA-256(0x10 || path || valueHash). */
  function leafHash(path, valueHash) {
    return CZ.sha256(B.concat(LEAF_PREFIX, path, valueHash));
  }

  /** Return the index node hash SHA-256(0x11 || left || right). */
  function nodeHash(left, right) {
    return CZ.sha256(B.concat(NODE_PREFIX, left, right));
  }

  /** Return bit *i* of *bits* (most significant bit of byte 0 first). */
  function bit(bits, i) {
    return (bits[i >> 3] >> (7 - (i & 7))) & 1;
  }

  /** Return how many leading bits two 32-byte paths share. */
  function sharedBits(a, b) {
    let n = 0;
    while (n < PATH_BITS && bit(a, n) === bit(b, n)) n += 1;
    return n;
  }

  function plural(n) {
    return n === 1 ? "" : "s";
  }

  // --- Parsing the JSON form ------------------------------------------------------------

  function checkMembers(obj, members, what) {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new MalformedInput(`${what} must be a JSON object`);
    }
    const keys = Object.keys(obj);
    const missing = members.filter((m) => !keys.includes(m)).sort();
    if (missing.length) throw new MalformedInput(`${what} lacks member ${CZ.bodies.pyRepr(missing[0])}`);
    const unknown = keys.filter((k) => !members.includes(k)).sort();
    if (unknown.length) {
      throw new MalformedInput(`${what} has unknown member ${CZ.bodies.pyRepr(unknown[0])}`);
    }
  }

  /**
   * Return the index proof in the JSON value *obj*, or throw MalformedInput saying what
   * is wrong. An absent "other" reads as null, as a bundle's IndexProofJson defaults it
   * (schemas/bundles.py) before the Python parses the proof.
   */
  function parseProof(obj) {
    if (typeof obj === "object" && obj !== null && !Array.isArray(obj) && !("other" in obj)) {
      obj = { ...obj, other: null };
    }
    checkMembers(obj, PROOF_MEMBERS, "an index proof");
    const key = obj.key;
    if (typeof key !== "string") throw new MalformedInput("an index proof's key must be a string");
    keyPath(key);
    const what = `index proof for ${shortKey(key)}`;
    const depth = obj.depth;
    if (!Number.isInteger(depth) || depth < 0 || depth > PATH_BITS) {
      throw new MalformedInput(`${what}: depth must be an integer from 0 to ${PATH_BITS}`);
    }
    if (!Array.isArray(obj.siblings)) {
      throw new MalformedInput(`${what}: siblings must be an array of base64 hashes`);
    }
    const siblings = obj.siblings.map((s, i) => B.b64decode(s, `${what}: sibling ${i}`, HASH_SIZE));
    const emptyBitmap = B.b64decode(obj.empty_bitmap, `${what}: empty_bitmap`);
    let other = null;
    if (obj.other !== null) {
      checkMembers(obj.other, OTHER_MEMBERS, `${what}: other`);
      other = [
        B.b64decode(obj.other.path, `${what}: other path`, HASH_SIZE),
        B.b64decode(obj.other.value_hash, `${what}: other value_hash`, HASH_SIZE),
      ];
    }
    const proof = { key, depth, siblings, emptyBitmap, other };
    const problem = shapeProblem(proof);
    if (problem !== null) throw new MalformedInput(`${what}: ${problem}`);
    return proof;
  }

  /** Return what makes *proof* inconsistent in itself, or null. */
  function shapeProblem(proof) {
    const { depth, emptyBitmap: bitmap, siblings } = proof;
    const size = (depth + 7) >> 3;
    if (bitmap.length !== size) {
      return `empty_bitmap must be ${size} byte${plural(size)} for depth ${depth}`;
    }
    let empties = 0;
    for (let i = 0; i < 8 * size; i++) {
      if (bit(bitmap, i)) {
        if (i >= depth) return "empty_bitmap has bits set beyond the proof's depth";
        empties += 1;
      }
    }
    const expected = depth - empties;
    if (siblings.length !== expected) {
      return `${siblings.length} siblings, but depth and empty_bitmap call for ${expected}`;
    }
    for (let i = 0; i < siblings.length; i++) {
      if (B.equal(siblings[i], EMPTY)) {
        return `sibling ${i} is the empty hash written out; empty_bitmap must mark it instead`;
      }
    }
    return null;
  }

  // --- Checking ---------------------------------------------------------------------------

  /** Return [key's path, the proof's siblings with EMPTY filled in], or throw InvalidProof. */
  function check(root, key, proof, what) {
    if (proof.key !== key) {
      throw new InvalidProof(`${what}: the proof is for another key, ${shortKey(String(proof.key))}`);
    }
    if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) {
      throw new InvalidProof(`${what}: the root is not a ${HASH_SIZE}-byte hash`);
    }
    const path = keyPath(key);
    const problem = shapeProblem(proof);
    if (problem !== null) throw new InvalidProof(`${what}: ${problem}`);
    let next = 0;
    const levels = [];
    for (let i = 0; i < proof.depth; i++) {
      levels.push(bit(proof.emptyBitmap, i) ? EMPTY : proof.siblings[next++]);
    }
    if (levels.length && levels[levels.length - 1] === EMPTY) {
      // The parent would hold at most one leaf, so the proof should have stopped there.
      throw new InvalidProof(
        `${what}: the deepest sibling is empty, so the path ends one level higher;` +
          " the proof is not in canonical form",
      );
    }
    return [path, levels];
  }

  /** Return the root reached from *start* at depth levels.length on *path*. */
  function fold(start, path, levels) {
    let h = start;
    for (let i = levels.length - 1; i >= 0; i--) {
      h = bit(path, i) ? nodeHash(levels[i], h) : nodeHash(h, levels[i]);
    }
    return h;
  }

  /** Return if *proof* shows that the index with *root* maps *key* to *value* (bytes), else throw InvalidProof. */
  function verifyPresence(root, key, value, proof) {
    const what = `index proof for ${shortKey(key)}`;
    const [path, levels] = check(root, key, proof, what);
    if (proof.other !== null) {
      throw new InvalidProof(`${what}: the proof ends at another key's leaf, so it shows absence`);
    }
    const start = leafHash(path, CZ.sha256(value));
    if (!B.equal(fold(start, path, levels), root)) {
      throw new InvalidProof(`${what}: root mismatch (the value, the proof or the root is wrong)`);
    }
  }

  /** Return if *proof* shows that the index with *root* holds no value for *key*, else throw InvalidProof. */
  function verifyAbsence(root, key, proof) {
    const what = `index proof of absence for ${shortKey(key)}`;
    const [path, levels] = check(root, key, proof, what);
    let start = EMPTY;
    if (proof.other !== null) {
      const [otherPath, valueHash] = proof.other;
      if (B.equal(otherPath, path)) {
        throw new InvalidProof(`${what}: the proof ends at the key's own leaf, so it shows presence`);
      }
      const shared = sharedBits(path, otherPath);
      if (shared < proof.depth) {
        throw new InvalidProof(
          `${what}: the other leaf's path shares ${shared} leading bits with the key's,` +
            ` fewer than the proof's depth ${proof.depth}, so it is not on the key's path`,
        );
      }
      start = leafHash(otherPath, valueHash);
    }
    if (!B.equal(fold(start, path, levels), root)) {
      throw new InvalidProof(`${what}: root mismatch (the key may be present, or the proof is wrong)`);
    }
  }

  // --- The checkpoint line ---------------------------------------------------------------

  /** Return the index root in checkpoint extension *line*, or null if it is not an index line. */
  function parseIndexRootLine(line) {
    const space = line.indexOf(" ");
    const name = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? "" : line.slice(space + 1);
    if (name !== INDEX_LINE_NAME) return null;
    if (!rest.startsWith("sha256:")) {
      throw new MalformedInput(
        `checkpoint line ${shortKey(line)} is not '${INDEX_LINE_NAME} sha256:<base64 root>'`,
      );
    }
    return B.b64decode(rest.slice(7), "the index root in the checkpoint", HASH_SIZE);
  }

  /** Return the index root a checkpoint ({size, extensions}) commits to, or null if it has no index line. */
  function checkpointIndexRoot(checkpoint) {
    const roots = checkpoint.extensions.map(parseIndexRootLine).filter((r) => r !== null);
    if (roots.length > 1) {
      throw new MalformedInput(
        `the checkpoint of size ${checkpoint.size} has ${roots.length} index lines`,
      );
    }
    return roots.length ? roots[0] : null;
  }

  CZ.index = {
    EMPTY,
    HASH_SIZE,
    PATH_BITS,
    INDEX_LINE_NAME,
    shortKey,
    keyPath,
    leafHash,
    nodeHash,
    parseProof,
    verifyPresence,
    verifyAbsence,
    parseIndexRootLine,
    checkpointIndexRoot,
  };
})((globalThis.CZ = globalThis.CZ || {}));
