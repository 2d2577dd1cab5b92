"""Employer recommendation, post quotas, publicity and the unit gate of declarations.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "workflow"
JSONB = postgresql.JSONB(astext_type=sa.Text())
TS = sa.DateTime(timezone=True)


def _declaration_fk(table):
    return sa.ForeignKeyConstraint(
        ["declaration_id"], [f"{SCHEMA}.declarations.id"],
        name=f"fk_{table}_declaration_id_declarations", ondelete="CASCADE")


def upgrade():
    op.add_column("plans", sa.Column("unit_gate", sa.Boolean(), nullable=False,
                                     server_default=sa.text("false")), schema=SCHEMA)

    op.create_table(
        "post_quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("senior", sa.Integer(), nullable=True),
        sa.Column("deputy_senior", sa.Integer(), nullable=True),
        sa.Column("intermediate", sa.Integer(), nullable=True),
        sa.Column("junior", sa.Integer(), nullable=True),
        sa.Column("form_file_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("confirmed_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_by_name", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_quotas"),
        sa.UniqueConstraint("unit_id", "year", name="uq_post_quotas_unit_id_year"),
        schema=SCHEMA,
    )

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(length=50), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("occupies_post", sa.String(length=20), nullable=True),
        sa.Column("post_note", sa.Text(), nullable=True),
        sa.Column("quota_id", sa.Integer(), nullable=True),
        sa.Column("materials", JSONB, nullable=False),
        sa.Column("created_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_by_name", sa.String(length=100), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _declaration_fk("recommendations"),
        sa.ForeignKeyConstraint(["quota_id"], [f"{SCHEMA}.post_quotas.id"],
                                name="fk_recommendations_quota_id_post_quotas"),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
        sa.UniqueConstraint("declaration_id", name="uq_recommendations_declaration_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_recommendations_unit_id_year_level", "recommendations",
                    ["unit_id", "year", "level"], schema=SCHEMA)

    op.create_table(
        "publicities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("recorded_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _declaration_fk("publicities"),
        sa.PrimaryKeyConstraint("id", name="pk_publicities"),
        sa.UniqueConstraint("declaration_id", name="uq_publicities_declaration_id"),
        schema=SCHEMA,
    )

    op.create_table(
        "publicity_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=True),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("handled_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("handled_by_name", sa.String(length=100), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _declaration_fk("publicity_objections"),
        sa.PrimaryKeyConstraint("id", name="pk_publicity_objections"),
        schema=SCHEMA,
    )
    op.create_index("ix_publicity_objections_declaration_id", "publicity_objections",
                    ["declaration_id"], schema=SCHEMA)

    op.create_table(
        "report_holds",
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("held_at", TS, nullable=False),
        sa.Column("held_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("held_by_name", sa.String(length=100), nullable=True),
        _declaration_fk("report_holds"),
        sa.PrimaryKeyConstraint("declaration_id", name="pk_report_holds"),
        schema=SCHEMA,
    )
    op.create_index("ix_report_holds_unit_id_plan_id", "report_holds",
                    ["unit_id", "plan_id"], schema=SCHEMA)


def downgrade():
    for table in ("report_holds", "publicity_objections", "publicities", "recommendations",
                  "post_quotas"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_column("plans", "unit_gate", schema=SCHEMA)
