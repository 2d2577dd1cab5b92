"""Persons: registration (个人注册), the profile (完善信息) and who may read it."""
import datetime as dt

from sqlalchemy import select

from services.common.errors import Forbidden, Invalid, NotFound
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.contracts.identity import require_view_reason

from ..models import Account, BindingRequest, Person
from . import audit, bindings, passwords
from .auth import check_new_password, normalize_username, username_taken
from .checks import OTHER_ID_FORMAT, IdNumberError, normalize_id_number, parse_resident_id
from .common import clean, utcnow
from .dictionaries import GB11643_ID_TYPES
from .views import person_profile

PROFILE_FIELDS = ("former_name", "gender", "birth_date", "political_status", "ethnicity",
                  "native_place", "email", "address", "work_start_date", "education", "degree",
                  "title_name", "skill_level", "landline", "title_series", "is_freelancer",
                  "applicant_identity")


def invalid(code, message, field):
    return Invalid(code, message, {"fields": {field: [message]}})


def check_identity(id_type, id_number, gender, birth_date):
    """``(id_number, gender, birth_date)`` checked: for a resident ID (GB 11643) the check
    digit, and the birth date and gender it carries agree with the form's (and fill them
    in when the form leaves them out)."""
    if id_type in GB11643_ID_TYPES:
        try:
            id_birth, id_gender = parse_resident_id(id_number)
        except IdNumberError as exc:
            raise invalid(exc.code, exc.message, "id_number") from exc
        number = normalize_id_number(id_number)
        if gender is not None and gender != id_gender:
            raise invalid("person.gender_mismatch", "性别与证件号码不一致", "gender")
        if birth_date is not None and birth_date != id_birth:
            raise invalid("person.birth_date_mismatch", "出生日期与证件号码不一致", "birth_date")
        return number, id_gender, id_birth
    number = normalize_id_number(id_number)
    if not OTHER_ID_FORMAT.match(number):
        raise invalid("person.id_number_format", "证件号码格式有误", "id_number")
    if gender is None:
        raise invalid("person.gender_required", "请选择性别", "gender")
    if birth_date is None:
        raise invalid("person.birth_date_required", "请填写出生日期", "birth_date")
    if birth_date > dt.date.today() or birth_date.year < 1900:
        raise invalid("person.birth_date_invalid", "出生日期无效", "birth_date")
    return number, gender, birth_date


def check_work_start(work_start, birth_date):
    if work_start is None:
        return
    if work_start > dt.date.today() or work_start <= birth_date:
        raise invalid("person.work_start_invalid", "工作时间不能早于出生日期或晚于今天",
                      "work_start_date")


def check_mobile_free(session, mobile, person_id=None):
    query = select(Person.id).where(Person.mobile == mobile, Person.deleted_at.is_(None))
    if person_id is not None:
        query = query.where(Person.id != person_id)
    if session.scalar(query.limit(1)) is not None:
        raise invalid("person.mobile_taken", "该手机号码已注册", "mobile")


def register(session, data, ip=None):
    """个人注册: the person and their login account (username = the ID number; the mobile
    number logs in too); optionally a binding request to the chosen unit."""
    real_name = clean(data["real_name"])
    if not real_name:
        raise invalid("person.name_required", "请填写真实姓名", "real_name")
    number, gender, birth_date = check_identity(data["id_type"], data["id_number"],
                                                data.get("gender"), data.get("birth_date"))
    check_work_start(data.get("work_start_date"), birth_date)
    check_new_password(data["password"])
    taken = session.scalar(select(Person.id).where(Person.id_number == number,
                                                   Person.deleted_at.is_(None)).limit(1))
    if taken is not None or username_taken(session, number):
        raise invalid("person.id_number_taken",
                      "该证件号码已注册。如非本人注册，请联系所选单位的管理员删除后重新注册",
                      "id_number")
    check_mobile_free(session, data["mobile"])
    values = {key: clean(data.get(key)) for key in PROFILE_FIELDS
              if key not in ("gender", "birth_date", "is_freelancer")}
    person = Person(real_name=real_name, id_type=data["id_type"], id_number=number,
                    mobile=data["mobile"], gender=gender, birth_date=birth_date,
                    is_freelancer=bool(data.get("is_freelancer")), **values)
    session.add(person)
    session.flush()
    account = Account(role="person", username=normalize_username("person", number),
                      password_hash=passwords.hash_password(data["password"]), name=real_name,
                      person_id=person.id, status="active")
    session.add(account)
    session.flush()
    actor = {"account_id": account.id, "name": real_name, "role": "person", "unit_id": None}
    audit.record(session, "person.registered", f"{real_name} 个人注册（证件号码 {number}）",
                 actor=actor, target_type="person", target_id=person.id, ip=ip)
    binding = None
    if data.get("unit_id") is not None:
        binding = bindings.request(session, person, data["unit_id"], data.get("application_note"),
                                   actor)
    return person, account, binding


