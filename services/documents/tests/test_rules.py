"""The slot table, content sniffing, file names and configuration (no infrastructure)."""
import io

import pytest

from services.common.config import ConfigError
from services.common.errors import Invalid
from services.documents.logic import slots
from services.documents.logic.sniff import check_file_name, content_disposition, content_kind, sniff
from services.documents.policy import policy_from_config

from . import samples

# Every rule the seeds state in their own words: (slot, extensions, MB, files).
SEED_RULES = [
    ("work_history", ("png", "jpg", "pdf"), 2, 5),               # 003 工作经历
    ("continuing_education", ("png", "jpg", "pdf", "bmp"), 10, 5),  # 003 继续教育
    ("engineering_project", ("jpg", "pdf"), 30, 10),              # 003 工程技术项目
    ("paper", ("docx", "doc", "pdf"), 10, 10),                    # 003 论文发表情况
    ("paper_check", ("docx", "doc"), 10, 1),                      # 003 论文查重附件
    ("health_topic_check", ("doc", "docx"), 10, 1),               # 001 卫生-专题 查重
    ("health_paper_check", ("doc", "docx"), 10, 1),               # 001 卫生-论文 查重
    ("health_paper_scan", ("png", "jpg"), 10, 10),                # 001 纸质扫描版
    ("post_quota_form", ("docx", "doc", "jpg", "pdf"), 10, 1),    # 003 岗位核准 相关附件
    ("rec_publicity", ("jpg", "bmp", "pdf", "png"), 10, 5),       # 003 公示情况及证明
    ("rec_opinion", ("jpg", "bmp", "pdf", "png"), 10, 2),         # 003 单位推荐意见
    ("rec_other", ("jpg", "bmp", "pdf", "png"), 10, 5),           # 003 单位申报其他材料
    ("rec_teacher_form", ("jpg", "bmp", "pdf", "png"), 10, 2),    # 003 学校申报材料提交表
    ("rec_teacher_note", ("jpg", "bmp", "pdf", "png"), 10, 2),    # 003 审核材料提交说明
    ("rec_medical_license", ("jpg", "bmp", "pdf", "png"), 10, 1),  # 003 医疗机构执业许可证
]


@pytest.mark.parametrize("key, extensions, mb, count", SEED_RULES)
def test_the_seed_rules_are_in_the_table(key, extensions, mb, count):
    rule = slots.apply_overrides(None).get(key)
    assert (rule.extensions, rule.max_size_mb, rule.max_files) == (extensions, mb, count)
    assert rule.rule_text == (f"只能上传{'/'.join(extensions)}文件，且不超过{mb}MB，"
                              f"且最多只能上传{count}个文件")


def test_chongqing_places_take_one_pdf_of_ten_mb():
    chongqing = [r for r in slots.CATALOGUE
                 if r.key.startswith("cq_") and r.key != slots.IMAGES_SLOT]
    assert len(chongqing) >= 15
    assert all((r.extensions, r.max_size_mb, r.max_files) == (("pdf",), 10, 1)
               for r in chongqing)


def test_the_table_is_consistent():
    keys = [r.key for r in slots.CATALOGUE]
    assert len(keys) == len(set(keys))
    for rule in slots.CATALOGUE:
        assert rule.label and rule.form and rule.source
        assert set(rule.extensions) <= set(slots.KNOWN_EXTENSIONS)
        assert rule.uploader in ("person", "unit", "any", "system")


def test_overrides_change_only_what_they_name():
    table = slots.apply_overrides(
        {"work_history": {"max_size_mb": 5, "extensions": ["PDF", "jpeg"]}})
    rule = table.get("work_history")
    assert (rule.extensions, rule.max_size_mb, rule.max_files) == (("pdf", "jpg"), 5, 5)
    assert table.get("paper") == slots.apply_overrides("").get("paper")


def test_configuration_limits_are_checked():
    assert policy_from_config({}).bundle_max_bytes == 120 * 1024 * 1024
    assert policy_from_config({}).download_ttl == 300
    with pytest.raises(ConfigError, match="DOWNLOAD_URL_TTL"):
        policy_from_config({"DOWNLOAD_URL_TTL": 600})
    with pytest.raises(ConfigError, match="BUNDLE_MAX_MB"):
        policy_from_config({"BUNDLE_MAX_MB": -1})
    with pytest.raises(ConfigError, match="SLOT_RULES"):
        policy_from_config({"SLOT_RULES": '{"work_history": {"max_size_mb": 0}}'})


@pytest.mark.parametrize("data, kind", [
    (samples.png(), "png"), (samples.jpeg(), "jpeg"), (samples.bmp(), "bmp"),
    (samples.pdf(), "pdf"), (samples.ole(), "ole"), (samples.docx(), "docx"),
    (samples.case_workbook(2), "xlsx"), (b"GIF89a....", "gif"), (b"BM" + b"\x00" * 40, None),
    (b"hello world", None),
])
def test_content_is_recognised_by_its_bytes(data, kind):
    assert content_kind(io.BytesIO(data)) == kind


def test_a_zip_that_is_neither_word_nor_excel_is_a_zip():
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    assert content_kind(io.BytesIO(out.getvalue())) == "zip"
    assert content_kind(io.BytesIO(out.getvalue()[:30])) is None
    assert sniff(b"PK\x03\x04") == "zip"


@pytest.mark.parametrize("name", ["a/b.pdf", "a\\b.pdf", "a\x07.pdf", "a\u202e.pdf", ".", "..",
                                  "x" * 201 + ".pdf", "nodot", ".pdf", "   "])
def test_bad_names_are_refused(name):
    with pytest.raises(Invalid):
        check_file_name(name)


def test_good_names_are_trimmed():
    assert check_file_name("  毕业证 (副本).PDF ") == "毕业证 (副本).PDF"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition('评审表"v1".pdf') == (
        'attachment; filename="____v1_.pdf"; '
        "filename*=UTF-8''%E8%AF%84%E5%AE%A1%E8%A1%A8%22v1%22.pdf")
