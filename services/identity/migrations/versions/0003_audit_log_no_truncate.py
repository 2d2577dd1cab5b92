"""The audit log refuses TRUNCATE too.

0002's row trigger refuses UPDATE and DELETE, but row triggers do not fire on TRUNCATE,
which emptied the log at once. A statement-level trigger closes that gap.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade():
    op.execute(f"""
        CREATE TRIGGER audit_log_no_truncate
        BEFORE TRUNCATE ON "{SCHEMA}".audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION "{SCHEMA}".audit_log_append_only()
    """)


def downgrade():
    op.execute(f'DROP TRIGGER IF EXISTS audit_log_no_truncate ON "{SCHEMA}".audit_log')
