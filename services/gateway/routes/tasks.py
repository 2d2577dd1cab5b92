"""Gateway operations of the task center (任务中心) and process history (see docs/api.md).

Every review (人员注册审核, 单位注册审核, 业绩审核, 职称申报) is a task of the generic review
engine in the workflow service; unit admins claim (领取) and decide them here. The routes
declare their requests and answers with the workflow service's own schemas.
"""
import logging

from nameko.exceptions import RemoteError, UnknownService

from services.common.errors import AppError
from services.common.principal import UNIT_ADMIN
from services.common.schemas import fields
from services.contracts.achievements import DuplicateClaims
from services.contracts.workflow import review as ws

from ..http import route

TAG = "任务中心"
log = logging.getLogger(__name__)


class TaskDetailWithClaims(ws.TaskDetailSchema):
    duplicates = fields.Nested(DuplicateClaims, allow_none=True, metadata={
        "description": "业绩审核任务：重复申报提示（另有他人提交了相同的论文、专利、获奖或项目时"
                       "给出，其他单位人员姓名脱敏），否则为空"})


class TaskRoutes:

    @route("GET", "/api/v1/tasks", summary="任务中心列表（待处理/待领取/我已处理/所有已处理）",
           tag=TAG, roles=(UNIT_ADMIN,), query=ws.TaskListQuerySchema,
           response=ws.TaskPageSchema)
    def tasks_list(self, ctx):
        return self.workflow_rpc.list_tasks(ctx.query)

    @route("GET", "/api/v1/tasks/{id}", summary="任务详情（含摘要、审核节点和流程记录）",
           tag=TAG, roles=(UNIT_ADMIN,), response=TaskDetailWithClaims, errors=(404,),
           description="本单位的任务。业绩审核任务另附重复申报提示 duplicates（achievements 服务"
                       "不可用时为空）。")
    def task_get(self, ctx, id):
        detail = self.workflow_rpc.get_task(id)
        if (detail.get("subject_service"), detail.get("subject_type")) == \
                ("achievements", "record"):
            detail["duplicates"] = self._record_claims(detail.get("subject_id"))
        return detail

    def _record_claims(self, record_id):
        """The record's 重复申报提示 for the task's unit; None when unavailable."""
        try:
            return self.achievements_rpc.record_duplicates(record_id)
        except (UnknownService, RemoteError, AppError) as exc:
            log.warning("duplicate claims of record %s unavailable: %s", record_id, exc)
            return None

    @route("POST", "/api/v1/tasks/{id}/claim", summary="领取任务", tag=TAG,
           roles=(UNIT_ADMIN,), response=ws.TaskItemSchema, errors=(404, 409))
    def task_claim(self, ctx, id):
        return self.workflow_rpc.claim_task(id)

    @route("POST", "/api/v1/tasks/{id}/release", summary="释放已领取的任务", tag=TAG,
           roles=(UNIT_ADMIN,), response=ws.TaskItemSchema, errors=(404, 409))
    def task_release(self, ctx, id):
        return self.workflow_rpc.release_task(id)

    @route("POST", "/api/v1/tasks/{id}/decision", summary="审核：通过、退回、终止或不通过",
           tag=TAG, roles=(UNIT_ADMIN,), body=ws.DecisionSchema,
           response=ws.DecisionResultSchema, errors=(404, 409),
           description="审核本单位未认领的任务时自动认领；已被其他管理员认领或已审核的任务"
                       "返回 409。")
    def task_decide(self, ctx, id):
        return self.workflow_rpc.decide_task(id, ctx.body["action"], ctx.body["opinion"])

    @route("POST", "/api/v1/tasks/decisions", summary="批量审核", tag=TAG,
           roles=(UNIT_ADMIN,), body=ws.BatchDecisionSchema, response=ws.BatchResultSchema,
           description="每个任务分别审核；返回每个任务一条结果：成功时为 ok 及审核结果，否则"
                       "为该任务的错误。")
    def tasks_decide_batch(self, ctx):
        return self.workflow_rpc.decide_tasks(ctx.body["task_ids"], ctx.body["action"],
                                              ctx.body["opinion"])

    @route("GET", "/api/v1/processes/{id}/history", summary="流程记录（审核历史）", tag=TAG,
           response=ws.ProcessHistorySchema, errors=(404,),
           description="申报人本人及审核流程中各单位的管理员可以查看。")
    def process_history(self, ctx, id):
        return self.workflow_rpc.process_history(id)
