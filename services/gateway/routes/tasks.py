"""Gateway operations of the task center (任务中心) and process history (see docs/api.md).

Every review (人员注册审核, 单位注册审核, 业绩审核, 职称申报) is a task of the generic review
engine in the workflow service; unit admins claim (领取) and decide them here.
"""
from services.common.principal import UNIT_ADMIN
from services.common.schemas import BaseSchema, PageQuery, fields, validate

from ..http import route

TAG = "任务中心"
KIND_CODES = ["binding", "unit_registration", "record", "declaration"]
ACTION_CODES = ["approve", "return", "terminate", "reject"]
BOX_CODES = ["todo", "unclaimed", "done_by_me", "done"]


# --------------------------------------------------------------------------- schemas

class TaskListQuery(PageQuery):
    box = fields.String(load_default="todo", validate=validate.OneOf(BOX_CODES),
                        metadata={"label": "任务箱", "description":
                                  "todo 待处理（我已领取）, unclaimed 待领取, "
                                  "done_by_me 我已处理, done 所有已处理（本单位）"})
    kind = fields.String(load_default=None, validate=validate.OneOf(KIND_CODES),
                         metadata={"label": "流程类型", "description":
                                   "binding 人员注册审核, unit_registration 单位注册审核, "
                                   "record 业绩审核, declaration 职称申报"})


class TaskAccountRef(BaseSchema):
    account_id = fields.Integer()
    name = fields.String(allow_none=True)


class TaskItem(BaseSchema):
    id = fields.Integer(metadata={"description": "任务编号"})
    process_id = fields.Integer(metadata={"description": "流程编号"})
    kind = fields.String(metadata={"description": "流程类型代码"})
    kind_label = fields.String(metadata={"description": "流程类型", "example": "人员注册审核"})
    title = fields.String(metadata={"description": "流程名称"})
    applicant_person_id = fields.Integer(allow_none=True)
    applicant_name = fields.String(allow_none=True, metadata={"description": "申报人"})
    applicant_unit_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(metadata={"description": "当前节点的审核单位"})
    unit_name = fields.String()
    step_index = fields.Integer(metadata={"description": "节点序号（从 0 开始）"})
    step_count = fields.Integer(metadata={"description": "节点总数"})
    step_label = fields.String(metadata={"description": "当前节点", "example": "单位审核"})
    submitted_at = fields.String(metadata={"description": "发起时间（提交时间）"})
    created_at = fields.String(metadata={"description": "任务到达本单位的时间"})
    claimed_by = fields.Nested(TaskAccountRef, allow_none=True,
                               metadata={"description": "领取人"})
    claimed_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description":
                                     "unclaimed | claimed | approve | return | terminate | reject"})
    status_label = fields.String(metadata={"description": "待领取、审核中、通过、退回、终止、不通过"})
    decided_by = fields.Nested(TaskAccountRef, allow_none=True,
                               metadata={"description": "处理人"})
    decided_at = fields.String(allow_none=True, metadata={"description": "审核时间"})
    action = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "审核意见"})
    outcome = fields.String(allow_none=True, metadata={"description":
                                                       "forwarded | approved | returned | "
                                                       "terminated | rejected"})
    process_status = fields.String(metadata={"description":
                                             "open | approved | returned | terminated | rejected"})
    process_status_label = fields.String(metadata={"description": "审核状态"})
    ended_at = fields.String(allow_none=True, metadata={"description": "结束时间"})


class TaskBoxCounts(BaseSchema):
    todo = fields.Integer(metadata={"description": "待处理"})
    unclaimed = fields.Integer(metadata={"description": "待领取"})
    done_by_me = fields.Integer(metadata={"description": "我已处理"})
    done = fields.Integer(metadata={"description": "所有已处理"})


class TaskPage(BaseSchema):
    items = fields.List(fields.Nested(TaskItem))
    total = fields.Integer()
    counts = fields.Nested(TaskBoxCounts)


class ProcessStepItem(BaseSchema):
    step_index = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    unit_kind = fields.String(allow_none=True)
    step_label = fields.String()


class ProcessHistoryEntry(BaseSchema):
    process_id = fields.Integer()
    step_index = fields.Integer(allow_none=True, metadata={"description": "提交时为空"})
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True, metadata={"description": "单位"})
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True, metadata={"description": "账号"})
    action = fields.String(metadata={"description": "submit | approve | return | terminate | reject"})
    action_label = fields.String(metadata={"description": "提交、通过、退回、终止、不通过"})
    opinion = fields.String(allow_none=True, metadata={"description": "意见"})
    outcome = fields.String(allow_none=True)
    at = fields.String(metadata={"description": "时间"})


class TaskDetail(TaskItem):
    subject_service = fields.String()
    subject_type = fields.String()
    subject_id = fields.Raw()
    summary = fields.Dict(metadata={"description": "发起服务提供的摘要信息"})
    steps = fields.List(fields.Nested(ProcessStepItem))
    history = fields.List(fields.Nested(ProcessHistoryEntry))


