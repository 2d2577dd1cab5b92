"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

from services.common.messaging import pending_index_on

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "achievements"


def upgrade():
    pending_index_on(op, SCHEMA, "feed_position")


def downgrade():
    pending_index_on(op, SCHEMA, "sequence")
