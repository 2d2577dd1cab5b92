"""The contract of the Chongqing health-series declaration sections and of the printing
RPCs: the section table, the row limits, the 基本信息 evidence places, and the RPC request
and answer schemas (the gateway declares its routes with them).

Every length here is at most the printing snapshot's (``services.contracts.printing``),
so that what a declarant saves always prints."""
import datetime as dt
import re

from marshmallow import ValidationError, validates, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, fields, validate
from services.contracts.printing import (
    DECLARATION_TYPES,
    EXAM_MODES,
    FORM_CATEGORIES,
    INTEGRITY_ITEMS,
)

# --------------------------------------------------------------------------- code tables

SECTIONS = {
    "cover": "填报表格类别",
    "basic": "基本信息",
    "assessments": "现职以来年度考核",
    "study": "学习培训经历",
    "work": "工作经历",
    "achievements_before": "任现职前主要专业技术工作业绩",
    "achievements": "任现职以来主要专业技术工作业绩",
    "workload": "任现职以来的工作量（近5年）",
    "papers": "论文及学术报告",
    "exam": "专业考试成绩",
    "summary": "工作总结及考核鉴定材料",
    "others": "其他附件",
    "archive": "查档情况",
    "integrity": "申报诚信情况",
}
# Sections made of ordered rows, with the manual's row limits.
ROW_LIMITS = {
    "assessments": 10,
    "study": 8,
    "work": 8,
    "achievements_before": 10,
    "achievements": 10,
    "workload": 40,
    "papers": 6,
    "others": 20,
}
# 基本信息: the 印证材料 places and their documents slots.
BASIC_EVIDENCE = {
    "rural_service": ("cq_rural_service", "卫生支农印证材料"),
    "title": ("cq_title", "现有职称印证材料"),
    "degree": ("cq_degree", "最高学历学位印证材料"),
    "practice_scope": ("cq_practice_scope", "执业范围印证材料"),
    "continuing_education": ("cq_continuing_education", "近5年内继续教育情况印证材料"),
    "frontline": ("cq_frontline", "一线医务人员资格证明"),
}

_PERIOD_RE = re.compile(r"^(\d{4})\.(\d{2})-(?:(\d{4})\.(\d{2})|至今)$")


def period_order_ok(period):
    """起止时间 ``2004.09-2007.09``: the start is not after the end (``至今`` always is)."""
    match = _PERIOD_RE.match(period or "")
    if not match or match.group(3) is None:
        return True
    return (match.group(1), match.group(2)) <= (match.group(3), match.group(4))


PERIOD_RE = r"^\d{4}\.(0[1-9]|1[0-2])-(\d{4}\.(0[1-9]|1[0-2])|至今)$"
PERIOD_ERROR = "起止时间格式应为 2004.09-2007.09（至今的写 2004.09-至今）"
MONTH_DOT_RE = r"^\d{4}\.(0[1-9]|1[0-2])$"
MONTH_RE = r"^(\d{4}-(0[1-9]|1[0-2]))?$"
ASSESSMENT_RESULTS = ("优秀", "合格", "基本合格", "不合格")
FILE_ID = dict(load_default=None, allow_none=True, validate=validate.Range(min=1))


def _text(max_len, label, required=False, **kwargs):
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=max_len),
                             metadata={"label": label}, **kwargs)
    return fields.String(load_default="", allow_none=True,
                         validate=validate.Length(max=max_len), metadata={"label": label},
                         **kwargs)


def _opt(max_len, label):
    """An optional text of a partial update (absent = unchanged)."""
    return fields.String(allow_none=True, validate=validate.Length(max=max_len),
                         metadata={"label": label})


def _period(label="起止时间"):
    return fields.String(required=True, validate=validate.Regexp(PERIOD_RE, error=PERIOD_ERROR),
                         metadata={"label": label, "example": "2004.09-2007.09"})


def _rows(row_schema, code):
    limit = ROW_LIMITS[code]
    return fields.List(fields.Nested(row_schema), required=True,
                       validate=validate.Length(max=limit,
                                                error=f"{SECTIONS[code]}最多只能填写 {limit} 行"),
                       metadata={"label": SECTIONS[code],
                                 "description": f"全部行，按显示顺序；最多 {limit} 行"})


class _PeriodCheck:
    @validates("period")
    def _order(self, value, **kwargs):
        if not period_order_ok(value):
            raise ValidationError("开始时间不能晚于结束时间")


class _Row(BaseSchema):
    id = fields.Integer(load_default=None, allow_none=True,
                        metadata={"description": "已保存行的编号（新行不填）"})


