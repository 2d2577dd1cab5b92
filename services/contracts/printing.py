"""The declaration snapshot: the frozen copy of a declaration that every printout reads.

A snapshot is a plain JSON-compatible dict (strings, numbers, booleans, lists, dicts;
dates as ISO strings). The declarations work in workflow produces it when a declaration
is submitted (and refreshes it when a reviewer marks an item deleted, when a level signs
its opinion, when the print settings are saved and when the final approval lands); the
printing functions only read it. ``docs/printing.md`` documents the shape.

:class:`SnapshotSchema` validates a snapshot and fills the defaults; every renderer calls
:func:`load_snapshot` first, so a renderer never sees a missing key. The schemas are
lenient (unknown keys are ignored) because a snapshot frozen by a newer version of the
declarations work must still print.

"""
from marshmallow import ValidationError, validates_schema

from services.common.schemas import LenientSchema, fields, load, validate

SNAPSHOT_VERSION = 1

LEVELS = ("正高", "副高", "中级", "初级")

# 填报表格类别 (Chongqing health series, manual 4.3.1).
FORM_CATEGORIES = ("临床", "公卫", "中医药", "护理", "药学", "医技", "计划生育", "基层全科",
                   "基层其他")
GRASSROOTS_CATEGORIES = ("基层全科", "基层其他")

# 申报类别 (manual 4.3.1).
DECLARATION_TYPES = ("正常晋升", "破格晋升", "转评", "多评", "基层定向", "重新确认")

# 考试方式 of 专业考试成绩 (manual 4.3.7).
EXAM_MODES = ("参加考试", "基层年龄免考", "一线医务人员免考")

# 申报诚信情况: the situations a declarant ticks (manual 4.3.10), in the manual's order.
INTEGRITY_ITEMS = (
    "论著一稿多投", "抄袭剽窃论著", "冒用他人项目或名义", "冒用他人业绩工作成果", "业绩成果造假",
    "利用职务之便占用他人成果", "因工作过失受到通报", "工程质量事故", "安全责任事故",
    "医疗责任事故",
    "严重医患纠纷", "教学事故", "严重失职渎职", "前述事故发生伤亡", "违反程序申报",
    "挂靠、兼职申报",
)

# Row limits of the form (manual 4.3.3, 4.3.5, 4.3.6).
MAX_EXPERIENCE_ROWS = 8
MAX_ACHIEVEMENT_ROWS = 10
MAX_PAPER_ROWS = 6

# 任现职以来的工作量 items generated from the form category (manual 4.3.5: "任现职以来工作量
# 内容是根据这导航界面中选择的填报表类别进行自动生成的"; the declarant may add more rows).
# The 中医药 list is the one the manual's publicity table shows; the others follow the
# same pattern for their profession.
_COMMON_TAIL = ("开展新技术新项目", "主持专题讲座（其中院级讲座）", "带教下级（名）")
WORKLOAD_ITEMS = {
    "临床": ("专业工作时间（周）", "年门诊人次", "年管理住院病人数", "临床查房次数", "参加手术台次",
           "院内会诊", "院外会诊", "主持或协助主任主持疑难病例讨论", "独立处理疑难病例数",
           *_COMMON_TAIL, "协助培养研究生（名）", "指导下级医生病历书写"),
    "公卫": ("专业工作时间（周）", "现场调查处置（次）", "突发公共卫生事件处置（起）",
           "撰写调查报告或技术方案（篇）", "检验检测样品数（份）",
           "技术指导基层（次）", *_COMMON_TAIL),
    "中医药": ("专业工作时间（周）", "年门诊人次", "临床查房次数",
            "参加手术台次中医治疗与中医参与率",
            "中药每年为临床服务时间", "院内会诊", "院外会诊", "主持或协助主任主持疑难病例讨论",
            "独立处理疑难病例数", "是否有不合理处方", *_COMMON_TAIL, "协助培养研究生（名）",
            "指导下级医生病历书写"),
    "护理": ("专业工作时间（周）", "护理查房次数", "主持或参加护理会诊", "危重病人护理（例）",
           "主持护理疑难病例讨论", "护理质量检查（次）", *_COMMON_TAIL),
    "药学": ("专业工作时间（周）", "处方审核调剂（张）", "参加临床查房或会诊（次）",
           "用药咨询（人次）",
           "药品不良反应监测报告（例）", "治疗药物监测（例）", *_COMMON_TAIL),
    "医技": ("专业工作时间（周）", "出具诊断或检查报告（份）", "参加临床会诊（次）",
           "疑难病例讨论（次）",
           "质量控制（次）", *_COMMON_TAIL, "协助培养研究生（名）"),
    "计划生育": ("专业工作时间（周）", "年门诊人次", "计划生育手术台次", "随访咨询（人次）",
             "院内会诊",
             "主持疑难病例讨论", *_COMMON_TAIL),
    "基层全科": ("专业工作时间（周）", "年门诊人次", "家庭医生签约服务（人）", "慢病管理（人）",
             "出诊巡诊（次）", "双向转诊（人次）", "健康教育讲座（次）", "带教下级（名）"),
    "基层其他": ("专业工作时间（周）", "年服务人次", "基本公共卫生服务（人次）",
             "健康教育讲座（次）",
             "开展新技术新项目", "带教下级（名）"),
}


