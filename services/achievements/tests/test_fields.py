"""clean_record: every field rule accepts the good case and refuses the bad one with the
Chinese message on the right field (unit tests)."""
import datetime as dt

import pytest

from services.achievements.catalogue import get_child, get_type
from services.achievements.logic.fields import clean_record
from services.common.errors import Invalid

TODAY = dt.date(2024, 6, 15)


def clean(code, data, **kw):
    kw.setdefault("today", TODAY)
    return clean_record(get_type(code), data, **kw)


def problems(code, data, **kw):
    with pytest.raises(Invalid) as caught:
        clean(code, data, **kw)
    error = caught.value
    assert error.code == "record.invalid" and error.message == "业绩信息填写有误"
    return error.details["fields"]


WORK = {"unit_name": "合肥宏景软件有限公司", "start_date": "2016-04-01",
        "end_date": "2019-04-01", "specialty": "软件", "position": "运维"}


def test_a_complete_work_history_is_cleaned():
    assert clean("work_history", WORK) == {**WORK, "until_now": False, "duties": None}


def test_required_marks_all_at_once_and_partial_skips_them():
    assert problems("work_history", {}) == {
        "unit_name": "请输入工作单位名称", "start_date": "请选择开始日期",
        "end_date": "请选择结束日期，或勾选至今", "specialty": "请输入从事专业",
        "position": "请输入担任职务"}
    saved = clean("work_history", {"unit_name": "宏景"}, partial=True)
    assert saved["unit_name"] == "宏景" and saved["start_date"] is None


def test_every_problem_is_reported_at_once_even_in_a_draft():
    found = problems("work_history", {
        "unit_name": "x" * 101, "start_date": "2020-13-01", "end_date": "2030-01-01",
        "duties": "y" * 201, "salary": 1}, partial=True)
    assert found == {
        "unit_name": "工作单位名称长度不能超过100个字符",
        "start_date": "开始日期不是有效的日期",
        "end_date": "结束日期不能晚于今天",
        "duties": "职务职责说明长度不能超过200个字符",
        "salary": "不支持的字段"}


def test_end_date_not_before_start_date():
    assert clean("work_history", {**WORK, "end_date": "2016-04-01"})["end_date"] == "2016-04-01"
    assert problems("work_history", {**WORK, "end_date": "2016-03-31"}) == {
        "end_date": "结束日期不能早于开始日期"}
    assert problems("education", {"school": "安徽大学", "start_date": "2010-09-01",
                                  "end_date": "2009-07-01"}, partial=True) == {
        "end_date": "毕业日期不能早于入学日期"}


def test_dates_not_in_the_future_and_in_iso_form():
    assert clean("work_history", {**WORK, "end_date": "2024-06-15"})["end_date"] == "2024-06-15"
    assert problems("work_history", {**WORK, "end_date": "2024-06-16"}) == {
        "end_date": "结束日期不能晚于今天"}
    assert problems("work_history", {**WORK, "start_date": "2016/04/01"}) == {
        "start_date": "开始日期格式有误，应为 YYYY-MM-DD"}
    assert problems("honor_award", {"honor_name": "先进个人", "award_date": "2025-01-01",
                                    "grantor": "某厅", "award_level": "省部级"}) == {
        "award_date": "授予时间不能晚于今天"}


def test_until_now_replaces_the_end_date():
    current = clean("work_history", {**WORK, "end_date": None, "until_now": True})
    assert current["until_now"] is True and current["end_date"] is None
    # an end date sent with 至今 is dropped, not kept beside it
    assert clean("work_history", {**WORK, "until_now": True})["end_date"] is None
    assert problems("work_history", {**WORK, "end_date": None, "until_now": False}) == {
        "end_date": "请选择结束日期，或勾选至今"}
    assert problems("work_history", {**WORK, "until_now": "yes"}) == {"until_now": "至今应为是或否"}
    post = {"org_name": "省学会", "start_date": "2021-03-01", "post": "理事", "until_now": True}
    assert clean("academic_post", post)["until_now"] is True


def test_rank_not_above_participants_shown_as_1_of_7():
    award = {"project_name": "科技成果奖", "award_name": "科技成果奖", "award_date": "2021-06-02",
             "award_level": "省部", "award_grade": "一等"}
    assert clean("project_award", {**award, "ranking": {"rank": 1, "total": 7}})["ranking"] == {
        "rank": 1, "total": 7}
    assert clean("project_award", {**award, "ranking": "7/7"})["ranking"] == {"rank": 7,
                                                                              "total": 7}
    assert problems("project_award", {**award, "ranking": {"rank": 8, "total": 7}}) == {
        "ranking": "个人排名不能大于参与人数"}
    assert problems("project_award", {**award, "ranking": "0/7"}) == {
        "ranking": "个人排名应为正整数"}
    assert problems("project_award", {**award, "ranking": {"rank": 1, "total": "x"}}) == {
        "ranking": "参与人数应为正整数"}
    assert problems("project_award", {**award, "ranking": "第一"}) == {
        "ranking": "个人排名格式有误，应为“个人排名/参与人数”，如 1/7"}
    assert problems("project_award", {**award, "ranking": {"rank": 1}}) == {
        "ranking": "请填写个人排名和参与人数"}
    assert clean("project_award", {**award, "ranking": {"rank": 1}}, partial=True)[
        "ranking"] == {"rank": 1, "total": None}
    assert problems("standard", {"ranking": "3/2"}, partial=True) == {
        "ranking": "本人排名不能大于参与人数"}


