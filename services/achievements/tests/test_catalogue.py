"""The record-type catalogue against the brief's type list and the seeds (unit tests)."""
import json

import pytest

from services.achievements import catalogue as cat
from services.common.errors import NotFound

EXPECTED = {
    "basic": ("基本信息", [("work_history", "工作经历"), ("education", "教育经历"),
                       ("continuing_education", "继续教育")]),
    "honor": ("表彰考核", [("project_award", "项目获奖"), ("honor_award", "表彰奖励"),
                       ("annual_assessment", "年度考核")]),
    "ability": ("能力条件", [("patent", "专利著作权"), ("academic_post", "学术技术兼职"),
                         ("qualification", "资质证书"), ("comprehensive", "综合业绩能力")]),
    "performance": ("工作业绩", [("research_project", "科研（基金）项目"),
                             ("engineering_project", "主持参与工程技术项目"),
                             ("adoption", "成果采纳运用推广"), ("standard", "制定标准")]),
    "research": ("论文著作科研", [("work_summary", "工作（技术）总结报告"),
                            ("paper", "论文发表情况"), ("book", "著（译）作（教材）")]),
    "aid": ("对外援助", [("aid", "援助困难地区（单位）")]),
    "health": ("行业专用", [("health_case", "卫生-病案"), ("health_topic", "卫生-专题"),
                        ("health_paper", "卫生-论文"), ("health_review", "卫生-综述"),
                        ("health_masterpiece", "卫生-成果代表作")]),
}
KINDS = {"text", "textarea", "date", "month", "year", "int", "decimal", "select",
         "multiselect", "bool", "rank", "unit"}


def labels(record_type):
    return [f.label for f in record_type.fields]


def headers(code):
    return [label for label, _ in cat.COLUMNS[code]]


def test_the_23_types_in_their_categories_in_order():
    assert [(code, label) for code, label, _ in cat.CATEGORIES] == [
        (code, label) for code, (label, _) in EXPECTED.items()]
    for code, _label, type_codes in cat.CATEGORIES:
        expected = EXPECTED[code][1]
        assert list(type_codes) == [c for c, _ in expected]
        for type_code, type_label in expected:
            record_type = cat.get_type(type_code)
            assert record_type.label == type_label
            assert record_type.category == code
    assert len(cat.TYPES) == 23


@pytest.mark.parametrize("code", sorted(cat.TYPES))
def test_every_type_is_complete_and_self_consistent(code):
    t = cat.TYPES[code]
    keys = [f.key for f in t.fields]
    assert t.fields and len(keys) == len(set(keys))
    for f in t.fields:
        assert f.kind in KINDS, f.key
        assert f.label and not f.label.isascii(), f.key
        if f.kind in ("select", "multiselect"):
            assert f.options, f.key
        if f.kind in ("text", "textarea", "unit"):
            assert f.max_length, f.key
    assert t.title_field in keys
    assert t.list_columns and set(t.list_columns) <= set(keys)
    assert t.query_fields and set(t.query_fields) <= set(keys)
    assert any(f.required for f in t.fields)
    # list headers: every field reference exists, every system column is known
    for _label, ref in cat.COLUMNS[code]:
        refs = ref if isinstance(ref, tuple) else (ref,)
        for r in refs:
            if r.startswith("@"):
                assert r[1:] in cat.SYSTEM_COLUMNS
            else:
                assert r in keys
    assert "@status" in [r for _, r in cat.COLUMNS[code]]
    # the evidence slot is the type's first slot (a documents slot: test_evidence_slots.py);
    # its rule text, where the seed gives one, parses
    slots = cat.EVIDENCE[code]
    if t.evidence_slot is not None:
        assert t.evidence_slot == slots[0].code
        assert t.evidence_required == slots[0].required
    for s in slots:
        if s.rule_text:
            assert s.rule["extensions"] and s.rule["max_mb"] > 0 and s.rule["max_files"] >= 1
    # rules name existing fields
    for rule in cat.RULES[code]:
        for name in ("field", "start", "end", "flag", "when"):
            if name in rule:
                assert rule[name] in keys, (code, rule)
    assert t.health_only == (t.category == "health")


