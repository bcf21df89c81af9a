"""Time-stamp tokens and witness cosignatures kept beside checkpoints.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoint_evidence",
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("tokens", sa.Text, nullable=False),
        sa.Column("cosigned", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("checkpoint_evidence")
