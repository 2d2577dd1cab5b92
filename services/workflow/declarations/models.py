"""The declarations' tables, on the workflow Base (schema "workflow").

Plans and declarations (评审计划, 职称申报):

- ``plans``: published by an HR department (人社部门) or a committee organiser (评委会组建
  单位): year, committee, level, forms, window, series with their specialties and titles,
  and the sections of the declaration (which record types each imports, with counts);
- ``declarations``: one person's declaration against a plan (one per person and plan
  year, deleted ones aside), with the personal information, existing titles, the review
  chain derived at submission and where the review stands;
- ``declaration_items``: the achievement records imported into a section, in order, with
  the record as imported and the frozen copy taken at submission;
- ``declaration_log``: what changed outside the review engine's history: specialty
  changes, reviewers' corrections of the basic information, items marked deleted.

The Chongqing health-series sections (重庆市职称申报评审表):

- ``declaration_health``: one row per declaration of the 卫生技术人员 series: the 填报表格类别
  chosen at the start, the sections the printed forms show (基本信息, 年度考核, 学习培训经历,
  工作经历, 业绩, 工作量, 论文及学术报告, 专业考试成绩, 工作总结及考核鉴定, 其他附件, 查档情况,
  申报诚信情况) as one JSON document, the frozen copy taken at each submission and the saved
  print settings (评审表格式设置 / 公示表格式设置).

Employer recommendation (单位推荐意见), post quotas (岗位核准信息), publicity (公示) and the
unit gate (统一上报):

- ``post_quotas``: a 事业单位's vacancies (空缺数) per year for 正高/副高/中级/初级 (NULL: 不限)
  with the stamped approval form; saved (保存), then confirmed (确认) and immutable;
- ``recommendations``: the employer unit's recommendation of one declaration: its opinion,
  whether the person occupies a post (占用/不占用 with a reason) and its materials;
- ``publicities``: the publicity (公示) of one declaration: dates and result;
- ``publicity_objections``: objections raised during a publicity, with their handling;
- ``report_holds``: declarations their employer approved under a plan with the unit gate
  (重庆: 本单位全部审核完成后统一提交), waiting for the unit's 上报.

The rules live in ``logic/``.
"""
import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.models import Base


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    committee: Mapped[str] = mapped_column(String(200))          # 评委会
    office: Mapped[str | None] = mapped_column(String(200))      # 办事机构
    level: Mapped[str] = mapped_column(String(20))               # 评审级别
    forms: Mapped[list] = mapped_column(JSONB)                   # 申报类型
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # [{series, specialties: [..], titles: [..]}]: 可评审专业 and the titles per series
    scope: Mapped[list] = mapped_column(JSONB)
    content: Mapped[str | None] = mapped_column(Text)            # 计划内容
    attachments: Mapped[list] = mapped_column(JSONB)             # documents file ids
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_address: Mapped[str | None] = mapped_column(String(200))
    interview: Mapped[bool] = mapped_column(Boolean)             # 是否面试
    titles_required: Mapped[bool] = mapped_column(Boolean)       # 现有职称情况必填
    # 统一上报 (重庆): the employer's approvals wait until none of its declarations of the
    # plan is still in review or returned, then its 上报 forwards them all (logic/gate.py).
    unit_gate: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Where the manuals differ (logic/plans.py ``settings``); None: the region's rule.
    delete_submitted: Mapped[bool | None] = mapped_column(Boolean)   # 重庆 4.4 删除
    undo_reject: Mapped[bool | None] = mapped_column(Boolean)        # 重庆 2.4.3 撤销
    form_profile: Mapped[str | None] = mapped_column(String(30))     # 填报表格
    # [{code, label, kind: "records", types: [..], min, max, required}], in order
    sections: Mapped[list] = mapped_column(JSONB)
    hr_unit_id: Mapped[int | None] = mapped_column(Integer)
    hr_unit_name: Mapped[str | None] = mapped_column(String(200))
    organiser_unit_id: Mapped[int | None] = mapped_column(Integer)
    organiser_unit_name: Mapped[str | None] = mapped_column(String(200))
    publisher_unit_id: Mapped[int | None] = mapped_column(Integer)
    publisher_unit_name: Mapped[str | None] = mapped_column(String(200))  # 发布部门
    created_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))              # draft | published
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_plans_year_status", "year", "status"),
        Index("ix_plans_hr_unit_id", "hr_unit_id"),
        Index("ix_plans_organiser_unit_id", "organiser_unit_id"),
        Index("ix_plans_publisher_unit_id", "publisher_unit_id"),
    )


