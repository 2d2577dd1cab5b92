"""The printed PDFs (评审表, 公示表, 工作量) read back with poppler (pdftotext, pdftoppm,
pdfinfo, pdfimages), as a reviewer would see them."""
import re
import shutil
import subprocess

import pytest
from PIL import Image

from services.common.errors import Invalid
from services.documents.printing import (
    render_publicity_table,
    render_review_form,
    render_workload_table,
)
from services.documents.tests.examples import example_photo, example_snapshot

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdfimages")),
    reason="poppler-utils (pdftotext, pdftoppm, pdfinfo, pdfimages) is not installed")


# ---------------------------------------------------------------- reading PDFs back
class Pdf:
    def __init__(self, data, tmp_path, name="out"):
        assert data.startswith(b"%PDF-")
        self.path = tmp_path / f"{name}.pdf"
        self.path.write_bytes(data)
        self.tmp_path = tmp_path
        self.name = name

    def _run(self, *args):
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    @property
    def info(self):
        out = self._run("pdfinfo", "-f", "1", "-l", "9999", str(self.path))
        return out

    @property
    def page_count(self):
        return int(re.search(r"^Pages:\s+(\d+)", self.info, re.M).group(1))

    def page_sizes(self):
        return [(float(w), float(h)) for w, h in
                re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", self.info, re.M)]

    def page_text(self, page):
        """The page's text in drawing order, whitespace removed (a cell's wrapped lines join)."""
        raw = self._run("pdftotext", "-raw", "-f", str(page), "-l", str(page), str(self.path), "-")
        return re.sub(r"\s+", "", raw)

    def pages_text(self):
        return [self.page_text(page) for page in range(1, self.page_count + 1)]

    @property
    def text(self):
        return "".join(self.pages_text())

    def word_top(self, word):
        """The top (y, from the page top) of the first word equal to ``word``."""
        out = self._run("pdftotext", "-bbox", str(self.path), "-")
        match = re.search(r'yMin="([\d.]+)"[^>]*>' + re.escape(word) + "<", out)
        assert match, f"{word} not found"
        return float(match.group(1))

    def dark_pixel_share(self):
        """Per page: the share of dark pixels of the page rendered at 30 dpi."""
        prefix = self.tmp_path / f"{self.name}-png"
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(self.path), str(prefix)], check=True)
        shares = []
        for png in sorted(self.tmp_path.glob(f"{self.name}-png-*.png")):
            image = Image.open(png).convert("L")
            dark = sum(image.histogram()[:128])
            shares.append(dark / (image.width * image.height))
        return shares

    def image_count(self):
        out = self._run("pdfimages", "-list", str(self.path))
        return max(len(out.strip().splitlines()) - 2, 0)


def squash(value):
    return re.sub(r"\s+", "", value)


@pytest.fixture
def snapshot():
    return example_snapshot(items=12)


# ---------------------------------------------------------------- 评审表
REVIEW_FORM_SECTIONS = [
    "重庆市职称申报评审表", "申报人基本情况", "学习培训经历", "工作经历",
    "任现职前主要专业技术工作业绩", "任现职以来主要专业技术工作业绩", "任现职以来的工作量（近5年）",
    "论文及学术报告", "专业考试成绩", "申报业绩材料（个人业绩库导入）", "工作总结及考核鉴定材料",
    "其他附件", "查档情况", "申报诚信情况", "审核意见",
]


def test_review_form_prints_every_section_in_the_manuals_order(snapshot, tmp_path):
    pdf = Pdf(render_review_form(snapshot, photo=example_photo()), tmp_path)
    text = pdf.text
    positions = [text.find(title) for title in REVIEW_FORM_SECTIONS]
    assert all(p >= 0 for p in positions), dict(zip(REVIEW_FORM_SECTIONS, positions, strict=False))
    assert positions == sorted(positions)
    person = snapshot["person"]
    for value in (person["name"], person["unit_name"], person["id_number"], "副主任中医师",
                  "中药学", "重庆市卫生系列中医药高级职务评委会", "2021年度", "优秀",
                  snapshot["study"][0]["content"], snapshot["work"][0]["unit"],
                  snapshot["achievements_before"][0]["name"], snapshot["achievements"][0]["name"],
                  "年门诊人次", snapshot["papers"][0]["title"], "重庆市卫生技术副高级专业能力考试",
                  snapshot["items"][0]["columns"][0]["value"], "临床业绩和临床能力考核鉴定",
                  "优秀共产党员表彰文件", "经查阅本人人事档案", "兹保证张健同志系本单位职工",
                  "□论著一稿多投", "基层单位意见", "同意推荐。", "负责人签名：李明"):
        assert squash(value) in text, value

    pages = pdf.pages_text()
    assert len(pages) > 5
    for number, page in enumerate(pages, 1):
        assert f"第{number}页共{len(pages)}页" in page
    assert all(share > 0.002 for share in pdf.dark_pixel_share())


