"""变更单位 in the review engine (issue 16.10): when the new unit approves the binding, the
person's record reviews still open at the old unit end, and the records come back with a
notice (review_decided, outcome returned, decided by 系统); a record review asked at the
old unit after the move (achievements had not heard of it yet) is returned the same way."""
from .support import UNIT_A, UNIT_B, UNIT_NAMES, binding_request, wait_for

NOTICE = ("您已变更工作单位为“合肥市教育局”，原单位“合肥市第一中学”的审核已取消，"
          "请核对后重新提交至新单位审核")


def record_request(record_id, person_id=77, name="孙迪", unit_id=UNIT_A):
    return {
        "kind": "record", "subject_service": "achievements", "subject_type": "record",
        "subject_id": record_id, "title": f"工作经历·记录{record_id}",
        "applicant_person_id": person_id, "applicant_name": name,
        "applicant_unit_id": unit_id,
        "chain": [{"unit_id": unit_id, "unit_name": UNIT_NAMES[unit_id]}],
        "summary": {"record_id": record_id},
    }


def approve(wf, token, task_id):
    answer = wf.post(f"/api/v1/tasks/{task_id}/decision", token, {"action": "approve"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def returned_with_notice(wf, process_id):
    [event] = wait_for(lambda: wf.decided_events(process_id) or None)
    assert (event.data["action"], event.data["outcome"], event.data["final"]) == (
        "return", "returned", True)
    assert event.data["opinion"] == NOTICE
    assert event.data["decided_by"] == {"account_id": None, "name": "系统"}
    assert event.data["unit_id"] == UNIT_A
    return event


def test_the_new_units_approval_returns_open_record_reviews_at_the_old_unit(wf):
    _, first_binding = wf.request_review(binding_request(12, unit_id=UNIT_A))
    approve(wf, "a1", first_binding)
    pending_id, pending_task = wf.request_review(record_request(501), source="achievements")
    other_id, other_task = wf.request_review(record_request(502, person_id=78, name="秦程"),
                                             source="achievements")

    # 变更单位 to UNIT_B; UNIT_B approves.
    _, move = wf.request_review(binding_request(13, unit_id=UNIT_B, applicant_unit_id=UNIT_A))
    approve(wf, "b1", move)

    event = returned_with_notice(wf, pending_id)
    assert event.data["subject_id"] == 501 and event.data["unit_id"] == UNIT_A
    assert [i["id"] for i in wf.box("a1", "unclaimed", kind="record")["items"]] == [other_task]
    refused = wf.post(f"/api/v1/tasks/{pending_task}/decision", "a1", {"action": "approve"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "task.cancelled"
    detail = wf.get(f"/api/v1/tasks/{pending_task}", "a1").json()
    assert (detail["status_label"], detail["process_status_label"]) == ("已取消", "退回")
    last = detail["history"][-1]
    assert (last["action_label"], last["account_name"], last["opinion"]) == (
        "取消", "系统", NOTICE)
    # Another person's review at the old unit is untouched.
    assert wf.decided_events(other_id) == []

    # Asked at the old unit after the move (achievements did not know yet): returned too.
    late_id, _ = wf.request_review(record_request(503), source="achievements")
    returned_with_notice(wf, late_id)
    assert [i["id"] for i in wf.box("a1", "unclaimed", kind="record")["items"]] == [other_task]
    # At the new unit it is a review like any other.
    new_id, new_task = wf.request_review(record_request(504, unit_id=UNIT_B),
                                         source="achievements")
    assert [i["id"] for i in wf.box("b1", "unclaimed", kind="record")["items"]] == [new_task]
    assert wf.decided_events(new_id) == []
