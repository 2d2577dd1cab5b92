"""The engine's plain functions called directly, as an in-service caller (declarations)
will: start a process, decide with every action, a kind's guards, may-open rule and
effects given explicitly, concurrent starts."""
import eventlet
import pytest
from sqlalchemy import func, select

from services.common.errors import Conflict, Invalid, NotFound
from services.common.principal import UNIT_ADMIN, Principal
from services.contracts.workflow.review import ReviewDecidedSchema
from services.workflow.engine.logic import engine, taskcenter
from services.workflow.engine.models import HistoryEntry, Process, Task

from .support import UNIT_A, UNIT_B, UNIT_C, UNIT_NAMES

ADMIN_A = Principal(account_id=101, roles=(UNIT_ADMIN,), unit_id=UNIT_A, name="王敏")
ADMIN_A2 = Principal(account_id=102, roles=(UNIT_ADMIN,), unit_id=UNIT_A, name="李强")
ADMIN_B = Principal(account_id=201, roles=(UNIT_ADMIN,), unit_id=UNIT_B, name="赵刚")
ADMIN_C = Principal(account_id=301, roles=(UNIT_ADMIN,), unit_id=UNIT_C, name="钱芳")

CHAIN = [{"unit_id": UNIT_A, "unit_name": UNIT_NAMES[UNIT_A], "unit_kind": "employer"},
         {"unit_id": UNIT_B, "unit_name": UNIT_NAMES[UNIT_B], "unit_kind": "competent"},
         {"unit_id": UNIT_C, "unit_name": UNIT_NAMES[UNIT_C], "unit_kind": "hr"}]


def start_declaration(session_factory, subject_id=1, chain=CHAIN):
    with session_factory() as session, session.begin():
        started = engine.start_process(
            session, kind="declaration", subject_service="workflow",
            subject_type="declaration", subject_id=subject_id,
            title="孙迪 申报中小学教师系列-中学语文专业-高级教师职称", chain=chain,
            applicant_person_id=77, applicant_name="孙迪", applicant_unit_id=UNIT_A,
            summary={"plan": "2021年度合肥市中小学教师系列高级职称评审"},
            submitted_by={"account_id": 401, "name": "孙迪"})
        return started.process.id, started.created


def open_task(session_factory, process_id):
    with session_factory() as session:
        return session.execute(select(Task.id).where(
            Task.process_id == process_id, Task.state == "open")).scalar_one()


def decide(session_factory, task_id, actor, action, opinion=None, rules=engine.NO_RULES):
    with session_factory(actor=actor.as_actor()) as session, session.begin():
        return engine.decide(session, task_id, actor, action, opinion, rules=rules)


def outbox_events(session_factory):
    from services.workflow.models import Base
    outbox = Base.metadata.tables["workflow.outbox"]
    with session_factory() as session:
        return session.execute(select(outbox).order_by(outbox.c.sequence)).all()


def test_a_declaration_climbs_the_chain_and_is_rejected_at_hr(session_factory):
    process_id, created = start_declaration(session_factory)
    assert created
    assert start_declaration(session_factory) == (process_id, False)  # idempotent

    first = decide(session_factory, open_task(session_factory, process_id), ADMIN_A,
                   "approve", " 同意推荐 ")
    assert (first["outcome"], first["final"], first["opinion"]) == ("forwarded", False,
                                                                   "同意推荐")
    assert first["next_unit_id"] == UNIT_B
    second = decide(session_factory, first["next_task_id"], ADMIN_B, "approve")
    assert second["next_unit_id"] == UNIT_C

    task_c = second["next_task_id"]
    with pytest.raises(Invalid) as missing:
        decide(session_factory, task_c, ADMIN_C, "reject")
    assert missing.value.code == "task.opinion_required"
    rejected = decide(session_factory, task_c, ADMIN_C, "reject", "不符合申报条件")
    assert (rejected["outcome"], rejected["final"]) == ("rejected", True)

    events = outbox_events(session_factory)
    assert [(e.data["step_index"], e.data["outcome"], e.data["final"]) for e in events] == [
        (0, "forwarded", False), (1, "forwarded", False), (2, "rejected", True)]
    assert all(e.data["subject_service"] == "workflow" and e.data["subject_id"] == 1
               for e in events)
    assert events[2].actor["account_id"] == 301
    for event in events:  # exactly the contract's fields (unknown ones are refused)
        ReviewDecidedSchema().load(event.data)

    with session_factory() as session:
        process = session.get(Process, process_id)
        assert (process.status, process.current_step) == ("rejected", 2)
        assert process.ended_at is not None
        history = taskcenter.subject_history(session, "workflow", "declaration", 1)
    assert [(e["action_label"], e["unit_name"], e["account_name"]) for e in history] == [
        ("提交", "合肥市第一中学", "孙迪"),
        ("通过", "合肥市第一中学", "王敏"),
        ("通过", "合肥市教育局", "赵刚"),
        ("不通过", "合肥市人力资源和社会保障局", "钱芳"),
    ]
    # A new declaration of the same subject may start once the first has ended.
    assert start_declaration(session_factory)[1] is True


