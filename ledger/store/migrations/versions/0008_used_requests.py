"""The tokens of signed requests already used, each kept until it expires.

Revision ID: 0008
Revises: 0007

A signed request (``ledger.access``) is accepted once: inserting its token is
the atomic "first use" check, seen by every process sharing the database.
Rows past ``expires_at`` are pruned as new ones arrive.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_requests",
        sa.Column("token", sa.LargeBinary(32), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_used_requests_expires_at", "used_requests", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_used_requests_expires_at", "used_requests")
    op.drop_table("used_requests")
