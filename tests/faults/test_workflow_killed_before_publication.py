"""Kill -9 the workflow service between a decision's commit and its publication, then
start it again: the decision is published once and applied once.

Two places in that gap, each held open by a lock the test takes (no service code is
changed; see tests/faults/locks.py):

1. committed, not yet published: the test holds the advisory lock the outbox relay
   takes for each batch, so decisions commit and the relay cannot publish them;
2. published, not yet marked: the test holds a row lock on the outbox row, so the relay
   has handed the event to the broker (and identity has applied it) but cannot record
   that; the kill rolls the mark back and the restarted relay publishes it again.
"""
import re

from .invariants import assert_invariants
from .locks import (
    HeldLock,
    relay_lock_key,
    wait_backend_gone,
    wait_for_waiter,
)


def _unpublished_decisions(cluster):
    return cluster.rows(
        "SELECT event_id::text AS event_id, data->>'action' AS action, "
        "(data->>'subject_id')::int AS binding_id "
        "FROM workflow.outbox WHERE type = 'review_decided' AND published_at IS NULL "
        "ORDER BY sequence")


def _binding_statuses(cluster):
    return {r["id"]: r["status"] for r in cluster.rows(
        "SELECT id, status FROM identity.binding_requests ORDER BY id")}


def test_decisions_committed_but_unpublished_survive_kill_9_of_workflow(cluster, users):
    unit = users.create_unit("合肥市第二人民医院")
    admin = unit["admins"][0]
    users.register_many(unit["unit_id"], 3)
    tasks = users.wait_tasks(admin, 3)
    cluster.settle()

    relay = HeldLock(cluster.engine).advisory(relay_lock_key("workflow"))
    try:
        actions = ["approve", "return", "terminate"]
        for task, action in zip(tasks, actions, strict=False):
            answer = users.decide(admin, task["id"], action)
            assert answer.status == 200, answer
        # Committed (the user was answered) and not published: identity knows nothing.
        held = _unpublished_decisions(cluster)
        assert [r["action"] for r in held] == actions
        assert set(_binding_statuses(cluster).values()) == {"pending"}

        workflow = cluster.kill9("workflow")
        assert not workflow.alive
    finally:
        relay.release()

    # Nobody else publishes workflow's outbox: still there, still unpublished.
    assert _unpublished_decisions(cluster) == held
    cluster.restart("workflow")
    assert_invariants(cluster)

    published = cluster.rows(
        "SELECT event_id::text AS event_id, attempts FROM workflow.outbox "
        "WHERE type = 'review_decided' ORDER BY sequence")
    assert [r["event_id"] for r in published] == [r["event_id"] for r in held]
    assert all(r["attempts"] == 1 for r in published)
    statuses = _binding_statuses(cluster)
    assert {r["binding_id"]: statuses[r["binding_id"]] for r in held} == {
        r["binding_id"]: "approved" if r["action"] == "approve" else "rejected" for r in held}
    for row in held:
        assert cluster.scalar("SELECT count(*) FROM identity.processed_events "
                              "WHERE event_id = CAST(:e AS uuid) AND handler = 'review_decided'",
                              e=row["event_id"]) == 1


def test_decision_published_but_not_marked_is_published_again_and_applied_once(cluster, users):
    unit = users.create_unit("合肥市第三人民医院")
    admin = unit["admins"][0]
    users.register_many(unit["unit_id"], 2)
    first, second = users.wait_tasks(admin, 2)
    cluster.settle()

    relay = HeldLock(cluster.engine).advisory(relay_lock_key("workflow"))
    row_lock = HeldLock(cluster.engine)
    try:
        assert users.decide(admin, first["id"], "approve").status == 200
        [event] = _unpublished_decisions(cluster)
        # Lock the outbox row, then let the relay go: it publishes the event (the broker
        # confirms, identity applies it) and waits to mark the row published.
        row_lock.rows("SELECT sequence FROM workflow.outbox "
                      "WHERE event_id = CAST(:e AS uuid) FOR UPDATE", e=event["event_id"])
        relay.release()
        [waiter] = wait_for_waiter(cluster.engine, "UPDATE workflow.outbox%",
                                   blocked_by=row_lock.pid)
        cluster.wait_for(lambda: cluster.scalar(
            "SELECT count(*) FROM identity.processed_events "
            "WHERE event_id = CAST(:e AS uuid) AND handler = 'review_decided'",
            e=event["event_id"]) == 1,
            what="identity applied the published decision")
        assert _binding_statuses(cluster)[event["binding_id"]] == "approved"

        cluster.kill9("workflow")
    finally:
        row_lock.release()
        relay.release()
    # The killed relay's transaction (with its mark) is rolled back.
    wait_backend_gone(cluster.engine, waiter["pid"])
    assert _unpublished_decisions(cluster) == [event]

    cluster.restart("workflow")
    assert users.decide(admin, second["id"], "approve").status == 200
    assert_invariants(cluster)

    # Published a second time (the first mark was rolled back, so one attempt is
    # recorded), delivered twice, applied once.
    assert cluster.scalar("SELECT attempts FROM workflow.outbox "
                          "WHERE event_id = CAST(:e AS uuid)", e=event["event_id"]) == 1
    # (matched on the id's first group: the log masks digit runs that look like phones)
    assert re.search(rf"review_decided: event {event['event_id'][:8]}\S* already handled; "
                     "skipped", cluster.log("identity"))
    assert cluster.scalar("SELECT count(*) FROM identity.audit_log "
                          "WHERE action = 'binding.approved' AND target_id = :b",
                          b=str(event["binding_id"])) == 1
    assert set(_binding_statuses(cluster).values()) == {"approved"}
