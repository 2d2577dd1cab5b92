"""Gateway operations serving the achievement-type catalogue (业绩类型目录)."""
from services.common.principal import PERSON
from services.common.schemas import BaseSchema, LenientSchema, validate
from services.common.schemas import fields as mf

from ..http import route

# The title series whose persons keep the health types (行业专用); the types it shows
# are all types, so reviewers get the whole catalogue by asking for it.
HEALTH_SERIES = "卫生技术人员"


class AchievementTypesQuery(LenientSchema):
    series = mf.String(
        load_default=None, validate=validate.Length(min=1, max=50),
        metadata={"label": "职称系列",
                  "description": "所在职称系列，如 卫生技术人员。为 卫生技术人员 时含行业专用"
                                 "（卫生）类型。不传时：申报人不含行业专用类型，单位等审核人员"
                                 "含全部类型。"})


class CatalogueUploadRuleSchema(BaseSchema):
    extensions = mf.List(mf.String(), metadata={"example": ["png", "jpg", "pdf"]})
    max_mb = mf.Float(metadata={"example": 2})
    max_files = mf.Integer(metadata={"example": 5})


class CatalogueSlotSchema(BaseSchema):
    code = mf.String(required=True, metadata={"description": "佐证材料槽位编码（主槽位 = 类型编码）"})
    label = mf.String(required=True)
    required = mf.Boolean(required=True)
    required_when = mf.Dict(allow_none=True,
                                metadata={"description": "{field, equals}：该字段取此值时必传"})
    rule_text = mf.String(allow_none=True,
                              metadata={"description": "种子手册中的上传要求原文（展示用）；"
                                                       "实际规则以文件服务为准"})
    rule = mf.Nested(CatalogueUploadRuleSchema, allow_none=True)
    note = mf.String()


class CatalogueFieldSchema(BaseSchema):
    key = mf.String(required=True)
    label = mf.String(required=True)
    kind = mf.String(required=True, metadata={
        "description": "text | textarea | date | month | year | int | decimal | select | "
                       "multiselect | bool | rank（个人排名/参与人数，值为 {rank, total}，显示为 "
                       "1/7） | unit（由绑定单位自动带出）"})
    required = mf.Boolean(required=True)
    options = mf.List(mf.String())
    max_length = mf.Integer(allow_none=True)
    min = mf.Raw(allow_none=True)
    max = mf.Raw(allow_none=True, metadata={"description": "日期、年度为 today 时不能晚于今天"})
    unit = mf.String(metadata={"example": "万元"})
    help = mf.String()
    places = mf.Integer(allow_none=True, metadata={"description": "小数位数"})
    format = mf.String(metadata={"description": "issn | isbn | url，按校验位/格式检查"})


class CatalogueColumnSchema(BaseSchema):
    label = mf.String(required=True)
    fields = mf.List(mf.String(), metadata={"description": "该列显示的字段"})
    system = mf.String(allow_none=True, metadata={
        "description": "系统列：status 审核状态、submitted_at 申报日期、source 来源、"
                       "case_count 病案数量、reference_count 文献数量、decided_at 审核时间"})


class CatalogueChildSchema(BaseSchema):
    code = mf.String(required=True, metadata={"description": "cases | references"})
    label = mf.String(required=True)
    fields = mf.List(mf.Nested(CatalogueFieldSchema))
    list_columns = mf.List(mf.String())
    template_columns = mf.List(mf.String(), metadata={"description": "导入模板的列"})
    evidence_slot = mf.String(allow_none=True)
    evidence_required = mf.Boolean()
    rules = mf.List(mf.Dict())


class CatalogueTypeSchema(BaseSchema):
    code = mf.String(required=True, metadata={"example": "work_history"})
    label = mf.String(required=True, metadata={"example": "工作经历"})
    category = mf.String(required=True, metadata={"example": "basic"})
    category_label = mf.String(metadata={"example": "基本信息"})
    title_field = mf.String(metadata={"description": "作为业绩名称显示的字段"})
    fields = mf.List(mf.Nested(CatalogueFieldSchema))
    list_columns = mf.List(mf.String(), metadata={"description": "列表显示的字段（手册顺序）"})
    columns = mf.List(mf.Nested(CatalogueColumnSchema),
                          metadata={"description": "列表表头（手册顺序，含系统列）"})
    query_fields = mf.List(mf.String(), metadata={"description": "可查询的字段"})
    query_hint = mf.String(metadata={"example": "请输入单位名称、从事专业、担任职务进行查询"})
    evidence_slot = mf.String(allow_none=True)
    evidence_required = mf.Boolean()
    evidence = mf.List(mf.Nested(CatalogueSlotSchema))
    rules = mf.List(mf.Dict(), metadata={
        "description": "字段间规则：date_range、required_unless（至今/长期有效）、required_if、"
                       "not_future_if、within_years、children（病案/参考文献数量）"})
    health_only = mf.Boolean()
    children = mf.String(allow_none=True)
    features = mf.Dict(keys=mf.String(), values=mf.Boolean(), metadata={
        "description": "列表页的其他操作：extract 提取、template_import 模板下载/导入、"
                       "batch_submit 批量提交、adjust 调整、withdraw_approved 撤回审核通过的记录"})


class CatalogueCategorySchema(BaseSchema):
    code = mf.String(required=True, metadata={"example": "basic"})
    label = mf.String(required=True, metadata={"example": "基本信息"})
    types = mf.List(mf.String())


class CatalogueWithdrawalLogSchema(BaseSchema):
    label = mf.String()
    columns = mf.List(mf.Nested(CatalogueColumnSchema))
    query = mf.List(mf.String())
    query_hint = mf.String()


class AchievementTypesSchema(BaseSchema):
    title_series = mf.String(allow_none=True)
    categories = mf.List(mf.Nested(CatalogueCategorySchema))
    types = mf.List(mf.Nested(CatalogueTypeSchema))
    children = mf.List(mf.Nested(CatalogueChildSchema))
    system_columns = mf.Dict(keys=mf.String(), values=mf.String())
    sources = mf.Dict(keys=mf.String(), values=mf.String(),
                          metadata={"example": {"user": "用户申报", "auto": "自动生成"}})
    withdrawal_log = mf.Nested(CatalogueWithdrawalLogSchema,
                               metadata={"description": "撤回记录的列表与查询项"})


class CatalogueRoutes:

    @route("GET", "/api/v1/achievement-types", summary="业绩类型目录（分类、类型、字段、列表、查询、佐证材料）",
           tag="个人业绩库", query=AchievementTypesQuery, response=AchievementTypesSchema,
           description="The record-type catalogue from which a front end draws every form "
                       "and list. `series` selects the title series: the health types "
                       "(行业专用) appear only for 卫生技术人员. Without `series` a person "
                       "gets the catalogue without the health types and other callers "
                       "(reviewers) get every type.")
    def achievement_types(self, ctx):
        series = ctx.query.get("series")
        if series is None:
            if ctx.principal.has(PERSON) and ctx.principal.person_id:
                brief = self.identity_rpc.get_person_brief(ctx.principal.person_id)
                series = brief.get("title_series_label") or ""
            else:
                series = HEALTH_SERIES
        return self.achievements_rpc.catalogue(title_series=series)