def workload_items(form_category):
    """The default 工作量 items of a form category (the rows a new declaration starts with)."""
    return WORKLOAD_ITEMS.get(form_category, WORKLOAD_ITEMS["临床"])


# ---------------------------------------------------------------- print settings
# The review form's pages (评审表格式设置: one row per page, manual 4.3.12 / 4.4) and the
# sections of the publicity table (公示表格式设置). Labels are what the settings dialog shows.
REVIEW_FORM_PAGES = {
    "cover": "封面",
    "basic": "申报人基本情况",
    "experience": "学习培训经历、工作经历",
    "achievements": "主要专业技术工作业绩",
    "workload": "任现职以来的工作量（近5年）",
    "papers": "论文及学术报告、专业考试成绩",
    "items": "申报业绩材料",
    "materials": "工作总结及考核鉴定、其他附件、查档情况、申报诚信情况",
    "opinions": "审核意见",
}

PUBLICITY_SECTIONS = {
    "basic": "基本情况",
    "study": "学习培训经历",
    "work": "工作经历",
    "workload": "任现职以来的工作量（近5年）",
    "achievements": "任现职以来主要专业技术工作业绩",
    "papers": "著作、论文及学术、技术报告",
}

FONT_SIZE_RANGE = (6, 20)
PUBLICITY_FONT_SIZE_RANGE = (5, 14)
BLANK_ROWS_MAX = 60
ROW_HEIGHT_RANGE = (10, 120)


def _text(max_len=200, **kwargs):
    return fields.String(load_default="", allow_none=True,
                         validate=validate.Length(max=max_len), **kwargs)


_DATE_RE = r"^(\d{4}-\d{2}(-\d{2})?)?$"


def _date(**kwargs):
    """An ISO date (YYYY-MM-DD) or month (YYYY-MM), or empty."""
    return fields.String(load_default="", allow_none=True,
                         validate=validate.Regexp(_DATE_RE, error="日期格式有误，应为 YYYY-MM-DD"),
                         **kwargs)


class _Schema(LenientSchema):
    pass


class PageSettingSchema(_Schema):
    """One page's (or one publicity section's) settings; None/absent = the default."""
    font_size = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(*FONT_SIZE_RANGE),
                             metadata={"label": "字体大小"})
    blank_rows = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(0, BLANK_ROWS_MAX),
                                metadata={"label": "空白行数"})
    row_height = fields.Float(load_default=None, allow_none=True,
                              validate=validate.Range(*ROW_HEIGHT_RANGE),
                              metadata={"label": "行高"})


def _page_map(keys):
    return fields.Dict(keys=fields.String(validate=validate.OneOf(tuple(keys))),
                       values=fields.Nested(PageSettingSchema), load_default=dict)


class _ReviewFormSettingsHolder(_Schema):
    review_form = _page_map(REVIEW_FORM_PAGES)


