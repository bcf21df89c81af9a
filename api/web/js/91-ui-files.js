// Reading what the judge drops: a file's SHA-256 computed in this browser (it
// never leaves the machine; one of several gigabytes is streamed in chunks,
// never held whole), a file's bytes or text, and which of the project's
// formats a JSON file is, from its first bytes.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  // 8 MiB: large enough that reading costs little per byte, small enough for steady progress.
  ui.CHUNK_BYTES = 8 * 1024 * 1024;
  // As cunzheng verify (cli/inputs.py): the format is looked for in the first 64 KiB.
  ui.SNIFF_BYTES = 64 * 1024;

  // A file up to this size is read whole and hashed by the browser's own SHA-256
  // (WebCrypto, native code: several times the speed of any JavaScript one); a larger
  // one streams through CZ.Sha256 in chunks, so that memory stays small however
  // large the file. Both give the same digest; the browser tests check each.
  ui.WHOLE_FILE_BYTES = 1024 * 1024 * 1024;

  /**
   * Return the SHA-256 of *file* (a Blob) as 32 bytes, calling onProgress(done, total)
   * after each chunk read.
   */
  ui.hashFile = async function (file, onProgress) {
    const subtle = globalThis.crypto && globalThis.crypto.subtle;
    if (subtle && file.size <= ui.WHOLE_FILE_BYTES) {
      return new Uint8Array(await subtle.digest("SHA-256", await readWhole(file, onProgress)));
    }
    return streamHash(file, onProgress);
  };

  /** Return the bytes of *file* in one buffer, read chunk by chunk for progress. */
  async function readWhole(file, onProgress) {
    const whole = new Uint8Array(file.size);
    for (let at = 0; at < file.size; ) {
      const chunk = new Uint8Array(await file.slice(at, at + ui.CHUNK_BYTES).arrayBuffer());
      if (chunk.length === 0) break;
      whole.set(chunk, at);
      at += chunk.length;
      if (onProgress) onProgress(at, file.size);
    }
    return whole;
  }

  /** Return the SHA-256 of *file* through CZ.Sha256, the next chunk read while this one is hashed. */
  async function streamHash(file, onProgress) {
    const hash = new CZ.Sha256();
    const read = (at) => file.slice(at, at + ui.CHUNK_BYTES).arrayBuffer();
    let pending = file.size > 0 ? read(0) : null;
    for (let at = 0; pending; ) {
      const chunk = new Uint8Array(await pending);
      const next = at + chunk.length;
      pending = chunk.length > 0 && next < file.size ? read(next) : null;
      hash.update(chunk);
      at = next;
      if (onProgress) onProgress(at, file.size);
    }
    return hash.digest();
  }

  /** Return the bytes of *file*. */
  ui.readBytes = async function (file) {
    return new Uint8Array(await file.arrayBuffer());
  };

  /** Return the text of *file*, read as UTF-8. */
  ui.readText = async function (file) {
    return new TextDecoder("utf-8").decode(await ui.readBytes(file));
  };

  /**
   * Return the "format" a JSON file names near its start ("cunzheng.bundle/v1",
   * "cunzheng.receipt/v1", "cunzheng.disclosure/v1"...), "" for other JSON and
   * null for a file that is not JSON.
   */
  ui.sniffFormat = async function (file) {
    const head = new TextDecoder("utf-8").decode(await file.slice(0, ui.SNIFF_BYTES).arrayBuffer());
    if (!/^\uFEFF?[ \t\r\n]*\{/.test(head)) return null;
    const found = /"format"\s*:\s*"([^"]*)"/.exec(head);
    return found ? found[1] : "";
  };

  /** Return *n* bytes as "1.5 GiB", "12.0 MiB"... */
  ui.size = function (n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let unit = 0;
    while (n >= 1024 && unit < units.length - 1) {
      n /= 1024;
      unit += 1;
    }
    return unit === 0 ? `${n} B` : `${n.toFixed(1)} ${units[unit]}`;
  };
})((globalThis.CZ = globalThis.CZ || {}));
