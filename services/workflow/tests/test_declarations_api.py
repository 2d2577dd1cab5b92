"""Declarations through the gateway on the real broker and database, with fake identity,
achievements and documents (declaration_support): declaring, filling in, the check,
submission, the review chain level by level, return, 不通过, recall, reviewers' marks
and corrections, who sees what, the events for other systems."""
import datetime as dt

import eventlet

from services.workflow.declarations.logic.plans import today

from .declaration_support import (  # noqa: F401
    EDU,
    HR,
    ORGANISER,
    PERSONAL,
    SCHOOL_A,
    TITLE,
    World,
    dw,
)

CHAIN = [(SCHOOL_A, "employer"), (EDU, "competent"), (HR, "hr"), (ORGANISER, "organiser")]


def failed(check):
    return {r["code"]: r["message"] for r in check["rules"] if not r["passed"]}


# --------------------------------------------------------------------------- the flow

def test_declare_fill_check_submit_and_every_level_approves(dw):
    approvals = dw.subscribe("declaration_approved")
    plan = dw.published_plan()
    World.add_record(1, 77, "annual_assessment", "2023年度考核")
    World.add_record(2, 77, "paper", "利用传统医学经络理论改善视疲劳的临床观察")
    World.add_record(3, 77, "research_project", "省级教研课题")

    created = dw.ok(dw.declare(plan["id"]), 201)
    did = created["id"]
    assert (created["status"], created["status_label"]) == ("draft", "编辑中")
    assert created["pledge_text"].startswith(
        "本人系 合肥市第一中学 专业技术人员，现申报 中学语文-高级教师 专业技术资格。")
    assert created["personal"]["ethnicity"] == "汉族"  # prefilled from the profile
    assert created["person"]["id_number"] == "340104199001010021"  # the owner's own
    assert created["form_label"] == "常规申报" and created["level_label"] == "副高级"
    assert [s["label"] for s in created["stages"]] == [
        "申报", "单位审核", "主管部门", "人社部门", "组建单位", "审核通过"]
    assert created["stages"][0]["state"] == "current"

    # 马上申报 is refused while the declaration exists (Anhui FAQ 8).
    again = dw.error(dw.declare(plan["id"], specialty="中学数学"), 409)
    assert again["message"] == "用户已申报此计划，请从申报记录中进入"
    seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", "p1"))
    assert seen["can_declare"] is False and seen["my_declaration"]["id"] == did
    assert seen["declare_message"] == "用户已申报此计划，请从申报记录中进入"

    # The check lists what is missing; submission is refused meanwhile.
    check = dw.ok(dw.get(f"/api/v1/declarations/{did}/check", "p1"))
    assert check["passed"] is False
    assert failed(check) == {
        "personal": "个人信息未填写：出生地、工作年限、专业年限",
        "titles": "请录入现有职称情况",
        "section:assessment": "年度考核为必填项，请导入",
        "section:papers": "教研科研条件至少需导入 1 项，当前 0 项",
    }
    refused = dw.error(dw.post(f"/api/v1/declarations/{did}/submit", "p1"), 409)
    assert refused["code"] == "declaration.ineligible"
    assert {r["code"] for r in refused["details"]["rules"]} == set(failed(check))
    assert dw.scalar("SELECT count(*) FROM workflow.processes") == 0

    # Filling in: personal information, the existing title, records into the sections.
    dw.ok(dw.patch(f"/api/v1/declarations/{did}/personal", "p1", PERSONAL))
    dw.ok(dw.put(f"/api/v1/declarations/{did}/titles", "p1", {"titles": [TITLE]}))
    assert ((5,), "workflow", "declaration", str(did)) in World.attached
    dw.ok(dw.post(f"/api/v1/declarations/{did}/sections/assessment/items", "p1",
                  {"record_ids": [1]}), 201)
    section = dw.ok(dw.post(f"/api/v1/declarations/{did}/sections/papers/items", "p1",
                            {"record_ids": [2, 3]}), 201)["section"]
    assert [i["record_id"] for i in section["items"]] == [2, 3]
    assert section["hint"] == "导入 1–3 项" and section["count"] == 2
    moved = dw.ok(dw.post(f"/api/v1/declarations/{did}/items/{section['items'][1]['id']}"
                          "/move", "p1", {"direction": "up"}))["section"]
    assert [i["record_id"] for i in moved["items"]] == [3, 2]
    assert World.locked(did) == [1, 2, 3]
    assert dw.ok(dw.get(f"/api/v1/declarations/{did}/check", "p1"))["passed"] is True

    submitted = dw.ok(dw.post(f"/api/v1/declarations/{did}/submit", "p1"))
    assert (submitted["status"], submitted["status_label"]) == ("submitted", "审核中")
    assert [(s["unit_id"], s["unit_kind"]) for s in submitted["chain"]] == CHAIN
    assert [s["step_label"] for s in submitted["chain"]] == [
        "单位审核", "主管部门审核", "人社部门审核", "组建单位审核"]
    assert submitted["current_step_label"] == "单位审核"
    papers = next(s for s in submitted["sections"] if s["code"] == "papers")
    assert all(i["frozen"] for i in papers["items"])
    assert papers["items"][0]["record"]["title"] == "省级教研课题"
    # Records cannot be changed while the declaration is under review.
    assert dw.patch(f"/api/v1/declarations/{did}/personal", "p1",
                    {"health": "良好"}).status_code == 409

    [event] = dw.events("declaration_submitted", did)
    assert event["person"] == {"person_id": 77, "name": "孙迪", "id_type": "resident_id",
                               "id_number": "340104********0021"}
    assert event["plan"]["year"] == today().year and event["unit"]["unit_id"] == SCHOOL_A
    assert (event["series"], event["specialty"], event["title"], event["level"]) == (
        "中小学教师", "中学语文", "高级教师", "deputy_senior")
    assert event["resubmission"] is False and len(event["chain"]) == 4

    # Each level approves through the task center; the declaration climbs.
    for token, label in (("a1", "主管部门审核"), ("edu", "人社部门审核"), ("hr", "组建单位审核")):
        result = dw.decide(token, did)
        assert result["outcome"] == "forwarded"
        assert dw.ok(dw.get(f"/api/v1/declarations/{did}/progress", "p1"))[
            "current_step_label"] == label
    final = dw.decide("org", did)
    assert final["outcome"] == "approved" and final["final"] is True

    done = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))
    assert (done["status"], done["status_label"]) == ("approved", "审核通过")
    progress = dw.ok(dw.get(f"/api/v1/declarations/{did}/progress", "p1"))
    assert [(s["label"], s["state"]) for s in progress["stages"]] == [
        ("申报", "done"), ("单位审核", "done"), ("主管部门", "done"), ("人社部门", "done"),
        ("组建单位", "done"), ("审核通过", "done")]
    history = [e for e in dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))
               if e["kind"] == "review"]
    assert [(e["step_label"], e["action_label"], e["unit_name"]) for e in history] == [
        ("个人申报", "提交", "合肥市第一中学"),
        ("单位审核", "通过", "合肥市第一中学"),
        ("主管部门审核", "通过", "合肥市教育局"),
        ("人社部门审核", "通过", "合肥市人力资源和社会保障局"),
        ("组建单位审核", "通过", "合肥市中小学教师高级职称评审委员会办公室"),
    ]
    assert history[1]["account_name"] == "王敏"

    steps = dw.events("declaration_step_decided", did)
    assert [(e["step_label"], e["outcome"]) for e in steps] == [
        ("单位审核", "forwarded"), ("主管部门审核", "forwarded"), ("人社部门审核", "forwarded"),
        ("组建单位审核", "approved")]
    [message] = dw.received(approvals)
    assert message["type"] == "declaration_approved" and message["source"] == "workflow"
    data = message["data"]
    assert data["declaration_id"] == did and data["status"] == "approved"
    assert data["person"]["id_number"] == "340104********0021"
    assert data["plan"] == {"plan_id": plan["id"], "year": plan["year"], "name": plan["name"],
                            "committee": plan["committee"]}
    assert data["approved_by"]["unit_id"] == ORGANISER
    feed = dw.ok(dw.get("/api/v1/events", "sys", params={
        "source": "workflow", "type": "declaration_approved"}))
    assert [e["data"]["declaration_id"] for e in feed] == [did]
    # Releasing the records now that the review has ended is achievements' own work (it
    # consumes review_decided): workflow no longer calls unlock_records for it.


