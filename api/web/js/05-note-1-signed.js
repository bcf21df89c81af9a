// C2SP signed notes: text, a blank line, then one signature line per key.
//
// Mirrors ledger/note/signed.py (the reading half: parse_signature_line,
// describe_keys, read_note, open_note). A signature line is
// `— <key name> base64(key ID || signature)` (https://c2sp.org/signed-note).
// Opening a note follows Go's golang.org/x/mod/sumdb/note: unknown keys' lines
// are kept unverified, only the first line by a known key counts, and it must
// verify. A note is at most 1 MiB of UTF-8 without control characters other
// than newline, and carries at most 100 signatures.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidSignature } = CZ.errors;
  const B = CZ.bytes;
  const { keyLabel, validKeyName, shorten } = CZ.note;

  const MAX_NOTE_SIZE = 1 << 20;
  const MAX_SIGNATURES = 100;
  const SIG_PREFIX = B.utf8("— ");

  /** Return the byte offset of the first ill-formed UTF-8 sequence in *u8*, or -1 (Unicode table 3-7). */
  function firstInvalidUtf8(u8) {
    let i = 0;
    while (i < u8.length) {
      const b = u8[i];
      let need;
      let lo = 0x80;
      let hi = 0xbf;
      if (b < 0x80) need = 0;
      else if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b === 0xe0) lo = 0xa0;
        if (b === 0xed) hi = 0x9f; // no surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b === 0xf0) lo = 0x90;
        if (b === 0xf4) hi = 0x8f;
      } else return i;
      for (let k = 1; k <= need; k++) {
        const c = u8[i + k];
        const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
        if (c === undefined || c < min || c > max) return i;
      }
      i += need + 1;
    }
    return -1;
  }

  // The whole-note checks: size, UTF-8, control characters. Returns the bytes.
  function noteBytes(message) {
    const tooBig = () => new MalformedInput(`malformed note: larger than ${MAX_NOTE_SIZE} bytes`);
    let data;
    if (typeof message === "string") {
      // Python counts code points first, then encoded bytes.
      if (message.length > MAX_NOTE_SIZE && Array.from(message).length > MAX_NOTE_SIZE) throw tooBig();
      if (!message.isWellFormed()) throw new MalformedInput("malformed note: not valid UTF-8 (a lone surrogate)");
      data = B.utf8(message);
      if (data.length > MAX_NOTE_SIZE) throw tooBig();
    } else {
      if (!(message instanceof Uint8Array)) throw new MalformedInput("malformed note: not text or bytes");
      if (message.length > MAX_NOTE_SIZE) throw tooBig();
      data = message;
      const bad = firstInvalidUtf8(data);
      if (bad >= 0) throw new MalformedInput(`malformed note: not valid UTF-8 at byte ${bad}`);
    }
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      if (c < 0x20 && c !== 0x0a) {
        throw new MalformedInput(
          `malformed note: control character U+${c.toString(16).toUpperCase().padStart(4, "0")} at byte ${i}; ` +
            "only newline is allowed",
        );
      }
    }
    return data;
  }

  /** Return {name, keyId, signature} of signature line *number* (bytes, without its newline). */
  function parseSignatureLine(number, line) {
    const where = `malformed note: signature line ${number}`;
    if (!B.equal(line.subarray(0, SIG_PREFIX.length), SIG_PREFIX)) {
      throw new MalformedInput(`${where} does not start with an em dash (U+2014) and a space`);
    }
    const rest = line.subarray(SIG_PREFIX.length);
    const space = rest.indexOf(0x20);
    const nameBytes = space < 0 ? rest : rest.subarray(0, space);
    const b64Bytes = space < 0 ? new Uint8Array(0) : rest.subarray(space + 1);
    const name = B.text(nameBytes, `${where}: the key name`);
    if (!validKeyName(name)) throw new MalformedInput(`${where} has an invalid key name ${shorten(name)}`);
    // Stricter than Go: unused trailing bits must be zero, so that every bit of a
    // note held as evidence matters (docs/decisions/0004-strict-encodings.md).
    const raw = B.b64decode(B.text(b64Bytes, `${where}: the signature`), `${where}: the signature`);
    if (raw.length < 5) {
      throw new MalformedInput(`${where}: the signature is ${raw.length} bytes; it needs a 4-byte key ID and more`);
    }
    const id = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
    return Object.freeze({ name, keyId: id, signature: raw.subarray(4) });
  }

  /** Return the labels of *keys* (signatures or verifiers) for a message, the first *limit* of them. */
  function describeKeys(keys, limit = 5) {
    const labels = [...new Set(keys.map((key) => keyLabel(key.name, key.keyId)))];
    if (labels.length === 0) return "no key";
    const shown = labels.slice(0, limit).join(", ");
    return shown + (labels.length > limit ? ` and ${labels.length - limit} more` : "");
  }

  /**
   * Resolve to the note in *message* (a string or UTF-8 bytes) as {text,
   * signatures, unverified}, with its signatures by *verifiers* (which may be
   * none) checked.
   */
  async function readNote(message, verifiers) {
    const data = noteBytes(message);
    const split = lastBlankLine(data);
    if (split < 0) throw new MalformedInput("malformed note: no blank line between the text and the signatures");
    const text = data.subarray(0, split + 1);
    const block = data.subarray(split + 2);
    if (block.length === 0) throw new MalformedInput("malformed note: no signature lines after the blank line");
    if (block[block.length - 1] !== 0x0a) {
      throw new MalformedInput("malformed note: the last signature line does not end with a newline");
    }
    const known = new Map();
    for (const verifier of verifiers) {
      const label = keyLabel(verifier.name, verifier.keyId);
      const same = known.get(label) || [];
      if (!same.some((v) => v.equals(verifier))) same.push(verifier);
      known.set(label, same);
    }
    const verified = [];
    const unverified = [];
    const seenKeys = new Set();
    const seenLines = new Set();
    const lines = splitLines(block.subarray(0, block.length - 1));
    for (let number = 1; number <= lines.length; number++) {
      const line = lines[number - 1];
      const signature = parseSignatureLine(number, line);
      if (number > MAX_SIGNATURES) throw new MalformedInput(`malformed note: more than ${MAX_SIGNATURES} signatures`);
      const label = keyLabel(signature.name, signature.keyId);
      const candidates = known.get(label);
      if (candidates === undefined) {
        // Go drops repeated identical lines from unknown keys.
        const spelled = B.hex(line);
        if (!seenLines.has(spelled)) {
          seenLines.add(spelled);
          unverified.push(signature);
        }
        continue;
      }
      if (candidates.length > 1) {
        throw new InvalidSignature(
          `ambiguous key ${label}: ${candidates.length} different verifier keys ` +
            "have this name and key ID; remove the wrong one",
        );
      }
      // As in Go, only the first signature line by a known key counts.
      if (seenKeys.has(label)) continue;
      seenKeys.add(label);
      await candidates[0].verify(text, signature.signature);
      verified.push(signature);
    }
    return Object.freeze({ text: B.text(text), signatures: verified, unverified });
  }

  /** Resolve to the note in *message* if it parses and at least one of *verifiers* signed it. */
  async function openNote(message, verifiers) {
    const note = await readNote(message, verifiers);
    if (note.signatures.length === 0) {
      throw new InvalidSignature(
        `no signature by a known key: note is signed by ${describeKeys(note.unverified)}, ` +
          `expected ${describeKeys(verifiers)}`,
      );
    }
    return note;
  }

  // The offset of the last "\n\n" in *data*, or -1.
  function lastBlankLine(data) {
    for (let i = data.length - 2; i >= 0; i--) if (data[i] === 0x0a && data[i + 1] === 0x0a) return i;
    return -1;
  }

  function splitLines(data) {
    const lines = [];
    let from = 0;
    for (let i = 0; i <= data.length; i++) {
      if (i === data.length || data[i] === 0x0a) {
        lines.push(data.subarray(from, i));
        from = i + 1;
      }
    }
    return lines;
  }

  Object.assign(CZ.note, {
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    parseSignatureLine,
    describeKeys,
    readNote,
    openNote,
  });
})((globalThis.CZ = globalThis.CZ || {}));
