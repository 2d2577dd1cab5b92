"""Files, their attachments to other services' subjects, and the download access log.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "documents"


def upgrade():
    op.create_table(
        "files",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("bundle", sa.String(100), nullable=True),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("extension", sa.String(10), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), server_default="pending", nullable=False),
        sa.Column("source", sa.String(20), server_default="upload", nullable=False),
        sa.Column("owner_account_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_person_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_unit_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_name", sa.String(100), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'completed')", name="ck_files_status"),
        sa.CheckConstraint("source IN ('upload', 'merged', 'generated')",
                           name="ck_files_source"),
        sa.PrimaryKeyConstraint("id", name="pk_files"),
        sa.UniqueConstraint("object_key", name="uq_files_object_key"),
        schema=SCHEMA,
    )
    op.create_index("ix_files_owner_slot", "files", ["owner_account_id", "slot", "status"],
                    schema=SCHEMA)
    op.create_index("ix_files_owner_bundle", "files", ["owner_account_id", "bundle"],
                    schema=SCHEMA, postgresql_where=sa.text("bundle IS NOT NULL"))
    op.create_index("ix_files_pending_created", "files", ["created_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("file_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_service", sa.String(50), nullable=False),
        sa.Column("subject_type", sa.String(50), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("attached_by", sa.BigInteger(), nullable=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["file_id"], [f"{SCHEMA}.files.id"], ondelete="CASCADE",
                                name="fk_attachments_file_id_files"),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("file_id", "subject_service", "subject_type", "subject_id",
                            name="uq_attachments_file_id_subject_service_subject_type_subject_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_attachments_subject", "attachments",
                    ["subject_service", "subject_type", "subject_id"], schema=SCHEMA)

    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("file_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_access_log_file_id", "access_log", ["file_id"], schema=SCHEMA)


def downgrade():
    op.drop_table("access_log", schema=SCHEMA)
    op.drop_table("attachments", schema=SCHEMA)
    op.drop_table("files", schema=SCHEMA)