def test_a_return_goes_to_the_person_and_the_fix_climbs_again_from_the_unit(dw):
    plan = dw.published_plan()
    did = dw.submitted(plan["id"])["id"]
    dw.decide("a1", did)
    missing = dw.error(dw.post(f"/api/v1/tasks/{dw.task_of('edu', did)}/decision", "edu",
                               {"action": "return"}), 422)
    assert missing["message"] == "退回时请填写审核意见"
    dw.decide("edu", did, "return", "年度考核材料不全，请补充2022年度考核")

    returned = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))
    assert (returned["status"], returned["status_label"]) == ("returned", "退回")
    assert returned["opinion"] == "年度考核材料不全，请补充2022年度考核"
    assert returned["opinion_unit_name"] == "合肥市教育局"
    assert returned["editable"] is True
    assert [(s["label"], s["state"]) for s in returned["stages"]][:3] == [
        ("申报", "current"), ("单位审核", "done"), ("主管部门", "returned")]
    [event] = dw.events("declaration_returned", did)
    assert event["opinion"] == "年度考核材料不全，请补充2022年度考核"
    assert event["unit_name"] == "合肥市教育局" and event["step_label"] == "主管部门审核"
    # Nobody reviews it now; the unit sees it under 被退回.
    assert dw.ok(dw.get("/api/v1/unit/declarations", "edu",
                        params={"tab": "pending"}))["total"] == 0
    unit_page = dw.ok(dw.get("/api/v1/unit/declarations", "a1", params={"tab": "returned"}))
    assert [i["id"] for i in unit_page["items"]] == [did]
    assert World.locked(did) == [1, 2]  # still held while the declaration lives

    # The person fixes and resubmits: a new review from the unit upward.
    dw.ok(dw.post(f"/api/v1/declarations/{did}/sections/assessment/items", "p1",
                  {"record_ids": [World.add_record(9, 77, "annual_assessment", "2022年度考核")]}),
          201)
    resubmitted = dw.ok(dw.post(f"/api/v1/declarations/{did}/submit", "p1"))
    assert resubmitted["status"] == "submitted"
    assert resubmitted["current_step_label"] == "单位审核"
    assert dw.ok(dw.get("/api/v1/unit/declarations", "edu",
                        params={"tab": "pending"}))["total"] == 0
    assert dw.task_of("a1", did) is not None
    assert dw.scalar("SELECT count(*) FROM workflow.processes WHERE subject_id = :i",
                     i=str(did)) == 2
    [_, second] = dw.events("declaration_submitted", did)
    assert second["resubmission"] is True
    history = [(e["step_label"], e["action_label"]) for e in
               dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))
               if e["kind"] == "review"]
    assert history == [("个人申报", "提交"), ("单位审核", "通过"), ("主管部门审核", "退回"),
                       ("个人申报", "提交")]


