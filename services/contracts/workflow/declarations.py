"""The contract of evaluation plans and declarations: the code tables (levels, forms,
plan and declaration statuses, the unit's tabs) with their Chinese labels, the
declaration events' types, and the RPC request and answer schemas (the gateway declares
its routes with them)."""
import re

from marshmallow import ValidationError, validates, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate
from services.contracts.achievements import RECORD_TYPES

# --------------------------------------------------------------------------- code tables

LEVELS = {
    "senior": "正高级",
    "deputy_senior": "副高级",
    "intermediate": "中级",
    "junior": "初级",
}
FORMS = {
    "regular": "常规申报",
    "exceptional": "破格申报",
    "transfer": "转评申报",
}
PLAN_STATUSES = {"draft": "草稿", "published": "已发布"}
WINDOW_STATES = {"not_started": "未开始", "open": "申报中", "closed": "已截止"}
SECTION_KINDS = {"records": "导入业绩"}
# A plan's form profile: what an applicant fills (Anhui FAQ 7: the organiser decides).
FORM_PROFILES = {
    "standard": "标准评审表（导入业绩）",
    "chongqing_health": "重庆市卫生系列评审表（填报表格类别、工作量、考试、查档、诚信等）",
}

DECLARATION_STATUSES = {
    "draft": "编辑中",
    "submitted": "审核中",
    "returned": "退回",
    "approved": "审核通过",
    "rejected": "审核不通过",
    "terminated": "终止",
}
OBTAIN_METHODS = ["评审", "考试", "考评结合", "认定", "转评", "其他"]
UNIT_TABS = {
    "pending": "待审核",
    "unclaimed": "待领取",
    "reviewed": "已审核",
    "returned": "被退回",
    "all": "全部",
}

# The review process of a declaration (review_decided data: kind, subject_service,
# subject_type; subject_id is the declaration id).
KIND = "declaration"
SUBJECT_SERVICE = "workflow"
SUBJECT_TYPE = "declaration"

# Event types (docs/events.md); their data: ``declaration_event_data`` in workflow.
SUBMITTED = "declaration_submitted"
STEP_DECIDED = "declaration_step_decided"
RETURNED = "declaration_returned"
REJECTED = "declaration_rejected"
APPROVED = "declaration_approved"
DELETED = "declaration_deleted"
RECALLED = "declaration_recalled"
REJECTION_UNDONE = "declaration_rejection_undone"

TEXT = 200
SECTION_CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _unique(values):
    return len(set(values)) == len(values)


# --------------------------------------------------------------------------- plans in

class PlanScopeSchema(BaseSchema):
    series = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"label": "申报系列", "example": "中小学教师"})
    specialties = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"label": "可评审专业", "example": ["中学语文", "中学数学"]})
    titles = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"label": "可申报职称", "example": ["高级教师"]})

    @validates_schema
    def _unique(self, data, **kwargs):
        if not _unique(data.get("specialties") or []):
            raise ValidationError("专业不能重复", "specialties")
        if not _unique(data.get("titles") or []):
            raise ValidationError("职称不能重复", "titles")


class PlanSectionSchema(BaseSchema):
    code = fields.String(required=True, metadata={
        "label": "栏目编码", "description": "小写字母开头，字母、数字或下划线",
        "example": "ability"})
    label = fields.String(required=True, validate=validate.Length(min=1, max=50),
                          metadata={"label": "栏目名称", "example": "能力条件"})
    kind = fields.String(load_default="records", validate=validate.OneOf(list(SECTION_KINDS)),
                         metadata={"description": "records：从个人业绩库导入审核通过的业绩"})
    types = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=30),
                        metadata={"label": "可导入的业绩类型",
                                  "description": "业绩类型编码，见 GET /api/v1/achievement-types",
                                  "example": ["patent", "qualification"]})
    min = fields.Integer(load_default=0, validate=validate.Range(min=0, max=500),
                         metadata={"label": "最少导入数量"})
    max = fields.Integer(load_default=None, allow_none=True,
                         validate=validate.Range(min=0, max=500),
                         metadata={"label": "最多导入数量", "description": "为空表示不限"})
    required = fields.Boolean(load_default=False, metadata={"label": "必填项"})

    @validates("code")
    def _code(self, value, **kwargs):
        if not SECTION_CODE.match(value or ""):
            raise ValidationError("栏目编码格式有误")

    @validates("types")
    def _types(self, value, **kwargs):
        known = RECORD_TYPES
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValidationError("未知的业绩类型：" + "、".join(unknown))
        if not _unique(value):
            raise ValidationError("业绩类型不能重复")


