"""Subscriptions, the events taken in from the sources' feeds, deliveries and attempts.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "webhooks"


def ts(name, nullable=True, default=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable,
                     server_default=sa.func.now() if default else None)


def upgrade():
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_account_id", sa.Integer, nullable=False),
        sa.Column("owner_name", sa.String(100), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("event_types", JSONB, nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("previous_secret", sa.String(200), nullable=True),
        ts("previous_secret_expires_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("paused_reason", sa.String(20), nullable=True),
        ts("paused_at"),
        ts("failing_since"),
        sa.Column("last_error", sa.Text, nullable=True),
        ts("created_at", False, True),
        ts("updated_at", False, True),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        schema=SCHEMA,
    )
    op.create_index("ix_subscriptions_owner_account_id", "subscriptions",
                    ["owner_account_id"], schema=SCHEMA)
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("cloudevent", JSONB, nullable=False),
        ts("received_at", False, True),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        schema=SCHEMA,
    )
    op.create_index("uq_events_source_position", "events", ["source", "position"],
                    unique=True, schema=SCHEMA)
    op.create_table(
        "cursors",
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_cursors"),
        schema=SCHEMA,
    )
    op.create_table(
        "deliveries",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("event_row_id", sa.BigInteger, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        ts("next_attempt_at", False, True),
        ts("first_failed_at"),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_response_ms", sa.Integer, nullable=True),
        ts("created_at", False, True),
        ts("delivered_at"),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(["subscription_id"], [f"{SCHEMA}.subscriptions.id"],
                                name="fk_deliveries_subscription_id_subscriptions"),
        sa.ForeignKeyConstraint(["event_row_id"], [f"{SCHEMA}.events.id"],
                                name="fk_deliveries_event_row_id_events"),
        schema=SCHEMA,
    )
    op.create_index("ix_deliveries_pending", "deliveries",
                    ["subscription_id", "subject", "event_row_id"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("uq_deliveries_event", "deliveries", ["subscription_id", "event_row_id"],
                    unique=True, schema=SCHEMA, postgresql_where=sa.text("reason = 'event'"))
    op.create_index("ix_deliveries_subscription_created", "deliveries",
                    ["subscription_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "attempts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("delivery_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        ts("started_at", False),
        ts("finished_at"),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("response_ms", sa.Integer, nullable=True),
        sa.Column("succeeded", sa.Boolean, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.ForeignKeyConstraint(["delivery_id"], [f"{SCHEMA}.deliveries.id"],
                                name="fk_attempts_delivery_id_deliveries"),
        schema=SCHEMA,
    )
    op.create_index("ix_attempts_delivery_id", "attempts", ["delivery_id"], schema=SCHEMA)


def downgrade():
    for table in ("attempts", "deliveries", "cursors", "events", "subscriptions"):
        op.drop_table(table, schema=SCHEMA)
