"""Reads of the review engine: the task center (任务中心) boxes, one task, a process's
history (流程) and a subject's history, each authorised for the actor."""
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from services.common.errors import Forbidden, NotFound
from services.common.principal import UNIT_ADMIN
from services.common.time import iso

from ..models import TASK_DECIDED, TASK_OPEN, HistoryEntry, Process, Task
from .labels import (
    ACTION_LABELS,
    BOXES,
    KINDS,
    PROCESS_STATUS_LABELS,
    step_label,
    task_status,
)

# --------------------------------------------------------------------------- rendering

def _account(account_id, name):
    return None if account_id is None else {"account_id": account_id, "name": name}


def _step_of(process, index):
    return next((s for s in process.steps if s.step_index == index), None)


def step_dict(step):
    return {"step_index": step.step_index, "unit_id": step.unit_id,
            "unit_name": step.unit_name, "unit_kind": step.unit_kind,
            "step_label": step_label(step.step_index, step.unit_kind)}


def task_item(task):
    process = task.process
    step = _step_of(process, task.step_index)
    status, status_label = task_status(task.state, task.claimed_by_account_id is not None,
                                       task.action)
    return {
        "id": task.id,
        "process_id": process.id,
        "kind": process.kind,
        "kind_label": KINDS.get(process.kind, process.kind),
        "title": process.title,
        "subject_service": process.subject_service,
        "subject_type": process.subject_type,
        "subject_id": process.request.get("subject_id", process.subject_id),
        "applicant_person_id": process.applicant_person_id,
        "applicant_name": process.applicant_name,
        "applicant_unit_id": process.applicant_unit_id,
        "unit_id": task.unit_id,
        "unit_name": task.unit_name,
        "step_index": task.step_index,
        "step_count": process.step_count,
        "step_label": step_label(task.step_index, step.unit_kind if step else None),
        "submitted_at": iso(process.submitted_at),
        "created_at": iso(task.created_at),
        "claimed_by": _account(task.claimed_by_account_id, task.claimed_by_name),
        "claimed_at": iso(task.claimed_at),
        "status": status,
        "status_label": status_label,
        "decided_by": _account(task.decided_by_account_id, task.decided_by_name),
        "decided_at": iso(task.decided_at),
        "action": task.action,
        "opinion": task.opinion,
        "outcome": task.outcome,
        "process_status": process.status,
        "process_status_label": PROCESS_STATUS_LABELS.get(process.status, process.status),
        "ended_at": iso(process.ended_at),
    }


def entry_dict(entry):
    return {
        "process_id": entry.process_id,
        "step_index": entry.step_index,
        "unit_id": entry.unit_id,
        "unit_name": entry.unit_name,
        "account_id": entry.account_id,
        "account_name": entry.account_name,
        "action": entry.action,
        "action_label": ACTION_LABELS.get(entry.action, entry.action),
        "opinion": entry.opinion,
        "outcome": entry.outcome,
        "at": iso(entry.at),
    }


def _entries(session, process_ids):
    rows = session.execute(
        select(HistoryEntry).where(HistoryEntry.process_id.in_(process_ids))
        .order_by(HistoryEntry.at, HistoryEntry.id)
    ).scalars().all()
    return [entry_dict(e) for e in rows]


# --------------------------------------------------------------------------- task center

def _box_conditions(account_id):
    return {
        "todo": and_(Task.state == TASK_OPEN, Task.claimed_by_account_id == account_id),
        "unclaimed": and_(Task.state == TASK_OPEN, Task.claimed_by_account_id.is_(None)),
        "done_by_me": and_(Task.state == TASK_DECIDED,
                           Task.decided_by_account_id == account_id),
        "done": Task.state == TASK_DECIDED,
    }


def _like(q):
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_tasks(session, actor, box="todo", kind=None, q=None, page=1, page_size=20):
    """One box of the actor's unit's tasks, filtered by kind and searched by title or
    applicant name: ``{items, total, counts}`` with ``counts`` per box (same filter)."""
    if box not in BOXES:
        box = "todo"
    filters = [Task.unit_id == actor.unit_id]
    if kind:
        filters.append(Process.kind == kind)
    if q and q.strip():
        pattern = _like(q.strip())
        filters.append(or_(Process.title.ilike(pattern, escape="\\"),
                           Process.applicant_name.ilike(pattern, escape="\\")))
    boxes = _box_conditions(actor.account_id)

    row = session.execute(
        select(*[func.count().filter(cond).label(name) for name, cond in boxes.items()])
        .select_from(Task).join(Process, Task.process_id == Process.id).where(*filters)
    ).one()
    counts = {name: getattr(row, name) for name in boxes}

    if box in ("todo", "unclaimed"):
        order = (Task.created_at, Task.id)
    else:
        order = (Task.decided_at.desc(), Task.id.desc())
    tasks = session.execute(
        select(Task).join(Task.process).options(contains_eager(Task.process))
        .where(*filters, boxes[box]).order_by(*order)
        .offset((page - 1) * page_size).limit(page_size)
    ).unique().scalars().all()
    return {"items": [task_item(t) for t in tasks], "total": counts[box], "counts": counts}


