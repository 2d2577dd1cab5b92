"""The achievement record-type catalogue: every record type of the Anhui and Fujian
manuals (个人业绩库) with its fields, required marks, list columns, query fields and
evidence slot, each with the seeds' Chinese label. Pure data and helpers: no Nameko, no
database. ``logic/fields.py`` applies the field rules; ``describe()`` is the JSON the
gateway serves at ``GET /api/v1/achievement-types`` so a front end can draw every form
and list from it.

Conventions of the data
-----------------------
* ``FieldDef.kind``: text | textarea | date | month | year | int | decimal | select |
  multiselect | bool | rank | unit.
  - ``rank`` is the 个人排名/参与人数 pair, stored as ``{"rank": 1, "total": 7}`` and
    shown as ``1/7``; rank ≤ total.
  - ``unit`` is filled by the system from the person's bound unit (年度考核's 考核单位).
* ``max="today"`` on a date (or year) field: not after today (this year).
* ``format``: ``issn`` | ``isbn`` | ``url`` — checked by ``logic/fields.py``.
* ``places``: decimal places of a ``decimal`` field.
* Type-level rules that tie fields together (``RULES``): ``date_range``,
  ``required_unless`` (至今, 长期有效), ``required_if`` (学位获得日期), ``not_future_if``
  (已结题的项目), ``within_years`` (近5年的病案) are applied by ``clean_record``;
  ``children`` (numbers of case rows and references) is applied by the record life cycle.
* List headers (``COLUMNS``) follow the seeds' order and name system columns with an
  ``@``: ``@status`` 审核状态, ``@submitted_at`` 申报日期/申报时间, ``@source`` 来源,
  ``@case_count`` 病案数量, ``@reference_count`` 文献数量, ``@decided_at`` 审核时间.
  ``RecordType.list_columns`` is the field keys among them, in that order.
"""
import re
from dataclasses import dataclass
from typing import Any

from services.common.errors import NotFound

HEALTH_SERIES = "卫生技术人员"

# Record source (a record column, not a field): shown in 继续教育's 来源 column.
SOURCES = {"user": "用户申报", "auto": "自动生成"}

SYSTEM_COLUMNS = {
    "status": "审核状态",
    "submitted_at": "申报日期",
    "source": "来源",
    "case_count": "病案数量",
    "reference_count": "文献数量",
    "decided_at": "审核时间",
}


@dataclass(frozen=True)
class FieldDef:
    key: str            # snake_case English key, stored in the record's JSON
    label: str          # the seed's Chinese label, e.g. "开始日期"
    kind: str           # see the module docstring
    required: bool = False
    options: tuple = ()  # for select/multiselect, the seed's values
    max_length: int | None = None
    min: Any = None
    max: Any = None     # "today" on dates/years: not after today
    unit: str = ""      # e.g. "万元"
    help: str = ""
    places: int | None = None  # decimal places of a decimal field
    format: str = ""    # issn | isbn | url


@dataclass(frozen=True)
class RecordType:
    code: str
    label: str
    category: str                            # category code
    fields: tuple                            # tuple[FieldDef, ...]
    title_field: str                         # the field shown as 业绩名称
    list_columns: tuple                      # field keys of the list, in the seed's order
    query_fields: tuple                      # field keys of the search form
    evidence_slot: str | None                # the documents service's slot key (its slot table)
    evidence_required: bool
    health_only: bool = False                # 行业专用: only for 卫生技术人员
    children: str | None = None              # "cases" | "references" | None

    def field(self, key):
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class ChildType:
    """Rows under a health record: case rows (病案列表) and references (参考文献)."""
    code: str                                # "cases" | "references"
    label: str
    fields: tuple
    list_columns: tuple
    template_columns: tuple                  # the Excel import template's columns, in order
    evidence_slot: str | None = None         # a file per row (references)
    evidence_required: bool = False

    def field(self, key):
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class EvidenceSlot:
    """An upload slot of a record type as the seeds show it. ``code`` is the slot's key
    in the documents service's slot table, which owns the enforced rule;
    ``rule_text``/``rule`` are the seed's words, for display and for reconciling with
    that table. ``None`` where the seeds give no rule text for the slot."""
    code: str
    label: str
    required: bool
    rule_text: str | None = None
    note: str = ""
    required_when: tuple | None = None       # (field, value): required when field == value

    @property
    def rule(self):
        return parse_upload_rule(self.rule_text) if self.rule_text else None


_RULE_RE = re.compile(
    r"只能上传\s*([A-Za-z0-9/]+)\s*文件\s*[,，]\s*且不超过\s*(\d+(?:\.\d+)?)\s*MB\s*[,，]"
    r"\s*且最多只能上传\s*(\d+)\s*个文件")


def parse_upload_rule(text):
    """``"只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"`` →
    ``{"extensions": ["png", "jpg", "pdf"], "max_mb": 2, "max_files": 5}``."""
    match = _RULE_RE.search(text or "")
    if not match:
        raise ValueError(f"not an upload rule: {text!r}")
    size = float(match.group(2))
    return {
        "extensions": [ext.lower() for ext in match.group(1).split("/") if ext],
        "max_mb": int(size) if size.is_integer() else size,
        "max_files": int(match.group(3)),
    }


