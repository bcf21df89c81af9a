// The page's DOM helpers: elements by id, new elements, texts in both
// languages (Chinese first, English beside), the language and view switches.
//
// Every ui part (90-99) only defines functions on CZ.ui; nothing touches the
// document until 99-ui-start.js runs CZ.ui.start() in the page, so the Node
// tests that load every part (tests/web/load.js) load these too, harmlessly.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const LANGS = ["zh", "en"];

  /** Return the element with id *id*; a missing one is a fault of the page. */
  ui.$ = function (id) {
    const found = document.getElementById(id);
    if (!found) throw new Error(`the page has no element #${id}`);
    return found;
  };

  /** Return a new *tag* element with *attrs* (attributes; "text" sets its text) and *children*. */
  ui.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  /** Return a block holding *texts*.zh then *texts*.en, each marked with its language. */
  ui.pair = function (texts, attrs) {
    const block = ui.el("div", Object.assign({ class: "text-pair" }, attrs));
    for (const lang of LANGS) block.append(ui.el("div", { lang, text: texts[lang] }));
    return block;
  };

  /** Return an inline zh/en pair for a short label. */
  ui.label = function (texts) {
    const span = ui.el("span");
    for (const lang of LANGS) span.append(ui.el("span", { lang, text: texts[lang] }), " ");
    return span;
  };

  /** The page's own messages (the report's texts come from CZ.TEXTS). */
  ui.MESSAGES = {
    hashing: { zh: "正在本地计算 {name} 的 SHA-256…", en: "Hashing {name} in this browser…" },
    verifying: { zh: "正在核验…", en: "Verifying…" },
    searching: { zh: "正在查询…", en: "Searching…" },
    nothing: { zh: "请先放入证据包，或文件及其回执。", en: "Give a bundle, or a file and its receipt, first." },
    needFile: {
      zh: "这是一份回执，不是证据包：请同时给出它所对应的那一个文件，或先用它生成证据包。",
      en: "This is a receipt, not an evidence bundle: give the one file it is for with it, or make a bundle of it first.",
    },
    bundleOnly: {
      zh: "见证人与日志当前状态的核对只适用于证据包，不适用于单份回执：请清空它们，或先用回执生成证据包。",
      en: "Witnesses and the check against the log as it stands now apply to a bundle, not a receipt: clear them, or make a bundle of the receipt first.",
    },
    needKey: { zh: "核验回执需要日志验证密钥。", en: "A receipt needs the log's verifier key." },
    notEvidence: { zh: "{name} 既不是证据包也不是回执。", en: "{name} is neither an evidence bundle nor a receipt." },
    failed: { zh: "无法核验：{reason}", en: "Could not verify: {reason}" },
    receiptOk: { zh: "核验通过：文件与回执一致，回执由日志密钥证明。", en: "VERIFIED: the file matches the receipt, which the log's key proves." },
    receiptNotOk: { zh: "核验未通过：{reason}", en: "NOT VERIFIED: {reason}" },
    served: {
      zh: "本页由日志 {origin} 的服务器提供，其自称的验证密钥为 {key}（服务器所述，非独立来源）。",
      en: "This page is served by the server of the log {origin}, whose verifier key is, as served, {key} (the server's own word, not an independent source).",
    },
    threshold: { zh: "见证人门槛须为非负整数。", en: "The witness threshold must be a whole number, 0 or more." },
    thresholdAlone: { zh: "给出见证人门槛时，须至少给出一位见证人的密钥。", en: "A witness threshold needs at least one witness key." },
    roles: {
      evidence: { zh: "证据包/回执", en: "bundle/receipt" },
      file: { zh: "比对文件", en: "file" },
      disclosure: { zh: "披露", en: "disclosure" },
    },
  };

  /** Return the message *key* in both languages with {name}s filled from *facts*. */
  ui.message = function (key, facts) {
    const texts = key.split(".").reduce((at, part) => at[part], ui.MESSAGES);
    const fill = (t) => t.replace(/\{(\w+)\}/g, (_, k) => (facts && k in facts ? String(facts[k]) : `{${k}}`));
    return { zh: fill(texts.zh), en: fill(texts.en) };
  };

  /** Show the page in *lang*: "both" (Chinese first, English beside), "zh" or "en". */
  ui.setLanguage = function (lang) {
    document.body.classList.remove("both", "zh", "en");
    document.body.classList.add(lang);
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    for (const b of document.querySelectorAll("#langs button")) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    }
  };

  /** Show the view *name* ("verify" or "lookup"), with the keys panel, which both use. */
  ui.showView = function (name) {
    document.body.dataset.view = name;
    ui.$(`${name}-options`).append(ui.$("options"));
    ui.$("verify-view").hidden = name !== "verify";
    ui.$("lookup-view").hidden = name !== "lookup";
    for (const b of document.querySelectorAll("#views button")) {
      b.setAttribute("aria-pressed", String(b.dataset.show === name));
    }
  };
})((globalThis.CZ = globalThis.CZ || {}));
