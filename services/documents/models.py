"""The documents service's tables, in its own PostgreSQL schema "documents".

Bytes live in object storage; these tables hold what the service knows about them.
"""
import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import make_base
from services.contracts.documents import COMPLETED, GENERATED, MERGED, PENDING, UPLOAD  # noqa: F401

SCHEMA = "documents"
Base = make_base(SCHEMA)

# The codes are the contract's (services/contracts/documents.py).
FILE_STATUSES = (PENDING, COMPLETED)
FILE_SOURCES = (UPLOAD, MERGED, GENERATED)


class StoredFile(Base):
    __tablename__ = "files"
    __table_args__ = (
        CheckConstraint(f"status IN {FILE_STATUSES}", name="status"),
        CheckConstraint(f"source IN {FILE_SOURCES}", name="source"),
        Index("ix_files_owner_slot", "owner_account_id", "slot", "status"),
        Index("ix_files_owner_bundle", "owner_account_id", "bundle",
              postgresql_where=text("bundle IS NOT NULL")),
        Index("ix_files_pending_created", "created_at",
              postgresql_where=text("status = 'pending'")),
        Index("ix_files_released", "released_at",
              postgresql_where=text("released_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    object_key: Mapped[str] = mapped_column(String(200), unique=True)
    slot: Mapped[str] = mapped_column(String(64))
    bundle: Mapped[str | None] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), server_default=PENDING)
    source: Mapped[str] = mapped_column(String(20), server_default=UPLOAD)
    owner_account_id: Mapped[int] = mapped_column(BigInteger)
    owner_person_id: Mapped[int | None] = mapped_column(BigInteger)
    owner_unit_id: Mapped[int | None] = mapped_column(BigInteger)
    owner_name: Mapped[str] = mapped_column(String(100), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                    server_default=func.now())
    upload_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # No longer staged: detached from the last subject that used it, or (an import
    # workbook) read into an import. Not counted against the slot; purged when unused.
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Attachment(Base):
    """A completed file used by something another service owns (a record, a declaration)."""
    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("file_id", "subject_service", "subject_type", "subject_id"),
        Index("ix_attachments_subject", "subject_service", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="CASCADE"))
    subject_service: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))
    attached_by: Mapped[int | None] = mapped_column(BigInteger)
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                     server_default=func.now())


class AccessLog(Base):
    """Every download link issued: who, on what ground, and the reason operators and
    auditors must state."""
    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    file_id: Mapped[int] = mapped_column(BigInteger, index=True)
    account_id: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(20))   # owner / unit / reviewer / operator
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