class PlanSchema(BaseSchema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "年度"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=TEXT),
                         metadata={"label": "计划名称"})
    committee = fields.String(required=True, validate=validate.Length(min=1, max=TEXT),
                              metadata={"label": "评委会"})
    office = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=TEXT),
                           metadata={"label": "办事机构", "description": "为空时取组建单位名称"})
    level = fields.String(required=True, validate=validate.OneOf(list(LEVELS)),
                          metadata={"label": "评审级别", "description":
                                    "senior 正高级, deputy_senior 副高级, intermediate 中级, "
                                    "junior 初级"})
    forms = fields.List(fields.String(validate=validate.OneOf(list(FORMS))), required=True,
                        validate=validate.Length(min=1, max=len(FORMS)),
                        metadata={"label": "申报类型", "description":
                                  "regular 常规申报, exceptional 破格申报, transfer 转评申报"})
    starts_on = fields.Date(required=True, metadata={"label": "申报开始日期"})
    ends_on = fields.Date(required=True, metadata={"label": "申报截止日期"})
    scope = fields.List(fields.Nested(PlanScopeSchema), required=True,
                        validate=validate.Length(min=1, max=20),
                        metadata={"label": "可评审专业",
                                  "description": "每个申报系列的可评审专业和可申报职称"})
    content = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=20000), metadata={"label": "计划内容"})
    attachments = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                              load_default=list, validate=validate.Length(max=20),
                              metadata={"label": "相关附件", "description": "文件服务的文件编号"})
    contact_name = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=50), metadata={"label": "联系人"})
    contact_phone = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=50),
                                  metadata={"label": "联系电话"})
    contact_address = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=TEXT),
                                    metadata={"label": "联系地址"})
    interview = fields.Boolean(load_default=False, metadata={"label": "是否面试"})
    titles_required = fields.Boolean(load_default=True, metadata={
        "label": "现有职称情况必填", "description": "为真时提交前须录入现有职称情况及附件"})
    unit_gate = fields.Boolean(load_default=False, metadata={
        "label": "单位统一上报", "description":
        "为真时（重庆）用人单位审核通过的申报先“待上报”，本单位该计划的申报全部审核通过或"
        "审核不通过（无审核中、退回）后，由单位“上报”一并提交上一级"})
    delete_submitted = fields.Boolean(load_default=None, allow_none=True, metadata={
        "label": "允许删除已提交未审核的申报", "description":
        "为真时申报人可删除已提交、申报单位尚未领取审核的申报（重庆 4.4）；为空时按地区："
        "重庆的计划允许，其他（安徽 FAQ 13：联系审核部门退回后修改）不允许"})
    undo_reject = fields.Boolean(load_default=None, allow_none=True, metadata={
        "label": "允许撤销审核不通过", "description":
        "为真时作出“不通过”的审核单位可撤销本级的不通过，申报回到本级审核（重庆 2.4.3）；"
        "为空时按地区：重庆的计划允许，其他不允许"})
    form_profile = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(list(FORM_PROFILES)), metadata={
        "label": "填报表格", "description":
        "standard：标准评审表；chongqing_health：重庆市卫生系列评审表（卫生技术人员须填"
        "填报表格类别、工作量、考试、查档、诚信等）。为空时含卫生系列的计划按 "
        "chongqing_health（安徽 FAQ 7：由组建单位决定申报人填报内容）"})
    sections = fields.List(fields.Nested(PlanSectionSchema), load_default=list,
                           validate=validate.Length(max=30),
                           metadata={"label": "申报材料栏目",
                                     "description":
                                             "申报业绩的栏目：可导入的业绩类型、数量、是否必填"})
    hr_unit_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=1),
                                metadata={"label": "人社部门", "description":
                                          "人社部门发布时为本单位，可不填"})
    organiser_unit_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                       validate=validate.Range(min=1),
                                       metadata={"label": "评委会组建单位", "description":
                                                 "组建单位发布时为本单位，可不填"})

    @validates("forms")
    def _forms(self, value, **kwargs):
        if not _unique(value):
            raise ValidationError("申报类型不能重复")


