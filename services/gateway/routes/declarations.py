"""Gateway operations of evaluation plans (评审计划) and title declarations (职称申报).

Plans are published by HR departments and committee organisers; persons declare against
them (马上申报), fill in, import approved achievement records, pass the eligibility check
and submit; units review through the task center (审核 = ``POST /api/v1/tasks/{id}/
decision`` with the ``task_id`` of a declaration in their list), mark items deleted,
correct small errors of the basic information and recall what they passed up.
"""
import base64
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.schemas import dump
from services.contracts.identity import ViewReasonQuery
from services.contracts.workflow import declarations as ps
from services.contracts.workflow import health as hsc
from services.contracts.workflow.expert import ExpertViewSchema

from ..http import route

TAG_PLANS = "评审计划"
TAG_DECLARATIONS = "职称申报"
TAG_UNIT = "职称申报（单位审核）"
TAG_TASKS = "任务中心"
TAG_HEALTH = "职称申报（重庆卫生系列评审表）"
PUBLISHERS = (UNIT_ADMIN, OPERATOR)
# Auditors read only the audit log, other systems only the event feed (docs/api.md).
PLAN_READERS = (PERSON, UNIT_ADMIN, OPERATOR)
REVIEWERS = (UNIT_ADMIN,)


def _wire(schema, data):
    """Loaded data back to JSON for the RPC (dates as ISO strings)."""
    return dump(schema, data)


