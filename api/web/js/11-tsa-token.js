// Reading an RFC 3161 time-stamp token without checking it: mirrors
// ledger/tsa/tokens.py (signed_data_of, tst_info_of, certificates_of,
// find_signer, token_info, read_token) with the same MalformedInput messages.
//
// A token is a CMS SignedData (RFC 5652) whose encapsulated content is a DER
// TSTInfo. CZ.tsa.readToken(der) returns what it claims as a TokenInfo:
// { genTime, accuracy, latest (BigInt microseconds since the epoch; accuracy
// a BigInt of microseconds or null), serial, nonce (BigInt, nonce may be
// null), policy, hashName, imprint, tsaSubject, tsaCertificate }.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const der = CZ.der;
  const { TAG } = der;
  const ID_SIGNED_DATA = "1.2.840.113549.1.7.2";
  const ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4";
  const TOKEN = "time-stamp token (CMS ContentInfo)";

  // Returns the only element of the [n] EXPLICIT *node*.
  function explicit(node, what) {
    const inner = der.children(node, what);
    if (inner.length !== 1) throw new MalformedInput(`not a DER ${what}: bad explicit tag`);
    return inner[0];
  }

  // Returns the parts of the DER token *token*, checking those no signature covers (signed_data_of).
  function signedDataOf(token) {
    const [typeNode, contentNode, ...rest] = der.sequence(der.read(token, TOKEN), TOKEN);
    if (!typeNode || rest.length) throw new MalformedInput(`not a DER ${TOKEN}: bad ContentInfo`);
    if (der.looseOid(typeNode, TOKEN) !== ID_SIGNED_DATA || !contentNode) {
      throw new MalformedInput("a time-stamp token is a CMS SignedData; this is something else");
    }
    const what = "SignedData";
    const fields = der.sequence(explicit(der.expect(contentNode, 0xa0, what), what), what);
    const [versionNode, digestAlgsNode, encapNode] = fields;
    let i = 3;
    const certificates = fields[i] && fields[i].tag === 0xa0 ? fields[i++] : null;
    const crls = fields[i] && fields[i].tag === 0xa1 ? fields[i++] : null;
    const signerInfosNode = fields[i++];
    if (!signerInfosNode || i !== fields.length) throw new MalformedInput(`not a DER ${what}: bad fields`);
    const version = der.integer(versionNode, what);
    const signerInfos = der.sequence(signerInfosNode, what, TAG.SET);
    const digestAlgorithms = der.sequence(digestAlgsNode, what, TAG.SET).map((n) => algorithm(n, what));
    const encap = der.sequence(encapNode, what);
    if (version !== 3n) {
      throw new MalformedInput("a time-stamp token's SignedData must be version 3 (RFC 5652)");
    }
    if (signerInfos.length !== 1) {
      throw new MalformedInput("a time-stamp token must have exactly one signer (RFC 3161)");
    }
    const signer = signerInfo(signerInfos[0]);
    if (!(signer.version === 1n && signer.sid.kind === "issuerAndSerialNumber") &&
        !(signer.version === 3n && signer.sid.kind === "subjectKeyIdentifier")) {
      throw new MalformedInput("the token's SignerInfo version does not fit its signer identifier");
    }
    if (digestAlgorithms.length !== 1 || digestAlgorithms[0].oid !== signer.digestAlgorithm.oid) {
      throw new MalformedInput("the token's digestAlgorithms do not match its signer's");
    }
    if (crls) throw new MalformedInput("a time-stamp token carries no revocation lists");
    if (encap.length < 1 || encap.length > 2 || der.looseOid(encap[0], what) !== ID_CT_TST_INFO) {
      throw new MalformedInput("the token does not encapsulate a TSTInfo (id-ct-TSTInfo)");
    }
    const content = encap[1] ? der.octets(explicit(der.expect(encap[1], 0xa0, what), what), what) : null;
    return { certificates, signer, content, digestAlgorithms };
  }

  // Returns an AlgorithmIdentifier's OID and its parameters' node (or null).
  function algorithm(node, what) {
    const f = der.sequence(node, what);
    if (f.length < 1 || f.length > 2) throw new MalformedInput(`not a DER ${what}: bad AlgorithmIdentifier`);
    return { oid: der.looseOid(f[0], what), params: f[1] || null };
  }

  function signerInfo(node) {
    const what = "SignerInfo";
    const f = der.sequence(node, what);
    let i = 0;
    const version = der.integer(f[i++], what);
    const sidNode = f[i++];
    let sid;
    if (sidNode && sidNode.tag === TAG.SEQUENCE) {
      const [issuer, serial, ...rest] = der.sequence(sidNode, what);
      if (!serial || rest.length) throw new MalformedInput(`not a DER ${what}: bad IssuerAndSerialNumber`);
      sid = { kind: "issuerAndSerialNumber", issuer: der.expect(issuer, TAG.SEQUENCE, what).der, serial: der.integer(serial, what) };
    } else if (sidNode && sidNode.tag === 0x80) {
      sid = { kind: "subjectKeyIdentifier", keyIdentifier: sidNode.value };
    } else {
      throw new MalformedInput(`not a DER ${what}: bad signer identifier`);
    }
    const digestAlgorithm = algorithm(f[i++], what);
    if (f[i] && f[i].tag === 0x80) throw new MalformedInput(`not a DER ${what}: primitive signed attributes`);
    const signedAttrs = f[i] && f[i].tag === 0xa0 ? f[i] : null;
    const attributes = signedAttrs ? der.children(signedAttrs, what).map((a) => attribute(a, what)) : null;
    return { version, sid, digestAlgorithm, signedAttrs, attributes, rest: f.slice(i) };
  }

  // Returns the signature algorithm of the parsed SignerInfo *signer*, read when the
  // signature is checked, as asn1crypto reads it.
  function signatureAlgorithmOf(signer) {
    return algorithm(signer.rest[signer.signedAttrs ? 1 : 0], "SignerInfo");
  }

  // Returns the signature of the parsed SignerInfo *signer*, checking the fields after it.
  function signatureOf(signer) {
    const f = signer.rest;
    let i = signer.signedAttrs ? 2 : 1;
    const signature = der.octets(f[i++], "SignerInfo");
    if (f[i] && f[i].tag === 0xa1) i++;
    if (i !== f.length) throw new MalformedInput("not a DER SignerInfo: bad fields");
    return signature;
  }

  // Returns a signed attribute's type and the node of its values, read only when asked for
  // (asn1crypto reads no further, so damage elsewhere shows as a signature that fails).
  function attribute(node, what) {
    const [type, values] = der.sequence(node, what);
    return { oid: der.looseOid(type, what), values };
  }

  // Returns the TSTInfo encapsulated in *signedData* (tst_info_of): its version and imprint
  // hash are checked now, its other fields read by decodeTstInfo once its signature holds.
  function tstInfoOf(signedData) {
    if (!signedData.content) throw new MalformedInput("the token's TSTInfo is missing");
    const what = "TSTInfo";
    const fields = der.sequence(der.read(signedData.content, what), what);
    if (fields.length < 5) throw new MalformedInput(`not a DER ${what}: missing fields`);
    const version = der.integer(fields[0], what);
    const [hashAlg] = der.sequence(fields[2], what);
    const hashOid = algorithm(hashAlg, what).oid;
    if (version !== 1n) throw new MalformedInput("a TSTInfo must be version 1 (RFC 3161)");
    const hashName = CZ.tsa.HASH_OIDS[hashOid];
    if (!hashName) {
      throw new MalformedInput("the token's imprint is not a SHA-256, SHA-384 or SHA-512 digest");
    }
    return { fields, hashName };
  }

  // Returns every field of the TSTInfo *tst*, strictly decoded.
  function decodeTstInfo({ fields: f, hashName }) {
    const what = "TSTInfo";
    let i = 1;
    const policy = der.looseOid(f[i++], what);
    const [hashAlg, hashed, ...more] = der.sequence(f[i++], what);
    if (!hashed || more.length) throw new MalformedInput(`not a DER ${what}: bad MessageImprint`);
    const hashAlgorithm = algorithm(hashAlg, what);
    const imprint = der.octets(hashed, what);
    const serial = der.integer(f[i++], what);
    const genTime = der.time(der.expect(f[i++], TAG.GENERALIZED_TIME, what), what);
    let accuracy = null;
    if (f[i] && f[i].tag === TAG.SEQUENCE) accuracy = accuracyOf(f[i++], what);
    if (f[i] && f[i].tag === TAG.BOOLEAN && der.boolean(f[i++], what) === false) {
      throw new MalformedInput(`not a DER ${what}: ordering FALSE is the default and is left out`);
    }
    const nonce = f[i] && f[i].tag === TAG.INTEGER ? der.integer(f[i++], what) : null;
    const tsaName = f[i] && f[i].tag === 0xa0 ? f[i++] : null;
    if (f[i] && f[i].tag === 0xa1) i++;
    if (i !== f.length) throw new MalformedInput(`not a DER ${what}: bad fields`);
    if (tsaName) explicit(tsaName, what);
    return { policy, hashName, hashAlgorithm, imprint, serial, genTime, accuracy, nonce };
  }

  function accuracyOf(node, what) {
    let micros = 0n;
    let last = -1;
    for (const part of der.sequence(node, what)) {
      const slot = { [TAG.INTEGER]: 0, 0x80: 1, 0x81: 2 }[part.tag];
      if (slot === undefined || slot <= last) throw new MalformedInput(`not a DER ${what}: bad Accuracy`);
      last = slot;
      const n = der.integer({ ...part, tag: TAG.INTEGER }, what);
      micros += n * [1000000n, 1000n, 1n][slot];
    }
    return micros;
  }

  // Returns the certificates the token carries, parsed (certificates_of).
  function certificatesOf(signedData) {
    if (!signedData.certificates) return [];
    return der.children(signedData.certificates, "SignedData").map((choice) => {
      if (choice.tag !== TAG.SEQUENCE) {
        throw new MalformedInput("a time-stamp token may carry only X.509 certificates");
      }
      return CZ.tsa.parseCertificate(choice.der);
    });
  }

  // Returns the certificate among *certs* that *signer* names (find_signer).
  function findSigner(signer, certs) {
    const { sid } = signer;
    const equal = CZ.bytes.equal;
    for (const cert of certs) {
      if (sid.kind === "issuerAndSerialNumber") {
        if (sid.serial === cert.serial && equal(sid.issuer, cert.issuer)) return cert;
      } else {
        if (cert.extensionDamage) throw cert.extensionDamage;
        if (cert.subjectKeyId && equal(cert.subjectKeyId, sid.keyIdentifier)) return cert;
      }
    }
    throw new MalformedInput(
      "the TSA certificate is neither in the token nor among the certificates given; " +
        "pass the TSA certificate (GET /tsa/certs) along with the trust roots");
  }

  // Returns the TokenInfo of the TSTInfo *tstInfo* signed by the certificate *signer* (or null).
  function tokenInfo(tstInfo, signer) {
    const tst = decodeTstInfo(tstInfo);
    return {
      genTime: tst.genTime,
      accuracy: tst.accuracy,
      latest: tst.genTime + (tst.accuracy || 0n),
      serial: tst.serial,
      policy: tst.policy,
      hashName: tst.hashName,
      imprint: tst.imprint,
      nonce: tst.nonce,
      tsaSubject: signer ? CZ.tsa.rfc4514(signer.subjectRdns) : "",
      tsaCertificate: signer ? signer.der : null,
    };
  }

  // Returns what *token* claims, WITHOUT checking its signature or its TSA: verifyToken does that.
  function readToken(token) {
    const signedData = signedDataOf(token);
    const tst = tstInfoOf(signedData);
    const certs = certificatesOf(signedData);
    return tokenInfo(tst, certs.length ? findSigner(signedData.signer, certs) : null);
  }

  CZ.tsa = Object.assign(CZ.tsa || {}, {
    ID_CT_TST_INFO, signedDataOf, signatureAlgorithmOf, signatureOf, tstInfoOf, decodeTstInfo, certificatesOf, findSigner, tokenInfo, readToken,
  });
})((globalThis.CZ = globalThis.CZ || {}));