class PlanUpdateSchema(PlanSchema):
    """Only the fields given change (a nested entry given is checked in full)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", tuple(PlanSchema._declared_fields))
        super().__init__(*args, **kwargs)


class PlanListQuery(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "年度"})
    level = fields.String(load_default=None, validate=validate.OneOf(list(LEVELS)),
                          metadata={"label": "评审级别"})
    form = fields.String(load_default=None, validate=validate.OneOf(list(FORMS)),
                         metadata={"label": "申报类型（计划类型）"})
    status = fields.String(load_default=None, validate=validate.OneOf(list(PLAN_STATUSES)),
                           metadata={"label": "状态", "description": "draft 草稿（仅发布单位）, "
                                                                   "published 已发布"})
    window = fields.String(load_default=None, validate=validate.OneOf(list(WINDOW_STATES)),
                           metadata={"label": "申报状态", "description":
                                     "not_started 未开始, open 申报中, closed 已截止"})
    mine = fields.Boolean(load_default=False, metadata={
        "description": "仅本单位发布或作为人社部门、组建单位的计划"})


class PlanSpecialtyQuery(LenientSchema):
    series = fields.String(load_default=None, validate=validate.Length(max=100),
                           metadata={"label": "申报系列"})
    q = fields.String(load_default=None, validate=validate.Length(max=100),
                      metadata={"label": "关键字"})


class DeclarationPledgeQuery(LenientSchema):
    series = fields.String(load_default=None, validate=validate.Length(max=100))
    specialty = fields.String(load_default=None, validate=validate.Length(max=100),
                              metadata={"label": "申报专业"})
    title = fields.String(load_default=None, validate=validate.Length(max=100),
                          metadata={"label": "申报职称"})
    format = fields.String(load_default="json",
                           validate=validate.OneOf(["json", "text", "html", "pdf"]),
                           metadata={"description":
                                     "json 返回文本；text、html、pdf 下载承诺书模板"})


# --------------------------------------------------------------------------- plans out

class PlanSectionOut(BaseSchema):
    code = fields.String()
    label = fields.String()
    kind = fields.String()
    kind_label = fields.String(allow_none=True)
    types = fields.List(fields.String())
    min = fields.Integer()
    max = fields.Integer(allow_none=True, metadata={"description": "为空表示不限"})
    required = fields.Boolean()


class PlanScopeOut(BaseSchema):
    series = fields.String()
    specialties = fields.List(fields.String())
    titles = fields.List(fields.String())


class MyDeclarationRef(BaseSchema):
    id = fields.Integer()
    plan_id = fields.Integer()
    year = fields.Integer()
    status = fields.String()
    status_label = fields.String()


class PlanItemSchema(BaseSchema):
    id = fields.Integer()
    year = fields.Integer(metadata={"description": "年度"})
    name = fields.String(metadata={"description": "计划名称"})
    committee = fields.String(metadata={"description": "评委会"})
    office = fields.String(allow_none=True, metadata={"description": "办事机构"})
    level = fields.String()
    level_label = fields.String(metadata={"description": "评审级别"})
    forms = fields.List(fields.String())
    form_labels = fields.List(fields.String(), metadata={"description": "申报类型"})
    starts_on = fields.String(metadata={"description": "申报开始日期"})
    ends_on = fields.String(metadata={"description": "申报截止日期"})
    window_state = fields.String(metadata={"description": "not_started | open | closed"})
    window_state_label = fields.String(metadata={"description": "未开始、申报中、已截止"})
    status = fields.String()
    status_label = fields.String(metadata={"description": "草稿、已发布"})
    series = fields.List(fields.String(), metadata={"description": "申报系列"})
    interview = fields.Boolean(metadata={"description": "是否面试"})
    publisher_unit_id = fields.Integer(allow_none=True)
    publisher_unit_name = fields.String(allow_none=True, metadata={"description": "发布部门"})
    published_at = fields.String(allow_none=True, metadata={"description": "发布时间"})
    manageable = fields.Boolean(metadata={"description": "当前用户可修改、发布"})


class PlanPageSchema(BaseSchema):
    items = fields.List(fields.Nested(PlanItemSchema))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "all, not_started, open, closed"})
    page = fields.Integer()
    page_size = fields.Integer()


class PlanDetailSchema(PlanItemSchema):
    scope = fields.List(fields.Nested(PlanScopeOut), metadata={"description": "可评审专业"})
    content = fields.String(allow_none=True, metadata={"description": "计划内容"})
    attachments = fields.List(fields.Integer(), metadata={"description": "相关附件"})
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_address = fields.String(allow_none=True)
    titles_required = fields.Boolean()
    unit_gate = fields.Boolean(metadata={
        "description": "单位统一上报（待上报，全部审核完成后上报）"})
    delete_submitted = fields.Boolean(metadata={
        "description": "申报人可删除已提交、单位尚未审核的申报（生效值）"})
    undo_reject = fields.Boolean(metadata={
        "description": "审核单位可撤销本级的审核不通过（生效值）"})
    form_profile = fields.String(metadata={
        "description": "填报表格（生效值）：standard | chongqing_health"})
    form_profile_label = fields.String(metadata={"description": "填报表格名称"})
    sections = fields.List(fields.Nested(PlanSectionOut))
    hr_unit_id = fields.Integer(allow_none=True)
    hr_unit_name = fields.String(allow_none=True)
    organiser_unit_id = fields.Integer(allow_none=True)
    organiser_unit_name = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    version = fields.Integer()
    my_declaration = fields.Nested(MyDeclarationRef, allow_none=True, metadata={
        "description": "个人：本申报年度已有的申报记录"})
    can_declare = fields.Boolean(allow_none=True, metadata={"description":
            "个人：“马上申报”是否可用"})
    declare_code = fields.String(allow_none=True, metadata={
        "description": "个人：“马上申报”不可用时，提交将返回的错误码（如 declaration.unbound）"})
    declare_message = fields.String(allow_none=True, metadata={
        "description": "个人：“马上申报”不可用的原因（与提交时的错误信息一致）"})


class PlanSpecialty(BaseSchema):
    series = fields.String()
    specialty = fields.String()
    titles = fields.List(fields.String())


class DeclarationPledgeSchema(BaseSchema):
    text = fields.String(metadata={"description": "诚信承诺书正文"})
    unit_name = fields.String(allow_none=True)
    declared = fields.String(allow_none=True, metadata={"description": "申报的专业-职称"})


# --------------------------------------------------------------------------- declarations in

class DeclarationCreateSchema(BaseSchema):
    plan_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                             metadata={"label": "评审计划"})
    form = fields.String(required=True, validate=validate.OneOf(list(FORMS)),
                         metadata={"label": "申报形式"})
    series = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"label": "申报系列"})
    specialty = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"label": "申报专业"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=100),
                          metadata={"label": "申报职称"})
    pledge_accepted = fields.Boolean(required=True, metadata={
        "label": "诚信承诺", "description": "须为 true（我已阅读并承诺）"})


class SpecialtyChangeSchema(BaseSchema):
    series = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                           metadata={"label": "申报系列"})
    specialty = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"label": "修改申报专业"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=100),
                          metadata={"label": "申报职称"})


def _text(label, length=50, **kwargs):
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=length), metadata={"label": label},
                         **kwargs)


class DeclarationPersonalSchema(BaseSchema):
    """个人信息 of the declaration; fields given replace the saved ones (null clears)."""
    former_name = _text("曾用名")
    ethnicity = _text("民族")
    birthplace = _text("出生地", 100)
    work_start_date = fields.Date(load_default=None, allow_none=True,
                                  metadata={"label": "工作时间"})
    salary_grade = _text("工资级别")
    work_years = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0, max=70),
                                metadata={"label": "工作年限"})
    specialty_years = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=0, max=70),
                                     metadata={"label": "专业年限"})
    political_status = _text("政治面貌")
    party_post = _text("党政职务", 100)
    health = _text("身体状况")
    academic_posts = _text("参加何学术团体任何职", 200)
    photo_file_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=1),
                                   metadata={"label": "照片", "description": "文件服务的文件编号"})


class DeclarationPersonalUpdateSchema(DeclarationPersonalSchema):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class DeclarationCorrectionSchema(DeclarationPersonalUpdateSchema):
    """A reviewer's correction of small errors in the basic information."""
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                         metadata={"label": "修改说明"})


