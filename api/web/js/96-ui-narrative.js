// The judge's narrative on the page: the parties by registered name with
// their standing and roles, each asset's dated timeline, the licences and
// every event with its signers, from CZ.narrative.build (the object of
// ledger/verify/narrative.py) in the words of the report's tables, as
// ledger/verify/narrative_text.py writes them for the terminal.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const GAP = "—";

  // Missing values as the report's gap, which its templates write as "not known".
  const known = (facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, v === null ? GAP : v]));

  function sayer(narrative, lang) {
    const names = new Map(narrative.parties.filter((p) => p.name !== null).map((p) => [p.id, p.name]));
    const say = (code, facts) => CZ.report.text(code, lang, facts || {});
    const who = (id) => (id === null ? say("narrative.unknown_party", { id: GAP }) : names.get(id) || say("narrative.unknown_party", { id }));
    return { say, who };
  }

  function partyLines(narrative, { say, who }) {
    const lines = [];
    narrative.parties.forEach((party, n) => {
      const standing = say(`party_status.${party.status}`, { ...party, verified_by_name: who(party.verified_by) });
      const registryId = party.registry_id || say("narrative.none_stated");
      lines.push(`${n + 1}. ` + say("narrative.party", known({ ...party, standing, name: who(party.id), registry_id: registryId })));
      lines.push("   " + say("narrative.party_id", known({ ...party, registered_by_name: who(party.registered_by) })));
      const roles = party.roles.map((r) => say("narrative.role_in", { event: r.event, role: say(`role.${r.role}`) }));
      if (roles.length) lines.push("   " + say("narrative.party_roles", { roles: roles.join("; ") }));
    });
    return lines;
  }

  function timelineLines(narrative, { say }) {
    const lines = [];
    for (const timeline of narrative.timelines) {
      lines.push(say("narrative.timeline", known(timeline)));
      for (const e of timeline.events) {
        lines.push("   " + say("narrative.timeline_event", { time: e.logged_at.utc, index: e.index, what: say(`type.${e.type}`) }));
      }
    }
    return lines;
  }

  function licenceLines(narrative, { say, who }) {
    const lines = [];
    for (const licence of narrative.licences) {
      lines.push(say("narrative.licence", known({ ...licence, licensor: who(licence.licensor), licensee: who(licence.licensee) })));
      lines.push("   " + say(`narrative.licence_${licence.accepted_at !== null ? "" : "not_"}accepted`, licence));
      lines.push("   " + say(`narrative.licence_${licence.terminated_at !== null ? "" : "not_"}terminated`, licence));
    }
    return lines;
  }

  function eventLines(narrative, { say, who }) {
    const lines = [];
    for (const event of narrative.events) {
      let head = say("narrative.event", { index: event.index, time: event.logged_at.utc, what: say(`type.${event.type}`) });
      if (!event.proved) head += " " + say("narrative.event_unproved");
      lines.push(head);
      for (const s of event.signers) {
        const name = s.party === null ? say("narrative.unknown_key", { key: s.key }) : who(s.party);
        lines.push("   " + say(s.signed === "cosigner" ? "narrative.cosigner" : "narrative.signer", { name, role: say(`role.${s.role}`) }));
      }
    }
    return lines;
  }

  const SECTIONS = [
    ["narrative.parties", partyLines, () => true],
    ["narrative.timelines", timelineLines, (n) => n.timelines.length > 0],
    ["narrative.licences", licenceLines, (n) => n.licences.length > 0],
    ["narrative.events", eventLines, () => true],
  ];

  /** Show the narrative of the bundle *bundleText* verified as *report*, if it has the bundle's form. */
  ui.showNarrative = function (bundleText, report) {
    // The narrative's parts (40-49) come with the report's narrative texts; a page built
    // without them shows the report alone.
    if (!CZ.narrative) return;
    // As cunzheng verify: a text that does not parse as a bundle has no narrative.
    try {
      CZ.bundles.parseBundle(bundleText);
    } catch (e) {
      if (e instanceof CZ.errors.MalformedInput) return;
      throw e;
    }
    const narrative = CZ.narrative.build(JSON.parse(bundleText), report);
    const zh = sayer(narrative, "zh");
    const en = sayer(narrative, "en");
    const out = ui.$("narrative");
    for (const [heading, lines, shown] of SECTIONS) {
      if (!shown(narrative)) continue;
      const block = ui.el("div", { class: "report-section narrative" }, ui.el("h3", {}, ui.label(ui.texts(heading))));
      const zhLines = lines(narrative, zh);
      const enLines = lines(narrative, en);
      zhLines.forEach((line, i) => {
        const attrs = { class: line.startsWith(" ") ? "text-pair sub" : "text-pair" };
        block.append(ui.pair({ zh: line.trim(), en: enLines[i].trim() }, attrs));
      });
      out.append(block);
    }
    ui.$("narrative-json").textContent = JSON.stringify(narrative);
  };
})((globalThis.CZ = globalThis.CZ || {}));
