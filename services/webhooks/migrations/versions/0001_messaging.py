"""The messaging tables: outbox, processed_events, failed_events.

Revision ID: 0001
Revises:
"""
from alembic import op

from services.common.messaging import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "webhooks"


def upgrade():
    create_messaging_tables_v1(op, SCHEMA)


def downgrade():
    drop_messaging_tables_v1(op, SCHEMA)