def test_rejection_ends_the_declaration_and_blocks_a_new_one_that_year(dw):
    plan = dw.published_plan()
    other = dw.published_plan(name="第二个评审计划")
    did = dw.submitted(plan["id"])["id"]
    dw.decide("a1", did)
    dw.decide("edu", did, "reject", "不满足申报条件")

    rejected = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))
    assert (rejected["status"], rejected["status_label"]) == ("rejected", "审核不通过")
    assert rejected["deletable"] is False
    [event] = dw.events("declaration_rejected", did)
    assert event["opinion"] == "不满足申报条件" and event["status"] == "rejected"
    refused = dw.error(dw.declare(other["id"]), 409)
    assert refused["code"] == "declaration.rejected_this_year"
    assert refused["message"] == f"您{plan['year']}申报年度的职称申报审核不通过，当年不能再申报"
    assert dw.delete(f"/api/v1/declarations/{did}", "p1").status_code == 409
    # (achievements releases the records of a declaration not approved itself.)
    # Another person of the same unit is not affected.
    assert dw.declare(other["id"], "p2").status_code == 201


def test_one_declaration_per_declaration_year_whatever_the_plan(dw):
    plan = dw.published_plan()
    other = dw.published_plan(name="工程系列评审", scope=[
        {"series": "中小学教师", "specialties": ["中学语文"], "titles": ["高级教师"]}])
    dw.ok(dw.declare(plan["id"]), 201)
    error = dw.error(dw.declare(other["id"]), 409)
    assert error["code"] == "declaration.exists_this_year"
    assert error["message"].startswith(f"您在{plan['year']}申报年度已有职称申报记录")
    # Two tries at once for another person: exactly one declaration.
    answers = []
    pool = eventlet.GreenPool()
    for plan_id in (plan["id"], other["id"]):
        pool.spawn(lambda pid: answers.append(dw.declare(pid, "p2").status_code), plan_id)
    pool.waitall()
    assert sorted(answers) == [201, 409]
    assert dw.scalar("SELECT count(*) FROM workflow.declarations WHERE person_id = 78") == 1


