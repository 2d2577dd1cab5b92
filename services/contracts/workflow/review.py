"""The review engine's contract: the code tables (process kinds, actions, outcomes,
statuses, task-center boxes, unit kinds) with their Chinese labels, the data of the
events workflow consumes (``review_requested``, ``review_withdrawn``) and publishes
(``review_decided``), and the task center's RPC request and answer schemas (the gateway
declares its task routes with them)."""
from marshmallow import ValidationError, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

# --------------------------------------------------------------------------- code tables

# Process kinds, as the task center's 流程类型 shows them.
KINDS = {
    "binding": "人员注册审核",
    "unit_registration": "单位注册审核",
    "record": "业绩审核",
    "declaration": "职称申报",
}

# Decisions. ``reject`` (不通过: no new declaration that year) only for declarations.
ACTIONS = {
    "approve": "通过",
    "return": "退回",
    "terminate": "终止",
    "reject": "不通过",
}
SUBMIT = "submit"
# 撤回: a unit takes back what it passed up (history only; not a decision).
RECALL = "recall"
RECALLED = "recalled"
# 申请人撤回: the applicant takes back what the unit has not decided yet.
WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"
# 撤销审核不通过: a level undoes its own 不通过 (where the plan allows it; history only).
UNDO_REJECT = "undo_reject"
# 取消: the subject's service ended the review without a decision, with a reason (the
# applicant's account was deleted; the applicant changed unit): history only.
CANCEL = "cancel"
CANCELLED = "cancelled"
ACTION_LABELS = {SUBMIT: "提交", **ACTIONS, RECALL: "撤回", WITHDRAW: "申请人撤回",
                 UNDO_REJECT: "撤销不通过", CANCEL: "取消"}

# Outcomes of a decision (review_decided.data.outcome) and the process states they end in.
FORWARDED = "forwarded"
OUTCOME_OF = {"return": "returned", "terminate": "terminated", "reject": "rejected"}
PROCESS_STATUS_LABELS = {
    "open": "审核中",
    "approved": "审核通过",
    "returned": "退回",
    "terminated": "终止",
    "rejected": "审核不通过",
    "withdrawn": "已撤回",
    "cancelled": "已取消",
}

# Task center boxes.
BOXES = {
    "todo": "待处理",        # claimed by me, open
    "unclaimed": "待领取",   # my unit's open tasks nobody has claimed
    "done_by_me": "我已处理",
    "done": "所有已处理",    # decided by anyone of my unit
}

# Unit kinds (the contract's codes) and the review step each one stands for.
UNIT_KINDS = {
    "employer": "用人单位",
    "competent": "主管部门",
    "hr": "人社部门",
    "organiser": "评委会组建单位",
    "talent_center": "人才服务中心",
}
STEP_LABELS = {
    "employer": "单位审核",
    "competent": "主管部门审核",
    "hr": "人社部门审核",
    "organiser": "组建单位审核",
    "talent_center": "人才服务中心审核",
}

# Event types (docs/events.md).
REVIEW_REQUESTED = "review_requested"
REVIEW_WITHDRAWN = "review_withdrawn"
REVIEW_DECIDED = "review_decided"

OPINION_MAX = 1000
BATCH_MAX = 100


# --------------------------------------------------------------------------- events

class ChainStepSchema(LenientSchema):
    unit_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                             metadata={"label": "审核单位"})
    unit_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                              metadata={"label": "审核单位名称"})
    # Optional addition to the contract: the unit's kind names the step (主管部门审核 …).
    unit_kind = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(list(UNIT_KINDS)))


class ReviewWithdrawnSchema(LenientSchema):
    """``data`` of ``review_withdrawn`` (consumed from achievements and identity). With a
    ``reason`` the review is cancelled (取消, e.g. the applicant's account was deleted)
    rather than withdrawn by the applicant; the reason is kept in the history."""
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    subject_service = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_id = fields.Raw(required=True)
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=OPINION_MAX))


