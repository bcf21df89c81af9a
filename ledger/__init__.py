"""Cunzheng's core library: the verifiable log and what is built on it.

The pure modules (``merkle``, ``note``, ``tiles``, ``statements``, ``bodies``,
``registry``, ``index``, ``receipts``, ``verify``) take bytes and return values
or raise an error from ``cunzheng.ledger.errors``; they do no I/O. ``store`` is
the only part that speaks SQL; ``sequencer`` writes the log and ``reader``
reads it. docs/architecture.md maps every module.

The public API is the modules below; import from them (or from a package's
own ``__init__``), never a module's private names.
"""

__all__ = [
    "admission",
    "answers",
    "bodies",
    "bundles",
    "canonical",
    "clock",
    "committed",
    "confidential",
    "cosignature",
    "digest",
    "disclosure",
    "durable",
    "encoding",
    "errors",
    "fingerprint",
    "index",
    "keyfiles",
    "log",
    "merkle",
    "mirror",
    "monitor",
    "note",
    "operator",
    "publisher",
    "questions",
    "reader",
    "rebuild",
    "receipts",
    "registry",
    "sequencer",
    "settings",
    "statements",
    "store",
    "tilecache",
    "tiles",
    "tsa",
    "verify",
    "wire",
    "witness",
]
