"""ReportLab helpers shared by the PDF printouts: the embedded CJK font
(services/common/fonts.py), paragraph styles,
grid tables with a minimum row height and blank rows, the 草稿 watermark and a canvas
that numbers pages "第 X 页 共 Y 页"."""
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from services.common.errors import Invalid
from services.common.fonts import FONT, register_cjk_font

PADDING = 3          # cell padding (pt), each side
GRID = colors.black
HEADER_BG = colors.Color(0.9, 0.9, 0.9)


def register_fonts():
    """Register the embedded CJK font (once); FontMissing when it is not installed."""
    register_cjk_font()


def text(value):
    """A value as printable text: None → "", booleans → 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def month_cn(iso):
    """``1978-11-05`` → ``1978年11月`` (the form prints birth months so)."""
    iso = text(iso)
    if len(iso) >= 7 and iso[4] == "-":
        return f"{iso[:4]}年{iso[5:7]}月"
    return iso


class Styles:
    """Paragraph styles for one font size."""

    def __init__(self, size):
        register_fonts()
        self.size = size
        self.leading = round(size * 1.3, 2)
        self.cell = ParagraphStyle(f"cell{size}", fontName=FONT, fontSize=size,
                                   leading=self.leading, wordWrap="CJK", alignment=TA_LEFT)
        self.center = ParagraphStyle(f"center{size}", parent=self.cell, alignment=TA_CENTER)
        self.body = ParagraphStyle(f"body{size}", parent=self.cell, firstLineIndent=size * 2,
                                   spaceAfter=size * 0.4)
        self.title = ParagraphStyle(f"title{size}", fontName=FONT, fontSize=size + 4,
                                    leading=(size + 4) * 1.4, alignment=TA_CENTER,
                                    spaceBefore=2, spaceAfter=size * 0.6, wordWrap="CJK")
        self.heading = ParagraphStyle(f"heading{size}", fontName=FONT, fontSize=size + 2,
                                      leading=(size + 2) * 1.4, alignment=TA_LEFT,
                                      spaceBefore=size * 0.6, spaceAfter=size * 0.4,
                                      wordWrap="CJK")

    def p(self, value, style=None):
        return Paragraph(escape(text(value)).replace("\n", "<br/>"), style or self.cell)

    def c(self, value):
        return self.p(value, self.center)


def grid_table(styles, header, rows, widths, *, row_height=None, blank_rows=0,
               title=None, spans=(), extra_style=(), centered_cols=(), unmeasured_cols=()):
    """A grid table of paragraphs.

    ``header`` is one row of labels (or None); ``title`` an optional first row spanning
    all columns; ``rows`` lists of values; ``blank_rows`` empty rows appended to fill the
    page; each row is at least ``row_height`` tall (grown to fit its text, except the
    text of ``unmeasured_cols``, e.g. a photo spanning several rows)."""
    data, heights = [], []
    min_height = row_height or 0
    title_rows = 0
    if title is not None:
        data.append([styles.c(title)] + [""] * (len(widths) - 1))
        title_rows = 1
    if header is not None:
        data.append([styles.c(h) for h in header])
    for row in rows:
        data.append([value if _is_flowable(value) else
                     (styles.c(value) if i in centered_cols else styles.p(value))
                     for i, value in enumerate(row)])
    for _ in range(blank_rows or 0):
        data.append([""] * len(widths))
    for index, row in enumerate(data):
        needed = 0
        row_widths = [sum(widths)] if index < title_rows else widths
        for col, (value, width) in enumerate(zip(row, row_widths, strict=False)):
            if _is_flowable(value) and col not in unmeasured_cols:
                _, h = value.wrap(max(width - 2 * PADDING, 1), 1e6)
                needed = max(needed, h)
        heights.append(max(needed + 2 * PADDING, min_height, styles.leading + 2 * PADDING))
    repeat = title_rows + (1 if header is not None else 0)
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=repeat)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),    # empty cells too: no Helvetica in the PDF
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
    ]
    if title is not None:
        commands += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG)]
    if header is not None:
        commands.append(("BACKGROUND", (0, title_rows), (-1, title_rows), HEADER_BG))
    for (c0, r0), (c1, r1) in spans:
        commands.append(("SPAN", (c0, r0 + title_rows), (c1, r1 + title_rows)))
    commands.extend(extra_style)
    table.setStyle(TableStyle(commands))
    return table


def workload_table(styles, workload, rows, width, *, row_height=None, blank_rows=0, title=None):
    """项目 × years: the 工作量 table shared by the review form and the workload PDF."""
    years = workload["years"]
    n = max(len(years), 1)
    item_w = min(width * 0.42, 220)
    widths = [item_w] + [(width - item_w) / n] * n
    header = ["项目"] + [f"{y}年" for y in years] if years else ["项目", "数量"]
    data = [[r["item"]] + [text(v) for v in (r["values"] + [""] * n)[:n]] for r in rows]
    return grid_table(styles, header, data, widths, row_height=row_height, blank_rows=blank_rows,
                      title=title, centered_cols=tuple(range(1, n + 1)))


def _is_flowable(value):
    return hasattr(value, "wrap") and hasattr(value, "drawOn")


def draw_watermark(canvas, page_size, word="草稿"):
    """The 草稿 watermark: large light-grey text across the middle of the page."""
    register_fonts()
    width, height = page_size
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.82, 0.82, 0.82))
    size = min(width, height) / 3.2
    canvas.setFont(FONT, size)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -size / 3, word)
    canvas.restoreState()


def numbered_canvas(footer_size=9):
    """A Canvas class that writes "第 X 页 共 Y 页" at the foot of every page."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(FONT, footer_size)
                self.setFillColor(colors.black)
                self.drawCentredString(width / 2, 20, f"第 {self._pageNumber} 页 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def layout_error(key, label):
    return Invalid("print.layout_failed",
                   f"「{label}」中有内容过长，一页排不下，请精简该内容或减小字体、行高",
                   {"page": key, "label": label})


def new_buffer():
    return io.BytesIO()
