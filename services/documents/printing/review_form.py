"""评审表 (review form) PDF: the cover and every section of the declaration form in the
order of the Chongqing manual (4.3.2–4.3.13), A4, page numbers, the person's photo,
reviewer-deleted items left out, and the 草稿 watermark on every page until the
declaration is final. Each page group of REVIEW_FORM_PAGES has its own font size, blank
rows and row height (评审表格式设置)."""
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from services.common.errors import Invalid
from services.contracts.printing import (
    INTEGRITY_ITEMS,
    REVIEW_FORM_PAGES,
    is_grassroots,
    load_review_form_settings,
    load_snapshot,
    visible,
)

from . import _pdf
from ._pdf import Styles, grid_table, month_cn, text, workload_table

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN_X

# Defaults of each page: font size (pt), blank rows, minimum row height (pt; None = fit).
DEFAULTS = {
    "cover": {"font_size": 15, "blank_rows": 0, "row_height": 34},
    "opinions": {"font_size": 10.5, "blank_rows": 0, "row_height": 110},
}
DEFAULT_PAGE = {"font_size": 10.5, "blank_rows": 0, "row_height": None}

PHOTO_W, PHOTO_H = 25 * mm, 35 * mm       # a one-inch photo (25 × 35 mm)
MAX_PHOTO_BYTES = 10 * 1024 * 1024
CN_NUMBERS = "一二三四五六七八九十"


def render_review_form(snapshot, photo=None, settings=None, photo_note=None):
    """The 评审表 PDF (A4) of a declaration snapshot, as bytes.

    ``photo``: the person's photo as raw JPEG/PNG bytes, or None (an empty photo box).
    ``photo_note``: what the photo box says instead of 照片 when there is no photo (e.g.
    照片文件缺失 when the stored photo has gone).
    ``settings``: ``{page: {font_size, blank_rows, row_height}}`` overriding, page by page
    and key by key, the settings saved in ``snapshot["print_settings"]["review_form"]``.
    Raises Invalid (422) for a broken snapshot, settings or photo, or content that cannot
    be laid out."""
    snap = load_snapshot(snapshot)
    page_settings = _merge_settings(snap["print_settings"]["review_form"],
                                    load_review_form_settings(settings) if settings else {})
    photo_flowable = _photo(photo) if photo else None
    form = _Form(snap, page_settings, photo_flowable, photo_note)
    story = form.story()

    buffer = _pdf.new_buffer()
    final = snap["final"]
    doc = BaseDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=f"{snap['person']['name']} 职称申报评审表", author=snap["person"]["name"],
        subject=snap["plan"]["name"], creator="职称申报评审平台")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, WIDTH, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")

    def on_page(canvas, _doc):
        if not final:
            _pdf.draw_watermark(canvas, PAGE)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    try:
        doc.build(story, canvasmaker=_pdf.numbered_canvas())
    except LayoutError:
        page = REVIEW_FORM_PAGES.get(form.current_page, "评审表")
        raise _pdf.layout_error(form.current_page, page) from None
    return buffer.getvalue()


def effective_settings(snapshot, settings=None):
    """The settings a page is printed with: defaults < saved < given (for the settings
    dialog, which shows the current values)."""
    snap = load_snapshot(snapshot)
    merged = _merge_settings(snap["print_settings"]["review_form"],
                             load_review_form_settings(settings) if settings else {})
    return {page: _page_setting(merged, page) for page in REVIEW_FORM_PAGES}


def _merge_settings(saved, given):
    merged = {}
    for source in (saved or {}, given or {}):
        for page, values in source.items():
            target = merged.setdefault(page, {})
            target.update({k: v for k, v in (values or {}).items() if v is not None})
    return merged


def _page_setting(settings, page):
    base = dict(DEFAULTS.get(page, DEFAULT_PAGE))
    base.update({k: v for k, v in (settings.get(page) or {}).items() if v is not None})
    return base


def _photo(data):
    """The photo as a flowable, checked and scaled down (a bad photo is a clear error)."""
    import io

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid("print.photo_invalid", "照片文件过大，请上传不超过 10MB 的 JPG 或 PNG 照片")
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG") or image.width * image.height > 40_000_000:
                raise Invalid("print.photo_invalid", "照片格式有误，请上传 JPG 或 PNG 格式的照片")
            image = image.convert("RGB")
            image.thumbnail((300, 420))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88)
    except (UnidentifiedImageError, OSError, ValueError):
        raise Invalid("print.photo_invalid",
                      "照片文件无法识别，请重新上传 JPG 或 PNG 格式的照片") from None
    out.seek(0)
    return Image(out, width=PHOTO_W, height=PHOTO_H)


