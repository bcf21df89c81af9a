// A claimed answer written as Python's repr writes it, for an answer canonical JSON cannot hold.
//
// Mirrors the fallback of _canonical in ledger/verify/claims.py: a claimed
// answer with a float, an integer beyond ±2^53-1 or deeper than canonical
// JSON nests is shown in a contradiction's detail as repr(value), and the
// portfolio's items are ordered by str(item). JSON values as CZ.canonical
// parses them: a JsonFloat for a number with a fraction or an exponent, a
// BigInt for an integer beyond 2^53. Pure.
"use strict";
(function (CZ) {
  const claims = (CZ.claims = CZ.claims || {});

  /** Return the JSON value *value* as Python's repr writes the value json.loads gives for it. */
  function pyRepr(value) {
    if (value instanceof CZ.canonical.JsonFloat) return pyFloat(value.value);
    if (typeof value === "bigint") return String(value);
    if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
    if (value !== null && typeof value === "object") {
      const items = Object.entries(value).map(([k, v]) => `${CZ.bodies.pyRepr(k)}: ${pyRepr(v)}`);
      return `{${items.join(", ")}}`;
    }
    return CZ.bodies.pyRepr(value);
  }

  /** Return the JSON value *value* as Python's str writes it: a string as itself, else its repr. */
  function pyStr(value) {
    return typeof value === "string" ? value : pyRepr(value);
  }

  // A float as Python's repr writes it: the shortest digits that read back, in
  // fixed notation from 1e-4 up to 1e16 (with ".0" when whole), else as 1e+16.
  function pyFloat(x) {
    if (Object.is(x, -0)) return "-0.0";
    const [mantissa, expText] = x.toExponential().split("e");
    const exp = Number(expText);
    const sign = mantissa.startsWith("-") ? "-" : "";
    const digits = mantissa.replace("-", "").replace(".", "");
    if (exp < -4 || exp >= 16) {
      const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
      const power = String(Math.abs(exp)).padStart(2, "0");
      return `${sign}${digits[0]}${fraction}e${exp < 0 ? "-" : "+"}${power}`;
    }
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
  }

  Object.assign(claims, { pyRepr, pyStr });
})((globalThis.CZ = globalThis.CZ || {}));
