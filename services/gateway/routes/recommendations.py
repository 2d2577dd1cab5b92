"""Gateway operations of employer recommendation (单位推荐意见), post quotas (岗位核准信息),
publicity (公示) and the unit's 上报 (统一上报, Chongqing's gate).

The employer unit fills in the recommendation while it reviews a declaration (单位审核),
before it approves it in the task center; a 事业单位 first keeps its post quota of the
year (saved, then confirmed and fixed) and answers for each person whether they occupy a
post. Publicity dates and results are entered per declaration or in batch; objections
raised during the publicity are recorded with their handling. Under a plan with
``unit_gate`` the employer's approvals wait (待上报) until its 上报.
"""
from services.common.principal import OPERATOR, UNIT_ADMIN
from services.common.schemas import dump
from services.contracts.workflow import recommendations as rs

from ..http import route

TAG_RECOMMEND = "职称申报（单位推荐意见与公示）"
TAG_QUOTA = "岗位核准信息"
ADMINS = (UNIT_ADMIN,)


def _wire(schema, data):
    """Loaded data back to JSON for the RPC (dates as ISO strings)."""
    return dump(schema, data)


class RecommendationRoutes:

    # ------------------------------------------------------------------ recommendation

    @route("GET", "/api/v1/declarations/{id}/recommendation",
           summary="单位推荐意见（推荐意见、推荐人员情况、公示及异议、上报状态）",
           tag=TAG_RECOMMEND, response=rs.RecommendationScreenOut, errors=(404,),
           description="能查看该申报的用户均可查看（申报人本人看不到岗位核准和已推荐数）。"
                       "may_recommend：当前用户可填写推荐意见（申报单位的管理员，"
                       "申报正在本单位审核）。")
    def recommendation_get(self, ctx, id):
        return self.workflow_rpc.get_recommendation(id)

    @route("PUT", "/api/v1/declarations/{id}/recommendation", summary="保存单位推荐意见",
           tag=TAG_RECOMMEND, roles=ADMINS, body=rs.RecommendationSchema,
           response=rs.RecommendationScreenOut, errors=(403, 404, 409),
           description=
                   "申报单位（用人单位）的管理员在单位审核时填写，审核通过前必须填写（否则审核通过"
                       "时 409 recommendation.required）。事业单位须先确认本年度岗位核准信息"
                       "（409 recommendation.quota_required），并选择是否占用职数；占用时不能超过"
                       "该级别的空缺数（409 recommendation.quota_exceeded）；不占用时须填写说明"
                       "（422）。material_file_ids 为完整的材料列表。其他能查看该申报的单位 403，"
                       "其余 404。")
    def recommendation_save(self, ctx, id):
        return self.workflow_rpc.save_recommendation(
            id, _wire(rs.RecommendationSchema, ctx.body))

    # ------------------------------------------------------------------ post quotas

    @route("GET", "/api/v1/unit/post-quotas", summary="岗位核准信息列表（空缺数与已推荐）",
           tag=TAG_QUOTA, roles=(UNIT_ADMIN, OPERATOR), query=rs.PostQuotaQuery,
           response=rs.PostQuotaListOut, errors=(404,),
           description="本单位的岗位核准信息，按年度倒序；levels 为各级别的空缺数（null 为不限）和"
                       "已推荐（占用职数且未退回、未审核不通过的申报）。人社部门可用 unit_id 查看"
                       "所辖单位的岗位核准信息。")
    def post_quota_list(self, ctx):
        return self.workflow_rpc.list_post_quotas(ctx.query)

    @route("POST", "/api/v1/unit/post-quotas", summary="新增岗位核准信息（保存或确认）",
           tag=TAG_QUOTA, roles=ADMINS, body=rs.PostQuotaSchema, response=rs.PostQuotaOut,
           status=201, errors=(404, 409),
           description="只有事业单位（409 post_quota.not_institution）。每个核准年度一条（409 "
                       "post_quota.exists）。正高级、副高级、中级、初级的空缺数为整数或 null（不限"
                       "）。"
                       "form_file_id 为盖章后的岗位核准表（上传位置 post_quota_form），确认时必须上"
                       "传。"
                       "confirm=true 时保存后立即确认，确认后不可再更改。")
    def post_quota_create(self, ctx):
        return self.workflow_rpc.create_post_quota(_wire(rs.PostQuotaSchema, ctx.body))

    @route("GET", "/api/v1/unit/post-quotas/{id}", summary="岗位核准信息详情", tag=TAG_QUOTA,
           roles=(UNIT_ADMIN, OPERATOR), response=rs.PostQuotaOut, errors=(404,))
    def post_quota_get(self, ctx, id):
        return self.workflow_rpc.get_post_quota(id)

    @route("PATCH", "/api/v1/unit/post-quotas/{id}", summary="修改岗位核准信息（确认前）",
           tag=TAG_QUOTA, roles=ADMINS, body=rs.PostQuotaUpdateSchema,
           response=rs.PostQuotaOut, errors=(404, 409),
           description=
                   "只修改提交的字段。已确认的岗位核准信息不可再更改（409 post_quota.confirmed）。")
    def post_quota_update(self, ctx, id):
        return self.workflow_rpc.update_post_quota(id, _wire(rs.PostQuotaUpdateSchema,
                                                             ctx.body))

    @route("POST", "/api/v1/unit/post-quotas/{id}/confirm", summary="确认岗位核准信息",
           tag=TAG_QUOTA, roles=ADMINS, response=rs.PostQuotaOut, errors=(404, 409),
           description="须已上传岗位核准表（422 post_quota.form_required）；确认后不可再更改。")
    def post_quota_confirm(self, ctx, id):
        return self.workflow_rpc.confirm_post_quota(id)

    # ------------------------------------------------------------------ publicity

    @route("PUT", "/api/v1/declarations/{id}/publicity", summary="公示结果录入（单个申报）",
           tag=TAG_RECOMMEND, roles=ADMINS, body=rs.PublicitySchema,
           response=rs.RecommendationScreenOut, errors=(403, 404, 409),
           description="申报单位的管理员录入公示起止时间和公示结果（无异议/有异议，可暂不录入），"
                       "再次录入即修改。申报须已提交到本单位审核（审核中或审核通过）。已登记异议时"
                       "结果不能为无异议（409 publicity.refused）。")
    def publicity_record(self, ctx, id):
        return self.workflow_rpc.record_publicity(id, _wire(rs.PublicitySchema, ctx.body))

    @route("POST", "/api/v1/unit/publicity", summary="公示结果录入（选中人员或整个单位批量添加）",
           tag=TAG_RECOMMEND, roles=ADMINS, body=rs.PublicityBatchSchema,
           response=rs.PublicityBatchResultOut, status=201, errors=(404, 409),
           description="declaration_ids 为空时对本单位所有已提交审核（审核中、审核通过）的申报同时"
                       "添加（可按 plan_id、year 限定），需谨慎操作。全部成功或全部不录入：有不能"
                       "录入的申报时 409 publicity.refused，details.declarations 列出原因。")
    def publicity_batch(self, ctx):
        return self.workflow_rpc.record_unit_publicity(_wire(rs.PublicityBatchSchema,
                                                             ctx.body))

    @route("POST", "/api/v1/declarations/{id}/publicity/objections",
           summary="登记公示期间的异议", tag=TAG_RECOMMEND, roles=ADMINS,
           body=rs.ObjectionSchema, response=rs.RecommendationScreenOut, status=201,
           errors=(403, 404, 409),
           description=
                   "须先录入公示起止时间（409 objection.no_publicity），异议提出日期须在公示期间"
                       "（422 objection.outside_publicity）；公示结果为无异议时不能登记（409）。"
                       "可同时填写处理情况。")
    def objection_add(self, ctx, id):
        return self.workflow_rpc.add_publicity_objection(id, _wire(rs.ObjectionSchema,
                                                                   ctx.body))

    @route("PATCH", "/api/v1/declarations/{id}/publicity/objections/{objection_id}",
           summary="异议处理情况", tag=TAG_RECOMMEND, roles=ADMINS,
           body=rs.ObjectionHandlingSchema, response=rs.RecommendationScreenOut,
           errors=(403, 404))
    def objection_handle(self, ctx, id, objection_id):
        return self.workflow_rpc.handle_publicity_objection(
            id, objection_id, _wire(rs.ObjectionHandlingSchema, ctx.body))

    # ------------------------------------------------------------------ 上报

    @route("GET", "/api/v1/unit/plans/{id}/report", summary="上报情况（待上报、未审核完成）",
           tag=TAG_RECOMMEND, roles=ADMINS, response=rs.ReportViewOut, errors=(403, 404),
           description="用人单位本单位该评审计划的申报：held 待上报（审核通过、等待上报），pending "
                       "未审核完成（审核中、退回），done 其余。may_report 为真时可上报。")
    def report_status(self, ctx, id):
        return self.workflow_rpc.unit_report_status(id)

    @route("POST", "/api/v1/unit/plans/{id}/report", summary="上报（提交上一级）",
           tag=TAG_RECOMMEND, roles=ADMINS, response=rs.ReportResultOut,
           errors=(403, 404, 409),
           description="评审计划要求单位统一上报时（unit_gate），本单位审核通过的申报先为“待上报”；"
                       "本单位该计划的申报全部审核通过或审核不通过后（无审核中、退回），上报将所有"
                       "待上报的申报一并提交上一级。否则 409 report.pending（列出未审核完成的人员）"
                       "；"
                       "没有待上报的申报时 409 report.nothing。")
    def report_submit(self, ctx, id):
        return self.workflow_rpc.report_unit_declarations(id)
