"""Person ↔ unit bindings: a person asks a unit (with a 申请说明), the unit decides in
the task center (the review engine), and identity applies the decision. 变更单位 is a new
request; the old binding stays until the new one is approved. One pending request at a
time."""
import logging

from sqlalchemy import select

from services.common.errors import Conflict, Invalid
from services.common.logs import mask_id_number, mask_phone
from services.common.messaging import emit
from services.common.schemas import dump
from services.contracts.identity import ReviewRequestedSchema, ReviewWithdrawnSchema

from ..models import Account, BindingRequest, Person, Unit
from . import audit
from .common import clean, iso, utcnow
from .dictionaries import label
from .units import FINAL_REJECTIONS, _decided_at, envelope_actor
from .views import binding as binding_view

log = logging.getLogger(__name__)

NOT_BOUND = "您尚未绑定工作单位，请在个人中心点击“变更单位”选择工作单位，待单位审核通过后再提交"
WAITING = "您的工作单位绑定申请待审核，请联系单位管理员在“人员注册审核”中审核通过后再提交"


def pending_request(session, person_id, for_update=False):
    query = select(BindingRequest).where(BindingRequest.person_id == person_id,
                                         BindingRequest.status == "pending")
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def requests_of(session, person_id):
    return session.scalars(
        select(BindingRequest).where(BindingRequest.person_id == person_id)
        .order_by(BindingRequest.created_at.desc(), BindingRequest.id.desc())
    ).all()


def request(session, person, unit_id, note, actor, field="unit_id"):
    """A new binding request of ``person`` (locked by the caller) to ``unit_id``."""
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.status != "active":
        message = "所选单位不存在或尚未审核通过"
        raise Invalid("binding.unit_invalid", message, {"fields": {field: [message]}})
    if person.bound_unit_id == unit.id:
        raise Conflict("binding.already_bound", "您已绑定该单位，无需重复申请")
    if pending_request(session, person.id) is not None:
        raise Conflict("binding.pending_exists",
                       "已有待审核的单位绑定申请，请等待单位审核后再变更单位")
    previous = person.bound_unit
    binding = BindingRequest(person_id=person.id, unit_id=unit.id,
                             previous_unit_id=person.bound_unit_id, note=clean(note),
                             status="pending")
    session.add(binding)
    session.flush()
    emit(session, "review_requested", f"binding:{binding.id}",
         dump(ReviewRequestedSchema, review_request(person, unit, binding, previous)),
         actor=envelope_actor(actor, person_id=person.id) if isinstance(actor, dict) else None)
    audit.record(session, "binding.requested",
                 f"{person.real_name} 申请绑定单位 {unit.name}"
                 + (f"（原单位 {previous.name}）" if previous else ""),
                 actor=actor, target_type="binding", target_id=binding.id, unit_id=unit.id,
                 detail={"person_id": person.id, "previous_unit_id": person.bound_unit_id})
    return binding


def review_request(person, unit, binding, previous=None):
    """Data of ``review_requested`` for a binding (人员注册审核 in the task center)."""
    return {
        "kind": "binding",
        "subject_service": "identity",
        "subject_type": "binding",
        "subject_id": binding.id,
        "title": f"{person.real_name} 申请绑定单位：{unit.name}",
        "applicant_person_id": person.id,
        "applicant_name": person.real_name,
        "applicant_unit_id": person.bound_unit_id,
        "chain": [{"unit_id": unit.id, "unit_name": unit.name, "unit_kind": unit.kind}],
        "summary": {
            "process_type": "人员注册审核",
            "real_name": person.real_name,
            "gender_label": label("gender", person.gender),
            "id_type_label": label("id_type", person.id_type),
            "id_number": mask_id_number(person.id_number),
            "mobile": mask_phone(person.mobile),
            "political_status_label": label("political_status", person.political_status),
            "email": person.email,
            "title_series_label": label("title_series", person.title_series),
            "note": binding.note,
            "previous_unit_name": previous.name if previous else None,
            "registered_at": iso(person.created_at),
        },
    }


