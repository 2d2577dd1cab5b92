"""Times users read in generated documents are Beijing time to the minute, as the
manual's tables show them (2026-12-07 07:17), through services.common.time.beijing_text."""
import datetime as dt
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from services.common.time import beijing_text
from services.documents.printing import DEFAULT_COLUMNS, render_return_notice, write_roster
from services.documents.tests.examples import example_return_notice


@pytest.mark.parametrize("value, shown", [
    ("2026-12-06T23:17:19.379374+00:00", "2026-12-07 07:17"),
    (dt.datetime(2026, 12, 6, 23, 17, 19, tzinfo=dt.UTC), "2026-12-07 07:17"),
    ("2026-12-07T07:17:00+08:00", "2026-12-07 07:17"),
    ("2026-12-06", "2026-12-06"),
    (dt.date(2026, 12, 6), "2026-12-06"),
    (None, ""), ("", ""), ("尚未提交", "尚未提交"),
])
def test_beijing_text(value, shown):
    assert beijing_text(value) == shown


def test_the_roster_shows_submission_times_in_beijing_time():
    row = {"name": "张健", "submitted_at": "2026-12-06T23:17:19.379374+00:00"}
    out = io.BytesIO()
    write_roster([row, {"name": "王芳", "submitted_at": ""}], out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["花名册"]
    header = [c.value for c in sheet[1]]
    column = header.index("提交时间")
    assert [r[column].value for r in sheet.iter_rows(min_row=2)] == ["2026-12-07 07:17", None]
    assert [c.key for c in DEFAULT_COLUMNS if c.kind == "time"] == ["submitted_at"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_return_notice_prints_the_return_time_in_beijing_time(tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_return_notice(example_return_notice()))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "2026-12-07 07:17" in text and "T23:17" not in text
    flat = re.sub(r"\s+", "", text)
    for expected in ("退回告知（一次性告知）", "张健", "论文与申报专业不符", "急性心梗PCI术后随访",
                     "与申报专业无关", "继续教育学时不足90学时", "需修改事项3项"):
        assert expected in flat, expected
