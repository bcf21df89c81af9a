// Registry ids of parties, typed and checked where a published rule exists.
//
// Mirrors ledger/bodies/identifiers.py:
// - uscc: 统一社会信用代码 (GB 32100-2015), 18 characters from
//   0-9A-HJ-NP-RTUWXY; the 18th is a check character over the first 17, with
//   weights 3^(i-1) mod 31 and check = 31 - (sum mod 31), 31 giving 0;
// - resident_id: 居民身份证号码 (GB 11643-1999), 17 digits and an ISO 7064
//   MOD 11-2 check character (0-9 or X);
// - foreign_company: a company number of another jurisdiction, free-form.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  // ASCII digits only, matched in full (as Python's fullmatch with [0-9]).
  const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
  const RESIDENT_ID = /^[0-9]{17}[0-9X]$/;
  const MOD11_2 = "10X98765432";
  const REGISTRY_ID_TYPES = ["uscc", "resident_id", "foreign_company"];

  // b^e mod m for small numbers.
  function powMod(b, e, m) {
    let out = 1;
    for (let i = 0; i < e; i += 1) out = (out * b) % m;
    return out;
  }

  function usccCheckCharacter(first17) {
    let total = 0;
    for (const [i, c] of Array.from(first17).entries()) total += USCC_ALPHABET.indexOf(c) * powMod(3, i, 31);
    return USCC_ALPHABET[(31 - (total % 31)) % 31];
  }

  function residentIdCheckCharacter(first17) {
    let total = 0;
    for (const [i, c] of Array.from(first17).entries()) total += Number(c) * powMod(2, 17 - i, 11);
    return MOD11_2[total % 11];
  }

  // Refuse *value* unless it is a well-formed registry id of type *kind*.
  function checkRegistryId(kind, value, what) {
    if (kind === "uscc") {
      if (!USCC.test(value)) {
        throw new MalformedInput(
          `${what}: ${B.pyRepr(value)} is not a 统一社会信用代码: 18 characters from 0-9 and ` +
            "A-Z without I, O, S, V and Z, positions 3 to 8 digits (GB 32100-2015)",
        );
      }
      const chars = Array.from(value);
      const expected = usccCheckCharacter(chars.slice(0, 17).join(""));
      if (chars[17] !== expected) {
        throw new MalformedInput(
          `${what}: the check character of 统一社会信用代码 ${value} is wrong ` +
            `(GB 32100-2015 gives ${expected}); check for a typing error`,
        );
      }
    } else if (kind === "resident_id") {
      if (!RESIDENT_ID.test(value)) {
        throw new MalformedInput(`${what}: a resident ID card number is 17 digits and a check character 0-9 or X`);
      }
      const chars = Array.from(value);
      if (chars[17] !== residentIdCheckCharacter(chars.slice(0, 17).join(""))) {
        throw new MalformedInput(
          `${what}: the check character of the resident ID card number is wrong (ISO 7064 MOD 11-2); check for a typing error`,
        );
      }
    } else if (kind !== "foreign_company") {
      throw new MalformedInput(`${what}: registry_id_type must be one of ${REGISTRY_ID_TYPES.join(", ")}`);
    }
  }

  Object.assign(B, { REGISTRY_ID_TYPES, usccCheckCharacter, residentIdCheckCharacter, checkRegistryId });
})((globalThis.CZ = globalThis.CZ || {}));
