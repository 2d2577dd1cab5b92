"""Employer recommendation (单位推荐意见), post quotas (岗位核准信息), publicity (公示) and
the unit gate (统一上报) through the gateway on the real broker and database, with fake
identity, achievements and documents (declaration_support)."""
import datetime as dt

import eventlet
import requests

from services.workflow.declarations.logic.plans import today

from .declaration_support import EDU, SCHOOL_A, World, dw  # noqa: F401
from .support import auth

P2_RECORDS = ((11, "annual_assessment"), (12, "paper"))
FORM = 50          # a stamped 岗位核准表 uploaded to post_quota_form
OPINION_FILE = 60  # a 单位推荐意见 scan uploaded to rec_opinion
PHOTO = 70         # some other upload (a person's photo)


def quota_body(**overrides):
    body = {"year": today().year, "senior": None, "deputy_senior": 1, "intermediate": 3,
            "junior": 0, "form_file_id": FORM}
    body.update(overrides)
    return body


def institution_with_quota(dw, token="a1", **overrides):
    """SCHOOL_A as a 事业单位 with a confirmed quota of this year (副高级: 1 vacancy)."""
    World.natures[SCHOOL_A] = "institution"
    World.file_slots[FORM] = "post_quota_form"
    return dw.ok(dw.post("/api/v1/unit/post-quotas", token,
                         {**quota_body(**overrides), "confirm": True}), 201)


def two_declarations(dw, **plan):
    """Declarations of 孙迪 (p1) and 秦程 (p2), both before their school (SCHOOL_A)."""
    plan = dw.published_plan(**plan)
    first = dw.submitted(plan["id"])["id"]
    second = dw.submitted(plan["id"], "p2", 78, P2_RECORDS)["id"]
    return plan, first, second


def screen(dw, token, declaration_id):
    return dw.ok(dw.get(f"/api/v1/declarations/{declaration_id}/recommendation", token))


def approve(dw, token, declaration_id):
    """通过 in the task center, without recommending first."""
    return dw.post(f"/api/v1/tasks/{dw.task_of(token, declaration_id)}/decision", token,
                   {"action": "approve"})


# --------------------------------------------------------------------------- quotas

