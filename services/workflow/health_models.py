"""The Chongqing health-series declaration sections (重庆市职称申报评审表), on the workflow Base.

- ``declaration_health``: one row per declaration of the 卫生技术人员 series: the 填报表格类别
  chosen at the start, the sections the printed forms show (基本信息, 年度考核, 学习培训经历,
  工作经历, 业绩, 工作量, 论文及学术报告, 专业考试成绩, 工作总结及考核鉴定, 其他附件, 查档情况,
  申报诚信情况) as one JSON document, the frozen copy taken at each submission and the saved
  print settings (评审表格式设置 / 公示表格式设置).

The rules live in ``logic/health_sections.py``; the printing snapshot is built from this
row (and the declaration) by ``logic/snapshot.py``.
"""
import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class DeclarationHealth(Base):
    __tablename__ = "declaration_health"

    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), primary_key=True)
    form_category: Mapped[str | None] = mapped_column(String(20))     # 填报表格类别
    declaration_type: Mapped[str | None] = mapped_column(String(20))  # 申报类别
    # identity's 申报人员身份 (staff 事业编制人员 | other 其他人员), refreshed whenever the
    # applicant saves and at submission: 其他人员 must fill in 查档情况.
    applicant_identity: Mapped[str | None] = mapped_column(String(10))
    # {section code: its content}; list sections hold rows with a stable ``id``.
    sections: Mapped[dict] = mapped_column(JSONB)
    next_row_id: Mapped[int] = mapped_column(Integer)
    # The copy taken at the last submission (what reviewers and printouts see).
    frozen: Mapped[dict | None] = mapped_column(JSONB)
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # {"review_form": {page: {...}}, "publicity": {font_size, sections}} or None.
    print_settings: Mapped[dict | None] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
