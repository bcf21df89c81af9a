// Signature checks with WebCrypto for time-stamp tokens and certificates:
// the TSA's signature over a token's signed attributes (as
// ledger/tsa/verify.py's _check_signature accepts it: ECDSA or RSA PKCS#1
// v1.5 with SHA-256/384/512) and certificate signatures on a chain (the
// algorithms cryptography's path validator permits, RSA-PSS included).
//
// ECDSA signatures arrive DER-encoded and WebCrypto wants r||s: a signature
// that is not DER, or whose numbers do not fit the curve, does not verify.
"use strict";
(function (CZ) {
  const { InvalidSignature } = CZ.errors;
  const der = CZ.der;
  const HASHES = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  const HASH_OIDS = {
    "2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
  };
  // Signature algorithms by OID, as asn1crypto names their kind and hash.
  const SIGNATURE_OIDS = {
    "1.2.840.113549.1.1.11": ["rsassa_pkcs1v15", "sha256"],
    "1.2.840.113549.1.1.12": ["rsassa_pkcs1v15", "sha384"],
    "1.2.840.113549.1.1.13": ["rsassa_pkcs1v15", "sha512"],
    "1.2.840.10045.4.3.2": ["ecdsa", "sha256"],
    "1.2.840.10045.4.3.3": ["ecdsa", "sha384"],
    "1.2.840.10045.4.3.4": ["ecdsa", "sha512"],
  };

  // Algorithms whose parameters are absent or NULL: SHA-2, RSA and ECDSA signatures, RSA keys.
  const NULL_PARAMETERS = new Set([
    ...Object.keys(HASH_OIDS), ...Object.keys(SIGNATURE_OIDS), "1.2.840.113549.1.1.1",
    "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.14", "1.2.840.113549.1.1.4",
    "1.2.840.10045.4.1", "1.2.840.10045.4.3.1", "1.3.14.3.2.26", "2.16.840.1.101.3.4.2.4",
  ]);

  // Returns whether the AlgorithmIdentifier *alg* ({oid, params}) has parameters its OID allows.
  function parametersFit({ oid, params }) {
    return !NULL_PARAMETERS.has(oid) || !params || (params.tag === der.TAG.NULL && !params.value.length);
  }

  function hex(text) {
    return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
  }

  function pssAlgorithm(hashByte, salt) {
    const hashAlg = `300d06096086480165030402${hashByte}0500`;
    return `3041${"06092a864886f70d01010a"}3034a00f${hashAlg}a11c301a06092a864886f70d010108${hashAlg}a20302${salt}`;
  }

  // The certificate signature algorithms cryptography's WebPKI profile permits, by DER:
  // [encoding, scheme, hash, PSS salt length].
  const PERMITTED_CERT_SIGNATURES = [
    ["300d06092a864886f70d01010b0500", "rsassa_pkcs1v15", "sha256"],
    ["300d06092a864886f70d01010c0500", "rsassa_pkcs1v15", "sha384"],
    ["300d06092a864886f70d01010d0500", "rsassa_pkcs1v15", "sha512"],
    [pssAlgorithm("01", "0120"), "rsassa_pss", "sha256", 32],
    [pssAlgorithm("02", "0130"), "rsassa_pss", "sha384", 48],
    [pssAlgorithm("03", "0140"), "rsassa_pss", "sha512", 64],
    ["300a06082a8648ce3d040302", "ecdsa", "sha256"],
    ["300a06082a8648ce3d040303", "ecdsa", "sha384"],
    ["300a06082a8648ce3d040304", "ecdsa", "sha512"],
  ].map(([encoding, ...rest]) => [hex(encoding), ...rest]);
  // The issuer key algorithms it permits: RSA, and ECDSA on P-256, P-384 and P-521.
  const PERMITTED_ISSUER_KEYS = [
    "300d06092a864886f70d0101010500", "301306072a8648ce3d020106082a8648ce3d030107",
    "301006072a8648ce3d020106052b81040022", "301006072a8648ce3d020106052b81040023",
  ].map(hex);

  function isOneOf(bytes, list) {
    return list.some((item) => CZ.bytes.equal(item, bytes));
  }

  // Returns the DER ECDSA-Sig-Value *sig* as r||s of *size* bytes each, or null if it is not one.
  function rawEcdsa(sig, size) {
    try {
      const [r, s, ...rest] = der.sequence(der.read(sig, "ECDSA signature"), "ECDSA signature");
      if (!s || rest.length) return null;
      const out = new Uint8Array(2 * size);
      for (const [i, node] of [r, s].entries()) {
        if (der.integer(node, "ECDSA signature") <= 0n) return null;
        let v = der.integerBytes(node, "ECDSA signature");
        if (v[0] === 0) v = v.subarray(1);
        if (v.length > size) return null;
        out.set(v, (i + 1) * size - v.length);
      }
      return out;
    } catch (e) {
      if (e instanceof CZ.errors.MalformedInput) return null;
      throw e;
    }
  }

  // Returns whether *signature* over *data* verifies with the certificate key *key*.
  // *scheme* is "ecdsa", "rsassa_pkcs1v15" or "rsassa_pss" (with *saltLength*).
  async function verifySignature(key, scheme, hashName, signature, data, saltLength = 0) {
    const subtle = globalThis.crypto.subtle;
    const hash = HASHES[hashName];
    let imported;
    let params;
    if (scheme === "ecdsa" && key.kind === "ec") {
      if (!key.curve) {
        throw new InvalidSignature(`the EC curve ${key.curveOid} is not supported by this verifier`);
      }
      const raw = rawEcdsa(signature, key.curve.size);
      if (!raw) return false;
      const alg = { name: "ECDSA", namedCurve: key.curve.name };
      imported = await subtle.importKey("raw", key.point, alg, false, ["verify"]);
      params = { name: "ECDSA", hash };
      signature = raw;
    } else if (scheme === "rsassa_pkcs1v15" && key.kind === "rsa") {
      const alg = { name: "RSASSA-PKCS1-v1_5", hash };
      imported = await importRsa(key, alg);
      params = alg;
    } else if (scheme === "rsassa_pss" && key.kind === "rsa") {
      const alg = { name: "RSA-PSS", hash };
      imported = await importRsa(key, alg);
      params = { name: "RSA-PSS", saltLength };
    } else {
      return false;
    }
    if (!imported) return false;
    return subtle.verify(params, imported, signature, data);
  }

  async function importRsa(key, alg) {
    try {
      return await globalThis.crypto.subtle.importKey("spki", key.der, alg, false, ["verify"]);
    } catch {
      return null; // a key WebCrypto refuses verifies nothing
    }
  }

  // Returns whether *issuer*'s key signed *child* with an algorithm the WebPKI profile permits.
  async function verifyCertificateSignature(child, issuer) {
    const permitted = PERMITTED_CERT_SIGNATURES.find(([e]) => CZ.bytes.equal(e, child.sigAlg.der));
    if (!permitted) return false;
    const [, scheme, hashName, saltLength] = permitted;
    return verifySignature(issuer.key, scheme, hashName, child.signature, child.tbs, saltLength);
  }

  CZ.tsa = Object.assign(CZ.tsa || {}, {
    HASHES, HASH_OIDS, SIGNATURE_OIDS, parametersFit, PERMITTED_ISSUER_KEYS, isOneOf, rawEcdsa,
    verifySignature, verifyCertificateSignature,
  });
})((globalThis.CZ = globalThis.CZ || {}));
