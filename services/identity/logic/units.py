"""Units: registration (approved by the parent unit or the region's HR department),
内置单位 created by HR or operators, completing the unit (属地), search, the unit path
and the decisions of the review engine on registrations."""
import datetime as dt
import logging

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.logs import mask_phone
from services.common.messaging import emit
from services.common.principal import OPERATOR, SECURITY, UNIT_ADMIN
from services.common.schemas import dump
from services.contracts.identity import ReviewRequestedSchema

from ..models import Account, Unit
from . import audit, passwords
from .auth import check_new_password, normalize_username
from .checks import (
    PROVINCE_NAMES,
    credit_code_error,
    normalize_credit_code,
    region_contains,
    region_errors,
)
from .common import clean, like_pattern, page, utcnow
from .dictionaries import label
from .views import region_name, unit_brief, unit_detail

log = logging.getLogger(__name__)

REGION_COLUMNS = ("province_code", "province_name", "city_code", "city_name", "county_code",
                  "county_name")
EDITABLE_FIELDS = ("nature", "address", "postal_code", "legal_rep_name", "legal_rep_phone",
                   "contact_name", "contact_mobile", "contact_email", "contact_fax",
                   "central_in_province")
FINAL_REJECTIONS = {"returned": "return", "terminated": "terminate", "rejected": "reject"}


def envelope_actor(actor, person_id=None):
    """The ``actor`` of an event envelope from an audit actor dict (for anonymous
    registrations, the account just created)."""
    return {"account_id": actor.get("account_id"), "unit_id": actor.get("unit_id"),
            "person_id": person_id, "name": actor.get("name")}


def invalid(code, message, field):
    return Invalid(code, message, {"fields": {field: [message]}})


# --------------------------------------------------------------------------- regions

def region_columns(region):
    """The unit columns of a region input (all None when there is none); Invalid for a
    region whose codes do not fit together."""
    if not region:
        return {column: None for column in REGION_COLUMNS}
    region = {key: clean(region.get(key)) for key in REGION_COLUMNS}
    errors = region_errors(region)
    if errors:
        message = next(iter(errors.values()))
        raise Invalid("unit.region_invalid", f"属地有误：{message}",
                      {"fields": {f"region.{k}": [v] for k, v in errors.items()}})
    region["province_name"] = PROVINCE_NAMES[region["province_code"]]
    if not region["city_code"]:
        region["city_name"] = None
    if not region["county_code"]:
        region["county_name"] = None
    return region


def find_hr_for_region(session, province, city, county):
    """The active HR department of the most specific level of a region (county, then
    city, then province); None if there is none."""
    if not province:
        return None
    levels = []
    if county:
        levels.append((province, city, county))
    if city:
        levels.append((province, city, None))
    levels.append((province, None, None))
    for p, c, k in levels:
        unit = session.scalars(
            select(Unit).where(
                Unit.kind == "hr", Unit.status == "active", Unit.province_code == p,
                Unit.city_code == c if c else Unit.city_code.is_(None),
                Unit.county_code == k if k else Unit.county_code.is_(None),
            ).order_by(Unit.id).limit(1)
        ).first()
        if unit is not None:
            return unit
    return None


# --------------------------------------------------------------------------- accounts

def claim_username(session, username, field="admin.username"):
    """Make sure ``username`` is free. An admin name of a unit whose registration was
    rejected is released for the new registration."""
    forms = {username.strip().upper(), username.strip().lower()}
    existing = session.scalars(
        select(Account).where(Account.username.in_(forms), Account.deleted_at.is_(None))
    ).all()
    for account in existing:
        if account.role == "unit_admin" and account.unit is not None \
                and account.unit.status == "rejected":
            account.deleted_at = utcnow()
            continue
        raise invalid("account.username_taken", "用户名已被使用，请更换", field)


def new_admin_account(session, unit, admin, created_by=None, field_prefix="admin."):
    username = normalize_username("unit_admin", admin["username"])
    check_new_password(admin["password"], f"{field_prefix}password")
    claim_username(session, username, f"{field_prefix}username")
    account = Account(
        role="unit_admin", username=username,
        password_hash=passwords.hash_password(admin["password"]),
        name=clean(admin["name"]), mobile=clean(admin.get("mobile")),
        email=clean(admin.get("email")), unit_id=unit.id, status="active",
        created_by_account_id=created_by,
    )
    session.add(account)
    session.flush()
    return account


# --------------------------------------------------------------------------- registration

