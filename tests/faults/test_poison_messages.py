"""A handler that raises: the failure is recorded and visible to operators, not silently
dropped, and a poison message does not loop forever.

The test plays a misbehaving producer on the broker: it publishes to identity's event
exchange ``review_requested`` messages that workflow's handler cannot apply, next to a
person's real binding request that must go through untouched:

- a well-formed request whose process PostgreSQL refuses to store (a trigger the test
  installs on ``workflow.processes`` raises for that one subject): the handler raises
  an unexpected error; retried 5 times, then parked as ``dead``;
- data breaking the contract (``subject_service`` is not the source): a rule violation,
  parked as ``dead`` at once;
- an envelope lacking its fields: parked as ``dead`` at once;
- a body that is not JSON at all, or of a foreign content type: parked as ``dead``
  for operators and taken off the queue.
"""
import contextlib
import datetime as dt
import re
import uuid

from sqlalchemy import text

from services.common.messaging import MAX_HANDLER_ATTEMPTS

from .invariants import assert_invariants

QUEUE = "evt-identity-review_requested--workflow.review_requested_identity"


def _request(subject_id, **overrides):
    data = {
        "kind": "binding", "subject_service": "identity", "subject_type": "binding",
        "subject_id": subject_id, "title": "毒消息 申请绑定单位", "applicant_person_id": 1,
        "applicant_name": "毒消息", "applicant_unit_id": None,
        "chain": [{"unit_id": 1, "unit_name": "某单位", "unit_kind": "employer"}],
        "summary": {},
    }
    data.update(overrides)
    return {
        "event_id": str(uuid.uuid4()), "type": "review_requested", "version": 1,
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "source": "identity",
        "subject": f"binding:{subject_id}", "actor": None, "data": data,
    }


@contextlib.contextmanager
def _refused_subject(cluster, subject_id):
    """PostgreSQL refuses to store a process of ``subject_id`` while this lasts."""
    with cluster.engine.begin() as conn:
        conn.execute(text(f"""
            CREATE FUNCTION public.zz_fault_refuse() RETURNS trigger LANGUAGE plpgsql
              SECURITY DEFINER AS $$
            BEGIN
              IF NEW.subject_id = '{subject_id}' THEN
                RAISE EXCEPTION 'fault injection: cannot store a process of subject %',
                  NEW.subject_id;
              END IF;
              RETURN NEW;
            END $$"""))
        conn.execute(text("CREATE TRIGGER zz_fault_refuse BEFORE INSERT ON workflow.processes "
                          "FOR EACH ROW EXECUTE FUNCTION public.zz_fault_refuse()"))
    try:
        yield
    finally:
        with cluster.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS zz_fault_refuse ON workflow.processes"))
            conn.execute(text("DROP FUNCTION IF EXISTS public.zz_fault_refuse()"))


def _failures(cluster):
    return {r["event_id"]: r for r in cluster.rows(
        "SELECT event_id::text AS event_id, handler, type, status, attempts, last_error, "
        "envelope FROM workflow.failed_events")}


def test_poison_messages_are_parked_visible_to_operators_and_not_redelivered(cluster, users):
    unit = users.create_unit("合肥市第六人民医院")
    admin = unit["admins"][0]

    crashing = _request(90001)
    violating = _request(90002, subject_service="achievements")
    malformed = {"type": "review_requested", "source": "identity", "marker": "残缺的信封"}
    with _refused_subject(cluster, 90001):
        cluster.publish("identity", "review_requested", crashing)
        cluster.publish("identity", "review_requested", violating)
        cluster.publish("identity", "review_requested", malformed)
        # A real request published after them still gets its task.
        [person] = users.register_many(unit["unit_id"], 1)
        users.wait_tasks(admin, 1)
        cluster.wait_for(lambda: _failures(cluster).get(crashing["event_id"], {})
                         .get("status") == "dead", what="the crashing event parked",
                         timeout=90)
    failures = _failures(cluster)
    assert len(failures) == 3, failures

    crash = failures[crashing["event_id"]]
    assert crash["status"] == "dead" and crash["attempts"] == MAX_HANDLER_ATTEMPTS
    assert crash["handler"] == "review_requested_identity"
    assert "fault injection: cannot store a process of subject 90001" in crash["last_error"]
    rule = failures[violating["event_id"]]
    assert rule["status"] == "dead" and rule["attempts"] == 1
    assert rule["last_error"].startswith("Invalid")
    [bad] = [f for f in failures.values() if f["envelope"].get("raw")]
    assert bad["status"] == "dead" and bad["attempts"] == 1
    assert bad["envelope"]["raw"]["marker"] == "残缺的信封"
    assert "lacks" in bad["last_error"]
    injected = set(failures)

    # Nothing of them was applied, and no process started for them.
    assert cluster.scalar("SELECT count(*) FROM workflow.processed_events "
                          "WHERE event_id = ANY(CAST(:ids AS uuid[]))",
                          ids=list(injected)) == 0
    assert cluster.scalar("SELECT count(*) FROM workflow.processes "
                          "WHERE subject_id IN ('90001', '90002')") == 0

    # Operators see them.
    answer = users.operator.get("/api/v1/ops/failed-events",
                                params={"service": "workflow", "status": "dead"})
    assert answer.status == 200, answer
    listed = {f["event_id"]: f for f in answer.json()}
    assert set(listed) == injected
    assert listed[crashing["event_id"]]["attempts"] == MAX_HANDLER_ATTEMPTS
    assert listed[crashing["event_id"]]["type"] == "review_requested"
    assert listed[crashing["event_id"]]["source"] == "identity"

    # Not looping: the queue holds nothing, and the real traffic settles around them.
    users.decide(admin, users.tasks(admin)[0]["id"], "approve")
    assert_invariants(cluster, allowed_dead=injected)
    cluster.wait_for(lambda: cluster.queue_state(QUEUE) == {"ready": 0, "unacked": 0,
                                                            "consumers": 1},
                     what="the handler's queue empty")
    assert _failures(cluster)[crashing["event_id"]]["attempts"] == MAX_HANDLER_ATTEMPTS
    log = cluster.log("workflow")
    prefix = crashing["event_id"][:8]
    assert len(re.findall(rf"event {prefix}\S* failed \(attempt \d\), will be retried",
                          log)) == MAX_HANDLER_ATTEMPTS - 1
    assert len(re.findall(rf"event {prefix}\S* \(review_requested\) parked as dead", log)) == 1
    assert cluster.scalar("SELECT status FROM identity.binding_requests "
                          "WHERE person_id = :p", p=person["person_id"]) == "approved"


