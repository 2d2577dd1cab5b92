"""The outbox's pending index by feed position, the order the relay reads it in.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

from services.common.messaging import pending_index_on

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade():
    pending_index_on(op, SCHEMA, "feed_position")


def downgrade():
    pending_index_on(op, SCHEMA, "sequence")
