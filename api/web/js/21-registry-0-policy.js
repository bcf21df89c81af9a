// The registry settings of a log: publicity period, longest term, registration systems.
//
// Mirrors ledger/registry/policy.py. The rules read the Policy in force from
// the registry's state (the latest log.settings, or DEFAULT_POLICY before
// any). publicity and term are durations in microseconds, as times are.
"use strict";
(function (CZ) {
  const R = CZ.registry;
  const B = CZ.bodies;

  const DEFAULT_SYSTEM = "shanghai-data-ip";
  // CNIPA's unified certificate (2024): 17 digits, year, month, registrar code and serial.
  const CNIPA_CERTIFICATE = "(19|20)\\d{2}(0[1-9]|1[0-2])\\d{11}";
  // CNIPA's registration number: 16 characters, the last a check character (format only).
  const CNIPA_REGISTRATION_NUMBER = "[0-9A-Z]{15}[0-9A-Z]";
  const UNCHECKED = "(?s:.*)";

  function defaultSystems(name = DEFAULT_SYSTEM) {
    return [B.systemFormat(name, CNIPA_CERTIFICATE, CNIPA_REGISTRATION_NUMBER)];
  }

  // Publicity period (公示期), longest registration term, the systems accepted, the platform's declared facts.
  class Policy extends R.Record {
    // The registration system *name*, if the log accepts it; a policy naming none accepts any, unchecked.
    system(name) {
      if (this.systems.length === 0) return B.systemFormat(name, UNCHECKED);
      return this.systems.find((s) => s.name === name) ?? null;
    }

    // The log.settings body that states this policy.
    body() {
      const systems = {};
      for (const s of this.systems) {
        systems[s.name] = { certificate: s.certificate };
        if (s.registration_number !== null) systems[s.name].registration_number = s.registration_number;
      }
      const body = { publicity_days: days(this.publicity), term_days: days(this.term), systems };
      if (this.platform !== null) {
        body.platform = Object.fromEntries(Object.entries(this.platform).filter(([, v]) => v !== null));
      }
      return body;
    }

    // The policy a log.settings body states.
    static fromBody(body) {
      return new Policy({
        publicity: body.publicity_days * B.DAY,
        term: body.term_days * B.DAY,
        systems: [...body.systems].sort((a, b) => B.byCodePoint(a.name, b.name)),
        platform: body.platform,
      });
    }
  }
  Policy.DEFAULTS = {
    publicity: 15 * B.DAY, // Shanghai's 2024 interim measures
    term: (3 * 365 + 1) * B.DAY, // a common 3-year certificate
    systems: defaultSystems(),
    platform: null,
  };

  // Whole days in a duration, as timedelta.days gives them.
  function days(duration) {
    return Math.floor(duration / B.DAY);
  }

  const DEFAULT_POLICY = new Policy({});
  const compiled = new Map();

  // Whether *value* matches the Python regular expression *regex* in full.
  function matches(regex, value) {
    if (!compiled.has(regex)) compiled.set(regex, B.pythonPattern(regex));
    return compiled.get(regex).test(value);
  }

  Object.assign(R, { DEFAULT_SYSTEM, CNIPA_CERTIFICATE, CNIPA_REGISTRATION_NUMBER, UNCHECKED, defaultSystems, Policy, DEFAULT_POLICY, days, matches });
})((globalThis.CZ = globalThis.CZ || {}));
