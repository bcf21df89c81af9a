// Checking an RFC 3161 time-stamp token offline: mirrors ledger/tsa/verify.py
// (verify_token and its checks, in the same order, with the same error
// classes and messages).
//
// await CZ.tsa.verifyToken(token, { digest, trustRoots, nonce, certificates })
// returns the token's TokenInfo (see 11-tsa-token.js) once all of these hold:
// it parses; its signed attributes name id-ct-TSTInfo and hold the TSTInfo's
// digest and the TSA certificate's key verifies the signature over them; the
// ESS signing-certificate-v2 attribute names that certificate; the
// certificate's extendedKeyUsage is timeStamping only and critical; it chains
// to one of trustRoots (DER bytes or PEM text) at genTime; the token is over
// *digest* (bytes) and carries *nonce* when one is given (a BigInt or an integer).
"use strict";
(function (CZ) {
  const { MalformedInput, InvalidProof, InvalidSignature } = CZ.errors;
  const der = CZ.der;
  const tsa = CZ.tsa;
  const ATTRIBUTES = {
    content_type: "1.2.840.113549.1.9.3",
    message_digest: "1.2.840.113549.1.9.4",
    signing_certificate_v2: "1.2.840.113549.1.9.16.2.47",
  };
  const EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
  const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  const DIGEST_NAMES = {
    "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224", "1.2.840.113549.2.5": "md5",
  };
  const UNTRUSTED = "check that the trust root is the CA that issued the TSA certificate";

  async function digestOf(hashName, data) {
    return new Uint8Array(await globalThis.crypto.subtle.digest(tsa.HASHES[hashName], data));
  }

  // Returns the certificates in *items*, each DER bytes or PEM text (load_certificates).
  function loadCertificates(items) {
    const out = [];
    for (const item of items) {
      const text = typeof item === "string" ? item : null;
      const pem = text !== null || /^\s*-----BEGIN/.test(new TextDecoder().decode(item.subarray(0, 64)));
      try {
        if (!pem) {
          out.push(tsa.parseCertificate(item, { deferred: true }));
          continue;
        }
        const blocks = (text ?? new TextDecoder().decode(item)).match(
          /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g) || [];
        if (!blocks.length) throw new MalformedInput("no certificate in the PEM text");
        for (const block of blocks) {
          const body = block.replace(/-----[A-Z ]+-----|\s/g, "");
          out.push(tsa.parseCertificate(CZ.bytes.b64decode(body, "PEM certificate"), { deferred: true }));
        }
      } catch (e) {
        if (!(e instanceof MalformedInput)) throw e;
        throw new MalformedInput(`not an X.509 certificate in DER or PEM: ${e.message}`);
      }
    }
    return out;
  }

  // Returns the one value of the signed attribute *name*, or null when it is absent (_attribute).
  function attribute(attrs, name) {
    const found = attrs.filter((a) => a.oid === ATTRIBUTES[name]);
    const values = found.map((a) => der.sequence(a.values, "signed attribute", der.TAG.SET));
    if (found.length > 1 || (found.length && values[0].length !== 1)) {
      throw new InvalidSignature(`the token's signed attribute ${name} must appear once, with one value`);
    }
    return found.length ? values[0][0] : null;
  }

  async function checkAttributes(signedData) {
    const { signer } = signedData;
    if (!signer.attributes || signer.attributes.length === 0) {
      throw new InvalidSignature("the token has no signed attributes, so nothing binds its TSTInfo");
    }
    const hashName = tsa.HASH_OIDS[signer.digestAlgorithm.oid];
    if (!hashName) {
      const name = DIGEST_NAMES[signer.digestAlgorithm.oid] || signer.digestAlgorithm.oid;
      throw new InvalidSignature(`the token's digest algorithm ${name} is not SHA-2`);
    }
    const contentType = attribute(signer.attributes, "content_type");
    if (contentType === null || der.looseOid(contentType, "content-type attribute") !== tsa.ID_CT_TST_INFO) {
      throw new InvalidSignature("the token's signed content-type attribute is not id-ct-TSTInfo");
    }
    const messageDigest = attribute(signer.attributes, "message_digest");
    const expected = await digestOf(hashName, signedData.content);
    if (messageDigest === null || !CZ.bytes.equal(der.octets(messageDigest, "message-digest attribute"), expected)) {
      throw new InvalidSignature("the token's signed message-digest does not match its TSTInfo");
    }
  }

  async function checkSignature(signer, cert) {
    const { oid } = tsa.signatureAlgorithmOf(signer);
    // rsaEncryption names no hash: the signature is then made with the SignerInfo's digest
    // algorithm (RFC 3370 section 3.2), as OpenSSL's TSA and many others sign.
    const [kind, hashName] = oid === RSA_ENCRYPTION
      ? ["rsassa_pkcs1v15", tsa.HASH_OIDS[signer.digestAlgorithm.oid] || ""]
      : tsa.SIGNATURE_OIDS[oid] || ["", ""];
    if (cert.keyDamage) throw cert.keyDamage;
    const fits = (kind === "ecdsa" && cert.key.kind === "ec") ||
      (kind === "rsassa_pkcs1v15" && cert.key.kind === "rsa");
    if (!fits) {
      throw new InvalidSignature(
        `the token's signature algorithm ${oid} is not ECDSA or RSA with SHA-2 fitting the TSA certificate's key`);
    }
    // The signature covers the attributes encoded as a SET OF (tag 0x31), not as the [0] field.
    const signed = Uint8Array.from(signer.signedAttrs.der);
    signed[0] = 0x31;
    const signature = tsa.signatureOf(signer);
    if (!(await tsa.verifySignature(cert.key, kind, hashName, signature, signed))) {
      throw new InvalidSignature(
        "the token's signature does not verify with the TSA certificate's key: " +
          "the token was altered or signed by another key");
    }
  }

  async function checkEss(signer, cert) {
    const value = attribute(signer.attributes, "signing_certificate_v2");
    const what = "ESS signing-certificate-v2";
    const certs = value && value.tag === 0x30 ? der.sequence(der.sequence(value, what)[0], what) : [];
    if (certs.length === 0) {
      throw new InvalidSignature(
        "the token lacks the ESS signing-certificate-v2 attribute (RFC 5816) that binds " +
          "its signature to the TSA certificate");
    }
    const f = der.sequence(certs[0], what);
    let i = 0;
    let hashOid = "2.16.840.1.101.3.4.2.1"; // the DEFAULT of ESSCertIDv2's hashAlgorithm
    if (f[i] && f[i].tag === 0x30) hashOid = der.looseOid(der.sequence(f[i++], what)[0], what);
    const certHash = der.octets(f[i++], what);
    const issuerSerial = f[i] ? der.sequence(f[i++], what) : null;
    const hashName = tsa.HASH_OIDS[hashOid];
    if (!hashName) {
      throw new InvalidSignature(`the ESS certificate hash uses ${DIGEST_NAMES[hashOid] || hashOid}, not SHA-2`);
    }
    if (!CZ.bytes.equal(certHash, await digestOf(hashName, cert.der))) {
      throw new InvalidSignature(
        "the ESS signing-certificate-v2 hash does not match the TSA certificate: " +
          "the token names another certificate");
    }
    if (issuerSerial) {
      const names = der.sequence(issuerSerial[0], what).filter((n) => n.tag === 0xa4)
        .map((n) => der.expect(der.children(n, what)[0], der.TAG.SEQUENCE, what).der);
      if (der.integer(issuerSerial[1], what) !== cert.serial || !names.some((n) => CZ.bytes.equal(n, cert.issuer))) {
        throw new InvalidSignature(
          "the ESS signing-certificate-v2 issuer and serial do not match the TSA certificate");
      }
    }
  }

  function checkEku(cert) {
    if (cert.extensionDamage) throw cert.extensionDamage;
    const e = cert.extensions.get(tsa.OID.extKeyUsage);
    const eku = cert.extKeyUsage;
    if (!e || !e.critical || eku.length !== 1 || eku[0] !== EKU_TIME_STAMPING) {
      throw new InvalidSignature(
        `the TSA certificate (${tsa.rfc4514(cert.subjectRdns)}) lacks a critical ` +
          "timeStamping extendedKeyUsage (RFC 3161 section 2.3): it may not time-stamp");
    }
  }

  // The token read again as strictly as rfc3161-client reads it: DER throughout, and no
  // parameters where none belong. Left out: the certificates (verify_token hands it the TSA
  // certificate alone, read as parseCertificate reads it) and the values of signed attributes.
  function checkStrictly(token, signedData, tst) {
    const { signer } = signedData;
    const attrs = signer.signedAttrs;
    const same = (a, b) => b && a.der.buffer === b.der.buffer &&
      a.der.byteOffset === b.der.byteOffset && a.der.length === b.der.length;
    const skip = (n) => same(n, attrs) || same(n, signedData.certificates);
    const algorithms = [
      ...signedData.digestAlgorithms, signer.digestAlgorithm, tsa.signatureAlgorithmOf(signer),
      tsa.decodeTstInfo(tst).hashAlgorithm,
    ];
    try {
      der.checkStrict(der.read(token, "time-stamp token"), "time-stamp token", skip);
      der.checkStrict(der.read(signedData.content, "TSTInfo"), "TSTInfo");
      for (const node of attrs ? der.children(attrs, "SignerInfo") : []) {
        const [type, values, ...rest] = der.sequence(node, "signed attribute");
        der.oid(type, "signed attribute");
        der.sequence(values, "signed attribute", der.TAG.SET);
        if (rest.length) throw new MalformedInput("not a DER signed attribute: extra fields");
      }
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      throw new MalformedInput(`the token does not parse strictly: ${e.message}`);
    }
    const unfit = algorithms.find((a) => !tsa.parametersFit(a));
    if (unfit) {
      throw new MalformedInput(`the token does not parse strictly: algorithm ${unfit.oid} with parameters`);
    }
  }

  // The signed attributes' values read as strictly as OpenSSL reads them when it checks the chain.
  function checkAttributeValues(signer) {
    try {
      for (const a of signer.attributes) der.checkStrict(a.values, "signed attribute");
    } catch (e) {
      if (!(e instanceof MalformedInput)) throw e;
      throw new tsa.PathError(`the signed attributes do not parse: ${e.message}`);
    }
  }

  async function untrustedUnless(check, atGenTime) {
    try {
      return await check();
    } catch (e) {
      if (!(e instanceof tsa.PathError)) throw e;
      const why = atGenTime ? ` at its genTime (validation failed: ${e.message})` : ` (${e.message})`;
      throw new InvalidSignature(`the token's chain does not lead to a trusted root${why}; ${UNTRUSTED}`);
    }
  }

  // Returns what *token* states after checking it is a valid TSA token over *digest* under *trustRoots*.
  async function verifyToken(token, { digest, trustRoots, nonce = null, certificates = [] }) {
    const expectedNonce = nonce === null ? null : BigInt(nonce);
    const roots = loadCertificates(trustRoots);
    if (!roots.length) throw new MalformedInput("no trust roots given: pass the TSA's CA certificate");
    const extra = loadCertificates(certificates);
    const signedData = tsa.signedDataOf(token);
    const tst = tsa.tstInfoOf(signedData);
    const embedded = tsa.certificatesOf(signedData);
    const signer = tsa.findSigner(signedData.signer, [...embedded, ...extra]);
    await checkAttributes(signedData);
    await checkSignature(signedData.signer, signer);
    await checkEss(signedData.signer, signer);
    checkEku(signer);
    const candidates = [...embedded, ...extra].filter((c) => !CZ.bytes.equal(c.der, signer.der));
    const { genTime } = tsa.decodeTstInfo(tst);
    const path = await untrustedUnless(() => tsa.buildPath(signer, roots, candidates, genTime), true);
    checkStrictly(token, signedData, tst);
    await untrustedUnless(async () => {
      checkAttributeValues(signedData.signer);
      if (signedData.signer.sid.kind !== "issuerAndSerialNumber") {
        throw new tsa.PathError("No leaf certificate found matching the SignerInfo.");
      }
      await tsa.checkAnchored(path, roots, genTime);
    }, false);
    const info = tsa.tokenInfo(tst, signer);
    if (!CZ.bytes.equal(info.imprint, digest)) {
      throw new InvalidProof(
        `the token is over another digest: it time-stamps ${info.hashName} ` +
          `${CZ.bytes.hex(info.imprint)}, not ${CZ.bytes.hex(digest)}`);
    }
    if (expectedNonce !== null && info.nonce !== expectedNonce) {
      throw new InvalidProof(
        `nonce mismatch: the token carries ${info.nonce === null ? "None" : info.nonce}, the request sent ${nonce}`);
    }
    return info;
  }

  CZ.tsa = Object.assign(CZ.tsa || {}, { loadCertificates, verifyToken });
})((globalThis.CZ = globalThis.CZ || {}));
