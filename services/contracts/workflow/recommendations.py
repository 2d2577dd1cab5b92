"""The contract of employer recommendation (单位推荐意见), post quotas (岗位核准信息),
publicity (公示) and the unit's 上报: code tables, event types and the RPC request and
answer schemas (the gateway declares its routes with them)."""
from marshmallow import ValidationError, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, fields, validate

from .declarations import LEVELS

# --------------------------------------------------------------------------- code tables

POST_CHOICES = {"occupy": "占用", "not_occupy": "不占用"}
RESULTS = {"no_objection": "无异议", "objection": "有异议"}
QUOTA_STATUSES = {"saved": "未确认", "confirmed": "已确认"}

# Event types (docs/events.md).
RECOMMENDED = "declaration_recommended"
REPORTED = "declaration_reported"
PUBLICITY_RECORDED = "publicity_recorded"

YEAR = validate.Range(min=2000, max=2100)


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _vacancy(label):
    return fields.Integer(required=True, allow_none=True, strict=True,
                          validate=validate.Range(min=0, max=99999),
                          metadata={"label": label, "description": "空缺数；null 表示不限"})


# --------------------------------------------------------------------------- in

class PostQuotaSchema(BaseSchema):
    year = fields.Integer(required=True, strict=True, validate=YEAR,
                          metadata={"label": "核准年度"})
    senior = _vacancy("正高级职称")
    deputy_senior = _vacancy("副高级职称")
    intermediate = _vacancy("中级职称")
    junior = _vacancy("初级职称")
    form_file_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1), metadata={
                                      "label": "相关附件",
                                      "description":
                                          "盖章后的岗位核准表（文件服务上传位置 post_quota_form）"})
    confirm = fields.Boolean(load_default=False, metadata={
        "label": "确认", "description": "为真时保存后立即确认；确认后不可再更改"})


