"""Registry integrity: party verification, asset fingerprints and certificates, log settings.

Revision ID: 0006
Revises: 0005

The new columns are a cache of the log like the rest of the registry's
tables: existing asset rows are filled from their stored documents, and
``cunzheng rebuild`` recomputes everything from the log.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.add_column(sa.Column("registry_id_type", sa.String(16), nullable=True))
        batch.add_column(sa.Column("verified_by", sa.LargeBinary(32), nullable=True))
        batch.add_column(sa.Column("verified_idx", sa.BigInteger, nullable=True))
    op.create_index("ix_parties_registry_id", "parties", ["registry_id"])
    with op.batch_alter_table("registry_objects") as batch:
        batch.add_column(sa.Column("fingerprint", sa.LargeBinary(32), nullable=True))
        batch.add_column(sa.Column("certificate", sa.String(64), nullable=True))
    op.create_index("ix_registry_objects_fingerprint", "registry_objects", ["fingerprint"])
    op.create_index("ix_registry_objects_certificate", "registry_objects", ["certificate"])
    op.create_table(
        "log_settings",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    objects = sa.table(
        "registry_objects",
        sa.column("kind", sa.String),
        sa.column("id", sa.LargeBinary),
        sa.column("doc", sa.Text),
        sa.column("fingerprint", sa.LargeBinary),
        sa.column("certificate", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(objects.c.id, objects.c.doc).where(objects.c.kind == "asset"))
    for row in rows.fetchall():
        doc = json.loads(row.doc)
        conn.execute(
            objects.update()
            .where(objects.c.kind == "asset", objects.c.id == row.id)
            .values(fingerprint=bytes.fromhex(doc["fingerprint"]), certificate=doc["certificate"])
        )


def downgrade() -> None:
    op.drop_table("log_settings")
    op.drop_index("ix_registry_objects_certificate", "registry_objects")
    op.drop_index("ix_registry_objects_fingerprint", "registry_objects")
    with op.batch_alter_table("registry_objects") as batch:
        batch.drop_column("certificate")
        batch.drop_column("fingerprint")
    op.drop_index("ix_parties_registry_id", "parties")
    with op.batch_alter_table("parties") as batch:
        batch.drop_column("verified_idx")
        batch.drop_column("verified_by")
        batch.drop_column("registry_id_type")