def test_a_post_quota_is_saved_then_confirmed_and_cannot_change_afterwards(dw):
    year = today().year
    # Only a 事业单位 keeps post quotas.
    refused = dw.error(dw.post("/api/v1/unit/post-quotas", "a1", quota_body()), 409)
    assert (refused["code"], refused["message"]) == (
        "post_quota.not_institution", "只有事业单位需要设置岗位核准信息")
    World.natures[SCHOOL_A] = "institution"
    World.file_slots.update({FORM: "post_quota_form", PHOTO: "photo"})

    # Every level must be answered (a number, or null for 不限).
    missing = dw.error(dw.post("/api/v1/unit/post-quotas", "a1",
                               {"year": year, "senior": 1}), 422)
    assert missing["details"]["fields"]["deputy_senior"] == ["此项为必填项"]
    # The form must be the stamped approval form (post_quota_form), nothing else.
    wrong = dw.error(dw.post("/api/v1/unit/post-quotas", "a1",
                             quota_body(form_file_id=PHOTO)), 422)
    assert wrong["code"] == "post_quota.form_invalid"
    assert dw.scalar("SELECT count(*) FROM workflow.post_quotas") == 0

    saved = dw.ok(dw.post("/api/v1/unit/post-quotas", "a1",
                          quota_body(form_file_id=None)), 201)
    assert (saved["status"], saved["status_label"], saved["confirmed"]) == (
        "saved", "未确认", False)
    assert [(lv["level_label"], lv["vacancy_label"], lv["recommended"])
            for lv in saved["levels"]] == [
        ("正高级", "不限", 0), ("副高级", "1", 0), ("中级", "3", 0), ("初级", "0", 0)]
    again = dw.error(dw.post("/api/v1/unit/post-quotas", "a2", quota_body()), 409)
    assert again["code"] == "post_quota.exists"

    # Saved, it may change; confirming needs the stamped form.
    changed = dw.ok(dw.patch(f"/api/v1/unit/post-quotas/{saved['id']}", "a2",
                             {"intermediate": 4}))
    assert changed["intermediate"] == 4 and changed["version"] == 2
    no_form = dw.error(dw.post(f"/api/v1/unit/post-quotas/{saved['id']}/confirm", "a1"), 422)
    assert no_form["message"] == "请上传盖章后的岗位核准表后再确认"
    dw.ok(dw.patch(f"/api/v1/unit/post-quotas/{saved['id']}", "a1", {"form_file_id": FORM}))
    assert ((FORM,), "workflow", "post_quota", str(saved["id"])) in World.attached
    confirmed = dw.ok(dw.post(f"/api/v1/unit/post-quotas/{saved['id']}/confirm", "a1"))
    assert (confirmed["status_label"], confirmed["confirmed_by_name"]) == ("已确认", "王敏")

    # Confirmed: immutable.
    for answer in (dw.patch(f"/api/v1/unit/post-quotas/{saved['id']}", "a1",
                            {"deputy_senior": 5}),
                   dw.post(f"/api/v1/unit/post-quotas/{saved['id']}/confirm", "a1")):
        error = dw.error(answer, 409)
        assert (error["code"], error["message"]) == (
            "post_quota.confirmed", "岗位核准信息已确认，不可再更改")
    assert dw.scalar("SELECT deputy_senior FROM workflow.post_quotas") == 1

    # The unit's own admins and the HR department read it; other units do not.
    listed = dw.ok(dw.get("/api/v1/unit/post-quotas", "a2"))
    assert [q["year"] for q in listed["items"]] == [year]
    by_hr = dw.ok(dw.get("/api/v1/unit/post-quotas", "hr", params={"unit_id": SCHOOL_A}))
    assert by_hr["items"][0]["id"] == saved["id"]
    for token in ("b1", "edu"):
        assert dw.get("/api/v1/unit/post-quotas", token,
                      params={"unit_id": SCHOOL_A}).status_code == 404
        assert dw.get(f"/api/v1/unit/post-quotas/{saved['id']}", token).status_code == 404
    assert dw.patch(f"/api/v1/unit/post-quotas/{saved['id']}", "b1",
                    {"junior": 1}).status_code == 404
    assert dw.post("/api/v1/unit/post-quotas", "p1", quota_body()).status_code == 403


# --------------------------------------------------------------------------- recommendation

