"""Rows → plain dicts for RPC answers. ID and phone numbers are masked unless the
caller is their owner (``full=True``)."""
from services.common.logs import mask_id_number, mask_phone

from .common import iso
from .dictionaries import label


def region_name(unit):
    parts = [unit.province_name, unit.city_name, unit.county_name]
    parts = [p for p in parts if p]
    return "-".join(parts) if parts else None


def unit_ref(unit):
    if unit is None:
        return None
    return {"unit_id": unit.id, "name": unit.name, "kind": unit.kind,
            "kind_label": label("unit_kind", unit.kind)}


def unit_brief(unit):
    parent = unit.parent
    return {
        "unit_id": unit.id, "name": unit.name, "kind": unit.kind,
        "kind_label": label("unit_kind", unit.kind), "status": unit.status,
        "status_label": label("unit_status", unit.status),
        "region_name": region_name(unit), "region_complete": unit.region_complete,
        "parent_unit_id": unit.parent_id, "parent_unit_name": parent.name if parent else None,
    }


def unit_detail(unit, approver=None):
    return {
        **unit_brief(unit),
        "credit_code": unit.credit_code, "nature": unit.nature,
        "nature_label": label("unit_nature", unit.nature),
        "region": {
            "province_code": unit.province_code, "province_name": unit.province_name,
            "city_code": unit.city_code, "city_name": unit.city_name,
            "county_code": unit.county_code, "county_name": unit.county_name,
        },
        "address": unit.address, "postal_code": unit.postal_code,
        "legal_rep_name": unit.legal_rep_name, "legal_rep_phone": unit.legal_rep_phone,
        "contact_name": unit.contact_name, "contact_mobile": unit.contact_mobile,
        "contact_email": unit.contact_email, "contact_fax": unit.contact_fax,
        "central_in_province": unit.central_in_province, "builtin": unit.builtin,
        "approver_unit_id": unit.approver_unit_id,
        "approver_unit_name": approver.name if approver is not None else None,
        "review_opinion": unit.review_opinion, "decided_at": iso(unit.decided_at),
        "created_at": iso(unit.created_at),
    }


def binding(request):
    previous = request.previous_unit
    return {
        "binding_id": request.id, "person_id": request.person_id,
        "unit_id": request.unit_id, "unit_name": request.unit.name,
        "previous_unit_id": request.previous_unit_id,
        "previous_unit_name": previous.name if previous is not None else None,
        "note": request.note, "status": request.status,
        "status_label": label("binding_status", request.status),
        "decision_action": request.decision_action, "opinion": request.opinion,
        "requested_at": iso(request.created_at), "decided_at": iso(request.decided_at),
        "decided_by_name": request.decided_by_name,
    }


BINDING_STATE_LABELS = {"none": "未绑定", "pending": "待审核", "approved": "已绑定"}


def binding_state(person, requests):
    """none / pending / approved, as the profile shows it (待审核 while a first binding
    waits; 已绑定 once bound, even while a change of unit waits)."""
    if person.bound_unit_id is not None:
        return "approved"
    if any(r.status == "pending" for r in requests):
        return "pending"
    return "none"


def person_profile(person, account, requests=(), *, full):
    """The profile; ``full`` only for the person themself."""
    masked_id = person.id_number if full else mask_id_number(person.id_number)
    state = binding_state(person, requests)
    return {
        "person_id": person.id, "account_id": account.id if account else None,
        "real_name": person.real_name, "former_name": person.former_name,
        "id_type": person.id_type, "id_type_label": label("id_type", person.id_type),
        "id_number": masked_id,
        "mobile": person.mobile if full else mask_phone(person.mobile),
        "gender": person.gender, "gender_label": label("gender", person.gender),
        "birth_date": iso(person.birth_date),
        "ethnicity": person.ethnicity, "ethnicity_label": label("ethnicity", person.ethnicity),
        "political_status": person.political_status,
        "political_status_label": label("political_status", person.political_status),
        "native_place": person.native_place, "email": person.email,
        "address": person.address, "work_start_date": iso(person.work_start_date),
        "education": person.education, "education_label": label("education", person.education),
        "degree": person.degree, "degree_label": label("degree", person.degree),
        "title_name": person.title_name, "skill_level": person.skill_level,
        "landline": person.landline if full else mask_phone(person.landline),
        "title_series": person.title_series,
        "title_series_label": label("title_series", person.title_series),
        "is_freelancer": person.is_freelancer,
        "applicant_identity": person.applicant_identity,
        "applicant_identity_label": label("applicant_identity", person.applicant_identity),
        "unit": unit_ref(person.bound_unit), "bound_at": iso(person.bound_at),
        "binding_status": state, "binding_status_label": BINDING_STATE_LABELS[state],
        "bindings": [binding(r) for r in requests],
        "account_status": account.status if account else None,
        "registered_at": iso(person.created_at), "updated_at": iso(person.updated_at),
    }


def user_row(account, person=None, request=None, bound_here=False):
    """A row of a unit's user list; numbers masked."""
    binding_status = None
    if person is not None:
        binding_status = "approved" if bound_here else ("pending" if request else None)
    return {
        "account_id": account.id, "role": account.role,
        "role_label": label("account_role", account.role),
        "username": mask_id_number(account.username) if person is not None else account.username,
        "name": account.name,
        "person_id": person.id if person is not None else None,
        "gender_label": label("gender", person.gender) if person is not None else None,
        "id_number": mask_id_number(person.id_number) if person is not None else None,
        "mobile": mask_phone(person.mobile if person is not None else account.mobile),
        "political_status_label": (label("political_status", person.political_status)
                                   if person is not None else None),
        "email": person.email if person is not None else account.email,
        "status": account.status, "status_label": label("account_status", account.status),
        "binding_status": binding_status,
        "binding_status_label": label("binding_status", binding_status),
        "binding_id": request.id if request is not None else None,
        "registered_at": iso(account.created_at),
    }
