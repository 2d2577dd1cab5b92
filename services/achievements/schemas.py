"""marshmallow schemas of the achievements service: RPC input and output, events."""
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

from .logic import status as st

STATUS_FILTER = ("all",) + st.STATUSES
MAX_EVIDENCE = 50
MAX_BATCH = 200


class RecordCreateSchema(BaseSchema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "业绩类别"})
    # "fields" on the wire; a schema cannot have an attribute named fields
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                                    load_default=list,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})
    submit = fields.Boolean(load_default=False)


class RecordUpdateSchema(BaseSchema):
    values = fields.Dict(keys=fields.String(), load_default=None, allow_none=True,
                         data_key="fields", metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                                    load_default=None, allow_none=True,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})


class RecordIdsSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH),
                             metadata={"label": "业绩记录"})


class RecordListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUS_FILTER))


class UnitRecordListSchema(RecordListSchema):
    person = fields.String(load_default=None, validate=validate.Length(max=50))
    person_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class WithdrawSchema(LenientSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "撤回原因"})


class WithdrawalListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None,
                           validate=validate.OneOf(st.STATUSES + ("deleted",)))


class LockSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH))
    declaration_id = fields.Integer(required=True, validate=validate.Range(min=1))
    person_id = fields.Integer(load_default=None, allow_none=True)


class UnlockSchema(BaseSchema):
    declaration_id = fields.Integer(required=True, validate=validate.Range(min=1))
    record_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                             load_default=None, allow_none=True)


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
