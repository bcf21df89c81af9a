"""The tables the log persists: entries, hash tiles, checkpoints and the log's head.

Hash tiles are stored whole (one row per tile, up to 256 hashes), not one row
per node; the partial tile at the right edge of each level is rewritten as it
grows, and its prefix never changes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row (id = 1): the size and root of the latest checkpoint. The sequencer
# locks it for the length of a batch, so one writer integrates at a time.
log_head = Table(
    "log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    # The tree size the index_leaves reflect (None: never built; behind size: stale,
    # e.g. written by a version without the index). The sequencer replays the log then.
    Column("index_size", BigInteger, nullable=True),
)

# Stored in index order (on SQLite idx is the rowid): a batch appends. Lookups by statement
# or leaf hash go through key_runs, not an index on a random key (ledger.store.key_runs).
entries = Table(
    "entries",
    metadata,
    Column(
        "idx",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("statement_hash", LargeBinary(32), nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("leaf", LargeBinary, nullable=False),
    Column("type", String(64), nullable=False),
    Column("signer", LargeBinary(32), nullable=False),
)

tiles = Table(
    "tiles",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("id", LargeBinary(32), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("registry_id", String(64), nullable=True, index=True),
    Column("idx", BigInteger, nullable=False),
    Column("registry_id_type", String(16), nullable=True),
    # Who vouched for the party's identity (its own id for the first operator), and when.
    Column("verified_by", LargeBinary(32), nullable=True),
    Column("verified_idx", BigInteger, nullable=True),
)

party_keys = Table(
    "party_keys",
    metadata,
    Column("key", LargeBinary(32), primary_key=True),
    Column("party_id", LargeBinary(32), nullable=False, index=True),
    Column("idx", BigInteger, nullable=False),
    Column("revoked_from", DateTime(timezone=True), nullable=True),
    Column("revoked_idx", BigInteger, nullable=True),
)

# Which entries reference a content digest or dataset root, for search by digest: stored in
# index order, looked up through key_runs.
digests = Table(
    "digests",
    metadata,
    Column("digest", LargeBinary(32), nullable=False),
    Column("idx", BigInteger, nullable=False),
    PrimaryKeyConstraint("idx", "digest"),
    sqlite_with_rowid=False,
)

# Registry objects (assets, licences, objections) as JSON documents, cached from the log.
registry_objects = Table(
    "registry_objects",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("id", LargeBinary(32), primary_key=True),
    Column("asset", LargeBinary(32), nullable=False, index=True),
    Column("doc", Text, nullable=False),
    # An asset's current fingerprint and its certificate number, for the integrity rules.
    Column("fingerprint", LargeBinary(32), nullable=True, index=True),
    Column("certificate", String(64), nullable=True, index=True),
)

# The registry settings each log.settings entry put in force (the latest rules).
log_settings = Table(
    "log_settings",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("doc", Text, nullable=False),
)

# Which entries are events of an asset (its history, licences and objections included).
asset_events = Table(
    "asset_events",
    metadata,
    Column("asset", LargeBinary(32), primary_key=True),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
)

# The parties each registry object currently involves, by role (holder, pledgee, licensee, ...).
object_parties = Table(
    "object_parties",
    metadata,
    Column("party", LargeBinary(32), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("id", LargeBinary(32), primary_key=True),
)

# Independent evidence about a checkpoint: RFC 3161 tokens over it and the witness-cosigned note.
checkpoint_evidence = Table(
    "checkpoint_evidence",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("tokens", Text, nullable=False),
    Column("cosigned", Text, nullable=True),
)

# The plain text of confidential particulars, committed to in the log; served only to authorised readers.
confidential = Table(
    "confidential",
    metadata,
    Column("asset", LargeBinary(32), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("salt", LargeBinary(32), nullable=False),
    Column("value", Text, nullable=False),
)

# The verifiable index (ledger.index.entries): each key's document and the tree size of the
# checkpoint that last changed it, so another process catches up with what changed since.
index_leaves = Table(
    "index_leaves",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("changed_at", BigInteger, nullable=False, index=True),
)

# Sorted runs of hashes (statement, leaf, digest) and the entries they point to, each run
# appended whole under a number larger than any before (ledger.store.key_runs).
key_runs = Table(
    "key_runs",
    metadata,
    Column("run", BigInteger, nullable=False),
    Column("key", LargeBinary(32), nullable=False),
    Column("idx", BigInteger, nullable=False),
    PrimaryKeyConstraint("run", "key", "idx"),
    sqlite_with_rowid=False,
)

# The live runs: which kind of key each holds, its level and the entries [start, stop) it covers.
key_run_list = Table(
    "key_run_list",
    metadata,
    Column("run", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", SmallInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("start", BigInteger, nullable=False),
    Column("stop", BigInteger, nullable=False),
)

# The once-only tokens of signed requests already used (ledger.access), until they expire.
used_requests = Table(
    "used_requests",
    metadata,
    Column("token", LargeBinary(32), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
