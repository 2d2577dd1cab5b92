"""The Chongqing health-series declaration sections through the gateway, on the real
broker and database with fake identity, achievements and documents (health_support):
filling in every section of a 副高 临床 declaration, the manual's row limits, ordering,
the publicity flag, 专业考试成绩 for 副高 only, 查档情况 for 其他人员, the eligibility check,
import from the achievement library, editing only while editable, reviewers' marks."""
from services.contracts.printing import workload_items

from .health_support import (  # noqa: F401
    APPLICANT,
    APPLICANT_ID,
    HealthWorld,
    fill_everything,
    health_plan_body,
    health_record,
    hw,
    pdf,
)


def failed(check):
    return {r["code"]: r["message"] for r in check["rules"] if not r["passed"]}


def health_rules(check):
    return {r["code"]: r["passed"] for r in check["rules"] if r["code"].startswith("health:")}


def test_fill_every_section_of_a_deputy_senior_clinical_declaration(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]

    view = hw.health(did)
    assert view["editable"] is True and view["form_category"] is None
    assert view["exam_applicable"] is True and view["archive_required"] is False
    assert view["sections"]["basic"]["phone"] == "13812341234"      # from the profile
    assert view["sections"]["basic"]["current_title"] == "主治医师"
    assert view["sections"]["workload"]["years"] == [plan["year"] - 5 + i for i in range(5)]

    # Nothing but the category before the category (manual 4.3.1: chosen at the start).
    refused = hw.put_section(did, "study", {"rows": []}, status=409)
    assert refused["error"] == {"code": "health.category_required",
                                "message": "请先选择填报表格类别", "details": {}}
    check = hw.check(did)
    assert failed(check)["health:cover"] == "请先选择填报表格类别"

    categories = hw.ok(hw.get(f"/api/v1/declarations/{did}/health/form-categories", APPLICANT))
    assert [c["value"] for c in categories["items"]] == [
        "临床", "公卫", "中医药", "护理", "药学", "医技", "计划生育", "基层全科", "基层其他"]
    clinical = categories["items"][0]
    assert clinical["description"].startswith("专业为内科、外科、妇产科、儿科、口腔等")
    assert clinical["workload_items"] == list(workload_items("临床"))

    view = fill_everything(hw, did, "临床")
    s = view["sections"]
    assert view["form_category"] == "临床" and view["declaration_type"] == "正常晋升"
    assert [r["year"] for r in s["assessments"]["rows"]] == [2019, 2020, 2021, 2022, 2023]
    assert [r["content"] for r in s["study"]["rows"]] == ["重庆医科大学临床医学本科学习",
                                                          "四川大学华西医院心内科进修"]
    assert len(s["work"]["rows"]) == 8
    assert [r["publicity"] for r in s["achievements"]["rows"]] == [True, False]
    assert "publicity" not in s["achievements_before"]["rows"][0]   # not on the 公示表
    items = [r["item"] for r in s["workload"]["rows"]]
    assert items == list(workload_items("临床")) + ["义诊活动（次）"]
    assert s["workload"]["rows"][-1] | {"id": 0} == {
        "id": 0, "item": "义诊活动（次）", "values": ["1", "2", "2", "1", "3"],
        "publicity": False, "custom": True, "deleted": False, "mark": None,
        "source_record_id": None}
    assert s["exam"]["name"] == "重庆市卫生技术副高级专业能力考试"   # the manual's default
    assert s["exam"]["organiser"] == "重庆市卫生健康委员会"
    assert {f["file_name"] for f in view["files"]} >= {"工作总结.pdf", "一线证明.pdf"}
    ids = [r["id"] for r in s["work"]["rows"]]
    assert len(set(ids)) == 8

    # Every file went to documents, one subject each; the wrong bundle is refused.
    assert len(HealthWorld.attached) == len(view["files"])
    assert all(t == "declaration_health" for _, t, _ in HealthWorld.attached)
    stray = HealthWorld.file("cq_other", did, "别处.pdf", bundle="declaration:999")
    refused = hw.put_section(did, "others", {"rows": [{"label": "别处", "file_id": stray}]},
                             status=422)
    assert refused["error"]["code"] == "health.file_invalid"
    assert "120MB" in refused["error"]["message"]
    assert (stray, "declaration_health", f"{did}-{stray}") in HealthWorld.detached
    wrong_slot = HealthWorld.file("cq_paper", did, "错位.pdf")
    refused = hw.put_section(did, "summary", {"work_summary_file_id": wrong_slot}, status=422)
    assert refused["error"]["details"]["fields"] == {
        "work_summary_file_id": ["文件不是此处的印证材料（应上传到 cq_work_summary）"]}
    assert len(hw.health(did)["sections"]["others"]["rows"]) == 1     # nothing changed

    # With the personal information and an existing title the check passes.
    hw.personal_and_title(did)
    check = hw.check(did)
    assert check["passed"] is True, failed(check)
    assert health_rules(check) == dict.fromkeys([
        "health:cover", "health:basic", "health:assessments", "health:study", "health:work",
        "health:achievements", "health:workload", "health:papers", "health:exam",
        "health:summary", "health:integrity", "health:marks"], True)

    submitted = hw.ok(hw.post(f"/api/v1/declarations/{did}/submit", APPLICANT))
    assert submitted["status"] == "submitted"
    frozen = hw.health(did)
    assert frozen["frozen"] is True and frozen["editable"] is False
    assert frozen["sections"] == s | {"others": frozen["sections"]["others"]}
    # Editing is over until a return.
    refused = hw.put_section(did, "integrity", {"other": "有"}, status=409)
    assert refused["error"]["code"] == "declaration.not_editable"
    # The reviewing unit sees the sections, the phone number masked.
    seen = hw.ok(hw.get(f"/api/v1/declarations/{did}/health", "b1"))
    assert seen["sections"]["basic"]["phone"] == "138****1234" and seen["editable"] is False
    assert hw.error(hw.get(f"/api/v1/declarations/{did}/health", "p1"), 404)["code"] == \
        "declaration.not_found"