def test_draft_watermark_on_every_page_until_final(tmp_path):
    draft = Pdf(render_review_form(example_snapshot(items=5, final=False)), tmp_path, "draft")
    pages = draft.pages_text()
    assert len(pages) > 5
    assert all("草稿" in page for page in pages)

    final = Pdf(render_review_form(example_snapshot(items=5, final=True)), tmp_path, "final")
    assert final.page_count == len(pages)
    assert not any("草稿" in page for page in final.pages_text())


def test_items_marked_deleted_are_left_out(snapshot, tmp_path):
    text = Pdf(render_review_form(snapshot), tmp_path).text
    deleted = [r["content"] for r in snapshot["study"] if r["deleted"]]
    deleted += [r["name"] for r in snapshot["achievements"] if r["deleted"]]
    deleted += [r["item"] for r in snapshot["workload"]["rows"] if r["deleted"]]
    deleted += [r["title"] for r in snapshot["papers"] if r["deleted"]]
    deleted += [i["columns"][0]["value"] for i in snapshot["items"] if i["deleted"]]
    deleted += [a["label"] for a in snapshot["other_attachments"] if a["deleted"]]
    assert len(deleted) == 6
    for value in deleted:
        assert squash(value) not in text, value
    assert "审核标记删除" not in text
    # rows kept off the publicity table still belong in the review form
    kept = [r["name"] for r in snapshot["achievements"] if not r["publicity"]]
    kept += [r["item"] for r in snapshot["workload"]["rows"] if not r["publicity"] and not r["delet"
                                                                                             "ed"]]
    assert kept and all(squash(value) in text for value in kept)
    # the imported items that are not deleted are all there, grouped by type
    assert "论文（3项）" in text and "科研项目（2项）" in text  # 12 items, item 2 deleted


def test_the_photo_is_printed(snapshot, tmp_path):
    with_photo = render_review_form(snapshot, photo=example_photo())
    assert Pdf(with_photo, tmp_path, "p").image_count() == 1
    assert Pdf(render_review_form(snapshot), tmp_path, "n").image_count() == 0


@pytest.mark.parametrize("photo", [b"not an image at all", b"GIF89a" + b"\0" * 40])
def test_a_broken_photo_is_a_clear_error(snapshot, photo):
    with pytest.raises(Invalid) as caught:
        render_review_form(snapshot, photo=photo)
    assert caught.value.code == "print.photo_invalid"
    assert "照片" in caught.value.message


def test_page_settings_change_the_next_pdf(tmp_path):
    snapshot = example_snapshot(items=40)
    base = Pdf(render_review_form(snapshot), tmp_path, "base")

    # blank rows fill the basic page until it runs onto another page
    blank = Pdf(render_review_form(snapshot, settings={"basic": {"blank_rows": 40}}),
                tmp_path, "blank")
    assert blank.page_count == base.page_count + 1

    # a bigger font for the imported items takes more pages
    font = Pdf(render_review_form(snapshot, settings={"items": {"font_size": 16}}),
               tmp_path, "font")
    assert font.page_count > base.page_count

    # taller rows for the achievements page take more pages
    tall = Pdf(render_review_form(snapshot, settings={"achievements": {"row_height": 110}}),
               tmp_path, "tall")
    assert tall.page_count > base.page_count

    # settings saved with the declaration change the next PDF just the same …
    snapshot["print_settings"]["review_form"] = {"basic": {"blank_rows": 40}}
    saved = Pdf(render_review_form(snapshot), tmp_path, "saved")
    assert saved.page_count == blank.page_count
    # … and settings given for this print override the saved ones, key by key
    back = Pdf(render_review_form(snapshot, settings={"basic": {"blank_rows": 0}}),
               tmp_path, "back")
    assert back.page_count == base.page_count


def test_a_smaller_font_moves_the_text_up(tmp_path):
    snapshot = example_snapshot(items=0)
    normal = Pdf(render_review_form(snapshot), tmp_path, "normal")
    small = Pdf(render_review_form(snapshot, settings={"experience": {"font_size": 7}}),
                tmp_path, "small")
    assert small.word_top("工作经历") < normal.word_top("工作经历") - 10


@pytest.mark.parametrize("settings", [
    {"basic": {"font_size": 50}},
    {"basic": {"blank_rows": -1}},
    {"basic": {"row_height": 500}},
    {"no_such_page": {"font_size": 10}},
])
def test_settings_out_of_range_are_refused(snapshot, settings):
    with pytest.raises(Invalid) as caught:
        render_review_form(snapshot, settings=settings)
    assert caught.value.code == "print.settings_invalid"
    assert caught.value.details["fields"]


def test_content_that_cannot_be_laid_out_names_the_page(snapshot):
    snapshot["achievements"][0]["role"] = "病例收集与数据分析" * 55
    with pytest.raises(Invalid) as caught:
        render_review_form(snapshot, settings={"achievements": {"font_size": 20}})
    assert caught.value.code == "print.layout_failed"
    assert caught.value.details["page"] == "achievements"
    assert "「主要专业技术工作业绩」" in caught.value.message


