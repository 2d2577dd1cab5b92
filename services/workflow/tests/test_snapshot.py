"""The printing contract of workflow (docs/printing.md, "What workflow answers") on the
real broker and database: print_snapshot of a filled health-series declaration validates
with the printing library's SnapshotSchema and renders as 评审表 and 公示表 (the library
called here directly), reviewer-deleted rows and items flagged, each level's opinion,
``final`` only after the top level; print settings saved with the declaration; the
roster paged by id through 1,200 declarations with its filters."""
import datetime as dt
import io
import re

import pytest
from sqlalchemy import insert

from services.common.errors import Forbidden, Invalid, NotFound
from services.contracts.printing import SnapshotSchema
from services.documents.printing import (
    DEFAULT_COLUMNS,
    load_snapshot,
    render_publicity_table,
    render_review_form,
    roster_row,
    write_roster,
)

from .declaration_support import EDU, SCHOOL_A, World, plan_body
from .health_support import (  # noqa: F401
    APPLICANT,
    APPLICANT_ID,
    HEALTH,
    SCHOOL_B,
    fill_everything,
    hw,
)

ROSTER_KEYS = {c.key for c in DEFAULT_COLUMNS} - {"no"}


def pdf_text(pdf):
    """The PDF's text with whitespace removed (pdftotext)."""
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True,
                             check=True).stdout
    return re.sub(r"\s+", "", out)


def pages(pdf):
    assert pdf.startswith(b"%PDF")
    return len(re.findall(rb"/Type /Page\b", pdf))


def snapshot_of(hw, token, did):
    with hw.rpc(token) as workflow:
        return workflow.print_snapshot(did)


def submitted_declaration(hw):
    """A 副高 临床 declaration with every section filled, one imported paper, submitted."""
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    fill_everything(hw, did)
    hw.personal_and_title(did)
    World.add_record(41, APPLICANT_ID, "paper", "急性心梗PCI术后随访研究",
                     journal="重庆医学", publish_date="2020-05-01")
    World.records[41]["display"] = [
        {"key": "title", "label": "论文名称", "value": "急性心梗PCI术后随访研究"},
        {"key": "journal", "label": "发布刊物", "value": "重庆医学"},
        {"key": "ranking", "label": "个人排名", "value": {"rank": 1, "total": 4}}]
    hw.ok(hw.post(f"/api/v1/declarations/{did}/sections/papers/items", APPLICANT,
                  {"record_ids": [41]}), 201)
    before = snapshot_of(hw, APPLICANT, did)
    hw.ok(hw.post(f"/api/v1/declarations/{did}/submit", APPLICANT))
    return plan, did, before