def test_work_history_as_the_manual_and_faq_form_show_it():
    t = cat.get_type("work_history")
    assert labels(t) == ["工作单位名称", "开始日期", "结束日期", "至今", "从事专业", "担任职务",
                         "职务职责说明"]
    assert [f.label for f in t.fields if f.required] == [
        "工作单位名称", "开始日期", "结束日期", "从事专业", "担任职务"]
    assert t.field("duties").max_length == 200 and t.field("duties").kind == "textarea"
    assert t.field("until_now").kind == "bool"
    assert headers("work_history") == ["审核状态", "工作单位名称", "起止日期", "从事专业",
                                       "担任职务", "申报日期"]
    assert t.list_columns == ("unit_name", "start_date", "end_date", "until_now", "specialty",
                              "position")
    assert t.query_fields == ("unit_name", "specialty", "position")
    assert cat.QUERY_HINTS["work_history"] == "请输入单位名称、从事专业、担任职务进行查询"
    [evidence] = cat.EVIDENCE["work_history"]
    assert evidence.rule_text == "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"
    assert evidence.rule == {"extensions": ["png", "jpg", "pdf"], "max_mb": 2, "max_files": 5}
    assert t.evidence_required is False       # 按需上传


def test_education_degree_and_degree_date():
    t = cat.get_type("education")
    assert labels(t) == ["毕业院校", "入学日期", "毕业日期", "所选专业", "教育类型", "学制",
                         "是否国外院校", "获得学历", "证书编号", "获得学位", "学位获得日期"]
    assert t.field("education_type").options == ("全日制教育", "在职教育")
    assert headers("education") == ["审核状态", "毕业院校", "起止日期", "获得学历", "获得学位",
                                    "申报日期"]
    assert {"rule": "required_if", "field": "degree_date", "when": "degree",
            "message": "选择获得学位后，学位获得日期为必填项"} in cat.RULES["education"]


def test_continuing_education_as_the_faq_form_shows_it():
    t = cat.get_type("continuing_education")
    assert labels(t) == ["继教类型", "继教年度", "获得学时/学分", "证书编号", "开始日期",
                         "结束日期", "培训项目", "组织单位", "学习情况"]
    assert [f.key for f in t.fields if f.required] == ["ce_type", "ce_year", "hours"]
    assert t.field("ce_type").options == ("公需课", "专业课", "视同教育")
    assert t.field("certificate_no").max_length == 30
    assert t.field("study_notes").max_length == 300
    # 来源 is set by the system (a record column), never a typed field
    assert "source" not in [f.key for f in t.fields]
    assert headers("continuing_education") == ["状态", "继教类型", "继教年度", "培训项目/通过原因",
                                               "起止日期", "获得学时/学分", "来源", "申报日期"]
    assert ("来源", "@source") in cat.COLUMNS["continuing_education"]
    assert cat.SOURCES == {"user": "用户申报", "auto": "自动生成"}
    [evidence] = cat.EVIDENCE["continuing_education"]
    assert evidence.required and t.evidence_required
    assert evidence.rule == {"extensions": ["png", "jpg", "pdf", "bmp"], "max_mb": 10,
                             "max_files": 5}


def test_project_award_rank_pair_and_list():
    t = cat.get_type("project_award")
    rank = t.field("ranking")
    assert rank.kind == "rank" and rank.label == "个人排名" and rank.required
    assert labels(t) == ["项目名称", "获奖名称", "个人排名", "授予时间", "奖励级别", "获奖等级"]
    assert headers("project_award") == ["审核状态", "项目名称", "获奖名称", "奖励级别", "奖励等级",
                                        "获奖日期", "申报日期"]
    assert t.query_fields == ("award_name",)
    for code, label in [("patent", "个人排名"), ("research_project", "本人排名"),
                        ("standard", "本人排名"), ("paper", "个人排名"), ("book", "作者排名")]:
        assert cat.get_type(code).field("ranking").label == label
        assert cat.get_type(code).field("ranking").kind == "rank"


