"""公示表 (publicity table): the whole table on one A3 landscape page.

The manual (2.4.1, 4.3.11, 4.3.12) prints the publicity table on exactly one A3 sheet; the
declarant shortens what does not fit. So the table is laid out in three columns on one
page and, when a column runs over, :func:`render_publicity_table` refuses with an error
that names the section to shorten instead of spilling onto a second page.

Only rows that are marked for publicity and not deleted by a reviewer are shown. The font
size (whole table, or per section) and the blank rows per section come from
``print_settings["publicity"]`` and the ``settings`` argument."""
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from services.common.errors import Invalid
from services.contracts.printing import (
    PUBLICITY_SECTIONS,
    for_publicity,
    is_grassroots,
    load_publicity_settings,
    load_snapshot,
)

from . import _pdf
from ._pdf import Styles, grid_table, month_cn, text, workload_table

PAGE = landscape(A3)                  # 1190.55 × 841.89 pt
MARGIN = 10 * mm
GUTTER = 8
SECTION_GAP = 4
DEFAULT_FONT_SIZE = 9
# Share of the usable width of each column, and the sections each column stacks.
COLUMNS = (
    (0.34, ("basic", "study", "work")),
    (0.30, ("workload", "papers")),
    (0.36, ("achievements",)),
)
LEVEL_SHORT = {"正高": "高", "副高": "高", "中级": "中", "初级": "初"}


def publicity_title(snap):
    plan, decl = snap["plan"], snap["declaration"]
    level = LEVEL_SHORT[plan["level"]]
    return (f"{plan['region']}{plan['series']}（{decl['form_category']}{level}）"
            "级专业技术职务任职资格评审综合情况（公示）表")


def render_publicity_table(snapshot, settings=None):
    """The 公示表 PDF: exactly one A3 landscape page, as bytes.

    ``settings``: ``{"font_size": pt, "sections": {section: {"blank_rows", "font_size"}}}``
    overriding the saved ``print_settings["publicity"]``. Raises
    ``Invalid("publicity.too_long", "公示表内容超出一页，请精简「<section>」", {"section":
    key, "label": label})`` when the content does not fit on the page."""
    snap = load_snapshot(snapshot)
    merged = _merge(snap["print_settings"]["publicity"],
                    load_publicity_settings(settings) if settings else None)

    width, height = PAGE
    usable_w = width - 2 * MARGIN - GUTTER * (len(COLUMNS) - 1)
    base_size = merged["font_size"] or DEFAULT_FONT_SIZE
    title_styles = Styles(base_size + 8)
    sub_styles = Styles(base_size + 1)
    title = title_styles.p(publicity_title(snap), title_styles.title)
    subtitle = sub_styles.p(
        f"评审年度：{snap['plan']['year']}　　评委会：{snap['plan']['committee']}　　"
        f"工作单位：{snap['person']['unit_name']}", sub_styles.center)
    _, title_h = title.wrap(width - 2 * MARGIN, height)
    _, subtitle_h = subtitle.wrap(width - 2 * MARGIN, height)
    top = height - MARGIN
    body_top = top - title_h - subtitle_h - 6
    usable_h = body_top - MARGIN

    builders = {"basic": _basic, "study": _study, "work": _work, "workload": _workload,
                "papers": _papers, "achievements": _achievements}
    placed = []                    # (x, column width, [(key, table, height)])
    overflow = []
    x = MARGIN
    for share, keys in COLUMNS:
        col_w = usable_w * share
        tables = []
        for key in keys:
            section = merged["sections"].get(key) or {}
            styles = Styles(section.get("font_size") or base_size)
            table = builders[key](snap, styles, col_w, section.get("blank_rows") or 0)
            _, h = table.wrap(col_w, 1e6)
            tables.append((key, table, h))
        total = sum(h for _, _, h in tables) + SECTION_GAP * (len(tables) - 1)
        if total > usable_h:
            overflow.extend(tables)
        placed.append((x, col_w, tables))
        x += col_w + GUTTER

    if overflow:
        # name the tallest section that can be shortened (the basic block is fixed fields)
        candidates = [entry for entry in overflow if entry[0] != "basic"] or overflow
        key = max(candidates, key=lambda entry: entry[2])[0]
        label = PUBLICITY_SECTIONS[key]
        raise Invalid("publicity.too_long", f"公示表内容超出一页，请精简「{label}」",
                      {"section": key, "label": label})

    buffer = _pdf.new_buffer()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"{snap['person']['name']} 公示表")
    canvas.setAuthor(snap["person"]["name"])
    canvas.setCreator("职称申报评审平台")
    title.drawOn(canvas, MARGIN, top - title_h)
    subtitle.drawOn(canvas, MARGIN, top - title_h - subtitle_h)
    for x, _col_w, tables in placed:
        y = body_top
        for _, table, h in tables:
            table.drawOn(canvas, x, y - h)
            y -= h + SECTION_GAP
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def effective_settings(snapshot, settings=None):
    """Font size and blank rows per section as the table will use them (for the dialog)."""
    snap = load_snapshot(snapshot)
    merged = _merge(snap["print_settings"]["publicity"],
                    load_publicity_settings(settings) if settings else None)
    base = merged["font_size"] or DEFAULT_FONT_SIZE
    sections = {key: merged["sections"].get(key) or {} for key in PUBLICITY_SECTIONS}
    return {"font_size": base,
            "sections": {key: {"font_size": section.get("font_size") or base,
                               "blank_rows": section.get("blank_rows") or 0}
                         for key, section in sections.items()}}


