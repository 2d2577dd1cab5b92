"""The achievements service's own views of the events it consumes (lenient: keys it does
not use are ignored, so a publisher may add data). What the service publishes and
answers is in ``services.contracts.achievements``."""
from services.common.schemas import LenientSchema, fields, load

# workflow's review of a declaration (docs/events.md)
DECLARATION_KIND = "declaration"
WORKFLOW = "workflow"


class ReviewDecidedView(LenientSchema):
    """workflow ``review_decided``: a decision of a review task (of a record, or of a
    declaration that may hold records)."""
    kind = fields.String(load_default=None, allow_none=True)
    subject_service = fields.String(load_default=None, allow_none=True)
    subject_type = fields.String(load_default=None, allow_none=True)
    subject_id = fields.Raw(load_default=None, allow_none=True)
    outcome = fields.String(load_default=None, allow_none=True)
    final = fields.Boolean(load_default=True, allow_none=True)


class DeclarationDeletedView(LenientSchema):
    """workflow ``declaration_deleted``: the person deleted a declaration."""
    declaration_id = fields.Integer(required=True)


def load_event(schema, envelope):
    """The event's data through ``schema``; Invalid (the event is parked) if it is not
    what the publisher's contract promises."""
    return load(schema, envelope.get("data") or {}, code="event.invalid")


def ends_declaration(decision):
    """Whether a ``review_decided`` ends a declaration's review for good (审核通过,
    不通过, 终止: final and not 退回), so that the records it held are released."""
    if (decision["kind"] != DECLARATION_KIND or decision["subject_service"] != WORKFLOW
            or decision["subject_type"] != DECLARATION_KIND):
        return False
    if not decision["final"] or decision["outcome"] == "returned":
        return False
    try:
        decision["subject_id"] = int(decision["subject_id"])
    except (TypeError, ValueError):
        return False
    return True