def _check_credit_code(session, value, required):
    code = normalize_credit_code(value)
    if not code:
        if required:
            raise invalid("unit.credit_code_required", "请填写统一社会信用代码", "credit_code")
        return None
    reason = credit_code_error(code)
    if reason:
        raise invalid("unit.credit_code_invalid", reason, "credit_code")
    taken = session.scalar(select(Unit.id).where(Unit.credit_code == code,
                                                 Unit.status != "rejected").limit(1))
    if taken is not None:
        raise invalid("unit.credit_code_taken", "该统一社会信用代码已注册", "credit_code")
    return code


def _parent(session, parent_id):
    if parent_id is None:
        return None
    parent = session.get(Unit, parent_id)
    if parent is None or parent.status != "active":
        raise invalid("unit.parent_invalid", "所属单位不存在或尚未审核通过", "parent_unit_id")
    return parent


def _unit_fields(data):
    return {key: clean(data.get(key)) if key != "central_in_province"
            else bool(data.get(key) or False) for key in EDITABLE_FIELDS}


def register(session, data, ip=None):
    """单位注册: a pending unit with its first admin, and a review request to the parent
    unit or the HR department of its region."""
    name = clean(data["name"])
    if not name:
        raise invalid("unit.name_required", "请填写单位名称", "name")
    if data["kind"] == "hr":
        raise invalid("unit.kind_not_registrable", "人社部门由系统运维人员内置，不能注册", "kind")
    code = _check_credit_code(session, data["credit_code"], required=True)
    region = region_columns(data.get("region"))
    parent = _parent(session, data.get("parent_unit_id"))
    approver = parent or find_hr_for_region(session, region["province_code"],
                                            region["city_code"], region["county_code"])
    if approver is None:
        message = ("所在属地尚无人社部门，无法审核单位注册，请联系所属人社部门"
                   if region["province_code"] else "请选择属地或所属单位")
        raise invalid("unit.no_approver", message, "region")
    unit = Unit(name=name, credit_code=code, kind=data["kind"],
                parent_id=parent.id if parent else None, status="pending", builtin=False,
                approver_unit_id=approver.id,
                **region, **_unit_fields(data))
    session.add(unit)
    session.flush()
    admin = new_admin_account(session, unit, data["admin"])
    actor = {"account_id": admin.id, "name": admin.name, "role": "unit_admin",
             "unit_id": unit.id}
    emit(session, "review_requested", f"unit:{unit.id}",
         dump(ReviewRequestedSchema, review_request(unit, approver, parent)),
         actor=envelope_actor(actor))
    audit.record(session, "unit.registered",
                 f"{name} 注册单位（{label('unit_kind', unit.kind)}），待 {approver.name} 审核",
                 actor=actor, target_type="unit", target_id=unit.id, unit_id=unit.id, ip=ip,
                 detail={"credit_code": code, "approver_unit_id": approver.id,
                         "admin_username": admin.username})
    return unit, admin, approver


def review_request(unit, approver, parent=None):
    """Data of ``review_requested`` for a unit registration."""
    return {
        "kind": "unit_registration",
        "subject_service": "identity",
        "subject_type": "unit",
        "subject_id": unit.id,
        "title": f"{unit.name} 单位注册审核",
        "applicant_person_id": None,
        "applicant_name": unit.name,
        "applicant_unit_id": unit.id,
        "chain": [{"unit_id": approver.id, "unit_name": approver.name,
                   "unit_kind": approver.kind}],
        "summary": {
            "process_type": "单位注册审核",
            "unit_name": unit.name,
            "credit_code": unit.credit_code,
            "kind": unit.kind, "kind_label": label("unit_kind", unit.kind),
            "nature": unit.nature, "nature_label": label("unit_nature", unit.nature),
            "region_name": region_name(unit),
            "parent_unit_name": parent.name if parent else None,
            "address": unit.address,
            "legal_rep_name": unit.legal_rep_name,
            "contact_name": unit.contact_name,
            "contact_mobile": mask_phone(unit.contact_mobile),
            "contact_email": unit.contact_email,
        },
    }


