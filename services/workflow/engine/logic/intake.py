"""Starting reviews that other services ask for with the event ``review_requested``."""
import datetime as dt
import logging

from sqlalchemy import select

from services.common.errors import Invalid
from services.common.schemas import load
from services.common.time import utcnow
from services.contracts.workflow.review import ReviewRequestedSchema, ReviewWithdrawnSchema

from ..models import TASK_OPEN, Task
from . import unit_change
from .engine import start_process, withdraw

log = logging.getLogger(__name__)


def _occurred_at(envelope):
    try:
        value = dt.datetime.fromisoformat(str(envelope.get("occurred_at")))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def review_requested(session, envelope):
    """Start the process a ``review_requested`` envelope asks for (the same function for
    every source). A subject that already has an open process of that kind gets no
    second one. Data that breaks the contract raises Invalid: the event is parked."""
    data = load(ReviewRequestedSchema, envelope["data"], code="review.request_invalid")
    if data["subject_service"] != envelope["source"]:
        raise Invalid("review.subject_service_mismatch",
                      "只能为本服务的对象发起审核",
                      {"fields": {"subject_service": ["与事件来源不一致"]}})
    actor = envelope.get("actor") or {}
    started = start_process(
        session,
        kind=data["kind"],
        subject_service=data["subject_service"],
        subject_type=data["subject_type"],
        subject_id=data["subject_id"],
        title=data["title"],
        chain=data["chain"],
        applicant_person_id=data["applicant_person_id"],
        applicant_name=data["applicant_name"] or "",
        applicant_unit_id=data["applicant_unit_id"],
        summary=data["summary"] or {},
        submitted_by={"account_id": actor.get("account_id"), "name": actor.get("name")},
        submitted_at=_occurred_at(envelope),
        request=envelope["data"],
    )
    # Asked at a unit the applicant has left (变更单位 approved meanwhile): returned at once
    # with the notice; otherwise a 撤销审核 starts in the revoker's 待处理.
    moved = started.created and unit_change.return_if_moved(session, started.process)
    if started.created and not moved and revoked_by_first_unit(data, actor):
        claim_for_revoker(session, started.process, actor)
    if started.created:
        log.info("started %s process %s for %s/%s/%s", data["kind"], started.process.id,
                 data["subject_service"], data["subject_type"], data["subject_id"])
    return started.process.id


def revoked_by_first_unit(data, actor):
    """A review asked again by 撤销审核 (``summary.revoked``: the unit took back its own
    approval) whose actor is an account of the first step's unit."""
    chain = data.get("chain") or []
    return bool((data.get("summary") or {}).get("revoked") and chain
                and actor.get("account_id") is not None
                and actor.get("unit_id") == chain[0].get("unit_id"))


def claim_for_revoker(session, process, actor):
    """Anhui FAQ 003 (单位常见问题 1): after 撤销审核 the record is in the revoker's
    待处理: the first task starts claimed by them, not in the unit's 待领取."""
    now = utcnow()
    for task in session.execute(
            select(Task).where(Task.process_id == process.id, Task.state == TASK_OPEN,
                               Task.step_index == 0)).unique().scalars():
        if task.claimed_by_account_id is None:
            task.claimed_by_account_id = actor["account_id"]
            task.claimed_by_name = actor.get("name")
            task.claimed_at = now
    session.flush()


def review_withdrawn(session, envelope):
    """The applicant withdrew a subject, or its service ended the request (a deleted
    account: ``reason``) — ``review_withdrawn``: end its open review."""
    data = load(ReviewWithdrawnSchema, envelope["data"], code="review.withdrawal_invalid")
    if data["subject_service"] != envelope["source"]:
        raise Invalid("review.subject_service_mismatch",
                      "只能撤回本服务的对象",
                      {"fields": {"subject_service": ["与事件来源不一致"]}})
    return withdraw(session, kind=data["kind"], subject_service=data["subject_service"],
                    subject_type=data["subject_type"], subject_id=data["subject_id"],
                    actor=envelope.get("actor"), at=_occurred_at(envelope),
                    reason=data.get("reason"))
