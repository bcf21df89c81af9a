// X.509 certificates as ledger/tsa/tokens.py and ledger/tsa/verify.py read
// them with cryptography: fields, the extensions time-stamping depends on,
// the public key, and the subject as an RFC 4514 string (Name.rfc4514_string).
//
// CZ.tsa.parseCertificate(der) parses eagerly what cryptography parses when
// a token's certificates are loaded (the key, the known extensions), so a
// damaged certificate is a MalformedInput here as there.
"use strict";
(function (CZ) {
  const { MalformedInput } = CZ.errors;
  const der = CZ.der;
  const { TAG } = der;
  const WHAT = "certificate";
  const OID = {
    basicConstraints: "2.5.29.19", keyUsage: "2.5.29.15", extKeyUsage: "2.5.29.37",
    subjectKeyId: "2.5.29.14", authorityKeyId: "2.5.29.35", nameConstraints: "2.5.29.30",
    subjectAltName: "2.5.29.17", authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
    issuerAltName: "2.5.29.18", policyConstraints: "2.5.29.36",
    rsaEncryption: "1.2.840.113549.1.1.1", ecPublicKey: "1.2.840.10045.2.1",
  };
  // Key types cryptography loads but a TSA token cannot be checked with here (refused later),
  // with the parameters each takes: none (EdDSA, X25519, X448) or a SEQUENCE, maybe absent.
  const OTHER_KEY_TYPES = {
    "1.3.101.112": "none", "1.3.101.113": "none", "1.3.101.110": "none", "1.3.101.111": "none",
    "1.2.840.10040.4.1": "sequence", "1.2.840.10046.2.1": "sequence",
    "1.2.840.113549.1.3.1": "sequence", "1.2.840.113549.1.1.10": "sequence",
  };
  // Further curves cryptography loads (secp192r1, secp224r1, secp256k1, sect*, brainpool).
  const OTHER_CURVES = new Set([
    "1.2.840.10045.3.1.1", "1.3.132.0.33", "1.3.132.0.10", "1.3.132.0.1", "1.3.132.0.26",
    "1.3.132.0.16", "1.3.132.0.36", "1.3.132.0.38", "1.3.132.0.15", "1.3.132.0.27",
    "1.3.132.0.17", "1.3.132.0.37", "1.3.132.0.39", "1.3.36.3.3.2.8.1.1.7",
    "1.3.36.3.3.2.8.1.1.11", "1.3.36.3.3.2.8.1.1.13",
  ]);
  const P = (hex) => BigInt(`0x${hex}`);
  // The curves cryptography loads and WebCrypto verifies: y^2 = x^3 - 3x + b over GF(p).
  const CURVES = {
    "1.2.840.10045.3.1.7": {
      name: "P-256", size: 32,
      p: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
      b: P("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
    },
    "1.3.132.0.34": {
      name: "P-384", size: 48,
      p: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
      b: P("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"),
    },
    "1.3.132.0.35": {
      name: "P-521", size: 66,
      p: (1n << 521n) - 1n,
      b: P("0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00"),
    },
  };
  // cryptography's short names for attribute types in rfc4514_string; others are dotted.
  const SHORT_NAMES = {
    "2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
  };

  function damaged(why) {
    throw new MalformedInput(`the token carries a damaged certificate: ${why}`);
  }

  // Returns the certificate in the DER bytes *bytes*, parsed, with its key and extensions
  // decoded. A fault in those is thrown, or with *deferred* kept as the certificate's
  // keyDamage or extensionDamage: cryptography finds such faults in a certificate the caller
  // gives only where it uses the key or the extensions, and those in a token's at once.
  function parseCertificate(bytes, { deferred = false } = {}) {
    const node = der.read(bytes, WHAT);
    const [tbsNode, sigAlgNode, sigNode, ...extra] = der.sequence(node, WHAT);
    if (!sigNode || extra.length) damaged("a Certificate has three fields");
    const fields = der.sequence(tbsNode, WHAT);
    let i = 0;
    let version = 0;
    if (fields[0] && fields[0].tag === 0xa0) {
      const [v, ...rest] = der.children(fields[i++], WHAT);
      if (rest.length) damaged("bad version field");
      version = Number(der.integer(v, WHAT));
      if (version === 0) damaged("version 1 is the default and is left out");
      if (version !== 2) damaged(`version ${version} certificates are not X.509 v1 or v3`);
    }
    const serialNode = fields[i++];
    const serial = der.integer(serialNode, WHAT);
    const tbsSigAlg = algorithm(fields[i++]);
    const issuer = der.expect(fields[i++], TAG.SEQUENCE, WHAT);
    const validity = der.sequence(fields[i++], WHAT);
    if (validity.length !== 2) damaged("a Validity has two times");
    const subject = der.expect(fields[i++], TAG.SEQUENCE, WHAT);
    const spki = subjectPublicKeyInfo(fields[i++]);
    let extensionList = [];
    for (; i < fields.length; i++) {
      const f = fields[i];
      if (f.tag === 0xa3) {
        const [seq, ...rest] = der.children(f, WHAT);
        if (rest.length) damaged("bad extensions field");
        extensionList = der.sequence(seq, WHAT).map(extension);
      } else if (f.tag !== 0x81 && f.tag !== 0x82) {
        damaged("unexpected field in TBSCertificate");
      }
    }
    const cert = {
      der: node.der, tbs: tbsNode.der, version, serial, serialBytes: serialNode.value,
      tbsSigAlg: tbsSigAlg.der, sigAlg: algorithm(sigAlgNode), signature: der.bitString(sigNode, WHAT).bytes,
      issuer: issuer.der, subject: subject.der, issuerRdns: names(issuer), subjectRdns: names(subject),
      notBefore: der.time(validity[0], WHAT), notAfter: der.time(validity[1], WHAT),
      validityTags: [validity[0].tag, validity[1].tag], spki, key: null, extensions: new Map(),
      keyDamage: null, extensionDamage: null,
    };
    const decode = (damage, step) => {
      try {
        step();
      } catch (e) {
        if (!deferred || !(e instanceof MalformedInput)) throw e;
        cert[damage] = e;
      }
    };
    decode("keyDamage", () => (cert.key = publicKey(spki)));
    decode("extensionDamage", () => decodeExtensions(cert, extensionList));
    return cert;
  }

  // Sets the extensions of *cert* and the values of those it reads (DECODERS).
  function decodeExtensions(cert, extensionList) {
    const extensions = new Map();
    for (const e of extensionList) {
      if (extensions.has(e.oid)) damaged(`duplicate extension ${e.oid}`);
      extensions.set(e.oid, e);
    }
    checkShapes(extensions);
    for (const [oid, decode] of Object.entries(DECODERS)) {
      const e = extensions.get(OID[oid]);
      cert[oid] = e ? decode(der.read(e.value, WHAT)) : null;
    }
    cert.extensions = extensions;
  }

  function extension(node) {
    const f = der.sequence(node, WHAT);
    const critical = f.length === 3 ? der.boolean(f[1], WHAT) : false;
    if (f.length < 2 || f.length > 3 || (f.length === 3 && !critical)) damaged("bad Extension");
    return { oid: der.oid(f[0], WHAT), critical, value: der.octets(f[f.length - 1], WHAT) };
  }

  function basicConstraints(node) {
    const f = der.sequence(node, WHAT);
    let i = 0;
    const ca = f[i] && f[i].tag === TAG.BOOLEAN ? der.boolean(f[i++], WHAT) : false;
    const pathLength = f[i] ? der.integer(f[i++], WHAT) : null;
    if (i !== f.length || (pathLength !== null && pathLength < 0n)) damaged("bad basicConstraints");
    return { ca, pathLength };
  }

  // Checks that the fields of the SEQUENCE *node* carry the context tags *tags*, in order, each once at most.
  function taggedFields(node, tags, why) {
    let last = -1;
    const found = {};
    for (const f of der.sequence(node, WHAT)) {
      const at = tags.indexOf(f.tag);
      if (at <= last) damaged(why);
      last = at;
      found[f.tag] = f;
    }
    return found;
  }

  function authorityKeyId(node) {
    const f = taggedFields(node, [0x80, 0xa1, 0x82], "bad authorityKeyIdentifier");
    if (!f[0xa1] !== !f[0x82]) {
      damaged("authority_cert_issuer and authority_cert_serial_number must both be present or both None");
    }
    if (f[0xa1]) generalNames(f[0xa1]);
    if (f[0x82]) der.integer({ ...f[0x82], tag: TAG.INTEGER }, WHAT);
    return { keyIdentifier: f[0x80] ? f[0x80].value : null };
  }

  function policyConstraints(node) {
    const f = taggedFields(node, [0x80, 0x81], "bad policyConstraints");
    Object.values(f).forEach((n) => der.integer({ ...n, tag: TAG.INTEGER }, WHAT));
    return f;
  }

  const GENERAL_NAME_TAGS = new Set([0xa0, 0x81, 0x82, 0xa3, 0xa4, 0xa5, 0x86, 0x87, 0x88]);

  // Returns the GeneralName nodes of the GeneralNames *node* (SEQUENCE or [n] IMPLICIT).
  function generalNames(node) {
    const list = der.children(node, WHAT);
    for (const n of list) {
      if (!GENERAL_NAME_TAGS.has(n.tag)) damaged("bad GeneralName");
      if (n.tag === 0xa4) names(der.children(n, WHAT)[0]);
      if ([0x81, 0x82, 0x86].includes(n.tag) && n.value.some((b) => b > 0x7f)) damaged("non-ASCII IA5String");
    }
    return list;
  }

  // The outer type of the other extensions cryptography parses when a certificate is loaded:
  // CRL distribution points, freshest CRL, certificate policies, name constraints, subject
  // information access, TLS feature, subject directory attributes, admissions; inhibit
  // anyPolicy; OCSP no-check and the precertificate poison; embedded SCTs.
  const SHAPES = {
    "2.5.29.31": TAG.SEQUENCE, "2.5.29.46": TAG.SEQUENCE, "2.5.29.32": TAG.SEQUENCE,
    "2.5.29.30": TAG.SEQUENCE, "1.3.6.1.5.5.7.1.11": TAG.SEQUENCE, "1.3.6.1.5.5.7.1.24": TAG.SEQUENCE,
    "2.5.29.9": TAG.SEQUENCE, "1.3.36.8.3.3": TAG.SEQUENCE, "1.3.6.1.5.5.7.1.1": TAG.SEQUENCE,
    "2.5.29.54": TAG.INTEGER, "1.3.6.1.5.5.7.48.1.5": TAG.NULL, "1.3.6.1.4.1.11129.2.4.3": TAG.NULL,
    "1.3.6.1.4.1.11129.2.4.2": TAG.OCTET_STRING,
  };

  function checkShapes(extensions) {
    for (const e of extensions.values()) {
      const tag = SHAPES[e.oid];
      if (tag === undefined) continue;
      const node = der.expect(der.read(e.value, WHAT), tag, WHAT);
      if (tag === TAG.SEQUENCE) der.children(node, WHAT);
      if (tag === TAG.INTEGER && der.integer(node, WHAT) < 0n) damaged("negative inhibitAnyPolicy");
      if (tag === TAG.NULL && node.value.length) damaged("NULL with contents");
    }
  }

  // The extensions read when a certificate is loaded, as cryptography parses them.
  const DECODERS = {
    basicConstraints,
    keyUsage: (n) => der.bitString(n, WHAT),
    extKeyUsage: (n) => der.sequence(n, WHAT).map((o) => der.oid(o, WHAT)),
    subjectKeyId: (n) => der.octets(n, WHAT),
    authorityKeyId,
    issuerAltName: (n) => generalNames(der.expect(n, TAG.SEQUENCE, WHAT)),
    subjectAltName: (n) => generalNames(der.expect(n, TAG.SEQUENCE, WHAT)),
    policyConstraints,
  };

  // Returns an AlgorithmIdentifier: its OID, its parameters' node (or null) and its DER.
  function algorithm(node) {
    const f = der.sequence(node, WHAT);
    if (f.length < 1 || f.length > 2) damaged("bad AlgorithmIdentifier");
    const alg = { oid: der.oid(f[0], WHAT), params: f[1] || null, der: node.der };
    if (!CZ.tsa.parametersFit(alg)) damaged(`algorithm ${alg.oid} with parameters`);
    return alg;
  }

  // Returns the subjectPublicKeyInfo's algorithm and key bits, as cryptography reads them
  // when it loads a certificate: the parameters of the key types it knows are checked then.
  function subjectPublicKeyInfo(node) {
    const [algNode, keyNode, ...rest] = der.sequence(node, WHAT);
    if (!keyNode || rest.length) damaged("bad SubjectPublicKeyInfo");
    const alg = algorithm(algNode);
    der.bitString(keyNode, WHAT);
    if (alg.oid === OID.ecPublicKey && ![TAG.OID, TAG.NULL, TAG.SEQUENCE].includes(alg.params?.tag)) {
      damaged("bad EC key parameters");
    }
    const params = OTHER_KEY_TYPES[alg.oid];
    if (params && alg.params && (params === "none" || alg.params.tag !== TAG.SEQUENCE)) {
      damaged(`bad parameters for key type ${alg.oid}`);
    }
    return { der: node.der, algorithm: alg, keyNode };
  }

  // Returns the public key of *spki*: its kind ("ec", "rsa" or "other") and what WebCrypto needs.
  function publicKey({ der: spkiDer, algorithm: alg, keyNode }) {
    const bits = { bytes: der.octetBits(keyNode, WHAT) };
    const spki = { der: spkiDer, algorithm: alg, kind: "other" };
    if (alg.oid === OID.ecPublicKey) {
      if (!alg.params || alg.params.tag !== TAG.OID) damaged("EC key without a named curve");
      const curveOid = der.oid(alg.params, WHAT);
      const curve = CURVES[curveOid];
      if (!curve && !OTHER_CURVES.has(curveOid)) damaged(`Curve ${curveOid} is not supported`);
      if (!curve) return { ...spki, kind: "ec", curve: null, curveOid };
      return { ...spki, kind: "ec", curve, point: ecPoint(curve, bits.bytes) };
    }
    if (alg.oid === OID.rsaEncryption) {
      const [nNode, eNode, ...more] = der.sequence(der.read(bits.bytes, WHAT), WHAT);
      if (!eNode || more.length) damaged("bad RSA public key");
      const [n, e] = [der.integer(nNode, WHAT), der.integer(eNode, WHAT)];
      if (e < 3n || e >= n || !(e & 1n)) damaged("bad RSA public exponent");
      return { ...spki, kind: "rsa", modulusBytes: der.integerBytes(nNode, WHAT).length };
    }
    if (!OTHER_KEY_TYPES[alg.oid]) damaged(`Unknown key type: ${alg.oid}`);
    return spki;
  }

  function modPow(base, exp, mod) {
    let result = 1n;
    for (base %= mod; exp > 0n; exp >>= 1n, base = (base * base) % mod) {
      if (exp & 1n) result = (result * base) % mod;
    }
    return result;
  }

  function toInt(bytes) {
    return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  }

  function toBytes(n, size) {
    const out = new Uint8Array(size);
    for (let i = size - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
    return out;
  }

  // Returns the uncompressed encoding of the point *bytes* on *curve*, checking it lies on it.
  function ecPoint(curve, bytes) {
    const { p, b, size } = curve;
    const rhs = (x) => (((x * x * x - 3n * x + b) % p) + p) % p;
    if ((bytes[0] === 2 || bytes[0] === 3) && bytes.length === size + 1) {
      const x = toInt(bytes.subarray(1));
      let y = modPow(rhs(x), (p + 1n) / 4n, p);
      if (x >= p || (y * y) % p !== rhs(x)) damaged("EC point not on its curve");
      if ((y & 1n) !== BigInt(bytes[0] & 1)) y = p - y;
      return Uint8Array.of(4, ...toBytes(x, size), ...toBytes(y, size));
    }
    // Uncompressed (04), or hybrid (06, 07: the parity of y repeated in the first octet).
    if (![4, 6, 7].includes(bytes[0]) || bytes.length !== 2 * size + 1) damaged("bad EC point encoding");
    const x = toInt(bytes.subarray(1, size + 1));
    const y = toInt(bytes.subarray(size + 1));
    if (x >= p || y >= p || (y * y) % p !== rhs(x)) damaged("EC point not on its curve");
    if (bytes[0] !== 4 && (y & 1n) !== BigInt(bytes[0] & 1)) damaged("EC point with the wrong parity");
    return Uint8Array.of(4, ...bytes.subarray(1));
  }

  function names(node) {
    return der.sequence(node, WHAT).map((rdn) =>
      der.sequence(rdn, WHAT, TAG.SET).map((atv) => {
        const [type, value, ...rest] = der.sequence(atv, WHAT);
        if (!value || rest.length) damaged("bad AttributeTypeAndValue");
        checkString(value);
        return { oid: der.oid(type, WHAT), value };
      }));
  }

  const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

  // Checks a name's string value as cryptography does when it loads the name: PrintableString,
  // BMPString and UniversalString then, the others when the name is written out.
  function checkString(value) {
    if (![TAG.PRINTABLE_STRING, TAG.BMP_STRING, TAG.UNIVERSAL_STRING].includes(value.tag)) return;
    const text = der.string(value, WHAT);
    if (value.tag === TAG.PRINTABLE_STRING && !PRINTABLE.test(text)) damaged("bad PrintableString");
  }

  function escape(text) {
    if (!text) return "";
    let out = text.replace(/[\\"+,;<>]/g, (c) => `\\${c}`).replace(/\0/g, "\\00");
    if (out[0] === "#" || out[0] === " ") out = `\\${out}`;
    if (out.endsWith(" ")) out = `${out.slice(0, -1)}\\ `;
    return out;
  }

  // Returns the name *rdns* as cryptography's Name.rfc4514_string writes it: last RDN first.
  function rfc4514(rdns) {
    const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
    return rdns
      .slice()
      .reverse()
      .map((rdn) =>
        rdn
          .map(({ oid, value }) => {
            const text = der.string(value, WHAT);
            const shown = text === null ? `#${hex(value.der)}` : escape(text);
            return `${SHORT_NAMES[oid] || oid}=${shown}`;
          })
          .join("+"))
      .join(",");
  }

  CZ.tsa = Object.assign(CZ.tsa || {}, { parseCertificate, rfc4514, OID });
})((globalThis.CZ = globalThis.CZ || {}));
