// The look-up view, for a page served by the log: find entries by a file
// (hashed here; only its SHA-256 is sent), a digest, an asset id, a
// certificate number or a party id, with the existing endpoints
// (GET /v1/evidence, /v1/fingerprints/{d}/assets, /v1/assets/{id},
// /v1/certificates/{n}, /v1/parties/{id}/portfolio; POST /v1/bundles), show
// each match and an asset's timeline, and verify its bundle on this page.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const HEX64 = /^[0-9a-f]{64}$/;

  /** Return the JSON answer of the log at *path*; an error answer is thrown with its detail. */
  async function api(path, init) {
    const answer = await fetch(path, Object.assign({ headers: { Accept: "application/json" } }, init));
    const body = await answer.json().catch(() => null);
    if (!answer.ok) {
      const detail = body && body.detail ? `${body.error}: ${body.detail}` : `HTTP ${answer.status}`;
      throw new Error(detail);
    }
    return body;
  }

  function results(state, ...children) {
    const box = ui.$("lookup-results");
    box.dataset.state = state;
    box.replaceChildren(...children);
    return box;
  }

  function hexDigest(text, what) {
    const value = text.trim().toLowerCase();
    if (!HEX64.test(value)) {
      throw new ui.OptionError({ zh: `${what.zh}须为 64 位十六进制数字。`, en: `${what.en} must be 64 hex digits.` });
    }
    return value;
  }

  /** Return a button that builds the bundle and saves it as a file, for the judge to keep. */
  function saveButton(makeBundle, name) {
    const button = ui.el("button", { type: "button", class: "save-hit" },
      ui.label({ zh: "保存证据包", en: "Save the bundle" }));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const blob = new Blob([JSON.stringify(await makeBundle(), null, 1)], { type: "application/json" });
        const link = ui.el("a", { href: URL.createObjectURL(blob), download: name });
        link.click();
        URL.revokeObjectURL(link.href);
      } catch (error) {
        ui.showError(error);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  function verifyButton(makeBundle) {
    const button = ui.el("button", { type: "button", class: "verify-hit" },
      ui.label({ zh: "生成证据包并在本页核验", en: "Build the bundle and verify it here" }));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await ui.verifyBundleText(JSON.stringify(await makeBundle()));
        ui.$("result").scrollIntoView();
      } catch (error) {
        ui.showError(error);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  function lookUpButton(kind, value) {
    const button = ui.el("button", { type: "button", class: "follow" }, `${kind} ${value.slice(0, 16)}…`);
    button.addEventListener("click", () => {
      ui.$("lookup-kind").value = kind;
      ui.$("lookup-text").value = value;
      ui.lookUp();
    });
    return button;
  }

  /** Return the entries of *bundle* in log order as a timeline: when, which entry, what event. */
  function timeline(bundle) {
    const entries = (bundle.entries || []).filter((e) => e.role !== "settings").sort((a, b) => a.index - b.index);
    return ui.el("ol", { class: "timeline" }, entries.map((e) =>
      ui.el("li", { "data-index": e.index },
        `${e.logged_at} · #${e.index} · `, ui.label(ui.texts(`type.${e.statement.type}`)))));
  }

  /** Return an asset's standing as the registry answers it: status, version, certificate, term. */
  function assetFacts(asset) {
    if (!asset) return null;
    const shown = ["status", "version", "certificate", "registration_number", "expires", "holder"]
      .filter((k) => asset[k] !== null && asset[k] !== undefined)
      .map((k) => `${k} ${asset[k]}`);
    return ui.el("div", { class: "facts", "data-asset": asset.id }, `${asset.id} · ${shown.join(" · ")}`);
  }

  function evidenceHit(receipt) {
    const s = receipt.statement;
    const bundle = () => api("/v1/bundles", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ indexes: [receipt.index] }),
    });
    return ui.el("div", { class: "hit", "data-index": receipt.index },
      ui.el("div", { class: "facts" },
        ui.label({ zh: `第 ${receipt.index} 条记录`, en: `Entry ${receipt.index}` }),
        ` ${s.type} · ${receipt.logged_at} · signer ${s.signer}`),
      verifyButton(bundle), saveButton(bundle, `entry-${receipt.index}.bundle.json`));
  }

  function answerHit(title, answer, extra) {
    return ui.el("div", { class: "hit", "data-question": answer.question.kind },
      ui.el("h3", {}, ui.label(title)),
      extra,
      answer.bundle ? timeline(answer.bundle) : null,
      answer.bundle ? verifyButton(async () => answer.bundle) : null,
      answer.bundle ? saveButton(async () => answer.bundle, `${answer.question.kind}.bundle.json`) : null);
  }

  async function byDigest(digest) {
    const [found, assets] = await Promise.all([
      api(`/v1/evidence?sha256=${digest}`),
      api(`/v1/fingerprints/${digest}/assets`),
    ]);
    const hits = found.receipts.map(evidenceHit);
    const ids = Array.isArray(assets.answer) ? assets.answer : [];
    if (ids.length) {
      hits.push(answerHit({ zh: "带有此指纹的资产", en: "Assets bearing this fingerprint" }, assets,
        ui.el("div", { class: "facts" }, ids.map((id) => lookUpButton("asset", id)))));
    }
    return hits;
  }

  async function byAsset(id) {
    const answer = await api(`/v1/assets/${hexDigest(id, { zh: "资产编号", en: "An asset id" })}`);
    return [answerHit({ zh: "资产及其全部事件", en: "The asset and every event of its history" }, answer, assetFacts(answer.answer))];
  }

  async function byCertificate(number) {
    const answer = await api(`/v1/certificates/${encodeURIComponent(number.trim())}`);
    if (answer.answer === null) return [];
    const title = { zh: `证书 ${number.trim()} 对应的资产`, en: `The asset of certificate ${number.trim()}` };
    return [answerHit(title, answer, assetFacts(answer.answer))];
  }

  async function byParty(id) {
    const answer = await api(`/v1/parties/${hexDigest(id, { zh: "当事人编号", en: "A party id" })}/portfolio`);
    const groups = [
      ["holds", { zh: "持有", en: "Holds" }, (a) => a.id],
      ["licensed", { zh: "被许可", en: "Licensed" }, (l) => l.asset],
      ["pledged", { zh: "受质押", en: "Pledged to it" }, (a) => a.id],
    ].map(([key, label, assetOf]) => ui.el("div", { class: "facts", "data-group": key }, ui.label(label),
      (answer.answer[key] || []).map((item) => lookUpButton("asset", assetOf(item)))));
    const title = { zh: "当事人持有、被许可及受质押的资产", en: "What the party holds, is licensed and has pledged to it" };
    return [answerHit(title, answer, groups)];
  }

  /** Run the look-up the form describes and list what it found. */
  ui.lookUp = async function () {
    const kind = ui.$("lookup-kind").value;
    const text = ui.$("lookup-text").value;
    results("running", ui.pair(ui.message("searching")));
    try {
      let hits;
      if (kind === "file") {
        const file = ui.$("lookup-file").files[0];
        if (!file) throw new ui.OptionError({ zh: "请选择文件。", en: "Choose a file." });
        const digest = await ui.hashFile(file, (done, total) => {
          const status = ui.message("hashing", { name: file.name });
          ui.$("lookup-results").textContent = `${status.zh} ${status.en} ${ui.size(done)} / ${ui.size(total)}`;
        });
        hits = await byDigest(CZ.bytes.hex(digest));
      } else if (kind === "digest") hits = await byDigest(hexDigest(text, { zh: "摘要", en: "A digest" }));
      else if (kind === "asset") hits = await byAsset(text);
      else if (kind === "certificate") hits = await byCertificate(text);
      else hits = await byParty(text);
      if (hits.length === 0) results("done", ui.pair({ zh: "没有找到。", en: "Nothing found." }));
      else results("done", ...hits);
      ui.$("lookup-results").dataset.count = String(hits.length);
    } catch (error) {
      const texts = error instanceof ui.OptionError ? error.texts : ui.message("failed", { reason: error.message });
      results("error", ui.pair(texts, { class: "text-pair error" }));
    }
  };

  /** Wire the look-up form: the file input stands in for the text when looking up by file. */
  ui.startLookupView = function () {
    const kind = ui.$("lookup-kind");
    const sync = () => {
      ui.$("lookup-file").hidden = kind.value !== "file";
      ui.$("lookup-text").hidden = kind.value === "file";
    };
    kind.addEventListener("change", sync);
    sync();
    ui.$("lookup-form").addEventListener("submit", (e) => {
      e.preventDefault();
      ui.lookUp();
    });
  };
})((globalThis.CZ = globalThis.CZ || {}));
