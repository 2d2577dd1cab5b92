"""The unit index carries the record id and, included, the searched text: a unit's page
is picked from the index alone (which ids, in id order, with the tabs' filters and the
search box's words; records.page) and only its rows are read from the table, where every
record of the unit was read from the table before (about 900 pages of 8 KiB for a unit
of 950 records; the index holds them in about 15).

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "achievements"


def upgrade():
    op.drop_index("ix_records_unit_status_type", "records", schema=SCHEMA)
    op.create_index("ix_records_unit_status_type", "records",
                    ["unit_id", "status", "type_code", "id"], schema=SCHEMA,
                    postgresql_include=["search_text", "person_name"])


def downgrade():
    op.drop_index("ix_records_unit_status_type", "records", schema=SCHEMA)
    op.create_index("ix_records_unit_status_type", "records",
                    ["unit_id", "status", "type_code"], schema=SCHEMA)
