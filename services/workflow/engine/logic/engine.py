"""The review engine: processes, tasks, claims, decisions and history, as plain functions.

Every function takes the SQLAlchemy ``session`` of the caller's transaction (opened with
``self.db.transaction()``), so that the engine's changes and the outbox event commit
together with whatever else the caller does. An ``actor`` is anything with
``account_id``, ``name`` and ``unit_id`` (a :class:`~services.common.principal.Principal`
of a unit admin, or :class:`Actor`).

API for callers inside the workflow service (declarations use it directly):

- :func:`start_process` starts a review of a subject (idempotent by subject and kind);
- :func:`claim` / :func:`release` a task (领取 / 释放);
- :func:`decide` approve / return / terminate / reject a task; emits ``review_decided``;
- :func:`recall` takes back what a unit passed up while the next unit has not claimed it
  (撤回), or an approval held at its step;
- :func:`release_hold` opens the next step of a process whose approval was held.

The engine knows no kind of subject. What a kind adds to a decision is a
:class:`KindRules`, and the caller passes the rules of every kind (:class:`ReviewRules`,
declared once by the service) to :func:`decide` and :func:`recall`. A decision runs, in
this order, in the caller's transaction:

1. the kind's **guards** ``fn(session, process, decision)``, before anything changes
   (``decision`` is the data ``review_decided`` will carry); raising refuses it;
2. the step itself: an approval below the last step asks the kind's **may-open rule**
   ``fn(session, process, decision) -> bool`` whether the next step's task may open;
   when it may not, the process is *held* at the step and nothing is opened (until
   :func:`release_hold`);
3. the kind's **effects** ``fn(session, process, decided)`` (a :class:`Decided`), after
   the decision is recorded; raising undoes everything;
4. ``review_decided`` into the outbox.

A recall runs the kind's ``recall_effects`` ``fn(session, process, recall)`` after the
engine moved the process back.

Reads (task center, history) are in ``logic/taskcenter.py``.
"""
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import defaultload, lazyload

from services.common.errors import AppError, Conflict, Invalid, NotFound
from services.common.messaging import emit
from services.common.time import utcnow
from services.contracts.workflow.review import REVIEW_DECIDED

