"""The identity service's tables, in its own PostgreSQL schema "identity".

Unique keys that a deletion must release (ID number, mobile number, user name) are
partial unique indexes over the rows not deleted: deleting is a soft delete that keeps
the history but frees the key for a new registration.
"""
import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import make_base

SCHEMA = "identity"
Base = make_base(SCHEMA)


def _now_column():
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Unit(Base):
    """A unit (单位): employer, competent department, HR department, committee organiser
    or talent service centre, in a hierarchy (parent) and a region (属地)."""
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    nature: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    province_code: Mapped[str | None] = mapped_column(String(6))
    province_name: Mapped[str | None] = mapped_column(String(50))
    city_code: Mapped[str | None] = mapped_column(String(6))
    city_name: Mapped[str | None] = mapped_column(String(50))
    county_code: Mapped[str | None] = mapped_column(String(6))
    county_name: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    legal_rep_name: Mapped[str | None] = mapped_column(String(50))
    legal_rep_phone: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_mobile: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(100))
    contact_fax: Mapped[str | None] = mapped_column(String(20))
    central_in_province: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    builtin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(20))  # pending | active | rejected
    approver_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    review_opinion: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _now_column()
    updated_at: Mapped[dt.datetime] = _now_column()

    parent: Mapped["Unit | None"] = relationship(remote_side="Unit.id",
                                                 foreign_keys=[parent_id])

    __table_args__ = (
        Index("uq_units_credit_code", "credit_code", unique=True,
              postgresql_where=text("credit_code IS NOT NULL AND status <> 'rejected'")),
        Index("ix_units_status_kind", "status", "kind"),
        Index("ix_units_parent_id", "parent_id"),
    )

    @property
    def region_complete(self):
        return bool(self.province_code)

    @property
    def region(self):
        return (self.province_code, self.city_code, self.county_code)


class Person(Base):
    """A professional (申报人) with the registration fields of the Anhui FAQ and the
    Chongqing manual."""
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    real_name: Mapped[str] = mapped_column(String(50))
    former_name: Mapped[str | None] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(30))
    mobile: Mapped[str] = mapped_column(String(11))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    political_status: Mapped[str | None] = mapped_column(String(2))
    native_place: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    work_start_date: Mapped[dt.date | None] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(2))
    degree: Mapped[str | None] = mapped_column(String(1))
    title_name: Mapped[str | None] = mapped_column(String(50))
    skill_level: Mapped[str | None] = mapped_column(String(50))
    landline: Mapped[str | None] = mapped_column(String(20))
    title_series: Mapped[str | None] = mapped_column(String(40))
    is_freelancer: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    applicant_identity: Mapped[str | None] = mapped_column(String(10))
    bound_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    bound_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _now_column()
    updated_at: Mapped[dt.datetime] = _now_column()
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    bound_unit: Mapped[Unit | None] = relationship(foreign_keys=[bound_unit_id])

    __table_args__ = (
        Index("uq_persons_id_number", "id_number", unique=True,
              postgresql_where=text("deleted_at IS NULL")),
        Index("uq_persons_mobile", "mobile", unique=True,
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_persons_bound_unit_id", "bound_unit_id"),
    )


class Account(Base):
    """A login: a person's, a unit admin's (several per unit), an operator's or an
    auditor's."""
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    # person | unit_admin | operator | security (安全管理员) | auditor | system
    role: Mapped[str] = mapped_column(String(20))
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(100))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(20))  # active | frozen
    password_changed_at: Mapped[dt.datetime] = _now_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _now_column()
    updated_at: Mapped[dt.datetime] = _now_column()
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])

    __table_args__ = (
        Index("uq_accounts_username", "username", unique=True,
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_accounts_unit_id", "unit_id"),
        Index("ix_accounts_person_id", "person_id"),
    )


class Session(Base):
    """A server-side login session; a token is valid only while its session is."""
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = _now_column()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(String(30))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_sessions_account_id", "account_id"),)


class SessionFeed(Base):
    """The one-row counter of the session revocation feed (see logic/feed.py)."""
    __tablename__ = "session_feed"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class LoginThrottle(Base):
    """Consecutive failed logins per account (or per unknown login name) and the lock."""
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = _now_column()


class BindingRequest(Base):
    """A person's request to bind to a unit (申请说明), decided by that unit."""
    __tablename__ = "binding_requests"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    previous_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # pending|approved|rejected|cancelled
    decision_action: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    process_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_account_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = _now_column()

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    previous_unit: Mapped[Unit | None] = relationship(foreign_keys=[previous_unit_id])
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        Index("uq_binding_requests_pending", "person_id", unique=True,
              postgresql_where=text("status = 'pending'")),
        Index("ix_binding_requests_unit_id_status", "unit_id", "status"),
        # deleting a person checks its requests (the foreign key) through this index
        Index("ix_binding_requests_person_id", "person_id"),
    )


class AuditEntry(Base):
    """The append-only, hash-chained audit log: identity's own actions and the
    security-relevant actions of every other service (from their events). No code path
    updates or deletes a row, and a trigger refuses it."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = _now_column()
    action: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(10))  # success | failure
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_unit_id: Mapped[int | None] = mapped_column(Integer)
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(50))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The hash chain (logic/audit_chain.py): position, previous entry's hash, own hash.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # The event an entry records (entries from other services' events): at most once.
    event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_unit_id", "unit_id"),
        Index("ix_audit_log_actor_unit_id", "actor_unit_id"),
        Index("ix_audit_log_action", "action"),
        Index("ix_audit_log_actor_account_id", "actor_account_id"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )
