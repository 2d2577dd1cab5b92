"""Gateway operations of the task center (任务中心) and process history (see docs/api.md).

Every review (人员注册审核, 单位注册审核, 业绩审核, 职称申报) is a task of the generic review
engine in the workflow service; unit admins claim (领取) and decide them here. The routes
declare their requests and answers with the workflow service's own schemas.
"""
from services.common.principal import UNIT_ADMIN
from services.contracts.workflow import review as ws

from ..http import route

TAG = "任务中心"


class TaskRoutes:

    @route("GET", "/api/v1/tasks", summary="任务中心列表（待处理/待领取/我已处理/所有已处理）",
           tag=TAG, roles=(UNIT_ADMIN,), query=ws.TaskListQuerySchema,
           response=ws.TaskPageSchema)
    def tasks_list(self, ctx):
        return self.workflow_rpc.list_tasks(ctx.query)

    @route("GET", "/api/v1/tasks/{id}", summary="任务详情（含摘要、审核节点和流程记录）",
           tag=TAG, roles=(UNIT_ADMIN,), response=ws.TaskDetailSchema, errors=(404,))
    def task_get(self, ctx, id):
        return self.workflow_rpc.get_task(id)

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
