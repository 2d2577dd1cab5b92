"""Excel import through the gateway with the REAL documents service: download the
template, upload the filled workbook, preview every row (允许导入 or what is wrong, with
row number and column), commit the allowed rows once; deleting a record or replacing its
evidence detaches the files it no longer uses."""
import datetime as dt

from .support import png_bytes

TODAY = dt.date.today()
D1 = TODAY - dt.timedelta(days=300)
D2 = TODAY - dt.timedelta(days=290)


def case_cells(seq, number, name, admitted=D1, discharged=D2, age=45, gender="女"):
    return [seq, number, name, admitted, discharged, age, gender, "头痛待查", "偏头痛"]


def topic(ach):
    return ach.new("doc", "health_topic", {"topic_type": "专题报告", "template_entry": True,
                                           "name": "偏头痛专题报告"})


def test_case_rows_preview_shows_each_rows_problem_and_commit_imports_the_good_rows_once(
        ach_docs):
    ach = ach_docs
    record = topic(ach)
    existing = ach.ok(ach.call("doc", "POST", f"/api/v1/records/{record['id']}/rows", json={
        "fields": {"admission_no": "ZY0099", "patient_name": "已录入", "admission_date":
                   D1.isoformat(), "discharge_date": D2.isoformat()}}), 201)
    assert existing["case_count"] == 1

    workbook = ach.filled_template("doc", "cases", [
        case_cells(1, "ZY0001", "张三"),                        # row 3: good
        case_cells(2, "ZY0002", "李四", admitted="2022-13-45"),  # row 4: bad date
        case_cells(3, None, "王五"),                             # row 5: no 住院号
        case_cells(4, "ZY0001", "张三"),                         # row 6: duplicate of row 3
        case_cells(5, "ZY0099", "已录入"),                        # row 7: duplicate of existing
        case_cells(6, "ZY0006", "赵六", gender="男"),             # row 8: good
    ])
    file_id = ach.upload("doc", "import_workbook", "病案导入.xlsx", workbook)
    preview = ach.ok(ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "cases", "record_id": record["id"], "file_id": file_id}), 201)

    assert (preview["total"], preview["allowed"], preview["refused"]) == (6, 2, 4)
    assert preview["committed"] is False
    rows = {r["row"]: r for r in preview["rows"]}
    assert sorted(rows) == [3, 4, 5, 6, 7, 8]
    assert rows[3]["status"] == "允许导入" and rows[3]["errors"] == []
    assert rows[3]["values"]["admission_no"] == "ZY0001"
    assert rows[3]["values"]["admission_date"] == D1.isoformat()
    assert rows[8]["status"] == "允许导入"

    [bad_date] = rows[4]["errors"]
    assert rows[4]["status"] == "error"
    assert bad_date["column"] == "admission_date" and bad_date["label"] == "入院日期"
    assert bad_date["message"].startswith("“入院日期”不是有效日期")
    assert "2022-13-45" in bad_date["message"]

    [no_number] = rows[5]["errors"]
    assert (no_number["column"], no_number["message"]) == ("admission_no", "请输入住院（门诊）号")

    [duplicate] = rows[6]["errors"]
    assert duplicate == {"column": "admission_no", "label": "住院（门诊）号",
                         "message": "与第3行重复（住院号、入院日期相同）"}
    [against_existing] = rows[7]["errors"]
    assert against_existing["message"] == "与已录入的病案重复（住院号、入院日期相同）"

    # nothing is imported by the preview
    assert ach.record("doc", record["id"])["case_count"] == 1

    committed = ach.ok(ach.call("doc", "POST", f"/api/v1/imports/{preview['import_id']}/commit"))
    assert committed == {"import_id": preview["import_id"], "imported": 2,
                         "already_committed": False, "record_ids": []}
    view = ach.record("doc", record["id"])
    assert view["case_count"] == 3
    assert [r["fields"]["admission_no"] for r in view["rows"]] == ["ZY0099", "ZY0001", "ZY0006"]
    assert view["rows"][2]["fields"]["gender"] == "男"

    again = ach.ok(ach.call("doc", "POST", f"/api/v1/imports/{preview['import_id']}/commit"))
    assert again["imported"] == 2 and again["already_committed"] is True
    assert ach.record("doc", record["id"])["case_count"] == 3
    stored = ach.ok(ach.call("doc", "GET", f"/api/v1/imports/{preview['import_id']}"))
    assert stored["committed"] is True and stored["imported"] == 2

    # a preview is its uploader's alone
    other = ach.call("p1", "POST", f"/api/v1/imports/{preview['import_id']}/commit")
    assert other.status_code == 404


