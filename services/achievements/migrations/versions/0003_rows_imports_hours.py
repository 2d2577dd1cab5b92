"""Child rows of health records (病案列表, 参考文献), Excel import previews, public-course
hours of the continuing-education platform, the records' child count, and a trigram
index on the records' person name (the unit's search box finds 申报人).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "achievements"


def upgrade():
    op.add_column("records", sa.Column("child_count", sa.Integer, nullable=False,
                                       server_default="0"), schema=SCHEMA)
    op.create_index("ix_records_person_name_trgm", "records", ["person_name"], schema=SCHEMA,
                    postgresql_using="gin", postgresql_ops={"person_name": "gin_trgm_ops"})

    op.create_table(
        "child_rows",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("file_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.ForeignKeyConstraint(["record_id"], [f"{SCHEMA}.records.id"],
                                name="fk_child_rows_record_id_records", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_child_rows"),
        schema=SCHEMA,
    )
    op.create_index("ix_child_rows_record_id_position", "child_rows",
                    ["record_id", "position"], schema=SCHEMA)

    op.create_table(
        "imports",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=True),
        sa.Column("file_id", sa.BigInteger, nullable=False),
        sa.Column("account_id", sa.BigInteger, nullable=False),
        sa.Column("person_id", sa.BigInteger, nullable=False),
        sa.Column("rows", JSONB, nullable=False),
        sa.Column("allowed", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("imported", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
        schema=SCHEMA,
    )
    op.create_index("ix_imports_account_id_created_at", "imports",
                    ["account_id", "created_at"], schema=SCHEMA)

    op.create_table(
        "public_course_hours",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("id_number_masked", sa.String(30), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("hours", sa.Numeric(10, 1), nullable=False),
        sa.Column("project", sa.String(200), nullable=True),
        sa.Column("organizer", sa.String(200), nullable=True),
        sa.Column("certificate_no", sa.String(30), nullable=True),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("loaded_by", sa.BigInteger, nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("extracted_record_id", sa.BigInteger, nullable=True),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_public_course_hours"),
        sa.UniqueConstraint("id_hash", "year", name="uq_public_course_hours_id_hash_year"),
        schema=SCHEMA,
    )


def downgrade():
    op.drop_table("public_course_hours", schema=SCHEMA)
    op.drop_table("imports", schema=SCHEMA)
    op.drop_table("child_rows", schema=SCHEMA)
    op.drop_index("ix_records_person_name_trgm", table_name="records", schema=SCHEMA)
    op.drop_column("records", "child_count", schema=SCHEMA)
