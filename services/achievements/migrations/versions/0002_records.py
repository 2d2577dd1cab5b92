"""Achievement records, their declaration locks, the withdrawal log and the action trail.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "achievements"


def upgrade():
    # Trigram index for keyword search (ILIKE '%…%'); pg_trgm is a trusted extension.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "records",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("person_id", sa.BigInteger, nullable=False),
        sa.Column("person_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False, server_default="user"),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("title", sa.String(500), nullable=False, server_default=""),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("evidence_file_ids", JSONB, nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        sa.Column("opinion", sa.Text, nullable=True),
        sa.Column("unit_id", sa.BigInteger, nullable=True),
        sa.Column("unit_name", sa.String(200), nullable=True),
        sa.Column("lock_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        schema=SCHEMA,
    )
    op.create_index("ix_records_person_type_status", "records",
                    ["person_id", "type_code", "status"], schema=SCHEMA)
    op.create_index("ix_records_unit_status_type", "records",
                    ["unit_id", "status", "type_code"], schema=SCHEMA)
    op.create_index("ix_records_search_text_trgm", "records", ["search_text"], schema=SCHEMA,
                    postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})

    op.create_table(
        "record_locks",
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("declaration_id", sa.BigInteger, nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.ForeignKeyConstraint(["record_id"], [f"{SCHEMA}.records.id"],
                                name="fk_record_locks_record_id_records",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("record_id", "declaration_id", name="pk_record_locks"),
        schema=SCHEMA,
    )
    op.create_index("ix_record_locks_declaration_id", "record_locks", ["declaration_id"],
                    schema=SCHEMA)

    op.create_table(
        "withdrawals",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("person_id", sa.BigInteger, nullable=False),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(500), nullable=False, server_default=""),
        sa.Column("previous_status", sa.String(20), nullable=False),
        sa.Column("handling", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("unit_id", sa.BigInteger, nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawals"),
        schema=SCHEMA,
    )
    op.create_index("ix_withdrawals_person_id_requested_at", "withdrawals",
                    ["person_id", "requested_at"], schema=SCHEMA)

    op.create_table(
        "record_actions",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=True),
        sa.Column("status_to", sa.String(20), nullable=True),
        sa.Column("opinion", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("account_id", sa.BigInteger, nullable=True),
        sa.Column("actor_name", sa.String(100), nullable=True),
        sa.Column("unit_id", sa.BigInteger, nullable=True),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("process_id", sa.BigInteger, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_record_actions"),
        schema=SCHEMA,
    )
    op.create_index("ix_record_actions_record_id_id", "record_actions", ["record_id", "id"],
                    schema=SCHEMA)


def downgrade():
    op.drop_table("record_actions", schema=SCHEMA)
    op.drop_table("withdrawals", schema=SCHEMA)
    op.drop_table("record_locks", schema=SCHEMA)
    op.drop_table("records", schema=SCHEMA)
    # pg_trgm may serve other schemas; it is left in place.