def test_the_employer_approves_only_after_its_recommendation(dw):
    events = dw.subscribe("declaration_recommended")
    plan, did, _ = two_declarations(dw)
    task_id = dw.task_of("a1", did)

    refused = dw.error(approve(dw, "a1", did), 409)
    assert (refused["code"], refused["message"]) == (
        "recommendation.required", "请先填写单位推荐意见，再审核通过")
    # Nothing was decided: the task is open, no history entry, no event.
    assert dw.scalar("SELECT state FROM workflow.tasks WHERE id = :t", t=task_id) == "open"
    assert dw.scalar("SELECT count(*) FROM workflow.history_entries WHERE action = 'approve'"
                     ) == 0
    assert dw.decided_events() == []
    # A batch approval is refused per task the same way.
    batch = dw.ok(dw.post("/api/v1/tasks/decisions", "a1",
                          {"task_ids": [task_id], "action": "approve"}))
    assert batch["failed"] == 1
    assert batch["results"][0]["error"]["code"] == "recommendation.required"

    # 不占用 needs a reason (说明).
    bad = dw.error(dw.recommend("a1", did, post_note=None), 422)
    assert bad["details"]["fields"]["post_note"] == ["不占用职数时请填写说明"]
    assert dw.scalar("SELECT count(*) FROM workflow.recommendations") == 0

    # The materials go to the form's slots only.
    World.file_slots.update({OPINION_FILE: "rec_opinion", PHOTO: "photo"})
    wrong = dw.error(dw.recommend("a1", did, material_file_ids=[PHOTO]), 422)
    assert wrong["code"] == "recommendation.material_invalid"
    assert (("detach", PHOTO), "workflow", "recommendation", str(did)) in World.attached

    saved = dw.ok(dw.recommend(
        "a1", did, material_file_ids=[OPINION_FILE], signer="王校长",
        signed_on=today().isoformat()))
    rec = saved["recommendation"]
    assert (rec["opinion"], rec["occupies_post_label"], rec["post_note"]) == (
        "同意推荐。", "不占用", "编外人员，不占用职数")
    opinion_slot = next(m for m in rec["materials"] if m["slot"] == "rec_opinion")
    assert (opinion_slot["label"], opinion_slot["file_ids"]) == ("单位推荐意见", [OPINION_FILE])
    assert [m["label"] for m in rec["materials"]][:3] == [
        "申报材料公示情况及证明", "单位推荐意见", "单位申报其他材料"]
    assert saved["may_recommend"] is True

    # Only the employer's admins recommend: the person and other units cannot.
    assert dw.recommend("p1", did).status_code == 403
    assert dw.recommend("b1", did).status_code == 404

    decided = dw.ok(approve(dw, "a1", did))
    assert decided["outcome"] == "forwarded"
    [event] = dw.received(events)
    assert event["data"]["recommendation"]["occupies_post"] == "not_occupy"
    [step] = dw.events("declaration_step_decided", did)
    assert step["recommendation"]["opinion"] == "同意推荐。" and step["held"] is False

    # Passed up: the department reads the recommendation, but cannot change it (403);
    # neither can the school any more (409).
    seen = screen(dw, "edu", did)
    assert seen["recommendation"]["signer"] == "王校长" and seen["may_recommend"] is False
    assert dw.error(dw.recommend("edu", did), 403)["code"] == "recommendation.employer_only"
    late = dw.error(dw.recommend("a1", did), 409)
    assert late["code"] == "recommendation.not_at_unit"
    history = dw.ok(dw.get(f"/api/v1/declarations/{did}/history", "p1"))
    assert ("单位推荐意见", "合肥市第一中学") in [
        (e["action_label"], e["unit_name"]) for e in history if e["kind"] == "change"]
    # The applicant sees the recommendation, not the unit's quota.
    assert screen(dw, "p1", did)["quota"] is None


def test_a_recommendation_over_the_confirmed_quota_is_refused(dw):
    plan, first, second = two_declarations(dw)
    # A 事业单位 recommends only with a confirmed quota of the year.
    World.natures[SCHOOL_A] = "institution"
    early = dw.error(dw.recommend("a1", first), 409)
    assert early["code"] == "recommendation.quota_required"
    institution_with_quota(dw)
    unanswered = dw.error(dw.recommend("a1", first, occupies_post=None), 422)
    assert unanswered["message"] == "请选择是否占用职数"

    taken = dw.ok(dw.recommend("a1", first, occupies_post="occupy", post_note=None))
    assert taken["recommendation"]["occupies_post_label"] == "占用"
    deputy = next(lv for lv in taken["quota"]["levels"] if lv["level"] == "deputy_senior")
    assert (deputy["vacancy"], deputy["recommended"]) == (1, 1)

    over = dw.error(dw.recommend("a1", second, occupies_post="occupy"), 409)
    assert over["code"] == "recommendation.quota_exceeded"
    assert over["message"].startswith(f"{today().year}年度副高级岗位空缺 1 个，已推荐 1 个")
    # Re-saving the one that holds the vacancy is fine; 不占用 for the other one too.
    dw.ok(dw.recommend("a1", first, occupies_post="occupy", opinion="同意推荐，占用副高岗位。"))
    dw.ok(dw.recommend("a1", second))
    listed = dw.ok(dw.get("/api/v1/unit/post-quotas", "a1"))["items"][0]
    assert listed["recommended"] == 1

    # A declaration returned to the person frees its post; the other may take it.
    dw.decide("a1", first, "return", "请补充继续教育学时")
    dw.ok(dw.recommend("a1", second, occupies_post="occupy"))
    # When the first comes back and is approved, it no longer fits: refused.
    dw.ok(dw.post(f"/api/v1/declarations/{first}/submit", "p1"))
    refused = dw.error(approve(dw, "a1", first), 409)
    assert refused["code"] == "recommendation.quota_exceeded"
    dw.ok(dw.recommend("a1", first, occupies_post="not_occupy", post_note="岗位已满，暂不占用"))
    assert dw.ok(approve(dw, "a1", first))["outcome"] == "forwarded"


