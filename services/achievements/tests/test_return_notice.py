"""一次性告知 of a returned record (issue 16.15): the unit's opinion and each rule the
record's 提交 fails now, in one list (GET /records/{id}/return-notice), and the same
notice printed as a PDF by the real documents service with the embedded CJK font."""
import re
import shutil
import subprocess

import pytest
import requests

from .support import NOT_BOUND_REASON, FakeIdentity, png_bytes, work_history

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) is not installed")


def notice_of(ach, token, record_id):
    return ach.call(token, "GET", f"/api/v1/records/{record_id}/return-notice")


def test_a_returned_record_has_one_notice_api_and_printable(ach_docs, tmp_path):
    ach = ach_docs
    proof = ach.upload("p1", "work_history", "工作证明.png", png_bytes())
    record = ach.new("p1", "work_history", work_history(), evidence=[proof])
    # not returned yet: nothing to correct
    answer = notice_of(ach, "p1", record["id"])
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "record.not_returned"
    ach.ok(ach.submit("p1", record["id"]))
    ach.decide(record["id"], "return", "请补充工作证明，职务填写有误")

    notice = ach.ok(notice_of(ach, "p1", record["id"]))
    assert (notice["status"], notice["status_label"], notice["type_label"], notice["title"]) \
        == ("returned", "退回", "工作经历", "宏景软件公司")
    assert notice["returned_at"] and notice["step_label"] == "单位审核"
    # its evidence is in the type's own place: nothing to correct there
    assert [(e["kind"], e["kind_label"], e["message"]) for e in notice["items"]] == [
        ("opinion", "退回意见", "请补充工作证明，职务填写有误")]
    assert notice["count"] == 1

    # the applicant clears a required field and loses the binding: both listed as well
    ach.ok(ach.edit("p1", record["id"], {"position": None}))
    FakeIdentity.bindings.pop(77)       # p1: no approved binding any more
    notice = ach.ok(notice_of(ach, "p1", record["id"]))
    rules = [e for e in notice["items"] if e["kind"] == "rule"]
    assert [(e["kind_label"], e["section"], e["section_label"]) for e in rules] == [
        ("不满足的提交要求", "position", "担任职务"),
        ("不满足的提交要求", "unit", "工作单位绑定")]
    assert rules[0]["message"] and rules[1]["message"] == NOT_BOUND_REASON
    assert notice["count"] == 3 == len(notice["items"])
    # what the notice lists is what 提交 refuses
    refused = ach.submit("p1", record["id"])
    assert refused.status_code == 409

    # printable: the same entries, returned time in Beijing time, every font embedded
    link = ach.ok(ach.call("p1", "POST",
                           f"/api/v1/records/{record['id']}/printouts/return-notice"), 201)
    assert link["file_name"].startswith("退回告知") and link["file_name"].endswith(".pdf")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(requests.get(link["url"], timeout=30).content)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"],
                                             capture_output=True, text=True,
                                             check=True).stdout)
    for words in ("退回告知（一次性告知）", "工作经历", "宏景软件公司", "担任职务",
                  "请补充工作证明，职务填写有误", NOT_BOUND_REASON, "需修改事项3项"):
        assert re.sub(r"\s+", "", words) in text, words
    assert re.search(r"退回时间\d{4}-\d{2}-\d{2}\d{2}:\d{2}", text), text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts

    # only the owner: someone else's record is not found, and prints nothing
    assert notice_of(ach, "p2", record["id"]).status_code == 404
    assert ach.call("p2", "POST", f"/api/v1/records/{record['id']}/printouts/return-notice"
                    ).status_code == 404