class DeclarationTitleSchema(BaseSchema):
    cert_no = fields.String(required=True, validate=validate.Length(min=1, max=50),
                            metadata={"label": "证书编号"})
    work_unit = fields.String(required=True, validate=validate.Length(min=1, max=TEXT),
                              metadata={"label": "工作单位"})
    series = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"label": "系列名称"})
    specialty = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"label": "专业名称"})
    qualification = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                  metadata={"label": "资格名称"})
    obtain_method = fields.String(required=True, validate=validate.OneOf(OBTAIN_METHODS),
                                  metadata={"label": "职称取得方式"})
    evidence_file_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                                    required=True, validate=validate.Length(min=1, max=5),
                                    metadata={"label": "附件", "description": "文件服务的文件编号"})


class DeclarationTitlesSchema(BaseSchema):
    titles = fields.List(fields.Nested(DeclarationTitleSchema), required=True,
                         validate=validate.Length(max=20),
                         metadata={"label": "现有职称情况", "description":
                                 "按显示顺序（上移/下移即调整顺序）"})


class DeclarationImportSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                             required=True, validate=validate.Length(min=1, max=100),
                             metadata={"label": "业绩记录"})

    @validates("record_ids")
    def _unique(self, value, **kwargs):
        if not _unique(value):
            raise ValidationError("业绩记录不能重复")