def test_two_recommendations_racing_for_the_last_vacancy_exactly_one_wins(dw):
    plan, first, second = two_declarations(dw)
    institution_with_quota(dw)
    base = dw.http.request("GET", "/healthz").url.rsplit("/healthz", 1)[0]

    def occupy(token, declaration_id, answers):
        with requests.Session() as session:
            answer = session.put(
                f"{base}/api/v1/declarations/{declaration_id}/recommendation",
                headers=auth(token),
                json={"opinion": "同意推荐。", "occupies_post": "occupy"})
        answers.append((declaration_id, answer.status_code, answer.json()))

    for _ in range(6):
        # Both free the post first, then race for it.
        for declaration_id in (first, second):
            dw.ok(dw.recommend("a1", declaration_id))
        answers = []
        pool = eventlet.GreenPool()
        pool.spawn(occupy, "a1", first, answers)
        pool.spawn(occupy, "a2", second, answers)
        pool.waitall()
        assert sorted(code for _, code, _ in answers) == [200, 409], answers
        loser = next(body for _, code, body in answers if code == 409)
        assert loser["error"]["code"] == "recommendation.quota_exceeded"
        assert dw.scalar("SELECT count(*) FROM workflow.recommendations "
                         "WHERE occupies_post = 'occupy'") == 1


# --------------------------------------------------------------------------- publicity

