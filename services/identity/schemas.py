"""Schemas only identity needs: its lenient view of the events it consumes.

Everything others may know (RPC requests and answers, the data of the events identity
publishes, the code tables) is identity's contract in ``services/contracts/identity.py``.
"""
from services.common.schemas import LenientSchema, fields


class DecidedBySchema(LenientSchema):
    account_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class ReviewDecidedSchema(LenientSchema):
    """Data of ``review_decided`` from workflow, as identity reads it (extra fields are
    ignored, so workflow may add fields within the version)."""
    process_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(load_default=None, allow_none=True)
    subject_id = fields.Integer(required=True)
    step_index = fields.Integer(load_default=None, allow_none=True)
    unit_id = fields.Integer(load_default=None, allow_none=True)
    action = fields.String(load_default=None, allow_none=True)
    opinion = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(required=True)
    final = fields.Boolean(load_default=None, allow_none=True)
    decided_at = fields.String(load_default=None, allow_none=True)
    decided_by = fields.Nested(DecidedBySchema, load_default=None, allow_none=True)


__all__ = ["DecidedBySchema", "ReviewDecidedSchema"]
