// Showing a verification's outcome: the verdict, the report's sections in
// both languages (CZ.report, from the texts of ledger/verify/report_texts),
// the judge's narrative (CZ.narrative), and for programs and tests the
// verdict and reason codes as data attributes of #result and the whole
// report as JSON in #report-json.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const LANGS = ["zh", "en"];

  /** Return *code*'s text in both languages with *facts* filled in. */
  ui.texts = function (code, facts) {
    return { zh: CZ.report.text(code, "zh", facts), en: CZ.report.text(code, "en", facts) };
  };

  function result(state) {
    const box = ui.$("result");
    box.dataset.state = state;
    delete box.dataset.ok;
    delete box.dataset.reasons;
    delete box.dataset.failed;
    for (const id of ["verdict", "report", "narrative", "report-json"]) ui.$(id).replaceChildren();
    return box;
  }

  /** Clear the last outcome and mark a verification as running. */
  ui.startResult = function () {
    result("running");
    ui.$("verdict").append(ui.pair(ui.message("verifying")));
  };

  function sortedCodes(checks) {
    return Array.from(new Set(checks.map((c) => c.reason))).sort();
  }

  /** Show a bundle's report (the object of Python's report_json, without "text"). */
  ui.showReport = function (report) {
    const box = result("done");
    const failed = report.checks.filter((c) => c.required && c.outcome !== "passed");
    box.dataset.ok = String(report.ok);
    box.dataset.reasons = JSON.stringify(sortedCodes(report.checks));
    box.dataset.failed = JSON.stringify(sortedCodes(failed));
    ui.$("report-json").textContent = JSON.stringify(report);
    ui.$("verdict").append(ui.pair(ui.texts(report.ok ? "report.ok" : "report.not_ok", { count: failed.length })));
    const sections = ui.$("report");
    for (const lang of LANGS) {
      const part = ui.el("div", { lang, class: "report-section" });
      CZ.report.render(part, report, lang);
      sections.append(part);
    }
    sections.append(checkTable(report.checks));
    if (CZ.narrative) ui.$("narrative").append(CZ.narrative.render(report));
  };

  function checkTable(checks) {
    const head = ui.el("tr", {},
      ui.el("th", {}, ui.label({ zh: "结果", en: "Outcome" })),
      ui.el("th", {}, ui.label({ zh: "检查", en: "Check" })),
      ui.el("th", {}, ui.label({ zh: "说明", en: "What it found" })),
      ui.el("th", {}, ui.label({ zh: "原因代码", en: "Reason code" })));
    const rows = checks.map((c) =>
      ui.el("tr", { "data-outcome": c.outcome, "data-required": String(c.required), "data-reason": c.reason },
        ui.el("td", { class: "outcome" }, ui.label(ui.texts(`outcome.${c.outcome}`))),
        ui.el("td", {}, ui.label(ui.texts(`check.${c.check}`)), ui.el("div", { class: "codes", text: c.subject })),
        ui.el("td", {}, ui.pair(ui.texts(c.reason, c.facts)), c.detail ? ui.el("div", { class: "detail", text: c.detail }) : null),
        ui.el("td", { class: "reason", text: c.reason })));
    return ui.el("table", { class: "checks" }, ui.el("thead", {}, head), ui.el("tbody", {}, rows));
  }

  /** Show the outcome of a file checked against its receipt (cunzheng.receipt-report/v1). */
  ui.showReceiptReport = function (outcome) {
    const box = result("done");
    box.dataset.ok = String(outcome.ok);
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

  /** Show why nothing could be verified (a mistake in the options, an unreadable file). */
  ui.showError = function (error) {
    result("error");
    const texts = error instanceof ui.OptionError ? error.texts : ui.message("failed", { reason: error.message });
    ui.$("verdict").append(ui.pair(texts));
    ui.$("result").dataset.error = texts.en;
  };
})((globalThis.CZ = globalThis.CZ || {}));
