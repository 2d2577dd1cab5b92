"""退回告知（一次性告知）PDF: everything the applicant must correct in a returned
declaration or achievement record, in one list (FAQ 003 单位常见问题 1: 退回时需一次性告知
退回意见) — the return opinion, each item a reviewer marked deleted with its reason, each
rule failing now — as the JSON notice says (GET …/return-notice), A4, page numbers.

The notice is the API's answer: a declaration's (``declaration_id``, ``plan_name``,
``title`` …) or a record's (``record_id``, ``type_label``, ``title`` …); times print as
Beijing time to the minute."""
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from services.common.errors import Invalid
from services.common.time import beijing_text

from . import _pdf
from ._pdf import Styles, grid_table, text

PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
FONT_SIZE = 10.5
TITLE = "退回告知（一次性告知）"
CLOSING = "请按以上事项一次修改完毕后重新提交；如有疑问，请联系退回单位。"
MAX_ENTRIES = 2000


def render_return_notice(notice):
    """The PDF of a return notice (a declaration's or a record's), as bytes."""
    if not isinstance(notice, dict) or not isinstance(notice.get("items") or [], list):
        raise Invalid("notice.invalid", "退回告知内容有误")
    entries = list(notice.get("items") or [])[:MAX_ENTRIES]
    styles = Styles(FONT_SIZE)
    story = [styles.p(TITLE, styles.title)]

    about = _about(notice)
    story.append(grid_table(styles, None, about, [WIDTH * 0.2, WIDTH * 0.8],
                            centered_cols=()))
    story.append(Spacer(1, 8))
    rows = [[str(index), e.get("kind_label"), e.get("section_label"), e.get("title"),
             e.get("message")] for index, e in enumerate(entries, start=1)]
    if not rows:
        rows = [["", "", "", "", "没有需要修改的事项"]]
    widths = [WIDTH * 0.06, WIDTH * 0.2, WIDTH * 0.14, WIDTH * 0.22, WIDTH * 0.38]
    story.append(grid_table(styles, ["序号", "类别", "栏目", "事项", "需修改的内容"], rows,
                            widths, centered_cols=(0,)))
    story.append(Spacer(1, 10))
    story.append(styles.p(CLOSING, styles.body))

    buffer = _pdf.new_buffer()
    name = text(notice.get("person_name"))
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN,
                            title=f"{name} {TITLE}".strip(), author=name,
                            creator="职称申报评审平台")
    doc.build(story, canvasmaker=_pdf.numbered_canvas())
    return buffer.getvalue()


def _about(notice):
    """The label/value rows above the list: who, what, returned by whom and when."""
    rows = [["申报人", notice.get("person_name")]]
    if notice.get("record_id") is not None:
        rows += [["业绩类别", notice.get("type_label")], ["业绩名称", notice.get("title")]]
    else:
        rows += [["申报计划", notice.get("plan_name")],
                 ["申报职称", "-".join(text(v) for v in (notice.get("specialty"),
                                                      notice.get("title")) if text(v))]]
    rows += [["工作单位", notice.get("unit_name")],
             ["退回单位", notice.get("returned_by_unit_name")],
             ["退回环节", notice.get("step_label")],
             ["退回时间", beijing_text(notice.get("returned_at"))],
             ["需修改事项", f"{len(notice.get('items') or [])} 项"]]
    return [[label, value] for label, value in rows if text(value) != "" or label == "申报人"]