class TaskDecisionBody(BaseSchema):
    action = fields.String(required=True, validate=validate.OneOf(ACTION_CODES),
                           metadata={"label": "审核操作", "description":
                                     "approve 通过, return 退回（须填写意见）, terminate 终止, "
                                     "reject 不通过（仅职称申报，须填写意见）"})
    opinion = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=1000),
                            metadata={"label": "审核意见"})


class TaskBatchDecisionBody(TaskDecisionBody):
    task_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                           required=True, validate=validate.Length(min=1, max=100),
                           metadata={"label": "任务"})


class TaskDecisionResult(BaseSchema):
    task_id = fields.Integer()
    process_id = fields.Integer()
    action = fields.String()
    outcome = fields.String(metadata={"description":
                                      "forwarded | approved | returned | terminated | rejected"})
    final = fields.Boolean()
    next_task_id = fields.Integer(allow_none=True)
    next_unit_id = fields.Integer(allow_none=True)
    next_unit_name = fields.String(allow_none=True)
    decided_at = fields.String()


class TaskBatchError(BaseSchema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class TaskBatchItem(BaseSchema):
    task_id = fields.Integer()
    ok = fields.Boolean()
    result = fields.Nested(TaskDecisionResult, allow_none=True)
    error = fields.Nested(TaskBatchError, allow_none=True)


class TaskBatchResult(BaseSchema):
    results = fields.List(fields.Nested(TaskBatchItem))
    succeeded = fields.Integer()
    failed = fields.Integer()


class ProcessCurrentTask(BaseSchema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    step_index = fields.Integer()
    step_label = fields.String()
    claimed_by = fields.Nested(TaskAccountRef, allow_none=True)
    status = fields.String()
    status_label = fields.String()
    created_at = fields.String()


class ProcessHistory(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    applicant_person_id = fields.Integer(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    current_step = fields.Integer()
    submitted_at = fields.String()
    ended_at = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(ProcessStepItem))
    current_task = fields.Nested(ProcessCurrentTask, allow_none=True,
                                 metadata={"description": "正在审核的节点（流程结束后为空）"})
    entries = fields.List(fields.Nested(ProcessHistoryEntry),
                          metadata={"description": "流程记录：提交及每一级的审核，按时间先后"})


# --------------------------------------------------------------------------- routes

class TaskRoutes:

    @route("GET", "/api/v1/tasks", summary="任务中心列表（待处理/待领取/我已处理/所有已处理）",
           tag=TAG, roles=(UNIT_ADMIN,), query=TaskListQuery, response=TaskPage)
    def tasks_list(self, ctx):
        return self.workflow_rpc.list_tasks(ctx.query)

    @route("GET", "/api/v1/tasks/{id}", summary="任务详情（含摘要、审核节点和流程记录）",
           tag=TAG, roles=(UNIT_ADMIN,), response=TaskDetail, errors=(404,))
    def task_get(self, ctx, id):
        return self.workflow_rpc.get_task(id)

    @route("POST", "/api/v1/tasks/{id}/claim", summary="领取任务", tag=TAG,
           roles=(UNIT_ADMIN,), response=TaskItem, errors=(404, 409))
    def task_claim(self, ctx, id):
        return self.workflow_rpc.claim_task(id)

    @route("POST", "/api/v1/tasks/{id}/release", summary="释放已领取的任务", tag=TAG,
           roles=(UNIT_ADMIN,), response=TaskItem, errors=(404, 409))
    def task_release(self, ctx, id):
        return self.workflow_rpc.release_task(id)

    @route("POST", "/api/v1/tasks/{id}/decision", summary="审核：通过、退回、终止或不通过",
           tag=TAG, roles=(UNIT_ADMIN,), body=TaskDecisionBody,
           response=TaskDecisionResult, errors=(404, 409),
           description="Deciding an unclaimed task of the caller's unit claims it; a task "
                       "claimed by another admin or already decided answers 409.")
    def task_decide(self, ctx, id):
        return self.workflow_rpc.decide_task(id, ctx.body["action"], ctx.body["opinion"])

    @route("POST", "/api/v1/tasks/decisions", summary="批量审核", tag=TAG,
           roles=(UNIT_ADMIN,), body=TaskBatchDecisionBody, response=TaskBatchResult,
           description="Each task is decided on its own; the answer has one result per "
                       "task: ok with the outcome, or the error for that task.")
    def tasks_decide_batch(self, ctx):
        return self.workflow_rpc.decide_tasks(ctx.body["task_ids"], ctx.body["action"],
                                              ctx.body["opinion"])

    @route("GET", "/api/v1/processes/{id}/history", summary="流程记录（审核历史）", tag=TAG,
           response=ProcessHistory, errors=(404,),
           description="For the applicant and for admins of the units in the chain.")
    def process_history(self, ctx, id):
        return self.workflow_rpc.process_history(id)
