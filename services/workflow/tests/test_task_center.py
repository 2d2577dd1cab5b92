"""The task center through the gateway: reviews asked for with ``review_requested`` on
the real broker, claimed and decided by unit admins over HTTP, with the outbox and the
history checked in the database."""
import datetime as dt

import eventlet
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Forbidden
from services.common.testing import sql_statements

from .support import UNIT_A, UNIT_B, UNIT_C, UNIT_NAMES, auth, binding_request, wait_for


def two_step_chain():
    return [{"unit_id": UNIT_A, "unit_name": UNIT_NAMES[UNIT_A], "unit_kind": "employer"},
            {"unit_id": UNIT_B, "unit_name": UNIT_NAMES[UNIT_B], "unit_kind": "competent"}]


def test_requested_review_lands_in_the_units_unclaimed_box(wf):
    envelope = wf.publish(binding_request(12))
    process_id, task_id = wf.wait_process(binding_request(12))

    page = wf.box("a1", "unclaimed")
    assert page["total"] == 1
    assert page["counts"] == {"todo": 0, "unclaimed": 1, "done_by_me": 0, "done": 0}
    [item] = page["items"]
    assert item["id"] == task_id and item["process_id"] == process_id
    assert item["kind"] == "binding" and item["kind_label"] == "人员注册审核"
    assert item["title"] == "孙迪 申请绑定 合肥市第一中学"
    assert item["applicant_name"] == "孙迪"
    assert item["unit_name"] == "合肥市第一中学"
    assert item["step_label"] == "单位审核" and item["step_index"] == 0
    assert dt.datetime.fromisoformat(item["submitted_at"]) == dt.datetime.fromisoformat(
        envelope["occurred_at"])
    assert item["claimed_by"] is None
    assert (item["status"], item["status_label"]) == ("unclaimed", "待领取")
    assert item["process_status_label"] == "审核中"

    # Every admin of the unit sees it; nobody else does.
    assert wf.box("a2", "unclaimed")["total"] == 1
    assert wf.box("b1", "unclaimed") == {"items": [], "total": 0, "counts": {
        "todo": 0, "unclaimed": 0, "done_by_me": 0, "done": 0}}

    detail = wf.get(f"/api/v1/tasks/{task_id}", "a2").json()
    assert detail["summary"] == {"id_number": "340104********0021", "phone": "138****1234"}
    assert detail["subject_id"] == 12
    assert [s["unit_name"] for s in detail["steps"]] == ["合肥市第一中学"]
    [submitted] = detail["history"]
    assert (submitted["action"], submitted["action_label"]) == ("submit", "提交")
    assert submitted["account_name"] == "孙迪" and submitted["account_id"] == 401


