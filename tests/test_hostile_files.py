"""Issue 8, bad input: malformed and hostile files, end to end through the gateway with
every service real. A person uploads evidence the way a browser does (ask for an upload,
PUT the bytes to the S3 server with the presigned URL, complete), or uploads a workbook
to preview (`POST /api/v1/files/{id}/parse`) or import (`POST /api/v1/imports`).

Each hostile file gets a clear 4xx in the documented error shape with a Chinese message,
and nothing is kept: no row in documents.files, no object in the bucket (listed with
boto3, not through the service), no import preview and no record in achievements.

The documents service's own tests (services/documents/tests) cover the same checks one
by one against fakes of identity and workflow; these run them through the whole platform.
"""
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
import zlib

import pytest
import requests

from services.documents.tests import samples
from tests.support import Api

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


@pytest.fixture
def person(api):
    return api.register_person(real_name="韩梅梅")


# boto3 in a process of its own: under eventlet's monkey patching (conftest.py) botocore
# cannot build its SSL context (a RecursionError in ssl.SSLContext.options).
LIST_BUCKET = """
import json, sys
import boto3
endpoint, bucket, key, secret, region = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key,
                  aws_secret_access_key=secret, region_name=region)
pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
print(json.dumps(sorted(o["Key"] for page in pages for o in page.get("Contents", []))))
"""


@pytest.fixture
def bucket(api):
    """The keys in the test's bucket, listed straight from the S3 server with boto3."""
    config = api.config

    def keys():
        done = subprocess.run(
            [sys.executable, "-c", LIST_BUCKET, config["S3_ENDPOINT"], config["S3_BUCKET"],
             config["S3_ACCESS_KEY"], config["S3_SECRET_KEY"], config["S3_REGION"]],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return keys


# ----------------------------------------------------------------------------- helpers

def refused(answer, status, code):
    """The documented error shape with a Chinese message; the error object."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    body = answer.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert CJK.search(error["message"]), error
    assert isinstance(error["details"], dict)
    return error


def ask(api, person, slot, file_name, **extra):
    return api.call("POST", "/api/v1/files/uploads", person["token"],
                    json={"slot": slot, "file_name": file_name, **extra})


def post_form(ticket, data):
    form = ticket["form"]
    return requests.post(form["url"], data=form["fields"], files={"file": ("upload", data)},
                         timeout=30)


def upload(api, person, slot, file_name, data):
    """Ask for an upload, POST the bytes to the S3 server with the signed form, complete:
    the file id and the completion answer."""
    ticket = ask(api, person, slot, file_name)
    assert ticket.status_code == 201, ticket.text
    ticket = ticket.json()
    sent = post_form(ticket, data)
    assert sent.status_code in (200, 201, 204), sent.text
    return ticket["file_id"], api.call("POST", f"/api/v1/files/{ticket['file_id']}/complete",
                                       person["token"])


def assert_nothing_stored(api, bucket):
    assert api.scalar("SELECT count(*) FROM documents.files") == 0
    assert bucket() == []
    assert api.scalar("SELECT count(*) FROM achievements.imports") == 0
    assert api.scalar("SELECT count(*) FROM achievements.records") == 0


CASE_ROW = [1, "ZY0000001", "病人一", "2021-03-01", "2021-03-08", 40, "男", "肺炎", "治愈"]
LOL_ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">'
    for i in range(1, 10))


def billion_laughs_workbook(part, bomb=True):
    """A 病案 template workbook with one case row (openpyxl) whose ``part`` declares
    nested entities that would expand to 10^9 "lol"s: ``sheet`` uses them in a cell (the
    sheet is read streaming), ``workbook`` in the sheet's name (read whole).
    ``bomb=False``: the same workbook untouched (it parses)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["病案导入模板"])
    sheet.append(samples.HEADERS)
    sheet.append(CASE_ROW)
    plain = io.BytesIO()
    workbook.save(plain)
    if not bomb:
        return plain.getvalue()
    doctype = f"<!DOCTYPE lolz [{LOL_ENTITIES}]>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name).decode("utf-8")
            if part == "sheet" and name == "xl/worksheets/sheet1.xml":
                data = re.sub(r'<c r="A3"([^>]*)><v>1</v>', r'<c r="A3"\1><v>&lol9;</v>', data)
                assert "&lol9;" in data
            elif part == "workbook" and name == "xl/workbook.xml":
                data = data.replace('<sheet name="Sheet"', '<sheet name="&lol9;"')
                assert "&lol9;" in data
            else:
                archive.writestr(name, data)
                continue
            data = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or
                          '<?xml version="1.0" encoding="UTF-8"?>') + doctype, data, count=1)
            archive.writestr(name, data)
    return out.getvalue()


