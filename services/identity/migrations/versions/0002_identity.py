"""Units, persons, accounts, sessions, login throttle, binding requests, audit log.

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

SCHEMA = "identity"


def _ts(name, nullable=False, default_now=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable,
                     server_default=sa.func.now() if default_now else None)


def upgrade():
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("nature", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("province_code", sa.String(6), nullable=True),
        sa.Column("province_name", sa.String(50), nullable=True),
        sa.Column("city_code", sa.String(6), nullable=True),
        sa.Column("city_name", sa.String(50), nullable=True),
        sa.Column("county_code", sa.String(6), nullable=True),
        sa.Column("county_name", sa.String(50), nullable=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("postal_code", sa.String(6), nullable=True),
        sa.Column("legal_rep_name", sa.String(50), nullable=True),
        sa.Column("legal_rep_phone", sa.String(20), nullable=True),
        sa.Column("contact_name", sa.String(50), nullable=True),
        sa.Column("contact_mobile", sa.String(20), nullable=True),
        sa.Column("contact_email", sa.String(100), nullable=True),
        sa.Column("contact_fax", sa.String(20), nullable=True),
        sa.Column("central_in_province", sa.Boolean, nullable=False,
                  server_default=sa.text("false")),
        sa.Column("builtin", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("approver_unit_id", sa.Integer, nullable=True),
        sa.Column("review_opinion", sa.Text, nullable=True),
        _ts("decided_at", nullable=True, default_now=False),
        sa.Column("created_by_account_id", sa.Integer, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.ForeignKeyConstraint(["parent_id"], [f"{SCHEMA}.units.id"],
                                name="fk_units_parent_id_units"),
        sa.ForeignKeyConstraint(["approver_unit_id"], [f"{SCHEMA}.units.id"],
                                name="fk_units_approver_unit_id_units"),
        schema=SCHEMA,
    )
    op.create_index("uq_units_credit_code", "units", ["credit_code"], unique=True,
                    schema=SCHEMA,
                    postgresql_where=sa.text("credit_code IS NOT NULL AND status <> 'rejected'"))
    op.create_index("ix_units_status_kind", "units", ["status", "kind"], schema=SCHEMA)
    op.create_index("ix_units_parent_id", "units", ["parent_id"], schema=SCHEMA)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("real_name", sa.String(50), nullable=False),
        sa.Column("former_name", sa.String(50), nullable=True),
        sa.Column("id_type", sa.String(20), nullable=False),
        sa.Column("id_number", sa.String(30), nullable=False),
        sa.Column("mobile", sa.String(11), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("ethnicity", sa.String(2), nullable=True),
        sa.Column("political_status", sa.String(2), nullable=True),
        sa.Column("native_place", sa.String(100), nullable=True),
        sa.Column("email", sa.String(100), nullable=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("work_start_date", sa.Date, nullable=True),
        sa.Column("education", sa.String(2), nullable=True),
        sa.Column("degree", sa.String(1), nullable=True),
        sa.Column("title_name", sa.String(50), nullable=True),
        sa.Column("skill_level", sa.String(50), nullable=True),
        sa.Column("landline", sa.String(20), nullable=True),
        sa.Column("title_series", sa.String(40), nullable=True),
        sa.Column("is_freelancer", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("applicant_identity", sa.String(10), nullable=True),
        sa.Column("bound_unit_id", sa.Integer, nullable=True),
        _ts("bound_at", nullable=True, default_now=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("deleted_at", nullable=True, default_now=False),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
        sa.ForeignKeyConstraint(["bound_unit_id"], [f"{SCHEMA}.units.id"],
                                name="fk_persons_bound_unit_id_units"),
        schema=SCHEMA,
    )
    op.create_index("uq_persons_id_number", "persons", ["id_number"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("uq_persons_mobile", "persons", ["mobile"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("ix_persons_bound_unit_id", "persons", ["bound_unit_id"], schema=SCHEMA)

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("mobile", sa.String(11), nullable=True),
        sa.Column("email", sa.String(100), nullable=True),
        sa.Column("person_id", sa.Integer, nullable=True),
        sa.Column("unit_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("password_changed_at"),
        _ts("last_login_at", nullable=True, default_now=False),
        sa.Column("created_by_account_id", sa.Integer, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("deleted_at", nullable=True, default_now=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.ForeignKeyConstraint(["person_id"], [f"{SCHEMA}.persons.id"],
                                name="fk_accounts_person_id_persons"),
        sa.ForeignKeyConstraint(["unit_id"], [f"{SCHEMA}.units.id"],
                                name="fk_accounts_unit_id_units"),
        schema=SCHEMA,
    )
    op.create_index("uq_accounts_username", "accounts", ["username"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("ix_accounts_unit_id", "accounts", ["unit_id"], schema=SCHEMA)
    op.create_index("ix_accounts_person_id", "accounts", ["person_id"], schema=SCHEMA)

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        _ts("created_at"),
        _ts("expires_at", default_now=False),
        _ts("revoked_at", nullable=True, default_now=False),
        sa.Column("revoke_reason", sa.String(30), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["account_id"], [f"{SCHEMA}.accounts.id"],
                                name="fk_sessions_account_id_accounts"),
        schema=SCHEMA,
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"], schema=SCHEMA)

    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default=sa.text("0")),
        _ts("locked_until", nullable=True, default_now=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttle"),
        schema=SCHEMA,
    )

    op.create_table(
        "binding_requests",
        sa.Column("id", sa.Integer, sa.Identity(), nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("previous_unit_id", sa.Integer, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decision_action", sa.String(20), nullable=True),
        sa.Column("opinion", sa.Text, nullable=True),
        sa.Column("process_id", sa.Integer, nullable=True),
        _ts("decided_at", nullable=True, default_now=False),
        sa.Column("decided_by_account_id", sa.Integer, nullable=True),
        sa.Column("decided_by_name", sa.String(100), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_binding_requests"),
        sa.ForeignKeyConstraint(["person_id"], [f"{SCHEMA}.persons.id"],
                                name="fk_binding_requests_person_id_persons"),
        sa.ForeignKeyConstraint(["unit_id"], [f"{SCHEMA}.units.id"],
                                name="fk_binding_requests_unit_id_units"),
        sa.ForeignKeyConstraint(["previous_unit_id"], [f"{SCHEMA}.units.id"],
                                name="fk_binding_requests_previous_unit_id_units"),
        schema=SCHEMA,
    )
    op.create_index("uq_binding_requests_pending", "binding_requests", ["person_id"],
                    unique=True, schema=SCHEMA, postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_binding_requests_unit_id_status", "binding_requests",
                    ["unit_id", "status"], schema=SCHEMA)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        _ts("at"),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("actor_account_id", sa.Integer, nullable=True),
        sa.Column("actor_name", sa.String(100), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=True),
        sa.Column("actor_unit_id", sa.Integer, nullable=True),
        sa.Column("target_type", sa.String(30), nullable=True),
        sa.Column("target_id", sa.String(50), nullable=True),
        sa.Column("unit_id", sa.Integer, nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("detail", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], schema=SCHEMA)
    op.create_index("ix_audit_log_action", "audit_log", ["action"], schema=SCHEMA)
    op.create_index("ix_audit_log_actor_account_id", "audit_log", ["actor_account_id"],
                    schema=SCHEMA)
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"],
                    schema=SCHEMA)
    # Append-only: the database itself refuses to change or remove an entry.
    op.execute(f"""
        CREATE FUNCTION "{SCHEMA}".audit_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only';
        END;
        $$
    """)
    op.execute(f"""
        CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE ON "{SCHEMA}".audit_log
        FOR EACH ROW EXECUTE FUNCTION "{SCHEMA}".audit_log_append_only()
    """)


def downgrade():
    op.execute(f'DROP TRIGGER IF EXISTS audit_log_append_only ON "{SCHEMA}".audit_log')
    op.execute(f'DROP FUNCTION IF EXISTS "{SCHEMA}".audit_log_append_only()')
    for table in ("audit_log", "binding_requests", "login_throttle", "sessions", "accounts",
                  "persons", "units"):
        op.drop_table(table, schema=SCHEMA)
