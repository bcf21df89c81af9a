// The narrative of a verified bundle, as ledger/verify/narrative.py's narrative_json gives it.
//
// CZ.narrative.build(bundle, report) takes the bundle's JSON object and the
// report CZ.verifyBundle returns (report_json's shape) and returns the same
// object as narrative_json (format cunzheng.narrative/v1, documented in that
// module): parties, events, licences with their terms, each asset's dated
// timeline, each evidence entry's files, disclosed records and independent
// times, and the platform facts of the latest log.settings entry, each null
// where the operator declared nothing. An entry whose statement does not
// parse is left out, as in Python.
"use strict";
(function (CZ) {
  const N = (CZ.narrative = CZ.narrative || {});
  const FORMAT = "cunzheng.narrative/v1";
  // The facts of the platform, in the order a report lists them.
  const PLATFORM_FACTS = [
    "operator_name",
    "credit_code",
    "blockchain_filing",
    "security_level",
    "security_filing",
    "tsa_name",
    "tsa_status",
    "neutrality",
  ];
  const LICENCE_EVENTS = { "licence.accept": "accepted_at", "licence.terminate": "terminated_at" };

  /** Return the narrative of *bundle* as verified in *report*. */
  function build(bundle, report) {
    const entries = narrativeEntries(bundle, report.checks);
    const owners = N.keyOwners(entries);
    const events = N.eventsJson(entries, owners);
    return {
      format: FORMAT,
      parties: N.partiesJson(entries, owners, events),
      events,
      licences: licencesJson(events),
      timelines: timelinesJson(events),
      evidence: evidenceJson(events, report),
      platform: platformJson(entries, owners),
    };
  }

  function narrativeEntries(bundle, checks) {
    const failed = new Set(checks.filter((c) => c.required && c.outcome !== "passed").map((c) => c.subject));
    const checked = new Set(checks.map((c) => c.subject));
    const out = [];
    for (const model of bundle.entries || []) {
      let statement;
      try {
        statement = CZ.statements.parse(model.statement);
      } catch (e) {
        if (e instanceof CZ.errors.LedgerError) continue;
        throw e;
      }
      const subject = `entry:${model.index}`;
      const proved = checked.has(subject) && !failed.has(subject);
      out.push({ index: model.index, role: model.role, loggedAt: model.logged_at, statement, proved });
    }
    return out;
  }

  function licencesJson(events) {
    const licences = new Map();
    for (const event of events) {
      if (event.type === "licence.grant") {
        const licensor = event.parties.find((p) => p.role === "licensor")?.party ?? null;
        licences.set(event.id, {
          id: event.id,
          asset: event.asset,
          granted_at: event.index,
          licensor,
          ...event.particulars,
          accepted_at: null,
          terminated_at: null,
        });
      } else if (event.type in LICENCE_EVENTS && licences.has(event.licence)) {
        licences.get(event.licence)[LICENCE_EVENTS[event.type]] = event.index;
      }
    }
    return [...licences.values()];
  }

  function timelinesJson(events) {
    const timelines = new Map();
    for (const event of events) {
      if (event.asset === null) continue;
      if (!timelines.has(event.asset)) timelines.set(event.asset, { asset: event.asset, name: null, events: [] });
      const line = timelines.get(event.asset);
      if ((event.type === "asset.apply" || event.type === "asset.change") && event.particulars.name) {
        line.name = event.particulars.name;
      }
      line.events.push({ index: event.index, type: event.type, logged_at: event.logged_at });
    }
    return [...timelines.values()];
  }

  function evidenceJson(events, report) {
    const findings = new Map(report.findings.map((f) => [f.index, f]));
    return events
      .filter((event) => event.role === "evidence")
      .map((event) => {
        const finding = findings.get(event.index) || {};
        return {
          index: event.index,
          type: event.type,
          established: Boolean(finding.established),
          depositor: event.parties.find((p) => p.role === "depositor")?.party ?? null,
          particulars: event.particulars,
          logged_at: event.logged_at,
          files: [...(finding.files || [])],
          disclosed: disclosed(event.index, report.checks),
          times: times(event.index, report),
        };
      });
  }

  function disclosed(index, checks) {
    return checks
      .filter((c) => c.reason === "disclosure.proved" && c.facts.index === index)
      .map((c) => ({
        item: c.facts.item,
        disclosure: c.facts.name,
        content: c.facts.content ?? null,
        content_bytes: c.facts.content_bytes ?? null,
        content_shown_bytes: c.facts.content_shown_bytes ?? null,
      }));
  }

  function times(index, report) {
    const own = report.checks.find((c) => c.check === "entry_time" && c.subject === `entry:${index}`);
    const status = own === undefined ? null : own.reason;
    if (own !== undefined && status === "entry_time.established") {
      const facts = own.facts;
      return { status, checkpoint: facts.size ?? null, bound: "entry", ...bounds(facts, facts.witnesses ?? null) };
    }
    const log = report.log;
    const bound = log.tsa_time || log.witness_time ? "bundle" : null;
    return { status, checkpoint: bound ? log.size ?? null : null, bound, ...bounds(log, log.witness ?? null) };
  }

  function bounds(facts, witnesses) {
    const tsa = N.timeJson(facts.tsa_time);
    const witness = N.timeJson(facts.witness_time);
    return {
      tsa: tsa === null ? null : { time: tsa, by: facts.tsa_subject ?? null, stamped_at: N.timeJson(facts.gen_time) },
      witness: witness === null ? null : { time: witness, by: witnesses },
    };
  }

  function platformJson(entries, owners) {
    const latest = [...entries].reverse().find((e) => e.statement.type === "log.settings");
    const facts = {};
    for (const name of PLATFORM_FACTS) facts[name] = latest?.statement.body.platform?.[name] ?? null;
    if (latest === undefined) return { entry: null, proved: false, operator: null, ...facts };
    const operator = owners.get(CZ.bytes.b64encode(latest.statement.signer)) ?? null;
    return { entry: latest.index, proved: latest.proved, operator, ...facts };
  }

  Object.assign(N, { FORMAT, PLATFORM_FACTS, build });
})((globalThis.CZ = globalThis.CZ || {}));