def test_paper_has_issn_and_the_seed_columns():
    t = cat.get_type("paper")
    issn = t.field("issn")
    assert issn.format == "issn" and issn.kind == "text" and not issn.required
    assert t.field("title").max_length == 600 and t.field("abstract").max_length == 2000
    assert t.field("impact_factor").places == 3
    assert t.field("journal").help == "未正式发表请填写无"
    assert headers("paper") == ["审核状态", "发表年度", "论文名称", "发表刊物", "发表级别", "排名",
                                "申报日期"]
    assert t.query_fields == ("title", "publish_date")
    codes = [s.code for s in cat.EVIDENCE["paper"]]
    assert codes == ["paper", "paper_check"]
    assert cat.EVIDENCE["paper"][1].rule == {"extensions": ["docx", "doc"], "max_mb": 10,
                                             "max_files": 1}
    assert cat.get_type("book").field("isbn").format == "isbn"


def test_amounts_are_decimals_in_wan_yuan():
    for code, key in [("research_project", "amount"), ("engineering_project", "amount"),
                      ("adoption", "rd_investment")]:
        f = cat.get_type(code).field(key)
        assert (f.kind, f.unit, f.places, f.min) == ("decimal", "万元", 2, 0)
    assert headers("research_project")[5] == "项目金额（万元）"


def test_annual_assessment_unit_comes_from_binding():
    t = cat.get_type("annual_assessment")
    assert t.field("unit_name").kind == "unit" and t.field("unit_name").label == "考核单位"
    assert headers("annual_assessment") == ["审核状态", "考核年度", "考核单位", "考核等次",
                                            "申报日期"]
    assert cat.title_of(t, {"year": 2021, "unit_name": "某单位", "grade": "优秀"}) == "2021年度考核"


def test_fujian_comprehensive_and_qualification():
    t = cat.get_type("comprehensive")
    assert labels(t) == ["所属年度", "名称", "简要介绍"]
    assert headers("comprehensive") == ["审核状态", "所属年度", "名称", "申报日期"]
    assert t.query_fields == ("year", "name")
    q = cat.get_type("qualification")
    assert labels(q) == ["证书名称", "证书编号", "获得日期", "有效日期", "是否长期有效", "发证机构",
                         "专业名称", "证书等级"]
    assert headers("qualification") == ["审核状态", "证书编号", "证书名称", "获得日期", "有效日期",
                                        "申报日期"]
    assert q.field("valid_until").max is None      # a validity date lies in the future


def test_engineering_project_from_the_faq_form():
    t = cat.get_type("engineering_project")
    assert [f.label for f in t.fields if f.required] == [
        "项目名称", "开始日期", "结束日期", "项目类别", "参与形式", "项目参与人员"]
    assert t.field("role").options == ("主持", "参与")
    assert t.field("description").max_length == 300 and t.field("duties").max_length == 300
    assert cat.EVIDENCE["engineering_project"][0].rule == {
        "extensions": ["jpg", "pdf"], "max_mb": 30, "max_files": 10}


def test_health_types_and_their_children():
    topic = cat.get_type("health_topic")
    assert topic.children == "cases"
    assert topic.field("topic_type").options == ("三新专题", "专题报告")
    assert headers("health_topic") == ["审核状态", "专题类型", "专题名称", "简要说明", "病案数量",
                                       "申报时间"]
    assert cat.get_type("health_paper").children == "cases"
    assert cat.get_type("health_review").children == "references"
    assert cat.get_type("health_case").evidence_slot is None
    assert headers("health_case")[:3] == ["住院号", "审核状态", "姓名"]
    children_rules = {c: r for c in ("health_topic", "health_paper", "health_review")
                      for r in cat.RULES[c] if r["rule"] == "children"}
    assert children_rules["health_topic"]["min"] == 10
    assert children_rules["health_paper"]["min"] == 1
    assert children_rules["health_review"]["min"] == 20
    assert children_rules["health_review"]["recent_min"] == 10
    cases = cat.get_child("cases")
    assert [f.label for f in cases.fields] == [
        "住院（门诊）号", "病人姓名", "性别", "年龄", "分类", "入院日期", "出院日期", "入院诊断",
        "出院诊断", "备注"]
    assert cases.field("group").options == ("观察组", "对照组")
    assert cases.template_columns == ("admission_no", "patient_name", "admission_date",
                                      "discharge_date", "age", "gender", "admission_diagnosis",
                                      "discharge_diagnosis")
    refs = cat.get_child("references")
    assert [f.label for f in refs.fields] == ["年度", "文献名称"] and refs.evidence_required


