"""The declaration snapshot the printouts read: its schema, defaults and limits."""
import json

import pytest

from services.common.errors import Invalid
from services.documents.printing import (
    FORM_CATEGORIES,
    load_snapshot,
    render_publicity_table,
    render_review_form,
    render_workload_table,
    workload_items,
)
from services.documents.tests.examples import example_snapshot


def minimal():
    return {
        "plan": {"year": 2024, "level": "中级"},
        "declaration": {"form_category": "护理"},
        "person": {"name": "王芳"},
    }


def test_the_example_is_plain_json_and_loads_unchanged_in_substance():
    snapshot = example_snapshot(items=5)
    assert json.loads(json.dumps(snapshot, ensure_ascii=False)) == snapshot
    loaded = load_snapshot(snapshot)
    assert loaded["person"]["id_number"] == snapshot["person"]["id_number"]
    assert len(loaded["items"]) == 5
    assert [r["deleted"] for r in loaded["study"]] == [r["deleted"] for r in snapshot["study"]]


def test_a_minimal_snapshot_gets_defaults_and_prints():
    loaded = load_snapshot(minimal())
    assert loaded["final"] is False
    assert loaded["study"] == [] and loaded["workload"] == {"years": [], "rows": []}
    assert loaded["declaration"]["declaration_type"] == "正常晋升"
    assert loaded["print_settings"] == {"review_form": {},
                                        "publicity": {"font_size": None, "sections": {}}}
    for render in (render_review_form, render_publicity_table, render_workload_table):
        assert render(minimal()).startswith(b"%PDF-")


def test_unknown_keys_are_ignored_so_that_older_printers_read_newer_snapshots():
    snapshot = minimal()
    snapshot["added_later"] = {"x": 1}
    snapshot["person"]["added_later"] = "y"
    assert "added_later" not in load_snapshot(snapshot)


@pytest.mark.parametrize("change, field, message", [
    (lambda s: s["person"].pop("name"), "person.name", "此项为必填项"),
    (lambda s: s["declaration"].update(form_category="外科"), "declaration.form_category",
     "取值必须是以下之一"),
    (lambda s: s["plan"].update(level="高级"), "plan.level", "取值必须是以下之一"),
    (lambda s: s.update(study=[{"period": "2001"}] * 9), "study", "学习培训经历最多只能填写 8 行"),
    (lambda s: s.update(work=[{"period": "2001"}] * 9), "work", "工作经历最多只能填写 8 行"),
    (lambda s: s.update(achievements=[{"name": "x"}] * 11), "achievements", "最多只能填写 10 行"),
    (lambda s: s.update(papers=[{"title": "x"}] * 7), "papers", "论文及学术报告最多只能填写 6 行"),
    (lambda s: s["person"].update(birth_date="1978/11/05"), "person.birth_date", "日期格式有误"),
    (lambda s: s.update(workload={"years": [2022], "rows": [{"item": "x", "values": ["1", "2"]}]}),
     "workload.rows.0", "工作量数值的列数多于年度数"),
])
def test_a_broken_snapshot_is_a_clear_error(change, field, message):
    snapshot = minimal()
    change(snapshot)
    with pytest.raises(Invalid) as caught:
        render_review_form(snapshot)
    assert caught.value.code == "snapshot.invalid"
    assert message in " ".join(caught.value.details["fields"][field])
    assert message in caught.value.message


def test_every_form_category_has_its_workload_items():
    for category in FORM_CATEGORIES:
        items = workload_items(category)
        assert items and items[0] == "专业工作时间（周）"
        assert len(set(items)) == len(items)
    assert "中药每年为临床服务时间" in workload_items("中医药")
    assert "家庭医生签约服务（人）" in workload_items("基层全科")