class PublicitySettingsSchema(_Schema):
    """The publicity table's settings: one font size for the whole table, and per section
    (PUBLICITY_SECTIONS) the blank rows (and optionally its own font size)."""
    font_size = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(*PUBLICITY_FONT_SIZE_RANGE),
                             metadata={"label": "字体大小"})
    sections = _page_map(PUBLICITY_SECTIONS)


class PrintSettingsSchema(_Schema):
    review_form = _page_map(REVIEW_FORM_PAGES)
    publicity = fields.Nested(PublicitySettingsSchema,
                              load_default=lambda: {"font_size": None, "sections": {}})


def load_review_form_settings(data):
    """Validate ``{page: {...}}`` (the review form part of the print settings)."""
    return load(_ReviewFormSettingsHolder, {"review_form": data or {}},
                code="print.settings_invalid")["review_form"]


def load_publicity_settings(data):
    return load(PublicitySettingsSchema, data or {}, code="print.settings_invalid")


# ---------------------------------------------------------------- snapshot
class PlanSchema(_Schema):
    plan_id = fields.Integer(load_default=None, allow_none=True)
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100),
                          metadata={"label": "评审年度"})
    name = _text(200, metadata={"label": "评审计划"})
    region = _text(50)                       # 重庆市 — prefixes the form titles
    series = _text(50)                       # 卫生系列
    level = fields.String(required=True, validate=validate.OneOf(LEVELS),
                          metadata={"label": "申报级别"})
    committee = _text(200, metadata={"label": "评委会名称"})
    organiser = _text(200)


class DeclarationSchema(_Schema):
    declaration_id = fields.Integer(load_default=None, allow_none=True)
    declaration_type = fields.String(load_default="正常晋升",
                                     validate=validate.OneOf(DECLARATION_TYPES),
                                     metadata={"label": "申报类别"})
    form_category = fields.String(required=True, validate=validate.OneOf(FORM_CATEGORIES),
                                  metadata={"label": "填报表格类别"})
    applied_title = _text(50, metadata={"label": "申报职称"})
    specialty = _text(100, metadata={"label": "申报职称专业方向"})
    research_direction = _text(200)          # 具体从事研究方向
    filled_on = _date()                      # 填表时间
    submitted_at = _text(40)
    ethics_satisfaction = _text(20)          # 医德医风满意度（%）
    rural_support_years = _text(20)          # 卫生支农年限
    continuing_education = _text(100)        # 近5年内继续教育情况
    frontline = fields.Boolean(load_default=False)   # 是否为一线医务人员
    aided_hubei = fields.Boolean(load_default=False)  # 是否援鄂


class EducationSchema(_Schema):
    graduated_on = _date()
    school = _text(100)
    major = _text(100)
    duration = _text(20)                     # 学制
    name = _text(50)                         # 学历 (硕士研究生) or 学位 (硕士)
    certificate_no = _text(50)


class PersonSchema(_Schema):
    person_id = fields.Integer(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50),
                         metadata={"label": "姓名"})
    former_name = _text(50)
    gender = _text(4)
    birth_date = _date()
    nation = _text(20)
    political_status = _text(30)
    id_type = fields.String(load_default="身份证", allow_none=True)
    id_number = _text(40)                    # full; masked where the output is public
    phone = _text(20)
    unit_id = fields.Integer(load_default=None, allow_none=True)
    unit_name = _text(200, metadata={"label": "工作单位"})
    work_start_date = _date()                # 参加工作时间
    education = fields.Nested(EducationSchema, load_default=dict)   # 最高学历
    degree = fields.Nested(EducationSchema, load_default=dict)      # 最高学位
    current_title = _text(50)                # 现有职称
    current_title_detail = _text(200)        # 现有专业技术资格、取得时间及审批机关
    employed_title = _text(200)              # 何时聘用何职称
    years_in_title = _text(20)               # 任现职年限
    practice_qualification = _text(200)      # 执业医师资格取得时间及类别
    practice_certificate = _text(200)        # 医师执业证书取得时间及执业范围
    specialty_work = _text(200)              # 从事何专业技术工作
    admin_post = _text(200)                  # 现（兼）任行政职务及任职时间
    societies = _text(300)                   # 参加何学术团体、任何职务，有何社会兼职
    photo_file_id = fields.Raw(load_default=None, allow_none=True)