# --------------------------------------------------------------------------- field makers

def text(key, label, required=False, max_length=100, **kw):
    return FieldDef(key, label, "text", required, max_length=max_length, **kw)


def area(key, label, required=False, max_length=2000, **kw):
    return FieldDef(key, label, "textarea", required, max_length=max_length, **kw)


def date(key, label, required=False, past=True, **kw):
    return FieldDef(key, label, "date", required, max="today" if past else None, **kw)


def year(key, label, required=False, **kw):
    return FieldDef(key, label, "year", required, min=1900, max="today", **kw)


def select(key, label, options, required=False, **kw):
    return FieldDef(key, label, "select", required, options=tuple(options), **kw)


def flag(key, label, **kw):
    return FieldDef(key, label, "bool", False, **kw)


def money(key, label, required=False, **kw):
    return FieldDef(key, label, "decimal", required, min=0, max=10_000_000, unit="万元",
                    places=2, **kw)


def ranking(label="个人排名", required=True):
    return FieldDef("ranking", label, "rank", required, min=1, max=999,
                    help=f"{label}/参与人数，如 1/7；{label}不能大于参与人数")


# Options the seeds show (sample values in parentheses are the seeds'); where a seed
# shows no list, a conventional one is used (see the report / README of the catalogue).
ROLE = ("主持", "参与")                                        # 参与形式: FAQ form
CE_TYPES = ("公需课", "专业课", "视同教育")                      # FAQ form
EDU_TYPES = ("全日制教育", "在职教育")                           # manuals
# (大学专科, 大学本科)
EDU_LEVELS = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "其他")
DEGREES = ("博士", "硕士", "学士")                               # (学士)
PROJECT_AWARD_LEVELS = ("国家", "省部", "市厅", "县区", "其他")   # (省部)
AWARD_GRADES = ("特等", "一等", "二等", "三等", "其他")            # (一等, 二等)
HONOR_LEVELS = ("国家级", "省部级", "市厅级", "县区级", "单位级")  # (国家级)
ASSESSMENT_GRADES = ("优秀", "合格", "基本合格", "不合格")
# (发明专利)
PATENT_CATEGORIES = ("发明专利", "实用新型专利", "外观设计专利", "软件著作权", "其他著作权")
PROJECT_LEVELS = ("国家级", "省部级", "市厅级", "县区级", "单位级")  # (省部级)
STANDARD_LEVELS = ("国家标准", "行业标准", "地方标准", "团体标准", "企业标准")  # (国家标...)
PAPER_LEVELS = ("国内期刊", "国外期刊", "国内会议", "国际会议", "其他")  # (国内期刊)
PAPER_INDEXES = ("SCI", "EI", "SSCI", "CSSCI", "CSCD", "北大中文核心", "其他")
BOOK_TYPES = ("专著", "译著", "编著", "教材", "其他")
AID_TYPES = ("援助", "援疆", "援藏", "援青", "援外", "对口支援", "其他")  # (援助)
# 手术类别: the Fujian list shows the column as "抢救或治疗(或手术)" holding "抢救"; the
# documents service's 卫生-病案 import template offers the same drop-down.
SURGERY_CATEGORIES = ("抢救", "治疗", "手术")
TOPIC_TYPES = ("三新专题", "专题报告")                            # manuals
GENDERS = ("男", "女")
CASE_GROUPS = ("观察组", "对照组")                                # FAQ

# --------------------------------------------------------------------------- registries

CATEGORY_LABELS = {
    "basic": "基本信息",
    "honor": "表彰考核",
    "ability": "能力条件",
    "performance": "工作业绩",
    "research": "论文著作科研",
    "aid": "对外援助",
    "health": "行业专用",
}

TYPES: dict = {}
COLUMNS: dict = {}        # type code -> tuple of (header label, key | (keys...) | "@system")
QUERY_HINTS: dict = {}    # type code -> the seed's search placeholder
RULES: dict = {}          # type or child code -> tuple of rule dicts
EVIDENCE: dict = {}       # type code -> tuple of EvidenceSlot (first = the type's slot)
TITLE_FORMATS: dict = {}  # type code -> format string when the title is composed


def _flat_keys(columns):
    keys = []
    for _, ref in columns:
        refs = ref if isinstance(ref, tuple) else (ref,)
        keys.extend(r for r in refs if not r.startswith("@"))
    return tuple(keys)


def _define(code, label, category, fields, *, title, columns, query, hint, slots=(),
            rules=(), health_only=False, children=None, title_format=None):
    columns = tuple(columns)
    slots = tuple(slots)
    main = slots[0] if slots else None
    TYPES[code] = RecordType(
        code=code, label=label, category=category, fields=tuple(fields), title_field=title,
        list_columns=_flat_keys(columns), query_fields=tuple(query),
        evidence_slot=main.code if main else None,
        evidence_required=bool(main and main.required),
        health_only=health_only, children=children,
    )
    COLUMNS[code] = columns
    QUERY_HINTS[code] = hint
    RULES[code] = tuple(rules)
    EVIDENCE[code] = slots
    if title_format:
        TITLE_FORMATS[code] = title_format


