"""The integrity pledge (诚信承诺书) of a declaration: its text (Anhui FAQ 7) and the
template to download as plain text, HTML or PDF (ReportLab, the embedded CJK font of
services/common/fonts.py)."""
import html
import io

from services.common.fonts import register_cjk_font

TITLE = "诚信承诺书"


def declared_title(specialty, title):
    """``中学语文-高级教师`` as the pledge names what is declared."""
    return "-".join(part for part in (specialty, title) if part)


def pledge_text(unit_name, specialty, title):
    return (f"本人系 {unit_name or '__________'} 专业技术人员，现申报 "
            f"{declared_title(specialty, title) or '__________'} 专业技术资格。"
            "本人承诺所提交的所有申报材料（包括学历、职称、奖励证书及论文、业绩证明等材料）"
            "均为真实。如提供虚假、失实材料，本人自愿从通报之日起三年内停止申报专业技术资格，"
            "并接受人社等部门的处理。")


SIGNATURE = ("承诺人（签字）：", "日期：      年    月    日")


def as_text(text):
    return "\n\n".join([TITLE, text, *SIGNATURE]) + "\n"


def as_html(text):
    body = "".join(f"<p class=\"sign\">{html.escape(line)}</p>" for line in SIGNATURE)
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{TITLE}</title><style>body{{font-family:SimSun,STSong,serif;"
        "max-width:40em;margin:3em auto;line-height:2}h1{text-align:center}"
        ".sign{text-align:right}</style></head><body>"
        f"<h1>{TITLE}</h1><p>{html.escape(text)}</p>{body}</body></html>"
    )


def as_pdf(text):
    """One A4 page: the title, the text, the signature lines."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = register_cjk_font()
    heading = ParagraphStyle("h", fontName=font, fontSize=20, leading=30,
                             alignment=TA_CENTER, spaceAfter=12 * mm)
    paragraph = ParagraphStyle("p", fontName=font, fontSize=14, leading=28,
                               alignment=TA_JUSTIFY, firstLineIndent=28, wordWrap="CJK")
    sign = ParagraphStyle("s", fontName=font, fontSize=14, leading=28, alignment=TA_RIGHT)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                            topMargin=30 * mm, bottomMargin=25 * mm, title=TITLE)
    doc.build([Paragraph(TITLE, heading), Paragraph(html.escape(text), paragraph),
               Spacer(1, 20 * mm), *[Paragraph(line, sign) for line in SIGNATURE]])
    return buffer.getvalue()


FORMATS = {
    "text": ("text/plain; charset=utf-8", "txt"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
}


def render(text, fmt):
    """``(bytes, content_type, extension)`` of the template in ``fmt``."""
    content_type, extension = FORMATS[fmt]
    if fmt == "pdf":
        data = as_pdf(text)
    elif fmt == "html":
        data = as_html(text).encode("utf-8")
    else:
        data = as_text(text).encode("utf-8")
    return data, content_type, extension
