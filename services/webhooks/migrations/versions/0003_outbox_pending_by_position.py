"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from services.common.messaging import pending_index_on

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "webhooks"


def upgrade():
    pending_index_on(op, SCHEMA, "feed_position")


def downgrade():
    pending_index_on(op, SCHEMA, "sequence")
