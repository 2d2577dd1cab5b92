"""A record's evidence against its type's upload places, through the gateway with the
REAL documents service (issue 16, items 1 to 3):

* a record takes only files uploaded to its own type's places (a paper's .docx or an
  engineering project's 2.5 MB PDF are not a 工作经历's evidence), a reference only its
  own place's file, a 卫生-病案 none: 422, nothing changed;
* at 提交 every place the catalogue marks required holds a file (论文发表情况 besides the
  optional 论文查重附件; 卫生-专题's 查重文档附件), all problems listed at once;
* an Excel import read into a preview, committed or abandoned, frees its place: the
  11th import of the day is accepted."""
import datetime as dt

from services.documents.tests import samples

from .support import png_bytes, work_history

TODAY = dt.date.today()
RECENT = (TODAY - dt.timedelta(days=400)).isoformat()
RECENT_OUT = (TODAY - dt.timedelta(days=390)).isoformat()
MB = 1024 * 1024


def paper(**over):
    return {"title": "中国西部教育与区域发展研究", "publish_date": "2021-12-01",
            "journal": "重庆工商大学学报", "level": "国内期刊", "ranking": "1/5", **over}


def case(n):
    return {"admission_no": f"20210{n:05d}", "patient_name": f"病人{n}", "gender": "男",
            "age": 40 + n, "admission_date": RECENT, "discharge_date": RECENT_OUT}


def attachments(ach):
    return ach.scalar("SELECT count(*) FROM documents.attachments")


def error_of(response, status=422):
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_a_record_takes_only_files_of_its_own_types_places(ach_docs):
    ach = ach_docs
    big = ach.upload("p1", "engineering_project", "工程项目.pdf",
                     samples.pdf(padding=int(2.5 * MB)))
    docx = ach.upload("p1", "paper", "论文.docx", samples.docx())
    own = ach.upload("p1", "work_history", "工作证明.png", png_bytes())

    # 保存并提交 at once: refused, nothing saved, nothing attached
    refused = error_of(ach.create("p1", "work_history", work_history(),
                                  evidence=[own, big, docx], submit=True))
    assert refused["code"] == "record.invalid"
    assert refused["details"]["fields"] == {"evidence_file_ids": (
        "“工程项目.pdf”（上传于主持参与工程技术项目的“佐证材料”）、“论文.docx”（上传于"
        "论文发表情况的“论文发表情况”）不是“工作经历”的材料，请在本页的上传位置重新上传")}
    assert ach.records("p1")["total"] == 0
    assert attachments(ach) == 0

    # a draft holding them cannot be submitted either: it stays 编辑中, nothing attached
    draft = ach.new("p1", "work_history", work_history(), evidence=[big])
    refused = error_of(ach.submit("p1", draft["id"]))
    assert refused["code"] == "record.invalid"
    assert "“工程项目.pdf”" in refused["details"]["fields"]["evidence_file_ids"]
    assert ach.record("p1", draft["id"])["status"] == "draft"
    assert attachments(ach) == 0

    # its own place's file is what it takes
    ach.ok(ach.edit("p1", draft["id"], evidence=[own]))
    assert ach.ok(ach.submit("p1", draft["id"]))["status"] == "submitted"
    assert ach.file_info("p1", own)["attached"] is True
    assert ach.file_info("p1", big)["attached"] is False

    # 卫生-病案 has no upload place: any file is refused
    photo = ach.upload("doc", "work_history", "病案.png", png_bytes("green"))
    refused = error_of(ach.create("doc", "health_case", {
        "admission_no": "BA0001", "patient_name": "病人", "admission_date": RECENT,
        "discharge_date": RECENT_OUT, "admission_diagnosis": "肺炎",
        "discharge_diagnosis": "肺炎", "outcome": "治愈"}, evidence=[photo], submit=True))
    assert refused["details"]["fields"]["evidence_file_ids"] == (
        "“病案.png”（上传于工作经历的“佐证材料”）不能作为“卫生-病案”的材料：“卫生-病案”无需上传附件")


