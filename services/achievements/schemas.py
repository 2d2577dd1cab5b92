"""marshmallow schemas of the achievements service: RPC input and output, events."""
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

from .logic import status as st

STATUS_FILTER = ("all",) + st.STATUSES
MAX_EVIDENCE = 50
MAX_BATCH = 200
MAX_ID = 2**63 - 1  # PostgreSQL bigint
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class RecordCreateSchema(BaseSchema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "业绩类别"})
    # "fields" on the wire; a schema cannot have an attribute named fields
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=list,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})
    submit = fields.Boolean(load_default=False)


class RecordUpdateSchema(BaseSchema):
    values = fields.Dict(keys=fields.String(), load_default=None, allow_none=True,
                         data_key="fields", metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=None, allow_none=True,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})


class RecordIdsSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH),
                             metadata={"label": "业绩记录"})


class RecordListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUS_FILTER))


class UnitRecordListSchema(RecordListSchema):
    person = fields.String(load_default=None, validate=validate.Length(max=50))
    person_id = fields.Integer(load_default=None, validate=ID_RANGE)


class WithdrawSchema(LenientSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "撤回原因"})


class WithdrawalListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None,
                           validate=validate.OneOf(st.STATUSES + ("deleted",)))


class LockSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH))
    declaration_id = fields.Integer(required=True, validate=ID_RANGE)
    person_id = fields.Integer(load_default=None, allow_none=True)


class UnlockSchema(BaseSchema):
    declaration_id = fields.Integer(required=True, validate=ID_RANGE)
    record_ids = fields.List(fields.Integer(validate=ID_RANGE),
                             load_default=None, allow_none=True)


class RowSchema(BaseSchema):
    """A case row or a reference (新增)."""
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "明细信息"})
    file_id = fields.Integer(load_default=None, allow_none=True,
                             validate=ID_RANGE, metadata={"label": "附件"})


class RowUpdateSchema(BaseSchema):
    """修改: given fields replace the stored ones (null clears one); ``file_id`` given
    (even null) replaces the row's file."""
    values = fields.Dict(keys=fields.String(), data_key="fields", metadata={"label": "明细信息"})
    file_id = fields.Integer(allow_none=True, validate=ID_RANGE,
                             metadata={"label": "附件"})


class MoveSchema(BaseSchema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]),
                              metadata={"label": "方向"})


class ReasonSchema(LenientSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "原因"})


class ImportRequestSchema(BaseSchema):
    target = fields.String(required=True,
                           validate=validate.OneOf(["health_case", "cases", "references"]),
                           metadata={"label": "导入类型"})
    file_id = fields.Integer(required=True, validate=ID_RANGE,
                             metadata={"label": "导入文件"})
    record_id = fields.Integer(load_default=None, allow_none=True,
                               validate=ID_RANGE, metadata={"label": "业绩记录"})


class HoursListSchema(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    extracted = fields.Boolean(load_default=None, allow_none=True)


# --------------------------------------------------------------------------- events

class ReviewRequestedSchema(BaseSchema):
    """``review_requested`` data (the lead's review-engine contract)."""
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    title = fields.String(required=True)
    applicant_person_id = fields.Integer(allow_none=True)
    applicant_name = fields.String()
    applicant_unit_id = fields.Integer(allow_none=True)
    chain = fields.List(fields.Dict(), required=True)
    summary = fields.Dict()


class ReviewWithdrawnSchema(BaseSchema):
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
