"""The record rules as plain functions (no infrastructure): what each status allows, the
title and search text of a record, and keyword patterns."""
import pytest

from services.achievements import catalogue
from services.achievements.logic import status as st
from services.achievements.logic.search import like_terms, search_text, title_of
from services.common.errors import Conflict


@pytest.mark.parametrize("status,message", [
    ("submitted", "审核中的记录无法编辑"),
    ("approved", "审核通过的记录无法编辑，请先撤回"),
    ("terminated", "已终止的记录无法编辑"),
])
def test_only_drafts_and_returned_records_are_edited(status, message):
    with pytest.raises(Conflict) as refused:
        st.require_editable(status)
    assert (refused.value.code, refused.value.message) == ("record.not_editable", message)
    st.require_editable("draft")
    st.require_editable("returned")
    st.require_deletable("draft")
    st.require_deletable("returned")
    with pytest.raises(Conflict):
        st.require_deletable(status)


def test_withdrawal_rules():
    st.require_withdrawable("submitted", lock_count=0, health_only=False)
    st.require_withdrawable("submitted", lock_count=0, health_only=True)
    st.require_withdrawable("approved", lock_count=0, health_only=False)
    with pytest.raises(Conflict) as locked:
        st.require_withdrawable("approved", lock_count=1, health_only=False)
    assert locked.value.code == "record.locked"
    with pytest.raises(Conflict) as health:
        st.require_withdrawable("approved", lock_count=0, health_only=True)
    assert "调整" in health.value.message
    for status in ("draft", "returned", "terminated"):
        with pytest.raises(Conflict) as wrong:
            st.require_withdrawable(status, lock_count=0, health_only=False)
        assert wrong.value.message.startswith(st.label(status))


def test_allowed_actions_follow_the_status():
    assert st.allowed_actions("draft", lock_count=0, health_only=False) == \
        ["edit", "delete", "submit"]
    assert st.allowed_actions("submitted", lock_count=0, health_only=False) == ["withdraw"]
    assert st.allowed_actions("approved", lock_count=0, health_only=False) == ["withdraw"]
    assert st.allowed_actions("approved", lock_count=2, health_only=False) == []
    assert st.allowed_actions("approved", lock_count=0, health_only=True) == []
    assert st.allowed_actions("terminated", lock_count=0, health_only=False) == []


def test_title_and_search_text_come_from_the_catalogue():
    work = catalogue.get_type("work_history")
    values = {"unit_name": "宏景软件公司", "specialty": "Software", "position": "UI设计",
              "duties": "不参与搜索"}
    assert title_of(work, values) == "宏景软件公司"
    text = search_text(work, values)
    assert "宏景软件公司" in text and "software" in text and "ui设计" in text
    assert "不参与搜索" not in text
    assessment = catalogue.get_type("annual_assessment")
    assert title_of(assessment, {"year": 2021, "grade": "优秀"}) == "2021年度考核"
    assert title_of(work, {}) == ""


def test_keyword_patterns_escape_wildcards():
    assert like_terms(None) == []
    assert like_terms("  宏景  软件 ") == ["%宏景%", "%软件%"]
    assert like_terms("100%_a") == ["%100\\%\\_a%"]
