"""Printouts through the gateway: the real documents service renders and stores them in
the S3 server (moto), the link downloads them; workflow is a fake that answers the
printing contract (printing_support.FakePrintWorkflow)."""
import io
import re
import shutil

import pytest
import requests
from openpyxl import load_workbook

from services.documents.printing import DEFAULT_COLUMNS
from services.documents.tests.examples import example_photo

from .printing_support import (  # noqa: F401
    NOT_FOUND,
    ROSTER_FORBIDDEN,
    FakePrintWorkflow,
    declaration_snapshot,
    matches,
    printing,
    start_printing,
)
from .test_printing_pdf import Pdf, squash

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdfimages")),
    reason="poppler-utils (pdftotext, pdftoppm, pdfinfo, pdfimages) is not installed")

LINK_KEYS = {"file_id", "file_name", "url", "expires_at", "expires_in"}


def review_form_path(declaration_id, what="review-form"):
    return f"/api/v1/declarations/{declaration_id}/printouts/{what}"


def fetched(answer):
    """The bytes behind a printout's download link."""
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) >= LINK_KEYS
    response = requests.get(body["url"], timeout=30)
    assert response.status_code == 200
    return response.content


def stored_files(api):
    return api.sql("SELECT id, owner_account_id, owner_person_id, slot, source, original_name "
                   "FROM documents.files ORDER BY id")


def print_pdf(api, who, declaration_id, tmp_path, what="review-form", name="out", **body):
    data = fetched(api.post(review_form_path(declaration_id, what), who, json=body))
    assert data.startswith(b"%PDF")
    return Pdf(data, tmp_path, name)


# ---------------------------------------------------------------- 评审表

def test_review_form_of_a_complete_declaration_is_a_draft_with_the_photo(printing, tmp_path):
    photo = printing.uploaded("alice", "work_history", "照片.jpg", example_photo())["id"]
    snapshot = declaration_snapshot(42)
    FakePrintWorkflow.add(snapshot, photo_file_id=photo)

    answer = printing.post(review_form_path(42), "alice")
    body = answer.json()
    assert body["file_name"] == "评审表-王丽.pdf"
    assert 0 < body["expires_in"] <= 300
    pdf = Pdf(fetched(answer), tmp_path)

    text = pdf.text
    for words in ("王丽", "草稿", "职称申报评审表", "申报人基本情况", "学习培训经历",
                  "任现职以来主要专业技术工作业绩", "审核意见", snapshot["person"]["unit_name"],
                  snapshot["achievements"][0]["name"], snapshot["person"]["id_number"]):
        assert squash(words) in text, words
    assert squash(snapshot["achievements"][7]["name"]) not in text  # marked deleted
    assert pdf.page_count > 3
    assert all(share > 0.002 for share in pdf.dark_pixel_share())  # no blank page
    assert pdf.image_count() == 1                                 # the photo from storage

    rows = stored_files(printing)
    assert [tuple(r)[1:] for r in rows] == [
        (1, 101, "work_history", "upload", "照片.jpg"),
        (1, 101, "generated", "generated", "评审表-王丽.pdf")]
    assert rows[1][0] == body["file_id"]


def test_a_final_declaration_prints_without_the_draft_watermark(printing, tmp_path):
    FakePrintWorkflow.add(declaration_snapshot(43, final=True))
    pdf = print_pdf(printing, "reviewer", 43, tmp_path)   # a reviewer of the unit prints
    text = pdf.text
    assert "王丽" in text and squash("职称申报评审表") in text
    assert "草稿" not in text
    assert all(share > 0.002 for share in pdf.dark_pixel_share())
    assert pdf.image_count() == 0                         # no photo: an empty photo box
    assert [tuple(r)[1:] for r in stored_files(printing)] == [
        (3, None, "generated", "generated", "评审表-王丽.pdf")]


def test_a_photo_that_is_not_the_applicants_is_left_out(printing, tmp_path):
    others = printing.uploaded("bob", "work_history", "照片.jpg", example_photo())["id"]
    FakePrintWorkflow.add(declaration_snapshot(42), photo_file_id=others)
    assert print_pdf(printing, "alice", 42, tmp_path).image_count() == 0