class ReviewRequestedSchema(LenientSchema):
    """``data`` of ``review_requested`` (consumed from identity and achievements)."""
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    subject_service = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_id = fields.Raw(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    applicant_person_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    applicant_name = fields.String(load_default="", allow_none=True,
                                   validate=validate.Length(max=100))
    applicant_unit_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    chain = fields.List(fields.Nested(ChainStepSchema), required=True,
                        validate=validate.Length(min=1, max=20))
    summary = fields.Dict(load_default=dict, allow_none=True)

    @validates_schema
    def _subject_id(self, data, **kwargs):
        value = data.get("subject_id")
        if isinstance(value, bool) or not isinstance(value, (int, str)) or \
                not str(value).strip() or len(str(value)) > 100:
            raise ValidationError("编号格式有误", "subject_id")


class DecidedBySchema(BaseSchema):
    account_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class ReviewDecidedSchema(BaseSchema):
    """``data`` of ``review_decided`` (emitted by workflow), exactly per the contract."""
    process_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Raw(required=True)
    step_index = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)))
    opinion = fields.String(allow_none=True)
    outcome = fields.String(required=True)
    final = fields.Boolean(required=True)
    decided_at = fields.String(required=True)
    decided_by = fields.Nested(DecidedBySchema, required=True)


# --------------------------------------------------------------------------- RPC input
# The metadata (labels, descriptions, examples) is for error messages and the gateway's
# OpenAPI document.

class TaskListQuerySchema(PageQuery):
    box = fields.String(load_default="todo", validate=validate.OneOf(list(BOXES)),
                        metadata={"label": "任务箱", "description":
                                  "todo 待处理（我已领取）, unclaimed 待领取, "
                                  "done_by_me 我已处理, done 所有已处理（本单位）"})
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(list(KINDS)),
                         metadata={"label": "流程类型", "description": ", ".join(
                             f"{code} {label}" for code, label in KINDS.items())})


class DecisionSchema(BaseSchema):
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)),
                           metadata={"label": "审核操作", "description":
                                     "approve 通过, return 退回（须填写意见）, terminate 终止, "
                                     "reject 不通过（仅职称申报，须填写意见）"})
    opinion = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=OPINION_MAX),
                            metadata={"label": "审核意见"})


class BatchDecisionSchema(DecisionSchema):
    task_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
        validate=validate.Length(min=1, max=BATCH_MAX), metadata={"label": "任务"})

    @validates_schema
    def _unique(self, data, **kwargs):
        ids = data.get("task_ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError("任务不能重复", "task_ids")


# --------------------------------------------------------------------------- RPC output

DECISION_OUTCOMES = "forwarded | approved | returned | terminated | rejected"


class AccountRefSchema(BaseSchema):
    account_id = fields.Integer()
    name = fields.String(allow_none=True)


class StepSchema(BaseSchema):
    step_index = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    unit_kind = fields.String(allow_none=True)
    step_label = fields.String()


class HistoryEntrySchema(BaseSchema):
    """One entry of ``history`` per the contract, plus labels for display."""
    process_id = fields.Integer()
    step_index = fields.Integer(allow_none=True,
                                metadata={"description": "提交和申请人撤回时为空"})
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True, metadata={"description": "单位"})
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True, metadata={"description": "账号"})
    action = fields.String(metadata={"description": " | ".join(ACTION_LABELS)})
    action_label = fields.String(metadata={"description": "、".join(ACTION_LABELS.values())})
    opinion = fields.String(allow_none=True, metadata={"description": "意见"})
    outcome = fields.String(allow_none=True, metadata={
        "description": f"{DECISION_OUTCOMES} | {RECALLED} | {WITHDRAWN} | {CANCELLED}"
                       "（提交时为空）"})
    at = fields.String(metadata={"description": "时间"})


class TaskItemSchema(BaseSchema):
    id = fields.Integer(metadata={"description": "任务编号"})
    process_id = fields.Integer(metadata={"description": "流程编号"})
    kind = fields.String(metadata={"description": "流程类型代码"})
    kind_label = fields.String(metadata={"description": "流程类型", "example": "人员注册审核"})
    title = fields.String(metadata={"description": "流程名称"})
    subject_service = fields.String(metadata={
        "description": "审核对象所属服务：identity（人员注册审核、单位注册审核）、"
                       "achievements（业绩审核）、workflow（职称申报）"})
    subject_type = fields.String(metadata={
        "description": "审核对象类型：binding 绑定申请, unit 单位, record 业绩, "
                       "declaration 职称申报"})
    subject_id = fields.Raw(metadata={
        "description": "审核对象编号：业绩编号（GET /api/v1/records/{id}）、申报编号、"
                       "绑定申请编号或单位编号"})
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
    claimed_by = fields.Nested(AccountRefSchema, allow_none=True,
                               metadata={"description": "领取人"})
    claimed_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "unclaimed | claimed | approve | return | "
                                                    "terminate | reject | cancelled"})
    status_label = fields.String(metadata={"description": "待领取、审核中、通过、退回、终止、"
                                                          "不通过、申请人已撤回、已取消"})
    decided_by = fields.Nested(AccountRefSchema, allow_none=True,
                               metadata={"description": "处理人"})
    decided_at = fields.String(allow_none=True, metadata={"description": "审核时间"})
    action = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "审核意见"})
    outcome = fields.String(allow_none=True, metadata={"description": DECISION_OUTCOMES})
    process_status = fields.String(metadata={"description": " | ".join(PROCESS_STATUS_LABELS)})
    process_status_label = fields.String(metadata={"description": "审核状态"})
    ended_at = fields.String(allow_none=True, metadata={"description": "结束时间"})


