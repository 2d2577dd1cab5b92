"""工作量 (workload) table as a PDF to print, sign and stamp (manual 4.3.5: "按照要求填写工作量
指标，自动生成相应PDF文件，单位有关负责人审核签字并盖章后，将扫描件上传").

It is downloaded while the declaration is being filled in, signed and stamped, scanned and
uploaded as evidence, so it carries no 草稿 watermark (that belongs to the review form)."""
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer
from reportlab.platypus.doctemplate import LayoutError

from services.contracts.printing import load_snapshot, visible

from . import _pdf
from ._pdf import Styles, grid_table, workload_table

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN_X
FONT_SIZE = 10.5

NOTES = (
    "按照要求填写工作量指标，自动生成相应PDF文件，单位有关负责人审核签字并盖章后，将扫描件上传。",
    "放射、超声、检验、病理学医生提供3份影像、检验\\检查、病理诊断报告，放射、超声、检验、病理学技术人员不提供；"
    "撰写了新技术新项目的，需上传佐证材料。",
    "工作量重新调整后，需重新下载工作量，打印签字盖章后重新制作成PDF文件上传。",
)


def render_workload_table(snapshot):
    """The 任现职以来的工作量（近5年） PDF with 签字/盖章 lines, as bytes."""
    snap = load_snapshot(snapshot)
    person, decl, plan = snap["person"], snap["declaration"], snap["plan"]
    styles = Styles(FONT_SIZE)
    title_styles = Styles(FONT_SIZE + 4)

    info = grid_table(styles, None, [
        ["姓名", person["name"], "工作单位", person["unit_name"]],
        ["现有职称", person["current_title"], "申报职称", decl["applied_title"]],
        ["填报表格类别", decl["form_category"], "申报职称专业方向", decl["specialty"]],
    ], [70, WIDTH / 2 - 70, 90, WIDTH / 2 - 90], centered_cols=(0, 2))
    table = workload_table(styles, snap["workload"], visible(snap["workload"]["rows"]), WIDTH,
                           row_height=FONT_SIZE * 2)
    notes = [Paragraph("说明：", styles.cell)] + [
        styles.p(f"{i}. {note}") for i, note in enumerate(NOTES, 1)]
    signatures = grid_table(styles, None, [
        ["申报人（签字）：", "", "日期：", "　　年　　月　　日"],
        ["单位负责人审核（签字）：", "", "日期：", "　　年　　月　　日"],
        ["单位（盖章）：", "", "", ""],
    ], [150, WIDTH - 150 - 50 - 130, 50, 130], row_height=34,
        extra_style=[("GRID", (0, 0), (-1, -1), 0, _pdf.colors.white),
                     ("LINEBELOW", (1, 0), (1, 1), 0.6, _pdf.colors.black)])

    story = [
        Paragraph("任现职以来的工作量（近5年）", title_styles.title),
        Paragraph(_pdf.escape(f"{plan['name']}　　评委会：{plan['committee']}"), styles.center),
        Spacer(1, 8), info, Spacer(1, 8), table, Spacer(1, 8), *notes, Spacer(1, 16),
        KeepTogether([signatures]),
    ]
    buffer = _pdf.new_buffer()
    doc = BaseDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                          title=f"{person['name']} 工作量", author=person["name"],
                          creator="职称申报评审平台")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, WIDTH, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    try:
        doc.build(story, canvasmaker=_pdf.numbered_canvas())
    except LayoutError:
        raise _pdf.layout_error("workload", "任现职以来的工作量（近5年）") from None
    return buffer.getvalue()
