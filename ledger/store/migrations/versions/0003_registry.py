"""Registry objects (assets, licences, objections), the asset event index and object parties.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_objects",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", sa.LargeBinary(32), primary_key=True),
        sa.Column("asset", sa.LargeBinary(32), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index("ix_registry_objects_asset", "registry_objects", ["asset"])
    op.create_table(
        "asset_events",
        sa.Column("asset", sa.LargeBinary(32), primary_key=True),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    )

    op.create_table(
        "object_parties",
        sa.Column("party", sa.LargeBinary(32), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", sa.LargeBinary(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("object_parties")
    op.drop_table("asset_events")
    op.drop_table("registry_objects")