def test_print_snapshot_renders_flags_deletions_and_is_final_after_the_top_level(hw):
    plan, did, before = submitted_declaration(hw)
    # Before submission: the live data, the applicant's own.
    assert before["snapshot"]["status"] == "编辑中" and before["snapshot"]["final"] is False
    assert before["snapshot"]["declaration"]["submitted_at"] == ""
    load_snapshot(before["snapshot"])

    detail = hw.ok(hw.get(f"/api/v1/declarations/{did}", "b1"))
    item_id = next(s for s in detail["sections"] if s["code"] == "papers")["items"][0]["id"]
    hw.ok(hw.post(f"/api/v1/declarations/{did}/items/{item_id}/mark", "b1",
                  {"deleted": True, "reason": "与申报专业无关"}))
    work_row = hw.health(did)["sections"]["work"]["rows"][2]["id"]
    hw.ok(hw.post(f"/api/v1/declarations/{did}/health/work/rows/{work_row}/mark", "b1",
                  {"deleted": True}))

    answer = snapshot_of(hw, "b1", did)
    assert (answer["declaration_id"], answer["person_id"]) == (did, APPLICANT_ID)
    assert answer["photo_file_id"] == 7 and answer["print_settings"] is None
    snap = answer["snapshot"]
    assert SnapshotSchema().validate(snap) == {}
    loaded = load_snapshot(snap)
    assert snap["status"] == "审核中" and snap["final"] is False
    assert snap["plan"] | {"plan_id": 0} == {
        "plan_id": 0, "year": plan["year"], "name": plan["name"], "region": "合肥市",
        "series": "卫生系列", "level": "副高", "committee": "重庆市卫生系列高级职务评委会",
        "organiser": "合肥市中小学教师高级职称评审委员会办公室"}
    assert snap["declaration"]["form_category"] == "临床"
    assert snap["declaration"]["declaration_type"] == "正常晋升"
    assert snap["declaration"]["applied_title"] == "副主任医师"
    assert snap["declaration"]["ethics_satisfaction"] == "96"
    assert snap["declaration"]["rural_support_years"] == "1.5"
    assert snap["declaration"]["frontline"] is True
    person = snap["person"]
    assert (person["name"], person["gender"], person["id_number"], person["phone"]) == (
        "何文", "男", "34010419850707001X", "13812341234")
    assert person["nation"] == "汉族" and person["work_start_date"] == "2012-08-01"
    assert person["education"]["school"] == "重庆医科大学"
    assert person["degree"]["name"] == "学士"
    assert [r["deleted"] for r in snap["work"]] == [False, False, True] + [False] * 5
    assert [r["publicity"] for r in snap["achievements"]] == [True, False]
    assert snap["achievements_before"][0]["publicity"] is False
    assert [i["deleted"] for i in snap["items"]] == [True]
    assert snap["items"][0]["section"] == "论文著作"
    assert snap["items"][0]["columns"] == [
        {"label": "论文名称", "value": "急性心梗PCI术后随访研究"},
        {"label": "发布刊物", "value": "重庆医学"}, {"label": "个人排名", "value": "1/4"}]
    assert snap["workload"]["years"] == [plan["year"] - 5 + i for i in range(5)]
    assert snap["workload"]["rows"][-1]["publicity"] is False
    assert snap["exam"]["mode"] == "参加考试" and snap["exam"]["score"] == "78"
    assert [m["kind"] for m in snap["summary_materials"]] == [
        "workload", "work_summary", "clinical_assessment", "frontline_assessment"]
    assert snap["summary_materials"][1]["file_name"] == "工作总结.pdf"
    assert snap["other_attachments"][0]["file_name"] == "支援证明.pdf"
    assert snap["archive_check"] is None          # 事业编制人员
    assert snap["integrity"]["publicity_from"] == "2024-07-22"
    assert snap["opinions"] == []
    assert loaded["declaration"]["submitted_at"] == snap["declaration"]["submitted_at"] != ""

    review_form = render_review_form(snap)
    assert pages(review_form) >= 5
    publicity = render_publicity_table(snap)
    assert pages(publicity) == 1

    # The employer's saved 单位推荐意见 is its 基层单位意见, signed by the 负责人 it names
    # on its 签字时间 (manual 推荐情况), from the moment it is saved.
    hw.ok(hw.recommend("b1", did, opinion="该同志业务能力强，同意推荐。", signer="李卫东",
                       signed_on="2024-07-30"))
    snap = snapshot_of(hw, "b1", did)["snapshot"]
    assert snap["opinions"] == [{"level": "基层单位意见", "unit_name": "合肥市第一人民医院",
                                 "opinion": "该同志业务能力强，同意推荐。", "signer": "李卫东",
                                 "signed_on": "2024-07-30"}]
    # Opinions level by level; final only once the organiser (the top level) approved.
    hw.decide("b1", did, "approve", "审核通过")
    hw.decide("health", did, "approve", "经审核，符合申报条件，同意推荐。")
    hw.decide("hr", did, "approve", "同意。")
    snap = snapshot_of(hw, "health", did)["snapshot"]
    assert snap["final"] is False
    assert [(o["level"], o["unit_name"], o["opinion"], o["signer"]) for o in snap["opinions"]] \
        == [("基层单位意见", "合肥市第一人民医院", "该同志业务能力强，同意推荐。", "李卫东"),
            ("主管部门意见", "合肥市卫生健康委员会", "经审核，符合申报条件，同意推荐。", "孙丽"),
            ("人社部门意见", "合肥市人力资源和社会保障局", "同意。", "钱芳")]
    assert snap["opinions"][0]["signed_on"] == "2024-07-30"
    assert snap["opinions"][1]["signed_on"] == dt.datetime.now(
        dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    form = render_review_form(snap)
    assert all(text in pdf_text(form) for text in (
        "该同志业务能力强，同意推荐。", "负责人签名：李卫东", "签字时间：2024-07-30"))
    hw.decide("org", did, "approve", "评审通过。")
    snap = snapshot_of(hw, APPLICANT, did)["snapshot"]
    assert snap["final"] is True and snap["status"] == "审核通过"
    assert len(snap["opinions"]) == 4 and snap["opinions"][-1]["level"] == "评委会组建单位意见"
    assert pages(render_review_form(snap)) >= 5
    assert pages(render_publicity_table(load_snapshot(snap))) == 1

    # Who may print: the applicant, units it was before, the plan's HR and organiser.
    for token in ("b1", "health", "hr", "org", APPLICANT):
        assert snapshot_of(hw, token, did)["declaration_id"] == did
    for token in ("p1", "edu", "a1"):
        with pytest.raises(NotFound):
            snapshot_of(hw, token, did)


def test_print_snapshot_refuses_other_series_and_undecided_categories(hw):
    teachers = hw.ok(hw.post("/api/v1/plans", "hr", plan_body(sections=[])), 201)
    hw.ok(hw.post(f"/api/v1/plans/{teachers['id']}/publish", "hr"))
    other = hw.ok(hw.declare(teachers["id"], "p1"), 201)["id"]
    with hw.rpc("p1") as workflow, pytest.raises(Exception) as refused:
        workflow.print_snapshot(other)
    assert refused.value.code == "print.not_applicable"
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    with hw.rpc(APPLICANT) as workflow:
        with pytest.raises(Exception) as refused:
            workflow.print_snapshot(did)
        assert refused.value.code == "print.category_required"
        with pytest.raises(NotFound):
            workflow.print_snapshot(99999)


def test_print_settings_are_saved_with_the_declaration(hw):
    plan = hw.health_plan()
    did = hw.health_declaration(plan)["id"]
    fill_everything(hw, did)
    path = f"/api/v1/declarations/{did}/print-settings"
    saved = hw.ok(hw.put(path, APPLICANT, {"review_form": {
        "basic": {"font_size": 12, "blank_rows": 2, "row_height": None},
        "workload": {"row_height": 24}}}))
    assert saved["print_settings"]["review_form"]["basic"] == {
        "font_size": 12.0, "blank_rows": 2, "row_height": None}
    assert saved["print_settings"]["publicity"] == {"font_size": None, "sections": {}}
    saved = hw.ok(hw.put(path, APPLICANT, {"publicity": {
        "font_size": 8, "sections": {"study": {"blank_rows": 3}}}}))
    assert saved["print_settings"]["review_form"]["workload"]["row_height"] == 24.0  # kept
    assert saved["print_settings"]["publicity"]["sections"]["study"]["blank_rows"] == 3

    answer = snapshot_of(hw, APPLICANT, did)
    assert answer["print_settings"] == saved["print_settings"]
    assert answer["snapshot"]["print_settings"] == saved["print_settings"]
    assert pages(render_review_form(answer["snapshot"])) >= 5
    assert pages(render_publicity_table(answer["snapshot"])) == 1

    # Out of range: refused by the gateway's schema, and by workflow itself.
    assert hw.put(path, APPLICANT, {"review_form": {"basic": {"font_size": 99}}}).status_code \
        == 422
    with hw.rpc(APPLICANT) as workflow:
        with pytest.raises(Invalid) as refused:
            workflow.save_print_settings(did, {"review_form": {"cover": {"blank_rows": 61}}})
        assert refused.value.code == "print.settings_invalid"
        with pytest.raises(Invalid):
            workflow.save_print_settings(did, {"review_form": {"nope": {"font_size": 10}}})
        with pytest.raises(Invalid):
            workflow.save_print_settings(did, {"colour": "red"})
    assert snapshot_of(hw, APPLICANT, did)["print_settings"] == saved["print_settings"]
    # Strangers may not.
    assert hw.put(path, "p1", {"publicity": {"font_size": 8}}).status_code == 404
    assert hw.put(path, "b1", {"publicity": {"font_size": 8}}).status_code == 404  # a draft


# --------------------------------------------------------------------------- roster

ROSTER_SIZE = 1200
STATUSES = ("submitted", "approved", "returned", "rejected", "terminated")


def seed_roster(hw, plans):
    """1,200 declarations straight into the database: two plans, two employer units
    (SCHOOL_B under HEALTH, SCHOOL_A under EDU), statuses, levels, specialties, the
    review processes and tasks of those submitted, health sections for every other one."""
    from services.workflow.declarations.models import Declaration, DeclarationHealth
    from services.workflow.engine.models import Process, Task

    now = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    declarations, expected = [], {}
    for i in range(1, ROSTER_SIZE + 1):
        unit = SCHOOL_B if i % 3 else SCHOOL_A
        plan = plans[i % 2]
        draft = i % 10 == 0
        status = "draft" if draft else STATUSES[i % len(STATUSES)]
        row = {
            "id": 10_000 + i, "plan_id": plan["id"], "year": plan["year"],
            "person_id": 100_000 + i, "person_name": f"申报人{i:04d}", "form": "regular",
            "series": "卫生技术人员", "specialty": "中医内科学" if i % 5 == 0 else "内科学",
            "title": "副主任医师" if plan["level"] == "deputy_senior" else "主治医师",
            "level": plan["level"], "unit_id": unit, "unit_name": f"单位{unit}",
            "status": status, "pledge_text": "承诺", "pledge_accepted_at": now,
            "person": {"person_id": 100_000 + i, "name": f"申报人{i:04d}",
                       "gender_label": "女" if i % 2 else "男", "birth_date": "1980-01-02",
                       "id_number": f"34010419800102{i:04d}", "education_label": "硕士研究生",
                       "title_name": "主治医师"},
            "personal": {"work_start_date": "2004-07-01"}, "titles": [], "chain": [],
            "first_submitted_at": None if draft else now,
            "submitted_at": None if draft else now + dt.timedelta(minutes=i),
            "created_at": now, "updated_at": now, "version": 1,
        }
        declarations.append(row)
        expected[row["person_name"]] = row
    health_rows = [{
        "declaration_id": row["id"], "form_category": "临床", "declaration_type": "破格晋升",
        "applicant_identity": "staff", "next_row_id": 1, "created_at": now, "updated_at": now,
        "sections": {"basic": {"phone": f"139{row['id']:08d}", "current_title": "主治医师",
                               "years_in_title": "8", "education": {"name": "大学本科"}}},
        "frozen": {"form_category": "临床", "declaration_type": "破格晋升",
                   "sections": {"basic": {"phone": f"139{row['id']:08d}",
                                          "current_title": "主治医师", "years_in_title": "8",
                                          "education": {"name": "大学本科"}}}}}
        for row in declarations if row["id"] % 2 == 0]
    processes, tasks = [], []
    for row in declarations:
        if row["first_submitted_at"] is None:
            continue
        pid = row["id"]
        processes.append({
            "id": pid, "kind": "declaration", "subject_service": "workflow",
            "subject_type": "declaration", "subject_id": str(pid), "title": "申报",
            "applicant_person_id": row["person_id"], "applicant_name": row["person_name"],
            "applicant_unit_id": row["unit_id"], "summary": {}, "request": {},
            "status": "open" if row["status"] == "submitted" else row["status"],
            "current_step": 0, "step_count": 4, "submitted_at": now})
        tasks.append({"process_id": pid, "step_index": 0, "unit_id": row["unit_id"],
                      "unit_name": row["unit_name"], "state": "decided", "created_at": now})
        competent = HEALTH if row["unit_id"] == SCHOOL_B else EDU
        if row["status"] != "returned":
            tasks.append({"process_id": pid, "step_index": 1, "unit_id": competent,
                          "unit_name": "主管部门", "state": "open", "created_at": now})
    with hw.engine.begin() as conn:
        conn.execute(insert(Declaration.__table__), declarations)
        conn.execute(insert(DeclarationHealth.__table__), health_rows)
        conn.execute(insert(Process.__table__), processes)
        conn.execute(insert(Task.__table__), tasks)
    return expected


def all_rows(hw, token, filters, limit=500):
    """Every page of roster_page; the rows and the pages' sizes."""
    full = {"scope": "level", "status": None, "level": None, "plan_id": None,
            "specialty": None, "name": None, **filters}
    rows, sizes, after = [], [], None
    with hw.rpc(token) as workflow:
        while True:
            page = workflow.roster_page(full, after, limit)
            rows += page["rows"]
            sizes.append(len(page["rows"]))
            if page["next_after"] is None:
                return rows, sizes
            assert after is None or page["next_after"] > after
            after = page["next_after"]


def test_roster_pages_through_1200_declarations_with_filters(hw):
    plans = [hw.health_plan(level="intermediate", name="2024年度卫生系列中级职称评审"),
             hw.health_plan()]
    expected = seed_roster(hw, plans)

    def names(predicate):
        return sorted(n for n, r in expected.items() if predicate(r))

    # The competent department's level: the declarations that reached it (paged by 500).
    rows, sizes = all_rows(hw, "health", {})
    wanted = names(lambda r: r["unit_id"] == SCHOOL_B and r["first_submitted_at"] is not None
                   and r["status"] != "returned")
    assert sorted(r["name"] for r in rows) == wanted and len(wanted) > 500
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)   # ascending id
    assert sizes[:-1] == [500] * (len(sizes) - 1) and 0 < sizes[-1] <= 500
    for row in rows:
        assert set(row) == ROSTER_KEYS
    # Each row is what the printing library writes.
    out = io.BytesIO()
    assert write_roster(iter(rows), out) == len(rows)

    # Filters: status, level, plan, specialty, name.
    rows, _ = all_rows(hw, "health", {"status": "approved", "level": "deputy_senior"})
    assert sorted(r["name"] for r in rows) == [n for n in wanted if
                                               expected[n]["status"] == "approved"
                                               and expected[n]["level"] == "deputy_senior"]
    assert {(r["status"], r["level"]) for r in rows} == {("审核通过", "副高")}
    rows, _ = all_rows(hw, "health", {"plan_id": plans[0]["id"], "specialty": "中医"})
    assert sorted(r["name"] for r in rows) == [
        n for n in wanted if expected[n]["plan_id"] == plans[0]["id"]
        and expected[n]["specialty"] == "中医内科学"]
    rows, _ = all_rows(hw, "health", {"name": "申报人00"}, limit=7)
    assert sorted(r["name"] for r in rows) == [n for n in wanted if n < "申报人0100"]

    # The employer's own staff (scope unit) and the plan's HR department (every submitted
    # declaration of its plans).
    rows, _ = all_rows(hw, "b1", {"scope": "unit"})
    assert sorted(r["name"] for r in rows) == names(
        lambda r: r["unit_id"] == SCHOOL_B and r["first_submitted_at"] is not None)
    rows, _ = all_rows(hw, "hr", {}, limit=1000)
    assert len(rows) == len(names(lambda r: r["first_submitted_at"] is not None))
    assert all(r["status"] != "编辑中" for r in rows)
    rows, _ = all_rows(hw, "edu", {"status": "draft"})
    assert rows == []

    # A row: ID and phone numbers in full (the sheet masks them), labels as printed.
    row = next(r for r in all_rows(hw, "health", {"name": "申报人0004"})[0])
    source = expected["申报人0004"]
    assert dt.datetime.fromisoformat(row.pop("submitted_at")) == source["submitted_at"]
    assert row == {
        "name": "申报人0004", "gender": "男", "birth_date": "1980-01-02",
        "id_number": "340104198001020004", "unit_name": f"单位{SCHOOL_B}",
        "current_title": "主治医师", "applied_title": "主治医师", "specialty": "内科学",
        "form_category": "临床", "declaration_type": "破格晋升", "level": "中级",
        "education": "大学本科", "work_start_date": "2004-07-01", "years_in_title": "8",
        "phone": "13900010004", "status": "终止"}
    odd = next(r for r in all_rows(hw, "health", {"name": "申报人0001"})[0])
    assert (odd["form_category"], odd["declaration_type"], odd["education"], odd["phone"]) == (
        "", "正常晋升", "硕士研究生", "")

    # Unit admins only.
    with hw.rpc(APPLICANT) as workflow:
        with pytest.raises(Forbidden):
            workflow.roster_page({"scope": "unit"}, None, 500)
        with pytest.raises(Invalid):
            workflow.roster_page({"scope": "everything"}, None, 500)


def test_roster_row_of_a_declaration_is_the_snapshot_row(hw):
    plan, did, _ = submitted_declaration(hw)
    rows, _ = all_rows(hw, "b1", {"plan_id": plan["id"]})
    snap = snapshot_of(hw, "b1", did)["snapshot"]
    assert rows == [roster_row(snap)]
    assert rows[0]["status"] == "审核中" and rows[0]["form_category"] == "临床"
