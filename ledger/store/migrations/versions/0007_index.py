"""The verifiable index: its leaves, and the tree size they reflect.

Revision ID: 0007
Revises: 0006

The leaves are a function of the log, like the registry's tables. The
migration creates the table empty and leaves ``log_head.index_size`` NULL;
the first sequencer to start on the upgraded database finds the index
unbuilt, replays the log into it (``ledger.rebuild.replay``) under the
log's lock, and the first checkpoint it signs after that carries the index
root. Checkpoints signed before the upgrade carry none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("log_head") as batch:
        batch.add_column(sa.Column("index_size", sa.BigInteger, nullable=True))
    op.create_table(
        "index_leaves",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("changed_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_index_leaves_changed_at", "index_leaves", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_index_leaves_changed_at", "index_leaves")
    op.drop_table("index_leaves")
    with op.batch_alter_table("log_head") as batch:
        batch.drop_column("index_size")
