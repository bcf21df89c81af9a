// SHA-256 (FIPS 180-4) in plain JavaScript, synchronous and incremental.
//
// Mirrors the hashlib.sha256 use of ledger/merkle.py, ledger/digest.py and
// ledger/note: the page hashes proofs and notes (small inputs, synchronously,
// where WebCrypto's digest would force every caller to be async) and files of
// several gigabytes in chunks of 1-8 MiB, which WebCrypto cannot do
// incrementally at all. So this is written for speed: all arithmetic in
// 32-bit integers, no allocation per block, the message schedule and the
// working variables in typed arrays and locals, and update() compresses every
// whole block of a chunk in one call straight from the caller's buffer.
"use strict";
(function (CZ) {
  // FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the
  // cube roots of the first 64 primes.
  const K = Int32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  // Section 5.3.3: the initial hash value.
  const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  // Compress the blocks of data[offset, end) (end - offset a multiple of 64)
  // into the eight words of *state*, using *w* (64 words) for the schedule.
  function compress(state, w, data, offset, end) {
    let h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
    let h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
    for (let p = offset; p < end; p += 64) {
      for (let t = 0, q = p; t < 16; t++, q += 4) {
        w[t] = (data[q] << 24) | (data[q + 1] << 16) | (data[q + 2] << 8) | data[q + 3];
      }
      for (let t = 16; t < 64; t++) {
        const x = w[t - 15];
        const y = w[t - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (s1 + w[t - 7] + s0 + w[t - 16]) | 0;
      }
      let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      // Eight rounds per pass: instead of shifting the working variables down
      // one place a round, each round writes the two that change (the new d
      // and h of FIPS 180-4 section 6.2.2, step 3) and the next round reads
      // them under the names they now stand for; after eight rounds every
      // name is back in its place. Ch and Maj are written in their
      // three-operation forms.
      for (let t = 0; t < 64; t += 8) {
        h = ((h + ((((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)))) +
          (g ^ (e & (f ^ g))) + K[t] + w[t]) | 0);
        d = (d + h) | 0;
        h = (h + ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)))) +
          ((a & b) | (c & (a | b)))) | 0;
        g = ((g + ((((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7)))) +
          (f ^ (d & (e ^ f))) + K[t + 1] + w[t + 1]) | 0);
        c = (c + g) | 0;
        g = (g + ((((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10)))) +
          ((h & a) | (b & (h | a)))) | 0;
        f = ((f + ((((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7)))) +
          (e ^ (c & (d ^ e))) + K[t + 2] + w[t + 2]) | 0);
        b = (b + f) | 0;
        f = (f + ((((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10)))) +
          ((g & h) | (a & (g | h)))) | 0;
        e = ((e + ((((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7)))) +
          (d ^ (b & (c ^ d))) + K[t + 3] + w[t + 3]) | 0);
        a = (a + e) | 0;
        e = (e + ((((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10)))) +
          ((f & g) | (h & (f | g)))) | 0;
        d = ((d + ((((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7)))) +
          (c ^ (a & (b ^ c))) + K[t + 4] + w[t + 4]) | 0);
        h = (h + d) | 0;
        d = (d + ((((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10)))) +
          ((e & f) | (g & (e | f)))) | 0;
        c = ((c + ((((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7)))) +
          (b ^ (h & (a ^ b))) + K[t + 5] + w[t + 5]) | 0);
        g = (g + c) | 0;
        c = (c + ((((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10)))) +
          ((d & e) | (f & (d | e)))) | 0;
        b = ((b + ((((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7)))) +
          (a ^ (g & (h ^ a))) + K[t + 6] + w[t + 6]) | 0);
        f = (f + b) | 0;
        b = (b + ((((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10)))) +
          ((c & d) | (e & (c | d)))) | 0;
        a = ((a + ((((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7)))) +
          (h ^ (f & (g ^ h))) + K[t + 7] + w[t + 7]) | 0);
        e = (e + a) | 0;
        a = (a + ((((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10)))) +
          ((b & c) | (d & (b | c)))) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    state[0] = h0; state[1] = h1; state[2] = h2; state[3] = h3;
    state[4] = h4; state[5] = h5; state[6] = h6; state[7] = h7;
  }

  /** An incremental SHA-256: update(u8) any number of times, then digest() once. */
  class Sha256 {
    constructor() {
      this.state = Int32Array.from(H0);
      this.schedule = new Int32Array(64);
      this.buffer = new Uint8Array(64);
      this.buffered = 0;
      this.length = 0; // bytes hashed so far; exact up to 2^53
      this.finished = false;
    }

    /** Add the bytes of *u8* to the message; return this. */
    update(u8) {
      if (this.finished) throw new Error("SHA-256 digest already taken");
      this.length += u8.length;
      let at = 0;
      if (this.buffered > 0) {
        at = Math.min(64 - this.buffered, u8.length);
        this.buffer.set(u8.subarray(0, at), this.buffered);
        this.buffered += at;
        if (this.buffered < 64) return this;
        compress(this.state, this.schedule, this.buffer, 0, 64);
        this.buffered = 0;
      }
      const whole = at + ((u8.length - at) & ~63);
      if (whole > at) compress(this.state, this.schedule, u8, at, whole);
      if (whole < u8.length) {
        this.buffer.set(u8.subarray(whole), 0);
        this.buffered = u8.length - whole;
      }
      return this;
    }

    /** Return the 32-byte digest of everything added; the hash cannot be updated after. */
    digest() {
      if (this.finished) throw new Error("SHA-256 digest already taken");
      const bits = this.length * 8;
      // Section 5.1.1: a 1 bit, zeros, and the length in bits as 64 bits.
      const tail = new Uint8Array(this.buffered < 56 ? 64 : 128);
      tail.set(this.buffer.subarray(0, this.buffered));
      tail[this.buffered] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(tail.length - 4, bits >>> 0);
      compress(this.state, this.schedule, tail, 0, tail.length);
      this.finished = true;
      const out = new Uint8Array(32);
      const outView = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) outView.setInt32(4 * i, this.state[i]);
      return out;
    }
  }

  /** Return the SHA-256 digest of *u8*. */
  function sha256(u8) {
    return new Sha256().update(u8).digest();
  }

  CZ.sha256 = sha256;
  CZ.Sha256 = Sha256;
})((globalThis.CZ = globalThis.CZ || {}));
