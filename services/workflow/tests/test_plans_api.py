"""Evaluation plans through the gateway: who publishes, what persons and units see, the
rules a plan is checked against; fake identity and documents (declaration_support)."""
import datetime as dt

from services.workflow.declarations.logic.plans import today

from .declaration_support import HR, ORGANISER, World, dw, plan_body  # noqa: F401


def test_hr_department_publishes_a_plan_everyone_then_sees(dw):
    created = dw.ok(dw.post("/api/v1/plans", "hr", plan_body(attachments=[7, 8])), 201)
    assert created["status"] == "draft" and created["status_label"] == "草稿"
    assert created["hr_unit_id"] == HR and created["hr_unit_name"] == "合肥市人力资源和社会保障局"
    assert created["organiser_unit_id"] == ORGANISER
    assert created["office"] == "合肥市中小学教师高级职称评审委员会办公室"  # 办事机构
    assert created["publisher_unit_name"] == "合肥市人力资源和社会保障局"  # 发布部门
    assert created["level_label"] == "副高级"
    assert created["form_labels"] == ["常规申报", "破格申报"]
    assert created["window_state_label"] == "申报中"
    assert created["manageable"] is True
    assert [s["code"] for s in created["sections"]] == ["assessment", "papers"]
    assert created["sections"][1]["max"] == 3 and created["sections"][0]["max"] is None
    assert ((7, 8), "workflow", "plan", str(created["id"])) in World.attached

    # A draft is the publisher's own: persons and other units do not see it.
    assert dw.get(f"/api/v1/plans/{created['id']}", "p1").status_code == 404
    assert dw.ok(dw.get("/api/v1/plans", "p1"))["total"] == 0
    assert dw.ok(dw.get("/api/v1/plans", "hr"))["total"] == 1

    published = dw.ok(dw.post(f"/api/v1/plans/{created['id']}/publish", "hr"))
    assert published["status_label"] == "已发布" and published["published_at"]
    again = dw.error(dw.post(f"/api/v1/plans/{created['id']}/publish", "hr"), 409)
    assert again["message"] == "评审计划已发布"

    for token in ("p1", "a1", "edu"):
        page = dw.ok(dw.get("/api/v1/plans", token))
        assert [p["id"] for p in page["items"]] == [created["id"]]
        assert page["items"][0]["manageable"] is False
    seen = dw.ok(dw.get(f"/api/v1/plans/{created['id']}", "p1"))
    assert seen["can_declare"] is True and seen["my_declaration"] is None
    assert seen["content"].startswith("适用于全市")
    assert seen["scope"][0]["specialties"] == ["中学语文", "中学数学", "小学语文"]


def test_only_hr_departments_organisers_and_operators_publish(dw):
    for token in ("a1", "edu", "p1"):
        answer = dw.post("/api/v1/plans", token, plan_body())
        assert answer.status_code == 403, token
    # The committee organiser publishes naming the HR department.
    body = plan_body(hr_unit_id=HR)
    del body["organiser_unit_id"]
    plan = dw.ok(dw.post("/api/v1/plans", "org", body), 201)
    assert plan["publisher_unit_id"] == ORGANISER and plan["hr_unit_id"] == HR
    # The HR department cannot edit the organiser's plan; the organiser can.
    assert dw.patch(f"/api/v1/plans/{plan['id']}", "hr", {"name": "改"}).status_code == 404
    renamed = dw.ok(dw.patch(f"/api/v1/plans/{plan['id']}", "org", {"name": "2024年度计划"}))
    assert renamed["name"] == "2024年度计划" and renamed["version"] == 2
    # An operator names both units.
    missing = dw.error(dw.post("/api/v1/plans", "op", plan_body()), 422)
    assert missing["code"] == "plan.unit_required"
    assert missing["details"]["fields"] == {"hr_unit_id": ["此项为必填项"]}
    assert dw.post("/api/v1/plans", "op", plan_body(hr_unit_id=HR)).status_code == 201


