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

:func:`example_snapshot` builds a realistic, complete snapshot (every section filled,
some rows marked deleted, some rows not for the publicity table) for tests and benches.
"""
import io
import random

from services.common.schemas import LenientSchema, fields, load, validate
from marshmallow import validates_schema, ValidationError

SNAPSHOT_VERSION = 1

LEVELS = ("正高", "副高", "中级", "初级")

# 填报表格类别 (Chongqing health series, manual 4.3.1).
FORM_CATEGORIES = ("临床", "公卫", "中医药", "护理", "药学", "医技", "计划生育", "基层全科", "基层其他")
GRASSROOTS_CATEGORIES = ("基层全科", "基层其他")

# 申报类别 (manual 4.3.1).
DECLARATION_TYPES = ("正常晋升", "破格晋升", "转评", "多评", "基层定向", "重新确认")

# 考试方式 of 专业考试成绩 (manual 4.3.7).
EXAM_MODES = ("参加考试", "基层年龄免考", "一线医务人员免考")

# 申报诚信情况: the situations a declarant ticks (manual 4.3.10), in the manual's order.
INTEGRITY_ITEMS = (
    "论著一稿多投", "抄袭剽窃论著", "冒用他人项目或名义", "冒用他人业绩工作成果", "业绩成果造假",
    "利用职务之便占用他人成果", "因工作过失受到通报", "工程质量事故", "安全责任事故", "医疗责任事故",
    "严重医患纠纷", "教学事故", "严重失职渎职", "前述事故发生伤亡", "违反程序申报", "挂靠、兼职申报",
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
           "撰写调查报告或技术方案（篇）", "检验检测样品数（份）", "技术指导基层（次）", *_COMMON_TAIL),
    "中医药": ("专业工作时间（周）", "年门诊人次", "临床查房次数", "参加手术台次中医治疗与中医参与率",
            "中药每年为临床服务时间", "院内会诊", "院外会诊", "主持或协助主任主持疑难病例讨论",
            "独立处理疑难病例数", "是否有不合理处方", *_COMMON_TAIL, "协助培养研究生（名）",
            "指导下级医生病历书写"),
    "护理": ("专业工作时间（周）", "护理查房次数", "主持或参加护理会诊", "危重病人护理（例）",
           "主持护理疑难病例讨论", "护理质量检查（次）", *_COMMON_TAIL),
    "药学": ("专业工作时间（周）", "处方审核调剂（张）", "参加临床查房或会诊（次）", "用药咨询（人次）",
           "药品不良反应监测报告（例）", "治疗药物监测（例）", *_COMMON_TAIL),
    "医技": ("专业工作时间（周）", "出具诊断或检查报告（份）", "参加临床会诊（次）", "疑难病例讨论（次）",
           "质量控制（次）", *_COMMON_TAIL, "协助培养研究生（名）"),
    "计划生育": ("专业工作时间（周）", "年门诊人次", "计划生育手术台次", "随访咨询（人次）", "院内会诊",
             "主持疑难病例讨论", *_COMMON_TAIL),
    "基层全科": ("专业工作时间（周）", "年门诊人次", "家庭医生签约服务（人）", "慢病管理（人）",
             "出诊巡诊（次）", "双向转诊（人次）", "健康教育讲座（次）", "带教下级（名）"),
    "基层其他": ("专业工作时间（周）", "年服务人次", "基本公共卫生服务（人次）", "健康教育讲座（次）",
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
        validate=validate.Length(max=MAX_ACHIEVEMENT_ROWS, error="任现职前工作业绩最多只能填写 10 行"))
    achievements = fields.List(
        fields.Nested(AchievementRowSchema), load_default=list,
        validate=validate.Length(max=MAX_ACHIEVEMENT_ROWS, error="任现职以来工作业绩最多只能填写 10 行"))
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


# ---------------------------------------------------------------- example
_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
_GIVEN = ("健", "晓梅", "建国", "丽", "志强", "红", "伟", "静", "海燕", "明", "涛", "婷")
_UNITS = ("重庆市云阳县中医院", "重庆市万州区人民医院", "重庆医科大学附属第一医院",
          "重庆市渝北区妇幼保健院", "重庆市江津区中心医院")

_ITEM_TYPES = (
    ("paper", "论文", ("论文题目", "刊物名称", "发表时间", "本人排名")),
    ("project", "科研项目", ("项目名称", "项目来源", "起止时间", "本人角色")),
    ("award", "获奖", ("奖项名称", "授奖单位", "获奖时间", "获奖等级")),
    ("topic", "专题", ("专题名称", "病例数", "起止时间", "本人作用")),
    ("patent", "专利", ("专利名称", "专利号", "授权时间", "本人排名")),
)


def id_number_check_digit(first17):
    """GB 11643 check digit of the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return "10X98765432"[total % 11]


