"""files.released_at: when a file stopped being staged — detached from the last subject
that used it (replaced, removed) or, for an import workbook, read into an import. A
released file no longer counts against its slot's number of files waiting to be used,
and is purged once unused for TRANSIENT_FILE_AGE.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "documents"


def upgrade():
    op.add_column("files", sa.Column("released_at", sa.DateTime(timezone=True),
                                     nullable=True), schema=SCHEMA)
    op.create_index("ix_files_released", "files", ["released_at"], schema=SCHEMA,
                    postgresql_where=sa.text("released_at IS NOT NULL"))


def downgrade():
    op.drop_index("ix_files_released", "files", schema=SCHEMA)
    op.drop_column("files", "released_at", schema=SCHEMA)
