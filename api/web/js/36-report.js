// The verification report in words: each reason code's text, and the report's sections, in en or zh.
//
// Mirrors ledger/verify/report.py (text, render_text without a narrative,
// content_line) and ledger/verify/narrative_time.dual_time as CZ.report,
// from the table of texts the page carries as CZ.TEXTS = {en: {...}, zh:
// {...}} (ledger/verify/report_texts.TEXTS). Times are shown in Beijing time
// with UTC beside them; a failed check's technical detail by its reason code.
// A report is the object CZ.verifyBundle returns (report_json's), whose facts
// write a missing value as null. CZ.report.sections gives the report as
// sections (title, verdict, log lines, findings, claim lines, checks,
// limits); CZ.report.renderText writes them as render_text does;
// CZ.report.render puts them into a page element.
"use strict";
(function (CZ) {
  // Facts holding an RFC 3339 time, shown to people in Beijing time with UTC beside it.
  const TIME_FACTS = [
    "logged_at", "revoked_from", "at", "expires", "gen_time", "tsa_time", "witness_time", "time", "bound",
    "start", "end", "until",
  ];
  // The bilingual report: the whole report in Chinese, then in English.
  const BOTH = "zh-en";
  const OUTCOMES = ["passed", "failed", "not_checked"];
  // The independent times a report's log may hold, each with a header line and a finding line.
  const TIMES = ["tsa_time", "witness_time"];

  const table = (lang) => CZ.TEXTS[lang];
  const has = (facts, key) => Object.prototype.hasOwnProperty.call(facts, key);

  const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;
  const BEIJING_MS = 8 * 3600 * 1000;

  /**
   * Return an RFC 3339 UTC time as "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC"
   * (ledger/verify/narrative_time.dual_time); in English the zone reads "(Beijing time)".
   */
  function dualTime(value, lang = "zh") {
    const m = RFC3339_UTC.exec(value);
    if (m === null) return value;
    const [, day, clock, digits] = m;
    const fraction = (digits || "").replace(/0+$/, "");
    const tail = fraction ? "." + fraction : "";
    const beijing = new Date(Date.parse(`${day}T${clock}Z`) + BEIJING_MS).toISOString();
    const zone = lang === "en" ? "Beijing time" : "北京时间";
    return `${beijing.slice(0, 10)} ${beijing.slice(11, 19)}${tail} (${zone}) / ${day} ${clock}${tail} UTC`;
  }

  // A missing value: null in a report's JSON facts, "—" or "?" in Python's (a record's content is data).
  function gap(key, value) {
    return value === null || (key !== "content" && (value === "—" || value === "?"));
  }

  /** Return *value* as Python's str() writes it into a template. */
  function shown(value) {
    if (value === true) return "True";
    if (value === false) return "False";
    return String(value);
  }

  /** Return the value of *key* for a template in *lang*, as report._Facts gives it. */
  function fact(facts, key, lang) {
    if (!has(facts, key) || gap(key, facts[key])) return missing(facts, key, lang);
    const value = facts[key];
    if (TIME_FACTS.includes(key) && typeof value === "string") return dualTime(value, lang);
    if (key === "kind" || key === "status" || (key === "type" && lang === "zh")) {
      // A statement type, party kind or asset status in words; Chinese never shows a code.
      return table(lang)[`${key}.${value}`] ?? shown(value);
    }
    return shown(value);
  }

  function missing(facts, key, lang) {
    // "identity": whether an exchange or the operator vouched for the party, in words.
    if (key === "identity" && has(facts, "verified")) {
      return fill(table(lang)[facts.verified ? "identity.verified" : "identity.unverified"], facts, lang);
    }
    return table(lang)["report.unknown"];
  }

  function fill(template, facts, lang) {
    return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, key) => fact(facts, key, lang));
  }

  /** Return the text for *code* in *lang* with *facts* filled in. */
  function text(code, lang, facts = {}) {
    const template = table(lang)[code] ?? table("en")[code] ?? code;
    return fill(template, facts || {}, lang);
  }

  /** Return the line that shows a disclosed record's content, and its size, in *lang*. */
  function contentLine(facts, lang) {
    const whole = facts.content_shown_bytes === facts.content_bytes;
    return text(whole ? "disclosure.content" : "disclosure.content_cut", lang, facts);
  }

  function failedCount(report) {
    return report.checks.filter((c) => c.required && c.outcome !== "passed").length;
  }

  function logLines(report, lang) {
    const log = report.log;
    if (!Object.keys(log).length) return [];
    const source = log.key_source === "given" ? "report.key_given" : "report.key_from_bundle";
    const lines = [
      text("report.log", lang, log),
      text("report.key", lang, log) + " " + text(source, lang),
      text("report.checkpoint", lang, log),
    ];
    return lines.concat(TIMES.filter((t) => has(log, t)).map((t) => text(`report.${t}`, lang, log)));
  }

  /** Return the facts of each proved disclosure of a record, by "index item". */
  function disclosedRecords(checks) {
    const out = new Map();
    for (const c of checks) {
      if (c.reason === "disclosure.proved" && has(c.facts, "content")) out.set(`${c.facts.index} ${c.facts.item}`, c.facts);
    }
    return out;
  }

  function findingLines(number, finding, lang, log, disclosed) {
    const facts = { index: finding.index, type: finding.type, ...finding.facts };
    if (!finding.established) return [`  ${number}. ` + text("finding.not_established", lang, facts)];
    const code = finding.type === "evidence.dataset" ? "finding.dataset" : "finding.timestamp";
    const lines = [`  ${number}. ` + text(code, lang, facts)];
    if (has(facts, "timed_size")) {
      // The entry's own time, from the first time-stamped checkpoint that held it.
      for (const t of TIMES) if (has(facts, t)) lines.push("     - " + text(`finding.entry_${t}`, lang, facts));
    } else {
      for (const t of TIMES) if (has(log, t)) lines.push("     - " + text(`finding.${t}`, lang, log));
    }
    for (const file of finding.files) lines.push("     - " + text("finding.file", lang, { file }));
    for (const item of finding.items) {
      lines.push("     - " + text("finding.item", lang, { item }));
      const record = disclosed.get(`${finding.index} ${item}`);
      if (record !== undefined) lines.push("       " + contentLine(record, lang));
    }
    return lines;
  }

  /** Return the question, the answer as recomputed and whether it was proved complete, in plain words. */
  function claimLines(claim, complete, lang) {
    const facts = claim.facts;
    let kind = has(facts, "kind") && !gap("kind", facts.kind) ? String(facts.kind) : "?";
    if (kind === "portfolio" && has(facts, "at")) kind = "portfolio_at";
    const lines = ["  " + text(`question.${kind}`, lang, facts)];
    if (complete !== undefined) {
      const code = complete.outcome === "passed" ? "completeness.says_proved" : "completeness.says_not_proved";
      lines.push("  " + text(code, lang, complete.facts));
    }
    if (claim.reason !== "claim.confirmed" && claim.reason !== "claim.contradicted") {
      return [...lines, "  " + text("claim.says_unprovable", lang)];
    }
    const none = !kind.startsWith("portfolio") && facts.found === 0;
    const answer = text(`answer.${kind}` + (none ? "_none" : ""), lang, facts);
    let says = claim.outcome === "passed" ? "claim.says_confirmed" : "claim.says_contradicted";
    if (says === "claim.says_confirmed" && complete !== undefined && complete.outcome !== "passed") {
      // An answer recomputed from entries that may not be all of them is not confirmed.
      says = "claim.says_incomplete";
    }
    return [...lines, "  " + text(says, lang) + (lang === "zh" ? "" : " ") + answer];
  }

  /** Return one check as a row: its outcome label, what it is about, its text and what more it shows. */
  function checkRow(c, lang) {
    let about = text(`check.${c.check}`, lang);
    const colon = c.subject.indexOf(":");
    if (colon >= 0) {
      const kind = c.subject.slice(0, colon);
      about += " · " + text(`subject.${kind}`, lang, { name: c.subject.slice(colon + 1) });
    }
    return {
      outcome: c.outcome,
      label: text(`outcome.${c.outcome}`, lang),
      about,
      optional: c.required ? "" : text("report.optional", lang),
      text: text(c.reason, lang, c.facts),
      content: has(c.facts, "content") ? contentLine(c.facts, lang) : "",
      detail: c.detail && c.outcome !== "passed" ? text("report.detail", lang) + " " + detail(c, lang) : "",
    };
  }

  /** Return a failed check's technical detail: by reason code, the message in English, its meaning in Chinese. */
  function detail(c, lang) {
    const code = `detail.${c.reason}`;
    return has(table(lang), code) ? text(code, lang, { ...c.facts, detail: c.detail }) : c.detail;
  }

  function limits(report, language) {
    const log = report.log;
    const timed = TIMES.some((t) => has(log, t)) || report.checks.some((c) => c.reason === "entry_time.established");
    const codes = [timed ? "limits.time_bound" : "limits.time", "limits.before_deposit", "limits.identity", "limits.revocations"];
    // An unreadable bundle: there is no checkpoint whose revocations could be missing.
    if (!has(log, "size")) codes.pop();
    if (Object.keys(log).length && log.key_source !== "given") codes.unshift("limits.key");
    if (report.checks.some((c) => c.reason === "completeness.proved")) codes.push("limits.completeness", "limits.periods");
    else if (report.checks.some((c) => c.check === "claim")) codes.push("limits.later_events", "limits.periods");
    return codes.map((code) => text(code, language, log));
  }

  /** Return the report's sections in *lang*: each a heading and its lines (checks as rows). */
  function sections(report, language) {
    const claim = report.checks.find((c) => c.check === "claim");
    const findings = report.findings.length
      ? []
      : ["  " + text(claim === undefined ? "finding.none" : "finding.registry", language)];
    const disclosed = disclosedRecords(report.checks);
    report.findings.forEach((f, n) => findings.push(...findingLines(n + 1, f, language, report.log, disclosed)));
    const complete = report.checks.find((c) => c.check === "completeness");
    return {
      title: text("report.title", language),
      verdict: text(report.ok ? "report.ok" : "report.not_ok", language, { count: failedCount(report) }),
      log: logLines(report, language),
      findings: { heading: text("report.findings", language), lines: findings },
      claim: claim === undefined ? null : { heading: text("report.claim", language), lines: claimLines(claim, complete, language) },
      checks: { heading: text("report.checks", language), rows: report.checks.map((c) => checkRow(c, language)) },
      limits: { heading: text("report.limits", language), lines: limits(report, language) },
    };
  }

  /** Return the report in plain words, as render_text writes it without a narrative ("zh-en": both). */
  function renderText(report, language = "en") {
    if (language === BOTH) return `${renderText(report, "zh")}\n${"=".repeat(72)}\n\n${renderText(report, "en")}`;
    const s = sections(report, language);
    const out = [s.title, "", s.verdict, "", ...s.log, "", s.findings.heading, ...s.findings.lines];
    if (s.claim !== null) out.push("", s.claim.heading, ...s.claim.lines);
    out.push("", s.checks.heading);
    const width = Math.max(...OUTCOMES.map((o) => Array.from(text(`outcome.${o}`, language)).length));
    for (const row of s.checks.rows) {
      const pad = " ".repeat(width - Array.from(row.label).length);
      out.push(`  [${row.label}]${pad} ${row.about}${row.optional ? " " + row.optional : ""}`, "      " + row.text);
      if (row.content) out.push("      " + row.content);
      if (row.detail) out.push("      " + row.detail);
    }
    out.push("", s.limits.heading, ...s.limits.lines.map((line) => "  - " + line));
    return out.join("\n") + "\n";
  }

  /** Put the report's sections in *lang* into the page element *parent*. */
  function render(parent, report, language) {
    const doc = parent.ownerDocument;
    const el = (tag, className, content) => {
      const node = doc.createElement(tag);
      if (className) node.className = className;
      if (content !== undefined) node.textContent = content;
      return node;
    };
    const list = (className, lines) => {
      const ul = el("ul", className);
      for (const line of lines) ul.append(el("li", "", line.trim()));
      return ul;
    };
    const s = sections(report, language);
    parent.append(el("h3", "report-title", s.title), el("p", "report-verdict", s.verdict), list("report-log", s.log));
    parent.append(el("h4", "", s.findings.heading), list("report-findings", s.findings.lines));
    if (s.claim !== null) parent.append(el("h4", "", s.claim.heading), list("report-claim", s.claim.lines));
    const checks = el("ul", "report-checks");
    for (const row of s.checks.rows) {
      const item = el("li", "");
      item.dataset.outcome = row.outcome;
      item.append(el("strong", "outcome", `[${row.label}]`), " ", el("span", "about", row.about + (row.optional ? " " + row.optional : "")));
      for (const part of [row.text, row.content, row.detail]) if (part) item.append(el("div", "", part));
      checks.append(item);
    }
    parent.append(el("h4", "", s.checks.heading), checks, el("h4", "", s.limits.heading), list("report-limits", s.limits.lines));
  }

  CZ.report = { BOTH, text, dualTime, contentLine, sections, renderText, render };
})((globalThis.CZ = globalThis.CZ || {}));
