// The statement types this log accepts and the typed body of each one.
//
// Mirrors ledger/bodies/__init__.py (BODY_TYPES, parse_body). A statement's
// body is parsed once into the model of its type (AssetTransfer,
// LicenceGrant, ...); the registry's rules read its attributes. contentOf
// gives the parsed body of a statement from CZ.statements.parse, parsing it
// on first use where the statement does not carry it as `content`.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const B = CZ.bodies;

  const MODELS = [
    B.EvidenceTimestamp,
    B.EvidenceDataset,
    B.PartyRegister,
    B.PartyRotateKey,
    B.PartyRevokeKey,
    B.PartyAttest,
    B.LogSettings,
    ...B.ASSET_BODIES,
    ...B.LICENCE_BODIES,
    ...B.OBJECTION_BODIES,
  ];
  // The statement types this log accepts, each with the model of its body.
  const BODY_TYPES = Object.freeze(Object.fromEntries(MODELS.map((model) => [model.TYPE, model])));

  // Return the typed body of a statement of *type*, or throw MalformedInput saying what is wrong.
  function parseBody(type, body) {
    const model = typeof type === "string" && Object.prototype.hasOwnProperty.call(BODY_TYPES, type) ? BODY_TYPES[type] : null;
    if (model === null) {
      const known = Object.keys(BODY_TYPES).sort(B.byCodePoint).join(", ");
      throw new MalformedInput(`statement type ${B.pyRepr(type)} is not known; this log accepts: ${known}`);
    }
    if (!B.isObject(body)) throw new MalformedInput("statement body must be a JSON object");
    return model.parse(body);
  }

  // Return *content* as a *model*; a mismatch is a programming error (TypeError).
  function bodyAs(content, model) {
    if (!(content instanceof model)) throw new TypeError(`a ${content.TYPE} body is not a ${model.name}`);
    return content;
  }

  const parsed = new WeakMap();

  // Return the typed body of *statement* (its `content`, or its body parsed once).
  function contentOf(statement) {
    if (statement.content !== undefined) return statement.content;
    if (!parsed.has(statement)) parsed.set(statement, parseBody(statement.type, statement.body));
    return parsed.get(statement);
  }

  Object.assign(B, { BODY_TYPES, parseBody, bodyAs, contentOf });
})((globalThis.CZ = globalThis.CZ || {}));
