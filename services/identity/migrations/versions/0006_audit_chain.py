"""The audit log becomes one hash-chained trail of every service.

Each entry gets its chain position (``seq``), the previous entry's hash and its own hash
(services/identity/logic/audit_chain.py, format ``entry_hash_v1``), and the id of the
event it records when it comes from another service (``event_id``, unique: an event is
recorded once). Entries written before this revision are chained here, in id order, with
the append-only trigger set aside for that one statement by the owner.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from services.identity.logic.audit_chain import GENESIS, HASHED, entry_hash_v1

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "identity"
TABLE = f'"{SCHEMA}".audit_log'


def upgrade():
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger), schema=SCHEMA)
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64)), schema=SCHEMA)
    op.add_column("audit_log", sa.Column("hash", sa.String(64)), schema=SCHEMA)
    op.add_column("audit_log", sa.Column("event_id", UUID(as_uuid=True)), schema=SCHEMA)
    op.create_unique_constraint("uq_audit_log_seq", "audit_log", ["seq"], schema=SCHEMA)
    op.create_unique_constraint("uq_audit_log_event_id", "audit_log", ["event_id"],
                                schema=SCHEMA)
    op.create_index("ix_audit_log_unit_id", "audit_log", ["unit_id"], schema=SCHEMA)
    op.create_index("ix_audit_log_actor_unit_id", "audit_log", ["actor_unit_id"],
                    schema=SCHEMA)

    conn = op.get_bind()
    columns = ", ".join(name for name in HASHED if name not in ("seq", "prev_hash"))
    rows = conn.execute(sa.text(f"SELECT id, {columns} FROM {TABLE} ORDER BY id")).mappings()
    chained, prev = [], GENESIS
    for seq, row in enumerate(rows, start=1):
        values = {**row, "seq": seq, "prev_hash": prev}
        prev = entry_hash_v1(values)
        chained.append({"id": row["id"], "seq": seq, "prev_hash": values["prev_hash"],
                        "hash": prev})
    if chained:
        op.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_log_append_only")
        conn.execute(sa.text(f"UPDATE {TABLE} SET seq = :seq, prev_hash = :prev_hash, "
                             "hash = :hash WHERE id = :id"), chained)
        op.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_log_append_only")


def downgrade():
    op.drop_index("ix_audit_log_actor_unit_id", "audit_log", schema=SCHEMA)
    op.drop_index("ix_audit_log_unit_id", "audit_log", schema=SCHEMA)
    op.drop_constraint("uq_audit_log_event_id", "audit_log", schema=SCHEMA)
    op.drop_constraint("uq_audit_log_seq", "audit_log", schema=SCHEMA)
    op.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_log_append_only")
    for column in ("event_id", "hash", "prev_hash", "seq"):
        op.drop_column("audit_log", column, schema=SCHEMA)
    op.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_log_append_only")