def _merge(saved, given):
    merged = {"font_size": saved.get("font_size"), "sections": {}}
    for source in (saved, given or {}):
        if source.get("font_size") is not None:
            merged["font_size"] = source["font_size"]
        for key, values in (source.get("sections") or {}).items():
            target = merged["sections"].setdefault(key, {})
            target.update({k: v for k, v in (values or {}).items() if v is not None})
    return merged


def _basic(snap, styles, width, blank_rows):
    person, decl = snap["person"], snap["declaration"]
    education, degree = person["education"], person["degree"]
    lw = width * 0.2
    vw = width * 0.3
    rows = [
        ["姓名", person["name"], "性别", person["gender"]],
        ["出生年月", month_cn(person["birth_date"]), "最高学历", education.get("name")],
        ["参加工作时间", person["work_start_date"], "最高学位", degree.get("name")],
        ["现有职称、取得时间及审批机关", person["current_title_detail"], "何时聘用何职称",
         person["employed_title"]],
        ["医德医风满意度（%）", decl["ethics_satisfaction"], "卫生支农时间",
         decl["rural_support_years"]],
        ["工作单位", person["unit_name"], "现（兼）任行政职务及任职时间", person["admin_post"]],
        ["参加何学术团体、任何职务、有何社会兼职", person["societies"], "", ""],
        ["继续教育情况", decl["continuing_education"], "专业考试成绩、日期", _exam_text(snap)],
        ["申报职称", decl["applied_title"], "申报职称专业方向", decl["specialty"]],
    ]
    return grid_table(styles, None, rows, [lw, vw, lw, vw], blank_rows=blank_rows,
                      spans=[((1, 6), (3, 6))], centered_cols=(0, 2))


def _exam_text(snap):
    exam = snap["exam"] if snap["plan"]["level"] == "副高" else None
    if not exam:
        return ""
    if exam["mode"] != "参加考试":
        return exam["mode"]
    return "，".join(v for v in (text(exam["score"]), text(exam["date"])) if v)


def _study(snap, styles, width, blank_rows):
    rows = [[r["period"], r["content"], r["place"], r["certificate_no"]]
            for r in for_publicity(snap["study"])]
    return grid_table(styles, ["起止时间", "专业或主要内容", "学习地点", "证书号"], rows,
                      _shares(width, (0.22, 0.40, 0.23, 0.15)), blank_rows=blank_rows,
                      title="学习培训经历", centered_cols=(0, 3))


def _work(snap, styles, width, blank_rows):
    rows = [[r["period"], r["unit"], r["work"], r["title"]] for r in for_publicity(snap["work"])]
    return grid_table(styles, ["起止时间", "单位", "从事何专业技术工作", "职称（职务）"], rows,
                      _shares(width, (0.22, 0.36, 0.26, 0.16)), blank_rows=blank_rows,
                      title="工作经历", centered_cols=(0, 3))


def _workload(snap, styles, width, blank_rows):
    return workload_table(styles, snap["workload"], for_publicity(snap["workload"]["rows"]), width,
                          blank_rows=blank_rows, title="任现职以来的工作量（近5年）")


def _papers(snap, styles, width, blank_rows):
    rows = for_publicity(snap["papers"])
    if is_grassroots(snap):
        header = ["日期", "名称", "主要内容", "主要影响或起到的作用"]
        data = [[r["date"], r["title"], r["content"], r["venue"]] for r in rows]
        shares = (0.14, 0.28, 0.32, 0.26)
    else:
        header = ["日期", "名称及内容提要", "出版、登载、获奖或在学术会议上交流情况", "排名"]
        data = [[r["date"], r["title"] if not r["content"] else f"{r['title']}：{r['content']}",
                 r["venue"], r["rank"]] for r in rows]
        shares = (0.14, 0.48, 0.28, 0.10)
    return grid_table(styles, header, data, _shares(width, shares), blank_rows=blank_rows,
                      title=PUBLICITY_SECTIONS["papers"], centered_cols=(0, 3))


def _achievements(snap, styles, width, blank_rows):
    rows = [[r["period"], r["name"], r["role"], r["result"]]
            for r in for_publicity(snap["achievements"])]
    header = ["起止时间", "专业技术工作名称（项目、课题成果等）",
              "工作内容、本人起何作用（主持、参加、独立、排名）",
              "完成情况及效果（获何奖励、效益或专利）"]
    return grid_table(styles, header, rows, _shares(width, (0.16, 0.28, 0.28, 0.28)),
                      blank_rows=blank_rows, title=PUBLICITY_SECTIONS["achievements"],
                      centered_cols=(0,))


def _shares(width, shares):
    return [width * s for s in shares]