def test_saved_print_settings_change_the_next_review_form(printing, tmp_path):
    FakePrintWorkflow.add(declaration_snapshot(42))
    before = print_pdf(printing, "alice", 42, tmp_path, name="before").page_count

    saved = printing.call("PUT", "/api/v1/declarations/42/print-settings", "alice",
                          json={"review_form": {"workload": {"blank_rows": 60,
                                                             "row_height": 30}}})
    assert saved.status_code == 200, saved.text
    assert saved.json()["print_settings"]["review_form"]["workload"]["blank_rows"] == 60
    assert FakePrintWorkflow.saved == [
        (42, {"review_form": {"workload": {"font_size": None, "blank_rows": 60,
                                           "row_height": 30.0}}})]
    after = print_pdf(printing, "alice", 42, tmp_path, name="after")
    assert after.page_count >= before + 2   # 60 rows of 30 pt fill two more A4 pages

    # settings given with one print (preview) apply to that print only
    preview = print_pdf(printing, "alice", 42, tmp_path, name="preview",
                        settings={"workload": {"blank_rows": 0, "row_height": 10}})
    assert preview.page_count == before
    assert len(FakePrintWorkflow.saved) == 1


def test_bad_print_settings_are_refused_and_nothing_changes(printing):
    FakePrintWorkflow.add(declaration_snapshot(42))
    for body in ({"review_form": {"workload": {"font_size": 99}}},
                 {"review_form": {"back_cover": {"font_size": 12}}},
                 {"publicity": {"font_size": 30}},
                 {"publicity": {"sections": {"study": {"blank_rows": -1}}}},
                 {"layout": {}}, {}):
        answer = printing.call("PUT", "/api/v1/declarations/42/print-settings", "alice",
                               json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["details"]["fields"], body
    refused = printing.post(review_form_path(42), "alice",
                            json={"settings": {"cover": {"row_height": 500}}})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["fields"]
    assert FakePrintWorkflow.saved == []
    assert stored_files(printing) == []


# ---------------------------------------------------------------- 公示表, 工作量

def test_publicity_table_is_one_a3_page(printing, tmp_path):
    snapshot = declaration_snapshot(42)
    FakePrintWorkflow.add(snapshot)
    answer = printing.post(review_form_path(42, "publicity-table"), "alice",
                           json={"settings": {"font_size": 8}})
    assert answer.json()["file_name"] == "公示表-王丽.pdf"
    pdf = Pdf(fetched(answer), tmp_path)
    assert pdf.page_count == 1
    (width, height), = pdf.page_sizes()
    assert width == pytest.approx(1190.55, abs=0.5) and height == pytest.approx(841.89, abs=0.5)
    text = pdf.text
    assert squash("重庆市卫生系列（中医药高）级专业技术职务任职资格评审综合情况（公示）表") in text
    assert "王丽" in text and "草稿" not in text
    assert snapshot["person"]["id_number"] not in text
    assert pdf.dark_pixel_share()[0] > 0.002


def test_too_long_publicity_content_is_refused_naming_the_section(printing):
    snapshot = declaration_snapshot(44)
    for row in snapshot["achievements"]:
        row["role"] = "主持，负责方案设计、病例收集与数据分析，" * 12
    FakePrintWorkflow.add(snapshot)
    answer = printing.post(review_form_path(44, "publicity-table"), "alice")
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "publicity.too_long",
        "message": "公示表内容超出一页，请精简「任现职以来主要专业技术工作业绩」",
        "details": {"section": "achievements", "label": "任现职以来主要专业技术工作业绩"}}
    assert stored_files(printing) == []
    assert printing.objects() == []


def test_workload_table_to_sign_and_stamp(printing, tmp_path):
    snapshot = declaration_snapshot(42)
    FakePrintWorkflow.add(snapshot)
    answer = printing.post(review_form_path(42, "workload-table"), "alice")
    assert answer.json()["file_name"] == "工作量-王丽.pdf"
    text = Pdf(fetched(answer), tmp_path).text
    for words in ("王丽", "任现职以来的工作量", "年门诊人次", "签字", "盖章",
                  snapshot["person"]["unit_name"]):
        assert squash(words) in text, words
    assert "草稿" not in text


