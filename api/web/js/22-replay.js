// Who held which key when: a bundle's entries replayed through the log's own rules.
//
// Mirrors ledger/verify/replay.py (ReplayEntry, REPLAY_POLICY, replay). The
// proved entries of a bundle are replayed in log order through CZ.registry
// against a MemoryRegistry that starts empty. A party or registry entry
// passes if the rules allow it given the entries before it; an evidence
// entry's key is valid if a party entry before it registered the key and the
// key's record after the whole replay was not revoked at the entry's
// logged_at (a revocation may name a time in the past).
//
// With the log's settings entries proved complete, the replay starts from
// the given policy (DEFAULT_POLICY) and applies each log.settings from its
// index on; otherwise it runs under REPLAY_POLICY throughout, which checks
// no publicity, term or number format. Each check is an object with the
// fields of ledger/verify/report.Check (outcome: passed, failed, not_checked).
"use strict";
(function (CZ) {
  const { RuleViolation } = CZ.errors;
  const R = CZ.registry;
  const B = CZ.bodies;
  const b64 = (key) => CZ.bytes.b64encode(key);

  // No publicity period, a term no registration reaches and any registration system with
  // unchecked numbers: until a log.settings entry in the bundle says otherwise.
  const REPLAY_POLICY = new R.Policy({ publicity: 0, term: 1000 * 365 * B.DAY, systems: [] });

  // A bundle entry as the replay sees it; proved if its signature and inclusion hold.
  function replayEntry({ index, statement, loggedAt, proved }) {
    return Object.freeze({ index, statement, loggedAt, proved });
  }

  // Return a Map from entry index to the key check of each evidence entry and the
  // rules check of each other entry. *policy*: the log's settings before its first
  // entry when the bundle proves its settings entries complete; null replays under
  // REPLAY_POLICY throughout.
  function replay(entries, { policy = null } = {}) {
    const view = new R.MemoryRegistry({ settings: policy ?? REPLAY_POLICY });
    const checks = new Map();
    const allowed = [];
    for (const entry of [...entries].sort((a, b) => a.index - b.index)) {
      const kind = entry.statement.type.startsWith("evidence.") ? "key" : "rules";
      const facts = { index: entry.index, type: entry.statement.type };
      if (!entry.proved) {
        checks.set(entry.index, check(kind, entry, "not_checked", "replay.skipped", facts));
        continue;
      }
      try {
        view.add(entry.statement, { index: entry.index, loggedAt: entry.loggedAt });
      } catch (e) {
        if (!(e instanceof RuleViolation)) throw e;
        checks.set(entry.index, refused(kind, entry, e, view));
        continue;
      }
      if (policy === null) view.settings = REPLAY_POLICY;
      if (kind === "key") allowed.push(entry);
      else checks.set(entry.index, check(kind, entry, "passed", "rules.allowed", facts));
    }
    for (const entry of allowed) checks.set(entry.index, keyCheck(entry, view));
    return checks;
  }

  // The key check of an evidence entry the rules allowed, counting later revocations.
  function keyCheck(entry, view) {
    const revoked = firstInvalid(entry, view);
    if (revoked !== null) {
      const facts = keyFacts(entry, revoked, view.key(revoked));
      return check("key", entry, "failed", "key.revoked", facts, revokedDetail(facts));
    }
    const record = view.key(entry.statement.signer);
    const party = view.party(record.party);
    const facts = {
      ...keyFacts(entry, record.key, record),
      party: CZ.bytes.hex(record.party),
      name: party ? party.name : "?",
      kind: party ? party.kind : "?",
      registry_id: (party ? party.registry_id : null) || "—",
      registered_at: record.index,
      ...identityFacts(party, view),
    };
    return check("key", entry, "passed", "key.valid", facts);
  }

  // Whether an exchange or the operator vouched for *party*'s name and registry id, and who.
  function identityFacts(party, view) {
    if (party === null || party.verified_by === null) return { verified: false };
    const attester = view.party(party.verified_by);
    return {
      verified: true,
      verified_by: attester ? attester.name : CZ.bytes.hex(party.verified_by),
      verified_at: party.verified_index !== null ? party.verified_index : "—",
    };
  }

  // The first of the entry's signing keys (submitter, then cosigners) not valid when it was logged.
  function firstInvalid(entry, view) {
    for (const key of entry.statement.signers) {
      const record = view.key(key);
      if (record === null || !record.validAt(entry.loggedAt)) return key;
    }
    return null;
  }

  function refused(kind, entry, error, view) {
    if (kind === "rules") {
      const facts = { index: entry.index, type: entry.statement.type, rule: error.reasonCode };
      return check(kind, entry, "failed", "rules.refused", facts, error.message);
    }
    const key = firstInvalid(entry, view) ?? entry.statement.signer;
    const facts = keyFacts(entry, key, view.key(key));
    const reason = error.reasonCode === "key.revoked" ? "key.revoked" : "key.unknown";
    return check(kind, entry, "failed", reason, facts, error.message);
  }

  function keyFacts(entry, key, record) {
    const facts = { index: entry.index, type: entry.statement.type, key: b64(key), logged_at: B.formatTime(entry.loggedAt) };
    if (record !== null && record.revoked_from !== null) {
      facts.revoked_from = B.formatTime(record.revoked_from);
      facts.revoked_at = record.revoked_index !== null ? record.revoked_index : "?";
    }
    return facts;
  }

  function revokedDetail(facts) {
    return (
      `key ${facts.key} is revoked from ${facts.revoked_from} by entry ${facts.revoked_at}; ` +
      `entry ${facts.index} was logged at ${facts.logged_at}`
    );
  }

  function check(kind, entry, outcome, reason, facts, detail = "") {
    const withKey = "key" in facts ? facts : { ...facts, key: b64(entry.statement.signer) };
    return { check: kind, subject: `entry:${entry.index}`, outcome, reason, required: true, facts: withKey, detail };
  }

  CZ.replay = { REPLAY_POLICY, replayEntry, replay };
})((globalThis.CZ = globalThis.CZ || {}));
