"""The CJK font every generated PDF is set in, embedded (subsetted) in the file.

ReportLab's built-in CID fonts (STSong-Light) are not embedded: a viewer without a Song
font shows every Chinese character as an empty box. So the PDFs are set in WenQuanYi
Micro Hei (文泉驿微米黑, Debian package ``fonts-wqy-microhei``, installed by
bin/_lib.sh and deploy/Dockerfile), registered as a ReportLab ``TTFont``: ReportLab
embeds, in each PDF, only the glyphs that PDF uses. Registering it also makes it every
canvas's initial font, so no PDF names the non-embedded Helvetica.

``PRINT_CJK_FONT`` may name another TrueType file (``path`` or ``path#index`` for a
font collection). A missing font is a clear error, not a PDF of empty boxes.
"""
import os
import threading

FONT = "WenQuanYiMicroHei"
DEFAULT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DEFAULT_INDEX = 0            # the .ttc holds 微米黑 (0) and 等宽微米黑 (1)
ENV = "PRINT_CJK_FONT"


class FontMissing(RuntimeError):
    """The CJK font file cannot be read: PDFs cannot be printed."""


_lock = threading.Lock()
_registered = False


def font_file():
    """(path, subfont index) of the CJK font: ``PRINT_CJK_FONT`` or the Debian default."""
    configured = os.environ.get(ENV, "").strip()
    if not configured:
        return DEFAULT_PATH, DEFAULT_INDEX
    path, _, index = configured.partition("#")
    return path, int(index) if index.strip().isdigit() else 0


def register_cjk_font():
    """Register the CJK font with ReportLab (once per process) and answer its name.

    Raises :class:`FontMissing` naming the file and the package to install when the
    font cannot be read."""
    global _registered
    if _registered:
        return FONT
    with _lock:
        if _registered:
            return FONT
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        path, index = font_file()
        if not os.path.isfile(path):
            raise FontMissing(
                f"CJK font {path} not found: install the Debian package fonts-wqy-microhei "
                f"(bin/_lib.sh and deploy/Dockerfile do) or set {ENV} to a TrueType font "
                "with Chinese glyphs; PDFs are not printed without it")
        try:
            font = TTFont(FONT, path, subfontIndex=index)
        except (TTFError, OSError) as error:
            raise FontMissing(f"CJK font {path} (index {index}) cannot be read: {error}; "
                              f"install fonts-wqy-microhei or set {ENV}") from None
        pdfmetrics.registerFont(font)
        # a canvas starts in this font rather than the non-embedded Helvetica, which
        # ReportLab would otherwise name in every page's resources
        from reportlab import rl_config
        rl_config.canvas_basefontname = FONT
        # one face for every variant, so that <b>/<i> in a paragraph does not fail
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)
        _registered = True
    return FONT