class _PublicityRow(_Row):
    publicity = fields.Boolean(load_default=True, metadata={
        "label": "公示表", "description": "是否显示到公示表（默认是）"})


# --------------------------------------------------------------------------- sections in

class CoverSchema(BaseSchema):
    form_category = fields.String(required=True, validate=validate.OneOf(FORM_CATEGORIES),
                                  metadata={"label": "填报表格类别",
                                            "description": "、".join(FORM_CATEGORIES)})
    declaration_type = fields.String(load_default=None, allow_none=True,
                                     validate=validate.OneOf(DECLARATION_TYPES),
                                     metadata={"label": "申报类别",
                                               "description": "、".join(DECLARATION_TYPES)})


class HealthEducationSchema(BaseSchema):
    graduated_on = fields.String(allow_none=True,
                                 validate=validate.Regexp(MONTH_RE,
                                                          error="毕业时间格式应为 2004-07"),
                                 metadata={"label": "毕业时间", "example": "2004-07"})
    school = _opt(100, "就读院校")
    major = _opt(100, "专业")
    duration = _opt(20, "学制")
    name = _opt(50, "学历（学位）")
    certificate_no = _opt(50, "证书号")


# 基本信息's 印证材料 places: {place: file id} (only the places given change).
BasicEvidenceSchema = type("BasicEvidenceSchema", (BaseSchema,), {
    key: fields.Integer(allow_none=True, validate=validate.Range(min=1),
                        metadata={"label": label, "description": f"已上传的 PDF（{slot}）"})
    for key, (slot, label) in BASIC_EVIDENCE.items()})


class BasicSchema(BaseSchema):
    """基本信息: only the fields given change (没有的填写“无”)."""
    ethics_satisfaction = fields.Float(allow_none=True, validate=validate.Range(0, 100),
                                       metadata={"label": "医德医风满意度（%）"})
    rural_support_years = fields.Float(allow_none=True, validate=validate.Range(0, 60),
                                       metadata={"label": "卫生支农年限"})
    research_direction = _opt(200, "具体从事研究方向")
    continuing_education = fields.String(allow_none=True,
                                         validate=validate.OneOf(["合格", "不合格"]),
                                         metadata={"label": "近5年内继续教育情况"})
    frontline = fields.Boolean(metadata={"label": "是否为一线医务人员"})
    aided_hubei = fields.Boolean(metadata={"label": "是否援鄂"})
    phone = fields.String(allow_none=True,
                          validate=validate.Regexp(r"^[0-9+\-() ]{0,20}$",
                                                   error="联系电话格式有误"),
                          metadata={"label": "联系电话"})
    current_title = _opt(50, "现有职称")
    current_title_detail = _opt(200, "现有专业技术资格、取得时间及审批机关")
    employed_title = _opt(200, "何时聘用何职称")
    years_in_title = _opt(20, "任现职年限")
    practice_qualification = _opt(200, "执业医师资格取得时间及类别")
    practice_certificate = _opt(200, "医师执业证书取得时间及执业范围")
    specialty_work = _opt(200, "从事何专业技术工作")
    admin_post = _opt(200, "现（兼）任行政职务及任职时间")
    societies = _opt(300, "参加何学术团体、任何职务，有何社会兼职")
    education = fields.Nested(HealthEducationSchema, metadata={"label": "最高学历"})
    degree = fields.Nested(HealthEducationSchema, metadata={"label": "最高学位"})
    evidence = fields.Nested(BasicEvidenceSchema, metadata={"label": "印证材料"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("请提交要保存的基本信息")


class AssessmentRowSchema(_Row):
    year = fields.Integer(required=True, validate=validate.Range(1950, 2100),
                          metadata={"label": "年度"})
    result = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_RESULTS),
                           metadata={"label": "考核结果",
                                     "description": "、".join(ASSESSMENT_RESULTS)})


class AssessmentsSchema(BaseSchema):
    rows = _rows(AssessmentRowSchema, "assessments")

    @validates("rows")
    def _unique_years(self, value, **kwargs):
        years = [row.get("year") for row in value if row.get("year") is not None]
        if len(set(years)) != len(years):
            raise ValidationError("同一年度只能填写一次")


class StudyRowSchema(_PeriodCheck, _PublicityRow):
    period = _period()
    content = _text(300, "专业或主要内容", required=True)
    place = _text(100, "学习地点")
    certificate_no = _text(50, "证书号")
    evidence_file_id = fields.Integer(**FILE_ID, metadata={"label": "印证材料",
                                                           "description": "PDF（cq_training）"})


