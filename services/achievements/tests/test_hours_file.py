"""继续教育 提取 from the continuing-education platform's export FILE, with the REAL
documents service: the operator downloads the template, uploads the filled workbook
(slot import_workbook) and posts {file_id}; documents reads the rows, achievements checks
them like JSON items (all or nothing, each problem on its Excel row) and loads them; the
person's 提取 then creates the approved 自动生成 records."""
import datetime as dt

from .support import ID_NUMBERS

HOURS = "/api/v1/continuing-education/hours"
LOADED = "SELECT count(*) FROM achievements.public_course_hours"


def row(seq, person_id, year, hours, **over):
    """A row of the export in the template's column order."""
    cells = {"id_number": ID_NUMBERS[person_id], "name": "孙迪" if person_id == 77 else "秦程",
             "year": year, "hours": hours, "project": f"{year}年度专业技术人员公需课",
             "organizer": "安徽省人力资源和社会保障厅", "certificate_no": f"GXK{year}{seq:04d}",
             "start_date": dt.date(year, 3, 1), "end_date": dt.date(year, 10, 31), **over}
    return [seq] + [cells[k] for k in ("id_number", "name", "year", "hours", "project",
                                        "organizer", "certificate_no", "start_date",
                                        "end_date")]


def upload_export(ach, rows, name="公需课学时导出.xlsx"):
    workbook = ach.filled_template("op", "public_hours", rows)
    return ach.upload("op", "import_workbook", name, workbook)


def test_operators_load_the_platforms_export_file_and_a_person_extracts_from_it(ach_docs):
    ach = ach_docs
    # one bad row anywhere: nothing is loaded, every problem on its Excel row and column
    bad = upload_export(ach, [
        row(1, 77, 2021, 30),                                            # row 3: good
        row(2, 78, 2022, 36, id_number="350102199007250041"),            # row 4: check digit
        row(3, 78, 2020, 24),                                            # row 5: before 2021
        row(4, 78, 2023, 12, start_date="2023-02-30"),                   # row 6: no such day
        row(5, 77, 2021, 30),                                            # row 7: duplicate
        row(6, 78, 2024, "十二"),                                         # row 8: not a number
    ], name="有误的导出.xlsx")
    refused = ach.call("op", "POST", HOURS, json={"file_id": bad})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "hours.invalid"
    assert error["message"] == "公需课学时数据有误，未导入任何数据"
    problems = {(p["row"], p["column"]): (p["label"], p["message"])
                for p in error["details"]["rows"]}
    assert problems == {
        (4, "id_number"): ("身份证号码", "身份证号码校验位错误"),
        (5, "year"): ("年度", "仅支持2021年（含）以后的公需课学时"),
        (6, "start_date"): ("开始日期", "“开始日期”不是有效日期（应为 YYYY-MM-DD）：2023-02-30"),
        (7, "id_number"): ("身份证号码", "与第3行重复（身份证号码、年度相同）"),
        (8, "hours"): ("学时", "获得学时/学分应为数字"),
    }
    assert ach.scalar(LOADED) == 0

    # the file path and the items path are one or the other; the file is the operator's
    both = ach.call("op", "POST", HOURS, json={"file_id": bad, "items": [{"name": "x"}]})
    assert both.status_code == 422
    assert ach.call("p1", "POST", HOURS, json={"file_id": bad}).status_code == 403

    good = upload_export(ach, [row(1, 77, 2021, 30), row(2, 77, 2022, 42.5),
                               row(3, 78, 2022, "36")])
    loaded = ach.ok(ach.call("op", "POST", HOURS, json={"file_id": good}))
    assert loaded == {"received": 3, "inserted": 3, "updated": 0, "unchanged": 0}
    listed = ach.ok(ach.call("op", "GET", HOURS, params={"year": 2022}))
    assert sorted((i["name"], i["hours"]) for i in listed["items"]) == [
        ("孙迪", "42.5"), ("秦程", "36.0")]
    assert all("*" in i["id_number"] for i in listed["items"])  # masked
    # the same file again changes nothing
    again = ach.ok(ach.call("op", "POST", HOURS, json={"file_id": good}))
    assert again == {"received": 3, "inserted": 0, "updated": 0, "unchanged": 3}

    extracted = ach.ok(ach.call("p1", "POST", "/api/v1/records/extract"))
    assert extracted["created"] == 2
    by_year = {i["fields"]["ce_year"]: i for i in extracted["items"]}
    assert sorted(by_year) == [2021, 2022]
    record = by_year[2022]
    assert (record["status_label"], record["source_label"]) == ("审核通过", "自动生成")
    assert record["fields"]["hours"] == "42.5"
    assert record["fields"]["start_date"] == "2022-03-01"
    assert record["fields"]["certificate_no"] == "GXK20220002"
    assert record["title"] == "2022年度专业技术人员公需课"