from ..models import (
    PROCESS_OPEN,
    TASK_CANCELLED,
    TASK_DECIDED,
    TASK_OPEN,
    HistoryEntry,
    Process,
    ProcessStep,
    Task,
)
from .labels import (
    ACTIONS,
    CANCEL,
    CANCELLED,
    FORWARDED,
    KINDS,
    OPINION_REQUIRED,
    OUTCOME_OF,
    RECALL,
    RECALLED,
    REJECT_KINDS,
    SUBMIT,
    UNDO_REJECT,
    WITHDRAW,
    WITHDRAWN,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts, when the caller has no Principal at hand."""
    account_id: int | None
    name: str = ""
    unit_id: int | None = None


@dataclass(frozen=True)
class Started:
    process: Process
    created: bool


@dataclass(frozen=True)
class Decided:
    """What a kind's effects see of a recorded decision: ``data`` (what
    ``review_decided`` carries), the decided ``task``, the ``next_task`` the engine opened
    (None at the end of the process or when held) and whether the kind's may-open rule
    ``held`` the next step."""
    data: dict
    task: Task
    next_task: Task | None = None
    held: bool = False


@dataclass(frozen=True)
class KindRules:
    """What a kind of process adds to the engine's decisions (see the module's doc):
    ``guards`` run before anything changes, ``may_open_next`` says whether an approval
    opens the next step's task (None: always), ``effects`` run after the decision is
    recorded, ``recall_effects`` after a recall."""
    guards: tuple[Callable, ...] = ()
    may_open_next: Callable | None = None
    effects: tuple[Callable, ...] = ()
    recall_effects: tuple[Callable, ...] = ()
    undo_effects: tuple[Callable, ...] = ()

    def may_open(self, session, process, decision):
        return self.may_open_next is None or bool(self.may_open_next(session, process,
                                                                     decision))


@dataclass(frozen=True)
class ReviewRules:
    """The rules of every kind a service decides (kinds without rules get none)."""
    by_kind: dict = field(default_factory=dict)

    def of(self, kind):
        return self.by_kind.get(kind) or NO_KIND_RULES


NO_KIND_RULES = KindRules()
NO_RULES = ReviewRules()


# --------------------------------------------------------------------------- start

def _subject_key(kind, subject_service, subject_type, subject_id):
    return f"review:{kind}:{subject_service}:{subject_type}:{subject_id}"


def find_open_process(session, kind, subject_service, subject_type, subject_id):
    return session.execute(
        select(Process).where(
            Process.kind == kind,
            Process.subject_service == subject_service,
            Process.subject_type == subject_type,
            Process.subject_id == str(subject_id),
            Process.status == PROCESS_OPEN,
        )
    ).scalar_one_or_none()


def start_process(session, *, kind, subject_service, subject_type, subject_id, title,
                  chain, applicant_person_id=None, applicant_name="",
                  applicant_unit_id=None, summary=None, submitted_by=None,
                  submitted_at=None, request=None):
    """Start a review of a subject: a process with ``chain`` (``[{unit_id, unit_name,
    unit_kind?}, ...]``, one step per unit, in order), the submission entry (提交) in its
    history and an open task for the first unit.

    Idempotent by subject: if the subject already has an open process of this kind,
    nothing is started and that process is answered (``Started(process, False)``).
    ``submitted_by`` is ``{account_id, name}`` of who submitted, if known.
    """
    if kind not in KINDS:
        raise Invalid("review.kind_unknown", "不支持的流程类型", {"fields": {"kind": ["取值无效"]}})
    steps = [dict(step) for step in chain or ()]
    if not steps or any(not isinstance(s.get("unit_id"), int) or not s.get("unit_name")
                        for s in steps):
        raise Invalid("review.chain_invalid", "审核流程至少需要一个审核单位",
                      {"fields": {"chain": ["审核单位有误"]}})
    # One start per subject at a time; then look for an open process.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(
        _subject_key(kind, subject_service, subject_type, subject_id)))))
    existing = find_open_process(session, kind, subject_service, subject_type, subject_id)
    if existing is not None:
        log.info("%s %s/%s/%s already under review in process %s; not started again",
                 kind, subject_service, subject_type, subject_id, existing.id)
        return Started(existing, False)

    now = submitted_at or utcnow()
    process = Process(
        kind=kind, subject_service=subject_service, subject_type=subject_type,
        subject_id=str(subject_id), title=title,
        applicant_person_id=applicant_person_id, applicant_name=applicant_name or "",
        applicant_unit_id=applicant_unit_id, summary=summary or {},
        request=request if request is not None else {
            "kind": kind, "subject_service": subject_service,
            "subject_type": subject_type, "subject_id": subject_id,
        },
        status=PROCESS_OPEN, current_step=0, step_count=len(steps), submitted_at=now,
    )
    session.add(process)
    session.flush()
    for index, step in enumerate(steps):
        session.add(ProcessStep(process_id=process.id, step_index=index,
                                unit_id=step["unit_id"], unit_name=step["unit_name"],
                                unit_kind=step.get("unit_kind")))
    submitter = submitted_by or {}
    applicant_unit_name = next((s["unit_name"] for s in steps
                                if s["unit_id"] == applicant_unit_id), None)
    session.add(HistoryEntry(
        process_id=process.id, step_index=None, unit_id=applicant_unit_id,
        unit_name=applicant_unit_name, account_id=submitter.get("account_id"),
        account_name=applicant_name or submitter.get("name"), action=SUBMIT,
        opinion=None, outcome=None, at=now,
    ))
    open_task(session, process, 0, steps[0]["unit_id"], steps[0]["unit_name"], now)
    session.flush()
    session.refresh(process)
    return Started(process, True)


def open_task(session, process, step_index, unit_id, unit_name, now):
    task = Task(process_id=process.id, step_index=step_index, unit_id=unit_id,
                unit_name=unit_name, state=TASK_OPEN, created_at=now)
    session.add(task)
    session.flush()
    return task


# --------------------------------------------------------------------------- tasks

def _locked_task(session, task_id, actor):
    """The task, row-locked for this transaction; 404 unless it is the actor's unit's."""
    task = session.execute(
        select(Task).where(Task.id == task_id).with_for_update(of=Task)
        .options(defaultload(Task.process).lazyload(Process.steps))
        .execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()
    if task is None or actor.unit_id is None or task.unit_id != actor.unit_id:
        raise NotFound("task.not_found", "任务不存在")
    return task


def _ensure_open(task, session=None):
    if task.state == TASK_CANCELLED:
        raise cancelled_refusal(session, task)
    if task.state != TASK_OPEN:
        raise Conflict("task.decided", "该任务已处理", {"task_id": task.id})


def cancelled_refusal(session, task):
    """409 for a task whose review ended without a decision: withdrawn by the applicant,
    or cancelled by the subject's service (the reason its history keeps)."""
    reason = None
    if session is not None:
        reason = session.execute(
            select(HistoryEntry.opinion).where(HistoryEntry.process_id == task.process_id,
                                               HistoryEntry.action == CANCEL)
            .order_by(HistoryEntry.id.desc()).limit(1)).scalar()
    if task.action == CANCEL:
        message = f"该审核已取消（{reason or '申请已失效'}），无需再审核"
    else:
        message = "申请人已撤回该申请，无需再审核"
    return Conflict("task.cancelled", message, {"task_id": task.id})