def _download(answer):
    """A file answer of the workflow service (pledge template) as an HTTP download."""
    if "content_base64" not in answer:
        return answer
    data = base64.b64decode(answer["content_base64"])
    filename = answer["filename"]
    return Response(data, content_type=answer["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def _health_put(code, description):
    """``PUT /api/v1/declarations/{id}/health/<code>``: one section of the health-series
    form, with that section's own body schema."""
    schema = hsc.SECTION_SCHEMAS[code]

    def handler(self, ctx, id):
        return self.workflow_rpc.save_declaration_health(id, code, hsc.to_wire(code, ctx.body))

    handler.__name__ = handler.__qualname__ = f"declaration_health_{code}"
    return route("PUT", f"/api/v1/declarations/{{id}}/health/{code}",
                 summary=f"保存{hsc.SECTIONS[code]}", tag=TAG_HEALTH, roles=(PERSON,), body=schema,
                 response=hsc.HealthViewSchema, errors=(404, 409),
                 description="申报人本人，编辑中或退回时。" + description)(handler)


class DeclarationRoutes:

    # ------------------------------------------------------------------ plans

    @route("POST", "/api/v1/plans", summary="新建评审计划（草稿）", tag=TAG_PLANS,
           roles=PUBLISHERS, body=ps.PlanSchema, response=ps.PlanDetailSchema, status=201,
           errors=(404,),
           description="人社部门或评委会组建单位的管理员（及运维人员）。人社部门发布时 "
                       "hr_unit_id 为本单位，须选择评委会组建单位 organiser_unit_id；组建单位发布时"
                       "反之；运维人员两者都须选择。sections 为申报业绩的栏目：可导入的业绩类型、"
                       "最少/最多导入数量、是否必填。")
    def plan_create(self, ctx):
        return self.workflow_rpc.create_plan(_wire(ps.PlanSchema, ctx.body))

    @route("PATCH", "/api/v1/plans/{id}", summary="修改评审计划", tag=TAG_PLANS,
           roles=PUBLISHERS, body=ps.PlanUpdateSchema, response=ps.PlanDetailSchema,
           errors=(404, 409),
           description="只修改提交的字段。已有人员申报后，不能修改年度、评审级别，不能删减可评审专"
                       "业和职称（409）。")
    def plan_update(self, ctx, id):
        return self.workflow_rpc.update_plan(id, _wire(ps.PlanUpdateSchema, ctx.body))

    @route("POST", "/api/v1/plans/{id}/publish", summary="发布评审计划", tag=TAG_PLANS,
           roles=PUBLISHERS, response=ps.PlanDetailSchema, errors=(404, 409))
    def plan_publish(self, ctx, id):
        return self.workflow_rpc.publish_plan(id)

    @route("GET", "/api/v1/plans", summary="评审计划列表（按年度、评审级别、计划类型查询）",
           tag=TAG_PLANS, roles=PLAN_READERS, query=ps.PlanListQuery,
           response=ps.PlanPageSchema,
           description="已发布的计划（发布单位另可见本单位的草稿），按年度倒序。counts 为 "
                       "全部 / 未开始 / 申报中 / 已截止 的数量。")
    def plan_list(self, ctx):
        return self.workflow_rpc.list_plans(ctx.query)

    @route("GET", "/api/v1/plans/{id}", summary="评审计划详情（职称申报申请计划）", tag=TAG_PLANS,
           roles=PLAN_READERS, response=ps.PlanDetailSchema, errors=(404,),
           description="个人另有 my_declaration、can_declare、declare_code 和 "
                       "declare_message：本申报年度已有申报记录、不在申报时间内、未绑定"
                       "单位或单位属地未完善时“马上申报”不可用，declare_code 与 "
                       "declare_message 即提交时将返回的错误码与信息。")
    def plan_get(self, ctx, id):
        return self.workflow_rpc.get_plan(id)

    @route("GET", "/api/v1/plans/{id}/specialties", summary="可评审专业（可输入关键字搜索）",
           tag=TAG_PLANS, roles=PLAN_READERS, query=ps.PlanSpecialtyQuery,
           response=ps.PlanSpecialty, many=True, errors=(404,))
    def plan_specialties(self, ctx, id):
        return self.workflow_rpc.plan_specialties(id, ctx.query)

    @route("GET", "/api/v1/plans/{id}/pledge", summary="诚信承诺书（申报前确认；可下载模板）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), query=ps.DeclarationPledgeQuery,
           response=ps.DeclarationPledgeSchema, errors=(404,),
           description="承诺书正文含申报人所在单位和所申报的专业-职称。format=text、html 或 "
                       "pdf 时下载承诺书模板（text/plain、text/html、application/pdf）。")
    def plan_pledge(self, ctx, id):
        return _download(self.workflow_rpc.plan_pledge(id, ctx.query))

    # ------------------------------------------------------------------ declarations

    @route("POST", "/api/v1/declarations", summary=
            "马上申报（选择申报形式、系列、专业、职称并确认承诺书）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), body=ps.DeclarationCreateSchema,
           response=ps.DeclarationDetailSchema, status=201, errors=(404, 409),
           description="一个申报年度（评审计划年度）只允许申报一次职称，不限系列和专业：已有申报"
                       "记录时 409。须在申报时间内，已绑定工作单位且单位属地信息完善。")
    def declaration_create(self, ctx):
        return self.workflow_rpc.create_declaration(ctx.body)

    @route("GET", "/api/v1/declarations", summary="我的申报记录（当前申报记录和历史记录）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), query=ps.DeclarationListQuery,
           response=ps.DeclarationPageSchema)
    def declaration_list(self, ctx):
        return self.workflow_rpc.list_my_declarations(ctx.query)

    @route("GET", "/api/v1/declarations/{id}", summary="申报信息详情", tag=TAG_DECLARATIONS,
           query=ViewReasonQuery, response=ps.DeclarationDetailSchema, errors=(404, 422),
           description="本人；申报曾到达的审核单位；评审计划的发布单位、人社部门和组建单位"
                       "（提交后）。审核单位看到的业绩为提交时冻结的副本，做了删除标记的业绩 "
                       "marked_deleted 为 true（灰色显示）。运维人员须填写查看原因 reason"
                       "（至少 5 个字，记入审计日志），否则 422 declaration.reason_required。")
    def declaration_get(self, ctx, id):
        return self.workflow_rpc.get_declaration(id, ctx.query.get("reason"))

    @route("GET", "/api/v1/declarations/{id}/pledge", summary="下载本申报的诚信承诺书",
           tag=TAG_DECLARATIONS, roles=(PERSON,), query=ps.DeclarationPledgeQuery,
           response=ps.DeclarationPledgeSchema, errors=(404,))
    def declaration_pledge(self, ctx, id):
        return _download(self.workflow_rpc.declaration_pledge(id, ctx.query["format"]))

    @route("PATCH", "/api/v1/declarations/{id}/personal", summary="保存个人信息",
           tag=TAG_DECLARATIONS, roles=(PERSON,), body=ps.DeclarationPersonalUpdateSchema,
           response=ps.DeclarationDetailSchema, errors=(404, 409),
           description="编辑中或退回时。只修改提交的字段；photo_file_id 为已上传的照片。")
    def declaration_personal(self, ctx, id):
        return self.workflow_rpc.update_declaration_personal(
            id, _wire(ps.DeclarationPersonalUpdateSchema, ctx.body))

    @route("PUT", "/api/v1/declarations/{id}/titles", summary="保存现有职称情况（含顺序）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), body=ps.DeclarationTitlesSchema,
           response=ps.DeclarationDetailSchema, errors=(404, 409),
           description="整个列表，按显示顺序；每条须填写证书编号、工作单位、系列、专业、资格名称、"
                       "取得方式并上传附件。")
    def declaration_titles(self, ctx, id):
        return self.workflow_rpc.update_declaration_titles(id, ctx.body)

    @route("POST", "/api/v1/declarations/{id}/specialty", summary="修改专业（同一评审计划内）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), body=ps.SpecialtyChangeSchema,
           response=ps.DeclarationDetailSchema, errors=(404, 409))
    def declaration_specialty(self, ctx, id):
        return self.workflow_rpc.change_declaration_specialty(id, ctx.body)

    @route("DELETE", "/api/v1/declarations/{id}", summary="删除申报记录", tag=TAG_DECLARATIONS,
           roles=(PERSON,), query=ps.DeclarationDeleteQuery,
           response=ps.DeclarationDeletedSchema, errors=(404, 409),
           description="编辑中或退回时可删除。评审计划申报已截止时，删除后无法再次申报：须 "
                       "confirm=true，否则 409 declaration.delete_confirm。")
    def declaration_delete(self, ctx, id):
        return self.workflow_rpc.delete_declaration(id, ctx.query["confirm"])

    @route("POST", "/api/v1/declarations/{id}/sections/{section}/items",
           summary="导入业绩（个人业绩库中审核通过的记录）", tag=TAG_DECLARATIONS, roles=(PERSON,),
           body=ps.DeclarationImportSchema, response=ps.DeclarationImportResultSchema,
           status=201, errors=(404, 409), path_params={"section": "string"},
           description="只能导入本栏目可导入类型的本人审核通过的业绩，不超过最多导入数量。导入的"
                       "业绩在申报期间不能撤回。可选记录见 GET /api/v1/records?type=&status"
                       "=approved。")
    def declaration_import(self, ctx, id, section):
        return self.workflow_rpc.import_declaration_items(id, section,
                                                          ctx.body["record_ids"])

    @route("DELETE", "/api/v1/declarations/{id}/items/{item_id}", summary="移除导入的业绩",
           tag=TAG_DECLARATIONS, roles=(PERSON,), response=ps.DeclarationImportResultSchema,
           errors=(404, 409))
    def declaration_item_remove(self, ctx, id, item_id):
        return self.workflow_rpc.remove_declaration_item(id, item_id)

    @route("POST", "/api/v1/declarations/{id}/items/{item_id}/move", summary="上移 / 下移",
           tag=TAG_DECLARATIONS, roles=(PERSON,), body=ps.DeclarationItemMoveSchema,
           response=ps.DeclarationImportResultSchema, errors=(404, 409))
    def declaration_item_move(self, ctx, id, item_id):
        return self.workflow_rpc.move_declaration_item(id, item_id, ctx.body["direction"])

    @route("GET", "/api/v1/declarations/{id}/check", summary="申报条件检查", tag=TAG_DECLARATIONS,
           roles=(PERSON,), response=ps.EligibilitySchema, errors=(404,),
           description="逐条列出评审计划的每项条件及是否通过；有未通过的条件时不能提交。")
    def declaration_check(self, ctx, id):
        return self.workflow_rpc.check_declaration(id)

    @route("POST", "/api/v1/declarations/{id}/submit", summary="提交审核", tag=TAG_DECLARATIONS,
           roles=(PERSON,), response=ps.DeclarationDetailSchema, errors=(404, 409),
           description="申报条件检查未通过时 409 declaration.ineligible（details.rules 为未通过的"
                       "条件）。审核流程按所在单位逐级向上生成：单位审核 → 主管部门 → 人社部门 → "
                       "组建单位；退回后再次提交从单位审核重新开始。")
    def declaration_submit(self, ctx, id):
        return self.workflow_rpc.submit_declaration(id)

    @route("GET", "/api/v1/declarations/{id}/progress",
           summary="申报进度（申报 → 单位审核 → 主管部门 → 人社部门 → 组建单位 → 审核通过）",
           tag=TAG_DECLARATIONS, response=ps.DeclarationProgressSchema, errors=(404,))
    def declaration_progress(self, ctx, id):
        return self.workflow_rpc.declaration_progress(id)

    @route("GET", "/api/v1/declarations/{id}/history", summary="申报流程（每一级审核及修改记录）",
           tag=TAG_DECLARATIONS, response=ps.DeclarationHistoryEntrySchema, many=True,
           errors=(404,))
    def declaration_history(self, ctx, id):
        return self.workflow_rpc.declaration_history(id)

    # ------------------------------------------------------------------ units

    @route("GET", "/api/v1/unit/declarations", summary=
            "申报情况（待审核/待领取/已审核/被退回/全部）",
           tag=TAG_UNIT, roles=(UNIT_ADMIN, OPERATOR), query=ps.UnitDeclarationQuery,
           response=ps.DeclarationPageSchema,
           description="本单位正在审核或曾经审核的申报（主管部门只见所属单位的申报），以及本单位"
                       "发布或作为人社部门、组建单位的评审计划的申报。q 按申报人姓名查询。"
                       "counts 为各页签数量；task_id 为本单位待审核的任务。")
    def unit_declarations(self, ctx):
        return self.workflow_rpc.list_unit_declarations(ctx.query)

    @route("POST", "/api/v1/declarations/{id}/items/{item_id}/mark",
           summary="删除标记（审核单位标记有问题的业绩材料）", tag=TAG_UNIT, roles=REVIEWERS,
           body=ps.DeclarationItemMarkSchema, response=ps.DeclarationDetailSchema,
           errors=(404, 409),
           description=
                   "只有正在审核该申报的单位。标记删除的业绩审核时灰色显示，打印评审表时不出现。")
    def declaration_item_mark(self, ctx, id, item_id):
        return self.workflow_rpc.mark_declaration_item(id, item_id, ctx.body)

    @route("PATCH", "/api/v1/declarations/{id}/basic-info",
           summary="修改基本信息（审核单位修改小范围的错误）", tag=TAG_UNIT, roles=REVIEWERS,
           body=ps.DeclarationCorrectionSchema, response=ps.DeclarationDetailSchema,
           errors=(404, 409),
           description="只有正在审核该申报的单位；每项修改的原值和新值记入申报流程。")
    def declaration_correct(self, ctx, id):
        return self.workflow_rpc.correct_declaration(
            id, _wire(ps.DeclarationCorrectionSchema, ctx.body))

    @route("POST", "/api/v1/declarations/{id}/recall", summary="撤回（上一级尚未领取时）",
           tag=TAG_UNIT, roles=REVIEWERS, response=ps.RecallResultSchema, errors=(404, 409),
           description="本单位审核通过并提交到上一级的申报，上一级未领取且未审核时可撤回到本单位"
                       "待处理；否则 409 指定流程的当前状态不允许撤回。")
    def declaration_recall(self, ctx, id):
        return self.workflow_rpc.recall_declaration(id)

    @route("GET", "/api/v1/declarations/{id}/expert-view", summary="专家查看",
           tag=TAG_UNIT, roles=REVIEWERS, response=ExpertViewSchema, errors=(404,),
           description="审核通过菜单的“专家查看”（重庆卫生系列操作手册 2.4.2、3.4.2）："
                       "评审专家将看到的申报内容，只读。与评审表打印一致，审核单位标记删除的"
                       "业绩和填报行不出现；files 列出专家可查看的每个材料及其下载接口。"
                       "本轮审核中已审核通过该申报的单位及其上级（正在审核该申报的上级单位）"
                       "的管理员可查看；申报人、尚未审核通过的单位、申报尚未到达的单位及其他人"
                       " 404；退回、不通过、终止后不可查看（404）。")
    def declaration_expert_view(self, ctx, id):
        return self.workflow_rpc.declaration_expert_view(id)

    @route("GET", "/api/v1/declarations/{id}/return-notice", summary="退回告知（一次性告知）",
           tag=TAG_DECLARATIONS, roles=(PERSON,), response=ps.ReturnNoticeSchema,
           errors=(404, 409),
           description="被退回的申报需修改的全部事项，一次列出：退回意见、每个被审核单位标记"
                       "删除的业绩或填报行及原因、每个当前不满足的申报条件；未被退回时 409 "
                       "declaration.not_returned。")
    def declaration_return_notice(self, ctx, id):
        return self.workflow_rpc.declaration_return_notice(id)

    @route("POST", "/api/v1/declarations/{id}/undo-reject", summary="撤销审核不通过",
           tag=TAG_UNIT, roles=REVIEWERS, response=ps.UndoRejectResultSchema,
           errors=(404, 409),
           description="审核未通过中本单位作出“不通过”的申报，计划允许时（重庆，计划的 "
                       "undo_reject）可撤销，申报回到本单位审核（本人待处理）；计划不允许时 409 "
                       "declaration.undo_reject_not_allowed，非本单位不通过时 409 "
                       "task.not_undoable。")
    def declaration_undo_reject(self, ctx, id):
        return self.workflow_rpc.undo_reject_declaration(id)

    @route("POST", "/api/v1/tasks/{id}/recall", summary="撤回已提交到上一级的任务", tag=TAG_TASKS,
           roles=REVIEWERS, response=ps.RecallResultSchema, errors=(404, 409),
           description=
                   "我已处理中本单位审核通过的任务，下一级未领取时可撤回，任务回到本单位待处理；"
                       "否则 409 指定流程的当前状态不允许撤回。")
    def task_recall(self, ctx, id):
        return self.workflow_rpc.recall_task(id)

    # ------------------------------------------------------------------ health series
    # 重庆市卫生系列评审表的栏目 (manual seed 004, 4.3): services/workflow/health_rpc.py

    @route("GET", "/api/v1/declarations/{id}/health", summary="评审表栏目（卫生系列）",
           tag=TAG_HEALTH, query=ViewReasonQuery, response=hsc.HealthViewSchema,
           errors=(404, 409, 422),
           description=
                   "卫生技术人员系列申报的评审表各栏目：填报表格类别、基本信息、年度考核、学习培训"
                       "经历、工作经历、任现职前/任现职以来业绩、工作量、论文及学术报告、专业考试成"
                       "绩、"
                       "工作总结及考核鉴定材料、其他附件、查档情况、申报诚信情况。提交后显示提交时"
                       "冻结的"
                       "副本；审核单位做了删除标记的行 deleted 为 true。其他系列 409 health.not"
                       "_applicable。"
                       "可查看者同申报信息详情（运维人员须填写查看原因 reason，记入审计日志）。")
    def declaration_health(self, ctx, id):
        return self.workflow_rpc.get_declaration_health(id, ctx.query.get("reason"))

    @route("GET", "/api/v1/declarations/{id}/health/form-categories",
           summary="填报表格类别及说明", tag=TAG_HEALTH, response=hsc.FormCategoriesSchema,
           errors=(404, 409),
           description=
                   "临床、公卫、中医药、护理、药学、医技、计划生育、基层全科、基层其他，每类附手册"
                       "的选择说明和自动生成的工作量项目；selected 为已选择的类别。")
    def declaration_health_categories(self, ctx, id):
        return self.workflow_rpc.health_form_categories(id)

    declaration_health_cover = _health_put(
        "cover",
        "先选择填报表格类别和申报类别（其他栏目须在选择类别后填写）。更换类别时，工作量项目按新"
        "类别重新生成（同名项目保留已填数值，自行添加的项目保留）。")
    declaration_health_basic = _health_put(
        "basic",
        "只修改提交的字段；所有内容都必须填写，没有的填写“无”。evidence 为各印证材料的PDF（须上"
        "传到本申报 bundle=declaration:{id} 的相应 cq_ 位置）。一线医务人员须上传一线医务人员资"
        "格证明。")
    declaration_health_assessments = _health_put(
        "assessments",
        "现职以来年度考核，每年一行（按年度排序），最多 10 年；可从个人业绩库的年度考核导入。")
    declaration_health_study = _health_put(
        "study",
        "学习培训经历（包括参加专业学习、培训、国内外进修等），最多 8 行，按显示顺序提交全部行。"
        "医学相关专业的学历（学位）学习须有所体现；只填写连续3个月及以上的学习培训或进修。9 行及"
        "以上 422。")
    declaration_health_work = _health_put(
        "work",
        "工作经历，最多 8 行，按显示顺序提交全部行；要体现初级、中级、副高级职称的晋升情况。可从"
        "个人业绩库的工作经历导入。9 行及以上 422。")
    declaration_health_achievements_before = _health_put(
        "achievements_before",
        "任现职前主要专业技术工作业绩，最多 10 行；不需要上传印证材料，在公示表上不显示。")
    declaration_health_achievements = _health_put(
        "achievements",
        "任现职以来主要专业技术工作业绩，最多 10 行，每行对应一个印证材料；科研项目按国家级-省部"
        "级-厅局级-区县级的顺序，每个级别中按获奖-出成果-结题-立项的顺序填写。publicity 为是否显"
        "示到公示表。")
    declaration_health_workload = _health_put(
        "workload",
        "任现职以来的工作量（近5年）：项目按填报表格类别自动生成，可添加其他项目（最多 40 项）；"
        "values 与 years 对应；publicity 为是否显示到公示表。file_id 为签字盖章后的工作量表及佐"
        "证材料 PDF（cq_workload）。")
    declaration_health_papers = _health_put(
        "papers",
        "论文及学术报告（基层全科、基层其他为本专业典型案例分析、学术经验交流等），最多 6 行；pu"
        "blicity 为是否显示到公示表。可从个人业绩库的论文发表情况导入。")
    declaration_health_exam = _health_put(
        "exam",
        "只有申报副高的才填写（其他级别 409 health.exam_not_applicable）。参加考试的填写考试日期"
        "、考试专业和考试成绩并上传成绩证明；基层年龄免考、一线医务人员免考的不需要填写。")
    declaration_health_summary = _health_put(
        "summary",
        "工作总结、临床业绩和临床能力考核鉴定（所有申报人员）、一线医务人员工作业绩鉴定（一线医"
        "务人员）分别为单独的 PDF，均需公示盖章后上传。")
    declaration_health_others = _health_put(
        "others",
        "其他附件材料（最多 20 个），与其他印证材料合计不超过 120MB；未经公示的材料不能上传。")
    declaration_health_archive = _health_put(
        "archive",
        "申报人员身份为“其他人员”的须填写查档情况（可按 archive_template 模板）并上传查档情况印"
        "证材料；事业编制人员不需要。")
    declaration_health_integrity = _health_put(
        "integrity",
        "公示起止时间、取得现资格以来出现的情况（勾选）、其他情况及具体情形说明；"
        "没有的填写“无”。")

    @route("POST", "/api/v1/declarations/{id}/health/{section}/rows/{row_id}/move",
           summary="上移 / 下移（评审表栏目的行）", tag=TAG_HEALTH, roles=(PERSON,),
           body=hsc.HealthRowMoveSchema, response=hsc.HealthViewSchema, errors=(404, 409),
           path_params={"section": "string"})
    def declaration_health_move(self, ctx, id, section, row_id):
        return self.workflow_rpc.move_declaration_health_row(id, section, row_id,
                                                             ctx.body["direction"])

    @route("GET", "/api/v1/declarations/{id}/health/{section}/import",
           summary="可导入的业绩（个人业绩库中审核通过的记录）", tag=TAG_HEALTH, roles=(PERSON,),
           response=hsc.HealthCandidateSchema, many=True, errors=(404, 409),
           path_params={"section": "string"},
           description="study ← 教育经历，work ← 工作经历，assessments ← 年度考核，papers ← 论文"
                       "发表情况。row 为导入后该行的内容；imported 为已导入本栏目。")
    def declaration_health_candidates(self, ctx, id, section):
        return self.workflow_rpc.health_import_candidates(id, section)

    @route("POST", "/api/v1/declarations/{id}/health/{section}/import",
           summary="从个人业绩库导入（评审表栏目）", tag=TAG_HEALTH, roles=(PERSON,),
           body=hsc.HealthImportSchema, response=hsc.HealthViewSchema, errors=(404, 409),
           path_params={"section": "string"},
           description="所选的本人审核通过的记录追加为该栏目的行（不超过行数上限），导入后可修改。")
    def declaration_health_import(self, ctx, id, section):
        return self.workflow_rpc.import_declaration_health(id, section, ctx.body["record_ids"])

    @route("POST", "/api/v1/declarations/{id}/health/{section}/rows/{row_id}/mark",
           summary="删除标记（审核单位标记评审表栏目中有问题的行）", tag=TAG_UNIT, roles=REVIEWERS,
           body=hsc.HealthRowMarkSchema, response=hsc.HealthViewSchema, errors=(404, 409),
           path_params={"section": "string"},
           description="只有正在审核该申报的单位。做了删除标记的行灰色显示，打印评审表和公示表时不出现；"
                       "申报人退回后修改该行即取消标记。")
    def declaration_health_mark(self, ctx, id, section, row_id):
        return self.workflow_rpc.mark_declaration_health_row(id, section, row_id, ctx.body)
