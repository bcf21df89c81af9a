// "As it stands now", for a page served by a log: the log's current
// checkpoint and the consistency proof to it from the bundle's checkpoint,
// fetched from the serving log, as `cunzheng verify --online URL` fetches
// them (cli/verifying.py fetch_current). The verifier checks both; nothing
// fetched here is trusted.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});

  /** Return the tree size a checkpoint note claims, before any signature is checked, or null. */
  function unverifiedSize(note) {
    const end = note.lastIndexOf("\n\n");
    if (end < 0) return null;
    try {
      return CZ.note.Checkpoint.parse(note.slice(0, end) + "\n").size;
    } catch (e) {
      if (e instanceof CZ.errors.MalformedInput) return null;
      throw e;
    }
  }

  // A proof hash that is not base64 becomes no bytes, which the proof check then refuses.
  function hash(value) {
    try {
      return CZ.bytes.b64decode(String(value), "the hash");
    } catch (e) {
      if (e instanceof CZ.errors.MalformedInput) return new Uint8Array(0);
      throw e;
    }
  }

  async function fetched(path, as) {
    const answer = await fetch(path, { headers: { Accept: as === "json" ? "application/json" : "text/plain" } });
    if (!answer.ok) throw new Error(`${path}: HTTP ${answer.status}`);
    return as === "json" ? answer.json() : answer.text();
  }

  /**
   * Return [the serving log's current checkpoint note, the consistency proof to it from the
   * bundle's checkpoint] for the bundle *text*, or null for a text that is not a bundle.
   */
  ui.currentFromServer = async function (text) {
    let size;
    try {
      size = unverifiedSize(CZ.bundles.parseBundle(text).checkpoint);
    } catch (e) {
      if (e instanceof CZ.errors.MalformedInput) return null;
      throw e;
    }
    const note = await fetched("/log/checkpoint", "text");
    const now = unverifiedSize(note);
    if (size === null || now === null || now < size) return [note, []];
    const answer = await fetched(`/log/proof/consistency?old=${size}&size=${now}`, "json");
    const proof = Array.isArray(answer.proof) ? answer.proof : [];
    return [note, proof.map(hash)];
  };
})((globalThis.CZ = globalThis.CZ || {}));