class Declaration(Base):
    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    year: Mapped[int] = mapped_column(Integer)                   # the plan's year
    person_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    person_name: Mapped[str] = mapped_column(String(100))
    form: Mapped[str] = mapped_column(String(20))                # 申报形式
    series: Mapped[str] = mapped_column(String(100))             # 申报系列
    specialty: Mapped[str] = mapped_column(String(100))          # 申报专业
    title: Mapped[str] = mapped_column(String(100))              # 申报职称
    level: Mapped[str] = mapped_column(String(20))               # 申报级别 (the plan's)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    # draft 编辑中 | submitted 审核中 | returned 退回 | approved 审核通过 |
    # rejected 审核不通过 | terminated 终止
    status: Mapped[str] = mapped_column(String(20))
    pledge_text: Mapped[str] = mapped_column(Text)
    pledge_accepted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    person: Mapped[dict] = mapped_column(JSONB)      # identity's brief, taken by the service
    personal: Mapped[dict] = mapped_column(JSONB)    # 个人信息 entered for the declaration
    titles: Mapped[list] = mapped_column(JSONB)      # 现有职称情况, in order
    chain: Mapped[list] = mapped_column(JSONB)       # derived at the last submission
    process_id: Mapped[int | None] = mapped_column(Integer)
    current_step: Mapped[int | None] = mapped_column(Integer)
    current_unit_id: Mapped[int | None] = mapped_column(Integer)
    current_unit_name: Mapped[str | None] = mapped_column(String(200))
    ended_step: Mapped[int | None] = mapped_column(Integer)
    opinion: Mapped[str | None] = mapped_column(Text)            # of a return / 不通过
    opinion_unit_name: Mapped[str | None] = mapped_column(String(200))
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin=True)
    items: Mapped[list["DeclarationItem"]] = relationship(
        back_populates="declaration", lazy="selectin", cascade="all, delete-orphan",
        order_by="DeclarationItem.position")

    __table_args__ = (
        # One declaration per person and declaration year (the plan's year), whatever
        # the series; a deleted one does not count.
        Index("uq_declarations_person_year", "person_id", "year", unique=True,
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_declarations_plan_id", "plan_id"),
        Index("ix_declarations_status", "status"),
    )


class DeclarationItem(Base):
    __tablename__ = "declaration_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    snapshot: Mapped[dict] = mapped_column(JSONB)         # the record as imported
    frozen: Mapped[dict | None] = mapped_column(JSONB)    # the record at the last submission
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # A reviewer's deletion mark (删除标记): greyed for reviewers, left out of printouts.
    marked_deleted: Mapped[bool] = mapped_column(Boolean)
    mark_reason: Mapped[str | None] = mapped_column(Text)
    marked_by_account_id: Mapped[int | None] = mapped_column(BigInteger)
    marked_by_name: Mapped[str | None] = mapped_column(String(100))
    marked_unit_id: Mapped[int | None] = mapped_column(Integer)
    marked_unit_name: Mapped[str | None] = mapped_column(String(200))
    marked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    declaration: Mapped[Declaration] = relationship(back_populates="items")

    __table_args__ = (
        # A record once per declaration (its lock in achievements is per declaration).
        UniqueConstraint("declaration_id", "record_id"),
        Index("ix_declaration_items_declaration_id_section", "declaration_id", "section"),
    )


class DeclarationLog(Base):
    __tablename__ = "declaration_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"))
    # specialty_changed | corrected | item_marked | item_unmarked
    action: Mapped[str] = mapped_column(String(30))
    changes: Mapped[dict] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    account_name: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_declaration_log_declaration_id", "declaration_id"),)


# --------------------------------------------------------------------------- health series

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


# ------------------------------------------------------- recommendation, quotas, publicity, gate

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