class StudySchema(BaseSchema):
    rows = _rows(StudyRowSchema, "study")


class WorkRowSchema(_PeriodCheck, _PublicityRow):
    period = _period()
    unit = _text(200, "工作单位", required=True)
    work = _text(200, "从事何专业技术工作")
    title = _text(50, "职称（职务）")


class WorkSchema(BaseSchema):
    rows = _rows(WorkRowSchema, "work")


class AchievementBeforeRowSchema(_PeriodCheck, _Row):
    period = _period()
    name = _text(300, "专业技术工作名称（项目、课题成果等）", required=True)
    role = _text(500, "工作内容、本人起何作用（主持、参加、独立、排名）")
    result = _text(500, "完成情况及效果（获何奖励、效益或专利）")


class AchievementsBeforeSchema(BaseSchema):
    rows = _rows(AchievementBeforeRowSchema, "achievements_before")


class AchievementRowSchema(AchievementBeforeRowSchema, _PublicityRow):
    """任现职以来: the 任现职前 row, marked for publicity, with its evidence."""
    evidence_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "印证材料", "description": "每行一个 PDF（cq_current_work）"})


class AchievementsSchema(BaseSchema):
    rows = _rows(AchievementRowSchema, "achievements")


class WorkloadRowSchema(_PublicityRow):
    item = _text(100, "项目", required=True)
    values = fields.List(fields.String(allow_none=True, validate=validate.Length(max=30)),
                         load_default=list,
                         validate=validate.Length(max=5, error="最多填写 5 个年度的数值"),
                         metadata={"label": "各年度数值", "description": "与 years 一一对应"})


class WorkloadSchema(BaseSchema):
    years = fields.List(fields.Integer(validate=validate.Range(1990, 2100)),
                        load_default=None, allow_none=True,
                        validate=validate.Length(min=1, max=5, error="年度为 1 到 5 个"),
                        metadata={"label": "年度", "description": "近5年，不填则不变"})
    rows = _rows(WorkloadRowSchema, "workload")
    file_id = fields.Integer(**FILE_ID, metadata={
        "label": "工作量附件", "description": "签字盖章后的工作量表及佐证材料 PDF（cq_workload）"})


class PaperRowSchema(_PublicityRow):
    date = fields.String(required=True,
                         validate=validate.Regexp(MONTH_DOT_RE, error="日期格式应为 2019.06"),
                         metadata={"label": "日期", "example": "2019.06"})
    title = _text(300, "名称（名称及内容提要）", required=True)
    content = _text(500, "主要内容")
    venue = _text(300, "出版、登载、获奖或在学术会议上交流情况（主要影响或起到的作用）")
    rank = _text(20, "排名")
    evidence_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "印证材料", "description": "PDF（cq_paper）"})


class PapersSchema(BaseSchema):
    rows = _rows(PaperRowSchema, "papers")


class ExamSchema(BaseSchema):
    mode = fields.String(required=True, validate=validate.OneOf(EXAM_MODES),
                         metadata={"label": "考试方式", "description": "、".join(EXAM_MODES)})
    date = fields.Date(load_default=None, allow_none=True, metadata={"label": "日期"})
    name = _text(100, "考试名称")
    specialty = _text(100, "考试专业")
    score = _text(20, "考试成绩")
    organiser = _text(100, "组织考试单位")
    evidence_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "成绩证明", "description": "PDF（cq_exam_score）"})

    @validates_schema
    def _taken(self, data, **kwargs):
        if data.get("mode") != "参加考试":
            return
        problems = {key: ["参加考试的须填写此项"] for key in ("date", "specialty", "score")
                    if not data.get(key)}
        if problems:
            raise ValidationError(problems)


class SummarySchema(BaseSchema):
    work_summary_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "工作总结", "description": "PDF（cq_work_summary）"})
    clinical_assessment_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "临床业绩和临床能力考核鉴定", "description": "PDF（cq_clinical_assessment）"})
    frontline_assessment_file_id = fields.Integer(**FILE_ID, metadata={
        "label": "一线医务人员工作业绩鉴定", "description": "PDF（cq_frontline_assessment）"})
    work_summary = _text(5000, "工作总结（文字）")
    assessment = _text(5000, "考核鉴定（文字）")


class OtherRowSchema(_Row):
    label = _text(100, "材料名称", required=True)
    file_id = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"label": "附件", "description": "PDF（cq_other）"})