def test_claim_release_and_approve_with_history_and_event(wf):
    listener = wf.subscribe("review_decided")
    _, task_id = wf.request_review(binding_request(12))

    claimed = wf.post(f"/api/v1/tasks/{task_id}/claim", "a1")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["claimed_by"] == {"account_id": 101, "name": "王敏"}
    assert claimed.json()["status_label"] == "审核中"
    assert wf.box("a1", "todo")["items"][0]["id"] == task_id
    assert wf.box("a1", "unclaimed")["total"] == 0
    # Claimed by a1: a2 no longer sees it as claimable and cannot take or decide it.
    assert wf.box("a2", "unclaimed")["total"] == 0 and wf.box("a2", "todo")["total"] == 0
    taken = wf.post(f"/api/v1/tasks/{task_id}/claim", "a2")
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "task.claimed_by_other"
    assert taken.json()["error"]["message"] == "该任务已被王敏领取"
    meddling = wf.post(f"/api/v1/tasks/{task_id}/decision", "a2", {"action": "approve"})
    assert meddling.status_code == 409
    assert wf.post(f"/api/v1/tasks/{task_id}/release", "a2").status_code == 409

    # Released, it is claimable again; a2 takes it.
    released = wf.post(f"/api/v1/tasks/{task_id}/release", "a1")
    assert released.status_code == 200 and released.json()["claimed_by"] is None
    assert wf.box("a1", "unclaimed")["total"] == 1
    assert wf.post(f"/api/v1/tasks/{task_id}/claim", "a2").status_code == 200
    assert wf.box("a2", "todo")["counts"]["todo"] == 1

    answer = wf.post(f"/api/v1/tasks/{task_id}/decision", "a2",
                     {"action": "approve", "opinion": "同意"})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["outcome"] == "approved" and result["final"] is True
    assert result["next_task_id"] is None

    [event] = wf.decided_events()
    data = event.data
    process_id = result["process_id"]
    assert event.subject == f"process:{process_id}"
    assert event.actor["account_id"] == 102
    assert data == {
        "process_id": process_id, "kind": "binding", "subject_service": "identity",
        "subject_type": "binding", "subject_id": 12, "step_index": 0, "unit_id": UNIT_A,
        "action": "approve", "opinion": "同意", "outcome": "approved", "final": True,
        "decided_at": data["decided_at"], "decided_by": {"account_id": 102, "name": "李强"},
    }
    decided_at = dt.datetime.fromisoformat(data["decided_at"])
    assert abs((dt.datetime.now(dt.UTC) - decided_at).total_seconds()) < 60
    # The relay publishes it on the broker, in the envelope subscribers read.
    [published] = wf.received(listener)
    assert dt.datetime.fromisoformat(published.pop("occurred_at")) == event.occurred_at
    assert published.pop("position") >= 1  # its place in the replay feed (docs/events.md)
    assert published == {
        "event_id": str(event.event_id), "type": "review_decided", "version": 1,
        "source": "workflow", "subject": f"process:{process_id}", "actor": event.actor,
        "data": data}

    history = wf.get(f"/api/v1/processes/{process_id}/history", "p1")
    assert history.status_code == 200, history.text
    body = history.json()
    assert (body["status"], body["status_label"]) == ("approved", "审核通过")
    assert body["current_task"] is None and body["ended_at"] == data["decided_at"]
    assert [(e["action_label"], e["unit_name"], e["account_name"], e["opinion"])
            for e in body["entries"]] == [
        ("提交", "合肥市第一中学", "孙迪", None),
        ("通过", "合肥市第一中学", "李强", "同意"),
    ]
    assert body["entries"][1]["at"] == data["decided_at"]

    # The boxes after the decision.
    assert wf.box("a2", "done_by_me")["items"][0]["status_label"] == "通过"
    assert wf.box("a2", "todo")["total"] == 0
    assert wf.box("a1", "done_by_me")["total"] == 0
    done = wf.box("a1", "done")
    assert done["total"] == 1
    assert done["items"][0]["decided_by"] == {"account_id": 102, "name": "李强"}
    assert done["counts"] == {"todo": 0, "unclaimed": 0, "done_by_me": 0, "done": 1}
    # Decided: no more claims or decisions.
    again = wf.post(f"/api/v1/tasks/{task_id}/decision", "a2", {"action": "approve"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "task.decided"
    assert wf.post(f"/api/v1/tasks/{task_id}/claim", "a1").status_code == 409
    assert len(wf.decided_events()) == 1


def test_two_step_chain_forwards_to_the_next_unit(wf):
    process_id, task_a = wf.request_review(binding_request(5, chain=two_step_chain()))

    # Deciding an unclaimed task claims it implicitly.
    forwarded = wf.post(f"/api/v1/tasks/{task_a}/decision", "a1", {"action": "approve"})
    assert forwarded.status_code == 200, forwarded.text
    result = forwarded.json()
    assert (result["outcome"], result["final"]) == ("forwarded", False)
    assert (result["next_unit_id"], result["next_unit_name"]) == (UNIT_B, "合肥市教育局")
    task_b = result["next_task_id"]
    [event] = wf.decided_events(process_id)
    assert (event.data["outcome"], event.data["final"], event.data["step_index"],
            event.data["unit_id"], event.data["opinion"]) == ("forwarded", False, 0, UNIT_A,
                                                                None)
    mine = wf.box("a1", "done_by_me")["items"][0]
    assert mine["claimed_by"]["account_id"] == 101 and mine["outcome"] == "forwarded"

    [item] = wf.box("b1", "unclaimed")["items"]
    assert item["id"] == task_b and item["step_index"] == 1 and item["step_count"] == 2
    assert item["step_label"] == "主管部门审核" and item["unit_name"] == "合肥市教育局"
    # Unit A's admins cannot see or touch unit B's task; B's admin cannot touch A's.
    assert wf.get(f"/api/v1/tasks/{task_b}", "a1").status_code == 404
    assert wf.post(f"/api/v1/tasks/{task_b}/claim", "a2").status_code == 404
    assert wf.get(f"/api/v1/tasks/{task_a}", "b1").status_code == 404
    assert wf.get(f"/api/v1/tasks/{task_a}", "a2").json()["status_label"] == "通过"

    view = wf.get(f"/api/v1/processes/{process_id}/history", "b1").json()
    assert view["current_task"]["unit_name"] == "合肥市教育局"
    assert view["current_task"]["status_label"] == "待领取"
    assert view["current_step"] == 1

    approved = wf.post(f"/api/v1/tasks/{task_b}/decision", "b1",
                       {"action": "approve", "opinion": "同意推荐"})
    assert approved.json()["outcome"] == "approved" and approved.json()["final"] is True
    events = wf.decided_events(process_id)
    assert [(e.data["step_index"], e.data["unit_id"], e.data["outcome"]) for e in events] == [
        (0, UNIT_A, "forwarded"), (1, UNIT_B, "approved")]
    view = wf.get(f"/api/v1/processes/{process_id}/history", "a1").json()
    assert [(e["step_index"], e["unit_name"], e["action"], e["account_name"])
            for e in view["entries"]] == [
        (None, "合肥市第一中学", "submit", "孙迪"),
        (0, "合肥市第一中学", "approve", "王敏"),
        (1, "合肥市教育局", "approve", "赵刚"),
    ]
    assert [s["step_label"] for s in view["steps"]] == ["单位审核", "主管部门审核"]


def test_return_needs_an_opinion_and_ends_the_process(wf):
    data = binding_request(7, chain=two_step_chain())
    process_id, task_id = wf.request_review(data)

    for body in ({"action": "return"}, {"action": "return", "opinion": "   "}):
        refused = wf.post(f"/api/v1/tasks/{task_id}/decision", "a1", body)
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "task.opinion_required"
        assert error["message"] == "退回时请填写审核意见"
        assert "opinion" in error["details"]["fields"]
    # Nothing changed: still unclaimed and open, no event, only the submission.
    assert wf.box("a1", "unclaimed")["total"] == 1
    assert wf.decided_events() == []
    assert wf.scalar("SELECT count(*) FROM workflow.history_entries") == 1

    bad = wf.post(f"/api/v1/tasks/{task_id}/decision", "a1", {"action": "pass"})
    assert bad.status_code == 422 and "action" in bad.json()["error"]["details"]["fields"]
    reject = wf.post(f"/api/v1/tasks/{task_id}/decision", "a1",
                     {"action": "reject", "opinion": "不符合条件"})
    assert reject.status_code == 422
    assert reject.json()["error"]["message"] == "只有职称申报可以审核不通过"

    returned = wf.post(f"/api/v1/tasks/{task_id}/decision", "a1",
                       {"action": "return", "opinion": "工作单位填写有误，请修改后重新提交"})
    assert returned.status_code == 200
    assert (returned.json()["outcome"], returned.json()["final"]) == ("returned", True)
    # Straight back to the applicant: no task for the next unit.
    assert wf.box("b1", "unclaimed")["total"] == 0
    [event] = wf.decided_events(process_id)
    assert event.data["action"] == "return" and event.data["outcome"] == "returned"
    assert event.data["opinion"] == "工作单位填写有误，请修改后重新提交"

    # The person resubmits: a new process climbs the chain again from the first unit,
    # and the subject's history spans both.
    wf.publish(data)
    new_process_id, new_task = wf.wait_process(data, count=2)
    assert new_process_id != process_id
    assert wf.box("a1", "unclaimed")["items"][0]["id"] == new_task
    with ServiceRpcProxy("workflow", wf.config) as workflow:
        entries = workflow.history("identity", "binding", 7)
    assert [(e["process_id"], e["action"], e["opinion"]) for e in entries] == [
        (process_id, "submit", None),
        (process_id, "return", "工作单位填写有误，请修改后重新提交"),
        (new_process_id, "submit", None),
    ]
    assert set(entries[0]) >= {"process_id", "step_index", "unit_id", "unit_name",
                               "account_id", "account_name", "action", "opinion", "at"}


def test_terminate_ends_the_process(wf):
    process_id, task_id = wf.request_review(binding_request(8, chain=two_step_chain()))
    answer = wf.post(f"/api/v1/tasks/{task_id}/decision", "a1", {"action": "terminate"})
    assert answer.status_code == 200
    assert (answer.json()["outcome"], answer.json()["final"]) == ("terminated", True)
    view = wf.get(f"/api/v1/processes/{process_id}/history", "a1").json()
    assert view["status_label"] == "终止" and view["entries"][-1]["action_label"] == "终止"
    assert wf.box("b1", "unclaimed")["total"] == 0


def test_only_unit_admins_of_the_tasks_unit_reach_it(wf):
    process_id, task_id = wf.request_review(binding_request(9))

    assert wf.http.get("/api/v1/tasks").status_code == 401
    person = wf.get("/api/v1/tasks", "p1")
    assert person.status_code == 403
    assert person.json()["error"]["message"] == "没有权限执行此操作"
    assert wf.post(f"/api/v1/tasks/{task_id}/claim", "op").status_code == 403

    for call in (lambda: wf.get(f"/api/v1/tasks/{task_id}", "b1"),
                 lambda: wf.post(f"/api/v1/tasks/{task_id}/claim", "b1"),
                 lambda: wf.post(f"/api/v1/tasks/{task_id}/release", "b1"),
                 lambda: wf.post(f"/api/v1/tasks/{task_id}/decision", "b1",
                                 {"action": "approve"}),
                 lambda: wf.get("/api/v1/tasks/999999", "a1")):
        answer = call()
        assert answer.status_code == 404
        assert answer.json()["error"] == {"code": "task.not_found", "message": "任务不存在",
                                          "details": {}}
    assert wf.box("a1", "unclaimed")["total"] == 1 and wf.decided_events() == []

    # History: the applicant and the chain's admins; not another person or unit.
    assert wf.get(f"/api/v1/processes/{process_id}/history", "p1").status_code == 200
    assert wf.get(f"/api/v1/processes/{process_id}/history", "a2").status_code == 200
    for token in ("p2", "b1", "op"):
        answer = wf.get(f"/api/v1/processes/{process_id}/history", token)
        assert answer.status_code == 404, token
        assert answer.json()["error"]["code"] == "process.not_found"


def test_concurrent_decisions_exactly_one_wins(wf):
    """Two admins decide the same task at the same moment, again and again: one 200,
    one 409, one history entry and one event per task."""
    import requests

    rounds = 15
    for subject_id in range(1, rounds + 1):
        wf.publish(binding_request(100 + subject_id, person_id=1000 + subject_id,
                                   name=f"申报人{subject_id}"))
    wait_for(lambda: wf.scalar("SELECT count(*) FROM workflow.tasks") == rounds)
    tasks = [r.id for r in wf.rows("SELECT id FROM workflow.tasks ORDER BY id")]
    base = wf.http.request("GET", "/healthz").url.rsplit("/healthz", 1)[0]

    def decide(token, task_id, body, statuses):
        with requests.Session() as session:
            answer = session.post(f"{base}/api/v1/tasks/{task_id}/decision", json=body,
                                  headers=auth(token))
        statuses.append((token, answer.status_code, answer.json()))

    for task_id in tasks:
        statuses = []
        pool = eventlet.GreenPool()
        pool.spawn(decide, "a1", task_id, {"action": "approve"}, statuses)
        pool.spawn(decide, "a2", task_id, {"action": "return", "opinion": "材料不全"},
                   statuses)
        pool.waitall()
        codes = sorted(code for _, code, _ in statuses)
        assert codes == [200, 409], statuses
        winner = next(token for token, code, _ in statuses if code == 200)
        loser_error = next(body for _, code, body in statuses if code == 409)["error"]
        assert loser_error["code"] in ("task.decided", "task.claimed_by_other")
        decisions = wf.rows("SELECT h.account_id, h.action FROM workflow.history_entries h "
                            "JOIN workflow.tasks t ON t.process_id = h.process_id "
                            "WHERE t.id = :t AND h.action <> 'submit'", t=task_id)
        assert len(decisions) == 1
        assert decisions[0].account_id == {"a1": 101, "a2": 102}[winner]
        events = wf.rows("SELECT o.data FROM workflow.outbox o JOIN workflow.tasks t "
                         "ON o.subject = 'process:' || t.process_id WHERE t.id = :t",
                         t=task_id)
        assert len(events) == 1
        assert events[0].data["decided_by"]["account_id"] == decisions[0].account_id
    assert wf.scalar("SELECT count(*) FROM workflow.tasks WHERE state = 'open'") == 0


def test_batch_decisions_answer_each_task(wf):
    ids = []
    for subject_id in (21, 22, 23):
        ids.append(wf.request_review(binding_request(subject_id, person_id=subject_id,
                                                     name=f"人员{subject_id}"))[1])
    _, decided = wf.request_review(binding_request(24, person_id=24, name="人员24"))
    assert wf.post(f"/api/v1/tasks/{decided}/decision", "a1",
                   {"action": "terminate"}).status_code == 200
    _, claimed_by_a2 = wf.request_review(binding_request(25, person_id=25, name="人员25"))
    assert wf.post(f"/api/v1/tasks/{claimed_by_a2}/claim", "a2").status_code == 200
    _, other_unit = wf.request_review(binding_request(26, person_id=26, name="人员26",
                                                      unit_id=UNIT_C))

    # Return without an opinion: the whole batch is refused, nothing changes.
    refused = wf.post("/api/v1/tasks/decisions", "a1",
                      {"task_ids": ids, "action": "return"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "task.opinion_required"
    duplicate = wf.post("/api/v1/tasks/decisions", "a1",
                        {"task_ids": [ids[0], ids[0]], "action": "approve"})
    assert duplicate.status_code == 422
    assert wf.box("a1", "unclaimed")["total"] == 3

    answer = wf.post("/api/v1/tasks/decisions", "a1", {
        "task_ids": ids + [decided, claimed_by_a2, other_unit], "action": "approve",
        "opinion": "同意"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["succeeded"], body["failed"]) == (3, 3)
    by_task = {r["task_id"]: r for r in body["results"]}
    assert [r["task_id"] for r in body["results"]] == ids + [decided, claimed_by_a2,
                                                             other_unit]
    for task_id in ids:
        assert by_task[task_id]["ok"] is True
        assert by_task[task_id]["result"]["outcome"] == "approved"
    assert by_task[decided]["error"]["code"] == "task.decided"
    assert by_task[claimed_by_a2]["error"]["code"] == "task.claimed_by_other"
    assert by_task[other_unit]["error"]["code"] == "task.not_found"
    assert not any(by_task[t]["ok"] for t in (decided, claimed_by_a2, other_unit))

    assert wf.box("a1", "done_by_me")["total"] == 4  # three approved + the terminated
    assert wf.box("a1", "unclaimed")["total"] == 0
    assert wf.box("a2", "todo")["total"] == 1
    assert wf.box("c1", "unclaimed")["total"] == 1
    assert len(wf.decided_events()) == 4


def record_request(subject_id):
    return {
        "kind": "record", "subject_service": "achievements", "subject_type": "record",
        "subject_id": subject_id, "title": f"工作经历·{subject_id}",
        "applicant_person_id": 77, "applicant_name": "孙迪", "applicant_unit_id": UNIT_A,
        "chain": [{"unit_id": UNIT_A, "unit_name": UNIT_NAMES[UNIT_A]}],
        "summary": {"record_id": subject_id},
    }


def test_a_batch_of_record_reviews_is_written_together(wf):
    """A batch of record decisions: refused tasks in the middle change nothing, the others
    are decided with one event each at consecutive feed positions, and the batch is
    written in the same number of statements whatever its size."""
    tasks = [wf.request_review(record_request(700 + n), source="achievements")[1]
             for n in range(12)]
    claimed, decided = tasks[4], tasks[7]
    assert wf.post(f"/api/v1/tasks/{claimed}/claim", "a2").status_code == 200
    assert wf.post(f"/api/v1/tasks/{decided}/decision", "a1",
                   {"action": "return", "opinion": "材料不全"}).status_code == 200
    touched = ("workflow.tasks", "workflow.processes", "workflow.history_entries",
               "workflow.outbox", "SAVEPOINT")

    def counted(statement):
        return any(name in statement for name in touched) and "SELECT workflow.outbox" \
            not in statement and not statement.startswith("UPDATE workflow.outbox")

    def batch(ids):
        with sql_statements(counted) as statements:
            answer = wf.post("/api/v1/tasks/decisions", "a1", {
                "task_ids": ids, "action": "approve", "opinion": "同意"})
        assert answer.status_code == 200, answer.text
        return answer.json(), statements

    small, small_statements = batch(tasks[:3])
    large, large_statements = batch(tasks[3:])
    assert (small["succeeded"], small["failed"]) == (3, 0)
    assert (large["succeeded"], large["failed"]) == (7, 2)
    refused = {r["task_id"]: r["error"]["code"] for r in large["results"] if not r["ok"]}
    assert refused == {claimed: "task.claimed_by_other", decided: "task.decided"}
    assert len(large_statements) == len(small_statements), large_statements

    approved = [t for t in tasks if t not in (claimed, decided)]
    rows = wf.rows("SELECT t.id, t.state, t.outcome, t.decided_by_account_id, o.feed_position "
                   "FROM workflow.tasks t JOIN workflow.outbox o "
                   "ON o.subject = 'process:' || t.process_id AND o.type = 'review_decided' "
                   "WHERE t.id = ANY(:ids) ORDER BY t.id", ids=approved)
    assert [(r.id, r.state, r.outcome, r.decided_by_account_id) for r in rows] == [
        (t, "decided", "approved", 101) for t in approved]
    positions = [r.feed_position for r in rows]
    assert positions == list(range(positions[0], positions[0] + len(approved)))
    assert wf.scalar("SELECT state FROM workflow.tasks WHERE id = :t", t=claimed) == "open"
    assert wf.scalar("SELECT count(*) FROM workflow.history_entries h JOIN workflow.tasks t "
                     "ON t.process_id = h.process_id WHERE t.id = :t AND h.action <> 'submit'",
                     t=claimed) == 0
    assert len(wf.decided_events()) == len(approved) + 1  # and the earlier return


def test_boxes_filter_by_kind_search_by_name_and_paginate(wf):
    for subject_id, name in ((31, "张三"), (32, "李四"), (33, "王五")):
        wf.request_review(binding_request(subject_id, person_id=subject_id, name=name))
    record = {
        "kind": "record", "subject_service": "achievements", "subject_type": "record",
        "subject_id": 501, "title": "继续教育：党的二十大精神（2021）",
        "applicant_person_id": 31, "applicant_name": "张三", "applicant_unit_id": UNIT_A,
        "chain": [{"unit_id": UNIT_A, "unit_name": UNIT_NAMES[UNIT_A]}],
        "summary": {"record_type": "继续教育", "hours": 500},
    }
    wf.request_review(record, source="achievements")

    everything = wf.box("a1", "unclaimed", page_size=2)
    assert everything["total"] == 4 and len(everything["items"]) == 2
    second = wf.box("a1", "unclaimed", page_size=2, page=2)
    assert len(second["items"]) == 2
    assert {i["id"] for i in everything["items"]}.isdisjoint(i["id"] for i in second["items"])

    records = wf.box("a1", "unclaimed", kind="record")
    assert records["total"] == 1 and records["counts"]["unclaimed"] == 1
    assert records["items"][0]["kind_label"] == "业绩审核"
    assert records["items"][0]["applicant_name"] == "张三"
    bindings = wf.box("a1", "unclaimed", kind="binding")
    assert bindings["total"] == 3

    by_name = wf.box("a1", "unclaimed", q="张三")
    assert by_name["total"] == 2
    by_title = wf.box("a1", "unclaimed", q="二十大")
    assert [i["kind"] for i in by_title["items"]] == ["record"]
    assert wf.box("a1", "unclaimed", q="%")["total"] == 0

    wrong = wf.get("/api/v1/tasks", "a1", params={"box": "trash"})
    assert wrong.status_code == 422 and "box" in wrong.json()["error"]["details"]["fields"]
    wrong = wf.get("/api/v1/tasks", "a1", params={"kind": "holiday"})
    assert wrong.status_code == 422


def test_redelivered_or_repeated_requests_start_one_process(wf):
    data = binding_request(41)
    envelope = wf.publish(data)
    wf.wait_process(data)
    for _ in range(3):  # the same event again (a redelivery)
        wf.publish(data, envelope=envelope)
    wf.publish(data)  # a new event for the subject while its review is open
    wait_for(lambda: wf.scalar("SELECT count(*) FROM workflow.processed_events") == 2)
    eventlet.sleep(0.5)
    assert wf.scalar("SELECT count(*) FROM workflow.processes") == 1
    assert wf.scalar("SELECT count(*) FROM workflow.tasks") == 1
    assert wf.scalar("SELECT count(*) FROM workflow.history_entries") == 1
    assert wf.box("a1", "unclaimed")["total"] == 1


def test_requests_that_break_the_contract_are_parked(wf):
    # identity may not ask for a review of another service's subject
    wf.publish({**binding_request(51), "subject_service": "achievements"})
    wf.publish({**binding_request(52), "chain": []})
    wf.publish({**binding_request(53), "kind": "holiday"})
    rows = wait_for(lambda: (lambda rs: rs if len(rs) == 3 else None)(
        wf.rows("SELECT status, last_error FROM workflow.failed_events")))
    assert all(r.status == "dead" for r in rows)
    assert any("review.subject_service_mismatch" in r.last_error for r in rows)
    assert wf.scalar("SELECT count(*) FROM workflow.processes") == 0


def test_can_unit_review_and_history_rpc(wf):
    process_id, task_a = wf.request_review(binding_request(61, chain=two_step_chain()))
    with ServiceRpcProxy("workflow", wf.config) as workflow:
        assert workflow.can_unit_review(UNIT_A, 77) is True
        assert workflow.can_unit_review(UNIT_B, 77) is False  # not reached yet
        assert workflow.can_unit_review(UNIT_A, 78) is False
    wf.post(f"/api/v1/tasks/{task_a}/decision", "a1", {"action": "approve"})
    with ServiceRpcProxy("workflow", wf.config) as workflow:
        assert workflow.can_unit_review(UNIT_B, 77) is True
        assert workflow.can_unit_review(UNIT_C, 77) is False
        assert workflow.history("identity", "binding", 999) == []
        assert [e["action"] for e in workflow.history("identity", "binding", "61")] == [
            "submit", "approve"]

    # A user behind the calling service sees only what they may see.
    from services.common.principal import Principal
    from services.common.testing import signed

    from .support import PRINCIPALS

    def as_user(token):
        principal = Principal(**{**PRINCIPALS[token],
                                 "roles": tuple(PRINCIPALS[token]["roles"])})
        return ServiceRpcProxy("workflow", wf.config, context_data=signed(principal))

    with as_user("p1") as workflow:
        assert len(workflow.history("identity", "binding", 61)) == 2
    with as_user("b1") as workflow:
        assert len(workflow.history("identity", "binding", 61)) == 2
    with as_user("p2") as workflow:
        try:
            workflow.history("identity", "binding", 61)
        except Forbidden as exc:
            assert exc.code == "process.forbidden"
        else:
            raise AssertionError("p2 read another person's history")


def test_openapi_describes_the_task_routes(wf):
    spec = wf.http.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path, method in (("/api/v1/tasks", "get"), ("/api/v1/tasks/{id}", "get"),
                         ("/api/v1/tasks/{id}/claim", "post"),
                         ("/api/v1/tasks/{id}/release", "post"),
                         ("/api/v1/tasks/{id}/decision", "post"),
                         ("/api/v1/tasks/decisions", "post"),
                         ("/api/v1/processes/{id}/history", "get")):
        operation = paths[path][method]
        assert operation["tags"] == ["任务中心"]
        assert "200" in operation["responses"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    decision = paths["/api/v1/tasks/{id}/decision"]["post"]
    assert {"404", "409", "422"} <= set(decision["responses"])
    assert "requestBody" in decision
    listing = paths["/api/v1/tasks"]["get"]
    assert any(p["in"] == "query" for p in listing["parameters"])
    assert {"TaskPage", "TaskItem", "ProcessHistory"} <= set(spec["components"]["schemas"])


def test_a_revoked_approval_is_in_the_revokers_todo(wf):
    """issue 16.6, Anhui FAQ 003 (单位常见问题 1): after 撤销审核 the new task is in the
    revoking admin's 待处理, not in the unit's 待领取; an ordinary request is unclaimed."""
    record = {
        "kind": "record", "subject_service": "achievements", "subject_type": "record",
        "subject_id": 601, "title": "工作经历·宏景软件公司",
        "applicant_person_id": 77, "applicant_name": "孙迪", "applicant_unit_id": UNIT_A,
        "chain": [{"unit_id": UNIT_A, "unit_name": UNIT_NAMES[UNIT_A]}],
        "summary": {"record_id": 601, "note": "单位撤销审核，重新审核", "revoked": True},
    }
    wf.publish(record, source="achievements", actor={
        "account_id": 102, "unit_id": UNIT_A, "person_id": None, "name": "李强"})
    _, task_id = wf.wait_process(record)
    assert [t["id"] for t in wf.box("a2", "todo")["items"]] == [task_id]
    assert wf.box("a1", "unclaimed")["total"] == 0
    assert wf.box("a1", "todo")["total"] == 0

    ordinary = {**record, "subject_id": 602, "summary": {"record_id": 602}}
    wf.publish(ordinary, source="achievements")
    _, other = wf.wait_process(ordinary)
    assert [t["id"] for t in wf.box("a1", "unclaimed")["items"]] == [other]
