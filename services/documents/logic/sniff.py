"""What a file really is, from its first bytes (and, for Office Open XML, its zip
directory), compared with what its extension claims."""
import re
import unicodedata
import urllib.parse
import zipfile
import zlib

from services.common.errors import Invalid

# The content kind each extension must have.
KIND_OF_EXTENSION = {
    "pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "bmp": "bmp",
    "doc": "ole", "xls": "ole", "docx": "docx", "xlsx": "xlsx",
}
KIND_LABEL = {
    "pdf": "PDF文档", "png": "PNG图片", "jpeg": "JPG图片", "bmp": "BMP图片",
    "ole": "Word/Excel 97-2003文档", "docx": "Word文档（docx）", "xlsx": "Excel工作簿（xlsx）",
    "zip": "ZIP压缩包", "gif": "GIF图片", None: "无法识别的内容",
}
CONTENT_TYPE = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "bmp": "image/bmp", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_KINDS = ("jpeg", "png", "bmp")
HEAD_BYTES = 1024

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG = b"\x89PNG\r\n\x1a\n"
_BMP_DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}


def sniff(head):
    """The kind of content whose first bytes are ``head`` (``zip`` for any zip)."""
    if head.startswith(_PNG):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if (head.startswith(b"BM") and len(head) >= 18
            and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES):
        return "bmp"
    if head.startswith(b"%PDF-"):
        # At offset 0 only: an HTML page with "%PDF-" further in is not a PDF.
        return "pdf"
    return None


def refine_zip(fileobj):
    """``docx``, ``xlsx`` or ``zip`` for a zip archive; None when it is not a readable zip.
    Only the central directory is read."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def content_kind(fileobj):
    """The kind of the content of ``fileobj`` (positioned at 0, left at 0)."""
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    kind = sniff(head)
    if kind == "zip":
        kind = refine_zip(fileobj)
    return kind


PDF_END = b"%%EOF"


def pdf_is_complete(fileobj, chunk_size=1024 * 1024):
    """Whether a PDF carries its end-of-file marker. A file cut off in transfer (or
    truncated on purpose) lacks it, and readers cannot open it. Trailing bytes after the
    marker are tolerated, as PDF readers do. Leaves ``fileobj`` at 0."""
    tail = b""
    try:
        while True:
            chunk = fileobj.read(chunk_size)
            if not chunk:
                return False
            window = tail + chunk
            if PDF_END in window:
                return True
            tail = window[-(len(PDF_END) - 1):]
    finally:
        fileobj.seek(0)


# --------------------------------------------------------------------------- active content

# PDF names of scripts, launch actions, embedded files and multimedia (PDF 32000-1:
# 12.6.4, 7.11.4, 13.2). /OpenAction alone is harmless (it often only opens a page); with
# JavaScript it is caught by the /JavaScript or /JS name it then carries.
ACTIVE_NAMES = frozenset({
    b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia",
    b"GoToE",
})
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
MAX_INFLATED = 64 * 1024 * 1024  # all streams of one file together, against zip bombs


def _decoded(name):
    """A PDF name with its #xx escapes decoded (``/J#61vaScript`` is ``/JavaScript``)."""
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)


def _active_names(data):
    return {_decoded(m.group(1)) for m in _NAME.finditer(data)} & ACTIVE_NAMES


def _inflated_streams(data):
    """The decompressed bytes of every stream that inflates with zlib (FlateDecode, also
    object streams, which hide dictionaries), up to ``MAX_INFLATED`` bytes in all."""
    budget = MAX_INFLATED
    for match in _STREAM.finditer(data):
        if budget <= 0:
            return
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[match.end():], budget)
        except zlib.error:
            continue
        budget -= len(out)
        yield out


def pdf_active_content(fileobj):
    """The names of active content (scripts, launch actions, embedded files, rich media)
    a PDF carries, in its plain bytes or inside its zlib-compressed streams, sorted;
    empty when there is none. Leaves ``fileobj`` at 0.

    A byte scan, not a parser: it sees every name written plainly or with #xx escapes,
    in the file body and in FlateDecode streams (object streams included). It does not
    see names in streams under other filters (LZW, ASCIIHex/85 wrapping Flate) or in
    encrypted documents; such files are rare for scanned evidence."""
    try:
        data = fileobj.read()
    finally:
        fileobj.seek(0)
    found = _active_names(data)
    for inflated in _inflated_streams(data):
        found |= _active_names(inflated)
    return sorted(name.decode("latin-1") for name in found)


def extension_of(file_name):
    base, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and base else ""


# --------------------------------------------------------------------------- names

MAX_NAME_LENGTH = 200


def check_file_name(file_name):
    """The file name, trimmed; 422 when it is empty, too long, has a path separator or a
    control character (including invisible direction overrides), or no extension."""
    name = (file_name or "").strip()
    field = {"fields": {"file_name": ["文件名无效"]}}
    if not name or name in (".", ".."):
        raise Invalid("file.name_invalid", "文件名不能为空", field)
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid("file.name_invalid", f"文件名不能超过{MAX_NAME_LENGTH}个字符", field)
    if "/" in name or "\\" in name:
        raise Invalid("file.name_invalid", "文件名不能包含路径分隔符（/ 或 \\）", field)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise Invalid("file.name_invalid", "文件名不能包含控制字符", field)
    if not extension_of(name):
        raise Invalid("file.name_invalid", "文件名缺少扩展名", field)
    return name


def content_disposition(file_name):
    """``attachment`` with an ASCII fallback and the RFC 5987 ``filename*`` for the real
    (often Chinese) name."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_"
                       for ch in file_name)
    encoded = urllib.parse.quote(file_name, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
