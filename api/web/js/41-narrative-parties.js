// The narrative's parties: each by registered name, registry id, who vouched for it and its roles.
//
// Mirrors ledger/verify/narrative_parties.py (parties_json) as
// CZ.narrative.partiesJson. A party's identity counts as verified when the
// operator or an exchange registered it, when it is the operator that
// registered itself, or when a proved party.attest vouched for it; a party an
// event names without its registration in the bundle is "not_in_bundle".
"use strict";
(function (CZ) {
  const N = (CZ.narrative = CZ.narrative || {});

  /** Return every party the bundle registers or an event names, with its keys and roles, in order of appearance. */
  function partiesJson(entries, owners, events) {
    const parties = new Map();
    for (const entry of entries) {
      const type = entry.statement.type;
      if (type === "party.register") {
        parties.set(CZ.bytes.hex(entry.statement.hash), registered(entry, owners));
      } else if (type === "party.attest" || type === "party.rotate_key" || type === "party.revoke_key") {
        change(parties, entry, owners);
      }
    }
    for (const event of events) {
      for (const takingPart of [...event.signers, ...event.parties]) {
        const id = takingPart.party;
        if (id === null) continue;
        if (!parties.has(id)) parties.set(id, unregistered(id));
        const roles = parties.get(id).roles;
        if (!roles.some((r) => r.event === event.index && r.role === takingPart.role)) {
          roles.push({ event: event.index, role: takingPart.role });
        }
      }
    }
    return [...parties.values()].map(({ proved, ...party }) => ({ ...party, status: status(party, proved) }));
  }

  function registered(entry, owners) {
    const { statement, index, proved } = entry;
    const body = statement.body;
    const signer = CZ.bytes.b64encode(statement.signer);
    const selfSigned = signer === body.key;
    const id = CZ.bytes.hex(statement.hash);
    let vouched = null;
    if (selfSigned && body.kind === "operator") vouched = id;
    else if (!selfSigned) vouched = owners.get(signer) ?? null;
    return {
      id,
      name: body.name,
      kind: body.kind,
      registry_id: body.registry_id ?? null,
      registry_id_type: body.registry_id_type ?? null,
      registered_at: index,
      registered_by: owners.get(signer) ?? null,
      verified_by: proved ? vouched : null,
      verified_at: proved && vouched ? index : null,
      proved,
      keys: [{ key: body.key, added_at: index, revoked: null }],
      roles: [],
    };
  }

  function change(parties, entry, owners) {
    const { statement, index } = entry;
    const body = statement.body;
    const party = parties.get(body.party);
    if (party === undefined || !entry.proved) return;
    if (statement.type === "party.attest") {
      if (party.verified_by === null) {
        party.verified_by = owners.get(CZ.bytes.b64encode(statement.signer)) ?? null;
        party.verified_at = index;
        party.registry_id_type = body.registry_id_type;
      }
    } else if (statement.type === "party.rotate_key") {
      party.keys.push({ key: body.new_key, added_at: index, revoked: null });
    } else {
      for (const key of party.keys) {
        if (key.key === body.key) key.revoked = { from: N.bodyTime(body.from), at: index };
      }
    }
  }

  function unregistered(id) {
    return {
      id,
      name: null,
      kind: null,
      registry_id: null,
      registry_id_type: null,
      registered_at: null,
      registered_by: null,
      verified_by: null,
      verified_at: null,
      proved: false,
      keys: [],
      roles: [],
    };
  }

  function status(party, proved) {
    if (party.registered_at === null) return "not_in_bundle";
    if (!proved) return "unproved";
    return party.verified_by !== null ? "verified" : "self_declared";
  }

  Object.assign(N, { partiesJson });
})((globalThis.CZ = globalThis.CZ || {}));
