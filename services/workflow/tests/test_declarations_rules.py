"""The rules of declarations without infrastructure: the review chain derived from the
unit hierarchy, the progress bar, the eligibility check and the integrity pledge."""
import datetime as dt

import pytest

from services.common.errors import Conflict
from services.workflow.declarations.logic import chain as chains
from services.workflow.declarations.logic import eligibility, pledge

D = dt.date


def unit(unit_id, name, kind, region_complete=True):
    return {"unit_id": unit_id, "name": name, "kind": kind, "region_complete": region_complete}


HR = {"unit_id": 30, "unit_name": "合肥市人力资源和社会保障局"}
ORG = {"unit_id": 40, "unit_name": "合肥市教育局（评委会组建单位）"}


# --------------------------------------------------------------------------- chain

def test_chain_climbs_from_the_unit_through_competent_departments_to_hr_and_organiser():
    path = [unit(10, "合肥市第一中学", "employer"), unit(21, "蜀山区教体局", "competent"),
            unit(20, "合肥市教育局", "competent"), unit(30, "合肥市人社局", "hr"),
            unit(1, "安徽省人社厅", "hr")]
    chain = chains.derive_chain(path, HR, ORG)
    assert [(s["unit_id"], s["unit_kind"]) for s in chain] == [
        (10, "employer"), (21, "competent"), (20, "competent"), (30, "hr"), (40, "organiser")]
    assert chain[-1]["unit_name"] == "合肥市教育局（评委会组建单位）"
    labels = [chains.step_label(i, s["unit_kind"]) for i, s in enumerate(chain)]
    assert labels == ["单位审核", "主管部门审核", "主管部门审核", "人社部门审核", "组建单位审核"]


def test_chain_without_competent_department_and_with_the_plans_units_only_once():
    # A unit directly under the HR department; the HR department is also the organiser.
    path = [unit(10, "合肥市第一中学", "employer"), unit(30, "合肥市人社局", "hr")]
    chain = chains.derive_chain(path, HR, {"unit_id": 30, "unit_name": "合肥市人社局"})
    assert [s["unit_id"] for s in chain] == [10, 30]


def test_employer_that_is_itself_a_competent_department_reviews_as_the_unit():
    path = [unit(20, "合肥市教育局", "competent"), unit(30, "合肥市人社局", "hr")]
    chain = chains.derive_chain(path, HR, ORG)
    assert chain[0] == {"unit_id": 20, "unit_name": "合肥市教育局", "unit_kind": "employer"}
    assert [s["unit_id"] for s in chain] == [20, 30, 40]


def test_chain_needs_the_unit():
    with pytest.raises(Conflict):
        chains.derive_chain([], HR, ORG)


CHAIN = [{"unit_id": 10, "unit_name": "一中", "unit_kind": "employer"},
         {"unit_id": 20, "unit_name": "教育局", "unit_kind": "competent"},
         {"unit_id": 30, "unit_name": "人社局", "unit_kind": "hr"},
         {"unit_id": 40, "unit_name": "组建单位", "unit_kind": "organiser"}]


def states(stages):
    return [(s["label"], s["state"]) for s in stages]


def test_progress_of_a_draft_and_along_the_chain():
    assert states(chains.progress("draft", [])) == [
        ("申报", "current"), ("单位审核", "pending"), ("主管部门", "pending"),
        ("人社部门", "pending"), ("组建单位", "pending"), ("审核通过", "pending")]
    assert states(chains.progress("submitted", CHAIN, current_step=2)) == [
        ("申报", "done"), ("单位审核", "done"), ("主管部门", "done"),
        ("人社部门", "current"), ("组建单位", "pending"), ("审核通过", "pending")]
    assert all(s["state"] == "done" for s in chains.progress("approved", CHAIN, None, 3))
    assert chains.progress("submitted", CHAIN, 1)[2]["units"] == ["教育局"]


def test_progress_of_a_return_rejection_and_a_chain_without_competent_department():
    returned = chains.progress("returned", CHAIN, None, ended_step=1)
    assert states(returned)[:3] == [("申报", "current"), ("单位审核", "done"),
                                    ("主管部门", "returned")]
    rejected = chains.progress("rejected", CHAIN, None, ended_step=2)
    assert states(rejected)[3] == ("人社部门", "rejected")
    assert states(rejected)[5] == ("审核通过", "pending")
    short = [CHAIN[0], CHAIN[2], CHAIN[3]]
    assert states(chains.progress("submitted", short, 1))[2] == ("主管部门", "skipped")


# --------------------------------------------------------------------------- eligibility

PLAN = {"status": "published", "starts_on": D(2024, 8, 15), "ends_on": D(2024, 9, 15),
        "titles_required": True,
        "sections": [
            {"code": "ability", "label": "能力条件", "types": ["patent"], "min": 0,
             "max": None, "required": True},
            {"code": "papers", "label": "论文", "types": ["paper"], "min": 2, "max": 3,
             "required": False},
            {"code": "aid", "label": "对外援助", "types": ["aid"], "min": 0, "max": None,
             "required": False},
        ]}
