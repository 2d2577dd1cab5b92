"""Achievements releases a declaration's record locks itself, from workflow's events: the
final ``review_decided`` of a declaration (审核通过, 不通过, 终止; not 退回) and
``declaration_deleted``. The events go through the real broker, published on workflow's
exchange as its relay publishes them."""
import datetime as dt
import uuid

import pytest

from .support import UNIT_A, paper, wait_for


def _now():
    return dt.datetime.now(dt.UTC).isoformat()


def _envelope(event_type, subject, data):
    return {"event_id": str(uuid.uuid4()), "type": event_type, "version": 1,
            "occurred_at": _now(), "source": "workflow", "subject": subject,
            "actor": None, "data": data}


def _declaration_decided(declaration_id, outcome, final=True, action="approve"):
    return _envelope("review_decided", "process:77", {
        "process_id": 77, "kind": "declaration", "subject_service": "workflow",
        "subject_type": "declaration", "subject_id": declaration_id, "step_index": 0,
        "unit_id": UNIT_A, "action": action, "opinion": None, "outcome": outcome,
        "final": final, "decided_at": _now(),
        "decided_by": {"account_id": 101, "name": "王敏"}})


def _handled(ach, envelope, handler):
    return ach.scalar(
        "SELECT count(*) FROM achievements.processed_events "
        "WHERE event_id = :e AND handler LIKE :h",
        e=envelope["event_id"], h=f"%{handler}%")


def _locks(ach, record_id):
    return sorted(row.declaration_id for row in ach.rows(
        "SELECT declaration_id FROM achievements.record_locks WHERE record_id = :r",
        r=record_id))


def _publish_and_wait(ach, envelope, handler):
    ach.publish(envelope)
    wait_for(lambda: _handled(ach, envelope, handler))


@pytest.fixture
def approved(ach):
    record = ach.new("p1", "paper", paper(), evidence=[601], submit=True)
    ach.decide(record["id"], "approve")
    with ach.rpc("p1") as achievements:
        for declaration_id in (9101, 9102, 9103):
            achievements.lock_records([record["id"]], declaration_id)
    assert _locks(ach, record["id"]) == [9101, 9102, 9103]
    return record


def test_a_declarations_final_decision_releases_its_records(ach, approved):
    record_id = approved["id"]
    # 退回 and a decision passed up (forwarded, not final) keep the records held
    for envelope in (_declaration_decided(9101, "returned", action="return"),
                     _declaration_decided(9101, "forwarded", final=False)):
        _publish_and_wait(ach, envelope, "review_decided")
        assert _locks(ach, record_id) == [9101, 9102, 9103]

    # 审核通过 at the last level releases every record the declaration held, once
    final = _declaration_decided(9101, "approved")
    _publish_and_wait(ach, final, "review_decided")
    assert _locks(ach, record_id) == [9102, 9103]
    ach.publish(final)  # redelivered: applied once
    marker = _declaration_decided(9102, "rejected", action="reject")  # 不通过
    _publish_and_wait(ach, marker, "review_decided")
    assert _locks(ach, record_id) == [9103]
    assert ach.scalar("SELECT count(*) FROM achievements.processed_events "
                      "WHERE event_id = :e", e=final["event_id"]) == 1

    # 终止 too; a decision about another declaration changes nothing
    _publish_and_wait(ach, _declaration_decided(9999, "terminated", action="terminate"),
                      "review_decided")
    assert _locks(ach, record_id) == [9103]
    _publish_and_wait(ach, _declaration_decided(9103, "terminated", action="terminate"),
                      "review_decided")
    assert _locks(ach, record_id) == []
    view = ach.record("p1", record_id)
    assert view["lock_count"] == 0 and not view["locked"]
    assert view["status"] == "approved"
    assert ach.scalar("SELECT count(*) FROM achievements.failed_events") == 0


def test_a_deleted_declaration_releases_its_records(ach, approved):
    record_id = approved["id"]
    deleted = _envelope("declaration_deleted", "declaration:9102",
                        {"declaration_id": 9102, "deleted_at": _now(),
                         "record_ids": [record_id]})
    _publish_and_wait(ach, deleted, "declaration_deleted")
    assert _locks(ach, record_id) == [9101, 9103]
    ach.publish(deleted)  # redelivered: nothing more
    again = _envelope("declaration_deleted", "declaration:9101",
                      {"declaration_id": 9101, "deleted_at": _now(), "record_ids": []})
    _publish_and_wait(ach, again, "declaration_deleted")
    assert _locks(ach, record_id) == [9103]
    assert ach.record("p1", record_id)["lock_count"] == 1
    assert ach.scalar("SELECT count(*) FROM achievements.failed_events") == 0


def test_only_the_declarant_or_a_system_caller_locks_and_releases(ach, approved):
    record_id = approved["id"]
    for token in ("a1", "op"):  # a unit admin, an operator: refused
        with ach.rpc(token) as achievements:
            for call in (lambda a: a.lock_records([record_id], 9201, person_id=77),
                         lambda a: a.unlock_records(None, 9101)):
                with pytest.raises(Exception) as refused:  # noqa: B017 - remote error class
                    call(achievements)
                assert getattr(refused.value, "code", None) == "auth.forbidden"
    # another person releases nothing of p1's records
    with ach.rpc("p2") as achievements:
        assert achievements.unlock_records(None, 9101)["record_ids"] == []
    assert _locks(ach, record_id) == [9101, 9102, 9103]
    # the declarant releases their own
    with ach.rpc("p1") as achievements:
        assert achievements.unlock_records([record_id], 9101) == {
            "declaration_id": 9101, "record_ids": [record_id]}
    assert _locks(ach, record_id) == [9102, 9103]
