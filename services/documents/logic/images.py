"""Images into one A4 PDF, one image per page, in order.

Chongqing's rule (004, 第五章): every evidence place takes one PDF, pages A4, "所有资料都需
正面向上". So each image is first turned upright by its EXIF orientation; a landscape
image goes on a landscape A4 page (still A4, still upright) and a portrait one on a
portrait page, scaled to fill the page inside a small margin, centred.
"""
import io

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from services.common.errors import Invalid

MARGIN = 18            # points (a quarter inch)
MAX_PIXELS = 60_000_000
MAX_SIDE = 3508        # A4's long side at 300 dpi: no need for more on a page
JPEG_QUALITY = 85


def _upright_rgb(data, index):
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise Invalid("file.image_too_large",
                          f"第{index}张图片像素过多（{width}×{height}），请缩小后重试")
        if image.format == "JPEG":
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        return image
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid("file.image_unreadable",
                      f"第{index}张图片无法读取，请检查文件是否损坏") from None


def images_to_pdf(images):
    """PDF bytes with one A4 page per image (bytes of jpg/png/bmp), in order."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle("印证材料")
    for index, data in enumerate(images, start=1):
        image = _upright_rgb(data, index)
        width, height = image.size
        page = landscape(A4) if width > height else A4
        pdf.setPageSize(page)
        page_width, page_height = page
        scale = min((page_width - 2 * MARGIN) / width, (page_height - 2 * MARGIN) / height)
        draw_width, draw_height = width * scale, height * scale
        encoded = io.BytesIO()
        image.save(encoded, "JPEG", quality=JPEG_QUALITY, optimize=True)
        encoded.seek(0)
        pdf.drawImage(ImageReader(encoded), (page_width - draw_width) / 2,
                      (page_height - draw_height) / 2, draw_width, draw_height)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