class OthersSchema(BaseSchema):
    rows = _rows(OtherRowSchema, "others")


class ArchiveSchema(BaseSchema):
    content = _text(2000, "查档情况")
    file_id = fields.Integer(**FILE_ID, metadata={
        "label": "查档情况印证材料", "description": "PDF（cq_archive_check）"})


class IntegritySchema(BaseSchema):
    publicity_from = fields.Date(load_default=None, allow_none=True,
                                 metadata={"label": "公示开始时间"})
    publicity_to = fields.Date(load_default=None, allow_none=True,
                               metadata={"label": "公示结束时间"})
    checked = fields.List(fields.String(validate=validate.OneOf(INTEGRITY_ITEMS)),
                          load_default=list,
                          metadata={"label": "取得现资格以来出现的情况（打√）",
                                    "description": "、".join(INTEGRITY_ITEMS)})
    other = _text(500, "其他情况")
    explanation = _text(2000, "具体情形说明")

    @validates_schema
    def _dates(self, data, **kwargs):
        start, end = data.get("publicity_from"), data.get("publicity_to")
        if start and end and end < start:
            raise ValidationError({"publicity_to": ["公示结束时间不能早于开始时间"]})
        checked = data.get("checked") or []
        if len(set(checked)) != len(checked):
            raise ValidationError({"checked": ["选项不能重复"]})


SECTION_SCHEMAS = {
    "cover": CoverSchema,
    "basic": BasicSchema,
    "assessments": AssessmentsSchema,
    "study": StudySchema,
    "work": WorkSchema,
    "achievements_before": AchievementsBeforeSchema,
    "achievements": AchievementsSchema,
    "workload": WorkloadSchema,
    "papers": PapersSchema,
    "exam": ExamSchema,
    "summary": SummarySchema,
    "others": OthersSchema,
    "archive": ArchiveSchema,
    "integrity": IntegritySchema,
}
assert set(SECTION_SCHEMAS) == set(SECTIONS)


def to_wire(code, data):
    """Loaded section data back to JSON (dates as ISO strings)."""
    def plain(value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return plain(data)


class HealthImportSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                             required=True, validate=validate.Length(min=1, max=10),
                             metadata={"label": "业绩记录"})

    @validates("record_ids")
    def _unique(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("业绩记录不能重复")


class HealthRowMoveSchema(BaseSchema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]),
                              metadata={"label": "移动方向", "description": "up 上移, down 下移"})


class HealthRowMarkSchema(BaseSchema):
    deleted = fields.Boolean(required=True, metadata={
        "label": "删除标记", "description": "true 做删除标记，false 取消删除标记"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500), metadata={"label": "原因"})


# --------------------------------------------------------------------------- out

class _RowOut(BaseSchema):
    id = fields.Integer()
    deleted = fields.Boolean(metadata={"description":
            "审核单位做了删除标记（灰色显示，打印时不出现）"})
    mark = fields.Dict(allow_none=True, metadata={"description":
            "删除标记：单位、经办人、原因、时间"})
    source_record_id = fields.Integer(allow_none=True,
                                      metadata={"description": "从个人业绩库导入时的业绩记录"})


def _out(schema, extra=()):
    attrs = {name: field for name, field in extra}
    return type(schema.__name__.replace("Schema", "OutSchema"), (schema, _RowOut), attrs)


AssessmentRowOutSchema = _out(AssessmentRowSchema)
StudyRowOutSchema = _out(StudyRowSchema)
WorkRowOutSchema = _out(WorkRowSchema)
AchievementBeforeRowOutSchema = _out(AchievementBeforeRowSchema)
AchievementRowOutSchema = _out(AchievementRowSchema)
WorkloadRowOutSchema = _out(WorkloadRowSchema, (("custom", fields.Boolean(
    metadata={"description": "申报人自行添加的项目"})),))
PaperRowOutSchema = _out(PaperRowSchema)
OtherRowOutSchema = _out(OtherRowSchema)


def _rows_out(row_schema):
    name = row_schema.__name__.replace("RowOutSchema", "RowsOutSchema")
    return type(name, (BaseSchema,),
                {"rows": fields.List(fields.Nested(row_schema))})


class BasicOutSchema(BasicSchema):
    frontline = fields.Boolean(allow_none=True)
    aided_hubei = fields.Boolean(allow_none=True)


class WorkloadOutSchema(BaseSchema):
    years = fields.List(fields.Integer())
    rows = fields.List(fields.Nested(WorkloadRowOutSchema))
    file_id = fields.Integer(allow_none=True)