def test_publicity_single_and_batch_with_an_objection_recorded_and_handled(dw):
    publicized = dw.subscribe("publicity_recorded")
    plan, first, second = two_declarations(dw)
    on = today()
    period = {"starts_on": (on - dt.timedelta(days=6)).isoformat(),
              "ends_on": (on - dt.timedelta(days=1)).isoformat()}

    # One declaration: the dates first, the result later.
    entered = dw.ok(dw.put(f"/api/v1/declarations/{first}/publicity", "a1", period))
    assert entered["publicity"]["result_label"] == "未录入结果"
    backwards = dw.error(dw.put(f"/api/v1/declarations/{first}/publicity", "a1", {
        "starts_on": period["ends_on"], "ends_on": period["starts_on"]}), 422)
    assert backwards["details"]["fields"]["ends_on"] == ["公示结束日期不能早于开始日期"]

    # An objection raised during the publicity, then its handling.
    outside = dw.error(dw.post(f"/api/v1/declarations/{first}/publicity/objections", "a1", {
        "raised_on": on.isoformat(), "content": "反映论文存在一稿多投"}), 422)
    assert outside["code"] == "objection.outside_publicity"
    raised = dw.ok(dw.post(f"/api/v1/declarations/{first}/publicity/objections", "a1", {
        "raised_on": (on - dt.timedelta(days=3)).isoformat(), "raised_by": "匿名",
        "content": "反映论文存在一稿多投"}), 201)
    [objection] = raised["objections"]
    assert (objection["status_label"], objection["content"]) == ("待处理", "反映论文存在一稿多投")
    handled = dw.ok(dw.patch(
        f"/api/v1/declarations/{first}/publicity/objections/{objection['id']}", "a1",
        {"handling": "经核实，该论文仅在一家期刊发表，反映不属实", "handled_on": on.isoformat()}))
    assert handled["objections"][0]["status_label"] == "已处理"
    assert handled["objections"][0]["handled_by_name"] == "王敏"

    # 无异议 for the whole unit is refused while one of them had an objection.
    whole = {**period, "result": "no_objection", "note": "公示期满"}
    refused = dw.error(dw.post("/api/v1/unit/publicity", "a2", whole), 409)
    assert refused["code"] == "publicity.refused"
    assert list(refused["details"]["declarations"]) == [str(first)]
    assert "孙迪的公示期间已登记异议" in refused["message"]
    assert dw.scalar("SELECT count(*) FROM workflow.publicities") == 1

    # The selected person in batch; the other one's own result.
    batch = dw.ok(dw.post("/api/v1/unit/publicity", "a2",
                          {**whole, "declaration_ids": [second]}), 201)
    assert batch["count"] == 1 and batch["items"][0]["batch"] is True
    dw.ok(dw.put(f"/api/v1/declarations/{first}/publicity", "a1",
                 {**period, "result": "objection", "note": "异议经核实不属实"}))
    results = dict(dw.rows("SELECT declaration_id, result FROM workflow.publicities"))
    assert results == {first: "objection", second: "no_objection"}
    # An objection over a 无异议 result is refused.
    over = dw.error(dw.post(f"/api/v1/declarations/{second}/publicity/objections", "a1", {
        "raised_on": period["starts_on"], "content": "反映"}), 409)
    assert over["code"] == "objection.result_no_objection"

    # Batch for the whole unit: everyone at or past the unit's step gets it.
    dw.decide("a1", second)
    everyone = dw.ok(dw.post("/api/v1/unit/publicity", "a1",
                             {**period, "result": "objection", "note": "复核"}), 201)
    assert sorted(i["declaration_id"] for i in everyone["items"]) == sorted([first, second])
    bodies = dw.received(publicized, count=5)
    assert {b["data"]["publicity"]["result_label"] for b in bodies} >= {"无异议", "有异议"}
    assert all(b["data"]["declaration_id"] in (first, second) for b in bodies)

    # Who: only the employer's admins (the department reads, but is refused; others 404).
    assert dw.error(dw.put(f"/api/v1/declarations/{second}/publicity", "edu", period),
                    403)["code"] == "recommendation.employer_only"
    assert dw.put(f"/api/v1/declarations/{first}/publicity", "b1", period).status_code == 404
    assert screen(dw, "edu", second)["publicity"]["result_label"] == "有异议"
    assert dw.post("/api/v1/unit/publicity", "b1", {**whole, "declaration_ids": [first]}
                   ).status_code == 404
    nothing = dw.error(dw.post("/api/v1/unit/publicity", "b1", whole), 409)
    assert nothing["code"] == "publicity.nothing"


# --------------------------------------------------------------------------- the gate

