"""The review engine's tables and the workflow service's ``Base`` (PostgreSQL schema
"workflow"; the declarations' tables are on the same Base, ``declarations/models.py``).

The review engine (``logic/engine.py``) keeps four tables:

- ``processes``: one review of one subject owned by some service (a binding in identity,
  a record in achievements, a declaration here), with its state;
- ``process_steps``: the chain of the process, one unit per step, in order;
- ``tasks``: the work of one step for one unit: open (claimable or claimed) or decided;
- ``history_entries``: what happened, in order: the submission and every decision.
"""
import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import make_base

SCHEMA = "workflow"
Base = make_base(SCHEMA)

# Process states: open while a step waits; otherwise the outcome that ended it.
PROCESS_OPEN = "open"
# Task states.
TASK_OPEN = "open"
TASK_DECIDED = "decided"
TASK_CANCELLED = "cancelled"  # the applicant withdrew (撤回) before the unit decided


class Process(Base):
    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject_service: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str] = mapped_column(String(50))
    # The subject's id as text, for lookups; ``request`` keeps the value as sent.
    subject_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    applicant_person_id: Mapped[int | None] = mapped_column(Integer)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_unit_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict] = mapped_column(JSONB)
    request: Mapped[dict] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(20))
    current_step: Mapped[int] = mapped_column(Integer)
    step_count: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    steps: Mapped[list["ProcessStep"]] = relationship(
        back_populates="process", order_by="ProcessStep.step_index", lazy="selectin")

    __table_args__ = (
        # At most one open process per subject and kind (the engine also serialises
        # starts per subject; this index is the last guard).
        Index("uq_processes_open_subject", "kind", "subject_service", "subject_type",
              "subject_id", unique=True, postgresql_where=text("status = 'open'")),
        Index("ix_processes_subject", "subject_service", "subject_type", "subject_id"),
        Index("ix_processes_applicant_person_id", "applicant_person_id"),
    )


class ProcessStep(Base):
    __tablename__ = "process_steps"

    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True)
    step_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    unit_kind: Mapped[str | None] = mapped_column(String(30))

    process: Mapped[Process] = relationship(back_populates="steps")

    __table_args__ = (Index("ix_process_steps_unit_id", "unit_id"),)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    step_index: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claimed_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by_name: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by_name: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    action: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))

    process: Mapped[Process] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        Index("ix_tasks_unit_id_state", "unit_id", "state"),
        Index("ix_tasks_process_id", "process_id"),
        Index("ix_tasks_decided_by_account_id", "decided_by_account_id"),
    )


class HistoryEntry(Base):
    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    # None for the submission (提交), which precedes the first step.
    step_index: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    account_name: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_history_entries_process_id", "process_id"),)