def test_degree_date_required_once_a_degree_is_chosen():
    edu = {"school": "安徽大学", "start_date": "2010-09-01", "end_date": "2014-07-01",
           "major": "计算机科学与技术", "education_type": "全日制教育",
           "education_level": "大学本科"}
    assert clean("education", edu)["degree_date"] is None
    assert problems("education", {**edu, "degree": "学士"}) == {
        "degree_date": "选择获得学位后，学位获得日期为必填项"}
    cleaned = clean("education", {**edu, "degree": "学士", "degree_date": "2014-07-01"})
    assert (cleaned["degree"], cleaned["degree_date"]) == ("学士", "2014-07-01")
    # without a degree the date does not apply and is dropped
    assert clean("education", {**edu, "degree_date": "2014-07-01"})["degree_date"] is None
    assert problems("education", {**edu, "degree": "副博士"})["degree"].startswith(
        "获得学位应为以下之一：博士、硕士、学士")


def test_validity_date_not_required_when_long_term():
    cert = {"cert_name": "一级建造师", "cert_no": "皖134", "obtained_date": "2018-05-01"}
    assert clean("qualification", {**cert, "long_term": True})["valid_until"] is None
    assert problems("qualification", {**cert, "long_term": False}) == {
        "valid_until": "请选择有效日期，或勾选是否长期有效"}
    assert clean("qualification", {**cert, "valid_until": "2030-05-01"})["valid_until"] == \
        "2030-05-01"
    assert problems("qualification", {**cert, "valid_until": "2017-05-01"}) == {
        "valid_until": "有效日期不能早于获得日期"}


def test_amounts_are_decimals_in_wan_yuan():
    project = {"name": "远程教育服务规范", "start_date": "2019-04-10", "end_date": "2024-04-11",
               "source_unit": "省科技厅", "level": "省部级", "role": "主持",
               "ranking": "1/7"}
    assert clean("research_project", {**project, "amount": "200"})["amount"] == "200.00"
    assert clean("research_project", {**project, "amount": 12.5})["amount"] == "12.50"
    assert clean("research_project", {**project, "amount": "0.1"})["amount"] == "0.10"
    assert problems("research_project", {**project, "amount": "12.345"}) == {
        "amount": "项目金额最多保留2位小数"}
    assert problems("research_project", {**project, "amount": "-1"}) == {
        "amount": "项目金额不能小于0"}
    assert problems("research_project", {**project, "amount": "二百"}) == {
        "amount": "项目金额应为数字"}
    assert problems("research_project", {**project, "amount": "NaN"}) == {
        "amount": "项目金额应为数字"}
    assert problems("research_project", {**project, "amount": True}) == {
        "amount": "项目金额应为数字"}
    assert clean("paper", {"impact_factor": "3.125"}, partial=True)["impact_factor"] == "3.125"
    assert problems("paper", {"impact_factor": "3.1255"}, partial=True) == {
        "impact_factor": "影响因子最多保留3位小数"}


def test_project_end_may_lie_ahead_unless_concluded():
    project = {"name": "远程教育服务规范", "start_date": "2019-04-10", "end_date": "2026-04-11",
               "source_unit": "省科技厅", "level": "省部级", "role": "主持", "ranking": "1/5"}
    assert clean("research_project", project)["end_date"] == "2026-04-11"
    assert problems("research_project", {**project, "concluded": True}) == {
        "end_date": "已结题的项目，结束日期不能晚于今天"}
    assert clean("research_project", {**project, "end_date": "2023-12-31",
                                      "concluded": True})["concluded"] is True


def test_text_length_limits_as_the_forms_show():
    assert clean("work_history", {**WORK, "duties": "职" * 200})["duties"] == "职" * 200
    assert problems("continuing_education", {"certificate_no": "1" * 31,
                                             "study_notes": "学" * 301}, partial=True) == {
        "certificate_no": "证书编号长度不能超过30个字符",
        "study_notes": "学习情况长度不能超过300个字符"}
    assert problems("paper", {"title": "论" * 601}, partial=True) == {
        "title": "论文名称长度不能超过600个字符"}
    # surrounding blanks are trimmed, blank means empty
    assert clean("work_history", {"unit_name": "  宏景  ", "position": "   "},
                 partial=True)["position"] is None


@pytest.mark.parametrize("given, stored", [
    ("0317-8471", "0317-8471"), ("03178471", "0317-8471"), ("2434-561x", "2434-561X"),
    ("ISSN 2434-561X", "2434-561X")])
