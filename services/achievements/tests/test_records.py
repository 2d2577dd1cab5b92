"""Achievement records through the gateway: the life cycle (保存, 修改, 提交, 审核, 退回,
终止, 撤回), lists with search and status tabs, 我的业绩 statistics, the unit's 业绩档案,
authorisation, and the review decisions of the real workflow service."""
import datetime as dt
import uuid

from services.common.testing import sql_statements
from services.contracts.achievements import ReviewRequestedSchema, ReviewWithdrawnSchema

from .support import (
    NOT_BOUND_REASON,
    UNIT_A,
    UNIT_NAMES,
    FakeDocuments,
    FakeIdentity,
    annual_assessment,
    continuing_education,
    envelope_of,
    health_case,
    new_event_id,
    paper,
    project_award,
    wait_for,
    work_history,
)


def test_work_history_save_edit_submit_approve_list_search_view(ach):
    draft = ach.new("p1", "work_history", work_history(position="实施"))
    assert draft["status"] == "draft" and draft["status_label"] == "编辑中"
    assert draft["title"] == "宏景软件公司"
    assert draft["source_label"] == "用户申报"
    assert set(draft["actions"]) == {"edit", "delete", "submit"}
    assert draft["submitted_at"] is None

    edited = ach.ok(ach.edit("p1", draft["id"], {"position": "UI设计", "duties": "界面设计"}))
    assert edited["fields"]["position"] == "UI设计"
    assert edited["fields"]["specialty"] == "软件"  # untouched fields stay
    assert edited["columns"]["position"] == "UI设计"

    submitted = ach.ok(ach.submit("p1", draft["id"]))
    assert submitted["status_label"] == "审核中"
    assert submitted["unit_id"] == UNIT_A and submitted["unit_name"] == UNIT_NAMES[UNIT_A]
    assert submitted["submitted_at"] is not None
    assert submitted["actions"] == ["withdraw"]

    # 审核中的记录无法编辑、修改或者删除
    refused = ach.edit("p1", draft["id"], {"position": "运维"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {"code": "record.not_editable",
                                       "message": "审核中的记录无法编辑", "details": {}}
    gone = ach.call("p1", "DELETE", f"/api/v1/records/{draft['id']}")
    assert gone.status_code == 409 and gone.json()["error"]["message"] == "审核中的记录无法删除"
    assert ach.record("p1", draft["id"])["fields"]["position"] == "UI设计"

    # the review request workflow got, in the contract's shape
    [request] = ach.outbox("review_requested")
    ReviewRequestedSchema().load(request.data)  # exactly the contract's fields
    assert request.subject == f"record:{draft['id']}"
    assert request.data["kind"] == "record"
    assert request.data["subject_service"] == "achievements"
    assert request.data["subject_type"] == "record"
    assert request.data["subject_id"] == draft["id"]
    assert request.data["title"] == "工作经历·宏景软件公司"
    assert request.data["applicant_person_id"] == 77
    assert request.data["applicant_name"] == "孙迪"
    assert request.data["applicant_unit_id"] == UNIT_A
    assert request.data["chain"] == [{"unit_id": UNIT_A, "unit_name": "宏景软件公司"}]
    assert request.data["summary"]["type_label"] == "工作经历"

    # the unit approves in its task center
    task = ach.task_for(draft["id"])
    assert task["title"] == "工作经历·宏景软件公司"
    approved = ach.decide(draft["id"], "approve", "同意")
    assert approved["status"] == "approved" and approved["status_label"] == "审核通过"
    assert approved["decided_at"] is not None
    assert approved["actions"] == ["withdraw"]

    # a second record stays a draft; the list has the tabs and the list columns
    ach.new("p1", "work_history", work_history(unit_name="福州软件园", specialty="测试"))
    page = ach.records("p1", type="work_history")
    assert page["total"] == 2
    assert page["counts"] == {"all": 2, "draft": 1, "submitted": 0, "approved": 1,
                              "returned": 0, "terminated": 0}
    first = page["items"][0]
    assert first["title"] == "福州软件园" and first["status_label"] == "编辑中"
    assert set(first["columns"]) == {"unit_name", "start_date", "end_date", "until_now",
                                     "specialty", "position"}
    assert first["updated_at"] and first["source_label"] == "用户申报"

    only_approved = ach.records("p1", type="work_history", status="approved")
    assert [i["id"] for i in only_approved["items"]] == [draft["id"]]
    assert only_approved["total"] == 1
    assert only_approved["counts"]["all"] == 2  # tabs ignore the status filter
    empty_tab = ach.records("p1", type="work_history", status="returned")
    assert (empty_tab["items"], empty_tab["total"], empty_tab["counts"]) == (
        [], 0, page["counts"])

    # a page and its tab counts are one statement
    with sql_statements(lambda sql: "achievements.records" in sql) as statements:
        assert ach.records("p1", type="work_history", status="draft")["counts"] == \
            page["counts"]
    assert len(statements) == 1, statements

    # keyword search over 单位名称、从事专业、担任职务
    assert [i["id"] for i in ach.records("p1", type="work_history", q="UI设计")["items"]] \
        == [draft["id"]]
    found = ach.records("p1", type="work_history", q="测试")
    assert [i["title"] for i in found["items"]] == ["福州软件园"]
    assert found["counts"]["all"] == 1
    assert ach.records("p1", type="work_history", q="不存在的单位")["total"] == 0

    # 查看: details and the review history from workflow
    view = ach.record("p1", draft["id"])
    labels = {d["key"]: d["label"] for d in view["display"]}
    assert labels["unit_name"] == "工作单位名称" and labels["position"] == "担任职务"
    assert view["history_available"] is True
    actions = [h["action"] for h in view["history"]]
    assert "approve" in actions
    approve = next(h for h in view["history"] if h["action"] == "approve")
    assert approve["unit_name"] == "宏景软件公司" and approve["account_name"] == "王敏"
    assert approve["opinion"] == "同意"
    assert [t["action"] for t in view["trail"]] == ["created", "saved", "submitted", "approved"]


def test_project_award_returned_with_opinion_then_edited_resubmitted_and_approved(ach):
    record = ach.new("p1", "project_award", project_award(), evidence=[501, 502])
    submitted = ach.ok(ach.submit("p1", record["id"]))
    assert submitted["status"] == "submitted"
    # the evidence was attached to the record by the documents service
    assert FakeDocuments.calls == [([501, 502], "achievements", "record", record["id"])]

    returned = ach.decide(record["id"], "return", "获奖证书扫描件不清晰，请重新上传")
    assert returned["status"] == "returned" and returned["status_label"] == "退回"
    assert returned["opinion"] == "获奖证书扫描件不清晰，请重新上传"
    assert set(returned["actions"]) == {"edit", "delete", "submit"}
    listed = ach.records("p1", type="project_award", status="returned")
    assert listed["items"][0]["opinion"] == "获奖证书扫描件不清晰，请重新上传"
    assert listed["counts"]["returned"] == 1

    # a returned record is edited and submitted again
    edited = ach.ok(ach.edit("p1", record["id"], {"award_grade": "一等"}, evidence=[503]))
    assert edited["status"] == "returned"
    assert edited["fields"]["award_grade"] == "一等"
    assert edited["evidence_file_ids"] == [503]
    again = ach.ok(ach.submit("p1", record["id"]))
    assert again["status"] == "submitted" and again["opinion"] is None
    assert FakeDocuments.calls[-1] == ([503], "achievements", "record", record["id"])
    assert len(ach.outbox("review_requested")) == 2

    approved = ach.decide(record["id"], "approve")
    assert approved["status"] == "approved"
    assert approved["columns"]["award_grade"] == "一等"
    assert [t["action"] for t in approved["trail"]] == [
        "created", "submitted", "returned", "saved", "submitted", "approved"]
    returned_step = approved["trail"][2]
    assert returned_step["opinion"] == "获奖证书扫描件不清晰，请重新上传"
    assert returned_step["actor_name"] == "王敏"
    history = ach.record("p1", record["id"])["history"]
    assert [h["action"] for h in history if h["action"] != "submit"] == ["return", "approve"]


def test_paper_terminated_is_final(ach):
    record = ach.new("p1", "paper", paper(), evidence=[601])
    ach.ok(ach.submit("p1", record["id"]))
    terminated = ach.decide(record["id"], "terminate", "论文与申报专业无关")
    assert terminated["status"] == "terminated" and terminated["status_label"] == "终止"
    assert terminated["opinion"] == "论文与申报专业无关"
    assert terminated["actions"] == []
    assert terminated["columns"]["ranking"] == {"rank": 1, "total": 5}

    for response, message in [
        (ach.edit("p1", record["id"], {"journal": "中国远程教育"}), "已终止的记录无法编辑"),
        (ach.call("p1", "DELETE", f"/api/v1/records/{record['id']}"), "已终止的记录无法删除"),
        (ach.submit("p1", record["id"]), "已终止的记录无法提交"),
    ]:
        assert response.status_code == 409 and response.json()["error"]["message"] == message
    refused = ach.withdraw("p1", record["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "record.not_withdrawable"
    assert ach.records("p1", type="paper")["counts"]["terminated"] == 1


def test_annual_assessment_takes_the_bound_unit_and_an_unbound_person_cannot_submit(ach):
    # bound: 考核单位 is filled from the binding, submitted at once
    bound = ach.new("p1", "annual_assessment", annual_assessment(), evidence=[701],
                    submit=True)
    assert bound["status"] == "submitted"
    assert bound["fields"]["unit_name"] == "宏景软件公司"
    assert bound["title"] == "2021年度考核"

    # unbound: may type the unit and save, but not submit
    draft = ach.new("p4", "annual_assessment",
                    annual_assessment(unit_name="福州市第一中学"), evidence=[702])
    assert draft["status"] == "draft"
    before = ach.record("p4", draft["id"])
    requests_before = len(ach.outbox("review_requested"))

    refused = ach.submit("p4", draft["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "record.unbound"
    assert refused.json()["error"]["message"] == NOT_BOUND_REASON
    after = ach.record("p4", draft["id"])
    assert after["status"] == "draft" and after["updated_at"] == before["updated_at"]
    assert len(ach.outbox("review_requested")) == requests_before
    assert all(call[3] != draft["id"] for call in FakeDocuments.calls)

    # 保存并提交 by an unbound person saves nothing
    refused = ach.create("p4", "work_history", work_history(), submit=True)
    assert refused.status_code == 409 and refused.json()["error"]["message"] == NOT_BOUND_REASON
    assert ach.records("p4", type="work_history")["total"] == 0

    # once the unit approves the binding, the same draft can be submitted
    FakeIdentity.bindings[80] = {"allowed": True, "unit_id": UNIT_A,
                                 "unit_name": "宏景软件公司", "reason": None}
    submitted = ach.ok(ach.submit("p4", draft["id"]))
    assert submitted["status"] == "submitted"
    assert submitted["fields"]["unit_name"] == "宏景软件公司"


def test_submission_validates_every_field_and_the_evidence_and_changes_nothing(ach):
    draft = ach.new("p1", "project_award", {"project_name": "远程教育服务平台"})
    assert draft["status"] == "draft"  # a draft may lack required fields

    refused = ach.submit("p1", draft["id"])
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "record.invalid"
    assert {"award_name", "award_date", "award_level", "award_grade", "ranking",
            "evidence_file_ids"} <= set(error["details"]["fields"])
    assert error["details"]["fields"]["evidence_file_ids"] == "请上传佐证材料"
    assert ach.record("p1", draft["id"])["status"] == "draft"

    # a bad value is refused even in a draft, with its field named
    bad = ach.edit("p1", draft["id"], {"award_level": "宇宙级"})
    assert bad.status_code == 422 and "award_level" in bad.json()["error"]["details"]["fields"]
    unknown = ach.create("p1", "spaceflight", {})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["fields"]["type"]

    # evidence the documents service refuses: not submitted, nothing changed
    ach.ok(ach.edit("p1", draft["id"], project_award(), evidence=[666]))
    FakeDocuments.refused = {666}
    refused = ach.submit("p1", draft["id"])
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "佐证材料未上传完成或不属于本人"
    assert ach.record("p1", draft["id"])["status"] == "draft"
    assert ach.outbox("review_requested") == []


def test_withdraw_a_submitted_and_an_approved_record_and_refused_when_locked(ach):
    submitted = ach.new("p1", "work_history", work_history(), submit=True)
    task = ach.task_for(submitted["id"])

    withdrawn = ach.ok(ach.withdraw("p1", submitted["id"], "单位名称写错"))
    assert withdrawn["status"] == "draft"
    assert set(withdrawn["actions"]) == {"edit", "delete", "submit"}
    [event] = ach.outbox("review_withdrawn")
    ReviewWithdrawnSchema().load(event.data)
    assert event.subject == f"record:{submitted['id']}"
    assert event.data == {"kind": "record", "subject_service": "achievements",
                          "subject_type": "record", "subject_id": submitted["id"]}

    # workflow cancels the unit's task: it leaves the task center and cannot be decided
    cancelled = wait_for(lambda: (lambda t: t if t["status"] == "cancelled" else None)(
        ach.ok(ach.call("a1", "GET", f"/api/v1/tasks/{task['id']}"))))
    assert cancelled["status_label"] == "申请人已撤回"
    assert cancelled["process_status"] == "withdrawn"
    decision = ach.call("a1", "POST", f"/api/v1/tasks/{task['id']}/decision",
                        json={"action": "approve"})
    assert decision.status_code == 409, decision.text
    assert ach.record("p1", submitted["id"])["status"] == "draft"
    history = ach.record("p1", submitted["id"])["history"]
    assert history[-1]["action"] == "withdraw"
    # submitted again, it gets a new review with a new task
    ach.ok(ach.call("p1", "POST", f"/api/v1/records/{submitted['id']}/submit"))
    again = ach.task_for(submitted["id"])
    assert again["id"] != task["id"] and again["process_id"] != task["process_id"]

    approved = ach.new("p1", "paper", paper(), evidence=[601], submit=True)
    ach.decide(approved["id"], "approve")

    # a declaration imports it: it cannot be withdrawn
    with ach.rpc("p1") as achievements:
        locked = achievements.lock_records([approved["id"]], 9001)
        assert [r["id"] for r in locked] == [approved["id"]]
        assert locked[0]["fields"]["title"] == "中国西部教育与区域发展研究"
        achievements.lock_records([approved["id"]], 9001)  # idempotent
    assert ach.record("p1", approved["id"])["lock_count"] == 1
    refused = ach.withdraw("p1", approved["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "record.locked"
    assert refused.json()["error"]["message"] == \
        "该业绩已被职称申报引用，无法撤回；请先在申报材料中移除该业绩"
    assert ach.record("p1", approved["id"])["status"] == "approved"

    with ach.rpc("p1") as achievements:
        assert achievements.unlock_records([approved["id"]], 9001)["record_ids"] == \
            [approved["id"]]
    back = ach.ok(ach.withdraw("p1", approved["id"]))
    assert back["status"] == "draft" and back["lock_count"] == 0
    assert len(ach.outbox("review_withdrawn")) == 1  # an approved record has no open review

    # 撤回记录: 业绩类别、业绩名称、申请时间、处理情况、状态
    log = ach.ok(ach.call("p1", "GET", "/api/v1/withdrawals"))
    assert log["total"] == 2
    newest, oldest = log["items"]
    assert (newest["type_label"], newest["title"], newest["previous_status_label"],
            newest["handling_label"], newest["status_label"]) == \
        ("论文发表情况", "中国西部教育与区域发展研究", "审核通过", "已撤回", "编辑中")
    assert (oldest["type_label"], oldest["title"], oldest["previous_status_label"],
            oldest["reason"]) == ("工作经历", "宏景软件公司", "审核中", "单位名称写错")
    assert dt.datetime.fromisoformat(newest["requested_at"])
    by_name = ach.ok(ach.call("p1", "GET", "/api/v1/withdrawals", params={"q": "西部"}))
    assert [i["record_id"] for i in by_name["items"]] == [approved["id"]]
    assert ach.ok(ach.call("p2", "GET", "/api/v1/withdrawals"))["total"] == 0

    # after a resubmission the withdrawal shows the record's status now
    ach.ok(ach.submit("p1", approved["id"]))
    log = ach.ok(ach.call("p1", "GET", "/api/v1/withdrawals", params={"status": "submitted"}))
    # (both records were submitted again: the work history above and this paper)
    assert [(i["record_id"], i["status_label"]) for i in log["items"]] == [
        (approved["id"], "审核中"), (submitted["id"], "审核中")]
    assert ach.ok(ach.call("p1", "GET", "/api/v1/withdrawals",
                           params={"status": "approved"}))["total"] == 0


def test_lock_records_takes_only_the_persons_approved_records(ach):
    draft = ach.new("p1", "work_history", work_history())
    theirs = ach.new("p2", "work_history", work_history(), submit=True)
    ach.decide(theirs["id"], "approve", owner="p2")
    with ach.rpc("p1") as achievements:
        try:
            achievements.lock_records([draft["id"]], 9002)
            raise AssertionError("a draft was locked")
        except Exception as exc:  # noqa: BLE001 - the remote error class
            assert getattr(exc, "code", None) == "record.not_approved"
        try:
            achievements.lock_records([theirs["id"]], 9002)
            raise AssertionError("another person's record was locked")
        except Exception as exc:  # noqa: BLE001
            assert getattr(exc, "code", None) == "record.not_found"
    # a system caller (no principal) names the person
    with ach.rpc() as achievements:
        assert achievements.lock_records([theirs["id"]], 9003, person_id=78)[0]["id"] == \
            theirs["id"]
        achievements.lock_records([theirs["id"]], 9004, person_id=78)
    assert ach.record("p2", theirs["id"])["lock_count"] == 2
    with ach.rpc() as achievements:
        achievements.unlock_records(None, 9003)
    assert ach.record("p2", theirs["id"])["lock_count"] == 1


def test_a_person_cannot_read_change_or_withdraw_anothers_record(ach):
    mine = ach.new("p1", "work_history", work_history(), submit=True)
    path = f"/api/v1/records/{mine['id']}"
    for response in [
        ach.call("p2", "GET", path),
        ach.call("p2", "PATCH", path, json={"fields": {"position": "黑客"}}),
        ach.call("p2", "DELETE", path),
        ach.submit("p2", mine["id"]),
        ach.withdraw("p2", mine["id"]),
        ach.call("b1", "GET", path),  # an admin of another unit
    ]:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "record.not_found"
    assert ach.record("p1", mine["id"])["status"] == "submitted"
    assert ach.record("a1", mine["id"])["person_name"] == "孙迪"  # its unit's admin
    assert ach.records("p2")["total"] == 0
    assert ach.call("p1", "GET", "/api/v1/unit/records").status_code == 403
    assert ach.call("a1", "POST", "/api/v1/records",
                    json={"type": "work_history", "fields": {}}).status_code == 403
    assert ach.http.get("/api/v1/records").status_code == 401


def test_unit_archive_lists_only_its_own_persons_records(ach):
    a = ach.new("p1", "continuing_education", continuing_education(), evidence=[801],
                submit=True)
    b = ach.new("p2", "continuing_education",
                continuing_education(project="党的二十大精神", hours="500"), evidence=[802],
                submit=True)
    ach.decide(b["id"], "approve", owner="p2")
    ach.new("p2", "continuing_education", continuing_education(project="草稿"), evidence=[803])
    c = ach.new("p3", "continuing_education", continuing_education(project="十四五战略"),
                evidence=[804], submit=True)

    page = ach.unit_records("a1", type="continuing_education")
    assert {i["id"] for i in page["items"]} == {a["id"], b["id"]}  # no draft, no unit B
    assert page["counts"] == {"all": 2, "submitted": 1, "approved": 1, "returned": 0,
                              "terminated": 0}
    by_id = {i["id"]: i for i in page["items"]}
    assert by_id[b["id"]]["person_name"] == "秦程"
    assert by_id[b["id"]]["source_label"] == "用户申报"
    assert by_id[b["id"]]["columns"]["hours"] == "500.0"

    # 请输入申报人、培训项目名称进行查询
    assert [i["id"] for i in ach.unit_records("a1", q="秦程")["items"]] == [b["id"]]
    assert [i["id"] for i in ach.unit_records("a1", q="六中全会")["items"]] == [a["id"]]
    assert [i["id"] for i in ach.unit_records("a1", person="孙")["items"]] == [a["id"]]
    assert [i["id"] for i in ach.unit_records("a1", status="submitted")["items"]] == [a["id"]]

    other = ach.unit_records("b1")
    assert [i["id"] for i in other["items"]] == [c["id"]]
    stats = ach.ok(ach.call("a1", "GET", "/api/v1/unit/records/stats"))
    ce = next(t for t in stats["types"] if t["code"] == "continuing_education")
    assert (ce["total"], ce["approved"]) == (2, 1)


def test_a_redelivered_review_decision_is_applied_once(ach):
    record = ach.new("p1", "project_award", project_award(), evidence=[901], submit=True)
    ach.decide(record["id"], "return", "请补充获奖证书")
    [decided] = [r for r in ach.outbox("review_decided", service="workflow")
                 if r.data["subject_id"] == record["id"]]
    envelope = envelope_of(decided)

    ach.ok(ach.edit("p1", record["id"], {"award_name": "科技成果奖"}))
    ach.ok(ach.submit("p1", record["id"]))
    ach.publish(envelope)
    ach.publish(envelope)
    # a marker published after the two copies: once it is handled, so were they (the
    # queue delivers in order)
    marker = {**envelope, "event_id": new_event_id(),
              "data": {**envelope["data"], "subject_id": 999999}}
    ach.publish(marker)
    wait_for(lambda: ach.scalar(
        "SELECT count(*) FROM achievements.record_actions WHERE event_id = :e",
        e=marker["event_id"]))

    assert ach.scalar("SELECT count(*) FROM achievements.processed_events WHERE event_id = :e",
                      e=envelope["event_id"]) == 1
    view = ach.record("p1", record["id"])
    assert view["status"] == "submitted"
    assert ach.scalar("SELECT count(*) FROM achievements.record_actions WHERE event_id = :e",
                      e=envelope["event_id"]) == 1
    assert [t["action"] for t in view["trail"]].count("returned") == 1


def test_a_decision_for_something_else_is_ignored(ach):
    record = ach.new("p1", "work_history", work_history(), submit=True)
    base = {"event_id": None, "type": "review_decided", "version": 1,
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "source": "workflow",
            "subject": "process:1", "actor": None}
    data = {"process_id": 1, "kind": "binding", "subject_service": "identity",
            "subject_type": "binding", "subject_id": record["id"], "step_index": 0,
            "unit_id": UNIT_A, "action": "approve", "opinion": None, "outcome": "approved",
            "final": True, "decided_at": dt.datetime.now(dt.UTC).isoformat(),
            "decided_by": {"account_id": 101, "name": "王敏"}}
    ids = [str(uuid.uuid4()) for _ in range(2)]
    ach.publish({**base, "event_id": ids[0], "data": data})
    ach.publish({**base, "event_id": ids[1],
                 "data": {**data, "kind": "record", "subject_service": "achievements",
                          "subject_type": "record", "subject_id": 999999}})
    wait_for(lambda: ach.scalar(
        "SELECT count(*) FROM achievements.processed_events WHERE event_id::text = ANY(:e)",
        e=ids) == 2)
    assert ach.record("p1", record["id"])["status"] == "submitted"
    assert ach.scalar("SELECT count(*) FROM achievements.failed_events") == 0
    [note] = ach.rows("SELECT note FROM achievements.record_actions WHERE record_id = 999999")
    assert note.note == "记录已删除，审核结果未生效"


def test_my_achievement_statistics(ach):
    w1 = ach.new("p1", "work_history", work_history(), submit=True)
    ach.decide(w1["id"], "approve")
    ach.new("p1", "work_history", work_history(unit_name="福州软件园"))
    award = ach.new("p1", "project_award", project_award(), evidence=[1], submit=True)
    ach.decide(award["id"], "return", "请补充")
    ach.new("p1", "project_award", project_award(award_name="科技成果奖"), evidence=[2],
            submit=True)
    pp = ach.new("p1", "paper", paper(), evidence=[3], submit=True)
    ach.decide(pp["id"], "terminate", "不符合要求")
    ach.new("p2", "paper", paper(), evidence=[4], submit=True)  # someone else's

    stats = ach.ok(ach.call("p1", "GET", "/api/v1/records/stats"))
    assert stats["counts"] == {"all": 5, "draft": 1, "submitted": 1, "approved": 1,
                               "returned": 1, "terminated": 1}
    assert stats["labels"]["terminated"] == "终止"
    categories = {c["code"]: c for c in stats["categories"]}
    assert categories["basic"]["label"] == "基本信息"
    assert categories["basic"]["counts"] == {"all": 2, "draft": 1, "submitted": 0,
                                             "approved": 1, "returned": 0, "terminated": 0}
    assert categories["honor"]["counts"]["all"] == 2
    assert categories["honor"]["counts"]["returned"] == 1
    assert categories["research"]["counts"]["terminated"] == 1
    assert categories["aid"]["counts"]["all"] == 0
    types = {t["code"]: t for t in stats["types"]}
    assert len(types) == 23
    assert (types["work_history"]["total"], types["work_history"]["approved"]) == (2, 1)
    assert (types["project_award"]["total"], types["project_award"]["approved"]) == (2, 0)
    assert (types["paper"]["total"], types["paper"]["approved"]) == (1, 0)
    assert types["health_case"]["health_only"] is True


def test_health_cases_are_submitted_in_a_batch_all_or_nothing(ach):
    refused = ach.create("p1", "health_case", health_case(1))
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "record.type_not_allowed"

    ids = [ach.new("doc", "health_case", health_case(n))["id"] for n in (1, 2, 3)]
    broken = ach.new("doc", "health_case", {"admission_no": "20220109"})["id"]

    refused = ach.call("doc", "POST", "/api/v1/records/submit",
                       json={"record_ids": ids + [broken]})
    assert refused.status_code == 422
    assert list(refused.json()["error"]["details"]["records"]) == [str(broken)]
    assert ach.records("doc", type="health_case")["counts"]["draft"] == 4

    done = ach.ok(ach.call("doc", "POST", "/api/v1/records/submit", json={"record_ids": ids}))
    assert done["submitted"] == ids
    assert [i["status"] for i in done["items"]] == ["submitted"] * 3
    page = ach.records("doc", type="health_case")
    assert page["counts"]["submitted"] == 3 and page["counts"]["draft"] == 1
    assert len(ach.outbox("review_requested")) == 3

    # an approved 行业专用 record is adjusted (调整), not withdrawn
    ach.decide(ids[0], "approve", owner="doc")
    refused = ach.withdraw("doc", ids[0])
    assert refused.status_code == 409
    assert "调整" in refused.json()["error"]["message"]
    # while undecided it may be withdrawn
    assert ach.ok(ach.withdraw("doc", ids[1]))["status"] == "draft"


def test_pages_and_deleting_drafts(ach):
    for n in range(12):
        ach.new("p1", "work_history", work_history(unit_name=f"单位{n:02d}"))
    first = ach.records("p1", type="work_history", page=1, page_size=5)
    third = ach.records("p1", type="work_history", page=3, page_size=5)
    assert first["total"] == third["total"] == 12
    assert [i["title"] for i in first["items"]] == [f"单位{n:02d}" for n in (11, 10, 9, 8, 7)]
    assert [i["title"] for i in third["items"]] == ["单位01", "单位00"]

    victim = first["items"][0]["id"]
    assert ach.call("p1", "DELETE", f"/api/v1/records/{victim}").status_code == 204
    assert ach.call("p1", "GET", f"/api/v1/records/{victim}").status_code == 404
    assert ach.records("p1", type="work_history")["total"] == 11

    bad = ach.call("p1", "GET", "/api/v1/records", params={"status": "lost"})
    assert bad.status_code == 422


def test_openapi_describes_the_record_routes(ach):
    spec = ach.http.get("/api/v1/openapi.json").json()
    for path in ["/api/v1/records", "/api/v1/records/{id}", "/api/v1/records/{id}/submit",
                 "/api/v1/records/submit", "/api/v1/records/{id}/withdraw",
                 "/api/v1/withdrawals", "/api/v1/records/stats", "/api/v1/unit/records"]:
        assert path in spec["paths"], path
    create = spec["paths"]["/api/v1/records"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]
    assert "201" in create["responses"] and "409" in create["responses"]