def _ensure_not_others(task, actor):
    if task.claimed_by_account_id is not None and \
            task.claimed_by_account_id != actor.account_id:
        raise Conflict("task.claimed_by_other",
                       f"该任务已被{task.claimed_by_name or '其他管理员'}领取",
                       {"task_id": task.id, "claimed_by": {
                           "account_id": task.claimed_by_account_id,
                           "name": task.claimed_by_name}})


def claim(session, task_id, actor):
    """领取: the task becomes the actor's until they release it or decide it."""
    task = _locked_task(session, task_id, actor)
    _ensure_open(task, session)
    _ensure_not_others(task, actor)
    if task.claimed_by_account_id is None:
        task.claimed_by_account_id = actor.account_id
        task.claimed_by_name = actor.name
        task.claimed_at = utcnow()
    session.flush()
    return task


def release(session, task_id, actor):
    """释放: a claimed task goes back to the unit's 待领取."""
    task = _locked_task(session, task_id, actor)
    _ensure_open(task, session)
    if task.claimed_by_account_id != actor.account_id:
        raise Conflict("task.not_claimed_by_you", "只能释放自己领取的任务",
                       {"task_id": task.id})
    task.claimed_by_account_id = None
    task.claimed_by_name = None
    task.claimed_at = None
    session.flush()
    return task


def check_decision(kind, action, opinion):
    """Raise Invalid (422) when ``action`` with ``opinion`` is not allowed for ``kind``."""
    if action not in ACTIONS:
        raise Invalid("task.action_invalid", "审核操作无效",
                      {"fields": {"action": ["取值无效"]}})
    if action == "reject" and kind not in REJECT_KINDS:
        raise Invalid("task.reject_not_allowed", "只有职称申报可以审核不通过",
                      {"fields": {"action": ["只有职称申报可以审核不通过"]}})
    if action in OPINION_REQUIRED and not (opinion or "").strip():
        message = "退回时请填写审核意见" if action == "return" else "审核不通过时请填写审核意见"
        raise Invalid("task.opinion_required", message, {"fields": {"opinion": [message]}})


