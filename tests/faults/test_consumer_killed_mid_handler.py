"""Kill -9 a consumer in the middle of its handler: the message is redelivered and
applied once.

The handler is stopped inside its transaction by a lock the test holds (after it has
recorded the event as processed, before its effect): identity's ``review_decided``
waits for the binding request's row lock; workflow's ``review_requested_identity``
waits for the advisory lock the engine takes per subject. The test checks that the
service's backend is waiting there, kills the service, lets go, and starts it again.
"""
import re

from .invariants import assert_invariants
from .locks import HeldLock, wait_backend_gone, wait_for_waiter


def _processed(cluster, schema, handler, event_id):
    """Whether ``handler`` recorded the event (identity has a second handler of
    ``review_decided``, its audit entry, which the lock does not stop)."""
    return cluster.scalar(f"SELECT count(*) FROM {schema}.processed_events "
                          "WHERE handler = :h AND event_id = CAST(:e AS uuid)",
                          h=handler, e=event_id)


def test_identity_killed_while_applying_a_decision_applies_it_once_after_restart(
        cluster, users):
    unit = users.create_unit("合肥市第四人民医院")
    admin = unit["admins"][0]
    [person] = users.register_many(unit["unit_id"], 1)
    [task] = users.wait_tasks(admin, 1)
    cluster.settle()
    binding_id = cluster.scalar("SELECT id FROM identity.binding_requests "
                                "WHERE person_id = :p", p=person["person_id"])

    lock = HeldLock(cluster.engine)
    try:
        lock.rows("SELECT id FROM identity.binding_requests WHERE id = :b FOR UPDATE",
                  b=binding_id)
        assert users.decide(admin, task["id"], "approve").status == 200
        [waiter] = wait_for_waiter(cluster.engine, "%identity.binding_requests%FOR UPDATE%",
                                   blocked_by=lock.pid)
        event_id = cluster.scalar("SELECT event_id::text FROM workflow.outbox "
                                  "WHERE type = 'review_decided'")
        assert cluster.scalar("SELECT published_at IS NOT NULL FROM workflow.outbox "
                              "WHERE event_id = CAST(:e AS uuid)", e=event_id)
        cluster.kill9("identity")
    finally:
        lock.release()
    wait_backend_gone(cluster.engine, waiter["pid"])
    # Nothing of the handler's transaction survived: not processed, not applied.
    assert _processed(cluster, "identity", "review_decided", event_id) == 0
    assert cluster.scalar("SELECT status FROM identity.binding_requests WHERE id = :b",
                          b=binding_id) == "pending"

    cluster.restart("identity")
    assert_invariants(cluster)
    assert _processed(cluster, "identity", "review_decided", event_id) == 1
    assert cluster.scalar("SELECT status FROM identity.binding_requests WHERE id = :b",
                          b=binding_id) == "approved"
    assert cluster.scalar("SELECT bound_unit_id FROM identity.persons WHERE id = :p",
                          p=person["person_id"]) == unit["unit_id"]
    assert cluster.scalar("SELECT count(*) FROM identity.audit_log "
                          "WHERE action = 'binding.approved' AND target_id = :b",
                          b=str(binding_id)) == 1
    # The person sees the approval.
    me = users.login(person["form"]["id_number"])
    profile = me.get("/api/v1/me/profile").json()
    assert profile["unit"]["unit_id"] == unit["unit_id"]


def test_workflow_killed_while_starting_a_review_starts_it_once_after_restart(
        cluster, users):
    unit = users.create_unit("合肥市第五人民医院")
    admin = unit["admins"][0]
    # The person registers first and asks for the unit afterwards, so the test knows
    # the binding request's id before the request exists and can hold its lock.
    answer, form = users.register(None)
    assert answer.status == 201, answer
    person = users.login(form["id_number"])
    cluster.settle()
    binding_id = cluster.scalar(
        "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
        "FROM identity.binding_requests_id_seq")

    lock = HeldLock(cluster.engine).advisory(f"review:binding:identity:binding:{binding_id}")
    try:
        created = person.post("/api/v1/me/bindings", json={"unit_id": unit["unit_id"]})
        assert created.status == 201, created
        assert created.json()["binding_id"] == binding_id
        [waiter] = wait_for_waiter(cluster.engine, "%pg_advisory_xact_lock%",
                                   blocked_by=lock.pid)
        event_id = cluster.scalar("SELECT event_id::text FROM identity.outbox "
                                  "WHERE type = 'review_requested' AND subject = :s",
                                  s=f"binding:{binding_id}")
        cluster.kill9("workflow")
    finally:
        lock.release()
    wait_backend_gone(cluster.engine, waiter["pid"])
    assert _processed(cluster, "workflow", "review_requested_identity", event_id) == 0
    assert cluster.scalar("SELECT count(*) FROM workflow.processes") == 0

    cluster.restart("workflow")
    [task] = users.wait_tasks(admin, 1)
    assert _processed(cluster, "workflow", "review_requested_identity", event_id) == 1
    assert cluster.scalar("SELECT count(*) FROM workflow.processes "
                          "WHERE subject_id = :b", b=str(binding_id)) == 1
    assert re.search(r"started binding process \d+ for identity/binding/"
                     + str(binding_id), cluster.log("workflow"))
    assert users.decide(admin, task["id"], "approve").status == 200
    assert_invariants(cluster)