PERSONAL = {"former_name": "无", "ethnicity": "汉族", "birthplace": "芜湖市",
            "work_start_date": "2010-08-01", "work_years": 11, "specialty_years": 11,
            "political_status": "群众"}
TITLE = {"cert_no": "A-001", "work_unit": "合肥市第一中学", "series": "中小学教师",
         "specialty": "中学语文", "qualification": "一级教师", "obtain_method": "评审",
         "evidence_file_ids": [5]}
BOUND = {"allowed": True, "unit_id": 10, "unit_name": "合肥市第一中学", "reason": None}
PATH = [unit(10, "合肥市第一中学", "employer")]


def evaluate(**overrides):
    args = dict(plan=PLAN, declaration={"personal": PERSONAL, "titles": [TITLE]},
                items={"ability": 1, "papers": 2}, binding=BOUND, unit_path=PATH,
                today=D(2024, 9, 1))
    args.update(overrides)
    return {r["code"]: r for r in eligibility.evaluate(**args)}


def test_every_rule_passes_for_a_complete_declaration():
    rules = evaluate()
    assert list(rules) == ["window", "binding", "region", "personal", "titles",
                           "section:ability", "section:papers", "section:aid"]
    assert all(r["passed"] and r["message"] is None for r in rules.values())
    assert rules["section:ability"]["label"] == "能力条件（必填项，至少导入 1 项）"
    assert rules["section:papers"]["label"] == "论文（导入 2–3 项）"
    assert rules["section:aid"]["label"] == "对外援助（导入数量不限）"
    assert eligibility.passed(list(rules.values()))


def test_failures_are_listed_with_their_reasons():
    rules = evaluate(items={"papers": 4}, today=D(2024, 9, 16),
                     binding={"allowed": False, "unit_id": None, "reason": "待单位审核"},
                     declaration={"personal": {**PERSONAL, "birthplace": " ",
                                               "work_years": None},
                                  "titles": [{**TITLE, "cert_no": "", "evidence_file_ids": []}]})
    failed = {code: r["message"] for code, r in rules.items() if not r["passed"]}
    assert failed == {
        "window": "申报已截止，截止日期为 2024-09-15",
        "binding": "待单位审核",
        "region": "系统检测到您所在单位属地信息未完善，无法申报！请联系单位管理员完善单位信息",
        "personal": "个人信息未填写：出生地、工作年限",
        "titles": "第 1 条未填写证书编号；第 1 条未上传附件",
        "section:ability": "能力条件为必填项，请导入",
        "section:papers": "论文最多可导入 3 项，当前 4 项",
    }


def test_too_few_items_region_incomplete_and_no_titles():
    rules = evaluate(items={"ability": 1, "papers": 1},
                     unit_path=[unit(10, "合肥市第一中学", "employer", region_complete=False)],
                     declaration={"personal": PERSONAL, "titles": []})
    assert rules["section:papers"]["message"] == "论文至少需导入 2 项，当前 1 项"
    assert not rules["region"]["passed"]
    assert rules["titles"]["message"] == "请录入现有职称情况"
    no_titles = evaluate(plan={**PLAN, "titles_required": False},
                         declaration={"personal": PERSONAL, "titles": []})
    assert "titles" not in no_titles


def test_window_before_start_and_resubmission_after_the_closing_date():
    assert evaluate(today=D(2024, 8, 14))["window"]["message"] == \
        "申报尚未开始，开始日期为 2024-08-15"
    assert evaluate(today=D(2024, 8, 15))["window"]["passed"]
    assert evaluate(today=D(2024, 9, 15))["window"]["passed"]
    assert evaluate(today=D(2024, 10, 1), resubmission=True)["window"]["passed"]


def test_an_unpublished_plan_fails():
    rules = evaluate(plan={**PLAN, "status": "draft"})
    assert not rules["plan"]["passed"]


# --------------------------------------------------------------------------- pledge

def test_pledge_names_the_unit_and_the_declared_title():
    text = pledge.pledge_text("黄山市屯溪第六中学", "中学语文", "高级教师")
    assert text.startswith(
            "本人系 黄山市屯溪第六中学 专业技术人员，现申报 中学语文-高级教师 专业技术资格。")
    assert "三年内停止申报专业技术资格" in text


def test_pledge_template_as_text_html_and_pdf():
    text = pledge.pledge_text("合肥市第一中学", "中学语文", "高级教师")
    data, content_type, extension = pledge.render(text, "text")
    assert data.decode("utf-8").startswith("诚信承诺书\n\n本人系 合肥市第一中学")
    assert (content_type, extension) == ("text/plain; charset=utf-8", "txt")
    page, content_type, _ = pledge.render(text, "html")
    assert "<h1>诚信承诺书</h1>" in page.decode("utf-8") and "合肥市第一中学" in page.decode()
    assert content_type.startswith("text/html")
    pdf, content_type, extension = pledge.render(text, "pdf")
    assert pdf.startswith(b"%PDF") and content_type == "application/pdf"
    assert b"WenQuanYiMicroHei" in pdf and b"STSong" not in pdf and extension == "pdf"