class _RowSchema(_Schema):
    deleted = fields.Boolean(load_default=False)    # marked deleted by a reviewer
    publicity = fields.Boolean(load_default=True)   # shown on the publicity table


class AssessmentSchema(_Schema):
    year = fields.Integer(required=True)
    result = _text(20)                       # 优秀 / 合格 / 基本合格 / 不合格


class StudyRowSchema(_RowSchema):
    period = _text(50)                       # 起止时间
    content = _text(300)                     # 专业或主要内容
    place = _text(100)                       # 学习地点
    certificate_no = _text(50)


class WorkRowSchema(_RowSchema):
    period = _text(50)
    unit = _text(200)                        # 工作单位
    work = _text(200)                        # 从事何专业技术工作
    title = _text(50)                        # 职称（职务）


class AchievementRowSchema(_RowSchema):
    period = _text(50)
    name = _text(300)                        # 专业技术工作名称（项目、课题成果等）
    role = _text(500)                        # 工作内容、本人起何作用（主持、参加、独立、排名）
    result = _text(500)                      # 完成情况及效果（获何奖励、效益或专利）


class WorkloadRowSchema(_RowSchema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=100))
    values = fields.List(fields.String(allow_none=True, validate=validate.Length(max=30)),
                         load_default=list)


class WorkloadSchema(_Schema):
    years = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=5))
    rows = fields.List(fields.Nested(WorkloadRowSchema), load_default=list,
                       validate=validate.Length(max=40))

    @validates_schema
    def _values_match_years(self, data, **kwargs):
        years = data.get("years") or []
        for index, row in enumerate(data.get("rows") or []):
            if len(row.get("values") or []) > len(years):
                raise ValidationError({"rows": {index: ["工作量数值的列数多于年度数"]}})


class PaperRowSchema(_RowSchema):
    date = _text(20)                         # 日期 (2019.06)
    title = _text(300)                       # 名称 / 名称及内容提要
    content = _text(500)                     # 内容提要 / 主要内容
    venue = _text(300)                       # 出版、登载、获奖或在学术会议上交流情况 / 主要影响
    rank = _text(20)                         # 排名


class ExamSchema(_Schema):
    mode = fields.String(load_default="参加考试", validate=validate.OneOf(EXAM_MODES))
    date = _text(20)
    name = _text(100)
    specialty = _text(100)
    score = _text(20)
    organiser = _text(100)


class MaterialSchema(_Schema):
    """An uploaded material (工作总结, 考核鉴定, 其他附件): its label and file name."""
    kind = _text(40)
    label = _text(100)
    file_name = _text(200)
    file_id = fields.Raw(load_default=None, allow_none=True)
    deleted = fields.Boolean(load_default=False)


class ArchiveCheckSchema(_Schema):
    required = fields.Boolean(load_default=False)   # person type 其他人员
    content = _text(2000)
    file_name = _text(200)


class IntegritySchema(_Schema):
    publicity_from = _date()
    publicity_to = _date()
    checked = fields.List(fields.String(validate=validate.OneOf(INTEGRITY_ITEMS)),
                          load_default=list)
    other = _text(500)                       # 其他情况
    explanation = _text(2000)                # 并就上述过错的具体情形作简要文字说明


class ItemColumnSchema(_Schema):
    label = _text(50)
    value = _text(500)


class ImportedItemSchema(_RowSchema):
    """An approved achievement record imported from the achievement library."""
    record_id = fields.Raw(load_default=None, allow_none=True)
    type_code = _text(50)
    type_label = fields.String(required=True, validate=validate.Length(min=1, max=50))
    section = _text(50)                      # the plan section it was imported into
    columns = fields.List(fields.Nested(ItemColumnSchema), load_default=list,
                          validate=validate.Length(max=12))


