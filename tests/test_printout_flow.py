"""Printouts end to end (issue #7), every service real (identity, achievements, workflow,
documents, gateway) over the broker, the database and the S3 server.

The demo data (deploy/demo.py) gives a 卫生技术人员 副高 declaration with every section of
the review form filled in, a photo and imported records, recommended by the hospital and
now before the competent department. Through the gateway: the department marks an
imported item deleted; the applicant prints the 评审表 (read back with poppler: Chinese
text drawn as glyphs, 草稿 on every page, the marked item left out), saves print settings
that change the next PDF, prints the one-page A3 公示表 and the 工作量 table; the
declaration climbs to the final approval and the 评审表 loses its watermark; the hospital
exports 花名册 with the list's filters over declarations in several states; strangers can
neither print nor download."""
import io
import re
import subprocess

import openpyxl
import requests
from PIL import Image
from sqlalchemy import text as sql

from deploy import demo
from services.documents.tests.test_printing_pdf import REVIEW_FORM_SECTIONS, Pdf, squash

# A third doctor of the hospital, declaring for a 中级 plan (the roster's level filter).
ZHOU = ("周敏", "2", demo._id_number("34010419880909006"), "13955100005")
A3_LANDSCAPE = (1190.55, 841.89)


def masked(number):
    return number[:6] + "********" + number[-4:]


def printout(client, token, did, kind, body=None):
    """A printout made through the gateway, fetched with its short link: (link, bytes)."""
    link = client.call("POST", f"/api/v1/declarations/{did}/printouts/{kind}", token,
                       expect=(201,), json=body or {})
    answer = requests.get(link["url"], timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return link, answer.content


def title_glyphs_drawn(pdf, title):
    """The cover title rendered by pdftoppm: every character cell carries ink and the
    cells differ (a missing CJK font shows blank cells or the same box for each)."""
    bbox = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf.path), "-"],
                          capture_output=True, text=True, check=True).stdout
    match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      + re.escape(title) + "<", bbox)
    assert match, f"{title} is not on the cover"
    x0, y0, x1, y1 = map(float, match.groups())
    prefix = pdf.tmp_path / "cover"
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-gray", "-png",
                    str(pdf.path), str(prefix)], check=True)
    [png] = pdf.tmp_path.glob("cover-*.png")
    image, scale, width = Image.open(png).convert("L"), 150 / 72, (x1 - x0) / len(title)
    ink = [sum(image.crop((int((x0 + i * width) * scale), int(y0 * scale),
                           int((x0 + (i + 1) * width) * scale), int(y1 * scale)))
               .histogram()[:128]) for i in range(len(title))]
    return min(ink) > 100 and (max(ink) - min(ink)) / max(ink) > 0.15


def roster(client, token, **filters):
    """A 花名册 exported through the gateway and opened with openpyxl: (answer, sheet)."""
    answer = client.call("POST", "/api/v1/rosters", token, expect=(201,), json=filters)
    content = requests.get(answer["url"], timeout=30).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["花名册"]
    return answer, book["花名册"]


def sheet_rows(sheet):
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=False))
            for row in sheet.iter_rows(min_row=2)]
    return header, rows


