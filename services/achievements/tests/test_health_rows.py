"""The rows of health records through the gateway: 病案列表 of 卫生-专题/卫生-论文 and
参考文献 of 卫生-综述 — the submission rules (≥10 recent case rows; ≥20 references, ≥10
of the last 3 years, each with its file), 新增/修改/删除/↑↓, and 调整 of an approved
record without a new review, in the record's trail."""
import datetime as dt

from .support import FakeDocuments

TODAY = dt.date.today()
RECENT = (TODAY - dt.timedelta(days=400)).isoformat()
RECENT_OUT = (TODAY - dt.timedelta(days=390)).isoformat()


def topic(**over):
    return {"topic_type": "三新专题", "template_entry": True, "name": "胸痛中心建设专题",
            "description": "近五年胸痛病例", **over}


def case(n, **over):
    return {"admission_no": f"20210{n:05d}", "patient_name": f"病人{n}", "gender": "男",
            "age": 40 + n, "admission_date": RECENT, "discharge_date": RECENT_OUT,
            "admission_diagnosis": "急性胸痛", "discharge_diagnosis": "冠心病", **over}


def reference(n, year, **over):
    return {"year": year, "title": f"急性心肌梗死诊治进展（{n}）", **over}


CHECK_FILE = 3900  # a 查重文档附件 (required at 提交 of a 卫生-专题)


def with_check_file():
    FakeDocuments.slots[CHECK_FILE] = "health_topic_check"
    return [CHECK_FILE]


def add_row(ach, record_id, fields, file_id=None, token="doc"):
    body = {"fields": fields}
    if file_id is not None:
        body["file_id"] = file_id
    return ach.call(token, "POST", f"/api/v1/records/{record_id}/rows", json=body)


def rows_path(record_id, row_id=None):
    base = f"/api/v1/records/{record_id}/rows"
    return base if row_id is None else f"{base}/{row_id}"