class OpinionSchema(_Schema):
    """One level's signed recommendation (推荐情况 / 审核意见)."""
    level = _text(50)                        # 基层单位意见, 主管部门意见, …
    unit_name = _text(200)
    opinion = _text(2000)
    signer = _text(50)                       # 负责人签名
    signed_on = _date()                      # 签字时间


class SnapshotSchema(_Schema):
    version = fields.Integer(load_default=SNAPSHOT_VERSION)
    frozen_at = _text(40)
    status = _text(20)                       # the declaration's status label (审核中 …)
    final = fields.Boolean(load_default=False)   # passed the top level: no 草稿 watermark
    plan = fields.Nested(PlanSchema, required=True)
    declaration = fields.Nested(DeclarationSchema, required=True)
    person = fields.Nested(PersonSchema, required=True)
    annual_assessments = fields.List(fields.Nested(AssessmentSchema), load_default=list,
                                     validate=validate.Length(max=10))
    study = fields.List(fields.Nested(StudyRowSchema), load_default=list,
                        validate=validate.Length(max=MAX_EXPERIENCE_ROWS,
                                                 error="学习培训经历最多只能填写 8 行"))
    work = fields.List(fields.Nested(WorkRowSchema), load_default=list,
                       validate=validate.Length(max=MAX_EXPERIENCE_ROWS,
                                                error="工作经历最多只能填写 8 行"))
    achievements_before = fields.List(
        fields.Nested(AchievementRowSchema), load_default=list,
        validate=validate.Length(max=MAX_ACHIEVEMENT_ROWS,
                                 error="任现职前工作业绩最多只能填写 10 行"))
    achievements = fields.List(
        fields.Nested(AchievementRowSchema), load_default=list,
        validate=validate.Length(max=MAX_ACHIEVEMENT_ROWS,
                                 error="任现职以来工作业绩最多只能填写 10 行"))
    workload = fields.Nested(WorkloadSchema, load_default=lambda: {"years": [], "rows": []})
    papers = fields.List(fields.Nested(PaperRowSchema), load_default=list,
                         validate=validate.Length(max=MAX_PAPER_ROWS,
                                                  error="论文及学术报告最多只能填写 6 行"))
    exam = fields.Nested(ExamSchema, load_default=None, allow_none=True)
    work_summary = _text(5000)               # 工作总结 (text, when entered as text)
    assessment = _text(5000)                 # 考核鉴定 (text, when entered as text)
    summary_materials = fields.List(fields.Nested(MaterialSchema), load_default=list,
                                    validate=validate.Length(max=20))
    other_attachments = fields.List(fields.Nested(MaterialSchema), load_default=list,
                                    validate=validate.Length(max=50))
    archive_check = fields.Nested(ArchiveCheckSchema, load_default=None, allow_none=True)
    integrity = fields.Nested(IntegritySchema, load_default=None, allow_none=True)
    items = fields.List(fields.Nested(ImportedItemSchema), load_default=list,
                        validate=validate.Length(max=1000))
    opinions = fields.List(fields.Nested(OpinionSchema), load_default=list,
                           validate=validate.Length(max=10))
    print_settings = fields.Nested(PrintSettingsSchema,
                                   load_default=lambda: {"review_form": {},
                                                         "publicity": {"font_size": None,
                                                                       "sections": {}}})


def load_snapshot(snapshot):
    """Validate a snapshot and fill its defaults; Invalid(422, snapshot.invalid) if broken."""
    data = load(SnapshotSchema, snapshot, code="snapshot.invalid")
    # Nested defaults given as plain dicts are not loaded through their schema: normalise.
    settings = data["print_settings"]
    settings.setdefault("review_form", {})
    publicity = settings.setdefault("publicity", {})
    publicity.setdefault("font_size", None)
    publicity.setdefault("sections", {})
    return data


def visible(rows):
    """The rows a printout shows: those a reviewer has not marked deleted."""
    return [row for row in rows if not row.get("deleted")]


def for_publicity(rows):
    """The rows the publicity table shows: not deleted and marked for publicity."""
    return [row for row in rows if not row.get("deleted") and row.get("publicity", True)]


def is_grassroots(snapshot):
    return snapshot["declaration"]["form_category"] in GRASSROOTS_CATEGORIES