def test_recall_works_until_the_next_level_claims(dw):
    plan = dw.published_plan()
    did = dw.submitted(plan["id"])["id"]
    dw.decide("a1", did)
    assert dw.ok(dw.get(f"/api/v1/declarations/{did}", "a1"))["may_recall"] is True
    recalled = dw.ok(dw.post(f"/api/v1/declarations/{did}/recall", "a1"))
    assert recalled["unit_id"] == SCHOOL_A and recalled["step_index"] == 0
    # Back at the unit, in the recalling admin's 待处理; gone from the department.
    assert dw.ok(dw.get(f"/api/v1/declarations/{did}/progress", "p1"))[
        "current_step_label"] == "单位审核"
    todo = dw.box("a1", "todo")
    assert [t["id"] for t in todo["items"]] == [recalled["task_id"]]
    assert dw.box("edu", "unclaimed")["total"] == 0
    assert dw.ok(dw.get("/api/v1/unit/declarations", "edu"))["total"] == 0
    assert ("单位审核", "撤回") in [
        (e["step_label"], e["action_label"])
        for e in dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))]

    # Passed up again; once the department has claimed it, it cannot be recalled.
    dw.decide("a1", did)
    edu_task = dw.task_of("edu", did)
    dw.ok(dw.post(f"/api/v1/tasks/{edu_task}/claim", "edu"))
    assert dw.ok(dw.get(f"/api/v1/declarations/{did}", "a1"))["may_recall"] is False
    refused = dw.error(dw.post(f"/api/v1/declarations/{did}/recall", "a1"), 409)
    assert refused["message"] == "指定流程的当前状态不允许撤回"
    done_task = dw.box("a1", "done")["items"][0]["id"]
    assert dw.error(dw.post(f"/api/v1/tasks/{done_task}/recall", "a1"), 409)[
        "code"] == "task.not_recallable"
    # Released by the department: the task center's recall works again.
    dw.ok(dw.post(f"/api/v1/tasks/{edu_task}/release", "edu"))
    assert dw.ok(dw.post(f"/api/v1/tasks/{done_task}/recall", "a1"))["unit_id"] == SCHOOL_A
    # Another unit's admin cannot recall it.
    assert dw.post(f"/api/v1/tasks/{done_task}/recall", "b1").status_code == 404


def test_recall_is_an_event_in_the_recall_transaction(dw):
    """issue 17: a subscriber sees the unit's 撤回 between two forwarded steps."""
    plan = dw.published_plan()
    did = dw.submitted(plan["id"])["id"]
    dw.decide("a1", did)
    recalled = dw.ok(dw.post(f"/api/v1/declarations/{did}/recall", "a1"))
    [event] = dw.events("declaration_recalled", did)
    assert event["declaration_id"] == did and event["status"] == "submitted"
    assert (event["step_index"], event["step_label"], event["unit_id"]) == (
        0, "单位审核", SCHOOL_A)
    assert (event["action"], event["action_label"], event["outcome"]) == (
        "recall", "撤回", "recalled")
    assert event["final"] is False and event["was_held"] is False
    assert event["decided_by"] == {"account_id": 101, "name": "王敏"}
    assert event["decided_at"] and recalled["step_index"] == 0
    assert event["recalled_from"] == {"step_index": 1, "unit_id": EDU,
                                      "unit_name": "合肥市教育局"}
    assert event["person"]["id_number"] != "340104199001010021"
    # In order among the declaration's events: forwarded, recalled, forwarded again.
    dw.decide("a1", did)
    types = [row.type for row in dw.rows(
        "SELECT type FROM workflow.outbox WHERE subject = :s AND type IN "
        "('declaration_step_decided', 'declaration_recalled') ORDER BY sequence",
        s=f"declaration:{did}")]
    assert types == ["declaration_step_decided", "declaration_recalled",
                     "declaration_step_decided"]


# --------------------------------------------------------------------------- who sees what