def example_id_number(birth="19781105", seq=314):
    first17 = f"500235{birth}{seq:03d}"
    return first17 + id_number_check_digit(first17)


def example_photo(width=250, height=350):
    """A small JPEG portrait placeholder (a grey silhouette on a blue background)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (60, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.5), fill=(235, 220, 200))
    draw.rectangle((width * 0.18, height * 0.55, width * 0.82, height), fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def example_snapshot(items=10, *, name="张健", level="副高", form_category="中医药",
                     final=False, seed=1):
    """A complete declaration snapshot (every section filled) for tests and benches.

    ``items`` imported achievement records; the example marks one study row, one
    achievement row, one workload row, one paper and (if any) the second imported item
    deleted, and keeps one workload row, one achievement and one paper off the publicity
    table — so that tests can check both filters.
    """
    rng = random.Random(seed)
    years = [2019, 2020, 2021, 2022, 2023]
    unit = _UNITS[0]
    applied = {"正高": "主任中医师", "副高": "副主任中医师", "中级": "主治中医师", "初级": "中医师"}[level]
    current = {"正高": "副主任中医师", "副高": "主治中医师", "中级": "中医师", "初级": "中医士"}[level]

    study_places = ("重庆市袁家岗", "四川省成都市", "北京市东城区", "上海市徐汇区", "重庆市渝中区",
                    "广州市越秀区", "重庆市沙坪坝区", "武汉市江汉区")
    study = [{"period": f"{1996 + 3 * i}.09-{1997 + 3 * i}.07",
              "content": f"{['重庆医科大学中医学本科学习', '四川大学华西医院进修', '中国中医科学院针灸培训', '上海中医药大学脾胃病进修', '重庆市中医院临床规范化培训', '广州中医药大学中药学进修', '全国中医临床优秀人才研修', '武汉协和医院急诊进修'][i]}",
              "place": study_places[i], "certificate_no": f"0200{i + 1}",
              "deleted": False, "publicity": True} for i in range(8)]
    study[5]["content"] = "广州中医药大学中药学短期班（审核标记删除）"
    study[5]["deleted"] = True

    work = [{"period": f"{2004 + 2 * i}.07-{2006 + 2 * i}.06",
             "unit": f"{unit}{['内科', '急诊科', '中医科', '针灸科', '脾胃病科', '治未病中心', '康复科', '医务科'][i]}",
             "work": ["住院医师规范化培训", "急诊临床", "中医内科临床", "针灸临床", "脾胃病诊疗",
                      "中医体质辨识", "中医康复", "医疗质量管理"][i],
             "title": ["中医师", "中医师", "中医师", "主治中医师", "主治中医师", "主治中医师",
                       "主治中医师", "主治中医师"][i],
             "deleted": False, "publicity": True} for i in range(8)]

    def achievement(i, before):
        topic = ["慢性萎缩性胃炎中医证候规律研究", "针药结合治疗功能性消化不良临床观察",
                 "中医体质辨识在社区慢病管理中的应用", "脾胃湿热证舌象数字化研究",
                 "经方治疗肠易激综合征的疗效评价", "中药穴位贴敷防治化疗后呕吐",
                 "基层中医适宜技术推广", "名老中医学术经验传承工作室建设",
                 "中医护理方案在脾胃病中的应用", "中药饮片处方点评与合理用药"][i]
        return {"period": f"{(2008 if before else 2019) + i // 3}.0{1 + i % 9}-{(2010 if before else 2021) + i // 3}.12",
                "name": f"{topic}（{'县级' if i % 3 else '市级'}课题）",
                "role": f"主持，负责方案设计、病例收集与数据分析，排名第{1 + i % 3}；共纳入病例{80 + 10 * i}例。",
                "result": f"已结题，{'获重庆市卫生健康委科技成果三等奖' if i % 4 == 0 else '成果在本院推广应用'}，"
                          f"发表相关论文{1 + i % 2}篇。",
                "deleted": False, "publicity": True}

    achievements_before = [achievement(i, True) for i in range(4)]
    achievements = [achievement(i, False) for i in range(10)]
    achievements[7]["name"] = "院内中医药文化宣传活动（审核标记删除）"
    achievements[7]["deleted"] = True
    achievements[8]["name"] = "科室中医护理方案修订（不公示）"
    achievements[8]["publicity"] = False

    workload_rows = []
    for index, item in enumerate(workload_items(form_category)):
        values = [str(rng.randint(20, 4000) if "人次" in item or "数" in item else rng.randint(2, 60))
                  for _ in years]
        if item.startswith("是否"):
            values = ["否"] * len(years)
        workload_rows.append({"item": item, "values": values, "deleted": False, "publicity": True})
    workload_rows.append({"item": "中医适宜技术推广培训（次）（不公示）", "values": ["3", "4", "2", "5", "6"],
                          "deleted": False, "publicity": False})
    workload_rows.append({"item": "义诊活动（次）（审核标记删除）", "values": ["1", "2", "2", "1", "3"],
                          "deleted": True, "publicity": True})

    papers = [{"date": f"{2019 + i // 2}.0{3 + i}",
               "title": ["半夏泻心汤加减治疗慢性胃炎60例", "针刺联合中药治疗功能性便秘的临床研究",
                         "中医体质与代谢综合征相关性分析", "脾胃湿热证舌苔微生物特征研究",
                         "基层中医馆服务能力调查报告", "中药穴位贴敷护理干预效果观察"][i],
               "content": "观察疗效并分析证候分布，总结辨证用药经验。",
               "venue": ["《中医杂志》", "《重庆医学》", "全国中医内科学术年会交流", "《中国中西医结合杂志》",
                         "重庆市中医药学会年会交流", "《护理研究》"][i],
               "rank": str(1 + i % 3), "deleted": False, "publicity": True} for i in range(6)]
    papers[4]["title"] = "基层中医馆服务能力调查报告（不公示）"
    papers[4]["publicity"] = False
    papers[5]["title"] = "中药穴位贴敷护理干预效果观察（审核标记删除）"
    papers[5]["deleted"] = True

    imported = []
    for i in range(items):
        code, label, columns = _ITEM_TYPES[i % len(_ITEM_TYPES)]
        values = (f"{label}第{i + 1}项：中医药防治脾胃病的临床与基础研究", f"重庆市科学技术局（{i + 1}）",
                  f"{2019 + i % 5}-0{1 + i % 9}", f"第{1 + i % 5}")
        imported.append({"record_id": 1000 + i, "type_code": code, "type_label": label,
                         "section": "任现职以来主要专业技术工作业绩",
                         "columns": [{"label": c, "value": v} for c, v in zip(columns, values)],
                         "deleted": False, "publicity": True})
    if items > 1:
        imported[1]["columns"][0]["value"] = "已被审核删除的导入业绩（审核标记删除）"
        imported[1]["deleted"] = True

    birth = "1978-11-05"
    return {
        "version": SNAPSHOT_VERSION,
        "frozen_at": "2024-07-30T08:00:00+00:00",
        "status": "审核通过" if final else "审核中",
        "final": final,
        "plan": {"plan_id": 7, "year": 2024, "name": "2024年度重庆市卫生系列高级职称评审",
                 "region": "重庆市", "series": "卫生系列", "level": level,
                 "committee": "重庆市卫生系列中医药高级职务评委会",
                 "organiser": "重庆市卫生健康委员会"},
        "declaration": {
            "declaration_id": 42, "declaration_type": "正常晋升", "form_category": form_category,
            "applied_title": applied, "specialty": "中药学", "research_direction": "中医脾胃病",
            "filled_on": "2024-07-14", "submitted_at": "2024-07-20T10:00:00+08:00",
            "ethics_satisfaction": "92", "rural_support_years": "2",
            "continuing_education": "合格（学分 120）", "frontline": True, "aided_hubei": False,
        },
        "person": {
            "person_id": 9, "name": name, "former_name": "无", "gender": "男", "birth_date": birth,
            "nation": "汉族", "political_status": "中共党员", "id_type": "身份证",
            "id_number": example_id_number(), "phone": "13812341234",
            "unit_id": 3, "unit_name": unit, "work_start_date": "2004-06-14",
            "education": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "中医学",
                          "duration": "5年", "name": "大学本科", "certificate_no": "00010"},
            "degree": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "中医学",
                       "duration": "5年", "name": "学士", "certificate_no": "00011"},
            "current_title": current,
            "current_title_detail": f"{current}，2014-09-20，重庆市人力资源和社会保障局",
            "employed_title": f"2014-12 聘用为{current}",
            "years_in_title": "10",
            "practice_qualification": "2005-10，中医类别",
            "practice_certificate": "2006-03，中医专业",
            "specialty_work": "中医内科（脾胃病）临床工作",
            "admin_post": "2018-01 起任中医科副主任",
            "societies": "重庆市中医药学会脾胃病专委会委员；云阳县中医药学会秘书",
            "photo_file_id": None,
        },
        "annual_assessments": [{"year": y, "result": r} for y, r in
                               zip(years, ("合格", "合格", "优秀", "合格", "优秀"))],
        "study": study,
        "work": work,
        "achievements_before": achievements_before,
        "achievements": achievements,
        "workload": {"years": years, "rows": workload_rows},
        "papers": papers,
        "exam": ({"mode": "参加考试", "date": "2024-05-18", "name": "重庆市卫生技术副高级专业能力考试",
                  "specialty": "中药学", "score": "78", "organiser": "重庆市卫生健康委员会"}
                 if level == "副高" else None),
        "work_summary": ("任现职以来，本人坚持以病人为中心，在中医内科（脾胃病）临床一线工作，"
                         "年均门诊量四千余人次，主持疑难病例讨论，带教下级医师和进修医师，"
                         "积极开展中医适宜技术推广，完成市、县级课题多项。") * 2,
        "assessment": "该同志临床业绩突出，临床能力强，在本单位同专业申报人员中排序第1。",
        "summary_materials": [
            {"kind": "workload", "label": "工作量（签字盖章）", "file_name": "工作量.pdf", "deleted": False},
            {"kind": "work_summary", "label": "工作总结", "file_name": "工作总结.pdf", "deleted": False},
            {"kind": "clinical_assessment", "label": "临床业绩和临床能力考核鉴定",
             "file_name": "考核鉴定.pdf", "deleted": False},
            {"kind": "frontline_assessment", "label": "一线医务人员工作业绩鉴定",
             "file_name": "一线业绩鉴定.pdf", "deleted": False},
        ],
        "other_attachments": [
            {"kind": "other", "label": "优秀共产党员表彰文件", "file_name": "表彰.pdf", "deleted": False},
            {"kind": "other", "label": "对口支援证明", "file_name": "支援证明.pdf", "deleted": False},
            {"kind": "other", "label": "重复上传的证明（审核标记删除）", "file_name": "重复.pdf",
             "deleted": True},
        ],
        "archive_check": {"required": True,
                          "content": "经查阅本人人事档案，其学历、资历、职称等信息与申报材料一致。",
                          "file_name": "查档情况.pdf"},
        "integrity": {"publicity_from": "2024-07-22", "publicity_to": "2024-07-28",
                      "checked": [], "other": "无", "explanation": "无"},
        "items": imported,
        "opinions": [
            {"level": "基层单位意见", "unit_name": unit, "opinion": "同意推荐。",
             "signer": "李明", "signed_on": "2024-07-30"},
            {"level": "主管部门意见", "unit_name": "重庆市云阳县卫生健康委员会",
             "opinion": "经审核，申报材料真实，符合申报条件，同意推荐。",
             "signer": "王刚", "signed_on": "2024-08-05"},
            {"level": "人社部门意见", "unit_name": "重庆市云阳县人力资源和社会保障局",
             "opinion": "同意推荐。", "signer": "赵丽", "signed_on": "2024-08-10"},
        ],
        "print_settings": {"review_form": {}, "publicity": {"font_size": None, "sections": {}}},
    }
