// A court's answer checked offline: the claimed answer recomputed from a bundle's proved entries.
//
// Mirrors ledger/verify/claims.py (check_claim, question_facts,
// answer_facts, OMISSION_RULES) as CZ.claims.checkClaim. The claim must name
// every registry entry of the bundle and each must be proved; the proved
// entries are replayed in log order through CZ.registry's MemoryRegistry (the
// registry's own rules) up to the time asked about, and the answer computed
// from the resulting state (CZ.claims.recompute) must equal the one claimed.
// That the entries are all those bearing on the answer is
// CZ.completeness's check.
//
// Reason codes: claim.confirmed, claim.contradicted, claim.omitted (an entry
// the claim names is missing), claim.chain_broken (the replay refuses an
// event because one it depends on is missing), claim.unprovable. Pure.
"use strict";
(function (CZ) {
  const { MalformedInput, RuleViolation } = CZ.errors;
  const B = CZ.bytes;
  const claims = (CZ.claims = CZ.claims || {});

  // Refusals that mean an entry the refused one depends on is not in the bundle.
  const OMISSION_RULES = ["asset.stale_prev", "asset.unknown", "licence.unknown", "objection.unknown", "key.unknown"];
  // The question's members in the order the question model declares them.
  const QUESTION_FIELDS = ["kind", "asset", "party", "purpose", "at", "fingerprint", "certificate"];
  const PORTFOLIO_PARTS = ["holds", "licensed", "pledged"];
  const pyList = (list) => CZ.completeness.pyList(list);

  /**
   * Return the check of *claim* (the bundle's {question, answer, entries})
   * against the bundle's *entries* (CZ.replay entries: index, statement,
   * loggedAt, proved), whose registry entries are at the indexes *registry*.
   */
  function checkClaim(claim, entries, registry) {
    const question = claim.question;
    const facts = questionFacts(question);
    const present = new Set(registry);
    const missing = claim.entries.filter((i) => !present.has(i));
    if (missing.length) {
      facts.missing = missing.join(", ");
      return failed("claim.omitted", facts, `the claim names entries ${pyList(missing)}, not in the bundle`);
    }
    const named = new Set(claim.entries);
    const unlisted = [...present].filter((i) => !named.has(i)).sort((a, b) => a - b);
    const unproved = entries.filter((e) => !e.proved).map((e) => e.index);
    if (unlisted.length || unproved.length) {
      const detail = unlisted.length
        ? `registry entries ${pyList(unlisted)} are not named by the claim`
        : `entries ${pyList(unproved)} did not verify`;
      return failed("claim.unprovable", facts, detail);
    }
    const asked = question.at === undefined ? null : question.at;
    const moment = asked === null ? null : CZ.statements.parseTime(asked, "question.at");
    const view = new CZ.registry.MemoryRegistry({ settings: CZ.replay.REPLAY_POLICY });
    const seen = new claims.Seen();
    for (const entry of [...entries].sort((a, b) => a.index - b.index)) {
      if (moment !== null && entry.loggedAt > moment) continue;
      let effects;
      try {
        effects = view.add(entry.statement, { index: entry.index, loggedAt: entry.loggedAt });
      } catch (e) {
        if (!(e instanceof RuleViolation)) throw e;
        Object.assign(facts, { index: entry.index, type: entry.statement.type, rule: e.reasonCode });
        const reason = OMISSION_RULES.includes(e.reasonCode) ? "claim.chain_broken" : "claim.unprovable";
        return failed(reason, facts, `entry ${entry.index}: ${e.message}`);
      }
      seen.take(effects.objects);
    }
    const answer = claims.recompute(question, view, moment, seen);
    Object.assign(facts, answerFacts(question, answer, view));
    const recomputed = canonical(answer);
    const claimed = canonical(claim.answer === undefined ? null : claim.answer);
    if (recomputed !== claimed) {
      return failed("claim.contradicted", facts, `claimed ${claimed}; the entries give ${recomputed}`);
    }
    return result("passed", "claim.confirmed", facts, "");
  }

  /** Return the question's kind and parameters as report facts, in the question model's order. */
  function questionFacts(question) {
    const facts = {};
    for (const name of QUESTION_FIELDS) {
      const value = question[name];
      if (value !== undefined && value !== null) facts[name] = String(value);
    }
    return facts;
  }

  /** Return the recomputed answer as report facts, parties named as they registered. */
  function answerFacts(question, answer, view) {
    if (question.kind === "fingerprint") return { assets: answer.join(", ") || "—", found: answer.length };
    if (question.kind === "portfolio") {
      const out = {};
      for (const part of PORTFOLIO_PARTS) {
        const ids = answer[part].map((doc) => (isDoc(doc) ? claims.pyStr(doc.id) : claims.pyStr(doc)));
        out[part] = ids.join(", ") || "—";
        out[`${part}_count`] = ids.length;
      }
      return out;
    }
    if (question.kind === "licensed") return { licences: answer.join(", ") || "—", found: answer.length };
    if (answer === null) return { found: 0 };
    if (question.kind === "holder") return { found: 1, holder: answer, holder_name: partyName(view, answer) };
    // history and certificate: the asset as it stands.
    return {
      found: 1,
      status: answer.status,
      holder: answer.holder,
      holder_name: partyName(view, answer.holder),
      registrar: answer.registrar,
      registrar_name: partyName(view, answer.registrar),
      version: answer.version,
      certificate: answer.certificate || "—",
      expires: answer.expires || "—",
      last_event: answer.last_event,
    };
  }

  function partyName(view, partyHex) {
    const party = view.party(B.fromHex(partyHex));
    return party !== null && party !== undefined ? party.name : "?";
  }

  // The answer in canonical JSON text, the portfolio's and licences' lists in id order.
  function canonical(value) {
    let sorted = value;
    if (isDoc(value) && sameKeys(value, PORTFOLIO_PARTS)) {
      sorted = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? byId(v) : v]),
      );
    } else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      sorted = [...value].sort(CZ.bodies.byCodePoint);
    }
    try {
      return CZ.canonical.json(sorted);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      return claims.pyRepr(sorted);
    }
  }

  function byId(list) {
    const key = (d) => claims.pyStr(isDoc(d) ? (d.id === undefined ? null : d.id) : d);
    return [...list].sort((a, b) => CZ.bodies.byCodePoint(key(a), key(b)));
  }

  function sameKeys(doc, keys) {
    const own = Object.keys(doc);
    return own.length === keys.length && keys.every((k) => own.includes(k));
  }

  function isDoc(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function result(outcome, reason, facts, detail) {
    return { check: "claim", subject: "claim", outcome, reason, required: true, facts, detail };
  }

  function failed(reason, facts, detail) {
    return result("failed", reason, facts, detail);
  }

  Object.assign(claims, { OMISSION_RULES, checkClaim, questionFacts, answerFacts });
})((globalThis.CZ = globalThis.CZ || {}));
