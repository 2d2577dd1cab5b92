"""marshmallow schemas of the workflow service: RPC input and output, events."""
from marshmallow import ValidationError, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

from .logic.labels import ACTIONS, BOXES, KINDS, UNIT_KINDS

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
    """``data`` of ``review_withdrawn`` (consumed from achievements)."""
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    subject_service = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    subject_id = fields.Raw(required=True)


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

class TaskListQuerySchema(PageQuery):
    box = fields.String(load_default="todo", validate=validate.OneOf(list(BOXES)),
                        metadata={"label": "任务箱"})
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(list(KINDS)), metadata={"label": "流程类型"})


class DecisionSchema(BaseSchema):
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)),
                           metadata={"label": "审核操作"})
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
    step_index = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.String()
    opinion = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    at = fields.String()


class TaskItemSchema(BaseSchema):
    id = fields.Integer()
    process_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    applicant_person_id = fields.Integer(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    applicant_unit_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    unit_name = fields.String()
    step_index = fields.Integer()
    step_count = fields.Integer()
    step_label = fields.String()
    submitted_at = fields.String()
    created_at = fields.String()
    claimed_by = fields.Nested(AccountRefSchema, allow_none=True)
    claimed_at = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    decided_by = fields.Nested(AccountRefSchema, allow_none=True)
    decided_at = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    process_status = fields.String()
    process_status_label = fields.String()
    ended_at = fields.String(allow_none=True)


class TaskDetailSchema(TaskItemSchema):
    subject_service = fields.String()
    subject_type = fields.String()
    subject_id = fields.Raw()
    summary = fields.Dict()
    steps = fields.List(fields.Nested(StepSchema))
    history = fields.List(fields.Nested(HistoryEntrySchema))


class TaskPageSchema(BaseSchema):
    items = fields.List(fields.Nested(TaskItemSchema))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class DecisionResultSchema(BaseSchema):
    task_id = fields.Integer()
    process_id = fields.Integer()
    action = fields.String()
    outcome = fields.String()
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
    current_task = fields.Nested(TaskItemSchema, allow_none=True,
                                 only=("id", "unit_id", "unit_name", "step_index",
                                       "step_label", "claimed_by", "status",
                                       "status_label", "created_at"))
    entries = fields.List(fields.Nested(HistoryEntrySchema))