def test_issn_with_a_valid_check_digit(given, stored):
    assert clean("paper", {"issn": given}, partial=True)["issn"] == stored


@pytest.mark.parametrize("given, message", [
    ("0317-8472", "ISSN 校验位错误"), ("2434-5610", "ISSN 校验位错误"),
    ("0317-847", "ISSN 格式有误，应为 8 位，如 1234-5679"),
    ("CN11-1234", "ISSN 格式有误，应为 8 位，如 1234-5679")])
def test_issn_with_a_wrong_check_digit_or_form(given, message):
    assert problems("paper", {"issn": given}, partial=True) == {"issn": message}


@pytest.mark.parametrize("given, stored", [
    ("978-7-111-21382-6", "9787111213826"), ("ISBN 978-0-306-40615-7", "9780306406157"),
    ("0-306-40615-2", "0306406152"), ("0-8044-2957-x", "080442957X")])
def test_isbn_10_and_13_with_valid_check_digits(given, stored):
    assert clean("book", {"isbn": given}, partial=True)["isbn"] == stored


@pytest.mark.parametrize("given, message", [
    ("978-7-111-21382-7", "标准书号（ISBN）校验位错误"),
    ("0-306-40615-3", "标准书号（ISBN）校验位错误"),
    ("977-7-111-21382-6", "标准书号（ISBN）格式有误，应为 10 位或 13 位"),
    ("12345", "标准书号（ISBN）格式有误，应为 10 位或 13 位")])
def test_isbn_with_a_wrong_check_digit_or_form(given, message):
    assert problems("book", {"isbn": given}, partial=True) == {"isbn": message}


def test_assessment_unit_comes_from_the_bound_unit():
    data = {"year": 2023, "grade": "优秀", "unit_name": "自己填的单位"}
    cleaned = clean("annual_assessment", data, bound_unit_name="合肥宏景软件有限公司")
    assert cleaned == {"year": 2023, "unit_name": "合肥宏景软件有限公司", "grade": "优秀"}
    assert clean("annual_assessment", {"year": 2023, "grade": "合格"},
                 bound_unit_name="合肥宏景软件有限公司")["unit_name"] == "合肥宏景软件有限公司"
    # not bound: typed and saved, but not submitted
    assert clean("annual_assessment", data, partial=True)["unit_name"] == "自己填的单位"
    assert problems("annual_assessment", data) == {
        "unit_name": "未绑定工作单位的，考核单位只能保存无法提交，请先绑定工作单位"}


def test_years_selects_and_hours_of_continuing_education():
    good = {"ce_type": "公需课", "ce_year": "2021", "hours": 60,
            "project": "学习十九届六中全会精神"}
    cleaned = clean("continuing_education", good)
    assert (cleaned["ce_year"], cleaned["hours"]) == (2021, "60.0")
    assert problems("continuing_education", {**good, "ce_year": 2025}) == {
        "ce_year": "继教年度不能晚于今年"}
    assert problems("continuing_education", {**good, "ce_year": "21"}) == {
        "ce_year": "继教年度应为四位年份"}
    assert problems("continuing_education", {**good, "ce_type": "网课"}) == {
        "ce_type": "继教类型应为以下之一：公需课、专业课、视同教育"}
    assert problems("continuing_education", {**good, "source": "自动生成"}) == {
        "source": "不支持的字段"}


def test_health_paper_link_must_be_a_link():
    assert clean("health_paper", {"link": "https://www.cnki.net/kcms/1"}, partial=True)[
        "link"] == "https://www.cnki.net/kcms/1"
    assert problems("health_paper", {"link": "知网"}, partial=True) == {
        "link": "万方或知网论文链接应以 http:// 或 https:// 开头"}


def test_case_rows_only_from_the_last_five_years():
    row = {"admission_no": "2017036480", "patient_name": "张某", "gender": "女", "age": "40",
           "group": "观察组", "admission_date": "2020-09-05", "discharge_date": "2020-10-01"}
    cleaned = clean_record(get_child("cases"), row, today=TODAY)
    assert cleaned["age"] == 40 and cleaned["group"] == "观察组"
    old = {**row, "admission_date": "2019-06-14", "discharge_date": "2019-07-01"}
    with pytest.raises(Invalid) as caught:
        clean_record(get_child("cases"), old, today=TODAY)
    assert caught.value.details["fields"] == {"admission_date": "新增病案材料仅支持近5年日期"}
    with pytest.raises(Invalid) as caught:
        clean_record(get_child("cases"), {**row, "age": 200, "gender": "未知"}, today=TODAY)
    assert caught.value.details["fields"] == {"age": "年龄不能大于150",
                                              "gender": "性别应为以下之一：男、女"}


def test_today_may_be_given_as_an_iso_string():
    assert clean("work_history", WORK, today="2024-06-15")["start_date"] == "2016-04-01"
