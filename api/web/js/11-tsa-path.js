// The certificate path from a TSA certificate to a trust root, as
// ledger/tsa/verify.py builds it (_check_path, with cryptography's path
// validator: client verifier, WebPKI CA profile, any extensions on the TSA
// certificate) and checks it again (_check_chain, rfc3161-client with
// OpenSSL, which wants the path to end at a self-issued root).
//
// CZ.tsa.buildPath(leaf, roots, candidates, at) returns the path, leaf
// first, or throws a plain Error saying why none exists; at is BigInt
// microseconds, compared in whole seconds as cryptography does.
"use strict";
(function (CZ) {
  const OID = CZ.tsa.OID;
  const MAX_DEPTH = 8;
  const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  const EKU_ANY = "2.5.29.37.0";
  const GENERALIZED_TIME = 0x18;

  class PathError extends Error {}
  // No issuer leads to a root; *reason* is why the last candidate failed.
  class Exhausted extends PathError {
    constructor(reason) {
      super(`candidates exhausted: ${reason}`);
      this.reason = reason;
    }
  }

  function secondsOf(micros) {
    return micros / 1000000n - (micros % 1000000n < 0n ? 1n : 0n);
  }

  function yearOf(micros) {
    return new Date(Number(secondsOf(micros)) * 1000).getUTCFullYear();
  }

  // The checks every certificate of the path passes (permits_basic).
  function checkBasic(cert, at) {
    if (cert.version !== 2) throw new PathError("certificate must be an X509v3 certificate");
    if (!CZ.bytes.equal(cert.sigAlg.der, cert.tbsSigAlg)) {
      throw new PathError("mismatch between signatureAlgorithm and SPKI algorithm");
    }
    if (cert.serialBytes.length > 21) throw new PathError("certificate must have a serial between 1 and 20 octets");
    if (cert.serial < 0n) throw new PathError("certificate serial number cannot be negative");
    if (cert.issuerRdns.length === 0) throw new PathError("certificate must have a non-empty Issuer");
    [cert.notBefore, cert.notAfter].forEach((moment, i) => {
      const year = yearOf(moment);
      if (cert.validityTags[i] === GENERALIZED_TIME && year >= 1950 && year < 2050) {
        throw new PathError("validity dates between 1950 and 2049 must be UtcTime");
      }
    });
    const second = secondsOf(at) * 1000000n;
    if (second < cert.notBefore || second > cert.notAfter) {
      throw new PathError("cert is not valid at validation time");
    }
  }

  // The WebPKI profile of a CA certificate at *depth* intermediates below it (permits_ca).
  function checkCa(cert, depth, at) {
    checkBasic(cert, at);
    const bc = cert.basicConstraints;
    if (bc && bc.pathLength !== null && BigInt(depth) > bc.pathLength) {
      throw new PathError("path length constraint violated");
    }
    const rules = {
      [OID.authorityInfoAccess]: "noncritical", [OID.authorityKeyId]: "noncritical",
      [OID.subjectKeyId]: "noncritical", [OID.keyUsage]: "any", [OID.subjectAltName]: "any",
      [OID.basicConstraints]: "critical", [OID.nameConstraints]: "any", [OID.extKeyUsage]: "noncritical",
    };
    for (const e of cert.extensions.values()) {
      const rule = rules[e.oid];
      if (!rule && e.critical) {
        throw new PathError(`invalid extension: ${e.oid}: certificate contains unaccounted-for critical extensions`);
      }
      if ((rule === "critical" && !e.critical) || (rule === "noncritical" && e.critical)) {
        throw new PathError(`invalid extension: ${e.oid}: Certificate extension has incorrect criticality`);
      }
    }
    if (cert.authorityKeyId && !cert.authorityKeyId.keyIdentifier) {
      throw new PathError("authorityKeyIdentifier must contain keyIdentifier");
    }
    const ku = cert.keyUsage;
    for (const [value, oid] of [[ku, OID.keyUsage], [bc, OID.basicConstraints]]) {
      if (!value) throw new PathError(`invalid extension: ${oid}: Certificate is missing required extension`);
    }
    if (!(ku.bytes[0] & 0x04)) throw new PathError("keyUsage.keyCertSign must be asserted in a CA certificate");
    if (!bc.ca) throw new PathError("basicConstraints.cA must be asserted in a CA certificate");
    const eku = cert.extKeyUsage;
    if (eku && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) {
      throw new PathError("Neither EKU nor anyEKU could be found");
    }
  }

  // Checks that *issuer* may have issued *child* at *depth* and did sign it (valid_issuer).
  async function checkIssuer(issuer, child, depth, at) {
    if (issuer.extensionDamage) throw new PathError(issuer.extensionDamage.message);
    checkCa(issuer, depth, at);
    if (!CZ.tsa.isOneOf(issuer.spki.algorithm.der, CZ.tsa.PERMITTED_ISSUER_KEYS)) {
      throw new PathError("Forbidden public key algorithm");
    }
    if (issuer.keyDamage) throw new PathError("issuer has malformed public key");
    if (issuer.key.kind === "rsa" && issuer.key.modulusBytes * 8 < 2048) {
      throw new PathError("RSA key is too weak");
    }
    if (!(await CZ.tsa.verifyCertificateSignature(child, issuer))) {
      throw new PathError("signature does not match");
    }
  }

  function isIn(cert, list) {
    return list.some((c) => CZ.bytes.equal(c.der, cert.der));
  }

  async function extend(working, depth, roots, candidates, at) {
    if (isIn(working, roots)) return [working];
    if (depth > MAX_DEPTH) throw new PathError("chain construction exceeds max depth");
    const issuers = [...roots, ...candidates].filter((c) => CZ.bytes.equal(c.subject, working.issuer));
    let last = null;
    for (const issuer of issuers) {
      try {
        await checkIssuer(issuer, working, depth, at);
        return [working, ...(await extend(issuer, depth + 1, roots, candidates, at))];
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        last = e;
      }
    }
    // As cryptography does, an exhausted search below reports its own reason, not a nested one.
    const reason = last instanceof Exhausted ? last.reason : last && last.message;
    throw new Exhausted(reason || "all candidates exhausted with no interior errors");
  }

  // Returns the path from *leaf* to one of *roots* through *candidates*, valid at *at*.
  async function buildPath(leaf, roots, candidates, at) {
    checkBasic(leaf, at);
    return extend(leaf, 0, roots, candidates, at);
  }

  // Returns whether OpenSSL takes *issuer* for the issuer of *child* (X509_check_issued): the
  // names match and the child's authorityKeyIdentifier, if any, fits the issuer.
  function issuedBy(child, issuer) {
    const equal = CZ.bytes.equal;
    if (!equal(issuer.subject, child.issuer)) return false;
    const aki = child.authorityKeyId;
    return !(aki && aki.keyIdentifier && issuer.subjectKeyId && !equal(aki.keyIdentifier, issuer.subjectKeyId));
  }

  // Checks the path *path* as OpenSSL checks it again: each certificate issued by the next,
  // ending at a self-issued one. A trust root that is not self-issued must itself be issued
  // by another of *roots*.
  async function checkAnchored(path, roots, at) {
    for (let i = 0; i + 1 < path.length; i++) {
      if (!issuedBy(path[i], path[i + 1])) {
        throw new PathError(i + 2 === path.length ? "unable to get local issuer certificate" : "unable to get issuer certificate");
      }
    }
    let top = path[path.length - 1];
    for (let steps = 0; !issuedBy(top, top); steps++) {
      const issuer = steps < roots.length && roots.find((c) => issuedBy(top, c));
      if (!issuer) throw new PathError("unable to get issuer certificate");
      checkBasic(issuer, at);
      if (issuer.keyDamage || !(await CZ.tsa.verifyCertificateSignature(top, issuer))) {
        throw new PathError("certificate signature failure");
      }
      top = issuer;
    }
  }

  CZ.tsa = Object.assign(CZ.tsa || {}, { PathError, buildPath, checkAnchored });
})((globalThis.CZ = globalThis.CZ || {}));