def create_builtin(session, principal, data):
    """内置单位: created active by an HR department (within its region; not another HR
    department) or an operator, with its first admin; the credit code is optional."""
    hr_unit = None
    if not principal.has(OPERATOR):
        if not (principal.has(UNIT_ADMIN) and principal.extra.get("unit_kind") == "hr"):
            raise Forbidden("unit.create_forbidden", "只有人社部门或运维人员可以创建内置单位")
        hr_unit = session.get(Unit, principal.unit_id)
        if data["kind"] == "hr":
            raise Forbidden("unit.create_hr_forbidden", "人社部门只能由系统运维人员内置")
    name = clean(data["name"])
    if not name:
        raise invalid("unit.name_required", "请填写单位名称", "name")
    code = _check_credit_code(session, data.get("credit_code"), required=False)
    region = region_columns(data.get("region"))
    unit_region = (region["province_code"], region["city_code"], region["county_code"])
    if data["kind"] == "hr" and not region["province_code"]:
        raise invalid("unit.region_required", "人社部门必须选择属地", "region")
    if hr_unit is not None:
        if not region["province_code"]:
            raise invalid("unit.region_required", "请选择属地", "region")
        if not region_contains(hr_unit.region, unit_region):
            raise invalid("unit.region_outside", "只能在本人社部门的属地范围内创建单位", "region")
    parent = _parent(session, data.get("parent_unit_id"))
    if parent is not None and hr_unit is not None and parent.id != hr_unit.id \
            and not region_contains(hr_unit.region, parent.region):
        raise invalid("unit.parent_outside", "所属单位须在本人社部门的属地范围内", "parent_unit_id")
    now = utcnow()
    unit = Unit(name=name, credit_code=code, kind=data["kind"],
                parent_id=parent.id if parent else None, status="active", builtin=True,
                decided_at=now, created_by_account_id=principal.account_id,
                **region, **_unit_fields(data))
    session.add(unit)
    session.flush()
    admin = new_admin_account(session, unit, data["admin"], created_by=principal.account_id)
    audit.record(session, "unit.created",
                 f"{principal.name} 创建内置单位 {name}（{label('unit_kind', unit.kind)}）",
                 actor=principal, target_type="unit", target_id=unit.id, unit_id=unit.id,
                 detail={"credit_code": code, "admin_username": admin.username})
    audit.record(session, "account.created",
                 f"{principal.name} 为 {name} 创建管理员 {admin.username}",
                 actor=principal, target_type="account", target_id=admin.id, unit_id=unit.id)
    return unit, admin


# --------------------------------------------------------------------------- decisions

def apply_decision(session, data):
    """Apply a final decision of the review engine on a unit registration, once: approve
    makes the unit active; return, terminate or reject rejects it with the opinion."""
    unit = session.get(Unit, data["subject_id"], with_for_update=True)
    if unit is None:
        log.warning("review_decided for unknown unit %s ignored", data["subject_id"])
        return None
    if unit.status != "pending":
        return None  # decided already: a repeated or late decision changes nothing
    outcome = data["outcome"]
    if outcome != "approved" and outcome not in FINAL_REJECTIONS:
        return None  # e.g. "forwarded": not final for identity's one-step chains
    if data.get("unit_id") is not None and unit.approver_unit_id is not None \
            and data["unit_id"] != unit.approver_unit_id:
        raise Conflict("unit.decision_wrong_unit",
                       f"单位注册 {unit.id} 的审核单位不符：{data['unit_id']}")
    decided_by = data.get("decided_by") or {}
    unit.decided_at = _decided_at(data)
    unit.updated_at = utcnow()
    unit.review_opinion = clean(data.get("opinion"))
    actor = {"account_id": decided_by.get("account_id"), "name": decided_by.get("name"),
             "role": "unit_admin", "unit_id": data.get("unit_id")}
    if outcome == "approved":
        unit.status = "active"
        audit.record(session, "unit.approved", f"{unit.name} 单位注册审核通过", actor=actor,
                     target_type="unit", target_id=unit.id, unit_id=unit.id,
                     detail={"process_id": data.get("process_id"),
                             "opinion": unit.review_opinion})
    else:
        unit.status = "rejected"
        audit.record(session, "unit.rejected",
                     f"{unit.name} 单位注册审核未通过：{unit.review_opinion or '无意见'}",
                     actor=actor, target_type="unit", target_id=unit.id, unit_id=unit.id,
                     detail={"process_id": data.get("process_id"), "action": data.get("action"),
                             "outcome": outcome, "opinion": unit.review_opinion})
    return unit


def _decided_at(data):
    raw = data.get("decided_at")
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw)
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        except ValueError:
            pass
    return utcnow()


# --------------------------------------------------------------------------- reading

def search_public(session, filters):
    """Active units by name, for persons choosing their unit and units choosing their
    parent; counts by kind for the same name filter."""
    base = [Unit.status == "active"]
    if filters.get("q"):
        base.append(Unit.name.ilike(like_pattern(filters["q"].strip())))
    counts = _counts_by(session, base, Unit.kind, [code for code in _kinds()])
    query = select(Unit).where(*base).options(selectinload(Unit.parent))
    if filters.get("kind"):
        query = query.where(Unit.kind == filters["kind"])
    rows, total = page(session, query, filters["page"], filters["page_size"],
                       (Unit.name, Unit.id))
    return {"items": [unit_brief(row[0]) for row in rows], "total": total, "counts": counts}