def get_task(session, actor, task_id):
    """A task of the actor's unit with the process's summary, chain and history."""
    task = session.get(Task, task_id)
    if task is None or actor.unit_id is None or task.unit_id != actor.unit_id:
        raise NotFound("task.not_found", "任务不存在")
    process = task.process
    return {
        **task_item(task),
        "summary": process.summary,
        "steps": [step_dict(s) for s in process.steps],
        "history": _entries(session, [process.id]),
    }


def subject_tasks(session, actor, subject_service, subject_type, subject_ids):
    """The open tasks at the actor's unit of the given subjects (e.g. the rows of a
    业绩档案 page), so that a list can offer 审核 and 批量审核 without a look-up per row:
    ``[{subject_id, task_id, process_id, claimed_by, status, status_label}]``."""
    ids = sorted({str(i) for i in subject_ids or () if i is not None})
    if not ids or actor.unit_id is None:
        return []
    tasks = session.execute(
        select(Task).join(Task.process).options(contains_eager(Task.process))
        .where(Task.unit_id == actor.unit_id, Task.state == TASK_OPEN,
               Process.subject_service == subject_service,
               Process.subject_type == subject_type, Process.subject_id.in_(ids))
        .order_by(Task.id)
    ).unique().scalars().all()
    answer = []
    for task in tasks:
        status, status_label = task_status(task.state, task.claimed_by_account_id is not None,
                                           task.action)
        answer.append({
            "subject_id": task.process.subject_id, "task_id": task.id,
            "process_id": task.process_id,
            "claimed_by": _account(task.claimed_by_account_id, task.claimed_by_name),
            "status": status, "status_label": status_label})
    return answer


# --------------------------------------------------------------------------- history

def may_view(actor, process):
    """The applicant, and admins of the units in the chain (or of the applicant unit,
    e.g. a registering unit) may read a process's history."""
    if actor.person_id is not None and actor.person_id == process.applicant_person_id:
        return True
    if UNIT_ADMIN in (getattr(actor, "roles", None) or ()) and actor.unit_id is not None:
        if actor.unit_id == process.applicant_unit_id:
            return True
        return any(step.unit_id == actor.unit_id for step in process.steps)
    return False


def process_history(session, actor, process_id):
    """The history (流程) of a process for the gateway: the process, its steps, the open
    task if any, and every entry from the submission (提交) on, oldest first."""
    process = session.get(Process, process_id)
    if process is None or not may_view(actor, process):
        raise NotFound("process.not_found", "流程不存在")
    current = session.execute(
        select(Task).where(Task.process_id == process.id, Task.state == TASK_OPEN)
    ).scalars().first()
    return {
        "id": process.id,
        "kind": process.kind,
        "kind_label": KINDS.get(process.kind, process.kind),
        "title": process.title,
        "applicant_person_id": process.applicant_person_id,
        "applicant_name": process.applicant_name,
        "status": process.status,
        "status_label": PROCESS_STATUS_LABELS.get(process.status, process.status),
        "current_step": process.current_step,
        "submitted_at": iso(process.submitted_at),
        "ended_at": iso(process.ended_at),
        "steps": [step_dict(s) for s in process.steps],
        "current_task": task_item(current) if current is not None else None,
        "entries": _entries(session, [process.id]),
    }


def subject_history(session, subject_service, subject_type, subject_id, actor=None):
    """Every entry of every process of a subject, oldest first (the contract's
    ``history`` RPC). With an actor (a user behind the calling service), only the
    processes they may view; 403 if the subject has processes but none of them."""
    processes = session.execute(
        select(Process).where(Process.subject_service == subject_service,
                              Process.subject_type == subject_type,
                              Process.subject_id == str(subject_id))
        .order_by(Process.id)
    ).scalars().all()
    if actor is not None:
        visible = [p for p in processes if may_view(actor, p)]
        if processes and not visible:
            raise Forbidden("process.forbidden", "没有权限查看该流程")
        processes = visible
    if not processes:
        return []
    return _entries(session, [p.id for p in processes])

