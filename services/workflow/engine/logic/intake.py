"""Starting reviews that other services ask for with the event ``review_requested``."""
import datetime as dt
import logging

from services.common.errors import Invalid
from services.common.schemas import load
from services.contracts.workflow.review import ReviewRequestedSchema, ReviewWithdrawnSchema

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
    if started.created:
        log.info("started %s process %s for %s/%s/%s", data["kind"], started.process.id,
                 data["subject_service"], data["subject_type"], data["subject_id"])
    return started.process.id


def review_withdrawn(session, envelope):
    """The applicant withdrew a subject (``review_withdrawn``): end its open review."""
    data = load(ReviewWithdrawnSchema, envelope["data"], code="review.withdrawal_invalid")
    if data["subject_service"] != envelope["source"]:
        raise Invalid("review.subject_service_mismatch",
                      "只能撤回本服务的对象",
                      {"fields": {"subject_service": ["与事件来源不一致"]}})
    return withdraw(session, kind=data["kind"], subject_service=data["subject_service"],
                    subject_type=data["subject_type"], subject_id=data["subject_id"],
                    actor=envelope.get("actor"), at=_occurred_at(envelope))