def test_a_references_file_comes_from_its_own_place(ach_docs):
    ach = ach_docs
    review = ach.new("doc", "health_review", {"name": "糖尿病综述"})
    diploma = ach.upload("doc", "education", "毕业证.png", png_bytes())
    answer = ach.call("doc", "POST", f"/api/v1/records/{review['id']}/rows", json={
        "fields": {"year": TODAY.year, "title": "糖尿病足的诊治"}, "file_id": diploma})
    refused = error_of(answer)
    assert refused["code"] == "file.slot_mismatch"
    assert refused["message"] == ("“毕业证.png”（上传于教育经历的“佐证材料”）不是此处的材料，"
                                  "只能使用卫生-综述的“参考文献附件”处上传的文件")
    assert ach.record("doc", review["id"])["rows"] == []
    assert attachments(ach) == 0

    own = ach.upload("doc", "health_reference", "文献.png", png_bytes("blue"))
    added = ach.ok(ach.call("doc", "POST", f"/api/v1/records/{review['id']}/rows", json={
        "fields": {"year": TODAY.year, "title": "糖尿病足的诊治"}, "file_id": own}), 201)
    row = added["rows"][0]
    # replacing it by a file of another place is refused too; the row keeps its file
    refused = error_of(ach.call("doc", "PATCH",
                                f"/api/v1/records/{review['id']}/rows/{row['id']}",
                                json={"file_id": diploma}))
    assert refused["code"] == "file.slot_mismatch"
    assert ach.record("doc", review["id"])["rows"][0]["file_id"] == own


def test_required_places_are_filled_at_submission(ach_docs):
    ach = ach_docs
    check = ach.upload("p1", "paper_check", "查重.docx", samples.docx())
    untitled = {k: v for k, v in paper().items() if k != "title"}
    record = ach.new("p1", "paper", untitled, evidence=[check])
    refused = error_of(ach.submit("p1", record["id"]))
    assert refused["code"] == "record.invalid"
    # every problem at once: the field and the empty required place
    assert refused["details"]["fields"] == {"title": "请输入论文名称",
                                            "evidence.paper": "请上传“论文发表情况”"}
    assert ach.record("p1", record["id"])["status"] == "draft"
    assert attachments(ach) == 0

    scan = ach.upload("p1", "paper", "论文.pdf", samples.pdf())
    ach.ok(ach.edit("p1", record["id"], fields={"title": "中国西部教育与区域发展研究"},
                    evidence=[check, scan]))
    assert ach.ok(ach.submit("p1", record["id"]))["status"] == "submitted"

    # 卫生-专题 with its ten case rows still needs the 查重文档附件
    topic = ach.new("doc", "health_topic", {"topic_type": "三新专题", "template_entry": True,
                                            "name": "胸痛中心建设专题"})
    for n in range(1, 11):
        ach.ok(ach.call("doc", "POST", f"/api/v1/records/{topic['id']}/rows",
                        json={"fields": case(n)}), 201)
    refused = error_of(ach.submit("doc", topic["id"]))
    assert refused["details"]["fields"] == {
        "evidence.health_topic_check": "请上传“查重文档附件”"}
    assert ach.record("doc", topic["id"])["status"] == "draft"
    # a .docx of another place does not fill it
    other = ach.upload("doc", "paper_check", "别处的查重.docx", samples.docx())
    ach.ok(ach.edit("doc", topic["id"], evidence=[other]))
    refused = error_of(ach.submit("doc", topic["id"]))
    assert set(refused["details"]["fields"]) == {"evidence_file_ids",
                                                 "evidence.health_topic_check"}
    own = ach.upload("doc", "health_topic_check", "专题查重.docx", samples.docx())
    ach.ok(ach.edit("doc", topic["id"], evidence=[own]))
    assert ach.ok(ach.submit("doc", topic["id"]))["status"] == "submitted"


def test_the_eleventh_import_of_a_day_is_accepted(ach_docs):
    ach = ach_docs
    rows = [[1, "BA0001", "病人1", RECENT, RECENT_OUT, "肺炎", "肺炎", "好转", "治疗"]]
    workbook = ach.filled_template("doc", "medical_records", rows)
    previews = []
    for n in range(11):  # ten abandoned previews, then one committed
        file_id = ach.upload("doc", "import_workbook", f"卫生-病案{n}.xlsx", workbook)
        previews.append(ach.ok(ach.call("doc", "POST", "/api/v1/imports", json={
            "target": "health_case", "file_id": file_id}), 201))
    committed = ach.ok(ach.call("doc", "POST",
                                f"/api/v1/imports/{previews[-1]['import_id']}/commit"))
    assert committed["imported"] == 1
    # and the next one after a committed import
    file_id = ach.upload("doc", "import_workbook", "卫生-病案12.xlsx", workbook)
    again = ach.ok(ach.call("doc", "POST", "/api/v1/imports", json={
        "target": "health_case", "file_id": file_id}), 201)
    assert again["allowed"] == 0  # the row is entered now: a duplicate