def test_claims_release_and_errors(session_factory):
    process_id, _ = start_declaration(session_factory)
    task_id = open_task(session_factory, process_id)
    with session_factory() as session, session.begin():
        assert engine.claim(session, task_id, ADMIN_A).claimed_by_account_id == 101
    with session_factory() as session, session.begin():  # claiming again is harmless
        assert engine.claim(session, task_id, ADMIN_A).claimed_by_name == "王敏"
    with session_factory() as session, session.begin(), pytest.raises(Conflict) as taken:
        engine.claim(session, task_id, ADMIN_A2)
    assert taken.value.details["claimed_by"] == {"account_id": 101, "name": "王敏"}
    with session_factory() as session, session.begin(), pytest.raises(NotFound):
        engine.claim(session, task_id, ADMIN_B)
    with session_factory() as session, session.begin(), pytest.raises(Conflict):
        engine.release(session, task_id, ADMIN_A2)
    with session_factory() as session, session.begin():
        assert engine.release(session, task_id, ADMIN_A).claimed_by_account_id is None
    with session_factory() as session, session.begin(), pytest.raises(Conflict):
        engine.release(session, task_id, ADMIN_A)  # not claimed by anyone now


def test_invalid_starts_change_nothing(session_factory):
    with session_factory() as session, session.begin(), pytest.raises(Invalid):
        engine.start_process(session, kind="declaration", subject_service="workflow",
                             subject_type="declaration", subject_id=2, title="x", chain=[])
    with session_factory() as session, session.begin(), pytest.raises(Invalid):
        engine.start_process(session, kind="holiday", subject_service="workflow",
                             subject_type="x", subject_id=2, title="x", chain=CHAIN)
    with session_factory() as session:
        assert session.execute(select(func.count()).select_from(Process)).scalar() == 0


def test_an_effect_runs_in_the_decisions_transaction(session_factory):
    seen = []

    def apply(session, process, decided):
        if decided.data["opinion"] == "boom":
            raise Conflict("declaration.locked", "申报已锁定")
        seen.append((process.id, decided.data["outcome"]))

    rules = engine.ReviewRules({"declaration": engine.KindRules(effects=(apply,))})
    process_id, _ = start_declaration(session_factory)
    task_id = open_task(session_factory, process_id)
    with pytest.raises(Conflict):
        decide(session_factory, task_id, ADMIN_A, "terminate", "boom", rules=rules)
    # Undone with the effect: the task is still open, no history, no event.
    assert open_task(session_factory, process_id) == task_id
    assert outbox_events(session_factory) == []
    decide(session_factory, task_id, ADMIN_A, "terminate", "材料造假", rules=rules)
    assert seen == [(process_id, "terminated")]


