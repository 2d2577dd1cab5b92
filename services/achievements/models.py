"""The achievements service's tables, in its own PostgreSQL schema \"achievements\".

``records`` holds every achievement record of the 23 types in one table: the type code,
the owner, the status, the cleaned field values (JSONB), the title and a search text
derived from them. ``record_locks`` are the live declarations that imported a record,
``withdrawals`` the 撤回记录 and ``record_actions`` the local trail of what happened to
a record (saved, submitted, decided, withdrawn; decisions that arrived too late too).

``child_rows`` are the rows under a health record (病案列表 of 卫生-专题/卫生-论文, 参考文献
of 卫生-综述; ``RecordType.children`` in the catalogue), in their order. ``imports`` keeps
every Excel import preview until it is committed (once). ``public_course_hours`` are the
continuing-education platform's public-course hours (公需课) loaded by operators, matched
to a person by the hash of the ID number when the person extracts them (提取).
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import Identity

from services.common.db import make_base

SCHEMA = "achievements"
Base = make_base(SCHEMA)


class Record(Base):
    __tablename__ = "records"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    person_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    person_name: Mapped[str] = mapped_column(String(100), nullable=False, server_default="")
    # draft | submitted | approved | returned | terminated (labels in logic/status.py)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # user (用户申报) | auto (自动生成, e.g. public-course hours extracted later)
    source: Mapped[str] = mapped_column(String(10), nullable=False, server_default="user")
    fields: Mapped[dict] = mapped_column(JSONB, nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, server_default="")
    # lower-cased title and query-field values, searched with ILIKE (trigram index)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    evidence_file_ids: Mapped[list] = mapped_column(JSONB, nullable=False,
                                                    server_default=text("'[]'::jsonb"))
    opinion: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the unit the record was (last) submitted to; set at submission
    unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    unit_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # number of live declarations that imported the record (rows of record_locks)
    lock_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    # number of child rows (病案数量 / 文献数量), kept with the rows
    child_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    # the achievement's normalized identity (logic/duplicates.py): the same paper, patent,
    # award or project claimed by several persons has the same key
    duplicate_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # bumped by every change; submission checks the version it validated
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)

    __table_args__ = (
        Index("ix_records_person_type_status", "person_id", "type_code", "status"),
        # with the id and the searched text: a unit's page is picked from the index
        # alone (records.page), its search too
        Index("ix_records_unit_status_type", "unit_id", "status", "type_code", "id",
              postgresql_include=["search_text", "person_name"]),
        Index("ix_records_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
        # the unit's search box also finds 申报人 (search_text OR person_name)
        Index("ix_records_person_name_trgm", "person_name", postgresql_using="gin",
              postgresql_ops={"person_name": "gin_trgm_ops"}),
        # other persons' claims of the same achievement, one lookup (logic/duplicates.py)
        Index("ix_records_duplicate_key", "duplicate_key", "status",
              postgresql_where=text("duplicate_key IS NOT NULL")),
    )


class RecordLock(Base):
    """One live declaration that imported a record; the record cannot be withdrawn."""
    __tablename__ = "record_locks"

    record_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    declaration_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                   server_default=func.now())

    __table_args__ = (
        Index("ix_record_locks_declaration_id", "declaration_id"),
    )


class Withdrawal(Base):
    """A row of 撤回记录. The record may be deleted later; the row stays."""
    __tablename__ = "withdrawals"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    record_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    person_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    type_code: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, server_default="")
    # the status the record had: submitted | approved
    previous_status: Mapped[str] = mapped_column(String(20), nullable=False)
    # 处理情况: withdrawn (已撤回) — withdrawal takes effect at once
    handling: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                      server_default=func.now())

    __table_args__ = (
        Index("ix_withdrawals_person_id_requested_at", "person_id", "requested_at"),
    )


class RecordAction(Base):
    """What happened to a record, oldest first: the local 流程 trail.

    ``action``: created | saved | submitted | approved | returned | terminated |
    withdrawn | decision_ignored. A review decision that could not be applied (the
    record is no longer 审核中, or the decision predates the current submission) is
    kept here as ``decision_ignored`` with the reason in ``note``.
    """
    __tablename__ = "record_actions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # no foreign key: decisions for deleted records are kept too
    record_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    status_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_to: Mapped[str | None] = mapped_column(String(20), nullable=True)
    opinion: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    account_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    process_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                            server_default=func.now())

    __table_args__ = (
        Index("ix_record_actions_record_id_id", "record_id", "id"),
    )


class ChildRow(Base):
    """A case row (病案) or a reference (参考文献) of a health record, at ``position``
    (1, 2, …; ↑↓ swap positions). ``file_id`` is a reference's file (attached in the
    documents service to the subject achievements/reference/<id>)."""
    __tablename__ = "child_rows"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    record_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("records.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # cases | references
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    fields: Mapped[dict] = mapped_column(JSONB, nullable=False)
    file_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())

    __table_args__ = (
        Index("ix_child_rows_record_id_position", "record_id", "position"),
    )


class ImportPreview(Base):
    """An Excel import: the preview of every row (允许导入 or what is wrong), committed
    at most once. ``target``: health_case (卫生-病案 records) | cases | references."""
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    target: Mapped[str] = mapped_column(String(20), nullable=False)
    record_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    file_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    account_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    person_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # [{row, values, status, errors: [{column, label, message}]}]
    rows: Mapped[list] = mapped_column(JSONB, nullable=False)
    allowed: Mapped[int] = mapped_column(Integer, nullable=False)
    refused: Mapped[int] = mapped_column(Integer, nullable=False)
    imported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)

    __table_args__ = (
        Index("ix_imports_account_id_created_at", "account_id", "created_at"),
    )


class PublicCourseHours(Base):
    """A person's public-course hours (公需课学时) of one year from the continuing-education
    platform's export. The ID number is kept as a SHA-256 hash (for matching) and masked
    (for display). ``extracted_record_id``: the record 提取 made of it (once)."""
    __tablename__ = "public_course_hours"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    id_number_masked: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    hours: Mapped[Decimal] = mapped_column(Numeric(10, 1), nullable=False)
    project: Mapped[str | None] = mapped_column(String(200), nullable=True)
    organizer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    certificate_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    loaded_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                   server_default=func.now())
    extracted_record_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    extracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)

    __table_args__ = (
        UniqueConstraint("id_hash", "year"),
    )
