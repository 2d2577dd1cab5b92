"""Every generated PDF embeds its (subsetted) CJK font and reads on a machine without any
Chinese font: pdffonts lists only embedded fonts, and pdftoppm run with an empty font
configuration (no system font to substitute) draws the title's characters."""
import os
import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from services.documents.printing import (
    render_publicity_table,
    render_return_notice,
    render_review_form,
    render_workload_table,
)
from services.documents.tests.examples import (
    example_photo,
    example_return_notice,
    example_snapshot,
)
from services.workflow.declarations.logic import pledge

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftoppm", "pdftotext")),
    reason="poppler-utils (pdffonts, pdftoppm, pdftotext) is not installed")

NO_FONTS = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
            "<fontconfig></fontconfig>\n")


def _pledge():
    text = pledge.pledge_text("重庆市云阳县中医院", "中药学", "副主任医师")
    return pledge.render(text, "pdf")[0]


PRINTOUTS = {
    "评审表": (lambda: render_review_form(example_snapshot(items=3), example_photo()),
            "重庆市职称申报评审表"),
    "公示表": (lambda: render_publicity_table(example_snapshot()), "评审年度"),
    "工作量": (lambda: render_workload_table(example_snapshot()), "工作量"),
    "一次性告知": (lambda: render_return_notice(example_return_notice()), "退回告知"),
    "诚信承诺书": (_pledge, "诚信承诺书"),
}


def fonts(path):
    """pdffonts' rows: (name, emb)."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    rows = []
    for line in out:
        # name type… encoding emb sub uni object ID: emb is the 5th field from the end
        parts = line.split()
        rows.append((parts[0], parts[-5]))
    return rows


def title_ink(path, title, tmp_path):
    """Dark pixels inside the bounding box of ``title`` on page 1, rendered with no system
    font at all (an empty fontconfig), so only embedded fonts can draw it."""
    bbox = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r'[^<]*' + re.escape(title), bbox)
    assert match, f"{title} is not on page 1"
    x0, y0, x1, y1 = map(float, match.groups())
    config = tmp_path / "no-fonts.conf"
    config.write_text(NO_FONTS)
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-gray", "-png",
                    str(path), str(prefix)], check=True, capture_output=True,
                   env={**os.environ, "FONTCONFIG_FILE": str(config)})
    [png] = tmp_path.glob("page-*.png")
    scale = 100 / 72
    image = Image.open(png).convert("L").crop(
        (int(x0 * scale), int(y0 * scale), int(x1 * scale) + 1, int(y1 * scale) + 1))
    return sum(image.histogram()[:128])


@pytest.mark.parametrize("kind", list(PRINTOUTS))
def test_every_font_is_embedded_and_the_title_draws_without_system_fonts(kind, tmp_path):
    make, title = PRINTOUTS[kind]
    path = tmp_path / "out.pdf"
    path.write_bytes(make())
    rows = fonts(path)
    assert rows, "no font in the PDF"
    assert all(emb == "yes" for _, emb in rows), rows
    assert all("STSong" not in name and "Helvetica" not in name for name, _ in rows), rows
    # subsetted: the font program carries the glyphs used, not the 5 MB collection
    assert all(re.match(r"^[A-Z]{6}\+", name) for name, _ in rows), rows
    assert path.stat().st_size < 1_500_000
    assert title_ink(path, title, tmp_path) > 50, f"{kind}: the title renders blank"


def test_a_missing_font_is_a_clear_error(tmp_path):
    script = ("from services.common.fonts import register_cjk_font, FontMissing\n"
              "try:\n    register_cjk_font()\nexcept FontMissing as e:\n    print(e)\n")
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        env={**os.environ, "PRINT_CJK_FONT": str(tmp_path / "none.ttc")}).stdout
    assert "none.ttc not found" in out and "fonts-wqy-microhei" in out