def test_grassroots_form_and_levels_other_than_fugao(tmp_path):
    snapshot = example_snapshot(items=2, level="正高", form_category="基层全科")
    text = Pdf(render_review_form(snapshot), tmp_path).text
    assert "任现职以来本专业典型案例分析、学术经验交流、业务总结、个案报道或科普文章等" in text
    assert "主要影响或起到的作用" in text
    assert "家庭医生签约服务（人）" in text          # workload items follow the form category
    assert "专业考试成绩" not in text              # 副高 only
    assert "主任中医师" in text


# ---------------------------------------------------------------- 公示表
def test_publicity_table_is_one_a3_landscape_page(snapshot, tmp_path):
    pdf = Pdf(render_publicity_table(snapshot), tmp_path)
    assert pdf.page_count == 1
    (width, height), = pdf.page_sizes()
    assert width == pytest.approx(1190.55, abs=0.5) and height == pytest.approx(841.89, abs=0.5)
    text = pdf.text
    assert "重庆市卫生系列（中医药高）级专业技术职务任职资格评审综合情况（公示）表" in text
    for label in ("学习培训经历", "工作经历", "任现职以来的工作量（近5年）",
                  "任现职以来主要专业技术工作业绩", "著作、论文及学术、技术报告",
                  snapshot["person"]["name"], "医德医风满意度（%）", "78，2024-05-18"):
        assert squash(label) in text, label
    assert snapshot["person"]["id_number"] not in text
    assert pdf.dark_pixel_share()[0] > 0.002


def test_publicity_table_shows_only_rows_marked_for_publicity(snapshot, tmp_path):
    text = Pdf(render_publicity_table(snapshot), tmp_path).text
    hidden = [r["name"] for r in snapshot["achievements"] if not r["publicity"] or r["deleted"]]
    hidden += [r["item"] for r in snapshot["workload"]["rows"]
               if not r["publicity"] or r["deleted"]]
    hidden += [r["title"] for r in snapshot["papers"] if not r["publicity"] or r["deleted"]]
    hidden += [r["content"] for r in snapshot["study"] if r["deleted"]]
    assert len(hidden) == 7
    for value in hidden:
        assert squash(value) not in text, value
    shown = [r["name"] for r in snapshot["achievements"] if r["publicity"] and not r["deleted"]]
    shown += [r["title"] for r in snapshot["papers"] if r["publicity"] and not r["deleted"]]
    shown += ["年门诊人次", snapshot["work"][-1]["unit"]]
    for value in shown:
        assert squash(value) in text, value
    assert "草稿" not in text   # the manual watermarks the review form only


def test_publicity_table_too_long_names_the_section_to_shorten(snapshot):
    for row in snapshot["achievements"]:
        row["role"] = "主持，负责方案设计、病例收集与数据分析，" * 12
    with pytest.raises(Invalid) as caught:
        render_publicity_table(snapshot)
    assert caught.value.code == "publicity.too_long"
    assert caught.value.message == "公示表内容超出一页，请精简「任现职以来主要专业技术工作业绩」"
    assert caught.value.details["section"] == "achievements"


def test_publicity_blank_rows_that_overflow_name_their_section():
    with pytest.raises(Invalid) as caught:
        render_publicity_table(example_snapshot(),
                               settings={"sections": {"study": {"blank_rows": 45}}})
    assert caught.value.details == {"section": "study", "label": "学习培训经历"}
    assert "「学习培训经历」" in caught.value.message


def test_publicity_font_size_and_blank_rows_change_the_layout(snapshot, tmp_path):
    base = Pdf(render_publicity_table(snapshot), tmp_path, "base").word_top("工作经历")
    blank = Pdf(render_publicity_table(
        snapshot, settings={"sections": {"study": {"blank_rows": 5}}}),
        tmp_path, "blank").word_top("工作经历")
    assert blank > base + 40
    bigger = Pdf(render_publicity_table(snapshot, settings={"font_size": 10}),
                 tmp_path, "bigger").word_top("工作经历")
    assert bigger > base + 20
    snapshot["print_settings"]["publicity"] = {"font_size": 10,
                                               "sections": {"study": {"blank_rows": 2}}}
    saved = Pdf(render_publicity_table(snapshot), tmp_path, "saved").word_top("工作经历")
    assert saved > bigger
    with pytest.raises(Invalid) as caught:
        render_publicity_table(snapshot, settings={"font_size": 30})
    assert caught.value.code == "print.settings_invalid"


# ---------------------------------------------------------------- 工作量
def test_workload_pdf_has_the_sign_and_stamp_lines(snapshot, tmp_path):
    pdf = Pdf(render_workload_table(snapshot), tmp_path)
    text = pdf.text
    for value in ("任现职以来的工作量（近5年）", snapshot["person"]["name"], "申报人（签字）：",
                  "单位负责人审核（签字）：", "单位（盖章）：", "年月日", "2019年", "2023年",
                  "专业工作时间（周）", "中医适宜技术推广培训（次）（不公示）"):
        assert squash(value) in text, value
    deleted = [r["item"] for r in snapshot["workload"]["rows"] if r["deleted"]]
    assert deleted and not any(squash(item) in text for item in deleted)
    assert "草稿" not in text
    assert pdf.page_count == 1 and pdf.dark_pixel_share()[0] > 0.002
