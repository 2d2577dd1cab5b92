"""An index on binding_requests.person_id.

Deleting a person checks the foreign key of its binding requests; without an index on
person_id that is a scan of the whole table per person (seen by bench/load_bench.py's
cleanup of 100,000 persons).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade():
    op.create_index("ix_binding_requests_person_id", "binding_requests", ["person_id"],
                    schema=SCHEMA)


def downgrade():
    op.drop_index("ix_binding_requests_person_id", table_name="binding_requests",
                  schema=SCHEMA)