class ExamOutSchema(ExamSchema):
    date = fields.String(allow_none=True, metadata={"label": "日期"})


class IntegrityOutSchema(IntegritySchema):
    publicity_from = fields.String(allow_none=True, metadata={"label": "公示开始时间"})
    publicity_to = fields.String(allow_none=True, metadata={"label": "公示结束时间"})


class SectionsOutSchema(BaseSchema):
    basic = fields.Nested(BasicOutSchema)
    assessments = fields.Nested(_rows_out(AssessmentRowOutSchema))
    study = fields.Nested(_rows_out(StudyRowOutSchema))
    work = fields.Nested(_rows_out(WorkRowOutSchema))
    achievements_before = fields.Nested(_rows_out(AchievementBeforeRowOutSchema))
    achievements = fields.Nested(_rows_out(AchievementRowOutSchema))
    workload = fields.Nested(WorkloadOutSchema)
    papers = fields.Nested(_rows_out(PaperRowOutSchema))
    exam = fields.Nested(ExamOutSchema, allow_none=True)
    summary = fields.Nested(SummarySchema)
    others = fields.Nested(_rows_out(OtherRowOutSchema))
    archive = fields.Nested(ArchiveSchema)
    integrity = fields.Nested(IntegrityOutSchema)


class HealthFileSchema(BaseSchema):
    id = fields.Integer()
    file_name = fields.String()
    slot = fields.String(allow_none=True)


class HealthViewSchema(BaseSchema):
    declaration_id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    editable = fields.Boolean(metadata={"description": "本人且编辑中或退回时可修改"})
    frozen = fields.Boolean(metadata={"description": "显示的是提交时冻结的副本"})
    form_category = fields.String(allow_none=True, metadata={"label": "填报表格类别"})
    form_category_note = fields.String(allow_none=True)
    declaration_type = fields.String(allow_none=True, metadata={"label": "申报类别"})
    level = fields.String()
    level_label = fields.String()
    grassroots = fields.Boolean(metadata={"description": "基层全科、基层其他"})
    exam_applicable = fields.Boolean(metadata={"description": "申报副高时须填写专业考试成绩"})
    archive_required = fields.Boolean(metadata={"description":
            "申报人员身份为其他人员，须填写查档情况"})
    archive_template = fields.String(metadata={"description": "查档情况模板"})
    workload_items = fields.List(fields.String(),
                                 metadata={"description": "按填报表格类别自动生成的工作量项目"})
    row_limits = fields.Dict(keys=fields.String(), values=fields.Integer())
    sections = fields.Nested(SectionsOutSchema)
    files = fields.List(fields.Nested(HealthFileSchema))
    updated_at = fields.String(allow_none=True)
    version = fields.Integer()


class FormCategorySchema(BaseSchema):
    value = fields.String()
    label = fields.String()
    description = fields.String(metadata={"description": "填报表格类别说明"})
    grassroots = fields.Boolean()
    workload_items = fields.List(fields.String())


class FormCategoriesSchema(BaseSchema):
    selected = fields.String(allow_none=True)
    hint = fields.String()
    items = fields.List(fields.Nested(FormCategorySchema))
    declaration_types = fields.List(fields.String())
    exam_modes = fields.List(fields.String())
    integrity_items = fields.List(fields.String())


class HealthCandidateSchema(BaseSchema):
    record_id = fields.Integer()
    type = fields.String()
    type_label = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    row = fields.Dict(metadata={"description": "导入后该行的内容"})
    imported = fields.Boolean(metadata={"description": "已导入本栏目"})


# --------------------------------------------------------------------------- printing

ROSTER_SCOPES = ("unit", "level")
ROSTER_STATUSES = ("draft", "submitted", "returned", "approved", "rejected", "terminated")
ROSTER_LEVELS = ("senior", "deputy_senior", "intermediate", "junior")


class RosterFiltersSchema(LenientSchema):
    """roster_page's filters (docs/printing.md): every key present, null = any."""
    scope = fields.String(required=True, validate=validate.OneOf(ROSTER_SCOPES),
                          metadata={"label": "范围"})
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(ROSTER_STATUSES), metadata={"label": "申报状态"})
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(ROSTER_LEVELS), metadata={"label": "评审级别"})
    plan_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                             metadata={"label": "评审计划"})
    specialty = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=100), metadata={"label": "申报专业"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50),
                         metadata={"label": "姓名"})


class RosterPageArgsSchema(BaseSchema):
    after_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))

