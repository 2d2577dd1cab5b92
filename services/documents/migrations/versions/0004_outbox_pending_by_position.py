"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

from services.common.messaging import pending_index_on

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "documents"


def upgrade():
    pending_index_on(op, SCHEMA, "feed_position")


def downgrade():
    pending_index_on(op, SCHEMA, "sequence")
