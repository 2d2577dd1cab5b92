"""Plan settings where the manuals differ: deleting a submitted declaration the unit has
not reviewed, undoing a level's own 不通过, and the form profile (None: the region's rule).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "workflow"


def upgrade():
    op.add_column("plans", sa.Column("delete_submitted", sa.Boolean(), nullable=True),
                  schema=SCHEMA)
    op.add_column("plans", sa.Column("undo_reject", sa.Boolean(), nullable=True),
                  schema=SCHEMA)
    op.add_column("plans", sa.Column("form_profile", sa.String(length=30), nullable=True),
                  schema=SCHEMA)


def downgrade():
    for column in ("form_profile", "undo_reject", "delete_submitted"):
        op.drop_column("plans", column, schema=SCHEMA)