def decide(session, task_id, actor, action, opinion=None, *, rules=NO_RULES,
           prelocked=False):
    """Decide a task of the actor's unit (claiming it implicitly if nobody had), with the
    kind's ``rules`` (guards, may-open rule, effects: see the module's doc).

    - ``approve`` at a step that is not the last: outcome ``forwarded``, a new task for
      the next step's unit (unless the kind's may-open rule holds it: then none); at the
      last step: ``approved`` and the process ends;
    - ``return`` (opinion required): ``returned``, straight back to the applicant, ends;
    - ``terminate``: ``terminated``, ends;
    - ``reject`` (declarations only, opinion required): ``rejected``, ends.

    The task row is locked first, so of two admins deciding at once exactly one wins and
    the other gets 409. Emits ``review_decided`` in the same transaction; answers the
    decision (the event's data plus ``task_id`` and the next task, if any).
    """
    if prelocked:
        task = session.get(Task, task_id)  # locked by lock_batch: no statement
        if task is None or actor.unit_id is None or task.unit_id != actor.unit_id:
            raise NotFound("task.not_found", "任务不存在")
        process = task.process
    else:
        task = _locked_task(session, task_id, actor)
        # Lock the process too (always task first, then process) and read it afresh.
        process = session.execute(
            select(Process).where(Process.id == task.process_id).with_for_update()
            .options(lazyload(Process.steps))  # read only when a next step opens
            .execution_options(populate_existing=True)
        ).scalar_one()
    opinion = (opinion or "").strip() or None
    check_decision(process.kind, action, opinion)
    _ensure_open(task, session)
    _ensure_not_others(task, actor)
    kind_rules = rules.of(process.kind)

    now = utcnow()
    last = task.step_index >= process.step_count - 1
    approved = "approved" if last else FORWARDED
    outcome = approved if action == "approve" else OUTCOME_OF[action]
    final = outcome != FORWARDED
    data = {
        "process_id": process.id,
        "kind": process.kind,
        "subject_service": process.subject_service,
        "subject_type": process.subject_type,
        "subject_id": process.request.get("subject_id", process.subject_id),
        "step_index": task.step_index,
        "unit_id": task.unit_id,
        "action": action,
        "opinion": opinion,
        "outcome": outcome,
        "final": final,
        "decided_at": now.isoformat(),
        "decided_by": {"account_id": actor.account_id, "name": actor.name},
    }
    # 1. Guards: before anything changes.
    for guard in kind_rules.guards:
        guard(session, process, data)

    # 2. The step: the next step's task opens unless the kind's rule holds it.
    if task.claimed_by_account_id is None:
        task.claimed_by_account_id = actor.account_id
        task.claimed_by_name = actor.name
        task.claimed_at = now
    next_task = None
    held = False
    if outcome == FORWARDED:
        if kind_rules.may_open(session, process, data):
            process.current_step = task.step_index + 1
            step = next(s for s in process.steps if s.step_index == process.current_step)
            next_task = open_task(session, process, step.step_index, step.unit_id,
                                   step.unit_name, now)
        else:
            held = True  # the process stays at this step until release_hold
    else:
        process.status = outcome
        process.ended_at = now

    task.state = TASK_DECIDED
    task.decided_by_account_id = actor.account_id
    task.decided_by_name = actor.name
    task.decided_at = now
    task.action = action
    task.opinion = opinion
    task.outcome = outcome
    session.add(HistoryEntry(
        process_id=process.id, step_index=task.step_index, unit_id=task.unit_id,
        unit_name=task.unit_name, account_id=actor.account_id, account_name=actor.name,
        action=action, opinion=opinion, outcome=outcome, at=now,
    ))
    # 3. Effects, after the decision is recorded; 4. the event.
    if kind_rules.effects:
        session.flush()
        decided = Decided(data=data, task=task, next_task=next_task, held=held)
        for effect in kind_rules.effects:
            effect(session, process, decided)
    emit(session, REVIEW_DECIDED, f"process:{process.id}", data)
    return {
        **data,
        "task_id": task.id,
        "next_task_id": next_task.id if next_task else None,
        "next_unit_id": next_task.unit_id if next_task else None,
        "next_unit_name": next_task.unit_name if next_task else None,
    }


def decide_batch(session, task_ids, actor, action, opinion=None, *, rules=NO_RULES):
    """批量审核: :func:`decide` for each task, in the caller's transaction; one answer per
    task, in the order given: ``(True, decision)`` or ``(False, the AppError)``. A refused
    task changes nothing, the others commit together.

    The tasks are row-locked in ascending id order, then their processes (two
    statements, so that two batches over the same tasks cannot deadlock). A decision of a
    kind whose rules can refuse after the first change (effects, a may-open rule) runs in
    a savepoint; any other refuses, if at all, before it changes anything and needs none,
    so the batch's changes are written together at the commit."""
    locked = lock_batch(session, task_ids, actor)  # held: the session keeps them weakly
    answers = [None] * len(task_ids)
    for index in sorted(range(len(task_ids)), key=task_ids.__getitem__):
        task = session.get(Task, task_ids[index])
        kind_rules = rules.of(task.process.kind) if task is not None else NO_KIND_RULES
        alone = bool(kind_rules.effects) or kind_rules.may_open_next is not None
        try:
            with session.begin_nested() if alone else contextlib.nullcontext():
                answers[index] = (True, decide(session, task_ids[index], actor, action,
                                               opinion, rules=rules, prelocked=True))
        except AppError as exc:
            answers[index] = (False, exc)
    del locked
    return answers


