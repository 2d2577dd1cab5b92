"""The rules of rows, imports and public-course hours as plain functions (no
infrastructure): where "the last 5 years" and "the last 3 years" end, how an adjustment
is judged, how a parsed workbook row becomes a verdict, and the checks of loaded hours."""
import datetime as dt

import pytest

from services.achievements import catalogue
from services.achievements.logic import children as ch
from services.achievements.logic import imports, public_hours
from services.common.errors import Invalid

TODAY = dt.date(2025, 6, 15)
TOPIC = catalogue.TYPES["health_topic"]
REVIEW = catalogue.TYPES["health_review"]


def cases(*dates):
    return [{"fields": {"admission_no": f"N{i}", "admission_date": d.isoformat()},
             "file_id": None} for i, d in enumerate(dates)]


def refs(*years, files=True):
    return [{"fields": {"year": y, "title": f"T{i}"}, "file_id": 1 if files else None}
            for i, y in enumerate(years)]


def test_case_rows_count_within_five_years_to_the_day():
    edge, before = dt.date(2020, 6, 15), dt.date(2020, 6, 14)
    assert ch.metrics(TOPIC, cases(edge, before), TODAY)["recent"] == 1
    values = {"template_entry": True}
    assert "当前近5年的病案9份" in ch.rule_problem(TOPIC, values, cases(*[edge] * 9), TODAY)
    assert ch.rule_problem(TOPIC, values, cases(*[edge] * 10), TODAY) is None
    # not entered by template: no rule on rows
    assert ch.rule_problem(TOPIC, {"template_entry": False}, [], TODAY) is None


def test_references_of_the_last_three_years_are_this_year_and_the_two_before():
    rows = refs(*([2023] * 10 + [2022] * 10))
    assert ch.metrics(REVIEW, rows, TODAY) == {"total": 20, "recent": 10, "with_file": 20}
    assert ch.rule_problem(REVIEW, {}, rows, TODAY) is None
    older = refs(*([2023] * 9 + [2022] * 11))
    assert "其中近3年9份" in ch.rule_problem(REVIEW, {}, older, TODAY)
    assert "未上传附件" in ch.rule_problem(REVIEW, {}, refs(*[2025] * 20, files=False), TODAY)


def test_an_adjustment_may_not_take_away_what_the_rule_needs():
    values = {"template_entry": True}
    ten = cases(*[dt.date(2024, 1, 1)] * 10)
    ch.guard_adjustment(TOPIC, values, ten, ten + cases(dt.date(2024, 2, 1)), TODAY)
    with pytest.raises(Invalid) as refused:
        ch.guard_adjustment(TOPIC, values, ten, ten[:9], TODAY)
    assert refused.value.code == "record.rows_rule"
    # a record that already fell short (rows aged) may still be corrected
    aged = cases(*([dt.date(2024, 1, 1)] * 9 + [dt.date(2019, 1, 1)]))
    ch.guard_adjustment(TOPIC, values, aged, list(reversed(aged)), TODAY)
    with pytest.raises(Invalid):  # a reference without its file is not added
        ch.guard_adjustment(REVIEW, {}, refs(*[2025] * 20),
                            refs(*[2025] * 20) + refs(2025, files=False), TODAY)


def test_rows_are_the_same_by_number_and_date_or_year_and_title():
    assert ch.row_key("cases", {"admission_no": " zy1 ", "admission_date": "2024-01-01"}) == \
        ch.row_key("cases", {"admission_no": "ZY1", "admission_date": "2024-01-01"})
    assert ch.row_key("cases", {"admission_no": "ZY1"}) is None
    assert ch.row_key("references", {"year": 2024, "title": "A B"}) == \
        ch.row_key("references", {"year": "2024", "title": "ab"})


def test_a_parsed_row_gets_its_verdict_with_columns():
    parsed = {
        "columns": [{"key": "seq", "title": "序号"}, {"key": "year", "title": "年度"},
                    {"key": "title", "title": "文献名称"}],
        "rows": [
            {"row": 3, "values": {"seq": 1, "year": 2024, "title": "甲"}, "error": None},
            {"row": 4, "values": {"seq": 2, "year": None, "title": "乙"},
             "error": "“年度”应为四位年份：二〇二四"},
            {"row": 5, "values": {"seq": 3, "year": None, "title": None}, "error": None},
            {"row": 6, "values": {"seq": 4, "year": 2024, "title": "甲"}, "error": None},
        ]}
    rows = imports.preview_rows("references", parsed, set(), TODAY)
    assert [r["row"] for r in rows] == [3, 4, 6]  # a row with only its 序号 is left out
    assert rows[0]["status"] == "允许导入" and rows[0]["message"] == "允许导入"
    assert rows[1]["errors"] == [{"column": "year", "label": "年度",
                                  "message": "“年度”应为四位年份：二〇二四"}]
    assert rows[2]["errors"][0]["message"] == "与第3行重复（年度、文献名称相同）"
    existing = {ch.row_key("references", {"year": 2024, "title": "甲"})}
    again = imports.preview_rows("references", parsed, existing, TODAY)
    assert again[0]["errors"][0]["message"] == "与已录入的参考文献重复（年度、文献名称相同）"


def test_loaded_hours_are_checked_row_by_row():
    good = {"id_number": "11010519491231002X", "name": "张三", "year": 2022, "hours": 24}
    assert public_hours.id_number_problem(good["id_number"]) is None
    assert public_hours.id_number_problem("110105194912310021") == "身份证号码校验位错误"
    [row] = public_hours.clean_items([good], TODAY)
    assert row["values"]["hours"] == "24.0" and row["values"]["ce_type"] == "公需课"
    with pytest.raises(Invalid) as refused:
        public_hours.clean_items([good, {**good, "year": 2030, "extra": 1}, "x"], TODAY)
    problems = {(p["row"], p["column"]): p["message"]
                for p in refused.value.details["rows"]}
    assert problems[(2, "year")] == "继教年度不能晚于今年"
    assert problems[(2, "extra")] == "不支持的字段"
    assert problems[(3, None)] == "格式有误，应为对象"
    assert public_hours.id_hash(" 11010519491231002x") == public_hours.id_hash(
        good["id_number"])
