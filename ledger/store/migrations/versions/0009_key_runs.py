"""Hashes looked up through sorted runs instead of unique indexes on random keys.

Revision ID: 0009
Revises: 0008

``entries`` loses its unique indexes on ``statement_hash`` and ``leaf_hash``
(on SQLite it is rebuilt, with ``idx`` as its rowid) and its index on
``signer``, which no query reads, ``digests`` is keyed
by ``(idx, digest)``, and ``key_runs`` with ``key_run_list`` hold the sorted
runs of ``ledger.store.key_runs``. The migration writes no run: the tail is
then the whole log, and the first checkpoint the sequencer signs writes the
runs the log is due, under the log's lock.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ENTRY_COLUMNS = "idx, statement_hash, leaf_hash, leaf, type, signer"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        op.execute("ALTER TABLE entries DROP CONSTRAINT IF EXISTS entries_statement_hash_key")
        op.execute("ALTER TABLE entries DROP CONSTRAINT IF EXISTS entries_leaf_hash_key")
        op.drop_index("ix_entries_signer", "entries")
        op.execute("ALTER TABLE digests DROP CONSTRAINT IF EXISTS digests_pkey")
        op.execute("ALTER TABLE digests ADD PRIMARY KEY (idx, digest)")
    op.create_table(
        "key_runs",
        sa.Column("run", sa.BigInteger, nullable=False),
        sa.Column("key", sa.LargeBinary(32), nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("run", "key", "idx"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "key_run_list",
        sa.Column("run", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("start", sa.BigInteger, nullable=False),
        sa.Column("stop", sa.BigInteger, nullable=False),
    )


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE TABLE entries_0009 (idx INTEGER NOT NULL PRIMARY KEY, "
        "statement_hash BLOB NOT NULL, leaf_hash BLOB NOT NULL, leaf BLOB NOT NULL, "
        "type VARCHAR(64) NOT NULL, signer BLOB NOT NULL)"
    )
    op.execute(
        f"INSERT INTO entries_0009 ({_ENTRY_COLUMNS}) SELECT {_ENTRY_COLUMNS} FROM entries "
        "ORDER BY idx"
    )
    op.execute("DROP TABLE entries")
    op.execute("ALTER TABLE entries_0009 RENAME TO entries")
    op.execute(
        "CREATE TABLE digests_0009 (digest BLOB NOT NULL, idx BIGINT NOT NULL, "
        "PRIMARY KEY (idx, digest)) WITHOUT ROWID"
    )
    op.execute("INSERT INTO digests_0009 (digest, idx) SELECT digest, idx FROM digests")
    op.execute("DROP TABLE digests")
    op.execute("ALTER TABLE digests_0009 RENAME TO digests")


def downgrade() -> None:
    op.drop_table("key_run_list")
    op.drop_table("key_runs")
    op.create_index("ix_entries_signer", "entries", ["signer"])
    op.create_index("ix_entries_statement_hash", "entries", ["statement_hash"], unique=True)
    op.create_index("ix_entries_leaf_hash", "entries", ["leaf_hash"], unique=True)
