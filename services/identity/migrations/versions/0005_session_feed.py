"""Sessions checked in the gateway: the revocation feed's counter and the last activity.

``session_feed`` has one row whose ``seq`` every transaction that revokes something
(a session, an account, a unit) or changes a principal increments as its last step: the
row lock serialises those transactions, so sequence numbers follow commit order without
gaps and a gateway can tell a missed message from a late one. ``sessions.last_seen_at``
is the last request the gateways saw for the session (idle timeout).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade():
    op.add_column("sessions", sa.Column("last_seen_at", sa.DateTime(timezone=True)),
                  schema=SCHEMA)
    op.create_table(
        "session_feed",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.CheckConstraint("id = 1", name="session_feed_one_row"),
        schema=SCHEMA,
    )
    op.execute(f'INSERT INTO "{SCHEMA}".session_feed (id, seq) VALUES (1, 0)')


def downgrade():
    op.drop_table("session_feed", schema=SCHEMA)
    op.drop_column("sessions", "last_seen_at", schema=SCHEMA)