def exe():
    """The start of a Windows executable: the MZ header and a PE signature."""
    head = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    head += b"\x00" * (0x3c - len(head)) + (0x80).to_bytes(4, "little")
    head += b"\x00" * (0x80 - len(head)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 400
    return bytes(head)


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a pdf")
    return out.getvalue()


# ----------------------------------------------------------------------------- evidence

def test_a_truncated_pdf_is_refused_and_removed(api, person, bucket):
    whole = samples.pdf(pages=3)
    whole_id, answer = upload(api, person, "work_history", "whole.pdf", whole)
    assert answer.status_code == 200, answer.text   # the same PDF, complete, is fine
    api.call("DELETE", f"/api/v1/files/{whole_id}", person["token"], expect=204)
    assert_nothing_stored(api, bucket)

    file_id, answer = upload(api, person, "work_history", "毕业证书.pdf",
                             whole[:len(whole) // 2])
    error = refused(answer, 422, "file.corrupt")
    assert error["message"] == "文件已损坏或不完整（PDF缺少文件结尾），请重新上传"
    assert_nothing_stored(api, bucket)
    api.call("GET", f"/api/v1/files/{file_id}", person["token"], expect=404)


@pytest.mark.parametrize("name, data, detected", [
    ("setup.pdf", exe(), "无法识别的内容"),
    ("archive.pdf", plain_zip(), "ZIP压缩包"),
    ("scan.pdf", samples.png(), "PNG图片"),
])
def test_wrong_magic_bytes_are_refused_and_removed(api, person, bucket, name, data, detected):
    _, answer = upload(api, person, "work_history", name, data)
    error = refused(answer, 415, "file.type_mismatch")
    assert error["message"] == f"文件内容与扩展名不符：扩展名为.pdf，实际内容为{detected}"
    assert_nothing_stored(api, bucket)


def test_an_empty_file_is_refused_when_announced_and_when_uploaded(api, person, bucket):
    refused(ask(api, person, "work_history", "a.pdf", size=0), 422, "file.empty")
    assert_nothing_stored(api, bucket)
    for slot, name in (("work_history", "empty.pdf"), ("import_workbook", "病案.xlsx")):
        _, answer = upload(api, person, slot, name, b"")
        error = refused(answer, 422, "file.empty")
        assert error["message"] == "不能上传空文件（0字节）"
        assert_nothing_stored(api, bucket)


@pytest.mark.parametrize("name, code, message", [
    ("../../etc/passwd.pdf", "file.name_invalid", "文件名不能包含路径分隔符（/ 或 \\）"),
    ("a\\b.pdf", "file.name_invalid", "文件名不能包含路径分隔符（/ 或 \\）"),
    ("/etc/passwd.pdf", "file.name_invalid", "文件名不能包含路径分隔符（/ 或 \\）"),
    ("evil\x00.pdf", "request.bad_text",
     "提交的内容有误：file_name：文本中不能含有空字符或无效字符"),
    ("a\r\nb.pdf", "file.name_invalid", "文件名不能包含控制字符"),
    ("\x1b[31mred.pdf", "file.name_invalid", "文件名不能包含控制字符"),
    ("gnp.\u202epdf", "file.name_invalid", "文件名不能包含控制字符"),
])
def test_names_with_path_separators_or_control_characters_are_refused(
        api, person, bucket, name, code, message):
    error = refused(ask(api, person, "work_history", name), 422, code)
    if message:
        assert error["message"] == message
    assert "file_name" in error["details"]["fields"], error
    assert_nothing_stored(api, bucket)


# ----------------------------------------------------------------------------- workbooks

HOSTILE_WORKBOOKS = [
    pytest.param(lambda: samples.zip_bomb_workbook(300), 413, "workbook.zip_bomb",
                 id="zip-bomb"),
    pytest.param(lambda: billion_laughs_workbook("sheet"), 422, "workbook.unsafe_xml",
                 id="billion-laughs-in-sheet"),
    pytest.param(lambda: billion_laughs_workbook("workbook"), 422, "workbook.unsafe_xml",
                 id="billion-laughs-in-workbook"),
    pytest.param(samples.broken_workbook, 422, "workbook.corrupt", id="broken-xml"),
]


@pytest.mark.parametrize("make, status, code", HOSTILE_WORKBOOKS)
def test_hostile_workbooks_are_refused_on_preview_and_forgotten(api, person, bucket, make,
                                                                 status, code):
    file_id, answer = upload(api, person, "import_workbook", "病案.xlsx", make())
    assert answer.status_code == 200, answer.text   # a zip with the workbook parts
    answer = api.call("POST", f"/api/v1/files/{file_id}/parse", person["token"],
                      params={"template": "medical_records"})
    refused(answer, status, code)
    assert_nothing_stored(api, bucket)
    # it is gone for good: asking again does not read it again
    refused(api.call("POST", f"/api/v1/files/{file_id}/parse", person["token"],
                     params={"template": "medical_records"}), 404, "file.not_found")


@pytest.mark.parametrize("make, status, code", HOSTILE_WORKBOOKS)
def test_hostile_workbooks_import_nothing(api, person, bucket, make, status, code):
    file_id, answer = upload(api, person, "import_workbook", "病案.xlsx", make())
    assert answer.status_code == 200, answer.text
    answer = api.call("POST", "/api/v1/imports", person["token"],
                      json={"target": "health_case", "file_id": file_id})
    refused(answer, status, code)
    assert_nothing_stored(api, bucket)
    listed = api.call("GET", "/api/v1/records", person["token"], expect=200).json()
    assert listed["total"] == 0


def test_a_workbook_with_the_wrong_headers_is_kept_for_another_template(api, person, bucket):
    """Only what no template can read is removed: a header mismatch depends on the
    template asked for, so the file stays and another template may read it."""
    file_id, answer = upload(api, person, "import_workbook", "病案.xlsx",
                             samples.case_workbook(3))
    assert answer.status_code == 200, answer.text
    refused(api.call("POST", f"/api/v1/files/{file_id}/parse", person["token"],
                     params={"template": "medical_records"}), 422, "workbook.header_mismatch")
    assert len(bucket()) == 1
    preview = api.call("POST", f"/api/v1/files/{file_id}/parse", person["token"],
                       params={"template": "cases"}, expect=200).json()
    assert preview["total"] == 3 and preview["unreadable"] == 0


def test_the_pdf_end_marker_is_found_across_read_chunks():
    from services.documents.logic.sniff import pdf_is_complete

    data = samples.pdf()
    end = data.rindex(b"%%EOF")
    for chunk_size in (1, 2, 3, 4, 5, 7, 64, end + 2, len(data) + 1):
        fileobj = io.BytesIO(data + b"\n% padding after the end\n")
        assert pdf_is_complete(fileobj, chunk_size=chunk_size), chunk_size
        assert fileobj.tell() == 0
        assert not pdf_is_complete(io.BytesIO(data[:end + 4]), chunk_size=chunk_size)


@pytest.mark.parametrize("part", ["sheet", "workbook"])
def test_the_billion_laughs_workbooks_are_valid_but_for_the_entities(part):
    """So that the refusal above is the entities' doing, not some other defect."""
    from services.documents.logic import workbooks
    from services.documents.policy import WorkbookLimits

    plain = billion_laughs_workbook(part, bomb=False)
    rows = workbooks.parse_workbook(io.BytesIO(plain), len(plain), "cases",
                                    WorkbookLimits())["rows"]
    assert [r["values"]["patient_name"] for r in rows] == ["病人一"]
    assert rows[0]["error"] is None
    bomb = billion_laughs_workbook(part)
    with pytest.raises(workbooks.Invalid) as refused_:
        workbooks.parse_workbook(io.BytesIO(bomb), len(bomb), "cases", WorkbookLimits())
    assert refused_.value.code == "workbook.unsafe_xml"


# ----------------------------------------------------------------------------- active content

def html_posing_as_pdf():
    """An HTML page that carries "%PDF-" at byte 100 (and an end marker)."""
    page = b"<html><body><script>alert(1)</script>"
    page += b" " * (100 - len(page))
    return page + b"%PDF-1.4 </body></html>\n%%EOF\n"


def pdf_with(extra_catalog=b"", extra_object=b""):
    """A real PDF whose catalog gets ``extra_catalog`` and which carries ``extra_object``
    (an object body) as one more object before its cross-reference table."""
    data = samples.pdf()
    assert b"/Type /Catalog" in data
    data = data.replace(b"/Type /Catalog", b"/Type /Catalog " + extra_catalog, 1)
    if extra_object:
        data = data.replace(b"\nxref", b"\n99 0 obj\n" + extra_object + b"\nendobj\nxref", 1)
    return data


def flate_object_stream(body):
    packed = zlib.compress(body)
    return (b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
            + str(len(packed)).encode() + b" >>\nstream\n" + packed + b"\nendstream")


ACTIVE_PDFS = {
    "open_action_js": pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
    "escaped_name": pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    "launch": pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "embedded_file": pdf_with(b"/Names << /EmbeddedFiles 99 0 R >>",
                              b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"),
    "rich_media": pdf_with(extra_object=b"<< /Type /Annot /Subtype /RichMedia >>"),
    "in_object_stream": pdf_with(extra_object=flate_object_stream(
        b"1 0 << /S /JavaScript /JS (app.alert(1)) >>")),
}


def test_the_pdf_magic_must_stand_at_offset_zero(api, person, bucket):
    _, answer = upload(api, person, "work_history", "证书.pdf", html_posing_as_pdf())
    error = refused(answer, 415, "file.type_mismatch")
    assert error["message"] == "文件内容与扩展名不符：扩展名为.pdf，实际内容为无法识别的内容"
    assert_nothing_stored(api, bucket)


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_pdfs_with_scripts_launch_actions_or_embedded_files_are_refused(api, person, bucket,
                                                                        case):
    _, answer = upload(api, person, "work_history", "证书.pdf", ACTIVE_PDFS[case])
    error = refused(answer, 415, "file.active_content")
    assert error["message"] == "PDF 文件含有脚本或嵌入内容，请另存为普通 PDF 后上传"
    assert error["details"]["found"]
    assert_nothing_stored(api, bucket)


def test_the_active_content_scan_finds_each_name_and_passes_plain_pdfs():
    from services.documents.logic.sniff import pdf_active_content

    assert pdf_active_content(io.BytesIO(samples.pdf(pages=3))) == []
    assert pdf_active_content(io.BytesIO(samples.pdf(padding=5000))) == []
    found = {case: pdf_active_content(io.BytesIO(data)) for case, data in ACTIVE_PDFS.items()}
    assert found == {
        "open_action_js": ["JS", "JavaScript"], "escaped_name": ["JS", "JavaScript"],
        "launch": ["Launch"], "embedded_file": ["EmbeddedFile", "EmbeddedFiles"],
        "rich_media": ["RichMedia"], "in_object_stream": ["JS", "JavaScript"],
    }


# ----------------------------------------------------------------------------- replacement

def test_a_completed_file_cannot_be_replaced_through_its_upload_form(api, person, bucket):
    """Issue 15.1: POST other bytes with the still-valid upload form after completion;
    what a download serves is still exactly what passed the checks."""
    good = samples.pdf(pages=2)
    ticket = ask(api, person, "work_history", "学历证书.pdf")
    assert ticket.status_code == 201, ticket.text
    ticket = ticket.json()
    sent = post_form(ticket, good)
    assert sent.status_code in (200, 201, 204), sent.text
    done = api.call("POST", f"/api/v1/files/{ticket['file_id']}/complete", person["token"])
    assert done.status_code == 200, done.text
    checked = done.json()["sha256"]
    assert checked == hashlib.sha256(good).hexdigest()

    # moto takes it (MinIO would refuse the size); nothing names that key any more
    again = post_form(ticket, exe() * 50)
    assert again.status_code in (200, 201, 204)
    done = api.call("POST", f"/api/v1/files/{ticket['file_id']}/complete", person["token"])
    assert done.status_code == 200 and done.json()["sha256"] == checked

    link = api.call("GET", f"/api/v1/files/{ticket['file_id']}/download", person["token"])
    assert link.status_code == 200, link.text
    served = requests.get(link.json()["url"], timeout=30)
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == checked
    key = api.scalar(f"SELECT object_key FROM documents.files WHERE id = {ticket['file_id']}")
    assert key in bucket() and key != ticket["form"]["fields"]["key"]
