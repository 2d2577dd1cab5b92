"""Employer recommendation (单位推荐意见), post quotas (岗位核准信息), publicity (公示) and
the unit gate (统一上报) of declarations, on the workflow Base.

- ``post_quotas``: a 事业单位's vacancies (空缺数) per year for 正高/副高/中级/初级 (NULL: 不限)
  with the stamped approval form; saved (保存), then confirmed (确认) and immutable;
- ``recommendations``: the employer unit's recommendation of one declaration: its opinion,
  whether the person occupies a post (占用/不占用 with a reason) and its materials;
- ``publicities``: the publicity (公示) of one declaration: dates and result;
- ``publicity_objections``: objections raised during a publicity, with their handling;
- ``report_holds``: declarations their employer approved under a plan with the unit gate
  (重庆: 本单位全部审核完成后统一提交), waiting for the unit's 上报.

The rules live in ``logic/quotas.py``, ``logic/recommendations.py``,
``logic/publicity.py`` and ``logic/gate.py``.
"""
import datetime as dt

from sqlalchemy import (
    BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class PostQuota(Base):
    __tablename__ = "post_quotas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)                    # 核准年度
    # 空缺数 per level (the plans' level codes); NULL = 不限.
    senior: Mapped[int | None] = mapped_column(Integer)           # 正高级
    deputy_senior: Mapped[int | None] = mapped_column(Integer)    # 副高级
    intermediate: Mapped[int | None] = mapped_column(Integer)     # 中级
    junior: Mapped[int | None] = mapped_column(Integer)           # 初级
    form_file_id: Mapped[int | None] = mapped_column(Integer)     # 盖章后的岗位核准表
    status: Mapped[str] = mapped_column(String(20))               # saved | confirmed
    created_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    confirmed_by_name: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("unit_id", "year"),)


class Recommendation(Base):
    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer)                 # the employer
    unit_name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)                    # the declaration's
    level: Mapped[str] = mapped_column(String(20))                # the declaration's
    opinion: Mapped[str] = mapped_column(Text)                    # 单位推荐意见
    signer: Mapped[str | None] = mapped_column(String(50))        # 负责人
    signed_on: Mapped[dt.date | None] = mapped_column(Date)       # 签字时间
    # occupy 占用 | not_occupy 不占用 (post_note required) | NULL (not a 事业单位)
    occupies_post: Mapped[str | None] = mapped_column(String(20))
    post_note: Mapped[str | None] = mapped_column(Text)           # 说明
    quota_id: Mapped[int | None] = mapped_column(ForeignKey("post_quotas.id"))
    materials: Mapped[list] = mapped_column(JSONB)                # [{file_id, slot}]
    created_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_by_name: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("declaration_id"),
        Index("ix_recommendations_unit_id_year_level", "unit_id", "year", "level"),
    )


class Publicity(Base):
    __tablename__ = "publicities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)              # 公示起止时间
    ends_on: Mapped[dt.date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(20))        # no_objection | objection
    note: Mapped[str | None] = mapped_column(Text)                # 说明
    batch_id: Mapped[str | None] = mapped_column(String(36))      # 批量添加
    recorded_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by_name: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("declaration_id"),)


class PublicityObjection(Base):
    __tablename__ = "publicity_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer)
    raised_on: Mapped[dt.date] = mapped_column(Date)              # 提出日期
    raised_by: Mapped[str | None] = mapped_column(String(100))    # 反映人
    content: Mapped[str] = mapped_column(Text)                    # 异议内容
    handling: Mapped[str | None] = mapped_column(Text)            # 处理情况
    handled_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by_name: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    handled_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    handled_by_name: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_publicity_objections_declaration_id", "declaration_id"),
    )


class ReportHold(Base):
    __tablename__ = "report_holds"

    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), primary_key=True)
    process_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int] = mapped_column(Integer)              # the step that approved
    held_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    held_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    held_by_name: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_report_holds_unit_id_plan_id", "unit_id", "plan_id"),)
