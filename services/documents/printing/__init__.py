"""Printing: pure functions that render a declaration snapshot into the documents
reviewers print (docs/printing.md).

- :func:`render_review_form` — 评审表 PDF (A4, 草稿 watermark until final)
- :func:`render_publicity_table` — 公示表 PDF (exactly one A3 landscape page)
- :func:`write_roster` — 花名册 xlsx, streamed
- :func:`render_workload_table` — 工作量 PDF to sign and stamp
- :func:`render_return_notice` — 退回告知（一次性告知）PDF of a declaration or a record

No I/O besides the bytes returned or the file object given; no nameko, no database.
"""
from services.contracts.printing import (
                                         FORM_CATEGORIES,
                                         PUBLICITY_SECTIONS,
                                         REVIEW_FORM_PAGES,
                                         PageSettingSchema,
                                         PrintSettingsSchema,
                                         PublicitySettingsSchema,
                                         SnapshotSchema,
                                         load_snapshot,
                                         workload_items,
)

from .publicity import render_publicity_table
from .return_notice import render_return_notice
from .review_form import render_review_form
from .roster import DEFAULT_COLUMNS, Column, roster_row, write_roster
from .workload import render_workload_table

__all__ = [
    "render_review_form", "render_publicity_table", "write_roster", "render_workload_table",
    "render_return_notice",
    "roster_row", "Column", "DEFAULT_COLUMNS", "SnapshotSchema", "PrintSettingsSchema",
    "PublicitySettingsSchema", "PageSettingSchema", "load_snapshot", "workload_items", "FORM_CATEGO"
                                                                                       "RIES", "REV"
                                                                                               "IEW_FORM_PAGES",
    "PUBLICITY_SECTIONS",
]