class PostQuotaUpdateSchema(PostQuotaSchema):
    """Only the fields given change."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", tuple(PostQuotaSchema._declared_fields))
        super().__init__(*args, **kwargs)


class PostQuotaQuery(LenientSchema):
    unit_id = fields.Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "label": "单位", "description": "人社部门查看所辖单位的岗位核准信息；默认本单位"})
    year = fields.Integer(load_default=None, validate=YEAR, metadata={"label": "核准年度"})


class RecommendationSchema(BaseSchema):
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata={"label": "单位推荐意见", "example": "同意推荐。"})
    signer = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=50), metadata={"label": "负责人"})
    signed_on = fields.Date(load_default=None, allow_none=True,
                            metadata={"label": "签字时间"})
    occupies_post = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(list(POST_CHOICES)),
        metadata={"label": "是否占用职数", "description":
                  "occupy 占用, not_occupy 不占用（须填写说明）；事业单位必填"})
    post_note = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=1000),
                              metadata={"label": "说明", "description": "不占用职数时必填"})
    material_file_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)), load_default=list,
        validate=validate.Length(max=30), metadata={
            "label": "单位推荐材料", "description":
            "已上传的文件编号，上传位置：rec_publicity 申报材料公示情况及证明、rec_opinion 单位推荐"
            "意见、"
            "rec_other 单位申报其他材料、rec_teacher_form、rec_teacher_note、rec_medical_license；"
            "为完整列表，未列出的已有材料将移除"})

    @validates_schema
    def _rules(self, data, **kwargs):
        if _blank(data.get("opinion")):
            raise ValidationError("请填写单位推荐意见", "opinion")
        if data.get("occupies_post") == "not_occupy" and _blank(data.get("post_note")):
            raise ValidationError("不占用职数时请填写说明", "post_note")
        ids = data.get("material_file_ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError("文件不能重复", "material_file_ids")


class PublicitySchema(BaseSchema):
    starts_on = fields.Date(required=True, metadata={"label": "公示开始日期"})
    ends_on = fields.Date(required=True, metadata={"label": "公示结束日期"})
    result = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(list(RESULTS)),
                           metadata={"label": "公示结果", "description":
                                     "no_objection 无异议, objection 有异议；为空表示尚未录入结果"})
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=1000), metadata={"label": "说明"})

    @validates_schema
    def _dates(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("公示结束日期不能早于开始日期", "ends_on")


class PublicityBatchSchema(PublicitySchema):
    declaration_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)), load_default=None,
        allow_none=True, validate=validate.Length(min=1, max=1000), metadata={
            "label": "选中的申报", "description":
                    "为空时对本单位所有已提交审核（审核中、审核通过）的申报批量添加"})
    plan_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1), metadata={"label": "评审计划"})
    year = fields.Integer(load_default=None, allow_none=True, strict=True, validate=YEAR,
                          metadata={"label": "申报年度"})

    @validates_schema
    def _unique(self, data, **kwargs):
        ids = data.get("declaration_ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError("申报不能重复", "declaration_ids")


class ObjectionSchema(BaseSchema):
    raised_on = fields.Date(required=True, metadata={"label": "异议提出日期"})
    raised_by = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=100), metadata={"label": "反映人"})
    content = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata={"label": "异议内容"})
    handling = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=2000), metadata={"label": "处理情况"})
    handled_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"label": "处理日期", "description": "默认当天"})

    @validates_schema
    def _content(self, data, **kwargs):
        if _blank(data.get("content")):
            raise ValidationError("请填写异议内容", "content")


class ObjectionHandlingSchema(BaseSchema):
    handling = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                             metadata={"label": "处理情况"})
    handled_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"label": "处理日期", "description": "默认当天"})

    @validates_schema
    def _handling(self, data, **kwargs):
        if _blank(data.get("handling")):
            raise ValidationError("请填写处理情况", "handling")


# --------------------------------------------------------------------------- out

class QuotaLevelOut(BaseSchema):
    level = fields.String(metadata={"description": ", ".join(LEVELS)})
    level_label = fields.String(metadata={"description": "正高级、副高级、中级、初级"})
    vacancy = fields.Integer(allow_none=True, metadata={"description": "空缺数；null 为不限"})
    vacancy_label = fields.String(allow_none=True, metadata={"description": "空缺（数字或“不限”）"})
    recommended = fields.Integer(metadata={"description": "已推荐（占用职数的推荐）"})


class PostQuotaOut(BaseSchema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    year = fields.Integer(metadata={"description": "核准年度"})
    senior = fields.Integer(allow_none=True, metadata={"description": "正高级空缺"})
    deputy_senior = fields.Integer(allow_none=True, metadata={"description": "副高级空缺"})
    intermediate = fields.Integer(allow_none=True, metadata={"description": "中级空缺"})
    junior = fields.Integer(allow_none=True, metadata={"description": "初级空缺"})
    levels = fields.List(fields.Nested(QuotaLevelOut))
    recommended = fields.Integer(metadata={"description": "已推荐（合计）"})
    form_file_id = fields.Integer(allow_none=True, metadata={"description": "岗位核准表"})
    status = fields.String(metadata={"description": "saved | confirmed"})
    status_label = fields.String(metadata={"description": "未确认、已确认"})
    confirmed = fields.Boolean(metadata={"description": "是否确认"})
    created_by_name = fields.String(allow_none=True)
    created_at = fields.String(metadata={"description": "创建时间"})
    updated_at = fields.String()
    confirmed_by_name = fields.String(allow_none=True)
    confirmed_at = fields.String(allow_none=True)
    version = fields.Integer()


class PostQuotaListOut(BaseSchema):
    unit_id = fields.Integer()
    items = fields.List(fields.Nested(PostQuotaOut))
    total = fields.Integer()


class MaterialSlotOut(BaseSchema):
    slot = fields.String()
    label = fields.String()
    file_ids = fields.List(fields.Integer())


class RecommendationOut(BaseSchema):
    id = fields.Integer()
    declaration_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    year = fields.Integer()
    level = fields.String()
    level_label = fields.String()
    opinion = fields.String(metadata={"description": "单位推荐意见"})
    signer = fields.String(allow_none=True, metadata={"description": "负责人"})
    signed_on = fields.String(allow_none=True, metadata={"description": "签字时间"})
    occupies_post = fields.String(allow_none=True)
    occupies_post_label = fields.String(allow_none=True, metadata={"description": "占用、不占用"})
    post_note = fields.String(allow_none=True, metadata={"description": "说明"})
    quota_id = fields.Integer(allow_none=True)
    material_file_ids = fields.List(fields.Integer())
    materials = fields.List(fields.Nested(MaterialSlotOut),
                            metadata={"description": "按上传位置分组的材料"})
    created_by_name = fields.String(allow_none=True)
    created_at = fields.String()
    updated_by_name = fields.String(allow_none=True)
    updated_at = fields.String()
    version = fields.Integer()


class PublicityOut(BaseSchema):
    id = fields.Integer()
    declaration_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    starts_on = fields.String(metadata={"description": "公示开始日期"})
    ends_on = fields.String(metadata={"description": "公示结束日期"})
    result = fields.String(allow_none=True)
    result_label = fields.String(metadata={"description": "无异议、有异议、未录入结果"})
    note = fields.String(allow_none=True)
    batch = fields.Boolean(metadata={"description": "是否批量添加"})
    batch_id = fields.String(allow_none=True)
    recorded_by_name = fields.String(allow_none=True)
    recorded_at = fields.String()
    version = fields.Integer()


class ObjectionOut(BaseSchema):
    id = fields.Integer()
    declaration_id = fields.Integer()
    raised_on = fields.String(metadata={"description": "异议提出日期"})
    raised_by = fields.String(allow_none=True, metadata={"description": "反映人"})
    content = fields.String(metadata={"description": "异议内容"})
    handling = fields.String(allow_none=True, metadata={"description": "处理情况"})
    handled_on = fields.String(allow_none=True)
    handled = fields.Boolean()
    status_label = fields.String(metadata={"description": "待处理、已处理"})
    recorded_by_name = fields.String(allow_none=True)
    recorded_at = fields.String()
    handled_by_name = fields.String(allow_none=True)
    updated_at = fields.String()


class ReportStateOut(BaseSchema):
    gated = fields.Boolean(metadata={"description": "评审计划要求单位统一上报"})
    held = fields.Boolean(metadata={"description": "待上报"})
    held_at = fields.String(allow_none=True)
    state_label = fields.String(allow_none=True)


class RecommendationScreenOut(BaseSchema):
    declaration_id = fields.Integer()
    person_name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    year = fields.Integer()
    title = fields.String()
    level = fields.String()
    level_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    recommendation = fields.Nested(RecommendationOut, allow_none=True)
    quota = fields.Nested(PostQuotaOut, allow_none=True, metadata={
        "description": "推荐人员情况：本单位该年度的岗位核准信息及已推荐（申报人本人看不到）"})
    publicity = fields.Nested(PublicityOut, allow_none=True)
    objections = fields.List(fields.Nested(ObjectionOut))
    report = fields.Nested(ReportStateOut)
    may_recommend = fields.Boolean(metadata={"description": "当前用户可填写单位推荐意见"})
    may_publicize = fields.Boolean(metadata={"description": "当前用户可录入公示信息"})


class PublicityBatchResultOut(BaseSchema):
    batch_id = fields.String()
    count = fields.Integer()
    items = fields.List(fields.Nested(PublicityOut))


class ReportItemOut(BaseSchema):
    declaration_id = fields.Integer()
    person_name = fields.String()
    specialty = fields.String()
    title = fields.String()
    level_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    state = fields.String(metadata={"description": "held | in_review | returned | reported | "
                                                  "approved | rejected | terminated"})
    state_label = fields.String(metadata={"description": "待上报、审核中、退回、已上报 …"})
    current_unit_name = fields.String(allow_none=True)


class ReportViewOut(BaseSchema):
    plan_id = fields.Integer()
    plan_name = fields.String()
    gated = fields.Boolean()
    unit_id = fields.Integer()
    held = fields.List(fields.Nested(ReportItemOut), metadata={"description": "待上报"})
    pending = fields.List(fields.Nested(ReportItemOut),
                          metadata={"description": "未审核完成（审核中、退回）"})
    done = fields.List(fields.Nested(ReportItemOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    may_report = fields.Boolean()
    message = fields.String(allow_none=True)


class ReportedOut(BaseSchema):
    declaration_id = fields.Integer()
    person_name = fields.String()
    next_unit_name = fields.String()
    task_id = fields.Integer()


class ReportResultOut(BaseSchema):
    plan_id = fields.Integer()
    unit_id = fields.Integer()
    reported = fields.List(fields.Nested(ReportedOut))
    count = fields.Integer()
    reported_at = fields.String()