def test_a_topic_by_template_needs_ten_case_rows_of_the_last_five_years(ach):
    record = ach.new("doc", "health_topic", topic(), evidence=with_check_file())
    assert record["rows"] == [] and record["rows_label"] == "病案列表"
    assert "病案数量不少于10份" in record["rows_problem"]

    # a case older than 5 years is refused on its own
    old = (TODAY - dt.timedelta(days=5 * 366 + 10)).isoformat()
    refused = add_row(ach, record["id"], case(0, admission_date=old, discharge_date=old))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["fields"]["admission_date"] == \
        "新增病案材料仅支持近5年日期"
    missing = add_row(ach, record["id"], {"patient_name": "无住院号"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["fields"]["admission_no"] == "请输入住院（门诊）号"

    for n in range(1, 10):
        detail = ach.ok(add_row(ach, record["id"], case(n)), 201)
    assert detail["case_count"] == 9 and len(detail["rows"]) == 9
    assert [r["position"] for r in detail["rows"]] == list(range(1, 10))

    refused = ach.submit("doc", record["id"])
    assert refused.status_code == 422
    problem = refused.json()["error"]["details"]["fields"]["rows"]
    assert problem.startswith("新增病案材料仅支持近5年日期且病案数量不少于10份")
    assert "当前近5年的病案9份" in problem
    assert ach.record("doc", record["id"])["status"] == "draft"
    assert ach.outbox("review_requested") == []

    ach.ok(add_row(ach, record["id"], case(10)), 201)
    submitted = ach.ok(ach.submit("doc", record["id"]))
    assert submitted["status"] == "submitted" and submitted["case_count"] == 10
    [request] = ach.outbox("review_requested")
    assert request.data["summary"]["case_count"] == 10
    listed = ach.records("doc", type="health_topic")["items"][0]
    assert listed["case_count"] == 10 and listed["reference_count"] is None

    # 审核中: the rows are not changed until the unit decides
    locked = add_row(ach, record["id"], case(11))
    assert locked.status_code == 409
    assert locked.json()["error"]["message"] == "审核中的记录无法修改，审核通过后可进行“调整”"


def test_a_topic_not_entered_by_template_needs_its_non_template_attachment(ach):
    record = ach.new("doc", "health_topic", topic(template_entry=False))
    refused = ach.submit("doc", record["id"])
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["fields"] == {
        "evidence_file_ids": "未勾选“是否模板录入”的，请上传“非模板录入附件”",
        "evidence.health_topic_check": "请上传“查重文档附件”"}
    # no case rows for it
    no_rows = add_row(ach, record["id"], case(1))
    assert no_rows.status_code == 409
    assert no_rows.json()["error"]["code"] == "record.not_template_entry"

    # the 查重文档附件 alone is not the 非模板录入附件
    ach.ok(ach.edit("doc", record["id"], evidence=with_check_file()))
    refused = ach.submit("doc", record["id"])
    assert refused.json()["error"]["details"]["fields"] == {
        "evidence_file_ids": "未勾选“是否模板录入”的，请上传“非模板录入附件”"}
    FakeDocuments.slots[3001] = "health_topic_attachment"
    ach.ok(ach.edit("doc", record["id"], evidence=[3001, CHECK_FILE]))
    assert ach.ok(ach.submit("doc", record["id"]))["status"] == "submitted"

    # 卫生-论文 by template: at least one case row
    paper = ach.new("doc", "health_paper", {
        "title": "急诊PCI术后管理", "template_entry": True,
        "link": "https://www.cnki.net/kcms/detail/abc", "journal_no": "CN34-1065/R",
        "journal_name": "安徽医学", "publish_date": "2022-05-01", "abstract": "摘要"})
    refused = ach.submit("doc", paper["id"])
    assert refused.status_code == 422
    assert "病案数量不少于1份" in refused.json()["error"]["details"]["fields"]["rows"]
    ach.ok(add_row(ach, paper["id"], case(1)), 201)
    assert ach.ok(ach.submit("doc", paper["id"]))["status"] == "submitted"


def test_a_review_needs_twenty_references_ten_of_the_last_three_years_each_with_its_file(ach):
    review = ach.new("doc", "health_review", {"name": "心力衰竭综述"}, evidence=[4000])
    old_year, recent_year = TODAY.year - 5, TODAY.year - 2
    rows = []
    for n in range(11):
        rows.append(ach.ok(add_row(ach, review["id"], reference(n, old_year), 4100 + n), 201))
    for n in range(11, 20):
        rows.append(ach.ok(add_row(ach, review["id"], reference(n, recent_year), 4100 + n),
                           201))
    detail = rows[-1]
    assert detail["reference_count"] == 20
    assert detail["rows_summary"] == {"total": 20, "recent": 9, "with_file": 20}
    # each reference's file is attached to the reference
    first_row = detail["rows"][0]
    assert ([4100], "achievements", "reference", first_row["id"]) in FakeDocuments.calls

    refused = ach.submit("doc", review["id"])
    assert refused.status_code == 422
    problem = refused.json()["error"]["details"]["fields"]["rows"]
    assert problem.startswith("参考文献数量不少于20份，且近3年文献数量不少于10篇")
    assert "当前参考文献20份，其中近3年9份" in problem

    # the 10th recent one: but a reference without its file is not enough
    extra = ach.ok(add_row(ach, review["id"], reference(20, TODAY.year)), 201)
    refused = ach.submit("doc", review["id"])
    assert refused.status_code == 422
    assert "1份未上传附件" in refused.json()["error"]["details"]["fields"]["rows"]
    no_file_row = extra["rows"][-1]["id"]
    with_file = ach.ok(ach.call("doc", "PATCH", rows_path(review["id"], no_file_row),
                                json={"file_id": 4200}))
    assert with_file["rows_problem"] is None
    assert with_file["rows"][-1]["fields"]["title"] == "急性心肌梗死诊治进展（20）"
    submitted = ach.ok(ach.submit("doc", review["id"]))
    assert submitted["status"] == "submitted" and submitted["reference_count"] == 21


def test_rows_are_added_edited_deleted_and_reordered_while_the_record_is_editable(ach):
    record = ach.new("doc", "health_topic", topic())
    for n in (1, 2, 3):
        detail = ach.ok(add_row(ach, record["id"], case(n)), 201)
    ids = [r["id"] for r in detail["rows"]]

    # ↓ then ↑
    moved = ach.ok(ach.call("doc", "POST", f"{rows_path(record['id'], ids[0])}/move",
                            json={"direction": "down"}))
    assert [r["id"] for r in moved["rows"]] == [ids[1], ids[0], ids[2]]
    moved = ach.ok(ach.call("doc", "POST", f"{rows_path(record['id'], ids[2])}/move",
                            json={"direction": "up"}))
    assert [r["id"] for r in moved["rows"]] == [ids[1], ids[2], ids[0]]
    assert [r["position"] for r in moved["rows"]] == [1, 2, 3]
    edge = ach.call("doc", "POST", f"{rows_path(record['id'], ids[1])}/move",
                    json={"direction": "up"})
    assert edge.status_code == 409 and edge.json()["error"]["message"] == "已经是第一条，无法上移"
    bad = ach.call("doc", "POST", f"{rows_path(record['id'], ids[1])}/move",
                   json={"direction": "left"})
    assert bad.status_code == 422

    # 修改: given fields replace, others stay
    edited = ach.ok(ach.call("doc", "PATCH", rows_path(record["id"], ids[0]),
                             json={"fields": {"patient_name": "王五", "age": 61}}))
    row = next(r for r in edited["rows"] if r["id"] == ids[0])
    assert row["fields"]["patient_name"] == "王五" and row["fields"]["age"] == 61
    assert row["fields"]["admission_no"] == case(1)["admission_no"]
    # the same 住院号 and 入院日期 twice is refused
    duplicate = add_row(ach, record["id"], case(2, patient_name="重复"))
    assert duplicate.status_code == 422
    assert duplicate.json()["error"]["message"] == "与第1条病案重复（住院号、入院日期相同）"
    # a case row holds no file
    with_file = add_row(ach, record["id"], case(4), file_id=77)
    assert with_file.status_code == 422

    # 删除: the rest closes up
    gone = ach.ok(ach.call("doc", "DELETE", rows_path(record["id"], ids[2])))
    assert [r["id"] for r in gone["rows"]] == [ids[1], ids[0]]
    assert [r["position"] for r in gone["rows"]] == [1, 2]
    assert gone["case_count"] == 2
    # drafts' row edits are not adjustments
    assert [t["action"] for t in gone["trail"]] == ["created"]

    # someone else's record: not found
    assert add_row(ach, record["id"], case(5), token="p1").status_code == 404
    assert ach.call("p1", "GET", rows_path(record["id"])).status_code == 404
    listed = ach.ok(ach.call("doc", "GET", rows_path(record["id"])))
    assert listed["kind"] == "cases" and [r["id"] for r in listed["items"]] == [ids[1], ids[0]]


def test_an_approved_topic_is_adjusted_without_a_new_review_and_each_adjustment_is_logged(ach):
    record = ach.new("doc", "health_topic", topic(), evidence=with_check_file())
    for n in range(1, 11):
        ach.ok(add_row(ach, record["id"], case(n)), 201)
    ach.ok(ach.submit("doc", record["id"]))
    approved = ach.decide(record["id"], "approve", "同意", owner="doc")
    assert approved["status"] == "approved"
    assert "adjust" in approved["actions"]
    requests_before = len(ach.outbox("review_requested"))

    # 调整: add a case row, edit one, move one, delete one
    added = ach.ok(add_row(ach, record["id"], case(11, patient_name="赵六")), 201)
    assert added["status"] == "approved" and added["case_count"] == 11
    new_id = added["rows"][-1]["id"]
    ach.ok(ach.call("doc", "PATCH", rows_path(record["id"], new_id),
                    json={"fields": {"age": 70}}))
    ach.ok(ach.call("doc", "POST", f"{rows_path(record['id'], new_id)}/move",
                    json={"direction": "up"}))
    first_id = added["rows"][0]["id"]
    after_delete = ach.ok(ach.call("doc", "DELETE", rows_path(record["id"], first_id)))
    assert after_delete["status"] == "approved" and after_delete["case_count"] == 10

    trail = after_delete["trail"]
    adjustments = [t for t in trail if t["action"] == "adjusted"]
    assert [t["note"] for t in adjustments] == [
        "新增病案：住院号 2021000011（赵六）",
        "修改病案：住院号 2021000011（赵六）",
        "调整排序：住院号 2021000011（赵六）上移",
        "删除病案：住院号 2021000001（病人1）",
    ]
    assert all(t["action_label"] == "调整" and t["actor_name"] == "李医生"
               and t["status_to"] == "approved" for t in adjustments)
    assert len(ach.outbox("review_requested")) == requests_before  # no new review
    assert ach.record("doc", record["id"])["history_available"] is True

    # an adjustment may not take away what the rule needs: 10 recent rows stay
    second = after_delete["rows"][0]["id"]
    refused = ach.call("doc", "DELETE", rows_path(record["id"], second))
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "record.rows_rule"
    assert "当前近5年的病案9份" in refused.json()["error"]["message"]
    view = ach.record("doc", record["id"])
    assert view["case_count"] == 10 and view["status"] == "approved"
    assert len([t for t in view["trail"] if t["action"] == "adjusted"]) == 4

    # a declaration holds it: no adjustment
    with ach.rpc("doc") as achievements:
        achievements.lock_records([record["id"]], 7001)
    held = add_row(ach, record["id"], case(12))
    assert held.status_code == 409
    assert held.json()["error"]["message"] == "该业绩已被职称申报引用，无法调整"
    assert "adjust" not in ach.record("doc", record["id"])["actions"]


def test_an_approved_review_is_adjusted_only_with_each_references_file(ach):
    review = ach.new("doc", "health_review", {"name": "高血压综述"}, evidence=[5000])
    for n in range(20):
        ach.ok(add_row(ach, review["id"], reference(n, TODAY.year - (n % 2)), 5100 + n), 201)
    ach.ok(ach.submit("doc", review["id"]))
    ach.decide(review["id"], "approve", owner="doc")

    refused = add_row(ach, review["id"], reference(30, TODAY.year))
    assert refused.status_code == 422
    assert "1份未上传附件" in refused.json()["error"]["message"]
    adjusted = ach.ok(add_row(ach, review["id"], reference(30, TODAY.year), 5200), 201)
    assert adjusted["reference_count"] == 21
    assert adjusted["trail"][-1]["note"] == "新增参考文献：《急性心肌梗死诊治进展（30）》"

    # replacing a reference's file detaches the old one from the reference
    row = adjusted["rows"][-1]
    ach.ok(ach.call("doc", "PATCH", rows_path(review["id"], row["id"]),
                    json={"file_id": 5201}))
    assert ([5200], "achievements", "reference", row["id"]) in FakeDocuments.detached
    removed = ach.call("doc", "PATCH", rows_path(review["id"], row["id"]),
                       json={"file_id": None})
    assert removed.status_code == 422  # the file is what the rule needs