def test_each_sees_only_what_is_theirs(dw):
    plan = dw.published_plan()
    mine = dw.submitted(plan["id"])["id"]
    theirs = dw.submitted(plan["id"], "p3", 79, records=((11, "annual_assessment"),
                                                         (12, "paper")))["id"]
    assert dw.ok(dw.get("/api/v1/declarations", "p1"))["items"][0]["id"] == mine
    assert dw.ok(dw.get("/api/v1/declarations", "p1"))["total"] == 1
    assert dw.get(f"/api/v1/declarations/{theirs}", "p1").status_code == 404
    assert dw.get(f"/api/v1/declarations/{mine}/history", "p2").status_code == 404

    dw.decide("a1", mine)
    dw.decide("b1", theirs)
    # Each competent department sees only the declarations of its own units.
    edu = dw.ok(dw.get("/api/v1/unit/declarations", "edu"))
    assert [i["id"] for i in edu["items"]] == [mine]
    assert edu["items"][0]["id_number"] == "340104********0021"
    assert edu["items"][0]["current_step_label"] == "主管部门审核"
    assert edu["counts"] == {"pending": 1, "unclaimed": 1, "reviewed": 0, "returned": 0,
                             "all": 1}
    health = dw.ok(dw.get("/api/v1/unit/declarations", "health"))
    assert [i["id"] for i in health["items"]] == [theirs]
    assert dw.get(f"/api/v1/declarations/{theirs}", "edu").status_code == 404
    assert dw.get(f"/api/v1/declarations/{mine}", "health").status_code == 404
    assert dw.get(f"/api/v1/declarations/{mine}", "b1").status_code == 404
    # The unit keeps seeing what it passed up (已审核).
    school = dw.ok(dw.get("/api/v1/unit/declarations", "a1", params={"tab": "reviewed"}))
    assert [i["id"] for i in school["items"]] == [mine]
    assert school["counts"]["pending"] == 0 and school["counts"]["reviewed"] == 1
    viewed = dw.ok(dw.get(f"/api/v1/declarations/{mine}", "a1"))
    assert viewed["viewer"] == "unit" and viewed["person"]["id_number"] == "340104********0021"
    # The HR department and the organiser see every submitted declaration of their plan.
    for token in ("hr", "org"):
        page = dw.ok(dw.get("/api/v1/unit/declarations", token,
                            params={"plan_id": plan["id"]}))
        assert sorted(i["id"] for i in page["items"]) == sorted([mine, theirs])
        assert page["counts"]["pending"] == 0
    # A draft is nobody's business but its owner's.
    draft = dw.ok(dw.declare(plan["id"], "p2"), 201)["id"]
    assert dw.get(f"/api/v1/declarations/{draft}", "hr").status_code == 404
    assert dw.get(f"/api/v1/declarations/{draft}", "a1").status_code == 404
    assert dw.ok(dw.get("/api/v1/unit/declarations", "a1", params={"q": "秦"}))["total"] == 0


# --------------------------------------------------------------------------- reviewers

def test_reviewer_marks_an_item_deleted_and_corrects_the_basic_information(dw):
    plan = dw.published_plan()
    did = dw.submitted(plan["id"])["id"]
    detail = dw.ok(dw.get(f"/api/v1/declarations/{did}", "a1"))
    assert detail["viewer"] == "reviewer" and detail["may_review"] is True
    item = next(s for s in detail["sections"] if s["code"] == "papers")["items"][0]

    marked = dw.ok(dw.post(f"/api/v1/declarations/{did}/items/{item['id']}/mark", "a1",
                           {"deleted": True, "reason": "论文与申报专业无关"}))
    grey = next(s for s in marked["sections"] if s["code"] == "papers")["items"][0]
    assert grey["marked_deleted"] is True
    assert grey["mark"]["unit_name"] == "合肥市第一中学" and grey["mark"]["name"] == "王敏"
    assert grey["mark"]["reason"] == "论文与申报专业无关"

    corrected = dw.ok(dw.patch(f"/api/v1/declarations/{did}/basic-info", "a1",
                               {"birthplace": "芜湖市镜湖区", "note": "出生地填写不完整"}))
    assert corrected["personal"]["birthplace"] == "芜湖市镜湖区"
    changes = [e for e in dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))
               if e["kind"] == "change"]
    assert [(e["action_label"], e["unit_name"]) for e in changes[-2:]] == [
        ("删除标记", "合肥市第一中学"), ("修改基本信息", "合肥市第一中学")]
    assert changes[-1]["changes"] == {"birthplace": {"label": "出生地", "old": "芜湖市",
                                                     "new": "芜湖市镜湖区"}}
    assert changes[-1]["opinion"] == "出生地填写不完整"

    # Only the unit reviewing it now; never the person.
    assert dw.post(f"/api/v1/declarations/{did}/items/{item['id']}/mark", "edu",
                   {"deleted": True}).status_code == 404
    assert dw.patch(f"/api/v1/declarations/{did}/basic-info", "p1",
                    {"birthplace": "合肥"}).status_code == 403
    dw.decide("a1", did)
    assert dw.error(dw.post(f"/api/v1/declarations/{did}/items/{item['id']}/mark", "a1",
                            {"deleted": False}), 409)["code"] == \
        "declaration.not_under_your_review"
    # The next level sees the item greyed.
    above = dw.ok(dw.get(f"/api/v1/declarations/{did}", "edu"))
    papers = next(s for s in above["sections"] if s["code"] == "papers")
    assert papers["items"][0]["marked_deleted"] is True and papers["count"] == 0


# --------------------------------------------------------------------------- person's changes

