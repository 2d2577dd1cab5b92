"""Real file contents for the tests: images, PDFs, Office files, workbooks, zip bombs."""
import datetime as dt
import io
import zipfile

from PIL import Image


def png(width=60, height=40, color="red"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width=60, height=40, color="blue", orientation=None):
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def split_jpeg(width, height, first, second, orientation=None):
    """A JPEG whose stored pixels are ``first`` on the left half and ``second`` on the
    right half, with an optional EXIF orientation tag."""
    image = Image.new("RGB", (width, height), first)
    image.paste(Image.new("RGB", (width // 2, height), second), (width // 2, 0))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def bmp(width=30, height=20):
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, "BMP")
    return out.getvalue()


def pdf(pages=1, padding=0):
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    for page in range(pages):
        doc.drawString(100, 700, f"page {page + 1}")
        doc.showPage()
    doc.save()
    data = out.getvalue()
    # Trailing bytes after %%EOF keep it a PDF for readers and sniffing; used to make
    # files of a chosen size.
    return data + b"%" + b"0" * max(0, padding - len(data) - 1) if padding else data


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def ole():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


def case_workbook(rows, sheets=1, title_row=True):
    """A 病案导入模板 workbook with ``rows`` data rows (write-only, streaming)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("病案")
    if title_row:
        sheet.append(["病案导入模板"])
    sheet.append(["序号", "住院(门诊)号", "病人姓名", "入院日期", "出院日期", "年龄", "性别",
                  "入院诊断", "出院诊断"])
    start = dt.date(2020, 1, 1)
    for i in range(1, rows + 1):
        admitted = start + dt.timedelta(days=i % 1000)
        sheet.append([i, f"ZY{i:07d}", f"病人{i}", admitted,
                      (admitted + dt.timedelta(days=7)).isoformat(),  # a date typed as text
                      20 + i % 60, "男" if i % 2 else "女", f"入院诊断{i}", f"出院诊断{i}"])
    for n in range(1, sheets):
        workbook.create_sheet(f"Sheet{n + 1}").append(["x"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _skeleton(archive, sheets=1):
    archive.writestr("[Content_Types].xml", (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationship'
        's+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedo'
        'cument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, sheets + 1))
        + "</Types>"))
    archive.writestr("_rels/.rels", (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relati'
        'onships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"))
    archive.writestr("xl/workbook.xml", (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
        + "</sheets></workbook>"))
    archive.writestr("xl/_rels/workbook.xml.rels", (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocumen'
                  f't/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, sheets + 1))
        + "</Relationships>"))


SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
HEADERS = ["序号", "住院(门诊)号", "病人姓名", "入院日期", "出院日期", "年龄", "性别",
           "入院诊断", "出院诊断"]


def _inline_row(number, values):
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def many_rows_workbook(rows, dimension="true"):
    """An xlsx with a header and ``rows`` data rows, streamed into the zip (the test
    never holds the sheet XML in memory). ``dimension``: "true" declares the real used
    range as Excel does, None declares none, any other text is declared as given."""
    if dimension == "true":
        dimension = f"A1:B{rows + 1}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD.replace(
                "<sheetData>", f'<dimension ref="{dimension}"/><sheetData>' if dimension
                else "<sheetData>").encode())
            sheet.write(_inline_row(1, HEADERS).encode())
            batch = []
            for number in range(2, rows + 2):
                batch.append(f'<row r="{number}"><c r="A{number}"><v>{number - 1}</v></c>'
                             f'<c r="B{number}" t="inlineStr"><is><t>ZY{number}</t></is></c></row>')
                if len(batch) == 5000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode())
            sheet.write(SHEET_TAIL.encode())
    return out.getvalue()


def zip_bomb_workbook(uncompressed_mb=300):
    """A valid-looking xlsx whose sheet expands to ``uncompressed_mb`` MB of whitespace
    (about 1000:1), streamed so the test itself stays small."""
    out = io.BytesIO()
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.encode())
            sheet.write(_inline_row(1, HEADERS).encode())
            for _ in range(uncompressed_mb):
                sheet.write(chunk)
            sheet.write(SHEET_TAIL.encode())
    return out.getvalue()


def broken_workbook():
    """A zip with the workbook parts but XML that is not XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive)
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=")
    data = out.getvalue()
    return data


def many_sheets_workbook(sheets=20):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive, sheets)
        for i in range(1, sheets + 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml",
                             SHEET_HEAD + _inline_row(1, HEADERS) + SHEET_TAIL)
    return out.getvalue()
