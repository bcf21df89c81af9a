// The verify view: what the judge chose (by the three file inputs or by
// dropping files, sorted by their format), the verification run with the
// files hashed in this browser and a progress bar, and the report shown.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const RECEIPT = "cunzheng.receipt/v1";
  const DISCLOSURE = "cunzheng.disclosure/v1";
  const EVIDENCE_FORMATS = ["cunzheng.bundle/v1", RECEIPT];

  // What will be verified: the bundle or receipt, the files to compare, the disclosures.
  const chosen = { evidence: null, files: [], disclosures: [] };

  function listChosen() {
    const rows = [];
    const row = (role, file) =>
      ui.el("li", { "data-role": role },
        ui.el("span", { class: "role" }, ui.label(ui.MESSAGES.roles[role])),
        ` ${file.name} (${ui.size(file.size)})`);
    if (chosen.evidence) rows.push(row("evidence", chosen.evidence));
    for (const f of chosen.files) rows.push(row("file", f));
    for (const f of chosen.disclosures) rows.push(row("disclosure", f));
    ui.$("chosen").replaceChildren(...rows);
  }

  /** Sort dropped *files* by their format: a bundle or receipt, a disclosure, or a file to compare. */
  async function sortDropped(files) {
    for (const file of files) {
      const format = await ui.sniffFormat(file);
      if (EVIDENCE_FORMATS.includes(format)) chosen.evidence = file;
      else if (format === DISCLOSURE) chosen.disclosures.push(file);
      else chosen.files.push(file);
    }
    listChosen();
  }

  function showProgress(name, done, total) {
    ui.$("progress").hidden = false;
    const bar = ui.$("hash-progress");
    bar.max = Math.max(total, 1);
    bar.value = total === 0 ? 1 : done;
    const status = ui.message("hashing", { name });
    ui.$("hash-status").textContent = `${status.zh} ${status.en} ${ui.size(done)} / ${ui.size(total)}`;
  }

  /** Return the SHA-256 of each file to compare, by name, hashed here with progress shown. */
  async function hashFiles(files) {
    const digests = {};
    for (const file of files) {
      digests[file.name] = await ui.hashFile(file, (done, total) => showProgress(file.name, done, total));
    }
    return digests;
  }

  async function verifyReceipt(receipt, options) {
    if (!options.logKey) throw new ui.OptionError(ui.message("needKey"));
    if (options.witnesses || ui.$("online-check").checked) throw new ui.OptionError(ui.message("bundleOnly"));
    const file = chosen.files[0];
    const digests = await hashFiles([file]);
    return CZ.verifyReceipt(await ui.readText(receipt), {
      logKey: options.logKey,
      contentSha256: digests[file.name],
      fileName: file.name,
      tsaRoots: options.tsaRoots,
    });
  }

  /** Return the serving log's current checkpoint and proof for *text*, if the judge asked for them. */
  async function current(text) {
    return ui.$("online-check").checked ? ui.currentFromServer(text) : null;
  }

  async function verifyBundle(bundle, format, options) {
    // As cunzheng verify: of a file that is not JSON only the first bytes are read.
    const text = format === null ? await ui.readText(bundle.slice(0, ui.SNIFF_BYTES)) : await ui.readText(bundle);
    const files = await hashFiles(chosen.files);
    const disclosures = [];
    for (const file of chosen.disclosures) disclosures.push([file.name, await ui.readBytes(file)]);
    const report = await CZ.verifyBundle(text, {
      logKey: options.logKey,
      files,
      disclosures,
      current: await current(text),
      tsaRoots: options.tsaRoots,
      witnesses: options.witnesses,
    });
    return [report, text];
  }

  /** Verify what was chosen and show the report (or why it could not be verified). */
  ui.runVerification = async function () {
    const button = ui.$("verify-button");
    button.disabled = true;
    ui.startResult();
    try {
      if (!chosen.evidence) throw new ui.OptionError(ui.message("nothing"));
      const options = await ui.readOptions();
      const format = await ui.sniffFormat(chosen.evidence);
      // A receipt is checked against exactly one file; as cunzheng verify, a receipt given
      // alone is read as a bundle, which it is not, and the report says so.
      const asReceipt = format === RECEIPT && chosen.files.length === 1 && chosen.disclosures.length === 0;
      if (asReceipt) ui.showReceiptReport(await verifyReceipt(chosen.evidence, options));
      else ui.showReport(...(await verifyBundle(chosen.evidence, format, options)));
      if (format === RECEIPT && !asReceipt) ui.showHint(ui.message("needFile"));
    } catch (error) {
      ui.showError(error);
    } finally {
      button.disabled = false;
      ui.$("progress").hidden = true;
    }
  };

  /** Verify a bundle given as text (from a look-up) with the options of the panel. */
  ui.verifyBundleText = async function (text) {
    ui.startResult();
    try {
      const options = await ui.readOptions();
      const report = await CZ.verifyBundle(text, {
        logKey: options.logKey, files: {}, disclosures: [], current: await current(text),
        tsaRoots: options.tsaRoots, witnesses: options.witnesses,
      });
      ui.showReport(report, text);
    } catch (error) {
      ui.showError(error);
    }
  };

  /** Forget every file and option chosen, and the last outcome. */
  ui.clearChosen = function () {
    chosen.evidence = null;
    chosen.files = [];
    chosen.disclosures = [];
    const fields = ["evidence-input", "files-input", "disclosures-input", "log-key", "log-key-file",
      "tsa-roots", "witness-keys", "witness-files", "witness-threshold"];
    for (const id of fields) ui.$(id).value = "";
    ui.$("online-check").checked = false;
    listChosen();
    ui.clearResult();
  };

  /** Wire the verify view's inputs, drop zone and buttons. */
  ui.startVerifyView = function () {
    ui.$("evidence-input").addEventListener("change", (e) => {
      chosen.evidence = e.target.files[0] || null;
      listChosen();
    });
    ui.$("files-input").addEventListener("change", (e) => {
      chosen.files = Array.from(e.target.files);
      listChosen();
    });
    ui.$("disclosures-input").addEventListener("change", (e) => {
      chosen.disclosures = Array.from(e.target.files);
      listChosen();
    });
    const drop = ui.$("drop");
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      sortDropped(Array.from(e.dataTransfer.files));
    });
    ui.$("verify-button").addEventListener("click", ui.runVerification);
    ui.$("clear-button").addEventListener("click", ui.clearChosen);
  };
})((globalThis.CZ = globalThis.CZ || {}));
