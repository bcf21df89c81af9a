// The evidence bundle read and checked entry by entry: its model, the log key, signatures, inclusion.
//
// Mirrors the bundle model of schemas/bundles.py and the helpers of
// ledger/verify/verifier.py (parse_bundle, _well_formed, _check_attestations,
// _log_key, _signature, _inclusion) as CZ.bundles; CZ.verifyBundle
// (34-verifier.js) puts them together. parseBundle refuses what the Pydantic
// model refuses (a missing or extra field, a wrong type, a hash that is not
// canonical base64 of 32 bytes, a question without its parameters), naming
// the first field that is wrong; wellFormed also refuses entries out of
// order, a role that does not match the statement, and a repeated or
// malformed cosignature line.
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidSignature, InvalidProof } = CZ.errors;
  const { check } = CZ.verify;
  const B = CZ.bytes;
  const BUNDLE_FORMAT = "cunzheng.bundle/v1";
  const ROLE_OF_FAMILY = {
    evidence: "evidence", party: "party", asset: "registry", licence: "registry",
    objection: "registry", access: "registry", log: "settings",
  };
  const ROLES = ["evidence", "party", "registry", "settings"];

  // --- The bundle model (schemas/bundles.py) ---------------------------------------
  // Each model reads its fields in the order the Python declares them and reports
  // the first one wrong, then any field it does not know, as Pydantic does.

  const REQUIRED = Symbol("required");
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const fail = (where, message) => {
    throw new MalformedInput(`bundle is not a valid ${BUNDLE_FORMAT} file: ${where}: ${message}`);
  };
  const join = (where, key) => (where === "" ? String(key) : `${where}.${key}`);

  /** Return a reader of the model *name* whose fields are [key, read, default or REQUIRED]. */
  function model(name, spec) {
    return (obj, where) => {
      if (!isObject(obj)) fail(where || "bundle", `Input should be a valid dictionary or instance of ${name}`);
      const out = {};
      for (const [key, read, dflt] of spec) {
        if (obj[key] !== undefined) out[key] = read(obj[key], join(where, key));
        else if (dflt === REQUIRED) fail(join(where, key), "Field required");
        else out[key] = dflt;
      }
      const known = spec.map(([key]) => key);
      for (const key of Object.keys(obj)) if (!known.includes(key)) fail(join(where, key), "Extra inputs are not permitted");
      return out;
    };
  }

  const text = (v, where) => (typeof v === "string" ? v : fail(where, "Input should be a valid string"));
  const nonEmpty = (v, where) => (text(v, where) === "" ? fail(where, "String should have at least 1 character") : v);
  const literal = (...values) => (v, where) =>
    values.includes(v) ? v : fail(where, `Input should be ${values.map((x) => `'${x}'`).join(", ").replace(/, ([^,]*)$/, " or $1")}`);
  const dict = (v, where) => (isObject(v) ? v : fail(where, "Input should be a valid dictionary"));
  const nullable = (read) => (v, where) => (v === null ? null : read(v, where));
  const any = (v) => v;
  /** Return *v* as an integer as Pydantic's lax mode reads one: a whole float, a bool, a decimal string. */
  function lax(v) {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (v instanceof CZ.canonical.JsonFloat && Number.isInteger(v.value)) return v.value;
    if (typeof v === "boolean") return v ? 1 : 0;
    const m = typeof v === "string" ? /^\s*([+-]?\d+(?:_\d+)*)(?:\.0*)?\s*$/.exec(v) : null;
    return m === null ? null : Number(m[1].replaceAll("_", ""));
  }
  function int(min, max = Number.MAX_SAFE_INTEGER) {
    return (v, where) => {
      const n = lax(v);
      if (n === null || !Number.isSafeInteger(n)) fail(where, "Input should be a valid integer");
      if (n < min) fail(where, `Input should be greater than or equal to ${min}`);
      if (n > max) fail(where, `Input should be less than or equal to ${max}`);
      return n;
    };
  }
  function list(item) {
    return (v, where) => (Array.isArray(v) ? v.map((x, i) => item(x, join(where, i))) : fail(where, "Input should be a valid list"));
  }
  function base64(size) {
    return (v, where) => {
      try {
        const raw = B.b64decode(v, "the value");
        if (size && raw.length !== size) throw new MalformedInput(`the value must decode to ${size} bytes, not ${raw.length}`);
        if (!size && !raw.length) throw new MalformedInput("must not be empty");
        return raw;
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        return fail(where, e.message);
      }
    };
  }
  const hashes = list(base64(32));

  const QUESTION_TAKES = {
    history: ["asset"], holder: ["asset", "at"], licensed: ["asset", "at", "party", "purpose"],
    portfolio: ["party"], fingerprint: ["fingerprint"], certificate: ["certificate"],
  };
  function pattern(re) {
    return nullable((v, where) => (re.test(text(v, where)) ? v : fail(where, `String should match pattern '${re.source}'`)));
  }
  const HEX_ID = pattern(/^[0-9a-f]{64}$/);
  const questionModel = model("Question", [
    ["kind", literal(...Object.keys(QUESTION_TAKES)), REQUIRED],
    ["asset", HEX_ID, null],
    ["party", HEX_ID, null],
    ["purpose", nullable(nonEmpty), null],
    ["at", pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), null],
    ["fingerprint", HEX_ID, null],
    ["certificate", pattern(/^\S{1,64}$/), null],
  ]);
  function question(v, where) {
    const q = questionModel(v, where);
    if (q.at !== null) {
      try {
        CZ.statements.parseTime(q.at, "question.at");
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        fail(join(where, "at"), e.message);
      }
    }
    const given = ["asset", "party", "purpose", "at", "fingerprint", "certificate"].filter((n) => q[n] !== null);
    const wanted = QUESTION_TAKES[q.kind];
    const allowed = [...wanted, ...(q.kind === "portfolio" ? ["at"] : [])];
    if (!wanted.every((n) => given.includes(n)) || !given.every((n) => allowed.includes(n))) {
      const sorted = (xs) => [...xs].sort().join(", ");
      fail(where || "bundle", `a ${q.kind} question takes ${sorted(wanted)}; this one gives ${sorted(given) || "nothing"}`);
    }
    return v;
  }

  const cosignature = model("BundleCosignature", [["witness", text, REQUIRED], ["signature", text, REQUIRED]]);
  const timestamp = model("BundleTimestamp", [["token", base64(0), REQUIRED]]);
  const entry = model("BundleEntry", [
    ["role", literal(...ROLES), REQUIRED],
    ["index", int(0), REQUIRED],
    ["logged_at", text, REQUIRED],
    ["statement", dict, REQUIRED],
    ["inclusion_proof", hashes, REQUIRED],
    ["timed_by", nullable(int(1)), null],
  ]);
  const earlier = model("EarlierCheckpoint", [["checkpoint", text, REQUIRED], ["consistency_proof", hashes, REQUIRED]]);
  const timed = model("TimedCheckpoint", [
    ["checkpoint", text, REQUIRED],
    ["consistency_proof", hashes, REQUIRED],
    ["timestamps", list(timestamp), []],
    ["cosignatures", list(cosignature), []],
  ]);
  const claim = model("BundleClaim", [["question", question, REQUIRED], ["answer", any, null], ["entries", list(int(0)), REQUIRED]]);
  const other = model("IndexProofOther", [["path", text, REQUIRED], ["value_hash", text, REQUIRED]]);
  const proof = model("IndexProofJson", [
    ["key", nonEmpty, REQUIRED],
    ["depth", int(0, 256), REQUIRED],
    ["siblings", list(text), REQUIRED],
    ["empty_bitmap", text, REQUIRED],
    ["other", nullable(other), null],
  ]);
  const indexProof = model("BundleIndexProof", [["key", nonEmpty, REQUIRED], ["value", nullable(dict), null], ["proof", proof, REQUIRED]]);

  /** Return a bundled disclosure as the bytes of its JSON, if it is a valid one. */
  function disclosure(v, where) {
    const raw = B.utf8(JSON.stringify(v));
    try {
      CZ.disclosure.parseDisclosure(raw);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      fail(where, e.message);
    }
    return raw;
  }

  const bundleModel = model("Bundle", [
    ["format", literal(BUNDLE_FORMAT), BUNDLE_FORMAT],
    ["log", model("BundleLog", [["origin", text, REQUIRED], ["verifier_key", text, REQUIRED]]), REQUIRED],
    ["checkpoint", text, REQUIRED],
    ["entries", list(entry), REQUIRED],
    ["earlier_checkpoints", list(earlier), []],
    ["disclosures", list(disclosure), []],
    ["timestamps", list(timestamp), []],
    ["cosignatures", list(cosignature), []],
    ["timed_checkpoints", list(timed), []],
    ["claim", nullable(claim), null],
    ["index", list(indexProof), []],
  ]);

  /**
   * Return the bundle in *data* (text or bytes), or throw MalformedInput naming the first
   * field that is wrong. Hashes and tokens are bytes; each disclosure is its JSON's bytes.
   */
  function parseBundle(data) {
    const bundle = bundleModel(CZ.canonical.parse(data, "bundle"), "");
    bundle.timestamps = bundle.timestamps.map((t) => t.token);
    for (const t of bundle.timed_checkpoints) t.timestamps = t.timestamps.map((s) => s.token);
    if (!bundle.entries.length && bundle.claim === null) {
      fail("bundle", "a bundle holds at least one entry, unless it answers a question");
    }
    return bundle;
  }

  /** Return [bundle, entries ({model, statement, loggedAt})], or throw MalformedInput saying where it is wrong. */
  function wellFormed(data) {
    const bundle = parseBundle(data);
    let vkey;
    try {
      vkey = CZ.note.Verifier.fromString(bundle.log.verifier_key);
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      throw new MalformedInput(`log.verifier_key: ${e.message}`);
    }
    if (vkey.toString() !== bundle.log.verifier_key) throw new MalformedInput("log.verifier_key: not in canonical form");
    const entries = [];
    bundle.entries.forEach((model, n) => {
      const where = `entries.${n}`;
      let statement, loggedAt;
      try {
        statement = CZ.statements.parse(model.statement);
        loggedAt = CZ.statements.parseTime(model.logged_at, "logged_at");
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        throw new MalformedInput(`${where}: ${e.message}`);
      }
      const role = ROLE_OF_FAMILY[statement.type.split(".")[0]];
      if (role === undefined) {
        throw new MalformedInput(`${where}: a bundle holds evidence, party and registry entries, not ${statement.type}`);
      }
      if (model.role !== role) throw new MalformedInput(`${where}: a ${statement.type} entry has role ${role}, not ${model.role}`);
      if (entries.length && model.index <= entries[entries.length - 1].model.index) {
        throw new MalformedInput(`${where}: entries must be in increasing index order, without repeats`);
      }
      entries.push({ model, statement, loggedAt });
    });
    checkCosignatureLines(bundle.cosignatures, "cosignatures");
    bundle.timed_checkpoints.forEach((t, n) => checkCosignatureLines(t.cosignatures, `timed_checkpoints.${n}.cosignatures`));
    return [bundle, entries];
  }

  function checkCosignatureLines(cosignatures, where) {
    const keys = new Set();
    cosignatures.forEach((c, n) => {
      let line;
      try {
        line = CZ.cosignature.parseLine(`— ${c.witness} ${c.signature}`);
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        throw new MalformedInput(`${where}.${n}: ${e.message}`);
      }
      const id = `${line.name} ${line.keyId}`;
      if (keys.has(id)) throw new MalformedInput(`${where}.${n}: a second cosignature by the same witness key`);
      keys.add(id);
    });
  }

  /** Return [the key to check with, the log key check]. */
  function logKey(bundle, given) {
    const named = bundle.log.verifier_key;
    if (given === null) {
      const c = check("log_key", "log", "not_checked", "log_key.from_bundle", false, { key: named });
      return [CZ.note.Verifier.fromString(named), c];
    }
    const facts = { key: given.toString(), bundle_key: named };
    if (given.toString() !== named) return [given, check("log_key", "log", "failed", "log_key.mismatch", true, facts)];
    return [given, check("log_key", "log", "passed", "log_key.given", true, facts)];
  }

  async function signatureCheck(entry) {
    const s = entry.statement;
    const index = entry.model.index;
    const facts = { index, type: s.type, key: B.b64encode(s.signer) };
    try {
      await CZ.statements.checkSignature(s);
    } catch (e) {
      if (!(e instanceof InvalidSignature)) throw e;
      return check("signature", `entry:${index}`, "failed", "signature.invalid", true, facts, e.message);
    }
    return check("signature", `entry:${index}`, "passed", "signature.valid", true, facts);
  }

  function inclusionCheck(entry, cp) {
    const m = entry.model;
    const facts = { index: m.index, logged_at: m.logged_at };
    if (cp === null) return CZ.checkpoints.unusable("inclusion", `entry:${m.index}`, facts);
    const passed = check("inclusion", `entry:${m.index}`, "passed", "inclusion.proved", true, { ...facts, size: cp.size });
    // The leaf is rebuilt from the bundle's own text, so any change to it changes the leaf hash.
    const leaf = CZ.statements.jsonLeaf(m.statement, m.logged_at);
    try {
      CZ.merkle.verifyInclusion(m.index, cp.size, CZ.merkle.leafHash(leaf), m.inclusion_proof, cp.root);
    } catch (e) {
      if (!(e instanceof InvalidProof)) throw e;
      return { ...passed, outcome: "failed", reason: "inclusion.failed", detail: e.message };
    }
    return passed;
  }

  CZ.bundles = { BUNDLE_FORMAT, laxInteger: lax, parseBundle, wellFormed, logKey, signatureCheck, inclusionCheck };
})((globalThis.CZ = globalThis.CZ || {}));