def test_change_specialty_and_delete_with_a_warning_after_the_window(dw):
    plan = dw.published_plan()
    did = dw.ok(dw.declare(plan["id"]), 201)["id"]
    changed = dw.ok(dw.post(f"/api/v1/declarations/{did}/specialty", "p1",
                            {"specialty": "中学数学", "title": "高级教师"}))
    assert changed["specialty"] == "中学数学"
    wrong = dw.error(dw.post(f"/api/v1/declarations/{did}/specialty", "p1",
                             {"specialty": "土木工程", "title": "高级教师"}), 422)
    assert wrong["details"]["fields"] == {"specialty": ["该评审计划不含此申报专业"]}
    [log] = [e for e in dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))
             if e["action"] == "specialty_changed"]
    assert log["changes"] == {"specialty": {"old": "中学语文", "new": "中学数学"}}

    dw.fill(did)
    assert World.locked(did) == [1, 2]
    assert dw.ok(dw.delete(f"/api/v1/declarations/{did}", "p1")) == {"id": did,
                                                                    "deleted": True}
    assert dw.get(f"/api/v1/declarations/{did}", "p1").status_code == 404
    # achievements releases a deleted declaration's records itself (declaration_deleted
    # names them); workflow does not call unlock_records for it.
    [event] = dw.events("declaration_deleted", did)
    assert event["record_ids"] == [1, 2]

    # A new declaration is possible while the window is open.
    again = dw.ok(dw.declare(plan["id"]), 201)["id"]
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    dw.ok(dw.patch(f"/api/v1/plans/{plan['id']}", "hr",
                   {"starts_on": (today() - dt.timedelta(days=20)).isoformat(),
                    "ends_on": yesterday}))
    detail = dw.ok(dw.get(f"/api/v1/declarations/{again}", "p1"))
    assert detail["delete_warning"] == "申报时间已截止，删除后将无法再次申报，请谨慎操作"
    warned = dw.error(dw.delete(f"/api/v1/declarations/{again}", "p1"), 409)
    assert warned["code"] == "declaration.delete_confirm"
    # (Nameko turns the values of error details into strings on the way: "True".)
    assert list(warned["details"]) == ["requires_confirmation"]
    dw.ok(dw.delete(f"/api/v1/declarations/{again}", "p1", params={"confirm": "true"}))
    closed = dw.error(dw.declare(plan["id"]), 409)
    assert closed["message"] == f"申报已截止，截止日期为 {yesterday}"


def test_unbound_persons_and_units_without_region_cannot_declare(dw):
    plan = dw.published_plan()
    unbound = dw.error(dw.declare(plan["id"], "p4"), 409)
    assert unbound["message"] == "您尚未绑定工作单位或绑定申请尚未审核通过，暂不能提交"
    region = dw.error(dw.declare(plan["id"], "p5"), 409)
    assert region["message"] == \
        "系统检测到您所在单位属地信息未完善，无法申报！请联系单位管理员完善单位信息"
    # The plan's detail says beforehand what 马上申报 answers (issue 16.7).
    for token, refused in (("p4", unbound), ("p5", region)):
        seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", token))
        assert seen["can_declare"] is False, token
        assert (seen["declare_code"], seen["declare_message"]) == (
            refused["code"], refused["message"])
    assert unbound["code"] == "declaration.unbound"
    seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", "p1"))
    assert (seen["can_declare"], seen["declare_code"], seen["declare_message"]) == (
        True, None, None)
    assert dw.error(dw.post("/api/v1/declarations", "p1", {
        "plan_id": plan["id"], "form": "regular", "series": "中小学教师",
        "specialty": "中学语文", "title": "高级教师", "pledge_accepted": False}), 422)[
        "message"] == "请勾选我承诺复选框"
    assert dw.error(dw.declare(plan["id"], form="transfer"), 422)["details"]["fields"] == {
        "form": ["该评审计划不接受此申报形式"]}
    assert dw.scalar("SELECT count(*) FROM workflow.declarations") == 0

    # Unbound after declaring: the check says so and submission is refused.
    did = dw.ok(dw.declare(plan["id"]), 201)["id"]
    dw.fill(did)
    World.bindings[77] = None
    check = dw.ok(dw.get(f"/api/v1/declarations/{did}/check", "p1"))
    assert set(failed(check)) == {"binding", "region"}
    assert dw.post(f"/api/v1/declarations/{did}/submit", "p1").status_code == 409