def apply_decision(session, data):
    """Apply a final decision on a binding request, once: approve binds the person;
    return, terminate or reject rejects the request with the opinion."""
    binding = session.get(BindingRequest, data["subject_id"], with_for_update=True)
    if binding is None:
        log.warning("review_decided for unknown binding %s ignored", data["subject_id"])
        return None
    if binding.status != "pending":
        return None  # decided or cancelled already: nothing changes
    outcome = data["outcome"]
    if outcome != "approved" and outcome not in FINAL_REJECTIONS:
        return None
    if data.get("unit_id") is not None and data["unit_id"] != binding.unit_id:
        raise Conflict("binding.decision_wrong_unit",
                       f"绑定申请 {binding.id} 的审核单位不符：{data['unit_id']}")
    person = session.get(Person, binding.person_id, with_for_update=True)
    decided_by = data.get("decided_by") or {}
    binding.decided_at = _decided_at(data)
    binding.decided_by_account_id = decided_by.get("account_id")
    binding.decided_by_name = decided_by.get("name")
    binding.process_id = data.get("process_id")
    binding.decision_action = data.get("action")
    binding.opinion = clean(data.get("opinion"))
    actor = {"account_id": decided_by.get("account_id"), "name": decided_by.get("name"),
             "role": "unit_admin", "unit_id": binding.unit_id}
    if outcome == "approved":
        binding.status = "approved"
        previous = person.bound_unit_id
        person.bound_unit_id = binding.unit_id
        person.bound_at = binding.decided_at
        person.updated_at = utcnow()
        audit.record(session, "binding.approved",
                     f"{binding.unit.name} 审核通过 {person.real_name} 的单位绑定申请",
                     actor=actor, target_type="binding", target_id=binding.id,
                     unit_id=binding.unit_id,
                     detail={"person_id": person.id, "previous_unit_id": previous,
                             "process_id": binding.process_id, "opinion": binding.opinion})
    else:
        binding.status = "rejected"
        audit.record(session, "binding.rejected",
                     f"{binding.unit.name} 未通过 {person.real_name} 的单位绑定申请："
                     f"{binding.opinion or '无意见'}",
                     actor=actor, target_type="binding", target_id=binding.id,
                     unit_id=binding.unit_id,
                     detail={"person_id": person.id, "action": binding.decision_action,
                             "outcome": outcome, "process_id": binding.process_id,
                             "opinion": binding.opinion})
    return binding


def cancel_pending(session, person, actor, reason):
    """End the person's pending request without a decision (their account is deleted):
    its review in the task center ends with it (``review_withdrawn``, same transaction),
    so no unit can approve it afterwards."""
    binding = pending_request(session, person.id, for_update=True)
    if binding is None:
        return None
    binding.status = "cancelled"
    binding.decided_at = utcnow()
    binding.opinion = reason
    emit(session, "review_withdrawn", f"binding:{binding.id}",
         dump(ReviewWithdrawnSchema, {"kind": "binding", "subject_service": "identity",
                                       "subject_type": "binding",
                                       "subject_id": binding.id, "reason": reason}),
         actor=envelope_actor(actor) if isinstance(actor, dict) else None)
    audit.record(session, "binding.cancelled",
                 f"{person.real_name} 的单位绑定申请已取消：{reason}", actor=actor,
                 target_type="binding", target_id=binding.id, unit_id=binding.unit_id)
    return binding


def list_for_person(session, person_id, filters):
    rows = requests_of(session, person_id)
    counts = {"all": len(rows)}
    for status in ("pending", "approved", "rejected", "cancelled"):
        counts[status] = sum(1 for r in rows if r.status == status)
    if filters.get("status"):
        rows = [r for r in rows if r.status == filters["status"]]
    start = (filters["page"] - 1) * filters["page_size"]
    return {"items": [binding_view(r) for r in rows[start:start + filters["page_size"]]],
            "total": len(rows), "counts": counts}


def may_submit(session, person_id):
    """Whether the person may submit records and declarations: bound to a unit whose
    approval has come through (the contract's answer)."""
    # One query for the person, their account and their unit (asked at every submission).
    row = session.execute(
        select(Person.id, Person.deleted_at, Person.bound_unit_id, Unit.name,
               Account.status)
        .outerjoin(Unit, Unit.id == Person.bound_unit_id)
        .outerjoin(Account, (Account.person_id == Person.id) & Account.deleted_at.is_(None))
        .where(Person.id == person_id).limit(1)).first()
    if row is None or row.deleted_at is not None:
        return {"allowed": False, "unit_id": None, "unit_name": None, "reason": "申报人不存在"}
    if row.status != "active":
        return {"allowed": False, "unit_id": None, "unit_name": None,
                "reason": "账号已被冻结，无法提交，请联系单位管理员"}
    if row.bound_unit_id is not None:
        return {"allowed": True, "unit_id": row.bound_unit_id, "unit_name": row.name,
                "reason": None}
    pending = pending_request(session, person_id)
    if pending is not None:
        return {"allowed": False, "unit_id": None, "unit_name": None, "reason": WAITING}
    return {"allowed": False, "unit_id": None, "unit_name": None, "reason": NOT_BOUND}