def date_range(start="start_date", end="end_date"):
    return {"rule": "date_range", "start": start, "end": end}


def until_now(field="end_date", flag_field="until_now"):
    return {"rule": "required_unless", "field": field, "flag": flag_field,
            "message": "请选择结束日期，或勾选至今"}


def slot(code, label="佐证材料", required=True, rule_text=None, note="", when=None):
    return EvidenceSlot(code, label, required, rule_text, note, when)


STD_COLUMNS_START = (("审核状态", "@status"),)
STD_COLUMNS_END = (("申报日期", "@submitted_at"),)

# --------------------------------------------------------------------------- 基本信息

_define(
    "work_history", "工作经历", "basic",
    [
        text("unit_name", "工作单位名称", True, help="请填写全称"),
        date("start_date", "开始日期", True),
        date("end_date", "结束日期", True),
        flag("until_now", "至今"),
        text("specialty", "从事专业", True),
        text("position", "担任职务", True),
        area("duties", "职务职责说明", max_length=200),
    ],
    title="unit_name",
    columns=STD_COLUMNS_START + (
        ("工作单位名称", "unit_name"), ("起止日期", ("start_date", "end_date", "until_now")),
        ("从事专业", "specialty"), ("担任职务", "position")) + STD_COLUMNS_END,
    query=("unit_name", "specialty", "position"),
    hint="请输入单位名称、从事专业、担任职务进行查询",
    slots=[slot("work_history", required=False,
                rule_text="只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件",
                note="按需上传相应的佐证材料")],
    rules=[date_range(), until_now()],
)

_define(
    "education", "教育经历", "basic",
    [
        text("school", "毕业院校", True, help="请填写全称"),
        date("start_date", "入学日期", True),
        date("end_date", "毕业日期", True),
        text("major", "所选专业", True),
        select("education_type", "教育类型", EDU_TYPES, True),
        text("schooling", "学制", max_length=20, help="如：4年"),
        flag("is_foreign", "是否国外院校"),
        select("education_level", "获得学历", EDU_LEVELS, True),
        text("certificate_no", "证书编号", max_length=50),
        select("degree", "获得学位", DEGREES),
        date("degree_date", "学位获得日期", help="选择获得学位后填写"),
    ],
    title="school",
    columns=STD_COLUMNS_START + (
        ("毕业院校", "school"), ("起止日期", ("start_date", "end_date")),
        ("获得学历", "education_level"), ("获得学位", "degree")) + STD_COLUMNS_END,
    query=("school",),
    hint="请输入学校名称进行查询",
    slots=[slot("education", note="注意需上传毕业证封面、内页")],
    rules=[date_range(),
           {"rule": "required_if", "field": "degree_date", "when": "degree",
            "message": "选择获得学位后，学位获得日期为必填项"}],
)

_define(
    "continuing_education", "继续教育", "basic",
    [
        select("ce_type", "继教类型", CE_TYPES, True),
        year("ce_year", "继教年度", True),
        FieldDef("hours", "获得学时/学分", "decimal", True, min=0, max=10000, places=1,
                 help="请分专业课、公需课录入年度总学时"),
        text("certificate_no", "证书编号", max_length=30),
        date("start_date", "开始日期"),
        date("end_date", "结束日期"),
        text("project", "培训项目", max_length=200, help="培训项目/通过原因"),
        text("organizer", "组织单位", max_length=200),
        area("study_notes", "学习情况", max_length=300),
    ],
    title="project",
    title_format="{ce_year}年{ce_type}",
    columns=(("状态", "@status"), ("继教类型", "ce_type"), ("继教年度", "ce_year"),
             ("培训项目/通过原因", "project"), ("起止日期", ("start_date", "end_date")),
             ("获得学时/学分", "hours"), ("来源", "@source")) + STD_COLUMNS_END,
    query=("project",),
    hint="请输入培训项目名称进行查询",
    slots=[slot("continuing_education",
                rule_text="只能上传png/jpg/pdf/bmp文件，且不超过10MB，且最多只能上传5个文件",
                note="请分专业课、公需课录入年度总学时，并上传继续教育证书对应页面"
                     "（上传页面的空白处签署本人姓名）。")],
    rules=[date_range()],
)

# --------------------------------------------------------------------------- 表彰考核

_define(
    "project_award", "项目获奖", "honor",
    [
        text("project_name", "项目名称", True, max_length=200),
        text("award_name", "获奖名称", True, max_length=200),
        ranking("个人排名"),
        date("award_date", "授予时间", True),
        select("award_level", "奖励级别", PROJECT_AWARD_LEVELS, True),
        select("award_grade", "获奖等级", AWARD_GRADES, True),
    ],
    title="award_name",
    columns=STD_COLUMNS_START + (
        ("项目名称", "project_name"), ("获奖名称", "award_name"), ("奖励级别", "award_level"),
        ("奖励等级", "award_grade"), ("获奖日期", "award_date")) + STD_COLUMNS_END,
    query=("award_name",),
    hint="请输入获奖名称进行查询",
    slots=[slot("project_award")],
)

