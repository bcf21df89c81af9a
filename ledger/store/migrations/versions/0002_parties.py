"""Parties, their keys, and the digest index for search.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("id", sa.LargeBinary(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("registry_id", sa.String(64), nullable=True),
        sa.Column("idx", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_parties_kind", "parties", ["kind"])
    op.create_table(
        "party_keys",
        sa.Column("key", sa.LargeBinary(32), primary_key=True),
        sa.Column("party_id", sa.LargeBinary(32), nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("revoked_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_idx", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_party_keys_party_id", "party_keys", ["party_id"])
    op.create_table(
        "digests",
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    )


def downgrade() -> None:
    for name in ("digests", "party_keys", "parties"):
        op.drop_table(name)
