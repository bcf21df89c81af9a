// The narrative's times and events: who signed each event, in what role, and what its body states.
//
// Mirrors ledger/verify/narrative_time.py (dual_time, time_json) and
// ledger/verify/narrative_events.py (key_owners, events_json) as parts of
// CZ.narrative, walking the bundle's JSON: each entry becomes an event with
// its logged time, the asset and licence it concerns, every key that signed
// it with the party the key belongs to, the parties it names in their roles
// (holder, registrar, new holder, pledgee, licensor, licensee...) and its
// particulars. 41-narrative-parties.js and 41-narrative-report.js add the
// rest; CZ.narrative.build gives what narrative_json gives.
"use strict";
(function (CZ) {
  const N = (CZ.narrative = CZ.narrative || {});
  const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
  const pad = (n, width = 2) => String(n).padStart(width, "0");

  /** Return an RFC 3339 UTC time as "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC" ("Beijing time" in en). */
  function dualTime(value, lang = "zh") {
    const m = RFC3339_UTC.exec(value);
    if (m === null) return value;
    const [, y, mo, d, h, mi, s] = m;
    const fraction = (m[7] || "").replace(/0+$/, "");
    const tail = fraction ? "." + fraction : "";
    const at = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) + 8 * 3600 * 1000);
    const beijing =
      `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ` +
      `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
    const zone = lang === "en" ? "Beijing time" : "北京时间";
    return `${beijing}${tail} (${zone}) / ${y}-${mo}-${d} ${h}:${mi}:${s}${tail} UTC`;
  }

  /** Return {utc, shown} for an RFC 3339 time, or null for none. */
  function timeJson(value) {
    if (typeof value !== "string" || value === "") return null;
    return { utc: value, shown: dualTime(value) };
  }

  // A time a body states, written as the ledger writes it (format_time: six digits of fraction).
  function bodyTime(value) {
    const m = RFC3339_UTC.exec(value);
    if (m === null) return timeJson(value);
    const fraction = (m[7] || "").padEnd(6, "0").slice(0, 6);
    return timeJson(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}Z`);
  }

  /** Return the party (hex id) each key (base64) was registered or rotated to by the entries. */
  function keyOwners(entries) {
    const owners = new Map();
    for (const { statement } of entries) {
      const body = statement.body;
      if (statement.type === "party.register") owners.set(body.key, CZ.bytes.hex(statement.hash));
      else if (statement.type === "party.rotate_key") owners.set(body.new_key, body.party);
    }
    return owners;
  }

  /** Return every entry as an event: its signers, the parties it names in their roles, its particulars. */
  function eventsJson(entries, owners) {
    const chains = { holder: new Map(), registrar: new Map(), pledgee: new Map(), licences: new Map() };
    return entries.map((entry) => eventJson(entry, owners, chains));
  }

  function eventJson(entry, owners, chains) {
    const statement = entry.statement;
    const signer = owners.get(CZ.bytes.b64encode(statement.signer)) ?? null;
    const [asset, licence] = concerns(statement, chains);
    const named = namedRoles(statement, signer, asset, licence, chains);
    advance(statement, signer, asset, chains);
    const signers = statement.signers.map((key, n) => {
      const written = CZ.bytes.b64encode(key);
      const party = owners.get(written) ?? null;
      const role = (party !== null && named.find(([, p]) => p === party)?.[0]) || "signer";
      return { key: written, party, role, signed: n === 0 ? "signer" : "cosigner" };
    });
    return {
      index: entry.index,
      type: statement.type,
      role: entry.role,
      logged_at: timeJson(entry.loggedAt),
      proved: entry.proved,
      id: CZ.bytes.hex(statement.hash),
      asset,
      licence,
      signers,
      parties: named.map(([role, party]) => ({ party, role })),
      particulars: particulars(statement),
    };
  }

  const ON_ASSET = (type) =>
    (type.startsWith("asset.") && type !== "asset.apply") ||
    type.startsWith("objection.") ||
    type === "access.read";

  function concerns(statement, chains) {
    const { type, body } = statement;
    if (type === "asset.apply") return [CZ.bytes.hex(statement.hash), null];
    if (type === "licence.grant") return [body.asset, CZ.bytes.hex(statement.hash)];
    if (ON_ASSET(type)) return [body.asset, null];
    if (type === "licence.accept" || type === "licence.terminate") {
      return [chains.licences.get(body.licence)?.asset ?? null, body.licence];
    }
    return [null, null];
  }

  function namedRoles(statement, signer, asset, licence, chains) {
    const { type, body } = statement;
    const registrar = asset === null ? null : chains.registrar.get(asset) ?? null;
    const holder = asset === null ? null : chains.holder.get(asset) ?? null;
    let out;
    if (type === "asset.apply") out = [["holder", signer], ["registrar", body.registrar]];
    else if (type === "licence.grant") {
      out = [["licensor", holder], ["licensee", body.licensee], ["registrar", registrar]];
    } else if (type === "licence.accept" || type === "licence.terminate") {
      const grant = chains.licences.get(licence) || {};
      out = [["licensor", grant.licensor ?? null], ["licensee", grant.licensee ?? null]];
    } else if (type === "objection.file") out = [["objector", signer], ["holder", holder], ["registrar", registrar]];
    else if (type === "access.read") out = [["reader", body.reader], ["operator", signer]];
    else if (ON_ASSET(type)) {
      out = [["holder", holder], ["registrar", registrar]];
      if (type === "asset.transfer") out.push(["new_holder", body.to]);
      else if (type === "asset.pledge") out.push(["pledgee", body.pledgee]);
      else if (type === "asset.release") out.push(["pledgee", chains.pledgee.get(asset) ?? null]);
    } else out = partyRoles(statement, signer);
    return out.filter(([, party]) => party !== null && party !== undefined);
  }

  function partyRoles(statement, signer) {
    const { type, body } = statement;
    if (type === "party.register") {
      const registered = CZ.bytes.hex(statement.hash);
      if (CZ.bytes.b64encode(statement.signer) === body.key) return [["registrant", registered]];
      return [["registrant", registered], ["registering_party", signer]];
    }
    if (type === "party.attest") return [["attested", body.party], ["attester", signer]];
    if (type === "party.rotate_key" || type === "party.revoke_key") return [["key_holder", body.party]];
    if (type.startsWith("evidence.")) return [["depositor", signer]];
    return [["operator", signer]];
  }

  function advance(statement, signer, asset, chains) {
    const { type, body } = statement;
    if (asset === null) return;
    if (type === "asset.apply" && signer !== null) {
      chains.holder.set(asset, signer);
      chains.registrar.set(asset, body.registrar);
    } else if (type === "asset.transfer") chains.holder.set(asset, body.to);
    else if (type === "asset.pledge") chains.pledgee.set(asset, body.pledgee);
    else if (type === "asset.release") chains.pledgee.delete(asset);
    else if (type === "licence.grant") {
      chains.licences.set(CZ.bytes.hex(statement.hash), {
        asset,
        licensor: chains.holder.get(asset) ?? null,
        licensee: body.licensee,
      });
    }
  }

  const orNull = (value) => (value === undefined ? null : value);
  const sortedKeys = (obj) => Object.keys(obj || {}).sort();

  /** Return a licence's terms as a licence.grant body states them. */
  function licenceTerms(body) {
    return {
      licensee: body.licensee,
      kind: body.kind,
      scope: [...body.scope],
      territory: [...body.territory],
      start: bodyTime(body.start),
      end: bodyTime(body.end),
      sublicensing: body.sublicensing,
      fee_terms_sha256: body.fee_terms_sha256,
    };
  }

  // What each statement type's body states, ids and digests in hex, keys in base64, times dual.
  const PARTICULARS = {
    "licence.grant": licenceTerms,
    "asset.apply": (b) => ({
      name: orNull(b.particulars.name),
      system: b.system,
      fingerprint: b.fingerprint,
      confidential: sortedKeys(b.confidential),
    }),
    "asset.change": (b) => ({
      name: orNull(b.particulars.name),
      changed: sortedKeys(b.particulars),
      confidential: sortedKeys(b.confidential),
    }),
    "licence.accept": (b) => ({ licence: b.licence }),
    "licence.terminate": (b) => ({ licence: b.licence }),
    "asset.publicize": (b) => ({ until: bodyTime(b.until) }),
    "asset.register": (b) => ({
      certificate: b.certificate,
      expires: bodyTime(b.expires),
      registration_number: orNull(b.registration_number),
    }),
    "asset.version": (b) => ({ fingerprint: b.fingerprint }),
    "asset.renew": (b) => ({ expires: bodyTime(b.expires) }),
    "asset.revoke": (b) => ({ objection: orNull(b.objection) }),
    "asset.transfer": (b) => ({ to: b.to }),
    "asset.pledge": (b) => ({ pledgee: b.pledgee, terms_sha256: b.terms_sha256 }),
    "objection.file": (b) => ({ grounds: b.grounds, evidence_sha256: b.evidence_sha256 }),
    "objection.decide": (b) => ({ objection: b.objection, outcome: b.outcome, effect: orNull(b.effect) }),
    "access.read": (b) => ({ reader: b.reader, fields: [...b.fields] }),
    "party.register": (b) => ({
      name: b.name,
      kind: b.kind,
      registry_id: orNull(b.registry_id),
      registry_id_type: orNull(b.registry_id_type),
    }),
    "party.attest": (b) => ({
      party: b.party,
      name: b.name,
      registry_id: b.registry_id,
      registry_id_type: b.registry_id_type,
    }),
    "party.rotate_key": (b) => ({ party: b.party, old_key: b.old_key, new_key: b.new_key }),
    "party.revoke_key": (b) => ({ party: b.party, key: b.key, from: bodyTime(b.from) }),
    "evidence.timestamp": (b) => ({ sha256: b.sha256, media_type: orNull(b.media_type) }),
    "evidence.dataset": (b) => ({ root: b.root, scheme: b.scheme, count: b.count, format: orNull(b.format) }),
    "log.settings": (b) => ({
      publicity_days: b.publicity_days,
      term_days: b.term_days,
      systems: sortedKeys(b.systems),
    }),
  };

  function particulars(statement) {
    const stated = PARTICULARS[statement.type];
    return stated === undefined ? {} : stated(statement.body);
  }

  Object.assign(N, { dualTime, timeJson, bodyTime, keyOwners, eventsJson, licenceTerms });
})((globalThis.CZ = globalThis.CZ || {}));
