// Showing a verification's outcome: the report's sections (CZ.report, from
// the texts of ledger/verify/report_texts) line by line in Chinese with the
// English beside, the checks as a table, the judge's narrative (96), and for
// programs and tests the verdict and reason codes as data attributes of
// #result and the whole report as JSON in #report-json.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});

  /** Return *code*'s text in both languages with *facts* filled in. */
  ui.texts = function (code, facts) {
    return { zh: CZ.report.text(code, "zh", facts || {}), en: CZ.report.text(code, "en", facts || {}) };
  };

  function result(state) {
    const box = ui.$("result");
    box.dataset.state = state;
    for (const key of ["ok", "reasons", "failed", "reason", "error"]) delete box.dataset[key];
    for (const id of ["verdict", "report", "narrative", "report-json", "narrative-json"]) ui.$(id).replaceChildren();
    return box;
  }

  /** Clear the last outcome. */
  ui.clearResult = function () {
    result("idle");
  };

  /** Clear the last outcome and mark a verification as running. */
  ui.startResult = function () {
    result("running");
    ui.$("verdict").append(ui.pair(ui.message("verifying")));
  };

  function sortedCodes(checks) {
    return Array.from(new Set(checks.map((c) => c.reason))).sort();
  }

  /** Return a heading and the paired lines of one section (lines of zh and en, index by index). */
  function paired(heading, zhLines, enLines) {
    const block = ui.el("div", { class: "report-section" });
    if (heading) block.append(ui.el("h3", {}, ui.label(heading)));
    zhLines.forEach((line, i) => block.append(ui.pair({ zh: line.trim(), en: (enLines[i] || "").trim() })));
    return block;
  }

  function checkTable(zhRows, enRows, checks) {
    const head = ui.el("tr", {},
      ui.el("th", {}, ui.label({ zh: "结果", en: "Outcome" })),
      ui.el("th", {}, ui.label({ zh: "检查", en: "Check" })),
      ui.el("th", {}, ui.label({ zh: "说明", en: "What it found" })),
      ui.el("th", {}, ui.label({ zh: "原因代码", en: "Reason code" })));
    const rows = checks.map((c, i) => {
      const zh = zhRows[i];
      const en = enRows[i];
      const notes = ["content", "detail"].filter((k) => zh[k]).map((k) => ui.pair({ zh: zh[k], en: en[k] }, { class: `text-pair ${k}` }));
      return ui.el("tr", {
        "data-check": c.check, "data-subject": c.subject, "data-outcome": c.outcome,
        "data-required": String(c.required), "data-reason": c.reason,
      },
        ui.el("td", { class: "outcome" }, ui.label({ zh: zh.label, en: en.label })),
        ui.el("td", {}, ui.label({ zh: zh.about + (zh.optional ? " " + zh.optional : ""), en: en.about + (en.optional ? " " + en.optional : "") })),
        ui.el("td", {}, ui.pair({ zh: zh.text, en: en.text }), notes),
        ui.el("td", { class: "reason", text: c.reason }));
    });
    return ui.el("table", { class: "checks" }, ui.el("thead", {}, head), ui.el("tbody", {}, rows));
  }

  /**
   * Show a bundle's report (the object of Python's report_json, without "text") and,
   * when *bundleText* is given, the narrative of the bundle.
   */
  ui.showReport = function (report, bundleText) {
    const box = result("done");
    const failed = report.checks.filter((c) => c.required && c.outcome !== "passed");
    box.dataset.ok = String(report.ok);
    box.dataset.reasons = JSON.stringify(sortedCodes(report.checks));
    box.dataset.failed = JSON.stringify(sortedCodes(failed));
    ui.$("report-json").textContent = JSON.stringify(report);
    const zh = CZ.report.sections(report, "zh");
    const en = CZ.report.sections(report, "en");
    ui.$("verdict").append(ui.pair({ zh: zh.verdict, en: en.verdict }));
    const out = ui.$("report");
    // What went wrong first, before the log and the findings.
    const failing = report.checks.map((c, i) => [c, i]).filter(([c]) => c.required && c.outcome !== "passed");
    if (failing.length) {
      const list = ui.el("ul", { class: "failed-checks" }, failing.map(([, i]) =>
        ui.el("li", {}, ui.label({ zh: zh.checks.rows[i].about, en: en.checks.rows[i].about }),
          ui.pair({ zh: zh.checks.rows[i].text, en: en.checks.rows[i].text }))));
      out.append(list);
    }
    out.append(paired(null, zh.log, en.log));
    out.append(paired({ zh: zh.findings.heading, en: en.findings.heading }, zh.findings.lines, en.findings.lines));
    if (zh.claim) out.append(paired({ zh: zh.claim.heading, en: en.claim.heading }, zh.claim.lines, en.claim.lines));
    out.append(ui.el("h3", {}, ui.label({ zh: zh.checks.heading, en: en.checks.heading })));
    out.append(checkTable(zh.checks.rows, en.checks.rows, report.checks));
    out.append(paired({ zh: zh.limits.heading, en: en.limits.heading }, zh.limits.lines, en.limits.lines));
    if (bundleText !== undefined) ui.showNarrative(bundleText, report);
  };

  /** Show the outcome of a file checked against its receipt (cunzheng.receipt-report/v1). */
  ui.showReceiptReport = function (outcome) {
    const box = result("done");
    box.dataset.ok = String(outcome.ok);
    if (!outcome.ok) box.dataset.reason = outcome.reason;
    ui.$("report-json").textContent = JSON.stringify(outcome);
    ui.$("verdict").append(ui.pair(outcome.ok ? ui.message("receiptOk") : ui.message("receiptNotOk", { reason: outcome.reason })));
    if (!outcome.ok) return;
    const facts = ui.el("dl", { class: "facts" });
    for (const [key, value] of Object.entries(outcome)) {
      if (key === "format" || key === "ok") continue;
      facts.append(ui.el("dt", { text: key }), ui.el("dd", { text: typeof value === "string" ? value : JSON.stringify(value) }));
    }
    ui.$("report").append(facts);
  };

  /** Add a hint on what to give instead under the verdict. */
  ui.showHint = function (texts) {
    ui.$("verdict").append(ui.pair(texts, { class: "text-pair hint" }));
  };

  /** Show why nothing could be verified (a mistake in the options, an unreadable file). */
  ui.showError = function (error) {
    const box = result("error");
    const texts = error instanceof ui.OptionError ? error.texts : ui.message("failed", { reason: error.message });
    ui.$("verdict").append(ui.pair(texts));
    box.dataset.error = texts.en;
  };
})((globalThis.CZ = globalThis.CZ || {}));