def test_row_limits_ordering_and_publicity_flags(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    hw.put_section(did, "cover", {"form_category": "中医药"})
    work = [{"period": f"{2000 + i}.01-{2000 + i}.12", "unit": f"单位{i}", "work": "临床",
             "title": "医师"} for i in range(9)]
    refused = hw.put_section(did, "work", {"rows": work}, status=422)
    assert refused["error"]["code"] == "request.invalid"
    assert refused["error"]["details"]["fields"] == {"rows": ["工作经历最多只能填写 8 行"]}
    assert hw.health(did)["sections"]["work"]["rows"] == []
    study = [{"period": "2001.01-2001.12", "content": f"进修{i}"} for i in range(9)]
    refused = hw.put_section(did, "study", {"rows": study}, status=422)
    assert refused["error"]["details"]["fields"] == {"rows": ["学习培训经历最多只能填写 8 行"]}
    papers = [{"date": "2020.01", "title": f"论文{i}"} for i in range(7)]
    refused = hw.put_section(did, "papers", {"rows": papers}, status=422)
    assert refused["error"]["details"]["fields"] == {"rows": ["论文及学术报告最多只能填写 6 行"]}
    achievements = [{"period": "2020.01-2020.12", "name": f"业绩{i}"} for i in range(11)]
    refused = hw.put_section(did, "achievements", {"rows": achievements}, status=422)
    assert refused["error"]["details"]["fields"] == {
        "rows": ["任现职以来主要专业技术工作业绩最多只能填写 10 行"]}

    # Row validation in Chinese.
    refused = hw.put_section(did, "work", {"rows": [
        {"period": "2004年7月", "unit": "某医院"}, {"period": "2010.01-2008.01", "unit": "某医院"},
        {"period": "2010.01-至今"}]}, status=422)
    assert refused["error"]["details"]["fields"] == {
        "rows.0.period": ["起止时间格式应为 2004.09-2007.09（至今的写 2004.09-至今）"],
        "rows.1.period": ["开始时间不能晚于结束时间"],
        "rows.2.unit": ["此项为必填项"]}
    refused = hw.put_section(did, "assessments", {"rows": [
        {"year": 2021, "result": "合格"}, {"year": 2021, "result": "优秀"}]}, status=422)
    assert refused["error"]["details"]["fields"] == {"rows": ["同一年度只能填写一次"]}

    # Ordering: the list as given; 上移 / 下移 move a row; nothing at either end.
    rows = hw.put_section(did, "work", {"rows": work[:3]})["sections"]["work"]["rows"]
    first, second, third = (r["id"] for r in rows)
    path = f"/api/v1/declarations/{did}/health/work/rows"
    moved = hw.ok(hw.post(f"{path}/{third}/move", APPLICANT, {"direction": "up"}))
    assert [r["id"] for r in moved["sections"]["work"]["rows"]] == [first, third, second]
    moved = hw.ok(hw.post(f"{path}/{first}/move", APPLICANT, {"direction": "up"}))
    assert [r["id"] for r in moved["sections"]["work"]["rows"]] == [first, third, second]
    assert hw.error(hw.post(f"{path}/999/move", APPLICANT, {"direction": "up"}), 404)["code"] \
        == "health.row_not_found"
    # Saving with the ids keeps them (and their order); a new row gets a new id.
    kept = hw.put_section(did, "work", {"rows": [
        {**work[1], "id": second}, {**work[0], "id": first, "publicity": False}, work[5]]})
    rows = kept["sections"]["work"]["rows"]
    assert [r["id"] for r in rows[:2]] == [second, first] and rows[2]["id"] > third
    assert [r["publicity"] for r in rows] == [True, False, True]

    # The workload follows the category; changing it regenerates the items, keeping the
    # values of the same items and the rows the declarant added.
    view = hw.health(did)
    assert [r["item"] for r in view["sections"]["workload"]["rows"]] == \
        list(workload_items("中医药"))
    rows = [{"id": r["id"], "item": r["item"], "values": ["1"] * 5}
            for r in view["sections"]["workload"]["rows"]]
    hw.put_section(did, "workload", {"rows": rows + [{"item": "义诊（次）", "values": ["2"]}]})
    view = hw.put_section(did, "cover", {"form_category": "护理"})
    rows = view["sections"]["workload"]["rows"]
    assert [r["item"] for r in rows] == list(workload_items("护理")) + ["义诊（次）"]
    assert rows[0]["values"] == ["1"] * 5                  # 专业工作时间（周） in both lists
    assert rows[1]["values"] == [""] * 5
    assert rows[-1]["values"] == ["2", "", "", "", ""]
    refused = hw.put_section(did, "workload", {"rows": [{"item": "x", "values": ["1"] * 6}]},
                             status=422)
    assert refused["error"]["details"]["fields"] == {"rows.0.values": ["最多填写 5 个年度的数值"]}
    refused = hw.put_section(did, "workload", {"years": [2021, 2022], "rows": [
        {"item": "x", "values": ["1", "2", "3"]}]}, status=422)
    assert refused["error"]["message"] == "第 1 行工作量数值的列数多于年度数"


def test_exam_scores_are_for_deputy_senior_declarations_only(hw):
    plan = hw.health_plan(level="intermediate", name="2024年度重庆市卫生系列中级职称评审")
    did = hw.health_declaration(plan, title="主治医师")["id"]
    view = hw.put_section(did, "cover", {"form_category": "临床"})
    assert view["exam_applicable"] is False
    refused = hw.put_section(did, "exam", {"mode": "参加考试", "date": "2024-05-18",
                                           "specialty": "内科学", "score": "70"}, status=409)
    assert refused["error"]["code"] == "health.exam_not_applicable"
    assert refused["error"]["message"] == "专业考试成绩只有申报副高的才填写"
    assert hw.health(did)["sections"]["exam"] is None
    assert "health:exam" not in health_rules(hw.check(did))


def test_exam_modes_of_a_deputy_senior_declaration(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    hw.put_section(did, "cover", {"form_category": "基层全科"})
    refused = hw.put_section(did, "exam", {"mode": "参加考试"}, status=422)
    assert refused["error"]["details"]["fields"] == {
        "date": ["参加考试的须填写此项"], "specialty": ["参加考试的须填写此项"],
        "score": ["参加考试的须填写此项"]}
    assert failed(hw.check(did))["health:exam"] == "申报副高须填写专业考试成绩"
    view = hw.put_section(did, "exam", {"mode": "基层年龄免考", "score": "99"})
    assert view["sections"]["exam"]["mode"] == "基层年龄免考"
    assert view["sections"]["exam"]["score"] == ""          # 免考: no score
    assert health_rules(hw.check(did))["health:exam"] is True
    hw.put_section(did, "exam", {"mode": "一线医务人员免考"})
    assert failed(hw.check(did))["health:exam"] == "选择“一线医务人员免考”的须为一线医务人员"


def test_archive_check_is_required_for_other_persons(hw):
    HealthWorld.identities[APPLICANT_ID] = "other"
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    view = hw.health(did)
    assert view["archive_required"] is True
    assert view["archive_template"].startswith("经查阅何文同志人事档案")
    fill_everything(hw, did)
    hw.personal_and_title(did)
    check = hw.check(did)
    assert failed(check) == {
        "health:archive": "申报人员身份为其他人员，须填写查档情况内容、查档情况印证材料"}
    refused = hw.error(hw.post(f"/api/v1/declarations/{did}/submit", APPLICANT), 409)
    assert refused["code"] == "declaration.ineligible"
    hw.put_section(did, "archive", {"content": "经查阅何文同志人事档案，档案记载与申报材料一致。",
                                    "file_id": pdf("cq_archive_check", did, "查档.pdf")})
    assert hw.check(did)["passed"] is True

    # A staff member (事业编制人员) does not need it.
    HealthWorld.identities[APPLICANT_ID] = "staff"
    hw.put_section(did, "archive", {"content": "", "file_id": None})
    check = hw.check(did)
    assert check["passed"] is True and "health:archive" not in health_rules(check)
    assert (check["rules"] and hw.health(did)["archive_required"] is False)


def test_the_check_names_what_is_missing(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    hw.put_section(did, "cover", {"form_category": "临床"})
    hw.put_section(did, "basic", {"frontline": True, "ethics_satisfaction": 90})
    hw.put_section(did, "achievements", {"rows": [
        {"period": "2020.01-2020.12", "name": "业绩一"}]})
    hw.put_section(did, "integrity", {"checked": ["医疗责任事故"], "other": "无",
                                      "explanation": "无"})
    problems = failed(hw.check(did))
    assert problems["health:basic"].startswith("基本信息未填写：卫生支农年限、近5年内继续教育情况")
    assert problems["health:basic"].endswith("一线医务人员资格证明")
    assert problems["health:achievements"] == "第 1 行未上传印证材料"
    assert problems["health:assessments"] == "请填写现职以来年度考核"
    assert problems["health:workload"].endswith("请上传签字盖章后的工作量")
    assert problems["health:summary"] == \
        "请上传工作总结、临床业绩和临床能力考核鉴定、一线医务人员工作业绩鉴定"
    assert problems["health:integrity"] == \
        "申报诚信情况未填写：公示开始时间、公示结束时间、所勾选情况的具体情形说明"


def test_import_work_history_from_approved_records(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    hw.put_section(did, "cover", {"form_category": "临床"})
    health_record(31, "work_history", "合肥市第一人民医院", unit_name="合肥市第一人民医院心内科",
                  start_date="2004-07-01", end_date="2010-06-30", specialty="心内科临床",
                  position="住院医师")
    health_record(32, "work_history", "合肥市第一人民医院", unit_name="合肥市第一人民医院",
                  start_date="2010-07-01", until_now=True, specialty="心内科临床",
                  position="主治医师")
    health_record(33, "work_history", "某诊所", unit_name="某诊所", start_date="2003-01-01",
                  end_date="2003-12-31", specialty="全科", position="医师", status="submitted")
    health_record(34, "work_history", "别人的医院", person_id=77, unit_name="别人的医院",
                  start_date="2001-01-01", end_date="2002-01-01", specialty="外科",
                  position="医师")
    health_record(35, "annual_assessment", "2021年度考核", year=2021, grade="优秀")

    offered = hw.ok(hw.get(f"/api/v1/declarations/{did}/health/work/import", APPLICANT))
    assert [o["record_id"] for o in offered] == [32, 31]     # approved, the person's own
    assert offered[1]["row"] == {"period": "2004.07-2010.06", "unit": "合肥市第一人民医院心内科",
                                 "work": "心内科临床", "title": "住院医师", "publicity": True}
    assert offered[0]["row"]["period"] == "2010.07-至今"
    assert not any(o["imported"] for o in offered)

    hw.put_section(did, "work", {"rows": [{"period": "2001.07-2004.06", "unit": "实习医院",
                                           "work": "实习"}]})
    view = hw.ok(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                         {"record_ids": [31, 32]}))
    rows = view["sections"]["work"]["rows"]
    assert [(r["unit"], r["title"], r["source_record_id"]) for r in rows] == [
        ("实习医院", "", None), ("合肥市第一人民医院心内科", "住院医师", 31),
        ("合肥市第一人民医院", "主治医师", 32)]
    offered = hw.ok(hw.get(f"/api/v1/declarations/{did}/health/work/import", APPLICANT))
    assert all(o["imported"] for o in offered)

    again = hw.error(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                             {"record_ids": [31]}), 409)
    assert again["code"] == "health.import_exists"
    pending = hw.error(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                               {"record_ids": [33]}), 409)
    assert pending["message"] == "只能导入本人审核通过的业绩"
    foreign = hw.error(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                               {"record_ids": [34]}), 404)
    assert foreign["code"] == "record.not_found"
    wrong = hw.error(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                             {"record_ids": [35]}), 422)
    assert wrong["code"] == "health.import_type_invalid"
    assert hw.error(hw.get(f"/api/v1/declarations/{did}/health/exam/import", APPLICANT),
                    404)["code"] == "health.import_unavailable"
    # The rows stay editable (and keep where they came from).
    rows[1]["title"] = "住院医师（规培）"
    view = hw.put_section(did, "work", {"rows": [
        {k: v for k, v in r.items() if k in ("id", "period", "unit", "work", "title")}
        for r in rows]})
    assert view["sections"]["work"]["rows"][1]["source_record_id"] == 31

    # The 8-row limit holds for imports too.
    hw.put_section(did, "work", {"rows": [
        {"period": "2001.01-2001.12", "unit": f"单位{i}"} for i in range(7)]})
    health_record(36, "work_history", "又一家", unit_name="又一家", start_date="2011-01-01",
                  end_date="2012-01-01", specialty="临床", position="医师")
    full = hw.error(hw.post(f"/api/v1/declarations/{did}/health/work/import", APPLICANT,
                            {"record_ids": [31, 36]}), 422)
    assert full["message"] == "工作经历最多只能填写 8 行，已填写 7 行"

    # 年度考核 import by year.
    view = hw.ok(hw.post(f"/api/v1/declarations/{did}/health/assessments/import", APPLICANT,
                         {"record_ids": [35]}))
    assert [(r["year"], r["result"]) for r in view["sections"]["assessments"]["rows"]] == \
        [(2021, "优秀")]


