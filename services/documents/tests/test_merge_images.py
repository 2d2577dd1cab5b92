"""Several uploaded images become one A4 PDF in a Chongqing evidence slot."""
import io
import re
import shutil
import subprocess

import pytest
import requests
from PIL import Image

from services.documents.logic.images import images_to_pdf

from . import samples

A4_POINTS = (595, 842)


def page_boxes(pdf_bytes):
    """The MediaBox of every page, from the PDF's own objects (ReportLab writes them
    uncompressed), in page order."""
    boxes = re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf_bytes)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def render(pdf_bytes, tmp_path):
    """Each page rendered by pdftoppm (poppler) at 20 dpi, as Pillow images."""
    source = tmp_path / "merged.pdf"
    source.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(source), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("page-*.png"))]


def test_three_images_become_one_upright_three_page_a4_pdf(docs, tmp_path):
    # 1: a photo stored sideways (landscape pixels, left red / right blue) whose EXIF
    #    orientation 6 says "rotate 90° clockwise": upright it is portrait, red on top.
    # 2: a landscape PNG; 3: a portrait BMP.
    sideways = samples.split_jpeg(400, 300, "red", "blue", orientation=6)
    ids = [
        docs.uploaded("alice", "cq_evidence_images", "1.jpg", sideways)["id"],
        docs.uploaded("alice", "cq_evidence_images", "2.png", samples.png(400, 200, "green"))["id"],
        docs.uploaded("alice", "cq_evidence_images", "3.bmp", samples.bmp(200, 300))["id"],
    ]
    answer = docs.post("/api/v1/files/merge-images", "alice",
                       json={"file_ids": ids, "slot": "cq_degree", "file_name": "学历学位.pdf",
                             "bundle": "declaration:3"})
    assert answer.status_code == 201, answer.text
    merged = answer.json()
    assert merged["slot"] == "cq_degree" and merged["status"] == "completed"
    assert merged["source"] == "merged" and merged["content_type"] == "application/pdf"
    assert merged["bundle"] == "declaration:3"

    link = docs.get(f"/api/v1/files/{merged['id']}/download", "alice").json()
    pdf = requests.get(link["url"], timeout=30).content
    assert pdf.startswith(b"%PDF-") and len(pdf) == merged["size"]
    # A4 pages, in order: portrait (the turned photo), landscape, portrait
    assert page_boxes(pdf) == [A4_POINTS, A4_POINTS[::-1], A4_POINTS]

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF's structure was "
                    "checked above, its rendering is not")
    pages = render(pdf, tmp_path)
    assert len(pages) == 3
    first, second, third = pages
    assert first.height > first.width and second.width > second.height
    assert third.height > third.width
    # the photo is upright: red at the top, blue at the bottom
    top = first.getpixel((first.width // 2, first.height // 4))
    bottom = first.getpixel((first.width // 2, first.height * 3 // 4))
    assert top[0] > 200 and top[2] < 80, top
    assert bottom[2] > 200 and bottom[0] < 80, bottom
    # the landscape image fills its landscape page (green reaches near the edges)
    middle = second.getpixel((second.width // 2, second.height // 2))
    near_left = second.getpixel((second.width // 20, second.height // 2))
    assert middle[1] > 100 and near_left[1] > 100 and middle[0] < 80

    # the one-PDF slot now holds its PDF: a second merge for the same place is refused
    again = docs.post("/api/v1/files/merge-images", "alice",
                      json={"file_ids": ids[:1], "slot": "cq_degree", "file_name": "x.pdf",
                            "bundle": "declaration:3"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "file.too_many"


def test_merge_refuses_what_is_not_ones_own_image_or_a_pdf_slot(docs):
    mine = docs.uploaded("alice", "cq_evidence_images", "1.jpg", samples.jpeg())["id"]
    theirs = docs.uploaded("bob", "cq_evidence_images", "1.jpg", samples.jpeg())["id"]
    a_pdf = docs.uploaded("alice", "work_history", "a.pdf", samples.pdf())["id"]

    def merge(ids, slot="cq_paper", name="论文.pdf"):
        return docs.post("/api/v1/files/merge-images", "alice",
                         json={"file_ids": ids, "slot": slot, "file_name": name})

    assert merge([mine, theirs]).status_code == 404
    not_image = merge([a_pdf])
    assert not_image.status_code == 415 and not_image.json()["error"]["code"] == "file.not_image"
    assert merge([mine], slot="health_paper_check", name="x.pdf").status_code == 415
    assert merge([mine], name="论文.png").status_code == 422
    assert merge([mine, mine]).status_code == 422
    assert merge([]).status_code == 422
    assert merge([mine]).status_code == 201


def test_images_to_pdf_refuses_what_is_not_an_image():
    from services.common.errors import Invalid

    with pytest.raises(Invalid) as caught:
        images_to_pdf([samples.png(), b"not an image at all"])
    assert caught.value.message == "第2张图片无法读取，请检查文件是否损坏"


def test_transparent_png_gets_a_white_background(tmp_path):
    image = Image.new("RGBA", (100, 150), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    pdf = images_to_pdf([out.getvalue()])
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    [page] = render(pdf, tmp_path)
    assert page.getpixel((page.width // 2, page.height // 2)) == (255, 255, 255)