def test_the_gate_holds_approvals_until_none_is_pending_then_forwards_all(dw):
    reported = dw.subscribe("declaration_reported")
    plan, first, second = two_declarations(dw, unit_gate=True)
    assert plan["unit_gate"] is True

    # The school approves 孙迪: held (待上报), the department has nothing yet.
    dw.decide("a1", first)
    [step] = dw.events("declaration_step_decided", first)
    assert step["held"] is True and step["outcome"] == "forwarded"
    assert dw.box("edu", "unclaimed")["total"] == 0
    assert dw.ok(dw.get("/api/v1/unit/declarations", "edu"))["total"] == 0
    progress = dw.ok(dw.get(f"/api/v1/declarations/{first}/progress", "p1"))
    assert progress["current_step_label"] == "单位审核"
    report = screen(dw, "a1", first)["report"]
    assert (report["gated"], report["held"], report["state_label"]) == (True, True, "待上报")

    # 秦程 is still in review: 上报 is refused, naming him.
    state = dw.ok(dw.get(f"/api/v1/unit/plans/{plan['id']}/report", "a1"))
    assert [i["person_name"] for i in state["held"]] == ["孙迪"]
    assert [(i["person_name"], i["state_label"]) for i in state["pending"]] == [
        ("秦程", "审核中")]
    assert state["may_report"] is False
    refused = dw.error(dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "a1"), 409)
    assert refused["code"] == "report.pending"
    assert refused["message"].endswith("秦程（审核中）")

    # Returned to the person, he is still pending (退回).
    dw.decide("a1", second, "return", "请补充年度考核")
    refused = dw.error(dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "a2"), 409)
    assert refused["message"].endswith("秦程（退回）")

    # A held approval may still be taken back (审核通过取消), and given again.
    assert dw.ok(dw.get(f"/api/v1/declarations/{first}", "a1"))["may_recall"] is True
    recalled = dw.ok(dw.post(f"/api/v1/declarations/{first}/recall", "a1"))
    assert dw.scalar("SELECT count(*) FROM workflow.report_holds") == 0
    dw.ok(dw.post(f"/api/v1/tasks/{recalled['task_id']}/decision", "a1",
                  {"action": "approve"}))
    # The same from the task center (我已处理 → 撤回), then given again.
    assert dw.scalar("SELECT count(*) FROM workflow.report_holds") == 1
    again = dw.ok(dw.post(f"/api/v1/tasks/{recalled['task_id']}/recall", "a1"))
    assert dw.scalar("SELECT count(*) FROM workflow.report_holds") == 0
    dw.ok(dw.post(f"/api/v1/tasks/{again['task_id']}/decision", "a1",
                  {"action": "approve"}))

    # He comes back and is approved: nothing is pending, 上报 forwards both at once.
    dw.ok(dw.post(f"/api/v1/declarations/{second}/submit", "p2"))
    dw.decide("a1", second)
    assert dw.box("edu", "unclaimed")["total"] == 0
    state = dw.ok(dw.get(f"/api/v1/unit/plans/{plan['id']}/report", "a1"))
    assert state["may_report"] is True and state["counts"]["held"] == 2
    assert dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "edu").status_code == 403
    done = dw.ok(dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "a2"))
    assert sorted(r["declaration_id"] for r in done["reported"]) == sorted([first, second])
    assert {r["next_unit_name"] for r in done["reported"]} == {"合肥市教育局"}
    unclaimed = dw.box("edu", "unclaimed")
    assert unclaimed["total"] == 2
    for did in (first, second):
        assert dw.ok(dw.get(f"/api/v1/declarations/{did}/progress", "p1" if did == first
                            else "p2"))["current_step_label"] == "主管部门审核"
    bodies = dw.received(reported, count=2)
    assert {b["data"]["next_unit"]["unit_id"] for b in bodies} == {EDU}
    assert {b["data"]["reported_by"]["name"] for b in bodies} == {"李强"}
    again = dw.error(dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "a1"), 409)
    assert again["code"] == "report.nothing"
    # The department carries on as usual.
    assert dw.decide("edu", first)["outcome"] == "forwarded"


def test_without_the_gate_an_approval_goes_up_at_once(dw):
    plan, first, _ = two_declarations(dw)
    dw.decide("a1", first)
    assert dw.box("edu", "unclaimed")["total"] == 1
    assert dw.scalar("SELECT count(*) FROM workflow.report_holds") == 0
    nothing = dw.error(dw.post(f"/api/v1/unit/plans/{plan['id']}/report", "a1"), 409)
    assert nothing["message"].endswith("秦程（审核中）")
    assert dw.get(f"/api/v1/unit/plans/{plan['id']}/report", "b1").json()["held"] == []
