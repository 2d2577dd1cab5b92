"""退回告知（一次性告知）printed through the gateway: the documents service asks workflow
(a fake answering GET /declarations/{id}/return-notice's contract) for the notice and
stores the PDF as the applicant's file; not returned → 409, someone else's → 404."""
import shutil

import pytest

from services.documents.tests.examples import example_return_notice

from .printing_support import FakePrintWorkflow, printing  # noqa: F401
from .test_printing_pdf import Pdf, squash
from .test_printing_service import fetched, review_form_path

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext) is not installed")


def test_the_applicant_prints_the_return_notice(printing, tmp_path):
    FakePrintWorkflow.notices[42] = (101, example_return_notice())
    answer = printing.post(review_form_path(42, "return-notice"), "alice")
    assert answer.json()["file_name"] == "退回告知-张健.pdf"
    pdf = Pdf(fetched(answer), tmp_path)
    assert pdf.page_count == 1
    for words in ("退回告知（一次性告知）", "重庆市云阳县卫生健康委员会", "主管部门审核",
                  "2026-12-07 07:17", "论文与申报专业不符，请补充继续教育证明。",
                  "标记删除的申报业绩", "与申报专业无关", "不满足的申报条件",
                  "继续教育学时不足 90 学时"):
        assert squash(words) in pdf.text, words
    [row] = printing.sql("SELECT owner_person_id, original_name FROM documents.files")
    assert tuple(row) == (101, "退回告知-张健.pdf")


def test_a_declaration_not_returned_or_not_ones_own_prints_nothing(printing):
    FakePrintWorkflow.notices[43] = (101, None)
    FakePrintWorkflow.notices[44] = (102, example_return_notice())
    answer = printing.post(review_form_path(43, "return-notice"), "alice")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "declaration.not_returned"
    assert printing.post(review_form_path(44, "return-notice"), "alice").status_code == 404
    assert printing.sql("SELECT id FROM documents.files") == []
