// The keys the judge trusts, read from the options panel: the log's verifier
// key, the TSA root certificates (PEM or DER files) and the witnesses' keys
// with how many of them must have cosigned; what `cunzheng verify` takes as
// --log-key, --tsa-root, --witness and --witness-threshold.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});

  /** A mistake in the options, told to the judge in both languages. */
  class OptionError extends Error {
    constructor(texts) {
      super(texts.en);
      this.texts = texts;
    }
  }
  ui.OptionError = OptionError;

  /** Return the non-empty, trimmed lines of *text*. */
  function lines(text) {
    return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  }

  /**
   * Return the options as read from the panel:
   * { logKey: string|null, tsaRoots: [Uint8Array], witnesses: {keys, threshold}|null }.
   */
  ui.readOptions = async function () {
    const keyFile = ui.$("log-key-file").files[0];
    const keyText = keyFile ? await ui.readText(keyFile) : ui.$("log-key").value;
    const logKey = keyText.trim() || null;
    const tsaRoots = [];
    for (const file of ui.$("tsa-roots").files) tsaRoots.push(await ui.readBytes(file));
    const keys = lines(ui.$("witness-keys").value);
    for (const file of ui.$("witness-files").files) keys.push((await ui.readText(file)).trim());
    const thresholdText = ui.$("witness-threshold").value.trim();
    let threshold = null;
    if (thresholdText !== "") {
      if (!/^\d+$/.test(thresholdText)) throw new OptionError(ui.message("threshold"));
      threshold = Number(thresholdText);
    }
    if (threshold !== null && !keys.length) throw new OptionError(ui.message("thresholdAlone"));
    const witnesses = keys.length ? { keys, threshold: threshold === null ? keys.length : threshold } : null;
    return { logKey, tsaRoots, witnesses };
  };
})((globalThis.CZ = globalThis.CZ || {}));
