"""The records' duplicate key (issue 16.16): the normalized identity of a paper, patent,
award or project, indexed, so that the other persons' claims of the same achievement are
one lookup. Existing records get their key here.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "achievements"
BATCH = 1000


def upgrade():
    from services.achievements.logic.duplicates import PARTS, key_of

    op.add_column("records", sa.Column("duplicate_key", sa.String(80), nullable=True),
                  schema=SCHEMA)
    op.create_index("ix_records_duplicate_key", "records", ["duplicate_key", "status"],
                    schema=SCHEMA, postgresql_where=sa.text("duplicate_key IS NOT NULL"))
    connection = op.get_bind()
    records = sa.table("records", sa.column("id", sa.BigInteger),
                       sa.column("type_code", sa.String), sa.column("fields", sa.JSON),
                       sa.column("duplicate_key", sa.String), schema=SCHEMA)
    after = 0
    while True:
        rows = connection.execute(
            sa.select(records.c.id, records.c.type_code, records.c.fields)
            .where(records.c.type_code.in_(list(PARTS)), records.c.id > after)
            .order_by(records.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            key = key_of(row.type_code, row.fields or {})
            if key:
                connection.execute(records.update().where(records.c.id == row.id)
                                   .values(duplicate_key=key))
        after = rows[-1].id


def downgrade():
    op.drop_index("ix_records_duplicate_key", table_name="records", schema=SCHEMA)
    op.drop_column("records", "duplicate_key", schema=SCHEMA)
