"""The verifiable log: head, entries, hash tiles and checkpoints.

Revision ID: 0001
Revises:
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "size": 0, "root": hashlib.sha256(b"").digest()}])
    op.create_table(
        "entries",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("statement_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("leaf", sa.LargeBinary, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("signer", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_entries_signer", "entries", ["signer"])
    op.create_table(
        "tiles",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("checkpoints", "tiles", "entries", "log_head"):
        op.drop_table(name)
