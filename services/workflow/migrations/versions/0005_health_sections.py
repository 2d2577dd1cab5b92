"""Chongqing health-series declaration sections: the sections, their frozen copy and the
saved print settings of a declaration.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "workflow"
JSONB = postgresql.JSONB(astext_type=sa.Text())
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "declaration_health",
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("form_category", sa.String(length=20), nullable=True),
        sa.Column("declaration_type", sa.String(length=20), nullable=True),
        sa.Column("applicant_identity", sa.String(length=10), nullable=True),
        sa.Column("sections", JSONB, nullable=False),
        sa.Column("next_row_id", sa.Integer(), nullable=False),
        sa.Column("frozen", JSONB, nullable=True),
        sa.Column("frozen_at", TS, nullable=True),
        sa.Column("print_settings", JSONB, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], [f"{SCHEMA}.declarations.id"],
                                name="fk_declaration_health_declaration_id_declarations",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("declaration_id", name="pk_declaration_health"),
        schema=SCHEMA,
    )


def downgrade():
    op.drop_table("declaration_health", schema=SCHEMA)
