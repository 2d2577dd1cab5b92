"""Issue 16.5 and 16.10 end to end (every service real, through the gateway): a pending
applicant deleted by the unit takes their 人员注册审核 with them; task-center items name
their subject and 业绩档案 rows their task; 变更单位 ends the person's open record reviews
at the old unit with a notice, and the new unit reviews what is submitted again."""
import pytest

from services.common.testing import wait_for
from tests.support import Api


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


def units(api, *names):
    hr = api.create_unit(api.operator(), "hr", "合肥市人力资源和社会保障局")
    return [api.create_unit(hr["admin_token"], "employer", name) for name in names]


def test_deleting_a_pending_applicant_ends_their_binding_review(api):
    [unit] = units(api, "合肥宏景软件有限公司")
    admin = unit["admin_token"]
    person = api.register_person(real_name="吴康金")
    api.call("POST", "/api/v1/me/bindings", person["token"], expect=201,
             json={"unit_id": unit["unit_id"], "note": "本人为该单位在职职工"})
    task = api.wait_task(admin, "吴康金")

    api.call("DELETE", f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}",
             admin, expect=204)
    # The review ends with the account: the task leaves 待领取 …
    wait_for(lambda: api.tasks(admin, "unclaimed", kind="binding")["total"] == 0)
    # … and approving it afterwards is refused in words, nothing changes.
    refused = api.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin, expect=409,
                       json={"action": "approve", "opinion": "同意"}).json()["error"]
    assert refused["code"] == "task.cancelled"
    assert refused["message"] == "该审核已取消（人员已被删除），无需再审核"
    assert api.call("POST", f"/api/v1/tasks/{task['id']}/claim", admin,
                    expect=409).json()["error"]["code"] == "task.cancelled"
    detail = api.call("GET", f"/api/v1/tasks/{task['id']}", admin, expect=200).json()
    assert (detail["status_label"], detail["process_status_label"]) == ("已取消", "已取消")
    cancel = detail["history"][-1]
    assert (cancel["action_label"], cancel["opinion"]) == ("取消", "人员已被删除")
    assert cancel["account_name"] == "合肥宏景软件有限公司管理员"
    assert api.scalar("SELECT count(*) FROM workflow.outbox WHERE type = 'review_decided'") == 0
    assert api.scalar("SELECT status FROM identity.binding_requests WHERE person_id = :p",
                      p=person["person_id"]) == "cancelled"


def submit_record(api, person, name):
    return api.call("POST", "/api/v1/records", person["token"], expect=201, json={
        "type": "work_history", "submit": True,
        "fields": {"unit_name": name, "start_date": "2012-08-01", "end_date": "2018-07-31",
                   "specialty": "中学语文", "position": "语文教师"}}).json()


def archive_row(api, admin, record_id):
    page = api.call("GET", "/api/v1/unit/records", admin, expect=200,
                    params={"status": "submitted"}).json()
    return next((row for row in page["items"] if row["id"] == record_id), None)


def test_rows_carry_their_task_and_a_unit_change_returns_pending_records(api):
    old, new = units(api, "合肥市第一中学", "合肥市第八中学")
    person = api.bind(api.register_person(real_name="秦程"), old, old["admin_token"])
    first = submit_record(api, person, "合肥市第一中学")
    second = submit_record(api, person, "合肥一六八中学")

    # 业绩档案 rows carry the unit's open task; task items carry their subject.
    row = wait_for(lambda: (lambda r: r if r and r["task_id"] else None)(
        archive_row(api, old["admin_token"], first["id"])))
    task = api.call("GET", f"/api/v1/tasks/{row['task_id']}", old["admin_token"],
                    expect=200).json()
    assert (task["subject_service"], task["subject_type"], str(task["subject_id"])) == (
        "achievements", "record", str(first["id"]))
    assert row["process_id"] == task["process_id"] and row["task_claimed_by"] is None
    items = wait_for(lambda: (lambda page: page if page["total"] == 2 else None)(
        api.tasks(old["admin_token"], "unclaimed", kind="record")))["items"]
    assert {(i["subject_type"], str(i["subject_id"])) for i in items} == {
        ("record", str(first["id"])), ("record", str(second["id"]))}
    # 批量审核 straight from the rows: the second record is approved.
    other = wait_for(lambda: archive_row(api, old["admin_token"], second["id"]))
    batch = api.call("POST", "/api/v1/tasks/decisions", old["admin_token"], expect=200,
                     json={"task_ids": [other["task_id"]], "action": "approve"}).json()
    assert batch["succeeded"] == 1
    wait_for(lambda: api.scalar("SELECT status FROM achievements.records WHERE id = :i",
                                i=second["id"]) == "approved")

    # 变更单位: once the new unit approves, the old one no longer decides the first record.
    api.bind(person, new, new["admin_token"], note="已调入第八中学")
    wait_for(lambda: api.scalar("SELECT bound_unit_id FROM identity.persons WHERE id = :p",
                                p=person["person_id"]) == new["unit_id"])
    wait_for(lambda: api.tasks(old["admin_token"], "unclaimed", kind="record")["total"] == 0)
    refused = api.call("POST", f"/api/v1/tasks/{row['task_id']}/decision",
                       old["admin_token"], expect=409,
                       json={"action": "approve"}).json()["error"]
    assert refused["code"] == "task.cancelled"
    notice = ("您已变更工作单位为“合肥市第八中学”，原单位“合肥市第一中学”的审核已取消，"
              "请核对后重新提交至新单位审核")
    back = wait_for(lambda: (lambda r: r if r["status"] == "returned" else None)(
        api.call("GET", f"/api/v1/records/{first['id']}", person["token"], expect=200).json()))
    assert back["opinion"] == notice
    # What the old unit approved while the person was its staff stays approved.
    assert api.scalar("SELECT status FROM achievements.records WHERE id = :i",
                      i=second["id"]) == "approved"

    # Submitted again, the record is the new unit's to review, from its 业绩档案.
    api.call("POST", f"/api/v1/records/{first['id']}/submit", person["token"], expect=200)
    row = wait_for(lambda: (lambda r: r if r and r["task_id"] else None)(
        archive_row(api, new["admin_token"], first["id"])))
    api.call("GET", f"/api/v1/records/{first['id']}", new["admin_token"], expect=200)
    api.call("POST", f"/api/v1/tasks/{row['task_id']}/decision", new["admin_token"],
             expect=200, json={"action": "approve"})
    wait_for(lambda: api.scalar("SELECT status FROM achievements.records WHERE id = :i",
                                i=first["id"]) == "approved")