# ---------------------------------------------------------------- 花名册

def test_roster_pages_through_workflow_and_masks_ids(printing):
    filters = {"scope": "unit", "status": "submitted", "plan_id": 7, "specialty": "中药"}
    answer = printing.post("/api/v1/rosters", "reviewer", json=filters)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["rows"] == 1200
    assert re.fullmatch(r"花名册-\d{4}-\d{2}-\d{2}-\d{6}\.xlsx", body["file_name"])
    workbook = load_workbook(io.BytesIO(fetched(answer)), read_only=True)
    sheet = workbook["花名册"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = [column.header for column in DEFAULT_COLUMNS]
    assert rows[0] == header
    expected = [d for d in FakePrintWorkflow.roster
                if matches(d, {**filters, "level": None, "name": None})]
    assert len(expected) == 1200 and len(rows) == 1201
    column = {h: i for i, h in enumerate(header)}
    assert [r[column["姓名"]] for r in rows[1:]] == [d["row"]["name"] for d in expected]
    assert [r[column["序号"]] for r in rows[1:]] == list(range(1, 1201))
    assert {r[column["状态"]] for r in rows[1:]} == {"审核中"}
    for row, declaration in zip(rows[1:], expected, strict=False):
        full = declaration["row"]["id_number"]
        assert row[column["证件号码"]] == full[:6] + "********" + full[-4:]
        assert row[column["联系电话"]] == declaration["row"]["phone"][:3] + "****" + \
            declaration["row"]["phone"][-4:]
    everything = "".join(str(v) for r in rows for v in r if v is not None)
    assert not re.search(r"\d{17}[\dX]", everything) and not re.search(r"139\d{8}", everything)

    # three pages of 500, each after the last declaration of the page before
    wire = {**filters, "level": None, "name": None}
    assert FakePrintWorkflow.roster_calls == [
        (wire, None, 500),
        (wire, expected[499]["declaration_id"], 500),
        (wire, expected[999]["declaration_id"], 500)]
    assert [tuple(r)[1:] for r in stored_files(printing)] == [
        (3, None, "generated", "generated", body["file_name"])]


def test_exports_run_under_the_export_timeout_not_the_rpc_timeout(
        runner_factory, service_config, web_config, web_session, db_engine):
    """A roster (and any printout) may take longer than an ordinary request: with an
    RPC_TIMEOUT no call can meet, ordinary requests answer 503, the export still 201."""
    api = start_printing(runner_factory, service_config, web_config, web_session, db_engine,
                         RPC_TIMEOUT=0.0001, EXPORT_TIMEOUT=120)
    assert api.get("/api/v1/files", "reviewer").status_code == 503
    answer = api.post("/api/v1/rosters", "reviewer", json={"scope": "unit"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["rows"] == len(FakePrintWorkflow.roster)


def test_who_may_export_a_roster(printing):
    person = printing.post("/api/v1/rosters", "alice", json={"scope": "unit"})
    assert person.status_code == 403
    assert FakePrintWorkflow.roster_calls == []
    refused = printing.post("/api/v1/rosters", "reviewer", json={"scope": "level"})
    assert refused.status_code == 403
    assert (refused.json()["error"]["code"], refused.json()["error"]["message"]) == ROSTER_FORBIDDEN
    for bad in ({}, {"scope": "province"}, {"scope": "unit", "status": "lost"},
                {"scope": "unit", "level": "正高"}, {"scope": "unit", "id_number": "1"}):
        answer = printing.post("/api/v1/rosters", "reviewer", json=bad)
        assert answer.status_code == 422, bad
    assert len(FakePrintWorkflow.roster_calls) == 1
    assert stored_files(printing) == []

    empty = printing.post("/api/v1/rosters", "reviewer", json={"scope": "unit", "name": "无此人"})
    assert empty.status_code == 201 and empty.json()["rows"] == 0
    sheet = load_workbook(io.BytesIO(fetched(empty)), read_only=True)["花名册"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        [column.header for column in DEFAULT_COLUMNS]]


# ---------------------------------------------------------------- who gets what

def test_a_stranger_gets_404_and_nothing_is_stored(printing):
    FakePrintWorkflow.add(declaration_snapshot(42))
    for who in ("bob", "other_unit"):
        for what in ("review-form", "publicity-table", "workload-table"):
            answer = printing.post(review_form_path(42, what), who)
            assert answer.status_code == 404, (who, what)
            assert (answer.json()["error"]["code"],
                    answer.json()["error"]["message"]) == NOT_FOUND
        settings = printing.call("PUT", "/api/v1/declarations/42/print-settings", who,
                                 json={"publicity": {"font_size": 10}})
        assert settings.status_code == 404
    assert printing.post(review_form_path(42)).status_code == 401
    assert printing.post(review_form_path(999), "alice").status_code == 404
    assert stored_files(printing) == []
    assert printing.objects() == []
    assert FakePrintWorkflow.saved == []


def test_a_printout_is_downloadable_by_its_owner_only(printing):
    FakePrintWorkflow.add(declaration_snapshot(42))
    mine = printing.post(review_form_path(42), "alice").json()["file_id"]
    theirs = printing.post(review_form_path(42), "reviewer").json()["file_id"]

    again = printing.get(f"/api/v1/files/{mine}/download", "alice")
    assert again.status_code == 200
    assert requests.get(again.json()["url"], timeout=30).content.startswith(b"%PDF")
    for who in ("bob", "other_unit"):
        assert printing.get(f"/api/v1/files/{mine}/download", who).status_code == 404
    # the reviewer's own printout: not the applicant's, not another admin's of the unit
    assert printing.get(f"/api/v1/files/{theirs}/download", "reviewer").status_code == 200
    for who in ("alice", "reviewer2", "bob", "other_unit"):
        assert printing.get(f"/api/v1/files/{theirs}/download", who).status_code == 404
    assert printing.get(f"/api/v1/files/{theirs}/download").status_code == 401
    # the applicant's printout follows the files' rules: a unit the applicant is before
    # may see the applicant's files (workflow can_unit_review)
    assert printing.get(f"/api/v1/files/{mine}/download", "reviewer").status_code == 200


def test_the_printout_routes_are_in_the_openapi_document(printing):
    spec = printing.get("/api/v1/openapi.json").json()
    operations = {
        ("post", "/api/v1/declarations/{id}/printouts/review-form"): "ReviewFormPrint",
        ("post", "/api/v1/declarations/{id}/printouts/publicity-table"): "PublicityPrint",
        ("post", "/api/v1/declarations/{id}/printouts/workload-table"): None,
        ("post", "/api/v1/rosters"): "RosterFilter",
        ("put", "/api/v1/declarations/{id}/print-settings"): "PrintSettingsUpdate",
    }
    for (method, path), body in operations.items():
        operation = spec["paths"][path][method]
        assert operation["tags"] == ["打印输出"]
        if body:
            assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{body}"}
        success = operation["responses"]["200" if method == "put" else "201"]
        assert success["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/")
    assert "rows" in spec["components"]["schemas"]["RosterLink"]["properties"]


def test_a_photo_missing_from_storage_prints_the_form_marked_and_downloads_answer_404(
        printing, tmp_path):
    """Issue 15.7: the object behind the photo is removed in the S3 server itself."""
    photo = printing.uploaded("alice", "work_history", "照片.jpg", example_photo())["id"]
    FakePrintWorkflow.add(declaration_snapshot(42), photo_file_id=photo)
    printing.s3.remove_object(printing.bucket, printing.object_key(photo))

    pdf = print_pdf(printing, "alice", 42, tmp_path)
    assert pdf.image_count() == 0
    assert squash("照片文件缺失") in pdf.text
    assert squash("王丽") in pdf.text

    answer = printing.get(f"/api/v1/files/{photo}/download", "alice")
    assert answer.status_code == 404, answer.text
    error = answer.json()["error"]
    assert error["code"] == "file.missing"
    assert error["message"] == "文件“照片.jpg”在存储中缺失，请重新上传"
    assert error["details"] == {"file_id": photo, "file_name": "照片.jpg"}
