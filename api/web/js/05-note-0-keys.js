// Ed25519 keys of C2SP signed notes: key names, key IDs, key strings, and the
// strict signature check.
//
// Mirrors ledger/note/keys.py and ledger/note/_text.py. A signed-note key has
// a name and a signature type byte; its key ID is the first 4 bytes of
// SHA-256(<name> || 0x0A || <type byte> || <public key>), and a verifier key
// string is <name>+<8 hex key ID>+<base64(type byte || public key)>
// (https://c2sp.org/signed-note). Note signatures use type 0x01 (Verifier,
// here); witness cosignatures use 0x04 (CosignatureVerifier, 06-cosignature.js,
// a subclass of Ed25519PublicKey).
//
// Signatures are checked with WebCrypto's Ed25519, which like libsodium (the
// Python's PyNaCl) uses the cofactorless equation and compares R byte for byte.
// libsodium's crypto_sign_verify_detached also refuses, before any curve
// arithmetic, what WebCrypto (OpenSSL, BoringSSL) may accept: S >= L, an R of
// small order, and a public key that is a non-canonical encoding (y >= p) or
// has small order (docs/decisions/0006-one-signature-at-a-time.md). These
// cheap checks are made here first, so the page refuses what PyNaCl refuses.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidSignature } = CZ.errors;
  const B = CZ.bytes;

  const ALG_ED25519 = 0x01;

  // --- Text checks shared by key names, notes and checkpoints (_text.py) ---------

  // Control characters U+0000-U+001F: key names and checkpoint lines hold no newline either.
  const CONTROL = /[\x00-\x1f]/;
  // Go's unicode.IsSpace, which key names may not contain.
  const GO_SPACE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  const HEX8 = /^[0-9A-Fa-f]{8}$/;

  /** Return whether *text* encodes as UTF-8 (it holds no lone surrogate). */
  function isUtf8(text) {
    return text.isWellFormed();
  }

  /** Return *text* quoted for an error message, cut after *limit* characters (code points). */
  function shorten(text, limit = 80) {
    const chars = Array.from(text);
    return B.pyRepr(chars.slice(0, limit).join("")) + (chars.length > limit ? "..." : "");
  }

  // --- Key names, key IDs, labels ---------------------------------------------------

  /** Return whether *name* may name a key: non-empty, no '+', spaces or control characters. */
  function validKeyName(name) {
    return name !== "" && !name.includes("+") && !GO_SPACE.test(name) && !CONTROL.test(name) && isUtf8(name);
  }

  /** Return the key ID (an unsigned 32-bit number) of *publicKey* of signature type *algorithm* under *name*. */
  function keyId(name, algorithm, publicKey) {
    const digest = CZ.sha256(B.concat(B.utf8(name + "\n"), new Uint8Array([algorithm]), publicKey));
    return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
  }

  /** Return `<name>+<8 hex key ID>`, how messages and key strings name a key. */
  function keyLabel(name, id) {
    return `${name}+${id.toString(16).padStart(8, "0")}`;
  }

  // --- Strict Ed25519 -----------------------------------------------------------------

  const P = (1n << 255n) - 19n;
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  // libsodium's list of encodings (sign bit aside) of points of small order:
  // 0 (order 4), 1 (order 1), two points of order 8, p - 1 (order 2), and p
  // and p + 1, the non-canonical spellings of 0 and 1.
  const SMALL_ORDER = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  ].map((h) => B.fromHex(h));

  function littleEndian(u8) {
    let n = 0n;
    for (let i = u8.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(u8[i]);
    return n;
  }

  function withoutSignBit(point) {
    const y = Uint8Array.from(point);
    y[31] &= 0x7f;
    return y;
  }

  function hasSmallOrder(point) {
    const y = withoutSignBit(point);
    return SMALL_ORDER.some((p) => B.equal(p, y));
  }

  /** Resolve to whether 64-byte *signature* is *publicKey*'s Ed25519 signature of *message*, by libsodium's rules. */
  async function verifyEd25519(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    const r = signature.subarray(0, 32);
    if (littleEndian(signature.subarray(32)) >= L || hasSmallOrder(r)) return false;
    if (littleEndian(withoutSignBit(publicKey)) >= P || hasSmallOrder(publicKey)) return false;
    try {
      const algorithm = { name: "Ed25519" };
      const key = await globalThis.crypto.subtle.importKey("raw", publicKey, algorithm, false, ["verify"]);
      return await globalThis.crypto.subtle.verify(algorithm, key, signature, message);
    } catch {
      return false; // the key is not a point on the curve
    }
  }

  // --- Keys ------------------------------------------------------------------------

  /** An Ed25519 public key under a key name; subclasses fix the signature type and verify. */
  class Ed25519PublicKey {
    static ALGORITHM = ALG_ED25519;
    // The algorithm as messages name it, and how the key and its name are called.
    static KIND = "Ed25519";
    static WHAT = "key";
    static NAME_WORD = "key name";

    constructor(name, id, publicKey) {
      const type = this.constructor;
      type.checkFields(type.WHAT, name, id, publicKey);
      if (id !== keyId(name, type.ALGORITHM, publicKey)) {
        throw new MalformedInput(`${type.WHAT} ${name}: key ID does not match the key`);
      }
      this.name = name;
      this.keyId = id;
      this.publicKey = Uint8Array.from(publicKey);
      Object.freeze(this);
    }

    static checkName(what, name) {
      if (typeof name !== "string" || !validKeyName(name)) {
        throw new MalformedInput(
          `${what}: invalid ${this.NAME_WORD} ${shorten(String(name))}: it must be non-empty, ` +
            "without '+', spaces or control characters",
        );
      }
    }

    static checkFields(what, name, id, key) {
      this.checkName(what, name);
      if (!(key instanceof Uint8Array) || key.length !== 32) {
        throw new MalformedInput(`${what}: an Ed25519 key must be 32 bytes`);
      }
      if (!Number.isInteger(id) || id < 0 || id >= 2 ** 32) {
        throw new MalformedInput(`${what}: the key ID must be an unsigned 32-bit integer`);
      }
    }

    /** Return the key for Ed25519 *publicKey* under key name *name*. */
    static fromPublicKey(name, publicKey) {
      this.checkFields(this.WHAT, name, 0, publicKey);
      return new this(name, keyId(name, this.ALGORITHM, publicKey), publicKey);
    }

    /** Return the key encoded as `<name>+<key ID>+<base64(type byte || key)>`. */
    static fromString(vkey) {
      const what = `${this.WHAT} ${shorten(vkey)}`;
      const [name, rest] = partition(vkey, "+");
      this.checkName(what, name);
      const [idHex, key64] = partition(rest, "+");
      if (!HEX8.test(idHex)) throw new MalformedInput(`${what}: the key ID must be 8 hex digits`);
      if (key64 === "") throw new MalformedInput(`${what}: the base64 key after the key ID is missing`);
      const key = B.b64decode(key64, `${what}: the key`);
      if (key.length === 0 || key[0] !== this.ALGORITHM) {
        const found = key.length ? `0x${hex2(key[0])}` : "missing";
        const alg = `0x${hex2(this.ALGORITHM)}`;
        throw new MalformedInput(
          `${what}: signature algorithm ${found} is not ${this.KIND} (${alg}); ` +
            `the key string must end in base64(${alg} || Ed25519 key)`,
        );
      }
      if (key.length !== 33) {
        throw new MalformedInput(`${what}: an Ed25519 key must be 32 bytes, not ${key.length - 1}`);
      }
      const id = parseInt(idHex, 16);
      if (id !== keyId(name, this.ALGORITHM, key.subarray(1))) {
        throw new MalformedInput(`${what}: key ID does not match the key`);
      }
      return new this(name, id, key.subarray(1));
    }

    /** Return this key's verifier key string, as Go's note package writes it. */
    toString() {
      const type = this.constructor;
      return `${keyLabel(this.name, this.keyId)}+${B.b64encode(B.concat(new Uint8Array([type.ALGORITHM]), this.publicKey))}`;
    }

    /** Return whether *other* is the same key: same kind, name, key ID and public key. */
    equals(other) {
      return (
        other.constructor === this.constructor &&
        other.name === this.name &&
        other.keyId === this.keyId &&
        B.equal(other.publicKey, this.publicKey)
      );
    }

    /** Resolve to whether 64-byte *signature* is this key's Ed25519 signature of *message*. */
    async check(message, signature) {
      return verifyEd25519(this.publicKey, message, signature);
    }
  }

  /** An Ed25519 public key that checks note signatures (type 0x01) made under a key name. */
  class Verifier extends Ed25519PublicKey {
    static WHAT = "verifier key";

    /** Resolve if *signature* is this key's signature of *message*; reject with InvalidSignature otherwise. */
    async verify(message, signature) {
      if (!(await this.check(message, signature))) {
        throw new InvalidSignature(
          `invalid signature for key ${keyLabel(this.name, this.keyId)}: ` +
            "the signed text was altered, or another key made the signature",
        );
      }
    }
  }

  // Python's str.partition: the text before the first *sep*, and the text after it.
  function partition(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + sep.length)];
  }

  function hex2(n) {
    return n.toString(16).padStart(2, "0");
  }

  CZ.note = Object.assign(CZ.note || {}, {
    ALG_ED25519,
    CONTROL,
    isUtf8,
    shorten,
    validKeyName,
    keyId,
    keyLabel,
    verifyEd25519,
    Ed25519PublicKey,
    Verifier,
  });
})((globalThis.CZ = globalThis.CZ || {}));
