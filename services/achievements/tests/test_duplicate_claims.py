"""重复申报提示 (issue 16.16): the same achievement claimed by several persons is flagged
to the reviewing unit (task detail, 业绩档案, 查看) with the other claimants masked as the
unit may see them, and to the applicant as a warning at submission (which succeeds)."""
from sqlalchemy import text

from services.achievements.logic import duplicates
from services.common.testing import sql_statements

from .support import paper

TITLE = "中国西部教育与区域发展研究"


def test_keys_ignore_spacing_punctuation_and_width():
    base = duplicates.key_of("paper", {"title": TITLE, "journal": "重庆工商大学学报",
                                       "issn": "1234-5679"})
    assert base and base.startswith("paper:")
    # same paper written differently
    assert duplicates.key_of("paper", {"title": f" {TITLE}。", "journal": "《重庆工商大学学报》",
                                       "issn": "1234-5679"}) == base
    # a 卫生-论文 whose 期刊号 is the ISSN is the same paper
    assert duplicates.key_of("health_paper", {"title": TITLE, "journal_no": "ISSN 1234-5679",
                                              "journal_name": "别名"}) == base
    assert duplicates.key_of("paper", {"title": TITLE, "issn": "1234-5687"}) != base
    # without an ISSN the journal decides
    no_issn = duplicates.key_of("paper", {"title": TITLE, "journal": "重庆工商大学学报"})
    assert no_issn == duplicates.key_of("paper", {"title": TITLE.upper(),
                                                  "journal": "重庆工商大学 学报"})
    assert duplicates.key_of("paper", {"title": TITLE, "journal": "另一刊物"}) != no_issn
    patent = duplicates.key_of("patent", {"patent_no": "ZL 2019 1 0123456.7"})
    assert patent == duplicates.key_of("patent", {"patent_no": "201910123456.7"})
    award = {"project_name": "远程教育服务平台", "award_name": "科技进步奖"}
    assert duplicates.key_of("project_award", award) == duplicates.key_of(
        "project_award", {"project_name": "远程教育服务平台 ", "award_name": "科技进步奖"})
    assert duplicates.key_of("project_award", {**award, "award_name": "发明奖"}) != \
        duplicates.key_of("project_award", award)
    # types that identify nothing shared, and drafts missing the fields
    assert duplicates.key_of("work_history", {"unit_name": "宏景软件公司"}) is None
    assert duplicates.key_of("paper", {"journal": "重庆工商大学学报"}) is None


def test_same_paper_of_several_persons_is_flagged_to_unit_and_applicant(ach):
    issn = {"issn": "1234-5679"}
    # 王小龙 of 福州市第一中学 and 秦程 of the caller's unit claimed it before
    theirs = ach.new("p3", "paper", paper(**issn, ranking="1/5"), evidence=[11], submit=True)
    colleague = ach.new("p2", "paper", paper(title=f"{TITLE}。", journal="《重庆工商大学学报》",
                                             **issn, ranking="2/5"),
                        evidence=[12], submit=True)
    assert theirs["warnings"] == []  # the first claim warns nobody
    assert colleague["warnings"][0]["count"] == 1
    # a draft of somebody else is no claim
    ach.new("p2", "paper", paper(title="草稿论文", **issn), evidence=[13])
    ach.new("p3", "paper", paper(title="草稿论文", **issn), evidence=[14])

    # 孙迪 submits the same paper: it succeeds with a warning
    mine = ach.new("p1", "paper", paper(title=f" {TITLE} ", **issn, ranking="1/5"),
                   evidence=[15], submit=True)
    assert mine["status"] == "submitted"
    [warning] = mine["warnings"]
    assert warning["code"] == "record.duplicate_claim" and warning["count"] == 2
    assert "已有 2 人提交了相同的业绩" in warning["message"]
    assert mine["duplicates"]["claimants"] == []  # the applicant sees no names
    other = ach.new("p1", "paper", paper(title="另一篇论文", **issn), evidence=[16], submit=True)
    assert other["warnings"] == [] and other["duplicates"] is None

    # the unit's 查看: its own staff in full, another unit's person masked
    seen = ach.record("a1", mine["id"])["duplicates"]
    assert seen["count"] == 2 and seen["basis"] == "论文题目与刊物（ISSN）相同"
    by_unit = {c["unit_name"]: c for c in seen["claimants"]}
    assert by_unit["宏景软件公司"]["person_name"] == "秦程"
    assert by_unit["宏景软件公司"]["record_id"] == colleague["id"]
    assert by_unit["宏景软件公司"]["ranking"] == "2/5"
    assert by_unit["福州市第一中学"]["person_name"] == "王**"
    assert by_unit["福州市第一中学"]["masked"] is True
    assert by_unit["福州市第一中学"]["record_id"] is None
    assert "王小龙" not in str(seen)
    # the other unit sees the caller's staff masked
    theirs_seen = ach.record("b1", theirs["id"])["duplicates"]
    assert sorted(c["person_name"] for c in theirs_seen["claimants"]) == sorted(["秦*", "孙*"])
    # the owner learns the number only
    own = ach.record("p1", mine["id"])["duplicates"]
    assert own["count"] == 2 and own["claimants"] == []

    # 业绩档案 flags the rows
    page = ach.unit_records("a1", type="paper")
    counts = {item["id"]: item["duplicate_count"] for item in page["items"]}
    assert counts[mine["id"]] == 2 and counts[colleague["id"]] == 2
    assert counts[other["id"]] is None
    # the page, its tab counts and its rows' claims are one statement
    with sql_statements(lambda sql: "achievements.records" in sql) as statements:
        assert ach.unit_records("a1", type="paper") == page
    assert len(statements) == 1, statements

    # the task detail of the review
    task = ach.task_for(mine["id"])
    assert task["duplicates"]["count"] == 2
    assert "王**" in [c["person_name"] for c in task["duplicates"]["claimants"]]
    plain = ach.task_for(other["id"])
    assert plain["duplicates"] is None

    # a claim withdrawn is no claim any more
    ach.ok(ach.withdraw("p3", theirs["id"]))
    assert ach.record("a1", mine["id"])["duplicates"]["count"] == 1


def test_same_patent_number_is_flagged(ach):
    fields = {"patent_no": "ZL 2019 1 0123456.7", "name": "一种教学装置",
              "category": "发明专利", "approval_date": "2020-05-01", "ranking": "1/3"}
    ach.new("p3", "patent", fields, evidence=[21], submit=True)
    mine = ach.new("p1", "patent", {**fields, "patent_no": "ZL201910123456.7"},
                   evidence=[22], submit=True)
    assert mine["warnings"][0]["count"] == 1
    seen = ach.record("a1", mine["id"])["duplicates"]
    assert seen["basis"] == "专利（著作权）号相同"
    assert seen["claimants"][0]["person_name"] == "王**"


def test_claims_are_found_through_the_key_index(ach):
    """The lookup is one query on ix_records_duplicate_key, not a scan of the records."""
    with ach.engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in connection.execute(text(
            "EXPLAIN SELECT id FROM achievements.records WHERE duplicate_key = 'paper:x' "
            "AND person_id <> 1 AND status IN ('submitted', 'approved')")))
    assert "ix_records_duplicate_key" in plan, plan
