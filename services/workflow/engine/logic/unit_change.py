"""变更单位: what an approved binding to a new unit does to the person's pending reviews.

The rule (docs/api.md, Task center): a person's achievement records are reviewed by the
unit they belong to (Anhui FAQ 003: 个人 4 “录入的个人业绩库数据必须经单位审核后才能使用”,
单位 4 the unit reviews its 业绩档案), and 变更单位 binds the person to the new unit once
that unit approves (单位 6). From then on the old unit no longer decides for them: every
record review still open at another unit is *cancelled with a notice* — it ends, its task
leaves the old unit's task center, and the record comes back to the person 退回 with the
notice as its opinion (one notice, as a return is: 单位常见问题 1 “需一次性告知退回意见”),
to be submitted again to the new unit. Decisions the old unit took while the person was its
staff stay. Declarations keep the review chain stored at their submission.

These are the rules of the ``binding`` kind (identity's subject) hosted by the engine: an
effect of the binding's approval, in the transaction that records it, so no decision of
the old unit can come after the approval.
"""
import logging

from sqlalchemy import select

from services.common.messaging import emit
from services.common.time import utcnow
from services.contracts.workflow.review import REVIEW_DECIDED

from ..models import PROCESS_OPEN, TASK_CANCELLED, TASK_OPEN, HistoryEntry, Process, Task
from .engine import KindRules
from .labels import CANCEL

log = logging.getLogger(__name__)

# The kinds whose open reviews end when the applicant moves to another unit.
FOLLOW_THE_UNIT = ("record",)
SYSTEM = "系统"


def notice(old_unit, new_unit):
    return (f"您已变更工作单位为“{new_unit}”，原单位“{old_unit}”的审核已取消，"
            "请核对后重新提交至新单位审核")


def cancel_reviews_at_other_units(session, process, decided):
    """Effect of a binding's decision: on approval (the person now belongs to the
    deciding unit), end the person's open record reviews at any other unit, each with
    ``review_decided`` (outcome ``returned``, the notice as opinion, decided by 系统)."""
    data = decided.data
    if data["outcome"] != "approved" or process.applicant_person_id is None:
        return []
    new_unit_id, new_unit_name = decided.task.unit_id, decided.task.unit_name
    tasks = session.execute(
        select(Task).join(Process, Task.process_id == Process.id)
        .where(Process.applicant_person_id == process.applicant_person_id,
               Process.kind.in_(FOLLOW_THE_UNIT), Process.status == PROCESS_OPEN,
               Task.state == TASK_OPEN, Task.unit_id != new_unit_id)
        .order_by(Task.id).with_for_update(of=Task)
        .execution_options(populate_existing=True)
    ).unique().scalars().all()
    ended = [pid for pid in (_return_with_notice(session, task, new_unit_name)
                             for task in tasks) if pid is not None]
    if ended:
        log.info("person %s moved to unit %s: %d open review(s) at other units returned",
                 process.applicant_person_id, new_unit_id, len(ended))
    return ended


def return_if_moved(session, process):
    """For a review just started (intake): when the applicant's latest approved binding
    is to another unit than the review's first step — the subject's service asked before
    it heard of the move — end it at once with the notice, as the move would have.
    Answers whether it did."""
    if process.kind not in FOLLOW_THE_UNIT or process.applicant_person_id is None:
        return False
    latest = session.execute(
        select(Process).where(Process.kind == "binding", Process.status == "approved",
                              Process.applicant_person_id == process.applicant_person_id)
        .order_by(Process.ended_at.desc(), Process.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is None or not latest.steps:
        return False
    bound = latest.steps[-1]
    task = session.execute(
        select(Task).where(Task.process_id == process.id, Task.state == TASK_OPEN)
        .with_for_update().execution_options(populate_existing=True)
    ).scalars().first()
    if task is None or task.unit_id == bound.unit_id:
        return False
    log.info("review %s asked at unit %s after person %s moved to unit %s: returned",
             process.id, task.unit_id, process.applicant_person_id, bound.unit_id)
    return _return_with_notice(session, task, bound.unit_name) is not None


def _return_with_notice(session, task, new_unit_name):
    """End ``task``'s open process: the task is cancelled (取消, by 系统), the process ends
    ``returned`` and ``review_decided`` tells the subject's service, with the notice."""
    other = session.execute(
        select(Process).where(Process.id == task.process_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if other.status != PROCESS_OPEN:
        return None
    now = utcnow()
    opinion = notice(task.unit_name, new_unit_name)
    task.state = TASK_CANCELLED
    task.action = CANCEL
    task.opinion = opinion
    task.outcome = "returned"
    task.decided_at = now
    other.status = "returned"
    other.ended_at = now
    session.add(HistoryEntry(
        process_id=other.id, step_index=task.step_index, unit_id=task.unit_id,
        unit_name=task.unit_name, account_id=None, account_name=SYSTEM, action=CANCEL,
        opinion=opinion, outcome="returned", at=now))
    emit(session, REVIEW_DECIDED, f"process:{other.id}", {
        "process_id": other.id,
        "kind": other.kind,
        "subject_service": other.subject_service,
        "subject_type": other.subject_type,
        "subject_id": other.request.get("subject_id", other.subject_id),
        "step_index": task.step_index,
        "unit_id": task.unit_id,
        "action": "return",
        "opinion": opinion,
        "outcome": "returned",
        "final": True,
        "decided_at": now.isoformat(),
        "decided_by": {"account_id": None, "name": SYSTEM},
    })
    session.flush()
    return other.id


BINDING_RULES = KindRules(effects=(cancel_reviews_at_other_units,))
