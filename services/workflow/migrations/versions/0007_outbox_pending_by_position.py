"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

from services.common.messaging import pending_by_feed_position_v2, pending_by_sequence_v1

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "workflow"


def upgrade():
    pending_by_feed_position_v2(op, SCHEMA)


def downgrade():
    pending_by_sequence_v1(op, SCHEMA)