def test_types_for_shows_health_types_only_to_health_persons():
    assert len(cat.types_for("卫生技术人员")) == 23
    for series in (None, "中小学教师", "工程技术人员"):
        shown = cat.types_for(series)
        assert len(shown) == 18 and not any(t.health_only for t in shown)
    assert [t.code for t in cat.types_for(None)][:3] == ["work_history", "education",
                                                         "continuing_education"]


def test_unknown_type_is_not_found():
    with pytest.raises(NotFound) as caught:
        cat.get_type("nothing")
    assert caught.value.code == "achievement.type_unknown"
    assert caught.value.message == "业绩类型不存在"


def test_parse_upload_rule():
    rule = "只能上传jpg/bmp/pdf/png文件，且不超过10MB，且最多只能上传2个文件"
    assert cat.parse_upload_rule(rule) == {
        "extensions": ["jpg", "bmp", "pdf", "png"], "max_mb": 10, "max_files": 2}
    assert cat.parse_upload_rule("只能上传png/jpg/pdf文件, 且不超过2MB, 且最多只能上传5个文件")[
        "max_mb"] == 2
    with pytest.raises(ValueError):
        cat.parse_upload_rule("请上传文件")


def test_describe_is_json_in_the_documented_shape():
    plain = cat.describe("中小学教师")
    assert [c["code"] for c in plain["categories"]] == ["basic", "honor", "ability",
                                                        "performance", "research", "aid"]
    assert plain["children"] == []
    health = json.loads(json.dumps(cat.describe("卫生技术人员"), ensure_ascii=False))
    assert health["categories"][-1] == {
        "code": "health", "label": "行业专用",
        "types": ["health_case", "health_topic", "health_paper", "health_review",
                  "health_masterpiece"]}
    assert [c["code"] for c in health["children"]] == ["cases", "references"]
    work = next(t for t in health["types"] if t["code"] == "work_history")
    assert work["category_label"] == "基本信息"
    assert work["fields"][0] == {
        "key": "unit_name", "label": "工作单位名称", "kind": "text", "required": True,
        "options": [], "max_length": 100, "min": None, "max": None, "unit": "",
        "help": "请填写全称", "places": None, "format": ""}
    assert work["fields"][1]["max"] == "today"
    assert work["columns"][2] == {"label": "起止日期",
                                  "fields": ["start_date", "end_date", "until_now"],
                                  "system": None}
    assert work["columns"][0] == {"label": "审核状态", "fields": [], "system": "status"}
    assert work["evidence"][0]["rule"] == {"extensions": ["png", "jpg", "pdf"], "max_mb": 2,
                                           "max_files": 5}
    topic = next(t for t in health["types"] if t["code"] == "health_topic")
    assert topic["evidence"][0]["required_when"] == {"field": "template_entry", "equals": False}


def test_list_page_features_and_the_withdrawal_log():
    assert cat.FEATURES["continuing_education"]["extract"] is True
    assert cat.FEATURES["work_history"] == {"extract": False, "template_import": False,
                                            "batch_submit": False, "adjust": False,
                                            "withdraw_approved": True}
    assert cat.FEATURES["health_case"]["template_import"] and cat.FEATURES["health_case"][
        "batch_submit"]
    assert [c for c, f in cat.FEATURES.items() if f["adjust"]] == [
        "health_topic", "health_paper", "health_review"]
    assert not any(cat.FEATURES[c]["withdraw_approved"] for c in
                   ("health_case", "health_topic", "health_paper", "health_review",
                    "health_masterpiece"))
    log = cat.describe()["withdrawal_log"]
    assert [c["label"] for c in log["columns"]] == ["业绩类别", "业绩名称", "申请时间", "处理情况",
                                                    "状态"]


def test_the_contracts_record_types_and_categories_are_the_catalogues():
    """services/contracts/achievements.py tells other services the record-type codes and
    categories; they must be the catalogue's, in its order."""
    from services.achievements import catalogue
    from services.contracts.achievements import CATEGORIES, RECORD_TYPES

    assert CATEGORIES == catalogue.CATEGORY_LABELS
    assert list(CATEGORIES) == [code for code, _label, _types in catalogue.CATEGORIES]
    assert {code: (t.label, t.category) for code, t in catalogue.TYPES.items()} == RECORD_TYPES
    assert list(RECORD_TYPES) == list(catalogue.TYPES)