def test_import_takes_only_approved_records_of_the_sections_types_within_limits(dw):
    plan = dw.published_plan()
    did = dw.ok(dw.declare(plan["id"]), 201)["id"]
    url = f"/api/v1/declarations/{did}/sections/papers/items"
    World.add_record(1, 77, "paper", "论文一")
    World.add_record(2, 77, "paper", "论文二", status="submitted")
    World.add_record(3, 78, "paper", "别人的论文")
    World.add_record(4, 77, "patent", "专利")
    for n in (5, 6, 7):
        World.add_record(n, 77, "research_project", f"课题{n}")

    assert dw.error(dw.post(url, "p1", {"record_ids": [2]}), 409)["message"] == \
        "只能导入审核通过的业绩"
    assert dw.post(url, "p1", {"record_ids": [3]}).status_code == 404
    wrong = dw.error(dw.post(url, "p1", {"record_ids": [4]}), 422)
    assert wrong["message"] == "所选业绩不能导入“教研科研条件”"
    assert World.locked(did) == []  # the lock taken for the check is given back
    assert dw.post(f"/api/v1/declarations/{did}/sections/nope/items", "p1",
                   {"record_ids": [1]}).status_code == 404

    dw.ok(dw.post(url, "p1", {"record_ids": [1, 5]}), 201)
    assert dw.error(dw.post(url, "p1", {"record_ids": [1]}), 409)["code"] == \
        "declaration.item_exists"
    full = dw.error(dw.post(url, "p1", {"record_ids": [6, 7]}), 409)
    assert full["message"] == "教研科研条件最多可导入 3 项，已导入 2 项"
    assert World.locked(did) == [1, 5]

    section = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))["sections"][1]
    first = section["items"][0]["id"]
    left = dw.ok(dw.delete(f"/api/v1/declarations/{did}/items/{first}", "p1"))["section"]
    assert [i["record_id"] for i in left["items"]] == [5]
    assert [i["position"] for i in left["items"]] == [1]
    assert World.locked(did) == [5]
    assert dw.post(url, "p2", {"record_ids": [3]}).status_code == 404  # not p2's declaration


def test_a_replaced_photo_and_removed_title_evidence_are_detached(dw):
    """Replacing the photo or a title's evidence frees the old file (it no longer counts
    against the declaration's slot limits); what is kept stays attached."""
    plan = dw.published_plan()
    did = dw.ok(dw.declare(plan["id"]), 201)["id"]
    subject = ("workflow", "declaration", str(did))

    dw.ok(dw.patch(f"/api/v1/declarations/{did}/personal", "p1", {"photo_file_id": 6}))
    dw.ok(dw.patch(f"/api/v1/declarations/{did}/personal", "p1", {"health": "良好"}))
    assert (("detach", 6), *subject) not in World.attached
    dw.ok(dw.patch(f"/api/v1/declarations/{did}/personal", "p1", {"photo_file_id": 7}))
    assert ((7,), *subject) in World.attached
    assert (("detach", 6), *subject) in World.attached

    dw.ok(dw.put(f"/api/v1/declarations/{did}/titles", "p1",
                 {"titles": [dict(TITLE, evidence_file_ids=[5, 8])]}))
    dw.ok(dw.put(f"/api/v1/declarations/{did}/titles", "p1",
                 {"titles": [dict(TITLE, evidence_file_ids=[8])]}))
    assert (("detach", 5), *subject) in World.attached
    assert not [a for a in World.attached if a[0][0] == "detach" and 8 in a[0]]
    detail = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))
    assert detail["personal"]["photo_file_id"] == 7


# --------------------------------------------------------------------------- regional rules