class DeclarationItemMoveSchema(BaseSchema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]),
                              metadata={"label": "移动方向", "description": "up 上移, down 下移"})


class DeclarationItemMarkSchema(BaseSchema):
    deleted = fields.Boolean(required=True, metadata={
        "label": "删除标记", "description": "true 做删除标记，false 取消删除标记"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                           metadata={"label": "原因"})


class DeclarationDeleteQuery(LenientSchema):
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "申报已截止时须为 true：删除后无法再次申报"})


class DeclarationListQuery(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class UnitDeclarationQuery(PageQuery):
    tab = fields.String(load_default="all", validate=validate.OneOf(list(UNIT_TABS)),
                        metadata={"label": "状态页签", "description":
                                  "pending 待审核, unclaimed 待领取, reviewed 已审核, "
                                  "returned 被退回, all 全部"})
    status = fields.String(load_default=None, validate=validate.OneOf(list(DECLARATION_STATUSES)),
                           metadata={"label": "申报状态"})
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "年度"})
    plan_id = fields.Integer(load_default=None, validate=validate.Range(min=1),
                             metadata={"label": "评审计划"})


# --------------------------------------------------------------------------- declarations out

class EligibilityRuleSchema(BaseSchema):
    code = fields.String(metadata={"description": "window, binding, region, personal, titles, "
                                                  "section:<栏目编码> …"})
    label = fields.String()
    passed = fields.Boolean()
    message = fields.String(allow_none=True)


class EligibilitySchema(BaseSchema):
    passed = fields.Boolean(metadata={"description": "全部通过才能提交"})
    rules = fields.List(fields.Nested(EligibilityRuleSchema))


class DeclarationStageSchema(BaseSchema):
    code = fields.String(metadata={
        "description": "submit, employer, competent, hr, organiser, approved"})
    label = fields.String(metadata={"description":
            "申报、单位审核、主管部门、人社部门、组建单位、审核通过"})
    state = fields.String(metadata={"description": "done, current, pending, skipped, returned, "
                                                   "rejected, terminated"})
    state_label = fields.String()
    units = fields.List(fields.String(), metadata={"description": "该环节的审核单位"})


class DeclarationChainStepSchema(BaseSchema):
    step_index = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    unit_kind = fields.String()
    step_label = fields.String()


class DeclarationProgressSchema(BaseSchema):
    declaration_id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    current_step_label = fields.String(allow_none=True, metadata={"description": "流程节点"})
    current_unit_name = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "退回或不通过的意见"})
    opinion_unit_name = fields.String(allow_none=True)
    stages = fields.List(fields.Nested(DeclarationStageSchema))
    chain = fields.List(fields.Nested(DeclarationChainStepSchema))


class DeclarationItemMarkInfo(BaseSchema):
    account_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    at = fields.String(allow_none=True)


class DeclarationRecordItemSchema(BaseSchema):
    id = fields.Integer()
    section = fields.String()
    position = fields.Integer()
    record_id = fields.Integer()
    record_type = fields.String()
    record_type_label = fields.String()
    title = fields.String(metadata={"description": "业绩名称"})
    record = fields.Dict(metadata={"description":
            "业绩记录：提交后为提交时冻结的副本，之前为导入时的内容"})
    frozen = fields.Boolean(metadata={"description": "record 是否为提交时冻结的副本"})
    imported_at = fields.String()
    marked_deleted = fields.Boolean(metadata={"description":
            "审核单位做了删除标记（灰色显示，不打印）"})
    mark = fields.Nested(DeclarationItemMarkInfo, allow_none=True)