class TaskDetailSchema(TaskItemSchema):
    summary = fields.Dict(metadata={"description": "发起服务提供的摘要信息"})
    steps = fields.List(fields.Nested(StepSchema))
    history = fields.List(fields.Nested(HistoryEntrySchema))


class TaskBoxCountsSchema(BaseSchema):
    todo = fields.Integer(metadata={"description": "待处理"})
    unclaimed = fields.Integer(metadata={"description": "待领取"})
    done_by_me = fields.Integer(metadata={"description": "我已处理"})
    done = fields.Integer(metadata={"description": "所有已处理"})


class TaskPageSchema(BaseSchema):
    items = fields.List(fields.Nested(TaskItemSchema))
    total = fields.Integer()
    counts = fields.Nested(TaskBoxCountsSchema)


class DecisionResultSchema(BaseSchema):
    task_id = fields.Integer()
    process_id = fields.Integer()
    action = fields.String()
    outcome = fields.String(metadata={"description": DECISION_OUTCOMES})
    final = fields.Boolean()
    next_task_id = fields.Integer(allow_none=True)
    next_unit_id = fields.Integer(allow_none=True)
    next_unit_name = fields.String(allow_none=True)
    decided_at = fields.String()


class BatchItemErrorSchema(BaseSchema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class BatchItemSchema(BaseSchema):
    task_id = fields.Integer()
    ok = fields.Boolean()
    result = fields.Nested(DecisionResultSchema, allow_none=True)
    error = fields.Nested(BatchItemErrorSchema, allow_none=True)


class BatchResultSchema(BaseSchema):
    results = fields.List(fields.Nested(BatchItemSchema))
    succeeded = fields.Integer()
    failed = fields.Integer()


class SubjectTasksQuerySchema(BaseSchema):
    """Which subjects' open tasks at the caller's unit to look up (业绩档案 rows)."""
    subject_service = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_ids = fields.List(fields.Raw(), required=True,
                              validate=validate.Length(max=BATCH_MAX * 2))


class SubjectTaskSchema(BaseSchema):
    """The open task at the caller's unit of one subject."""
    subject_id = fields.String(metadata={"description": "审核对象编号（文本）"})
    task_id = fields.Integer(metadata={"description": "本单位的待审核任务编号"})
    process_id = fields.Integer(metadata={"description": "流程编号"})
    claimed_by = fields.Nested(AccountRefSchema, allow_none=True,
                               metadata={"description": "领取人"})
    status = fields.String(metadata={"description": "unclaimed | claimed"})
    status_label = fields.String(metadata={"description": "待领取、审核中"})


class ProcessCurrentTaskSchema(BaseSchema):
    """The open task of a process, as its history shows it (a subset of a task item;
    its own class so that the OpenAPI document names it apart from TaskItem)."""
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    step_index = fields.Integer()
    step_label = fields.String()
    claimed_by = fields.Nested(AccountRefSchema, allow_none=True)
    status = fields.String()
    status_label = fields.String()
    created_at = fields.String()


class ProcessHistorySchema(BaseSchema):
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
    steps = fields.List(fields.Nested(StepSchema))
    current_task = fields.Nested(ProcessCurrentTaskSchema, allow_none=True,
                                 metadata={"description": "正在审核的节点（流程结束后为空）"})
    entries = fields.List(fields.Nested(HistoryEntrySchema),
                          metadata={"description":
                                    "流程记录：提交、每一级的审核及撤回，按时间先后"})