_define(
    "honor_award", "表彰奖励", "honor",
    [
        text("honor_name", "表彰奖励名称", True, max_length=200),
        date("award_date", "授予时间", True),
        text("grantor", "授予单位", True, max_length=200),
        select("award_level", "奖励级别", HONOR_LEVELS, True),
    ],
    title="honor_name",
    columns=STD_COLUMNS_START + (
        ("表彰奖励名称", "honor_name"), ("奖励级别", "award_level"), ("授予单位", "grantor"),
        ("授予日期", "award_date")) + STD_COLUMNS_END,
    query=("honor_name", "grantor"),
    hint="请输入表彰奖励名称、授予单位进行查询",
    slots=[slot("honor_award")],
)

_define(
    "annual_assessment", "年度考核", "honor",
    [
        year("year", "考核年度", True),
        FieldDef("unit_name", "考核单位", "unit", True, max_length=200,
                 help="已绑定工作单位的，由系统自动带出；未绑定的需手动输入，只能保存无法提交"),
        select("grade", "考核等次", ASSESSMENT_GRADES, True),
    ],
    title="year",
    title_format="{year}年度考核",
    columns=STD_COLUMNS_START + (
        ("考核年度", "year"), ("考核单位", "unit_name"), ("考核等次", "grade"))
    + STD_COLUMNS_END,
    query=("year", "grade"),
    hint="请输入考核年度进行查询",
    slots=[slot("annual_assessment")],
)

# --------------------------------------------------------------------------- 能力条件

