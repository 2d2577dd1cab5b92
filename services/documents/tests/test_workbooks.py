"""Excel templates and reading uploaded workbooks: through the gateway with real
uploads, and the reader's memory use on hostile workbooks measured directly."""
import io
import tracemalloc

import openpyxl
import pytest
import requests

from services.common.errors import Invalid, TooLarge
from services.documents.logic import workbooks
from services.documents.policy import WorkbookLimits

from . import samples

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def validations(sheet):
    return {str(dv.sqref): (dv.type, dv.formula1) for dv in sheet.data_validations.dataValidation}


def test_templates_download_and_open_with_headers_and_drop_downs(docs):
    expected = {
        "cases": ["序号", "住院(门诊)号", "病人姓名", "入院日期", "出院日期", "年龄", "性别",
                  "入院诊断", "出院诊断"],
        "medical_records": ["序号", "住院号", "姓名", "入院日期", "出院日期", "入院诊断",
                            "出院诊断", "抢救或治疗结果", "手术类别"],
        "references": ["序号", "年度", "文献名称"],
    }
    for name, headers in expected.items():
        answer = docs.get(f"/api/v1/templates/{name}", "alice")
        assert answer.status_code == 200, answer.text
        link = answer.json()
        fetched = requests.get(link["url"], timeout=30)
        assert fetched.status_code == 200
        assert fetched.headers["Content-Type"] == XLSX_TYPE
        assert "filename*=UTF-8''" in fetched.headers["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(fetched.content))
        sheet = book.worksheets[0]
        assert [c.value for c in sheet[2]] == headers
        assert sheet["A1"].value == workbooks.TEMPLATES[name].title
        assert sheet["A2"].font.bold and sheet["A2"].fill.fgColor.rgb.endswith("4472C4")
        assert sheet.freeze_panes == "A3"
        assert sheet.column_dimensions["B"].width >= 10
        if "入院日期" in headers:
            assert sheet["D3"].number_format == "yyyy-mm-dd"
            assert validations(sheet)["D3:D1002"][0] == "date"
    cases = openpyxl.load_workbook(io.BytesIO(workbooks.build_template("cases"))).worksheets[0]
    assert validations(cases)["G3:G1002"] == ("list", '"男,女"')
    records = openpyxl.load_workbook(
        io.BytesIO(workbooks.build_template("medical_records"))).worksheets[0]
    assert validations(records)["I3:I1002"] == ("list", '"抢救,治疗,手术"')
    references = openpyxl.load_workbook(
        io.BytesIO(workbooks.build_template("references"))).worksheets[0]
    assert validations(references)["B3:B1002"] == ("whole", "1900")

    quota = docs.get("/api/v1/templates/post_quota", "reviewer").json()
    assert quota["file_name"] == "岗位核准表.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(requests.get(quota["url"], timeout=30).content))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "事业单位岗位核准表"
    assert [c.value for c in sheet[6]] == ["序号", "职称级别", "核准岗位数", "已聘人数",
                                          "空缺岗位数", "备注"]
    assert [sheet.cell(row=r, column=2).value for r in range(7, 11)] == [
        "正高级", "副高级", "中级", "初级"]
    assert validations(sheet)["B7:B10"] == ("list", '"正高级,副高级,中级,初级"')

    unknown = docs.get("/api/v1/templates/nothing", "alice")
    assert unknown.status_code == 422 and unknown.json()["error"]["message"] == "模板不存在"


def test_five_thousand_case_rows_parse_with_values_and_iso_dates(docs):
    data = samples.case_workbook(5000)
    file_id = docs.uploaded("alice", "import_workbook", "病案.xlsx", data)["id"]
    answer = docs.post(f"/api/v1/files/{file_id}/parse", "alice", params={"template": "cases"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 5000 and body["readable"] == 5000 and body["unreadable"] == 0
    assert [c["title"] for c in body["columns"]][:3] == ["序号", "住院(门诊)号", "病人姓名"]
    first, last = body["rows"][0], body["rows"][-1]
    assert first == {"row": 3, "error": None, "values": {
        "seq": 1, "case_no": "ZY0000001", "patient_name": "病人1",
        "admission_date": "2020-01-02", "discharge_date": "2020-01-09", "age": 21,
        "gender": "男", "admission_diagnosis": "入院诊断1", "discharge_diagnosis": "出院诊断1"}}
    assert last["row"] == 5002 and last["values"]["case_no"] == "ZY0005000"
    assert last["values"]["admission_date"] == "2020-01-01"  # 2020-01-01 + (5000 % 1000) days
    assert docs.post(f"/api/v1/files/{file_id}/parse", "bob",
                     params={"template": "cases"}).status_code == 404


def test_rows_that_cannot_be_read_say_why(docs):
    book = openpyxl.load_workbook(io.BytesIO(workbooks.build_template("cases")))
    sheet = book.worksheets[0]
    sheet.append([1, "A1", "张三", "2021-02-30", "2021-03-01", "四十", "女", "x", "y"])
    sheet.append([])
    sheet.append([2, 2017036480, "李四", "2021/03/01", "2021.03.09", 40.0, "男", "#REF!", "y"])
    out = io.BytesIO()
    book.save(out)
    file_id = docs.uploaded("alice", "import_workbook", "病案.xlsx", out.getvalue())["id"]
    body = docs.post(f"/api/v1/files/{file_id}/parse", "alice",
                     params={"template": "cases"}).json()
    bad, good = body["rows"]
    assert bad["row"] == 1003  # after the template's 1000 prepared rows
    assert bad["error"] == \
        "“入院日期”不是有效日期（应为 YYYY-MM-DD）：2021-02-30；“年龄”应为整数：四十"
    assert good["values"]["case_no"] == "2017036480" and good["values"]["age"] == 40
    assert good["values"]["admission_date"] == "2021-03-01"
    assert good["error"] == "“入院诊断”单元格含有错误值 #REF!"


@pytest.mark.parametrize("make, status, code", [
    (samples.broken_workbook, 422, "workbook.corrupt"),
    (lambda: samples.many_sheets_workbook(20), 422, "workbook.too_many_sheets"),
    (lambda: samples.many_rows_workbook(200_000), 422, "workbook.too_many_rows"),
    (lambda: samples.many_rows_workbook(200_000, dimension=None), 422,
     "workbook.too_many_rows"),
    (lambda: samples.many_rows_workbook(200_000, dimension="A1:B9"), 422,
     "workbook.too_many_rows"),
    (lambda: samples.zip_bomb_workbook(300), 413, "workbook.zip_bomb"),
])
def test_hostile_workbooks_get_a_clear_answer(docs, make, status, code):
    file_id = docs.uploaded("alice", "import_workbook", "病案.xlsx", make())["id"]
    answer = docs.post(f"/api/v1/files/{file_id}/parse", "alice", params={"template": "cases"})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code


def test_a_truncated_zip_is_not_even_accepted_as_an_xlsx(docs):
    data = samples.case_workbook(10)[:-200]
    answer = docs.upload("alice", "import_workbook", "病案.xlsx", data)
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "file.type_mismatch"


def test_wrong_headers_and_wrong_template_are_refused(docs):
    file_id = docs.uploaded("alice", "import_workbook", "文献.xlsx",
                            workbooks.build_template("references"))["id"]
    answer = docs.post(f"/api/v1/files/{file_id}/parse", "alice", params={"template": "cases"})
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith("表头与“病案导入模板”不一致")
    empty = docs.post(f"/api/v1/files/{file_id}/parse", "alice",
                      params={"template": "references"}).json()
    assert empty["total"] == 0 and empty["rows"] == []
    assert docs.post(f"/api/v1/files/{file_id}/parse", "alice",
                     params={"template": "post_quota"}).status_code == 422
    not_xlsx = docs.uploaded("alice", "work_history", "a.png", samples.png())["id"]
    answer = docs.post(f"/api/v1/files/{not_xlsx}/parse", "alice", params={"template": "cases"})
    assert answer.status_code == 415


def _peak(function, *args):
    tracemalloc.start()
    try:
        function(*args)
    except (Invalid, TooLarge) as exc:
        outcome = exc.code
    else:
        outcome = "ok"
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return outcome, peak


@pytest.mark.parametrize("make, code", [
    (lambda: samples.zip_bomb_workbook(300), "workbook.zip_bomb"),
    (lambda: samples.many_rows_workbook(200_000), "workbook.too_many_rows"),
    (lambda: samples.many_rows_workbook(200_000, dimension=None), "workbook.too_many_rows"),
    (lambda: samples.many_rows_workbook(200_000, dimension="A1:B9"), "workbook.too_many_rows"),
])
def test_hostile_workbooks_are_refused_without_much_memory(make, code):
    data = make()
    fileobj = io.BytesIO(data)
    outcome, peak = _peak(workbooks.parse_workbook, fileobj, len(data), "cases",
                          WorkbookLimits())
    assert outcome == code
    # The bomb would expand to 300MB and the sheet holds 200,000 rows; the reader stops
    # early, so Python's allocations stay far below either.
    assert peak < 40 * 1024 * 1024, peak


def test_the_reader_uses_defusedxml():
    import openpyxl.xml
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_stale_declared_range_does_not_cut_rows_off():
    data = samples.many_rows_workbook(20, dimension="A1:B3")
    result = workbooks.parse_workbook(io.BytesIO(data), len(data), "cases", WorkbookLimits())
    assert result["total"] == 20
    assert result["rows"][-1]["values"]["case_no"] == "ZY21"