class _Form:
    """Builds the story page group by page group."""

    def __init__(self, snap, settings, photo, photo_note=None):
        self.snap = snap
        self.settings = settings
        self.photo = photo
        self.photo_note = photo_note
        self.current_page = None
        self.section_no = 0

    # -- helpers
    def setting(self, page):
        return _page_setting(self.settings, page)

    def heading(self, styles, label):
        self.section_no += 1
        number = _cn_number(self.section_no)
        return Paragraph(f"{number}、{_pdf.escape(label)}", styles.heading)

    def story(self):
        story = []
        builders = [("cover", self.cover), ("basic", self.basic),
                    ("experience", self.experience), ("achievements", self.achievements),
                    ("workload", self.workload), ("papers", self.papers),
                    ("items", self.items), ("materials", self.materials),
                    ("opinions", self.opinions)]
        first = True
        for page, build in builders:
            setting = self.setting(page)
            flowables = build(Styles(setting["font_size"]), setting)
            if not flowables:
                continue
            if not first:
                story.append(PageBreak())
            story.append(_Marker(self, page))
            story.extend(flowables)
            first = False
        return story

    # -- 封面
    def cover(self, styles, setting):
        person, decl, plan = self.snap["person"], self.snap["declaration"], self.snap["plan"]
        big = Styles(setting["font_size"] + 11)
        rows = [("工作单位", person["unit_name"]), ("姓名", person["name"]),
                ("现有职称", person["current_title"]), ("申报职称", decl["applied_title"]),
                ("申报职称专业方向", decl["specialty"]),
                ("具体从事研究方向", decl["research_direction"]),
                ("填报表格类别", decl["form_category"]), ("申报类别", decl["declaration_type"]),
                ("评委会名称", plan["committee"]), ("填表时间", decl["filled_on"])]
        label_w, value_w = 150, 260
        table = grid_table(styles, None, [(f"{label}：", value) for label, value in rows],
                           [label_w, value_w], row_height=setting["row_height"],
                           blank_rows=setting["blank_rows"],
                           extra_style=[("GRID", (0, 0), (-1, -1), 0, colors.white),
                                        ("LINEBELOW", (1, 0), (1, len(rows) - 1), 0.6,
                                         colors.black),
                                        ("ALIGN", (0, 0), (0, -1), "RIGHT")])
        table.hAlign = "CENTER"
        title = f"{plan['region']}职称申报评审表"
        return [Spacer(1, 60), Paragraph(_pdf.escape(title), big.title),
                Paragraph(_pdf.escape(f"{plan['year']}年度　{plan['series']}"), styles.title),
                Spacer(1, 70), table]

    # -- 一、申报人基本情况
    def basic(self, styles, setting):
        person, decl = self.snap["person"], self.snap["declaration"]
        rh, W = setting["row_height"], WIDTH
        photo_w = PHOTO_W + 2 * _pdf.PADDING + 4
        lw = 74
        vw = (W - photo_w - 3 * lw) / 3
        photo_cell = self.photo or styles.c(self.photo_note or "照片")
        top = grid_table(styles, None, [
            ["姓名", person["name"], "曾用名", person["former_name"], "性别", person["gender"],
             photo_cell],
            ["出生日期", month_cn(person["birth_date"]), "参加工作时间", person["work_start_date"],
             "政治面貌", person["political_status"], ""],
            ["医德医风满意度（%）", decl["ethics_satisfaction"], "卫生支农年限",
             _suffix(decl["rural_support_years"], "年"), "民族", person["nation"], ""],
            ["证件类型", person["id_type"], "证件号码", person["id_number"], "", "", ""],
            ["工作单位", person["unit_name"], "", "", "", "", ""],
        ], [lw, vw, lw, vw, lw, vw, photo_w], row_height=max(rh or 0, PHOTO_H / 5 + 2),
            spans=[((6, 0), (6, 4)), ((3, 3), (5, 3)), ((1, 4), (5, 4))],
            centered_cols=(0, 2, 4), unmeasured_cols=(6,),
            extra_style=[("ALIGN", (6, 0), (6, 0), "CENTER")])

        edu_w = [lw, 62, (W - lw - 62 - 44 - 60 - 62) * 0.55, (W - lw - 62 - 44 - 60 - 62) * 0.45,
                 44, 60, 62]
        education = grid_table(styles, ["最高学历学位", "毕业时间", "就读院校", "专业", "学制",
                                        "学历/学位", "证书号"], [
            ["学历", month_cn(e.get("graduated_on")), e.get("school"), e.get("major"),
             e.get("duration"), e.get("name"), e.get("certificate_no")]
            for e in [person["education"]]] + [
            ["学位", month_cn(d.get("graduated_on")), d.get("school"), d.get("major"),
             d.get("duration"), d.get("name"), d.get("certificate_no")]
            for d in [person["degree"]]], edu_w, row_height=rh, centered_cols=(0, 1, 4, 5, 6))

        assessments = self.snap["annual_assessments"]
        parts = [top, education]
        if assessments:
            n = len(assessments)
            aw = [lw] + [(W - lw) / n] * n
            parts.append(grid_table(
                styles, None,
                [["现职以来年度考核"] + [f"{a['year']}年度" for a in assessments],
                 [""] + [a["result"] for a in assessments]],
                aw, row_height=rh, spans=[((0, 0), (0, 1))], centered_cols=tuple(range(n + 1))))

        kv = [("现有专业技术资格、取得时间及审批机关", person["current_title_detail"]),
              ("何时聘用何职称", person["employed_title"]),
              ("任现职年限", person["years_in_title"]),
              ("执业医师资格取得时间及类别", person["practice_qualification"]),
              ("医师执业证书取得时间及执业范围", person["practice_certificate"]),
              ("从事何专业技术工作", person["specialty_work"]),
              ("现（兼）任行政职务及任职时间", person["admin_post"]),
              ("参加何学术团体、任何职务，有何社会兼职", person["societies"]),
              ("近5年内继续教育情况", decl["continuing_education"]),
              ("是否为一线医务人员", text(decl["frontline"])),
              ("是否援鄂", text(decl["aided_hubei"])),
              ("填报表格类别", decl["form_category"]),
              ("申报类别", decl["declaration_type"])]
        parts.append(grid_table(styles, None, [list(r) for r in kv], [150, W - 150],
                                row_height=rh, blank_rows=setting["blank_rows"]))
        return [self.heading(styles, "申报人基本情况"), *parts]

    # -- 二、学习培训经历 / 工作经历
    def experience(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        study = visible(self.snap["study"])
        work = visible(self.snap["work"])
        study_t = grid_table(styles, ["起止时间", "专业或主要内容", "学习地点", "证书号"],
                             [[r["period"], r["content"], r["place"], r["certificate_no"]]
                              for r in study],
                             [95, W - 95 - 120 - 80, 120, 80], row_height=rh,
                             title="学习培训经历（包括参加专业学习、培训、国内外进修等）",
                             centered_cols=(0, 3))
        work_t = grid_table(styles, ["起止时间", "工作单位", "从事何专业技术工作", "职称（职务）"],
                            [[r["period"], r["unit"], r["work"], r["title"]] for r in work],
                            [95, W - 95 - 150 - 90, 150, 90], row_height=rh,
                            blank_rows=setting["blank_rows"], title="工作经历",
                            centered_cols=(0, 3))
        return [self.heading(styles, "学习培训经历、工作经历"), study_t, Spacer(1, 10), work_t]

    # -- 三、任现职前 / 四、任现职以来主要专业技术工作业绩
    def achievements(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        header = ["起止时间", "专业技术工作名称（项目、课题成果等）",
                  "工作内容、本人起何作用（主持、参加、独立、排名）",
                  "完成情况及效果（获何奖励、效益或专利）"]
        widths = [80, (W - 80) * 0.32, (W - 80) * 0.36, (W - 80) * 0.32]

        def rows(key):
            return [[r["period"], r["name"], r["role"], r["result"]]
                    for r in visible(self.snap[key])]

        before = grid_table(styles, header, rows("achievements_before"), widths, row_height=rh,
                            centered_cols=(0,))
        current = grid_table(styles, header, rows("achievements"), widths, row_height=rh,
                             blank_rows=setting["blank_rows"], centered_cols=(0,))
        return [self.heading(styles, "任现职前主要专业技术工作业绩"), before, Spacer(1, 8),
                self.heading(styles, "任现职以来主要专业技术工作业绩"), current]

    # -- 五、任现职以来的工作量（近5年）
    def workload(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        table = workload_table(styles, self.snap["workload"],
                               visible(self.snap["workload"]["rows"]), W, row_height=rh,
                               blank_rows=setting["blank_rows"])
        return [self.heading(styles, "任现职以来的工作量（近5年）"),
                Paragraph(_pdf.escape(f"填报表格类别：{self.snap['declaration']['form_category']}"),
                          styles.cell), Spacer(1, 4), table]

    # -- 六、论文及学术报告 / 七、专业考试成绩（副高）
    def papers(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        rows = visible(self.snap["papers"])
        if is_grassroots(self.snap):
            label = "任现职以来本专业典型案例分析、学术经验交流、业务总结、个案报道或科普文章等"
            header = ["日期", "名称", "主要内容", "主要影响或起到的作用"]
            data = [[r["date"], r["title"], r["content"], r["venue"]] for r in rows]
            widths = [60, (W - 60) * 0.3, (W - 60) * 0.4, (W - 60) * 0.3]
        else:
            label = "论文及学术报告"
            header = ["日期", "名称及内容提要", "出版、登载、获奖或在学术会议上交流情况", "排名"]
            data = [[r["date"], _join_text(r["title"], r["content"]), r["venue"], r["rank"]]
                    for r in rows]
            widths = [60, W - 60 - 170 - 50, 170, 50]
        exam = self.snap["exam"] if self.snap["plan"]["level"] == "副高" else None
        flowables = [self.heading(styles, label),
                     grid_table(styles, header, data, widths, row_height=rh,
                                blank_rows=0 if exam else setting["blank_rows"],
                                centered_cols=(0, 3))]
        if exam:
            ew = [70, 62, (W - 70 - 62 - 52) * 0.34, (W - 70 - 62 - 52) * 0.30, 52,
                  (W - 70 - 62 - 52) * 0.36]
            flowables += [Spacer(1, 8), self.heading(styles, "专业考试成绩"), grid_table(
                styles, ["考试方式", "日期", "考试名称", "考试专业", "考试成绩", "组织考试单位"],
                [[exam["mode"], exam["date"], exam["name"], exam["specialty"], exam["score"],
                  exam["organiser"]]], ew, row_height=rh, blank_rows=setting["blank_rows"],
                centered_cols=(0, 1, 4))]
        return flowables

    # -- 申报业绩材料 (imported from the achievement library), grouped by record type
    def items(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        items = visible(self.snap["items"])
        if not items:
            return []
        groups = {}
        for item in items:
            groups.setdefault(item["type_label"], []).append(item)
        flowables = [self.heading(styles, "申报业绩材料（个人业绩库导入）")]
        names = list(groups)
        for index, label in enumerate(names):
            group = groups[label]
            columns = [c["label"] for c in group[0]["columns"]] or ["内容"]
            n = len(columns)
            widths = [34] + [(W - 34) / n] * n
            rows = []
            for number, item in enumerate(group, 1):
                values = [c["value"] for c in item["columns"]][:n]
                rows.append([str(number)] + values + [""] * (n - len(values)))
            last = index == len(names) - 1
            flowables += [grid_table(styles, ["序号"] + columns, rows, widths, row_height=rh,
                                     title=f"{label}（{len(group)}项）", centered_cols=(0,),
                                     blank_rows=setting["blank_rows"] if last else 0),
                          Spacer(1, 8)]
        return flowables

    # -- 工作总结及考核鉴定 / 其他附件 / 查档情况 / 申报诚信情况
    def materials(self, styles, setting):
        snap, rh, W = self.snap, setting["row_height"], WIDTH
        out = [self.heading(styles, "工作总结及考核鉴定材料")]
        if snap["work_summary"]:
            out += [Paragraph("工作总结：", styles.cell),
                    styles.p(snap["work_summary"], styles.body)]
        if snap["assessment"]:
            out += [Paragraph("临床业绩和临床能力考核鉴定：", styles.cell),
                    styles.p(snap["assessment"], styles.body)]
        materials = visible(snap["summary_materials"])
        out.append(grid_table(styles, ["材料", "文件", "状态"],
                              [[m["label"], m["file_name"],
                                "已上传" if m["file_name"] else "未上传"]
                               for m in materials] or [["无", "", ""]],
                              [W * 0.45, W * 0.4, W * 0.15], row_height=rh, centered_cols=(2,)))

        out += [Spacer(1, 6), self.heading(styles, "其他附件")]
        attachments = visible(snap["other_attachments"])
        out.append(grid_table(styles, ["序号", "附件名称", "文件"],
                              [[str(i), a["label"], a["file_name"]]
                               for i, a in enumerate(attachments, 1)]
                              or [["", "无", ""]],
                              [40, (W - 40) * 0.55, (W - 40) * 0.45], row_height=rh,
                              centered_cols=(0,)))

        archive = snap["archive_check"] or {}
        out += [Spacer(1, 6), self.heading(styles, "查档情况"),
                grid_table(styles, None, [["查档情况", archive.get("content") or "无"],
                                          ["印证材料", archive.get("file_name") or "无"]],
                           [90, W - 90], row_height=rh)]

        integrity = snap["integrity"] or {}
        name = snap["person"]["name"]
        period = (f"{integrity.get('publicity_from') or '    '} 至 "
                  f"{integrity.get('publicity_to') or '    '}")
        statement = (f"兹保证 {name} 同志系本单位职工，申报材料属实，经公示无异议（公示时间 "
                     f"{period}），"
                     "符合申报条件和相关政策规定，如有不实，愿承担相应责任。")
        checked = set(integrity.get("checked") or [])
        ticks = "　".join(f"{'√' if item in checked else '□'}{item}" for item in INTEGRITY_ITEMS)
        rows = [["申报诚信情况说明", statement],
                ["取得现资格以来申报人工作中或职称申报评审中出现的情况（打√）", ticks],
                ["其他情况", integrity.get("other") or "无"],
                ["过错具体情形的简要文字说明", integrity.get("explanation") or "无"]]
        out += [Spacer(1, 6), self.heading(styles, "申报诚信情况"),
                grid_table(styles, None, rows, [110, W - 110], row_height=rh,
                           blank_rows=setting["blank_rows"])]
        return out

    # -- 审核意见 (each level's recommendation)
    def opinions(self, styles, setting):
        rh, W = setting["row_height"], WIDTH
        opinions = self.snap["opinions"]
        rows = []
        for o in opinions:
            sign = (f"负责人签名：{o['signer'] or '　　　　'}　　签字时间："
                    f"{o['signed_on'] or '　　年　月　日'}"
                    "　　（盖章）")
            cell = [styles.p(o["opinion"] or ""), Spacer(1, 6), styles.p(sign)]
            rows.append([_join_lines(o["level"], o["unit_name"]), cell])
        if not rows:
            rows = [["基层单位意见", ""]]
        table = _opinion_table(styles, rows, [110, W - 110], rh, setting["blank_rows"])
        return [self.heading(styles, "审核意见"), table]


def _opinion_table(styles, rows, widths, row_height, blank_rows):
    data = []
    heights = []
    for label, cell in rows:
        label_p = styles.c(label)
        inner_h = sum(f.wrap(widths[1] - 2 * _pdf.PADDING, 1e6)[1] for f in cell)
        heights.append(max(inner_h + 2 * _pdf.PADDING, row_height or 0))
        data.append([label_p, cell])
    for _ in range(blank_rows or 0):
        data.append(["", ""])
        heights.append(max(row_height or 0, styles.leading + 2 * _pdf.PADDING))
    table = Table(data, colWidths=widths, rowHeights=heights)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), _pdf.FONT),
                               ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
                               ("VALIGN", (1, 0), (1, -1), "TOP")]))
    return table


class _Marker(Spacer):
    """A zero-size flowable that records which page group is being laid out (for errors)."""

    def __init__(self, form, page):
        super().__init__(0, 0)
        self.form, self.page = form, page

    def wrap(self, available_width, available_height):
        self.form.current_page = self.page
        return 0, 0


def _cn_number(n):
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    return str(n)


def _suffix(value, unit):
    value = text(value)
    return f"{value} {unit}" if value and not value.endswith(unit) else value


def _join_text(title, content):
    title, content = text(title), text(content)
    return f"{title}：{content}" if title and content else title or content


def _join_lines(*values):
    return "\n".join(text(v) for v in values if text(v))
