"""The review engine: processes, their steps, tasks and history.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "workflow"


def upgrade():
    op.create_table(
        "processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_service", sa.String(length=50), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("applicant_person_id", sa.Integer(), nullable=True),
        sa.Column("applicant_name", sa.String(length=100), nullable=False),
        sa.Column("applicant_unit_id", sa.Integer(), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_processes"),
        schema=SCHEMA,
    )
    op.create_index("ix_processes_applicant_person_id", "processes", ["applicant_person_id"],
                    unique=False, schema=SCHEMA)
    op.create_index("ix_processes_subject", "processes",
                    ["subject_service", "subject_type", "subject_id"], unique=False,
                    schema=SCHEMA)
    op.create_index("uq_processes_open_subject", "processes",
                    ["kind", "subject_service", "subject_type", "subject_id"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("status = 'open'"))

    op.create_table(
        "process_steps",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("unit_kind", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(["process_id"], [f"{SCHEMA}.processes.id"],
                                name="fk_process_steps_process_id_processes",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("process_id", "step_index", name="pk_process_steps"),
        schema=SCHEMA,
    )
    op.create_index("ix_process_steps_unit_id", "process_steps", ["unit_id"], unique=False,
                    schema=SCHEMA)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_by_name", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["process_id"], [f"{SCHEMA}.processes.id"],
                                name="fk_tasks_process_id_processes", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
        schema=SCHEMA,
    )
    op.create_index("ix_tasks_decided_by_account_id", "tasks", ["decided_by_account_id"],
                    unique=False, schema=SCHEMA)
    op.create_index("ix_tasks_process_id", "tasks", ["process_id"], unique=False,
                    schema=SCHEMA)
    op.create_index("ix_tasks_unit_id_state", "tasks", ["unit_id", "state"], unique=False,
                    schema=SCHEMA)

    op.create_table(
        "history_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("account_name", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["process_id"], [f"{SCHEMA}.processes.id"],
                                name="fk_history_entries_process_id_processes",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_history_entries"),
        schema=SCHEMA,
    )
    op.create_index("ix_history_entries_process_id", "history_entries", ["process_id"],
                    unique=False, schema=SCHEMA)


def downgrade():
    for table in ("history_entries", "tasks", "process_steps", "processes"):
        op.drop_table(table, schema=SCHEMA)