def test_health_cases_import_as_drafts_then_batch_submit(ach_docs):
    ach = ach_docs
    ach.new("doc", "health_case", {
        "admission_no": "BA0009", "patient_name": "已有", "admission_date": D1.isoformat(),
        "discharge_date": D2.isoformat(), "admission_diagnosis": "肺炎",
        "discharge_diagnosis": "肺炎", "outcome": "治愈"})
    rows = [[n, f"BA000{n}", f"病人{n}", D1, D2, "社区获得性肺炎", "肺炎", "好转", "治疗"]
            for n in (1, 2, 3)]
    rows.append([4, "BA0004", "病人4", D2, D1, "肺炎", "肺炎", "好转", "治疗"])  # ends before
    rows.append([5, "BA0009", "已有", D1, D2, "肺炎", "肺炎", "治愈", "治疗"])   # exists
    workbook = ach.filled_template("doc", "medical_records", rows)
    file_id = ach.upload("doc", "import_workbook", "卫生-病案.xlsx", workbook)
    preview = ach.ok(ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "health_case", "file_id": file_id}), 201)
    assert (preview["allowed"], preview["refused"]) == (3, 2)
    verdicts = {r["row"]: r for r in preview["rows"]}
    assert verdicts[6]["errors"] == [{"column": "discharge_date", "label": "出院日期",
                                      "message": "出院日期不能早于入院日期"}]
    assert verdicts[7]["errors"][0]["message"] == "与已录入的病案重复（住院号、入院日期相同）"

    committed = ach.ok(ach.call("doc", "POST", f"/api/v1/imports/{preview['import_id']}/commit"))
    assert committed["imported"] == 3 and len(committed["record_ids"]) == 3
    page = ach.records("doc", type="health_case")
    assert page["counts"]["draft"] == 4
    imported = ach.record("doc", committed["record_ids"][0])
    assert imported["fields"]["outcome"] == "好转"
    assert imported["fields"]["surgery_category"] == "治疗"
    assert imported["trail"][0]["note"] == f"Excel导入（导入批次{preview['import_id']}）"

    # 批量提交 of the imported 病案
    done = ach.ok(ach.call("doc", "POST", "/api/v1/records/submit",
                           json={"record_ids": committed["record_ids"]}))
    assert [i["status"] for i in done["items"]] == ["submitted"] * 3

    # the other targets need the record they go into; a person without the health
    # series cannot import 卫生-病案
    assert ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "cases", "file_id": file_id}).status_code == 422
    refused = ach.call("p1", "POST", "/api/v1/imports", json={
        "target": "health_case", "file_id": file_id})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "record.type_not_allowed"


def test_references_import_into_a_review(ach_docs):
    ach = ach_docs
    review = ach.new("doc", "health_review", {"name": "糖尿病综述"})
    workbook = ach.filled_template("doc", "references", [
        [1, TODAY.year, "糖尿病足的诊治"], [2, TODAY.year + 1, "未来的文献"],
        [3, TODAY.year - 1, "  糖尿病足的诊治 "], [4, TODAY.year - 1, "胰岛素泵的应用"]])
    file_id = ach.upload("doc", "import_workbook", "文献.xlsx", workbook)
    preview = ach.ok(ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "references", "record_id": review["id"], "file_id": file_id}), 201)
    verdicts = {r["row"]: r for r in preview["rows"]}
    assert verdicts[3]["status"] == "允许导入"
    assert verdicts[4]["errors"] == [{"column": "year", "label": "年度",
                                      "message": "年度不能晚于今年"}]
    assert verdicts[5]["status"] == "允许导入"  # another year: not the same reference
    assert preview["allowed"] == 3
    ach.ok(ach.call("doc", "POST", f"/api/v1/imports/{preview['import_id']}/commit"))
    view = ach.record("doc", review["id"])
    assert view["reference_count"] == 3
    assert view["rows_summary"] == {"total": 3, "recent": 3, "with_file": 0}

    # a workbook that is not the template is refused by the documents service
    wrong = ach.upload("doc", "import_workbook", "病案.xlsx",
                       ach.filled_template("doc", "cases", [[1, "X1", "甲", D1, D2]]))
    refused = ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "references", "record_id": review["id"], "file_id": wrong})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "workbook.header_mismatch"


def test_deleting_a_record_or_replacing_its_evidence_detaches_the_files(ach_docs):
    ach = ach_docs
    review = ach.new("doc", "health_review", {"name": "待删除的综述"})
    ref_file = ach.upload("doc", "health_reference", "文献1.png", png_bytes())
    detail = ach.ok(ach.call("doc", "POST", f"/api/v1/records/{review['id']}/rows", json={
        "fields": {"year": TODAY.year, "title": "文献一"}, "file_id": ref_file}), 201)
    assert detail["rows"][0]["file_id"] == ref_file
    assert ach.file_info("doc", ref_file)["attached"] is True

    assert ach.call("doc", "DELETE", f"/api/v1/records/{review['id']}").status_code == 204
    assert ach.file_info("doc", ref_file)["attached"] is False

    # evidence of a returned record replaced: the dropped file is detached
    first = ach.upload("p1", "work_history", "证明1.png", png_bytes("blue"))
    record = ach.new("p1", "work_history", {
        "unit_name": "宏景软件公司", "start_date": "2016-04-01", "end_date": "2017-04-01",
        "specialty": "软件", "position": "运维"}, evidence=[first], submit=True)
    assert ach.file_info("p1", first)["attached"] is True
    ach.decide(record["id"], "return", "证明不清晰")
    second = ach.upload("p1", "work_history", "证明2.png", png_bytes("green"))
    ach.ok(ach.edit("p1", record["id"], evidence=[second]))
    assert ach.file_info("p1", first)["attached"] is False
    ach.ok(ach.submit("p1", record["id"]))
    assert ach.file_info("p1", second)["attached"] is True
    # and a returned record deleted lets go of its evidence
    ach.decide(record["id"], "return", "请删除")
    assert ach.call("p1", "DELETE", f"/api/v1/records/{record['id']}").status_code == 204
    assert ach.file_info("p1", second)["attached"] is False