class DeclarationSectionView(PlanSectionOut):
    count = fields.Integer(metadata={"description": "已导入（不含删除标记）"})
    hint = fields.String(metadata={"description": "如：必填项, 导入数量不限"})
    items = fields.List(fields.Nested(DeclarationRecordItemSchema))


class DeclarationTitleOut(BaseSchema):
    cert_no = fields.String()
    work_unit = fields.String()
    series = fields.String()
    specialty = fields.String()
    qualification = fields.String()
    obtain_method = fields.String()
    evidence_file_ids = fields.List(fields.Integer())


class DeclarationPersonOut(LenientSchema):
    person_id = fields.Integer()
    name = fields.String(allow_none=True)
    gender_label = fields.String(allow_none=True)
    birth_date = fields.String(allow_none=True)
    id_type_label = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True, metadata={"description":
            "本人可见完整号码，其他人脱敏"})
    title_series = fields.String(allow_none=True)
    education_label = fields.String(allow_none=True)
    degree_label = fields.String(allow_none=True)
    title_name = fields.String(allow_none=True)


class DeclarationPersonalOut(BaseSchema):
    former_name = fields.String(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    birthplace = fields.String(allow_none=True)
    work_start_date = fields.String(allow_none=True)
    salary_grade = fields.String(allow_none=True)
    work_years = fields.Integer(allow_none=True)
    specialty_years = fields.Integer(allow_none=True)
    political_status = fields.String(allow_none=True)
    party_post = fields.String(allow_none=True)
    health = fields.String(allow_none=True)
    academic_posts = fields.String(allow_none=True)
    photo_file_id = fields.Integer(allow_none=True)


class DeclarationPlanRef(BaseSchema):
    id = fields.Integer()
    year = fields.Integer()
    name = fields.String()
    committee = fields.String(metadata={"description": "受理评委会"})
    starts_on = fields.String()
    ends_on = fields.String()
    window_state = fields.String()
    interview = fields.Boolean(metadata={"description": "是否面试"})


class DeclarationItemSchema(BaseSchema):
    """A row of 申报情况 / 我的申报记录."""
    id = fields.Integer()
    year = fields.Integer(metadata={"description": "申报年度"})
    plan = fields.Nested(DeclarationPlanRef)
    person_id = fields.Integer()
    person_name = fields.String(metadata={"description": "申报人"})
    gender_label = fields.String(allow_none=True, metadata={"description": "性别"})
    id_number = fields.String(allow_none=True, metadata={"description": "证件号码（列表中脱敏）"})
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True, metadata={"description": "申报单位"})
    form = fields.String()
    form_label = fields.String(metadata={"description": "申报形式"})
    series = fields.String(metadata={"description": "申报系列"})
    specialty = fields.String(metadata={"description": "申报专业"})
    title = fields.String(metadata={"description": "申报职称"})
    level = fields.String()
    level_label = fields.String(metadata={"description": "申报级别"})
    status = fields.String()
    status_label = fields.String(metadata={"description": "申报状态"})
    current_step_label = fields.String(allow_none=True, metadata={"description": "流程节点"})
    current_unit_name = fields.String(allow_none=True)
    created_at = fields.String()
    submitted_at = fields.String(allow_none=True, metadata={"description": "申报时间"})
    decided_at = fields.String(allow_none=True)
    process_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True, metadata={
        "description": "单位：本单位待审核的任务（用任务中心的审核接口审核）"})
    task_claimed_by = fields.String(allow_none=True)
    editable = fields.Boolean(metadata={"description": "个人：可填报、修改（编辑中或退回）"})
    deletable = fields.Boolean()


class DeclarationPageSchema(BaseSchema):
    items = fields.List(fields.Nested(DeclarationItemSchema))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    page_size = fields.Integer()