def test_a_guard_refuses_before_anything_changes(session_factory):
    """A guard runs before the engine changes anything: what it sees is the decision
    about to be taken, and the effects never run when it refuses."""
    seen, effects = [], []

    def guard(session, process, decision):
        task = session.get(Task, decision_task[0])
        seen.append((decision["action"], decision["outcome"], decision["final"],
                     task.state, task.claimed_by_account_id))
        if decision["opinion"] == "no":
            raise Conflict("declaration.locked", "申报已锁定")

    rules = engine.ReviewRules({"declaration": engine.KindRules(
        guards=(guard,), effects=(lambda session, process, decided: effects.append(1),))})
    process_id, _ = start_declaration(session_factory)
    decision_task = [open_task(session_factory, process_id)]
    with pytest.raises(Conflict):
        decide(session_factory, decision_task[0], ADMIN_A, "approve", "no", rules=rules)
    assert seen == [("approve", "forwarded", False, "open", None)]
    assert effects == [] and outbox_events(session_factory) == []
    assert open_task(session_factory, process_id) == decision_task[0]
    decide(session_factory, decision_task[0], ADMIN_A, "approve", rules=rules)
    assert effects == [1]


def test_a_may_open_rule_holds_the_next_step_until_released(session_factory):
    """When the kind's may-open rule says no, an approval opens no task for the next
    unit: the process waits at the step (held) until release_hold opens it, or the unit
    recalls the approval."""
    rules = engine.ReviewRules({"declaration": engine.KindRules(
        may_open_next=lambda session, process, decision: decision["step_index"] != 0)})
    process_id, _ = start_declaration(session_factory)
    first = decide(session_factory, open_task(session_factory, process_id), ADMIN_A,
                   "approve", rules=rules)
    assert (first["outcome"], first["final"], first["next_task_id"]) == (
        "forwarded", False, None)
    with session_factory() as session:
        assert session.execute(select(func.count()).select_from(Task).where(
            Task.process_id == process_id, Task.state == "open")).scalar() == 0
        assert session.get(Process, process_id).current_step == 0
        assert session.execute(select(func.count()).select_from(Task)).scalar() == 1

    # The unit takes its held approval back: a new task of its own, nothing withdrawn.
    with session_factory(actor=ADMIN_A.as_actor()) as session, session.begin():
        recalled = engine.recall(session, first["task_id"], ADMIN_A, rules=rules)
    assert recalled["recalled_task_id"] is None and recalled["step_index"] == 0
    again = decide(session_factory, recalled["task_id"], ADMIN_A, "approve", rules=rules)
    assert again["next_task_id"] is None

    # Released: the next unit's task opens now; a second release is refused.
    with session_factory() as session, session.begin():
        task = engine.release_hold(session, process_id, 0)
        assert (task.step_index, task.unit_id) == (1, UNIT_B)
    with session_factory() as session, session.begin(), pytest.raises(Conflict):
        engine.release_hold(session, process_id, 0)
    with session_factory() as session:
        assert session.get(Process, process_id).current_step == 1
    second = decide(session_factory, open_task(session_factory, process_id), ADMIN_B,
                    "approve", rules=rules)
    assert second["next_unit_id"] == UNIT_C


def test_concurrent_starts_and_decisions_on_the_engine(session_factory):
    """Many times: two starts of one subject at once make one process; two decisions of
    one task at once, one wins and the other gets a conflict."""
    for subject_id in range(100, 120):
        outcomes = []
        pool = eventlet.GreenPool()
        for _ in range(2):
            pool.spawn(lambda outcomes=outcomes, subject_id=subject_id: outcomes.append(
                start_declaration(session_factory, subject_id)))
        pool.waitall()
        assert sorted(created for _, created in outcomes) == [False, True]
        assert len({pid for pid, _ in outcomes}) == 1
        process_id = outcomes[0][0]
        task_id = open_task(session_factory, process_id)

        answers = []

        def attempt(actor, action, opinion, answers=answers, task_id=task_id):
            try:
                answers.append(decide(session_factory, task_id, actor, action, opinion))
            except Conflict as exc:
                answers.append(exc)

        pool.spawn(attempt, ADMIN_A, "approve", None)
        pool.spawn(attempt, ADMIN_A2, "return", "请补充材料")
        pool.waitall()
        assert sorted(type(a).__name__ for a in answers) == ["Conflict", "dict"]
        with session_factory() as session:
            decisions = session.execute(select(func.count()).select_from(HistoryEntry).where(
                HistoryEntry.process_id == process_id, HistoryEntry.action != "submit")
            ).scalar()
        assert decisions == 1
    events = outbox_events(session_factory)
    assert len(events) == 20 and len({e.subject for e in events}) == 20