def test_chongqing_lets_the_applicant_delete_before_review_and_a_level_undo_its_reject(dw):
    """issue 16.8: Chongqing manual 4.4 (删除 before the unit reviews) and 2.4.3 (撤销 of a
    level's own 不通过) are plan settings, by default Chongqing's only (Anhui FAQ 13)."""
    anhui = dw.published_plan()
    assert (anhui["delete_submitted"], anhui["undo_reject"]) == (False, False)
    did = dw.submitted(anhui["id"])["id"]
    assert dw.error(dw.delete(f"/api/v1/declarations/{did}", "p1"), 409)[
        "code"] == "declaration.not_deletable"
    dw.decide("a1", did, "reject", "材料不实")
    assert dw.error(dw.post(f"/api/v1/declarations/{did}/undo-reject", "a1"), 409)[
        "code"] == "declaration.undo_reject_not_allowed"
    overridden = dw.published_plan(name="安徽省某计划", delete_submitted=True)
    assert (overridden["delete_submitted"], overridden["undo_reject"]) == (True, False)

    year = anhui["year"]
    cq = dw.published_plan(name=f"{year}年度重庆市中小学教师系列高级职称评审",
                           committee="重庆市中小学教师系列高级职称评审委员会")
    assert (cq["delete_submitted"], cq["undo_reject"]) == (True, True)
    records = ((21, "annual_assessment"), (22, "paper"))
    first = dw.submitted(cq["id"], "p2", 78, records)["id"]
    assert dw.box("a1", "unclaimed")["total"] == 1
    dw.ok(dw.delete(f"/api/v1/declarations/{first}", "p2"))
    assert dw.box("a1", "unclaimed")["total"] == 0
    assert dw.scalar("SELECT status FROM workflow.processes WHERE subject_id = :s "
                     "AND kind = 'declaration'", s=str(first)) == "withdrawn"
    assert dw.events("declaration_deleted", first)[0]["record_ids"] == [21, 22]

    # Declared again; once the unit has claimed it, it is no longer deletable.
    again = dw.submitted(cq["id"], "p2", 78, records)["id"]
    dw.ok(dw.post(f"/api/v1/tasks/{dw.task_of('a1', again)}/claim", "a1"))
    refused = dw.error(dw.delete(f"/api/v1/declarations/{again}", "p2"), 409)
    assert refused["message"] == "申报单位已开始审核，无法删除"

    # 不通过, then undone by the same unit: under review there again, in its 待处理.
    dw.decide("a1", again, "reject", "材料不实")
    World.locks -= {(21, again), (22, again)}   # as achievements releases them
    assert dw.post(f"/api/v1/declarations/{again}/undo-reject", "b1").status_code in (
        404, 409)
    assert World.locked(again) == []
    undone = dw.ok(dw.post(f"/api/v1/declarations/{again}/undo-reject", "a1"))
    assert undone["unit_id"] == SCHOOL_A and undone["step_index"] == 0
    seen = dw.ok(dw.get(f"/api/v1/declarations/{again}", "p2"))
    assert (seen["status"], seen["opinion"]) == ("submitted", None)
    assert World.locked(again) == [21, 22]   # held again while under review
    assert [t["id"] for t in dw.box("a1", "todo")["items"]] == [undone["task_id"]]
    [event] = dw.events("declaration_rejection_undone", again)
    assert (event["status"], event["action"], event["step_index"]) == (
        "submitted", "undo_reject", 0)
    assert event["decided_by"]["account_id"] == 101
    assert dw.error(dw.post(f"/api/v1/declarations/{again}/undo-reject", "a1"), 409)[
        "code"] == "task.not_undoable"
    dw.decide("a1", again)
    assert dw.ok(dw.get(f"/api/v1/declarations/{again}", "p2"))["current_step_label"] \
        == "主管部门审核"


# --------------------------------------------------------------------------- return notice

def test_a_returned_declaration_has_one_notice_of_everything_to_correct(dw):
    """issue 16.15 (一次性告知): the opinion, each marked item with its reason and each
    failing rule, in one list."""
    plan = dw.published_plan()
    did = dw.submitted(plan["id"])["id"]
    assert dw.error(dw.get(f"/api/v1/declarations/{did}/return-notice", "p1"), 409)[
        "code"] == "declaration.not_returned"
    detail = dw.ok(dw.get(f"/api/v1/declarations/{did}", "a1"))
    item = next(s for s in detail["sections"] if s["code"] == "papers")["items"][0]
    dw.ok(dw.post(f"/api/v1/declarations/{did}/items/{item['id']}/mark", "a1",
                  {"deleted": True, "reason": "论文与申报专业无关"}))
    dw.decide("a1", did, "return", "请补充近三年年度考核材料")
    World.bindings[77] = None   # and a rule fails now: no longer bound to a unit

    notice = dw.ok(dw.get(f"/api/v1/declarations/{did}/return-notice", "p1"))
    assert (notice["status"], notice["returned_by_unit_name"], notice["step_label"]) == (
        "returned", "合肥市第一中学", "单位审核")
    assert notice["returned_at"]
    # who and what, for the printed notice (POST …/printouts/return-notice)
    detail = dw.ok(dw.get(f"/api/v1/declarations/{did}", "p1"))
    assert {k: notice[k] for k in ("person_name", "unit_name", "specialty", "title")} == {
        k: detail[k] for k in ("person_name", "unit_name", "specialty", "title")}
    assert notice["plan_name"] == detail["plan"]["name"] and notice["person_name"]
    kinds = [entry["kind"] for entry in notice["items"]]
    assert kinds[:2] == ["opinion", "item"] and "rule" in kinds
    assert notice["count"] == len(notice["items"])
    opinion, marked = notice["items"][:2]
    assert (opinion["kind_label"], opinion["message"]) == ("退回意见", "请补充近三年年度考核材料")
    assert (marked["section"], marked["section_label"], marked["item_id"], marked["message"]) \
        == ("papers", "教研科研条件", item["id"], "论文与申报专业无关")
    rules = [e for e in notice["items"] if e["kind"] == "rule"]
    check = dw.ok(dw.get(f"/api/v1/declarations/{did}/check", "p1"))
    assert [(e["code"], e["message"]) for e in rules] == [
        (r["code"], r["message"]) for r in check["rules"] if not r["passed"]]
    assert rules
    # Only the applicant reads it.
    assert dw.get(f"/api/v1/declarations/{did}/return-notice", "p2").status_code == 404
    assert dw.get(f"/api/v1/declarations/{did}/return-notice", "a1").status_code == 403
