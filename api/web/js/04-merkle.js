// RFC 9162 Merkle tree math for verifying: leaf and node hashes, roots,
// inclusion and consistency proofs.
//
// Mirrors the verifying half of ledger/merkle.py (leaf_hash, node_hash,
// verify_inclusion, verify_consistency, root_from_leaf_hashes, EMPTY_ROOT,
// HASH_SIZE) with its messages. A leaf hashes as SHA-256(0x00 || leaf), an
// interior node as SHA-256(0x01 || left || right), and the tree over n > 1
// leaves splits at the largest power of two smaller than n; the empty tree's
// root is SHA-256 of nothing.
//
// Indexes and sizes may be JavaScript numbers or BigInts: the bit arithmetic
// is done on BigInts, because logs outgrow the 32 bits that JavaScript's
// bitwise operators work on.
"use strict";
(function (CZ) {
  const { InvalidProof, MalformedInput } = CZ.errors;
  const { concat, equal, hex } = CZ.bytes;

  const HASH_SIZE = 32;
  const EMPTY_ROOT = CZ.sha256(new Uint8Array(0));
  const LEAF_PREFIX = new Uint8Array([0]);
  const NODE_PREFIX = new Uint8Array([1]);

  /** Return the RFC 9162 hash of a leaf: SHA-256(0x00 || leaf). */
  function leafHash(leaf) {
    return CZ.sha256(concat(LEAF_PREFIX, leaf));
  }

  /** Return the RFC 9162 hash of an interior node: SHA-256(0x01 || left || right). */
  function nodeHash(left, right) {
    return CZ.sha256(concat(NODE_PREFIX, left, right));
  }

  /** Return the RFC 9162 root of a tree whose leaf hashes are *hashes* (EMPTY_ROOT for none). */
  function rootFromLeafHashes(hashes) {
    // The frontier: one complete subtree per set bit of the number of leaves
    // so far, largest first. Appending a leaf completes the nodes above it on
    // the right edge; the root is the right fold of the frontier.
    const frontier = [];
    let size = 0;
    for (const h of hashes) {
      checkLength(h, "leaf hash");
      let node = h;
      for (let index = size; index % 2 === 1; index = Math.floor(index / 2)) {
        node = nodeHash(frontier.pop(), node);
      }
      frontier.push(node);
      size += 1;
    }
    if (frontier.length === 0) return EMPTY_ROOT;
    let root = frontier[frontier.length - 1];
    for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i], root);
    return root;
  }

  /**
   * Return nothing if *proof* puts *leafHash* at *index* in the tree of *size*
   * with *root*; throw InvalidProof otherwise.
   */
  function verifyInclusion(index, size, leafHash, proof, root) {
    const what = `leaf ${index} is not in tree ${size}`;
    const i = integer(index, "index");
    const n = integer(size, "size");
    if (!(0n <= i && i < n)) {
      throw new InvalidProof(`${what}: the index must be at least 0 and less than the size`);
    }
    checkHash(leafHash, what, "leaf hash");
    checkHash(root, what, "root");
    checkProof(proof, inclusionLength(i, n), what, `index ${index} in tree ${size}`);
    let fn = i;
    let sn = n - 1n;
    let r = leafHash;
    for (const p of proof) {
      if (fn & 1n || fn === sn) {
        r = nodeHash(p, r);
        while (!(fn & 1n) && fn) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n || !equal(r, root)) throw new InvalidProof(`${what}: root mismatch`);
  }

  /**
   * Return nothing if *proof* shows that the tree of *size2* (*root2*) extends
   * the tree of *size1* (*root1*); throw InvalidProof otherwise.
   */
  function verifyConsistency(size1, size2, proof, root1, root2) {
    const what = `tree ${size2} does not extend tree ${size1}`;
    const oldSize = integer(size1, "old size");
    const newSize = integer(size2, "new size");
    if (!(0n <= oldSize && oldSize <= newSize)) {
      throw new InvalidProof(`${what}: sizes must satisfy 0 <= old_size <= new_size`);
    }
    checkHash(root1, what, "old root");
    checkHash(root2, what, "new root");
    if (oldSize === 0n) {
      checkProof(proof, 0, what, "an empty old tree");
      // RFC 9162 section 2.1.1: the empty tree has exactly one root, SHA-256 of nothing.
      if (!equal(root1, EMPTY_ROOT) || (newSize === 0n && !equal(root2, EMPTY_ROOT))) {
        throw new InvalidProof(`${what}: a tree of size 0 has root ${hex(EMPTY_ROOT)}`);
      }
      return;
    }
    if (oldSize === newSize) {
      checkProof(proof, 0, what, "trees of equal size");
      if (!equal(root1, root2)) throw new InvalidProof(`${what}: equal sizes but different roots`);
      return;
    }
    checkProof(proof, consistencyLength(oldSize, newSize), what, `tree ${size1} to tree ${size2}`);
    if (!consistencyRootsMatch(oldSize, newSize, root1, root2, proof)) {
      throw new InvalidProof(`${what}: root mismatch`);
    }
  }

  // RFC 9162 section 2.1.4.2: fold the proof into both roots at once.
  function consistencyRootsMatch(oldSize, newSize, oldRoot, newRoot, proof) {
    const path = [...proof];
    // An old tree that is a complete subtree is its own first node, omitted from the proof.
    if ((oldSize & (oldSize - 1n)) === 0n) path.unshift(oldRoot);
    let fn = oldSize - 1n;
    let sn = newSize - 1n;
    while (fn & 1n) {
      fn >>= 1n;
      sn >>= 1n;
    }
    let fr = path[0];
    let sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0n) return false;
      if (fn & 1n || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while (!(fn & 1n) && fn) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && equal(fr, oldRoot) && equal(sr, newRoot);
  }

  // How many hashes the inclusion proof of *index* in tree *size* has: one per
  // level below where the paths to *index* and to the last leaf part, and one
  // per set bit of *index* above it.
  function inclusionLength(index, size) {
    const inner = bitLength(index ^ (size - 1n));
    return inner + bitCount(index >> BigInt(inner));
  }

  // How many hashes the consistency proof from *oldSize* to *newSize* has (0 < old < new).
  function consistencyLength(oldSize, newSize) {
    const shift = bitLength(oldSize & -oldSize) - 1;
    const start = oldSize === 1n << BigInt(shift) ? 0 : 1;
    return start + inclusionLength(oldSize - 1n, newSize) - shift;
  }

  function bitLength(x) {
    return x === 0n ? 0 : x.toString(2).length;
  }

  function bitCount(x) {
    return x.toString(2).split("1").length - 1;
  }

  function integer(value, name) {
    if (typeof value === "bigint") return value;
    if (Number.isSafeInteger(value)) return BigInt(value);
    throw new MalformedInput(`${name} ${value} is not an integer`);
  }

  function checkLength(h, name) {
    if (h.length !== HASH_SIZE) throw new MalformedInput(`${name} has ${h.length} bytes, expected ${HASH_SIZE}`);
  }

  function checkHash(h, what, name) {
    if (h.length !== HASH_SIZE) {
      throw new InvalidProof(`${what}: ${name} has ${h.length} bytes, expected ${HASH_SIZE}`);
    }
  }

  function checkProof(proof, expected, what, where) {
    if (proof.length !== expected) {
      throw new InvalidProof(`${what}: proof has ${proof.length} hashes, expected ${expected} for ${where}`);
    }
    proof.forEach((h, i) => {
      if (h.length !== HASH_SIZE) {
        throw new InvalidProof(`${what}: proof hash ${i} has ${h.length} bytes, expected ${HASH_SIZE}`);
      }
    });
  }

  CZ.merkle = {
    HASH_SIZE,
    EMPTY_ROOT,
    leafHash,
    nodeHash,
    rootFromLeafHashes,
    verifyInclusion,
    verifyConsistency,
  };
})((globalThis.CZ = globalThis.CZ || {}));