def test_undecodable_message_is_recorded_for_operators(cluster, users):
    cluster.publish("identity", "review_requested", b"{not json",
                    content_type="application/json")
    cluster.publish("identity", "review_requested", b"\x80\x04K\x01.",
                    content_type="application/x-python-serialize")
    # Both were taken off the queue (not looping) ...
    cluster.wait_for(lambda: cluster.queue_state(QUEUE) == {"ready": 0, "unacked": 0,
                                                            "consumers": 1},
                     what="the handler's queue empty")
    cluster.wait_for(lambda: len(re.findall("undecodable message review_requested",
                                            cluster.log("workflow"))) == 2,
                     what="workflow took both messages")
    # ... and an operator finds them among the failed events, parked for good.
    answer = users.operator.get("/api/v1/ops/failed-events",
                                params={"service": "workflow"})
    assert answer.status == 200, answer
    failures = answer.json()
    assert len(failures) == 2, failures
    assert {f["status"] for f in failures} == {"dead"}, failures
    assert {f["type"] for f in failures} == {"review_requested"}, failures
    assert {f["source"] for f in failures} == {"identity"}, failures


def test_a_failure_healed_by_a_later_delivery_is_marked_resolved(cluster, users):
    """Attempt 1 fails (recorded, retrying); attempt 2 applies the event but marking the
    failure resolved fails (the database refuses a moment): as the mark is in the same
    transaction as the effect, both roll back and the failure is counted; attempt 3
    applies it and marks it resolved together. Never a failure left 'retrying' for an
    event that was applied."""
    event = _request(90003)
    # The injected faults run as their definer (the owner): the services' role has no
    # rights on the suite's sequences, and needs none.
    with cluster.engine.begin() as conn:
        conn.execute(text("CREATE SEQUENCE public.zz_fault_insert"))
        conn.execute(text("CREATE SEQUENCE public.zz_fault_resolve"))
        conn.execute(text("""
            CREATE FUNCTION public.zz_fault_insert_once() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN
              IF NEW.subject_id = '90003' AND nextval('public.zz_fault_insert') = 1 THEN
                RAISE EXCEPTION 'fault injection: the first attempt fails';
              END IF;
              RETURN NEW;
            END $$"""))
        conn.execute(text("""
            CREATE FUNCTION public.zz_fault_resolve_once() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN
              IF NEW.status = 'resolved' AND nextval('public.zz_fault_resolve') = 1 THEN
                RAISE EXCEPTION 'fault injection: the database refuses a moment';
              END IF;
              RETURN NEW;
            END $$"""))
        conn.execute(text("CREATE TRIGGER zz_fault_insert_once BEFORE INSERT ON "
                          "workflow.processes FOR EACH ROW "
                          "EXECUTE FUNCTION public.zz_fault_insert_once()"))
        conn.execute(text("CREATE TRIGGER zz_fault_resolve_once BEFORE UPDATE ON "
                          "workflow.failed_events FOR EACH ROW "
                          "EXECUTE FUNCTION public.zz_fault_resolve_once()"))
    try:
        cluster.publish("identity", "review_requested", event)
        prefix = event["event_id"][:8]
        cluster.wait_for(lambda: _failures(cluster).get(event["event_id"], {}).get(
            "status") == "resolved", what="the failure marked resolved")
        assert len(re.findall(rf"event {prefix}\S* failed \(attempt \d\), will be retried",
                              cluster.log("workflow"))) == 2
    finally:
        with cluster.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS zz_fault_insert_once "
                              "ON workflow.processes"))
            conn.execute(text("DROP TRIGGER IF EXISTS zz_fault_resolve_once "
                              "ON workflow.failed_events"))
            conn.execute(text("DROP FUNCTION IF EXISTS public.zz_fault_insert_once()"))
            conn.execute(text("DROP FUNCTION IF EXISTS public.zz_fault_resolve_once()"))
            conn.execute(text("DROP SEQUENCE IF EXISTS public.zz_fault_insert"))
            conn.execute(text("DROP SEQUENCE IF EXISTS public.zz_fault_resolve"))
    # Applied once ...
    assert cluster.scalar("SELECT count(*) FROM workflow.processes "
                          "WHERE subject_id = '90003'") == 1
    assert cluster.scalar("SELECT count(*) FROM workflow.processed_events "
                          "WHERE event_id = CAST(:e AS uuid)", e=event["event_id"]) == 1
    # ... so its failure is over: operators must not see it as still being retried.
    failure = _failures(cluster)[event["event_id"]]
    assert failure["attempts"] == 2, failure
    assert failure["status"] == "resolved", failure
