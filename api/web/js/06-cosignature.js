// Witness cosignatures on checkpoints (C2SP tlog-cosignature, Ed25519 cosignature/v1).
//
// Mirrors ledger/cosignature.py (the verifying half: CosignatureVerifier,
// checkpoint_body, signed_message, parse_line, verify_cosignature,
// WitnessPolicy). A witness that has checked a checkpoint is consistent with
// every earlier one it saw of the same log adds a note signature line
//
//   — <witness name> base64(key ID || timestamp || Ed25519 signature)
//
// whose key ID is the first 4 bytes of SHA-256(<name> || "\n" || 0x04 ||
// public key), whose timestamp is 8 bytes big-endian of POSIX seconds, and
// whose signature covers "cosignature/v1\ntime <seconds>\n" followed by the
// whole checkpoint body. So a cosignature is an independent upper bound on
// when the checkpoint existed. Signatures are checked by the strict Ed25519 of
// 05-note-0-keys.js (libsodium's refusals before WebCrypto's check).
//
// Times are returned as JavaScript Dates (UTC, whole seconds).
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidSignature } = CZ.errors;
  const B = CZ.bytes;
  const { Ed25519PublicKey, Checkpoint, keyLabel, parseSignatureLine, readNote } = CZ.note;

  const ALG_COSIGNATURE_V1 = 0x04;
  const HEADER = "cosignature/v1\n";
  const MAX_TIMESTAMP = (1n << 63n) - 1n;
  const SIGNATURE_SIZE = 8 + 64;
  // The last second Python's datetime can hold (9999-12-31T23:59:59Z).
  const LAST_SECOND = 253402300799n;
  // Python's str.strip() whitespace (str.isspace), which JavaScript's trim() does not quite match.
  const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  const SURROUNDING_SPACE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");

  /** A witness's Ed25519 public key for cosignature/v1 under its name. */
  class CosignatureVerifier extends Ed25519PublicKey {
    static ALGORITHM = ALG_COSIGNATURE_V1;
    static KIND = "cosignature/v1";
    static WHAT = "witness key";
    static NAME_WORD = "witness name";

    /** Return the verifier encoded as `<name>+<key ID>+<base64(0x04 || key)>`. */
    static fromString(vkey) {
      // Witness key strings are often pasted from files: surrounding space is dropped.
      return super.fromString(vkey.replace(SURROUNDING_SPACE, ""));
    }

    /** Resolve to the time in *signature* if it is this witness's cosignature of checkpoint *body*. */
    async verify(body, signature) {
      const what = `cosignature by ${keyLabel(this.name, this.keyId)}`;
      if (signature.length !== SIGNATURE_SIZE) {
        throw new InvalidSignature(
          `${what} is ${signature.length} bytes; a cosignature/v1 is an 8-byte ` +
            "timestamp and a 64-byte Ed25519 signature",
        );
      }
      let seconds = 0n;
      for (let i = 0; i < 8; i++) seconds = (seconds << 8n) | BigInt(signature[i]);
      if (seconds > MAX_TIMESTAMP) throw new InvalidSignature(`${what} has timestamp ${seconds}, over 2**63-1`);
      if (!(await this.check(signedMessage(body, seconds), signature.subarray(8)))) {
        throw new InvalidSignature(
          `invalid ${what}: the checkpoint or the time was altered, or another key made the signature`,
        );
      }
      if (seconds > LAST_SECOND) {
        throw new InvalidSignature(`cosignature timestamp ${seconds} is beyond any date this verifier can represent`);
      }
      return new Date(Number(seconds) * 1000);
    }
  }

  /** Return the checkpoint body of *text*, a signed checkpoint note or a body alone. */
  function checkpointBody(text) {
    const split = text.lastIndexOf("\n\n");
    const body = split < 0 ? text : text.slice(0, split + 1);
    Checkpoint.parse(body);
    return body;
  }

  /** Return the bytes a cosignature/v1 at POSIX *timestamp* signs over checkpoint *body*. */
  function signedMessage(body, timestamp) {
    return B.utf8(`${HEADER}time ${timestamp}\n${body}`);
  }

  /** Return {name, keyId, signature} of one note signature line (with or without its newline). */
  function parseLine(line) {
    const text = line.endsWith("\n") ? line.slice(0, -1) : line;
    if (text.includes("\n")) throw new MalformedInput("a signature line may not contain a newline");
    return parseSignatureLine(1, B.utf8(text));
  }

  /** Resolve to the time of cosignature *line* if *verifier*'s witness made it over *note*'s checkpoint. */
  async function verifyCosignature(note, line, verifier) {
    const body = checkpointBody(note);
    const signature = parseLine(line);
    if (signature.name !== verifier.name || signature.keyId !== verifier.keyId) {
      throw new InvalidSignature(
        `the signature line is by key ${keyLabel(signature.name, signature.keyId)}, ` +
          `not by witness ${keyLabel(verifier.name, verifier.keyId)}`,
      );
    }
    return verifier.verify(body, signature.signature);
  }

  /** The witnesses a relying party trusts and how many of them must cosign a checkpoint. */
  class WitnessPolicy {
    constructor(witnesses, threshold) {
      const unique = [];
      for (const w of witnesses) if (!unique.some((u) => u.equals(w))) unique.push(w);
      const labels = new Set(unique.map((w) => keyLabel(w.name, w.keyId)));
      if (labels.size !== unique.length) {
        throw new MalformedInput("two different witness keys have the same name and key ID");
      }
      if (!Number.isInteger(threshold)) throw new MalformedInput("the witness threshold must be an integer");
      if (!(1 <= threshold && threshold <= unique.length)) {
        throw new MalformedInput(
          `a threshold of ${threshold} cannot be met by ${unique.length} named witness(es); ` +
            "it must be between 1 and the number of witnesses",
        );
      }
      this.witnesses = Object.freeze(unique);
      this.threshold = threshold;
      Object.freeze(this);
    }

    /** Resolve to [{name, time}] for each named witness that cosigned *note*, if enough did. */
    async check(note) {
      const opened = await readNote(note, []);
      const body = checkpointBody(opened.text);
      const byKey = new Map();
      for (const signature of opened.unverified) {
        const label = keyLabel(signature.name, signature.keyId);
        if (!byKey.has(label)) byKey.set(label, []);
        byKey.get(label).push(signature.signature);
      }
      const cosigned = [];
      for (const witness of this.witnesses) {
        const found = byKey.get(keyLabel(witness.name, witness.keyId));
        if (found) {
          // As for note signatures, the first line by a known key counts and must verify.
          cosigned.push({ name: witness.name, time: await witness.verify(body, found[0]) });
        }
      }
      if (cosigned.length < this.threshold) {
        const names = cosigned.map((c) => c.name).join(", ") || "none";
        throw new InvalidSignature(
          `${this.threshold} of ${this.witnesses.length} named witnesses required; cosigned by only: ${names}`,
        );
      }
      return cosigned;
    }
  }

  CZ.cosignature = {
    ALG_COSIGNATURE_V1,
    CosignatureVerifier,
    WitnessPolicy,
    checkpointBody,
    signedMessage,
    parseLine,
    verifyCosignature,
  };
})((globalThis.CZ = globalThis.CZ || {}));