def test_a_plan_is_checked_and_nothing_is_saved_when_it_is_wrong(dw):
    cases = [
        (plan_body(level="高级"), "level"),
        (plan_body(ends_on=(today() - dt.timedelta(days=30)).isoformat()), "ends_on"),
        (plan_body(sections=[{"code": "x", "label": "能力", "types": ["no_such_type"]}]),
         "sections.0.types"),
        (plan_body(sections=[{"code": "a", "label": "甲", "types": ["paper"], "min": 3,
                              "max": 1}]), "sections"),
        (plan_body(scope=[{"series": "中小学教师", "specialties": [], "titles": ["高级教师"]}]),
         "scope.0.specialties"),
        (plan_body(organiser_unit_id=HR), "organiser_unit_id"),
        (plan_body(hr_unit_id=ORGANISER), "hr_unit_id"),
        (plan_body(forms=["regular", "regular"]), "forms"),
        ({**plan_body(), "unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        error = dw.error(dw.post("/api/v1/plans", "hr", body), 422)
        assert field in error["details"]["fields"], (field, error)
    # An attachment the documents service refuses: no plan either.
    refused = dw.error(dw.post("/api/v1/plans", "hr", plan_body(attachments=[999])), 404)
    assert refused["code"] == "file.not_found"
    assert dw.scalar("SELECT count(*) FROM workflow.plans") == 0


def test_persons_filter_plans_by_year_level_and_type_and_search_specialties(dw):
    year = today().year
    one = dw.published_plan()
    dw.published_plan(name="工程系列高级职称评审", level="senior", forms=["transfer"],
                      scope=[{"series": "工程技术人员", "specialties": ["土木工程", "给排水"],
                              "titles": ["正高级工程师"]}])
    dw.published_plan(year=year - 1, name="上年度计划",
                      starts_on=f"{year - 1}-08-01", ends_on=f"{year - 1}-09-01")

    def ids(**params):
        return [p["name"] for p in dw.ok(dw.get("/api/v1/plans", "p1", params=params))["items"]]

    assert len(ids()) == 3
    assert ids(year=year - 1) == ["上年度计划"]
    assert ids(level="senior") == ["工程系列高级职称评审"]
    assert ids(form="exceptional") == [one["name"], "上年度计划"]
    assert ids(q="工程") == ["工程系列高级职称评审"]
    page = dw.ok(dw.get("/api/v1/plans", "p1", params={"window": "closed"}))
    assert [p["name"] for p in page["items"]] == ["上年度计划"]
    assert page["counts"] == {"all": 3, "not_started": 0, "open": 2, "closed": 1}
    assert dw.error(dw.get("/api/v1/plans", "p1", params={"level": "高级"}), 422)

    found = dw.ok(dw.get(f"/api/v1/plans/{one['id']}/specialties", "p1",
                         params={"q": "语文"}))
    assert [f["specialty"] for f in found] == ["中学语文", "小学语文"]
    assert found[0]["titles"] == ["高级教师"]


def test_pledge_names_the_persons_unit_and_downloads_as_pdf(dw):
    plan = dw.published_plan()
    text = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}/pledge", "p1",
                        params={"specialty": "中学语文", "title": "高级教师"}))
    assert text["text"].startswith(
        "本人系 合肥市第一中学 专业技术人员，现申报 中学语文-高级教师 专业技术资格。")
    pdf = dw.get(f"/api/v1/plans/{plan['id']}/pledge", "p1",
                 params={"specialty": "中学语文", "title": "高级教师", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    page = dw.get(f"/api/v1/plans/{plan['id']}/pledge", "p1",
                  params={"specialty": "中学语文", "title": "高级教师", "format": "html"})
    assert "合肥市第一中学" in page.text and page.headers["Content-Type"].startswith("text/html")
    assert dw.get(f"/api/v1/plans/{plan['id']}/pledge", "a1").status_code == 403


def test_a_plan_in_use_keeps_its_year_level_and_specialties(dw):
    plan = dw.published_plan()
    dw.ok(dw.declare(plan["id"]), 201)
    error = dw.error(dw.patch(f"/api/v1/plans/{plan['id']}", "hr", {"level": "senior"}), 409)
    assert error["code"] == "plan.in_use"
    narrowed = [{"series": "中小学教师", "specialties": ["中学数学"], "titles": ["高级教师"]}]
    assert dw.patch(f"/api/v1/plans/{plan['id']}", "hr",
                    {"scope": narrowed}).status_code == 409
    # Extending the window and adding a specialty are fine.
    wider = [{"series": "中小学教师",
              "specialties": ["中学语文", "中学数学", "小学语文", "中学英语"],
              "titles": ["高级教师"]}]
    changed = dw.ok(dw.patch(f"/api/v1/plans/{plan['id']}", "hr", {
        "scope": wider, "ends_on": (today() + dt.timedelta(days=40)).isoformat()}))
    assert "中学英语" in changed["scope"][0]["specialties"]