def test_printouts_of_a_health_declaration_through_the_gateway(platform, web_config_port,
                                                                db_engine, tmp_path):
    demo.bootstrap_admins(platform.config["DATABASE_URL"])
    url = f"http://127.0.0.1:{web_config_port}"
    demo.load(url)
    client = demo.Client(url)
    tokens, unit_ids, _ = demo.load_identity(client)
    wu_id_number, wu_mobile = demo.PERSONS[0][3], demo.PERSONS[0][4]
    wu = client.login(wu_id_number)
    chen = client.login(demo.DECLARANT[2])
    hospital, wjw, hr = tokens["hospital"], tokens["competent"], tokens["hr"]
    organiser = client.login(demo.ORGANISER_UNIT[4])
    school = tokens["school"]
    [declaration] = client.call("GET", "/api/v1/declarations", wu)["items"]
    did = declaration["id"]

    # 1. The declaration as the demo filled it: every section, a photo, imported records.
    health = client.call("GET", f"/api/v1/declarations/{did}/health", wu)
    assert (health["form_category"], health["level"], health["frozen"]) == (
        "临床", "deputy_senior", True)
    sections = health["sections"]
    for code in ("assessments", "study", "work", "achievements_before", "achievements",
                 "workload", "papers", "others"):
        assert sections[code]["rows"], code
    assert sections["exam"]["mode"] == "参加考试" and sections["archive"]["file_id"]
    assert sections["summary"]["work_summary_file_id"] and sections["integrity"]["other"]
    shown = [r["item"] for r in sections["workload"]["rows"] if r["publicity"]]
    hidden = [r["item"] for r in sections["workload"]["rows"] if not r["publicity"]]
    assert shown and hidden
    detail = client.call("GET", f"/api/v1/declarations/{did}", wjw)
    assert detail["personal"]["photo_file_id"] and detail["may_review"]
    items = [i for s in detail["sections"] for i in s["items"]]
    assert {i["record_type"] for i in items} >= {"work_history", "health_case"}
    [case] = [i for i in items if i["record_type"] == "health_case"]

    # 2. The 评审表 before and after the department marks the imported 病案 deleted.
    link, content = printout(client, wu, did, "review-form")
    assert link["file_name"] == "评审表-吴康金.pdf"
    assert squash(case["title"]) in Pdf(content, tmp_path, "unmarked").text
    client.call("POST", f"/api/v1/declarations/{did}/items/{case['id']}/mark", wjw,
                json={"deleted": True, "reason": "与申报专业无关"})
    form_link, content = printout(client, wu, did, "review-form")
    form = Pdf(content, tmp_path, "draft")
    text, pages = form.text, form.pages_text()
    titles = ["安徽省职称申报评审表"] + REVIEW_FORM_SECTIONS[1:]
    positions = [text.find(t) for t in titles]
    assert all(p >= 0 for p in positions), dict(zip(titles, positions, strict=True))
    assert positions == sorted(positions)
    for value in ("吴康金", "安徽省立医院", "心血管内科", wu_id_number,
                  "安徽医科大学临床医学专业学习",
                  "心内科介入诊疗技术规范化培训项目", "急性心肌梗死急诊救治绿色通道建设",
                  "急性心肌梗死急诊PCI术后规范化管理", "卫生高级专业技术资格考试", "进修结业证书",
                  "合肥市第二人民医院", "基层单位意见", "同意推荐"):
        assert squash(value) in text, value
    assert squash(case["title"]) not in text
    assert all("草稿" in page for page in pages)
    assert all(f"第{n}页共{len(pages)}页" in page for n, page in enumerate(pages, 1))
    assert form.image_count() >= 1  # the photo
    fonts = subprocess.run(["pdffonts", str(form.path)], capture_output=True, text=True,
                           check=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows and all(row.split()[-5] == "yes" for row in font_rows), fonts  # embedded
    assert "WenQuanYiMicroHei" in fonts and "STSong" not in fonts, fonts
    assert title_glyphs_drawn(form, "安徽省职称申报评审表")
    # The short link is the file's; the applicant may ask for another one.
    again = client.call("GET", f"/api/v1/files/{form_link['file_id']}/download", wu)
    assert requests.get(again["url"], timeout=30).content == content

    # Saved print settings (blank rows filling two pages) change the next PDF.
    saved = client.call("PUT", f"/api/v1/declarations/{did}/print-settings", wu, json={
        "review_form": {"experience": {"blank_rows": 60}, "papers": {"blank_rows": 60}}})
    assert saved["print_settings"]["review_form"]["experience"]["blank_rows"] == 60
    _, content = printout(client, wu, did, "review-form")
    assert Pdf(content, tmp_path, "blank-rows").page_count >= form.page_count + 2

    # 3. The 公示表: one A3 landscape page, only the rows marked for publicity.
    link, content = printout(client, wu, did, "publicity-table")
    assert link["file_name"] == "公示表-吴康金.pdf"
    table = Pdf(content, tmp_path, "publicity")
    assert table.page_count == 1
    [(width, height)] = table.page_sizes()
    assert (round(width, 1), round(height, 1)) == (round(A3_LANDSCAPE[0], 1),
                                                   round(A3_LANDSCAPE[1], 1))
    text = table.text
    assert "吴康金" in text and "急性心肌梗死急诊救治绿色通道建设" in text
    assert all(squash(item) in text for item in shown), shown
    assert not any(squash(item) in text for item in hidden), hidden
    assert "心内科介入诊疗技术规范化培训项目" not in text  # 任现职前 is never publicized
    assert wu_id_number not in text and "草稿" not in text

    # 4. The 工作量 table to sign and stamp: every row, publicized or not.
    link, content = printout(client, wu, did, "workload-table")
    assert link["file_name"] == "工作量-吴康金.pdf"
    text = Pdf(content, tmp_path, "workload").text
    assert all(squash(item) in text for item in shown + hidden)
    assert "申报人（签字）" in text and "单位（盖章）" in text

    # 5. Up the chain to the final approval: no 草稿 any more, every level's opinion.
    for token in (wjw, hr, organiser):
        task = demo._task(client, token, "declaration", "吴康金")
        client.call("POST", f"/api/v1/tasks/{task['id']}/decision", token,
                    json={"action": "approve", "opinion": "同意"})
    assert client.call("GET", f"/api/v1/declarations/{did}", wu)["status"] == "approved"
    _, content = printout(client, hr, did, "review-form")
    final = Pdf(content, tmp_path, "final")
    assert not any("草稿" in page for page in final.pages_text())
    for level in ("基层单位意见", "主管部门意见", "人社部门意见", "评委会组建单位意见"):
        assert level in final.text, level

    # 6. 花名册 over declarations in several states: 吴康金 approved (副高), 陈立新
    # returned (副高), 周敏 in review at the hospital (a 中级 plan).
    task = demo._task(client, hospital, "declaration", "陈立新")
    client.call("POST", f"/api/v1/tasks/{task['id']}/decision", hospital,
                json={"action": "return", "opinion": "请补充近五年的工作量"})
    zhou, _ = demo._declarant(client, tokens, unit_ids, ZHOU)
    organiser_id, _ = demo._organiser(client, tokens)
    year = declaration["year"]
    plan_a = declaration["plan"]["id"]
    plan_b = client.call("POST", "/api/v1/plans", hr, expect=(201,), json={
        "year": year, "name": f"{year}年度安徽省卫生系列中级专业技术资格评审",
        "committee": "安徽省卫生系列中级职称评审委员会", "level": "intermediate",
        "forms": ["regular"], "starts_on": declaration["plan"]["starts_on"],
        "ends_on": declaration["plan"]["ends_on"],
        "scope": [{"series": "卫生技术人员", "specialties": ["儿科"], "titles": ["主治医师"]}],
        "titles_required": False, "sections": demo.PLAN_SECTIONS,
        "organiser_unit_id": organiser_id})
    plan_b = client.call("POST", f"/api/v1/plans/{plan_b['id']}/publish", hr)
    demo._declare(client, zhou, plan_b, "儿科", ZHOU[3], title="主治医师")

    everyone = ["吴康金", "陈立新", "周敏"]
    cases = [
        (hospital, {"scope": "unit"}, everyone),
        (hospital, {"scope": "unit", "status": "returned"}, ["陈立新"]),
        (hospital, {"scope": "unit", "status": "approved"}, ["吴康金"]),
        (hospital, {"scope": "unit", "level": "intermediate"}, ["周敏"]),
        (hospital, {"scope": "unit", "level": "deputy_senior"}, ["吴康金", "陈立新"]),
        (hospital, {"scope": "unit", "plan_id": plan_a}, ["吴康金", "陈立新"]),
        (hospital, {"scope": "unit", "specialty": "内科"}, ["吴康金", "陈立新"]),
        (hospital, {"scope": "unit", "name": "立新"}, ["陈立新"]),
        (hospital, {"scope": "unit", "status": "submitted", "plan_id": plan_b["id"]}, ["周敏"]),
        (hospital, {"scope": "level"}, everyone),
        (wjw, {"scope": "level"}, ["吴康金"]),
        (school, {"scope": "unit"}, []),
    ]
    for token, filters, names in cases:
        answer, sheet = roster(client, token, **filters)
        header, rows = sheet_rows(sheet)
        assert [r["姓名"] for r in rows] == names, filters
        assert answer["rows"] == len(names)
        assert answer["file_name"].startswith("花名册-") and answer["file_name"].endswith(".xlsx")
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}" \
                                         f"{len(rows) + 1}"
    _, sheet = roster(client, hospital, scope="unit")
    header, rows = sheet_rows(sheet)
    assert header[:4] == ["序号", "姓名", "性别", "出生日期"] and "证件号码" in header
    assert [r["状态"] for r in rows] == ["审核通过", "退回", "审核中"]
    assert [r["申报级别"] for r in rows] == ["副高", "副高", "中级"]
    numbers = {"吴康金": wu_id_number, "陈立新": demo.DECLARANT[2], "周敏": ZHOU[2]}
    assert {r["姓名"]: r["证件号码"] for r in rows} == {
        name: masked(number) for name, number in numbers.items()}
    assert rows[0]["联系电话"] == wu_mobile[:3] + "****" + wu_mobile[-4:]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert not any(number in cell for number in numbers.values() for cell in cells)

    # 7. Another person and another unit's admin can neither print nor download.
    def generated():
        with db_engine.connect() as conn:
            return conn.execute(sql("SELECT count(*) FROM documents.files "
                                    "WHERE slot = 'generated'")).scalar()

    stored = generated()
    for token in (chen, school):
        for kind in ("review-form", "publicity-table", "workload-table"):
            refused = client.session.post(f"{url}/api/v1/declarations/{did}/printouts/{kind}",
                                          headers={"Authorization": f"Bearer {token}"},
                                          json={}, timeout=30)
            assert refused.status_code in (403, 404), (kind, refused.text)
        refused = client.session.get(f"{url}/api/v1/files/{form_link['file_id']}/download",
                                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert refused.status_code == 404, refused.text
        refused = client.session.put(f"{url}/api/v1/declarations/{did}/print-settings",
                                     headers={"Authorization": f"Bearer {token}"},
                                     json={"review_form": {"cover": {"font_size": 20}}},
                                     timeout=30)
        assert refused.status_code in (403, 404), refused.text
    refused = client.session.post(f"{url}/api/v1/rosters", json={"scope": "unit"},
                                  headers={"Authorization": f"Bearer {chen}"}, timeout=30)
    assert refused.status_code == 403, refused.text
    assert generated() == stored