_define(
    "patent", "专利著作权", "ability",
    [
        text("patent_no", "专利（著作权）号", True),
        text("name", "专利（著作权）名称", True, max_length=200),
        select("category", "类别", PATENT_CATEGORIES, True),
        date("approval_date", "批准日期", True),
        ranking("个人排名"),
        text("applicant", "申请人", max_length=200),
        text("inventors", "发明（著作）人", max_length=200),
        area("abstract", "专利摘要"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("专利（著作权）号", "patent_no"), ("专利（著作权）名称", "name"), ("类别", "category"),
        ("批准日期", "approval_date")) + STD_COLUMNS_END,
    query=("patent_no", "name"),
    hint="请输入专利号、名称进行查询",
    slots=[slot("patent")],
)

_define(
    "academic_post", "学术技术兼职", "ability",
    [
        text("org_name", "单位（组织）名称", True, max_length=200),
        date("start_date", "开始日期", True),
        date("end_date", "结束日期", True),
        flag("until_now", "至今"),
        text("post", "所任职务", True),
        area("duties", "工作职责", max_length=500),
        area("remarks", "备注", max_length=500),
    ],
    title="org_name",
    columns=STD_COLUMNS_START + (
        ("单位（组织）名称", "org_name"), ("起止日期", ("start_date", "end_date", "until_now")),
        ("所任职务", "post")) + STD_COLUMNS_END,
    query=("org_name", "post"),
    hint="请输入单位、职务名称进行查询",
    slots=[slot("academic_post")],
    rules=[date_range(), until_now()],
)

_define(
    "qualification", "资质证书", "ability",
    [
        text("cert_name", "证书名称", True, max_length=200),
        text("cert_no", "证书编号", True),
        date("obtained_date", "获得日期", True),
        date("valid_until", "有效日期", True, past=False),
        flag("long_term", "是否长期有效"),
        text("issuer", "发证机构", max_length=200),
        text("specialty", "专业名称"),
        text("cert_level", "证书等级", max_length=50),
    ],
    title="cert_name",
    columns=STD_COLUMNS_START + (
        ("证书编号", "cert_no"), ("证书名称", "cert_name"), ("获得日期", "obtained_date"),
        ("有效日期", ("valid_until", "long_term"))) + STD_COLUMNS_END,
    query=("cert_name", "cert_no"),
    hint="请输入证书名称、证书编号进行查询",
    slots=[slot("qualification")],
    rules=[date_range("obtained_date", "valid_until"),
           {"rule": "required_unless", "field": "valid_until", "flag": "long_term",
            "message": "请选择有效日期，或勾选是否长期有效"}],
)

_define(
    "comprehensive", "综合业绩能力", "ability",
    [
        year("year", "所属年度", True),
        text("name", "名称", True, max_length=200),
        area("summary", "简要介绍"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (("所属年度", "year"), ("名称", "name")) + STD_COLUMNS_END,
    query=("year", "name"),
    hint="请输入年度、名称进行查询",
    slots=[slot("comprehensive_ability")],
)

# --------------------------------------------------------------------------- 工作业绩

_define(
    "research_project", "科研（基金）项目", "performance",
    [
        text("name", "项目名称", True, max_length=200),
        date("start_date", "开始日期", True),
        date("end_date", "结束日期", True, past=False,
             help="未结题的项目可填写计划结束日期"),
        text("source_unit", "来源（委托单位）", True, max_length=200),
        select("level", "项目级别", PROJECT_LEVELS, True),
        money("amount", "项目金额"),
        select("role", "参与形式", ROLE, True),
        flag("concluded", "是否结题"),
        ranking("本人排名"),
        area("main_tasks", "主要任务"),
        area("intro", "项目介绍"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("项目名称", "name"), ("起止日期", ("start_date", "end_date")), ("参与形式", "role"),
        ("项目级别", "level"), ("项目金额（万元）", "amount"), ("排名", "ranking"))
    + STD_COLUMNS_END,
    query=("name",),
    hint="请输入项目名称进行查询",
    slots=[slot("research_project")],
    rules=[date_range(),
           {"rule": "not_future_if", "field": "end_date", "when": "concluded",
            "message": "已结题的项目，结束日期不能晚于今天"}],
)

_define(
    "engineering_project", "主持参与工程技术项目", "performance",
    [
        text("name", "项目名称", True, max_length=200),
        date("start_date", "开始日期", True),
        date("end_date", "结束日期", True, past=False),
        text("category", "项目类别", True, max_length=200,
             help="请填写项目属于何重点项目（计划）或基金项目等信息，如国家自然科学基金项目、"
                  "863计划、安徽省年度重点项目、某某基金重点项目等"),
        money("amount", "项目金额"),
        select("role", "参与形式", ROLE, True),
        text("participants", "项目参与人员", True, max_length=500),
        text("scale", "项目规模", max_length=200),
        area("description", "项目描述", max_length=300),
        area("duties", "本人职责", max_length=300),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("项目名称", "name"), ("起止日期", ("start_date", "end_date")), ("参与形式", "role"),
        ("项目类别", "category"), ("项目金额（万元）", "amount")) + STD_COLUMNS_END,
    query=("name",),
    hint="请输入项目名称进行查询",
    slots=[slot("engineering_project",
                rule_text="只能上传jpg/pdf文件，且不超过30MB，且最多只能上传10个文件")],
    rules=[date_range()],
)

_define(
    "adoption", "成果采纳运用推广", "performance",
    [
        text("name", "成果名称", True, max_length=200),
        text("applied_unit", "成果运用所在单位", True, max_length=200),
        date("project_date", "立项日期", True),
        money("rd_investment", "研发投入"),
        area("economic_benefit", "取得的经济效益"),
        area("innovation_level", "技术创新水平"),
        area("social_benefit", "取得的社会效益"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("成果名称", "name"), ("立项日期", "project_date"), ("成果运用所在单位", "applied_unit"),
        ("研发投入（万元）", "rd_investment")) + STD_COLUMNS_END,
    query=("name", "applied_unit"),
    hint="请输入成果名称、成果运用所在单位进行查询",
    slots=[slot("achievement_adoption")],
)

_define(
    "standard", "制定标准", "performance",
    [
        text("name", "标准名称", True, max_length=200),
        text("standard_no", "标准编号", True, max_length=50),
        date("publish_date", "发布日期", True),
        select("level", "级别", STANDARD_LEVELS, True),
        select("role", "参与形式", ROLE, True),
        ranking("本人排名"),
        area("intro", "标准简介"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("标准名称", "name"), ("标准编号", "standard_no"), ("级别", "level"),
        ("发布日期", "publish_date"), ("参与形式", "role"), ("排名", "ranking"))
    + STD_COLUMNS_END,
    query=("name", "standard_no"),
    hint="请输入标准名称、编号进行查询",
    slots=[slot("standard")],
)

# --------------------------------------------------------------------------- 论文著作科研

_define(
    "work_summary", "工作（技术）总结报告", "research",
    [
        text("name", "报告名称", True, max_length=200),
        area("summary", "简要介绍"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (("报告名称", "name"),) + STD_COLUMNS_END,
    query=("name",),
    hint="请输入报告名称进行查询",
    slots=[slot("work_report", note="需单位逐页盖章后方可上传")],
)

_define(
    "paper", "论文发表情况", "research",
    [
        text("title", "论文名称", True, max_length=600),
        date("publish_date", "发表日期", True),
        text("journal", "发布刊物", True, max_length=200, help="未正式发表请填写无"),
        text("issn", "国际标准刊号（ISSN）", max_length=20, format="issn",
             help="如 1234-5679，校验位为 0-9 或 X"),
        text("cn", "国内统一刊号（CN）", max_length=20, help="如 CN11-1234/R"),
        select("level", "发表级别", PAPER_LEVELS, True),
        select("index", "索引情况", PAPER_INDEXES),
        flag("corresponding_author", "是否通讯作者"),
        flag("representative", "是否代表作"),
        ranking("个人排名"),
        FieldDef("impact_factor", "影响因子", "decimal", min=0, max=1000, places=3),
        area("abstract", "论文摘要", max_length=2000),
    ],
    title="title",
    columns=STD_COLUMNS_START + (
        ("发表年度", "publish_date"), ("论文名称", "title"), ("发表刊物", "journal"),
        ("发表级别", "level"), ("排名", "ranking")) + STD_COLUMNS_END,
    query=("title", "publish_date"),
    hint="请输入论文名称、年度进行查询",
    slots=[
        slot("paper", label="论文发表情况",
             rule_text="只能上传docx/doc/pdf文件，且不超过10MB，且最多只能上传10个文件",
             note="论文命名格式建议为“篇名_作者_发表日期”；需上传封面、目录页、刊页号、正文页。"),
        slot("paper_check", label="论文查重附件", required=False,
             rule_text="只能上传docx/doc文件，且不超过10MB，且最多只能上传1个文件",
             note="评审通知要求论文查重的需上传。请上传需要查重的Word版本原件，由评委会组建单位"
                  "统一查重，无需本人上传查重结果。"),
    ],
)

_define(
    "book", "著（译）作（教材）", "research",
    [
        text("name", "著（译）作（教材）名称", True, max_length=200),
        select("book_type", "类型", BOOK_TYPES, True),
        date("publish_date", "出版日期", True),
        text("publisher", "出版单位", True, max_length=200),
        text("isbn", "标准书号", max_length=30, format="isbn",
             help="ISBN，10 位或 13 位，如 978-7-111-21382-6"),
        ranking("作者排名"),
        text("coauthors", "参与作者", max_length=500),
        area("intro", "内容简介"),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("类型", "book_type"), ("著（译）作（教材）名称", "name"), ("出版日期", "publish_date"),
        ("排名", "ranking")) + STD_COLUMNS_END,
    query=("name",),
    hint="请输入著（译）作（教材）名称进行查询",
    slots=[slot("book")],
)

# --------------------------------------------------------------------------- 对外援助

_define(
    "aid", "援助困难地区（单位）", "aid",
    [
        select("aid_type", "援助类型", AID_TYPES, True),
        date("start_date", "开始日期", True),
        date("end_date", "结束日期", True),
        text("aid_unit", "援助单位", True, max_length=200),
        area("details", "援助情况"),
    ],
    title="aid_unit",
    columns=STD_COLUMNS_START + (
        ("援助类型", "aid_type"), ("起止日期", ("start_date", "end_date")),
        ("援助单位", "aid_unit")) + STD_COLUMNS_END,
    query=("aid_unit",),
    hint="请输入援助单位进行查询",
    slots=[slot("aid", note="需单位逐页盖章后方可上传")],
    rules=[date_range()],
)

# --------------------------------------------------------------------------- 行业专用（卫生）

_define(
    "health_case", "卫生-病案", "health",
    [
        text("admission_no", "住院号", True, max_length=50),
        text("patient_name", "姓名", True, max_length=50),
        date("admission_date", "入院日期", True),
        date("discharge_date", "出院日期", True),
        select("surgery_category", "手术类别", SURGERY_CATEGORIES),
        text("admission_diagnosis", "入院诊断", True, max_length=500),
        text("discharge_diagnosis", "出院诊断", True, max_length=500),
        text("outcome", "抢救或治疗结果", True, max_length=500),
    ],
    title="admission_no",
    columns=(("住院号", "admission_no"), ("审核状态", "@status"), ("姓名", "patient_name"),
             ("入院日期", "admission_date"), ("出院日期", "discharge_date"),
             ("入院诊断", "admission_diagnosis"), ("出院诊断", "discharge_diagnosis"),
             ("抢救或治疗结果", "outcome"), ("手术类别", "surgery_category"),
             ("申报时间", "@submitted_at")),
    query=("admission_no", "patient_name"),
    hint="请输入住院号、姓名进行查询",
    rules=[date_range("admission_date", "discharge_date")],
    health_only=True,
)

_define(
    "health_topic", "卫生-专题", "health",
    [
        select("topic_type", "专题类型", TOPIC_TYPES, True),
        FieldDef("template_entry", "是否模板录入", "bool", True,
                 help="勾选后保存专题，再录入不少于10份近5年的病案；不勾选则通过“非模板录入附件”上传材料"),
        text("name", "专题名称", True, max_length=200),
        area("description", "简要说明", max_length=300),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("专题类型", "topic_type"), ("专题名称", "name"), ("简要说明", "description"),
        ("病案数量", "@case_count"), ("申报时间", "@submitted_at")),
    query=("name",),
    hint="请输入专题名称进行查询",
    slots=[
        slot("health_topic_attachment", label="非模板录入附件", required=False,
             when=("template_entry", False), note="不勾选模板录入时，需上传相应的材料"),
        slot("health_topic_check", label="查重文档附件",
             rule_text="只能上传doc/docx文件，且不超过10MB，且最多只能上传1个文件",
             note="请上传需要查重的Word版本原件，由评委会组建单位统一查重，无需本人上传查重结果。"),
    ],
    rules=[{"rule": "children", "children": "cases", "when": "template_entry", "min": 10,
            "within_years": 5,
            "message": "新增病案材料仅支持近5年日期且病案数量不少于10份，否则不允许提交。"}],
    health_only=True, children="cases",
)

_define(
    "health_paper", "卫生-论文", "health",
    [
        text("title", "论文题目", True, max_length=600),
        FieldDef("template_entry", "是否模板录入", "bool", True,
                 help="勾选后保存论文，再录入不少于1份近5年的病案；不勾选则通过“非模板录入附件”上传材料"),
        text("link", "万方或知网论文链接", True, max_length=400, format="url"),
        text("journal_no", "期刊号", True, max_length=50),
        text("journal_name", "刊物名称", True, max_length=200),
        date("publish_date", "发表日期", True),
        flag("first_author", "是否第一作者"),
        area("abstract", "论文摘要", True, max_length=2000),
    ],
    title="title",
    columns=STD_COLUMNS_START + (
        ("论文题目", "title"), ("发表日期", "publish_date"), ("期刊号", "journal_no"),
        ("病案数量", "@case_count"), ("申报时间", "@submitted_at")),
    query=("title", "journal_no", "journal_name"),
    hint="请输入论文题目、期刊号、刊物名称进行查询",
    slots=[
        slot("health_paper_scan", label="纸质扫描版", required=False,
             rule_text="只能上传png/jpg文件，且不超过10MB，且最多只能上传10个文件",
             note="需上传封面、目录页、期刊号、正文，一线工作人员可使用工作总结替代论文，不参与论文查重。"),
        slot("health_paper_check", label="论文查重附件", required=False,
             rule_text="只能上传doc/docx文件，且不超过10MB，且最多只能上传1个文件",
             note="由评委会组建单位统一查重，无需本人上传查重结果。"),
        slot("health_paper_attachment", label="非模板录入附件", required=False,
             when=("template_entry", False), note="不勾选模板录入时，需上传相应的材料"),
    ],
    rules=[{"rule": "children", "children": "cases", "when": "template_entry", "min": 1,
            "within_years": 5,
            "message": "新增病案材料仅支持近5年日期且病案数量不少于1份，否则不允许提交。"}],
    health_only=True, children="cases",
)

_define(
    "health_review", "卫生-综述", "health",
    [text("name", "综述名称", True, max_length=200)],
    title="name",
    columns=STD_COLUMNS_START + (
        ("综述名称", "name"), ("文献数量", "@reference_count"), ("申报时间", "@submitted_at")),
    query=("name",),
    hint="请输入综述名称进行查询",
    slots=[slot("health_review_doc", label="查看文档上传")],
    rules=[{"rule": "children", "children": "references", "min": 20, "recent_years": 3,
            "recent_min": 10, "file_required": True,
            "message": "参考文献数量不少于20份，且近3年文献数量不少于10篇；"
                       "每一个参考文献都必须上传附件。"}],
    health_only=True, children="references",
)

_define(
    "health_masterpiece", "卫生-成果代表作", "health",
    [
        year("year", "年度", True),
        text("name", "成果名称", True, max_length=200),
    ],
    title="name",
    columns=STD_COLUMNS_START + (
        ("年度", "year"), ("成果名称", "name"), ("申报时间", "@submitted_at"),
        ("审核时间", "@decided_at")),
    query=("name", "year"),
    hint="请输入成果名称或年度进行查询",
    slots=[slot("health_masterpiece", label="成果代表作")],
    health_only=True,
)

# --------------------------------------------------------------------------- child rows

CHILDREN = {
    "cases": ChildType(
        code="cases", label="病案列表",
        fields=(
            text("admission_no", "住院（门诊）号", True, max_length=50),
            text("patient_name", "病人姓名", True, max_length=50),
            select("gender", "性别", GENDERS),
            FieldDef("age", "年龄", "int", min=0, max=150),
            select("group", "分类", CASE_GROUPS),
            date("admission_date", "入院日期", True),
            date("discharge_date", "出院日期", True),
            text("admission_diagnosis", "入院诊断", max_length=500),
            text("discharge_diagnosis", "出院诊断", max_length=500),
            text("remarks", "备注", max_length=200),
        ),
        list_columns=("admission_no", "patient_name", "gender", "age", "group",
                      "admission_date", "discharge_date", "admission_diagnosis",
                      "discharge_diagnosis", "remarks"),
        template_columns=("admission_no", "patient_name", "admission_date", "discharge_date",
                          "age", "gender", "admission_diagnosis", "discharge_diagnosis"),
    ),
    "references": ChildType(
        code="references", label="参考文献",
        fields=(
            year("year", "年度", True),
            text("title", "文献名称", True, max_length=500),
        ),
        list_columns=("year", "title"),
        template_columns=("year", "title"),
        evidence_slot="health_reference", evidence_required=True,
    ),
}
RULES["cases"] = (date_range("admission_date", "discharge_date"),
                  {"rule": "within_years", "field": "admission_date", "years": 5,
                   "message": "新增病案材料仅支持近5年日期"})
RULES["references"] = ()

# What a type's list page offers besides 新增/修改/查看/删除/提交, from the seeds:
# 提取 (继续教育: 2021年起的公需课学时, 来源 自动生成), 病案模板下载/导入 and 批量提交
# (卫生-病案), 调整 of an approved record's case rows or references (卫生-专题/论文/综述),
# 撤回 of a record the unit approved (Fujian: every type except 行业专用).
FEATURES = {
    code: {
        "extract": code == "continuing_education",
        "template_import": code == "health_case",
        "batch_submit": code == "health_case",
        "adjust": code in ("health_topic", "health_paper", "health_review"),
        "withdraw_approved": not t.health_only,
    }
    for code, t in TYPES.items()
}

# 撤回记录 (Fujian): its list and search form. Keys are the withdrawal log's attributes.
WITHDRAWAL_LOG = {
    "label": "撤回记录",
    "columns": [{"label": "业绩类别", "fields": [], "system": "type_code"},
                {"label": "业绩名称", "fields": [], "system": "title"},
                {"label": "申请时间", "fields": [], "system": "requested_at"},
                {"label": "处理情况", "fields": [], "system": "handling"},
                {"label": "状态", "fields": [], "system": "status"}],
    "query": ["title", "type_code", "handling", "status"],
    "query_hint": "按照业绩名称查询",
}

CATEGORIES = tuple(
    (code, label, tuple(t.code for t in TYPES.values() if t.category == code))
    for code, label in CATEGORY_LABELS.items()
)

# --------------------------------------------------------------------------- helpers


def get_type(code):
    record_type = TYPES.get(code)
    if record_type is None:
        raise NotFound("achievement.type_unknown", "业绩类型不存在", {"type": code})
    return record_type


def get_child(code):
    child = CHILDREN.get(code)
    if child is None:
        raise NotFound("achievement.child_unknown", "明细类型不存在", {"children": code})
    return child


def types_for(title_series):
    """The types a person of ``title_series`` may keep, in catalogue order: the health
    types (行业专用) only for 卫生技术人员."""
    show_health = title_series == HEALTH_SERIES
    return [TYPES[code] for _, _, codes in CATEGORIES for code in codes
            if show_health or not TYPES[code].health_only]


def title_of(record_type, values):
    """The record's 业绩名称: the title field's value; composed (``TITLE_FORMATS``) when
    the title field is a year (年度考核 → "2021年度考核") or empty (继续教育 without a
    培训项目 → "2021年公需课")."""
    values = values or {}
    value = values.get(record_type.title_field)
    fmt = TITLE_FORMATS.get(record_type.code)
    title_def = record_type.field(record_type.title_field)
    if fmt and (value in (None, "") or (title_def and title_def.kind == "year")):
        names = re.findall(r"\{(\w+)\}", fmt)
        if all(values.get(n) not in (None, "") for n in names):
            return fmt.format(**{n: values[n] for n in names})
    return "" if value is None else str(value)


def _field_json(f):
    return {
        "key": f.key, "label": f.label, "kind": f.kind, "required": f.required,
        "options": list(f.options), "max_length": f.max_length, "min": f.min, "max": f.max,
        "unit": f.unit, "help": f.help, "places": f.places, "format": f.format,
    }


def _columns_json(columns):
    out = []
    for label, ref in columns:
        refs = ref if isinstance(ref, tuple) else (ref,)
        if len(refs) == 1 and refs[0].startswith("@"):
            out.append({"label": label, "fields": [], "system": refs[0][1:]})
        else:
            out.append({"label": label, "fields": list(refs), "system": None})
    return out


def _slot_json(s):
    return {
        "code": s.code, "label": s.label, "required": s.required,
        "required_when": ({"field": s.required_when[0], "equals": s.required_when[1]}
                          if s.required_when else None),
        "rule_text": s.rule_text, "rule": s.rule, "note": s.note,
    }


def _child_json(c):
    return {
        "code": c.code, "label": c.label, "fields": [_field_json(f) for f in c.fields],
        "list_columns": list(c.list_columns), "template_columns": list(c.template_columns),
        "evidence_slot": c.evidence_slot, "evidence_required": c.evidence_required,
        "rules": [dict(r) for r in RULES.get(c.code, ())],
    }


def type_json(t):
    return {
        "code": t.code, "label": t.label, "category": t.category,
        "category_label": CATEGORY_LABELS[t.category], "title_field": t.title_field,
        "fields": [_field_json(f) for f in t.fields],
        "list_columns": list(t.list_columns), "columns": _columns_json(COLUMNS[t.code]),
        "query_fields": list(t.query_fields), "query_hint": QUERY_HINTS[t.code],
        "evidence_slot": t.evidence_slot, "evidence_required": t.evidence_required,
        "evidence": [_slot_json(s) for s in EVIDENCE[t.code]],
        "rules": [dict(r) for r in RULES[t.code]],
        "health_only": t.health_only, "children": t.children,
        "features": dict(FEATURES[t.code]),
    }


def describe(title_series=None):
    """The catalogue as JSON for ``GET /api/v1/achievement-types``: the categories (only
    those with a type for this series), the types with their fields, list columns, query
    fields, evidence slots and rules, and the child-row definitions the types use."""
    types = types_for(title_series)
    shown = {t.code for t in types}
    categories = [
        {"code": code, "label": label, "types": [c for c in codes if c in shown]}
        for code, label, codes in CATEGORIES
    ]
    children = sorted({t.children for t in types if t.children})
    return {
        "title_series": title_series,
        "categories": [c for c in categories if c["types"]],
        "types": [type_json(t) for t in types],
        "children": [_child_json(CHILDREN[c]) for c in children],
        "system_columns": dict(SYSTEM_COLUMNS),
        "sources": dict(SOURCES),
        "withdrawal_log": WITHDRAWAL_LOG,
    }
