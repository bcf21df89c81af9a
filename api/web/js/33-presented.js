// Presented content against what was logged: files against digests, disclosures against datasets.
//
// Mirrors ledger/verify/presented.py (check_contents, content_facts,
// shown_content) as CZ.presented. A presented file (its name and SHA-256)
// matches an evidence.timestamp entry with that sha256, or an item of a
// logged dataset that a disclosure proves; a disclosure matches an
// evidence.dataset entry with its root, scheme and count when
// CZ.disclosure.verifyDisclosure proves its item belongs to that root. An
// entry nothing was presented for is not checked; a file or disclosure that
// matches nothing fails. A proved record's content is shown escaped and cut
// at CONTENT_SHOWN characters, with its size stated.
"use strict";
(function (CZ) {
  const { LedgerError } = CZ.errors;
  const { check } = CZ.verify;
  const B = CZ.bytes;
  // About three lines of a report: enough to recognise a record, not to flood the page.
  const CONTENT_SHOWN = 200;

  /** The content checks of a bundle: by evidence entry, those about nothing logged, and what matched. */
  class Contents {
    constructor() {
      this.byEntry = new Map();
      this.unmatched = [];
      this.files = new Map();
      this.items = new Map();
    }

    add(index, c) {
      if (!this.byEntry.has(index)) this.byEntry.set(index, []);
      this.byEntry.get(index).push(c);
    }
  }

  function push(map, key, value) {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(value);
  }

  /**
   * Return the Contents of presented *files* ([[name, sha256 u8]]) and *disclosures*
   * ([[name, u8]]) against *evidence* ([[index, statement]]).
   */
  async function checkContents(evidence, { files, disclosures }) {
    const out = new Contents();
    const datasets = evidence.filter(([, s]) => s.type === "evidence.dataset");
    const disclosedFiles = new Map();
    for (const [name, data] of disclosures) {
      for (const [index, item] of await disclosure(name, data, datasets, out)) {
        push(disclosedFiles, B.hex(item.sha256), index);
      }
    }
    const matched = new Set();
    for (const [index, statement] of evidence) {
      if (statement.type === "evidence.timestamp") {
        for (const name of timestamp(index, statement, files, out)) matched.add(name);
      }
    }
    for (const [name, digest] of files) {
      for (const index of disclosedFiles.get(B.hex(digest)) || []) {
        matched.add(name);
        out.add(index, fileMatches(name, digest, index, out));
      }
      if (!matched.has(name)) {
        const facts = { file: name, digest: B.hex(digest) };
        out.unmatched.push(check("content", `file:${name}`, "failed", "content.no_match", true, facts));
      }
    }
    for (const [index, statement] of datasets) {
      if (!(out.items.get(index) || []).length) {
        const facts = { index, ...datasetFacts(statement) };
        out.add(index, check("disclosure", `entry:${index}`, "not_checked", "disclosure.none", false, facts));
      }
    }
    return out;
  }

  function timestamp(index, statement, files, out) {
    const digest = B.hex(statement.content.sha256);
    const names = [...new Set(files.filter(([, d]) => B.hex(d) === digest).map(([n]) => n))];
    names.sort(pyCompare);
    for (const name of names) out.add(index, fileMatches(name, statement.content.sha256, index, out));
    if (!names.length) {
      const facts = { index, digest };
      out.add(index, check("content", `entry:${index}`, "not_checked", "content.not_presented", false, facts));
    }
    return names;
  }

  /** Compare strings by code point, as Python's sorted does. */
  function pyCompare(a, b) {
    const x = Array.from(a, (c) => c.codePointAt(0));
    const y = Array.from(b, (c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  function fileMatches(name, digest, index, out) {
    push(out.files, index, name);
    const facts = { file: name, digest: B.hex(digest), index };
    return check("content", `entry:${index}`, "passed", "content.matches", true, facts);
  }

  async function disclosure(name, data, datasets, out) {
    const subject = `disclosure:${name}`;
    let parsed;
    try {
      parsed = CZ.disclosure.parseDisclosure(data);
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      out.unmatched.push(check("disclosure", subject, "failed", "disclosure.malformed", true, { name }, e.message));
      return [];
    }
    const root = B.hex(parsed.root);
    const targets = datasets.filter(([, s]) => B.hex(s.content.root) === root);
    if (!targets.length) {
      out.unmatched.push(check("disclosure", subject, "failed", "disclosure.no_dataset", true, { name, root }));
      return [];
    }
    const proved = [];
    for (const [index, statement] of targets) {
      const facts = { name, index, ...datasetFacts(statement) };
      const dataset = statement.content;
      let item;
      try {
        if (parsed.scheme !== dataset.scheme) {
          throw new LedgerError(
            `the disclosure is of a ${parsed.scheme} dataset; entry ${index} logs a ${dataset.scheme} dataset`,
          );
        }
        item = await CZ.disclosure.verifyDisclosure(data, parsed.root, dataset.count);
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        out.add(index, check("disclosure", subject, "failed", "disclosure.failed", true, facts, e.message));
        continue;
      }
      const label = item.path === null || item.path === undefined ? `#${item.index}` : `#${item.index} ${item.path}`;
      push(out.items, index, label);
      const provedFacts = { ...facts, item: label };
      if (item.record !== null && item.record !== undefined) Object.assign(provedFacts, contentFacts(item.record));
      out.add(index, check("disclosure", subject, "passed", "disclosure.proved", true, provedFacts));
      proved.push([index, item]);
    }
    return proved;
  }

  function datasetFacts(statement) {
    const d = statement.content;
    return { root: B.hex(d.root), count: d.count, scheme: d.scheme };
  }

  /** Return a disclosed record's content as report facts: shown escaped, its size and how much is shown. */
  function contentFacts(record) {
    const [shown, used] = shownContent(record);
    return { content: shown, content_bytes: record.length, content_shown_bytes: used };
  }

  /**
   * Return [*record* (bytes) escaped for a report and cut at *limit* characters, how
   * many of its bytes that shows]. A byte that is not UTF-8 is written \xNN.
   */
  function shownContent(record, limit = CONTENT_SHOWN) {
    const parts = [];
    let width = 0;
    let used = 0;
    for (const [char, size] of utf8Chars(record)) {
      const shown = char === null ? `\\x${record[used].toString(16).padStart(2, "0")}` : escaped(char);
      const length = Array.from(shown).length;
      if (width + length > limit) break;
      parts.push(shown);
      width += length;
      used += size;
    }
    return [parts.join(""), used];
  }

  /** Yield [character or null for a byte that is not UTF-8, its size in bytes] through *bytes*. */
  function* utf8Chars(bytes) {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let i = 0;
    while (i < bytes.length) {
      const lead = bytes[i];
      const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
      let char = null;
      if (size && i + size <= bytes.length) {
        try {
          char = decoder.decode(bytes.subarray(i, i + size));
        } catch {
          char = null;
        }
      }
      if (char === null) {
        yield [null, 1];
        i += 1;
      } else {
        yield [char, size];
        i += size;
      }
    }
  }

  const ESCAPES = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  const HIDDEN = /^[\p{C}\p{Zl}\p{Zp}]$/u;

  function escaped(char) {
    if (char in ESCAPES) return ESCAPES[char];
    if (HIDDEN.test(char)) {
      const code = char.codePointAt(0);
      if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
      return code < 0x10000 ? `\\u${code.toString(16).padStart(4, "0")}` : `\\U${code.toString(16).padStart(8, "0")}`;
    }
    return char;
  }

  CZ.presented = { CONTENT_SHOWN, Contents, checkContents, contentFacts, shownContent };
})((globalThis.CZ = globalThis.CZ || {}));
