"""Gateway operations serving the achievement-type catalogue (业绩类型目录)."""
from services.common.principal import PERSON
from services.common.schemas import LenientSchema, validate
from services.common.schemas import fields as mf
from services.contracts.achievements import AchievementTypesSchema

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


class CatalogueRoutes:

    @route("GET", "/api/v1/achievement-types", summary="业绩类型目录（分类、类型、字段、列表、"
                                                       "查询、佐证材料）",
           tag="个人业绩库", query=AchievementTypesQuery, response=AchievementTypesSchema,
           description="业绩类型目录，前端据此生成各业绩的表单和列表。`series` 选择职称系列："
                       "行业专用（卫生）类型只在 卫生技术人员 时出现。不传 `series` 时，申报人"
                       "按本人的职称系列，单位等审核人员得到全部类型。")
    def achievement_types(self, ctx):
        series = ctx.query.get("series")
        if series is None:
            if ctx.principal.has(PERSON) and ctx.principal.person_id:
                brief = self.identity_rpc.get_person_brief(ctx.principal.person_id)
                series = brief.get("title_series_label") or ""
            else:
                series = HEALTH_SERIES
        return self.achievements_rpc.catalogue(title_series=series)
