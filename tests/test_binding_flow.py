"""Issue 3 end to end: every service real, everything through the gateway's HTTP API."""
import eventlet
import pytest

from services.common.testing import wait_for
from tests.support import Api


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


def test_unit_registers_hr_approves_person_binds_admin_approves(api):
    op = api.operator()
    hr = api.create_unit(op, "hr", "合肥市人力资源和社会保障局")

    # A unit registers; it waits for its region's HR department in the task center.
    unit = api.register_unit("合肥宏景软件有限公司")
    assert unit["status"] == "pending"
    refused = api.call("POST", "/api/v1/auth/login",
                       json={"username": unit["form"]["admin"]["username"],
                             "password": unit["form"]["admin"]["password"]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.unit_pending"
    api.approve_unit_registration(unit, hr["admin_token"])
    me = api.call("GET", "/api/v1/auth/me", unit["admin_token"], expect=200).json()
    assert me["unit"]["unit_id"] == unit["unit_id"]

    # A person registers and asks to bind; the task shows in the unit's 待领取.
    person = api.register_person(real_name="吴康金")
    api.call("POST", "/api/v1/me/bindings", person["token"], expect=201,
             json={"unit_id": unit["unit_id"], "note": "本人为该单位在职职工"})
    admin = unit["admin_token"]
    task = api.wait_task(admin, "吴康金")
    assert task["kind"] == "binding"

    # 领取 moves it to 待处理; approval binds the person.
    api.call("POST", f"/api/v1/tasks/{task['id']}/claim", admin, expect=200)
    assert [t["id"] for t in api.tasks(admin, "todo")["items"]] == [task["id"]]
    assert api.tasks(admin, "unclaimed")["total"] == 0
    decided = api.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin, expect=200,
                       json={"action": "approve", "opinion": "情况属实，同意"}).json()
    assert decided["outcome"] == "approved"

    profile = wait_for(lambda: (lambda p: p if p["binding_status"] == "approved" else None)(
        api.call("GET", "/api/v1/me/profile", person["token"], expect=200).json()))
    assert profile["unit"]["unit_id"] == unit["unit_id"]
    assert profile["unit"]["name"] == "合肥宏景软件有限公司"
    assert profile["bindings"][0]["status"] == "approved"

    # The history (流程) shows who submitted, and who approved when, with the opinion.
    history = api.call("GET", f"/api/v1/processes/{task['process_id']}/history", admin,
                       expect=200).json()
    entries = history["entries"] if isinstance(history, dict) else history
    actions = [(e["action"], e.get("unit_name"), e.get("account_name"), e.get("opinion"))
               for e in entries]
    assert actions[0][0] == "submit"
    assert actions[-1][0] == "approve"
    assert actions[-1][1] == "合肥宏景软件有限公司" and actions[-1][3] == "情况属实，同意"
    assert actions[-1][2] == "王五" and entries[-1]["at"]
    # The person can read the history of their own request too; the unit's done boxes count it.
    api.call("GET", f"/api/v1/processes/{task['process_id']}/history", person["token"],
             expect=200)
    assert api.tasks(admin, "done_by_me")["total"] == 1


def test_other_units_admin_sees_nothing_of_the_task_nor_the_person(api):
    op = api.operator()
    hr = api.create_unit(op, "hr", "合肥市人力资源和社会保障局")
    unit_a = api.create_unit(hr["admin_token"], "employer", "甲单位")
    unit_b = api.create_unit(hr["admin_token"], "employer", "乙单位")
    person = api.register_person(real_name="张甲")
    other = api.register_person(real_name="李乙")
    api.call("POST", "/api/v1/me/bindings", person["token"], expect=201,
             json={"unit_id": unit_a["unit_id"]})
    task = api.wait_task(unit_a["admin_token"], "张甲")

    b = unit_b["admin_token"]
    assert api.tasks(b, "unclaimed")["total"] == 0
    assert api.call("GET", f"/api/v1/tasks/{task['id']}", b).status_code == 404
    assert api.call("POST", f"/api/v1/tasks/{task['id']}/claim", b).status_code == 404
    assert api.call("POST", f"/api/v1/tasks/{task['id']}/decision", b,
                    json={"action": "approve"}).status_code == 404
    assert api.call("GET", f"/api/v1/persons/{person['person_id']}", b).status_code in (403, 404)
    assert api.call("GET", f"/api/v1/units/{unit_a['unit_id']}/users", b).status_code in (403, 404)
    # A person cannot read another person.
    assert api.call("GET", f"/api/v1/persons/{person['person_id']}",
                    other["token"]).status_code in (403, 404)
    # The task is untouched.
    assert api.tasks(unit_a["admin_token"], "unclaimed")["total"] == 1


def test_two_admins_deciding_one_binding_at_once_one_wins(api):
    op = api.operator()
    hr = api.create_unit(op, "hr", "合肥市人力资源和社会保障局")
    unit = api.create_unit(hr["admin_token"], "employer", "丙单位")
    second = api.call("POST", f"/api/v1/units/{unit['unit_id']}/users", unit["admin_token"],
                      expect=201, json={"username": "bing_admin2", "password": "Passw0rd!",
                                        "name": "第二管理员"}).json()
    admins = [unit["admin_token"], api.login("bing_admin2")]
    assert second["role"] == "unit_admin"
    person = api.register_person(real_name="赵丙")
    api.call("POST", "/api/v1/me/bindings", person["token"], expect=201,
             json={"unit_id": unit["unit_id"]})
    task = api.wait_task(admins[0], "赵丙")

    answers = [eventlet.spawn(api.call, "POST", f"/api/v1/tasks/{task['id']}/decision", token,
                              json={"action": "approve", "opinion": "同意"})
               for token in admins]
    codes = sorted(a.wait().status_code for a in answers)
    assert codes == [200, 409]
    assert api.scalar("SELECT count(*) FROM workflow.history_entries h JOIN workflow.tasks t"
                      " ON t.process_id = h.process_id WHERE t.id = :t AND h.action = 'approve'",
                      t=task["id"]) == 1
    assert api.scalar("SELECT count(*) FROM workflow.outbox WHERE type = 'review_decided'") == 1
    wait_for(lambda: api.call("GET", "/api/v1/me/profile", person["token"]).json()
             ["binding_status"] == "approved")
    assert api.scalar("SELECT count(*) FROM identity.processed_events"
                      " WHERE type = 'review_decided' AND handler = 'review_decided'") == 1
