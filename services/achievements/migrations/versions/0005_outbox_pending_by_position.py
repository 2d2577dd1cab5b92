"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

from services.common.messaging import pending_by_feed_position_v2, pending_by_sequence_v1

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "achievements"


def upgrade():
    pending_by_feed_position_v2(op, SCHEMA)


def downgrade():
    pending_by_sequence_v1(op, SCHEMA)