class DeclarationDetailSchema(DeclarationItemSchema):
    pledge_text = fields.String(metadata={"description": "诚信承诺书"})
    pledge_accepted_at = fields.String()
    person = fields.Nested(DeclarationPersonOut, metadata={"description":
            "申报人基本信息（来自个人信息）"})
    personal = fields.Nested(DeclarationPersonalOut, metadata={"description": "个人信息"})
    titles = fields.List(fields.Nested(DeclarationTitleOut),
                         metadata={"description": "现有职称情况"})
    sections = fields.List(fields.Nested(DeclarationSectionView),
                           metadata={"description": "申报业绩"})
    chain = fields.List(fields.Nested(DeclarationChainStepSchema))
    stages = fields.List(fields.Nested(DeclarationStageSchema),
                         metadata={"description": "申报进度"})
    opinion = fields.String(allow_none=True)
    opinion_unit_name = fields.String(allow_none=True)
    delete_warning = fields.String(allow_none=True, metadata={
        "description": "申报已截止时删除的提示"})
    viewer = fields.String(metadata={"description": "owner 本人, reviewer 当前审核单位, "
                                                    "unit 曾经审核的单位或计划单位, operator"})
    may_review = fields.Boolean(metadata={"description":
            "当前用户所在单位正在审核（可做删除标记、修改基本信息）"})
    may_recall = fields.Boolean(metadata={"description": "当前用户所在单位可撤回"})
    version = fields.Integer()


class DeclarationHistoryEntrySchema(BaseSchema):
    kind = fields.String(metadata={"description": "review 审核流程, change 修改记录"})
    process_id = fields.Integer(allow_none=True)
    step_index = fields.Integer(allow_none=True)
    step_label = fields.String(allow_none=True, metadata={"description": "个人申报、单位审核 …"})
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.String()
    opinion = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True)
    at = fields.String()


class DeclarationImportResultSchema(BaseSchema):
    declaration_id = fields.Integer()
    section = fields.Nested(DeclarationSectionView)


class DeclarationDeletedSchema(BaseSchema):
    id = fields.Integer()
    deleted = fields.Boolean()


class ReturnNoticeEntry(BaseSchema):
    kind = fields.String(metadata={
        "description": "opinion 退回意见 | item 标记删除的申报业绩 | health_row 标记删除的填报内容"
                       " | rule 不满足的申报条件"})
    kind_label = fields.String(metadata={"description": "类别名称"})
    section = fields.String(allow_none=True, metadata={
        "description": "栏目编码（卫生系列填报栏目为 health:<栏目>）"})
    section_label = fields.String(allow_none=True, metadata={"description": "栏目名称"})
    item_id = fields.Integer(allow_none=True, metadata={"description": "申报业绩或行的编号"})
    title = fields.String(allow_none=True, metadata={
        "description": "业绩名称、行号、条件名称或退回单位"})
    code = fields.String(allow_none=True, metadata={"description": "不满足的条件编码"})
    message = fields.String(allow_none=True, metadata={
        "description": "需要修改的内容：退回意见、标记删除原因或条件说明"})


class ReturnNoticeSchema(BaseSchema):
    declaration_id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    person_name = fields.String(allow_none=True, metadata={"description": "申报人"})
    unit_name = fields.String(allow_none=True, metadata={"description": "工作单位"})
    plan_name = fields.String(allow_none=True, metadata={"description": "评审计划"})
    specialty = fields.String(allow_none=True, metadata={"description": "申报专业"})
    title = fields.String(allow_none=True, metadata={"description": "申报职称"})
    returned_at = fields.String(allow_none=True, metadata={"description": "退回时间"})
    returned_by_unit_name = fields.String(allow_none=True, metadata={"description": "退回单位"})
    step_label = fields.String(allow_none=True, metadata={"description": "退回环节"})
    count = fields.Integer(metadata={"description": "需修改的事项数"})
    items = fields.List(fields.Nested(ReturnNoticeEntry), metadata={
        "description": "一次性告知的全部事项：退回意见、每个标记删除的业绩（含原因）、"
                       "每个不满足的申报条件"})


class UndoRejectResultSchema(BaseSchema):
    process_id = fields.Integer()
    task_id = fields.Integer(metadata={"description": "撤销后本单位重新审核的任务（本人待处理）"})
    step_index = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    undone_task_id = fields.Integer(metadata={"description": "被撤销的“不通过”任务"})


class RecallResultSchema(BaseSchema):
    process_id = fields.Integer()
    task_id = fields.Integer(metadata={"description": "撤回后本单位重新审核的任务"})
    step_index = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    recalled_task_id = fields.Integer(allow_none=True, metadata={
        "description": "下一级未领取、已撤销的任务（撤回待上报的审核时为空）"})