def lock_batch(session, task_ids, actor):
    """Row-lock a batch's tasks (ascending id) and the processes of those of them open at
    the actor's unit, read afresh; answers the tasks."""
    tasks = session.execute(
        select(Task).where(Task.id.in_(task_ids)).order_by(Task.id)
        .with_for_update(of=Task)
        .options(defaultload(Task.process).lazyload(Process.steps))
        .execution_options(populate_existing=True)
    ).unique().scalars().all()
    process_ids = sorted({t.process_id for t in tasks
                          if t.state == TASK_OPEN and t.unit_id == actor.unit_id})
    if process_ids:
        session.execute(
            select(Process).where(Process.id.in_(process_ids)).order_by(Process.id)
            .with_for_update().options(lazyload(Process.steps))
            .execution_options(populate_existing=True)
        ).scalars().all()
    return tasks


# --------------------------------------------------------------------------- recall

def recall(session, task_id, actor, *, rules=NO_RULES):
    """撤回: the actor's unit takes back a task it approved and passed up, while the next
    unit has not claimed (领取) or decided it, or an approval the kind's may-open rule
    held at the unit's step (nothing was opened then). The next unit's open task, if any,
    is withdrawn; the process is back at the unit's step with a new open task claimed by
    the actor (待处理); the history records the recall; the kind's ``recall_effects`` run.
    Otherwise 409 指定流程的当前状态不允许撤回 (Anhui unit FAQ 2021.10.19, 2). No
    ``review_decided`` is emitted: nothing was decided.

    Locks: the unit's task, then the next open task, then the process (the order
    :func:`decide` and :func:`claim` lock the open task and the process in).
    """
    task = _locked_task(session, task_id, actor)
    refused = Conflict("task.not_recallable", "指定流程的当前状态不允许撤回",
                       {"task_id": task.id})
    if task.state != TASK_DECIDED or task.outcome != FORWARDED:
        raise refused
    following = session.execute(
        select(Task).where(Task.process_id == task.process_id, Task.state == TASK_OPEN)
        .with_for_update(of=Task).execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()
    process = session.execute(
        select(Process).where(Process.id == task.process_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if process.status != PROCESS_OPEN:
        raise refused
    if following is None:
        # Held: the approval waits at the unit's step; no task of the next unit exists.
        if process.current_step != task.step_index:
            raise refused
        recalled_task_id = None
    elif following.step_index != task.step_index + 1 \
            or following.claimed_by_account_id is not None:
        raise refused
    else:
        recalled_task_id = following.id
        session.delete(following)

    now = utcnow()
    result = {
        **_reopen(session, process, task, actor, RECALL, RECALLED, now),
        "recalled_task_id": recalled_task_id,
        "recalled_at": now.isoformat(),
        "recalled_by": {"account_id": actor.account_id, "name": actor.name},
    }
    for effect in rules.of(process.kind).recall_effects:
        effect(session, process, result)
    return result


def _reopen(session, process, task, actor, action, outcome, now):
    """The process back at ``task``'s step with a new open task claimed by the actor
    (待处理) and the history entry of ``action``; answers what every reopening answers."""
    process.current_step = task.step_index
    again = open_task(session, process, task.step_index, task.unit_id, task.unit_name, now)
    again.claimed_by_account_id = actor.account_id
    again.claimed_by_name = actor.name
    again.claimed_at = now
    session.add(HistoryEntry(
        process_id=process.id, step_index=task.step_index, unit_id=task.unit_id,
        unit_name=task.unit_name, account_id=actor.account_id, account_name=actor.name,
        action=action, opinion=None, outcome=outcome, at=now,
    ))
    session.flush()
    return {"process_id": process.id, "kind": process.kind, "step_index": task.step_index,
            "unit_id": task.unit_id, "unit_name": task.unit_name, "task_id": again.id}


def undo_reject(session, task_id, actor, *, rules=NO_RULES):
    """撤销审核不通过: the actor's unit undoes its own 不通过 (Chongqing manual 2.4.3): the
    process is open again at the unit's step with a new open task claimed by the actor
    (待处理), the history records it and the kind's ``undo_effects`` run. 409 unless the
    task's 不通过 ended the process. Whether the kind allows it is the caller's rule."""
    task = _locked_task(session, task_id, actor)
    process = session.execute(
        select(Process).where(Process.id == task.process_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if task.state != TASK_DECIDED or task.outcome != "rejected" \
            or process.status != "rejected":
        raise Conflict("task.not_undoable", "指定流程的当前状态不允许撤销审核不通过",
                       {"task_id": task.id})
    now = utcnow()
    process.status = PROCESS_OPEN
    process.ended_at = None
    result = {
        **_reopen(session, process, task, actor, UNDO_REJECT, None, now),
        "undone_task_id": task.id,
        "undone_at": now.isoformat(),
        "undone_by": {"account_id": actor.account_id, "name": actor.name},
    }
    for effect in rules.of(process.kind).undo_effects:
        effect(session, process, result)
    return result


def release_hold(session, process_id, step_index, now=None):
    """Open the next step's task of a process whose approval at ``step_index`` was held
    (the kind's may-open rule said no at the time; now the kind lets it go). Answers the
    new task; 409 when the process is not held there."""
    process = session.execute(
        select(Process).where(Process.id == process_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    waiting = session.execute(
        select(func.count()).select_from(Task)
        .where(Task.process_id == process.id, Task.state == TASK_OPEN)
    ).scalar()
    if process.status != PROCESS_OPEN or process.current_step != step_index or waiting:
        raise Conflict("review.not_held", "流程当前不在待上报状态", {"process_id": process.id})
    index = step_index + 1
    step = next(s for s in process.steps if s.step_index == index)
    process.current_step = index
    return open_task(session, process, index, step.unit_id, step.unit_name,
                     now or utcnow())


# --------------------------------------------------------------------------- queries

def withdraw(session, *, kind, subject_service, subject_type, subject_id, actor=None,
             at=None, reason=None):
    """The applicant withdraws (撤回) a subject the unit has not decided: its open process
    ends as ``withdrawn``, its open task is cancelled (gone from the task center) and the
    history says so. Answers the process id, or None when nothing was open (the unit
    decided first; the subject's service ignores that late decision itself).

    With a ``reason`` the review is *cancelled* instead (取消: the subject's service ended
    it, e.g. the applicant's account was deleted): the process ends as ``cancelled``, the
    history entry (by ``actor``) keeps the reason, and deciding the task afterwards
    answers 409 ``task.cancelled`` naming it.

    Locks in the order ``decide`` does (task, then process), so a withdrawal and a
    decision arriving together are applied one after the other."""
    found = find_open_process(session, kind, subject_service, subject_type, subject_id)
    if found is None:
        return None
    tasks = session.execute(
        select(Task).where(Task.process_id == found.id, Task.state == TASK_OPEN)
        .with_for_update().execution_options(populate_existing=True)
    ).scalars().all()
    process = session.execute(
        select(Process).where(Process.id == found.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if process.status != PROCESS_OPEN:
        return None
    now = at or utcnow()
    cancelled = bool(reason)
    for task in tasks:
        task.state = TASK_CANCELLED
        task.decided_at = now
        if cancelled:
            task.action = CANCEL
    process.status = CANCELLED if cancelled else WITHDRAWN
    process.ended_at = now
    actor = actor or {}
    if cancelled:
        step = process.current_step
        unit = next((s for s in process.steps if s.step_index == step), None)
        session.add(HistoryEntry(
            process_id=process.id, step_index=step, unit_id=unit.unit_id if unit else None,
            unit_name=unit.unit_name if unit else None,
            account_id=actor.get("account_id"), account_name=actor.get("name") or "系统",
            action=CANCEL, opinion=reason, outcome=CANCELLED, at=now,
        ))
    else:
        session.add(HistoryEntry(
            process_id=process.id, step_index=None, unit_id=process.applicant_unit_id,
            unit_name=None, account_id=actor.get("account_id"),
            account_name=process.applicant_name or actor.get("name"), action=WITHDRAW,
            opinion=None, outcome=WITHDRAWN, at=now,
        ))
    session.flush()
    log.info("%s process %s %s; %d open task(s) cancelled", kind, process.id,
             f"cancelled ({reason})" if cancelled else "withdrawn by the applicant",
             len(tasks))
    return process.id


def can_unit_review(session, unit_id, person_id):
    """Whether ``unit_id`` holds or held a task of any process whose applicant is
    ``person_id`` (documents lets such reviewers download the person's evidence)."""
    if unit_id is None or person_id is None:
        return False
    return session.execute(
        select(func.count()).select_from(Task).join(Process, Task.process_id == Process.id)
        .where(Task.unit_id == unit_id, Process.applicant_person_id == person_id)
    ).scalar() > 0