def test_sections_only_for_health_series_and_only_by_the_applicant(hw):
    from .declaration_support import plan_body

    teachers = hw.ok(hw.post("/api/v1/plans", "hr", plan_body(sections=[])), 201)
    hw.ok(hw.post(f"/api/v1/plans/{teachers['id']}/publish", "hr"))
    did = hw.ok(hw.declare(teachers["id"], "p1"), 201)["id"]
    refused = hw.error(hw.get(f"/api/v1/declarations/{did}/health", "p1"), 409)
    assert refused["code"] == "health.not_applicable"
    assert not [r for r in hw.check(did, "p1")["rules"] if r["code"].startswith("health:")]

    plan = hw.health_plan()
    hid = hw.health_declaration(plan)["id"]
    hw.health(hid)
    stranger = hw.put(f"/api/v1/declarations/{hid}/health/cover", "p1",
                      {"form_category": "临床"})
    assert stranger.status_code == 404
    admin = hw.put(f"/api/v1/declarations/{hid}/health/cover", "b1", {"form_category": "临床"})
    assert admin.status_code == 403
    unknown = hw.put(f"/api/v1/declarations/{hid}/health/cover", APPLICANT,
                     {"form_category": "外科"})
    assert unknown.status_code == 422


def test_reviewer_marks_a_row_deleted_and_the_applicant_fixes_it_after_a_return(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    view = fill_everything(hw, did)
    hw.personal_and_title(did)
    hw.ok(hw.post(f"/api/v1/declarations/{did}/submit", APPLICANT))
    row = view["sections"]["work"]["rows"][2]
    path = f"/api/v1/declarations/{did}/health/work/rows/{row['id']}/mark"

    # Only the unit reviewing it now may mark: the plan's HR department sees it but does
    # not review it yet; the competent department does not even see it yet.
    assert hw.error(hw.post(path, "hr", {"deleted": True}), 409)["code"] == \
        "declaration.not_under_your_review"
    assert hw.error(hw.post(path, "health", {"deleted": True}), 404)["code"] == \
        "declaration.not_found"
    marked = hw.ok(hw.post(path, "b1", {"deleted": True, "reason": "与职称证书不符"}))
    got = marked["sections"]["work"]["rows"][2]
    assert got["deleted"] is True and got["mark"]["reason"] == "与职称证书不符"
    assert got["mark"]["unit_name"] == "合肥市第一人民医院"
    history = hw.ok(hw.get(f"/api/v1/declarations/{did}/history", APPLICANT))
    assert any(e["action"] == "item_marked" and e["changes"]["health_section"] == "work"
               for e in history)

    hw.decide("b1", did, "return", "工作经历第3行有误，请修改")
    mine = hw.health(did)
    assert mine["editable"] is True
    assert mine["sections"]["work"]["rows"][2]["deleted"] is True      # greyed for the applicant
    assert failed(hw.check(did))["health:marks"] == \
        "以下内容被审核单位标记删除，请修改或删除后再提交：工作经历（1 行）"
    rows = [{k: v for k, v in r.items() if k in ("id", "period", "unit", "work", "title")}
            for r in mine["sections"]["work"]["rows"]]
    same = hw.put_section(did, "work", {"rows": rows})
    assert same["sections"]["work"]["rows"][2]["deleted"] is True      # unchanged: still marked
    rows[2]["title"] = "主治医师"
    fixed = hw.put_section(did, "work", {"rows": rows})
    assert fixed["sections"]["work"]["rows"][2]["deleted"] is False
    assert hw.check(did)["passed"] is True


def test_a_standard_profile_health_plan_takes_no_chongqing_form(hw):
    """issue 16.9 (Anhui FAQ 7: the organiser decides what an applicant fills): an Anhui
    卫生系列 plan with the standard profile is submitted without 医德医风满意度, 卫生支农年限
    or a signed 工作量; a health plan without a profile keeps the Chongqing form."""
    default = hw.ok(hw.post("/api/v1/plans", "hr", health_plan_body()), 201)
    assert default["form_profile"] == "chongqing_health"
    plan = hw.health_plan(name="安徽省卫生系列高级职称评审",
                          committee="安徽省卫生系列高级职称评审委员会", form_profile="standard")
    assert (plan["form_profile"], plan["form_profile_label"]) == (
        "standard", "标准评审表（导入业绩）")
    did = hw.health_declaration(plan)["id"]
    refused = hw.error(hw.get(f"/api/v1/declarations/{did}/health", APPLICANT), 409)
    assert refused["code"] == "health.not_applicable"
    hw.personal_and_title(did)
    check = hw.check(did)
    assert not health_rules(check)
    assert not failed(check), failed(check)
    submitted = hw.ok(hw.post(f"/api/v1/declarations/{did}/submit", APPLICANT))
    assert submitted["status"] == "submitted"