def _kinds():
    from .dictionaries import codes
    return codes("unit_kind")


def _counts_by(session, conditions, column, values):
    query = select(func.count(), *[func.count(case((column == v, 1))) for v in values])
    if conditions:
        query = query.where(*conditions)
    row = session.execute(query).one()
    return {"all": row[0], **{v: n for v, n in zip(values, row[1:], strict=True)}}


def _visible_condition(session, principal):
    """Which units an admin sees in the unit list: their own child units and the units
    they approve; an HR department also every unit of its region. Operators and the
    security administrator (who reaches each unit's accounts from it) see every unit."""
    if principal.has(OPERATOR, SECURITY):
        return None
    if not principal.has(UNIT_ADMIN):
        raise Forbidden()
    own = principal.unit_id
    conditions = [Unit.parent_id == own, Unit.approver_unit_id == own]
    if principal.extra.get("unit_kind") == "hr":
        hr_unit = session.get(Unit, own)
        province, city, county = hr_unit.region
        if province:
            region = [Unit.province_code == province]
            if city:
                region.append(Unit.city_code == city)
            if county:
                region.append(Unit.county_code == county)
            conditions.append(and_(*region))
    return and_(Unit.id != own, or_(*conditions))


def list_units(session, principal, filters):
    visible = _visible_condition(session, principal)
    base = [visible] if visible is not None else []
    if filters.get("q"):
        base.append(Unit.name.ilike(like_pattern(filters["q"].strip())))
    if filters.get("kind"):
        base.append(Unit.kind == filters["kind"])
    counts = _counts_by(session, base, Unit.status, ["pending", "active", "rejected"])
    query = select(Unit).where(*base).options(selectinload(Unit.parent))
    if filters.get("status"):
        query = query.where(Unit.status == filters["status"])
    rows, total = page(session, query, filters["page"], filters["page_size"],
                       (Unit.created_at.desc(), Unit.id.desc()))
    return {"items": [unit_brief(row[0]) for row in rows], "total": total, "counts": counts}


def can_see(session, principal, unit):
    if principal.has(OPERATOR):
        return True
    if not principal.has(UNIT_ADMIN):
        return False
    own = principal.unit_id
    if unit.id == own or unit.parent_id == own or unit.approver_unit_id == own:
        return True
    if principal.extra.get("unit_kind") == "hr":
        hr_unit = session.get(Unit, own)
        return region_contains(hr_unit.region, unit.region)
    return False


def get(session, principal, unit_id):
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see(session, principal, unit):
        raise NotFound("unit.not_found", "单位不存在")
    approver = session.get(Unit, unit.approver_unit_id) if unit.approver_unit_id else None
    return unit_detail(unit, approver)


def update(session, principal, unit_id, data):
    """完善单位信息 by the unit's own admin (or an operator)."""
    unit = session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound("unit.not_found", "单位不存在")
    if not (principal.has(OPERATOR)
            or (principal.has(UNIT_ADMIN) and principal.unit_id == unit.id)):
        raise Forbidden("unit.not_yours", "只能修改本单位的信息")
    changed = []
    if "region" in data:
        region = region_columns(data["region"])
        for key, value in region.items():
            if getattr(unit, key) != value:
                setattr(unit, key, value)
                changed.append(key)
    for key in EDITABLE_FIELDS:
        if key in data:
            value = bool(data[key]) if key == "central_in_province" else clean(data[key])
            if key == "nature" and value is None:
                raise invalid("unit.nature_required", "请选择单位性质", "nature")
            if getattr(unit, key) != value:
                setattr(unit, key, value)
                changed.append(key)
    if changed:
        unit.updated_at = utcnow()
        audit.record(session, "unit.updated", f"{principal.name} 完善了 {unit.name} 的单位信息",
                     actor=principal, target_type="unit", target_id=unit.id, unit_id=unit.id,
                     detail={"fields": changed})
    approver = session.get(Unit, unit.approver_unit_id) if unit.approver_unit_id else None
    return unit_detail(unit, approver)


def path(session, unit_id):
    """``[unit, parent, grandparent, …]`` as the contract's dicts; [] for an unknown unit."""
    result, seen = [], set()
    unit = session.get(Unit, unit_id)
    while unit is not None and unit.id not in seen and len(result) < 50:
        seen.add(unit.id)
        result.append({
            "unit_id": unit.id, "name": unit.name, "kind": unit.kind,
            "kind_label": label("unit_kind", unit.kind),
            "region_complete": unit.region_complete, "status": unit.status,
            "region_code": unit.county_code or unit.city_code or unit.province_code,
            "region_name": region_name(unit),
        })
        unit = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return result
