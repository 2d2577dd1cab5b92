"""Evaluation plans and title declarations: plans, declarations, their items and log.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "workflow"
JSONB = postgresql.JSONB(astext_type=sa.Text())
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("forms", JSONB, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("scope", JSONB, nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("attachments", JSONB, nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("contact_address", sa.String(length=200), nullable=True),
        sa.Column("interview", sa.Boolean(), nullable=False),
        sa.Column("titles_required", sa.Boolean(), nullable=False),
        sa.Column("sections", JSONB, nullable=False),
        sa.Column("hr_unit_id", sa.Integer(), nullable=True),
        sa.Column("hr_unit_name", sa.String(length=200), nullable=True),
        sa.Column("organiser_unit_id", sa.Integer(), nullable=True),
        sa.Column("organiser_unit_name", sa.String(length=200), nullable=True),
        sa.Column("publisher_unit_id", sa.Integer(), nullable=True),
        sa.Column("publisher_unit_name", sa.String(length=200), nullable=True),
        sa.Column("created_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        schema=SCHEMA,
    )
    op.create_index("ix_plans_year_status", "plans", ["year", "status"], schema=SCHEMA)
    op.create_index("ix_plans_hr_unit_id", "plans", ["hr_unit_id"], schema=SCHEMA)
    op.create_index("ix_plans_organiser_unit_id", "plans", ["organiser_unit_id"],
                    schema=SCHEMA)
    op.create_index("ix_plans_publisher_unit_id", "plans", ["publisher_unit_id"],
                    schema=SCHEMA)

    op.create_table(
        "declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("specialty", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pledge_text", sa.Text(), nullable=False),
        sa.Column("pledge_accepted_at", TS, nullable=False),
        sa.Column("person", JSONB, nullable=False),
        sa.Column("personal", JSONB, nullable=False),
        sa.Column("titles", JSONB, nullable=False),
        sa.Column("chain", JSONB, nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("current_step", sa.Integer(), nullable=True),
        sa.Column("current_unit_id", sa.Integer(), nullable=True),
        sa.Column("current_unit_name", sa.String(length=200), nullable=True),
        sa.Column("ended_step", sa.Integer(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("opinion_unit_name", sa.String(length=200), nullable=True),
        sa.Column("first_submitted_at", TS, nullable=True),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], [f"{SCHEMA}.plans.id"],
                                name="fk_declarations_plan_id_plans"),
        sa.PrimaryKeyConstraint("id", name="pk_declarations"),
        schema=SCHEMA,
    )
    op.create_index("uq_declarations_person_year", "declarations", ["person_id", "year"],
                    unique=True, schema=SCHEMA,
                    postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("ix_declarations_plan_id", "declarations", ["plan_id"], schema=SCHEMA)
    op.create_index("ix_declarations_status", "declarations", ["status"], schema=SCHEMA)

    op.create_table(
        "declaration_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("snapshot", JSONB, nullable=False),
        sa.Column("frozen", JSONB, nullable=True),
        sa.Column("frozen_at", TS, nullable=True),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("marked_deleted", sa.Boolean(), nullable=False),
        sa.Column("mark_reason", sa.Text(), nullable=True),
        sa.Column("marked_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("marked_by_name", sa.String(length=100), nullable=True),
        sa.Column("marked_unit_id", sa.Integer(), nullable=True),
        sa.Column("marked_unit_name", sa.String(length=200), nullable=True),
        sa.Column("marked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["declaration_id"], [f"{SCHEMA}.declarations.id"],
                                name="fk_declaration_items_declaration_id_declarations",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_declaration_items"),
        sa.UniqueConstraint("declaration_id", "record_id",
                            name="uq_declaration_items_declaration_id_record_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_declaration_items_declaration_id_section", "declaration_items",
                    ["declaration_id", "section"], schema=SCHEMA)

    op.create_table(
        "declaration_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("account_name", sa.String(length=100), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], [f"{SCHEMA}.declarations.id"],
                                name="fk_declaration_log_declaration_id_declarations",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_declaration_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_declaration_log_declaration_id", "declaration_log",
                    ["declaration_id"], schema=SCHEMA)


def downgrade():
    for table in ("declaration_log", "declaration_items", "declarations", "plans"):
        op.drop_table(table, schema=SCHEMA)