def profile(session, person, account=None, *, full):
    if account is None:
        account = session.scalars(select(Account).where(Account.person_id == person.id)
                                  .order_by(Account.id.desc())).first()
    return person_profile(person, account, bindings.requests_of(session, person.id), full=full)


def live_person(session, person_id, for_update=False):
    person = session.get(Person, person_id, with_for_update=for_update)
    if person is None or person.deleted_at is not None:
        raise NotFound("person.not_found", "人员不存在")
    return person


def requesting(session, person_id, unit_id):
    """The pending binding request of the person to ``unit_id``, if any."""
    return session.scalars(select(BindingRequest).where(
        BindingRequest.person_id == person_id, BindingRequest.unit_id == unit_id,
        BindingRequest.status == "pending")).first()


def read(session, principal, person_id, reason=None):
    """A person's profile: the person sees all of it; an admin of the unit the person is
    bound to (or asks to be bound to) sees it with masked numbers, and so does an
    operator who states a reason (recorded in the audit log: staff outside the review
    chain); nobody else learns that the person exists."""
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("person.not_found", "人员不存在")
    if principal.has(PERSON):
        if principal.person_id != person.id:
            raise NotFound("person.not_found", "人员不存在")
        return profile(session, person, full=True)
    if principal.has(UNIT_ADMIN):
        unit_id = principal.unit_id
        if person.bound_unit_id != unit_id and requesting(session, person.id, unit_id) is None:
            raise NotFound("person.not_found", "人员不存在")
        return profile(session, person, full=False)
    if principal.has(OPERATOR):
        reason = require_view_reason(reason, "person.reason_required")
        audit.record(session, "person.viewed", f"查看{person.real_name}的个人信息，原因：{reason}",
                     actor=principal, target_type="person", target_id=person.id,
                     unit_id=person.bound_unit_id, detail={"reason": reason})
        return profile(session, person, full=False)
    raise Forbidden()


def update(session, person, data, actor, *, allow_name=False):
    """完善信息 (by the person) or 修改基本信息 (by their unit's admin): the changed fields,
    checked like at registration; the name only for the unit's admin."""
    account = session.scalars(select(Account).where(Account.person_id == person.id,
                                                    Account.deleted_at.is_(None))).first()
    changes = {}
    if allow_name and "name" in data:
        name = clean(data["name"])
        if not name:
            raise invalid("person.name_required", "请填写真实姓名", "name")
        changes["real_name"] = name
    elif "name" in data:
        raise invalid("person.name_fixed", "真实姓名不能修改", "name")
    for key in PROFILE_FIELDS:
        if key in data:
            changes[key] = data[key] if key in ("birth_date", "work_start_date", "is_freelancer") \
                else clean(data[key])
    if "mobile" in data:
        changes["mobile"] = data["mobile"]
        check_mobile_free(session, data["mobile"], person.id)
    for required in ("gender", "birth_date", "political_status", "ethnicity", "email", "address",
                     "work_start_date", "education"):
        if required in changes and changes[required] is None:
            raise invalid("person.field_required", "此项为必填项", required)
    gender = changes.get("gender", person.gender)
    birth_date = changes.get("birth_date", person.birth_date)
    if "gender" in changes or "birth_date" in changes:
        check_identity(person.id_type, person.id_number, gender, birth_date)
    check_work_start(changes.get("work_start_date", person.work_start_date), birth_date)
    changed = [key for key, value in changes.items() if getattr(person, key) != value]
    for key in changed:
        setattr(person, key, changes[key])
    if changed:
        person.updated_at = utcnow()
        if account is not None and "real_name" in changed:
            account.name = person.real_name
            account.updated_at = person.updated_at
        action = "account.updated" if allow_name else "person.profile_updated"
        who = actor.name if hasattr(actor, "name") else actor.get("name")
        audit.record(session, action, f"{who} 修改了 {person.real_name} 的个人信息",
                     actor=actor, target_type="person", target_id=person.id,
                     unit_id=person.bound_unit_id, detail={"fields": sorted(changed)})
    return account
