// The body of log.settings: the registry settings the log applies from that entry on.
//
// Mirrors ledger/bodies/settings.py and ledger/bodies/platform.py:
// {"publicity_days": int, "term_days": int, "systems": {"<system>":
// {"certificate": regex, "registration_number"?: regex}, ...}, "platform"?: {...}}.
// The formats are Python regular expressions; pythonPattern reads one as a
// JavaScript RegExp that matches the same texts in full (see its comment for
// what it translates).
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  const MAX_SYSTEMS = 16;
  const MAX_PATTERN = 200;
  const SYSTEM_NAME = B.text(64);
  const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

  // Python's \s, \w and their opposites, for a str pattern (Unicode).
  const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const WORD = "\\p{L}\\p{N}\\p{Mn}\\p{Mc}_";
  const IN_CLASS = { d: "\\p{Nd}", w: WORD, s: SPACE };
  const OUTSIDE = {
    d: "\\p{Nd}",
    D: "\\P{Nd}",
    w: `[${WORD}]`,
    W: `[^${WORD}]`,
    s: `[${SPACE}]`,
    S: `[^${SPACE}]`,
    A: "^",
    Z: "$",
  };

  // Return a RegExp that matches, in full, the texts Python's re.fullmatch(source, text) matches.
  // Translated: \d \w \s (Unicode, as Python's), \A \Z, $ (end or before a final newline),
  // . (anything but a newline; anything inside (?s:...)), (?P<name>...) and (?P=name).
  // Throws SyntaxError where JavaScript cannot read the result.
  function pythonPattern(source) {
    let out = "";
    let inClass = false;
    const dotAll = [false];
    for (let i = 0; i < source.length; i += 1) {
      const c = source[i];
      if (c === "\\") {
        const next = source[i + 1] ?? "";
        i += 1;
        if (inClass && has(IN_CLASS, next)) out += IN_CLASS[next];
        else if (!inClass && has(OUTSIDE, next)) out += OUTSIDE[next];
        else out += "\\" + next;
      } else if (inClass) {
        if (c === "]") inClass = false;
        out += c;
      } else if (c === "[") {
        inClass = true;
        out += c;
        if (source[i + 1] === "^") out += source[++i];
        if (source[i + 1] === "]") out += "\\" + source[++i];
      } else if (source.startsWith("(?s:", i)) {
        dotAll.push(true);
        out += "(?:";
        i += 3;
      } else if (source.startsWith("(?P<", i)) {
        dotAll.push(dotAll[dotAll.length - 1]);
        out += "(?<";
        i += 3;
      } else if (source.startsWith("(?P=", i)) {
        const close = source.indexOf(")", i);
        out += `\\k<${source.slice(i + 4, close)}>`;
        i = close;
      } else if (c === "(") {
        dotAll.push(dotAll[dotAll.length - 1]);
        out += c;
      } else if (c === ")") {
        if (dotAll.length > 1) dotAll.pop();
        out += c;
      } else if (c === ".") {
        out += dotAll[dotAll.length - 1] ? "[\\s\\S]" : "[^\\n]";
      } else if (c === "$") {
        out += "(?=\\n?$)";
      } else {
        out += c;
      }
    }
    return new RegExp(`^(?:${out})$`, "u");
  }

  // Return *value* if it is a regular expression of at most MAX_PATTERN characters.
  function pattern(value, what) {
    if (typeof value !== "string" || !value || B.textLength(value) > MAX_PATTERN) {
      throw new MalformedInput(`${what} must be a regular expression of 1 to ${MAX_PATTERN} characters`);
    }
    try {
      pythonPattern(value);
    } catch (e) {
      throw new MalformedInput(`${what} is not a regular expression: ${e.message}`);
    }
    return value;
  }

  // A registration system the log accepts, with the formats of its numbers.
  function systemFormat(name, certificate, registrationNumber = null) {
    return Object.freeze({ name, certificate, registration_number: registrationNumber });
  }

  function system(name, value, what) {
    if (!B.isObject(value)) throw new MalformedInput(`${what} must be an object with certificate and registration_number`);
    B.requireKeys(value, { required: ["certificate"], optional: ["registration_number"], what });
    const number = has(value, "registration_number") ? value.registration_number : null;
    return systemFormat(
      name,
      pattern(value.certificate, `${what}: certificate`),
      number === null ? null : pattern(number, `${what}: registration_number`),
    );
  }

  // ----- the platform's declared facts (ledger/bodies/platform.py) -----

  const TSA_STATUSES = ["trusted", "test"];
  const PLATFORM_TEXTS = { operator_name: 200, blockchain_filing: 100, security_filing: 100, tsa_name: 200, neutrality: 2000 };
  const PLATFORM_MEMBERS = [...Object.keys(PLATFORM_TEXTS), "credit_code", "security_level", "tsa_status"];

  // A unified social credit code, checked as a party's registry id is (20-bodies-1-identifiers.js).
  function creditCode(value, what) {
    if (typeof value !== "string") throw new MalformedInput(`${what} must be an 18-character unified social credit code`);
    B.checkRegistryId("uscc", value, what);
    return value;
  }

  // What the operator declares about itself and its platform (PlatformFacts' fields, in
  // its order); null where it declares nothing.
  function parsePlatform(value, what) {
    if (!B.isObject(value) || Object.keys(value).length === 0) {
      throw new MalformedInput(`${what} must be an object declaring at least one fact`);
    }
    B.requireKeys(value, { required: [], optional: PLATFORM_MEMBERS, what });
    const facts = {};
    for (const [key, limit] of Object.entries(PLATFORM_TEXTS)) facts[key] = B.optionalText(value, key, what, limit);
    // A member written null is refused like a wrong value: leave out a fact not declared.
    const code = has(value, "credit_code") ? value.credit_code : undefined;
    const level = has(value, "security_level") ? value.security_level : null;
    if (has(value, "security_level") && !(B.isInt(level) && level >= 1 && level <= 5)) {
      throw new MalformedInput(`${what}: security_level must be a level from 1 to 5`);
    }
    const status = has(value, "tsa_status") ? value.tsa_status : null;
    if (has(value, "tsa_status") && !TSA_STATUSES.includes(status)) {
      throw new MalformedInput(`${what}: tsa_status must be one of ${TSA_STATUSES.join(", ")}`);
    }
    return Object.freeze({
      operator_name: facts.operator_name,
      credit_code: code === undefined ? null : creditCode(code, `${what}: credit_code`),
      blockchain_filing: facts.blockchain_filing,
      security_level: level,
      security_filing: facts.security_filing,
      tsa_name: facts.tsa_name,
      tsa_status: status,
      neutrality: facts.neutrality,
    });
  }

  // The log's registry settings, in force from this statement's entry until the next one.
  class LogSettings extends B.StatementBody {
    static parse(body) {
      const what = "log.settings body";
      B.requireKeys(body, { required: ["publicity_days", "term_days", "systems"], optional: ["platform"], what });
      const publicity = B.count(body.publicity_days, `${what}: publicity_days`);
      const term = B.count(body.term_days, `${what}: term_days`);
      if (term < 1) throw new MalformedInput(`${what}: term_days must be at least 1`);
      const systems = body.systems;
      if (!B.isObject(systems) || Object.keys(systems).length < 1 || Object.keys(systems).length > MAX_SYSTEMS) {
        throw new MalformedInput(`${what}: systems must be an object naming 1 to ${MAX_SYSTEMS} registration systems`);
      }
      const parsed = Object.keys(systems)
        .sort(B.byCodePoint)
        .map((name) => system(SYSTEM_NAME(name, `${what}: system name`), systems[name], `${what}: systems: ${name}`));
      const platform = has(body, "platform") ? parsePlatform(body.platform, `${what}: platform`) : null;
      return new this({ publicity_days: publicity, term_days: term, systems: Object.freeze(parsed), platform });
    }
  }
  B.define(LogSettings, { TYPE: "log.settings", DEFAULTS: { platform: null } });

  Object.assign(B, { MAX_SYSTEMS, MAX_PATTERN, pythonPattern, systemFormat, parsePlatform, LogSettings });
})((globalThis.CZ = globalThis.CZ || {}));
