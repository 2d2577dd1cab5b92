"""A unit's users, managed by the unit's admins (用户管理 of the Chongqing manual):
the persons bound to the unit or asking to be, and the unit's admins. List, read, edit,
freeze/unfreeze, reset the password, delete (a soft delete that frees the ID number,
the mobile number and the user name), add another admin. The security administrator
(安全管理员) manages every unit's accounts — list, freeze/unfreeze, reset the password,
delete, add an admin — without their personal content (no profile, no editing it), and
creates the staff accounts (operators, security administrators, auditors, other
systems). The operator, a system administrator, manages no account (MLPS level 3:
separate administrators)."""
from sqlalchemy import and_, case, func, or_, select

from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.principal import SECURITY, UNIT_ADMIN

from ..models import Account, BindingRequest, Person, Unit
from . import audit, bindings, passwords
from .auth import check_new_password, normalize_username, revoke_sessions, username_taken
from .common import clean, like_pattern, page, utcnow
from .dictionaries import label
from .persons import profile
from .persons import update as update_person
from .units import new_admin_account
from .views import user_row

ADMIN_FIELDS = {"name", "mobile", "email"}


def managed_unit(session, principal, unit_id):
    """The unit whose users the caller manages: their own unit (or any, for the security
    administrator)."""
    if principal.has(SECURITY) or (principal.has(UNIT_ADMIN) and principal.unit_id == unit_id):
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("unit.not_found", "单位不存在")
        return unit
    raise Forbidden("unit.not_yours", "只能管理本单位的用户")


def _pending_here(unit_id):
    return (select(BindingRequest.person_id, BindingRequest.id.label("binding_id"))
            .where(BindingRequest.unit_id == unit_id, BindingRequest.status == "pending")
            .subquery())


def list_users(session, principal, unit_id, filters):
    managed_unit(session, principal, unit_id)
    pending = _pending_here(unit_id)
    query = (select(Account, Person, pending.c.binding_id)
             .outerjoin(Person, Account.person_id == Person.id)
             .outerjoin(pending, pending.c.person_id == Person.id))
    base = [
        Account.deleted_at.is_(None),
        or_(and_(Account.role == "unit_admin", Account.unit_id == unit_id),
            and_(Account.role == "person", Person.deleted_at.is_(None),
                 or_(Person.bound_unit_id == unit_id, pending.c.binding_id.is_not(None)))),
    ]
    if filters.get("q"):
        q = filters["q"].strip()
        base.append(or_(Account.name.ilike(like_pattern(q)), Account.username == q.lower(),
                        Person.id_number == q.upper(), Person.mobile == q))
    if filters.get("role"):
        base.append(Account.role == filters["role"])
    is_pending = pending.c.binding_id.is_not(None)
    is_bound = and_(Account.role == "person", Person.bound_unit_id == unit_id)
    is_frozen = Account.status == "frozen"
    counts_row = session.execute(
        select(func.count(), func.count(case((is_pending, 1))), func.count(case((is_bound, 1))),
               func.count(case((is_frozen, 1))))
        .select_from(Account)
        .outerjoin(Person, Account.person_id == Person.id)
        .outerjoin(pending, pending.c.person_id == Person.id)
        .where(*base)
    ).one()
    status = filters.get("status")
    if status == "pending":
        base.append(is_pending)
    elif status == "approved":
        base.append(is_bound)
    elif status == "frozen":
        base.append(is_frozen)
    rows, total = page(session, query.where(*base), filters["page"], filters["page_size"],
                       (Account.created_at.desc(), Account.id.desc()))
    items = []
    for account, person, binding_id in rows:
        request = session.get(BindingRequest, binding_id) if binding_id else None
        items.append(user_row(account, person, request,
                              bound_here=person is not None and person.bound_unit_id == unit_id))
    return {"items": items, "total": total,
            "counts": {"all": counts_row[0], "pending": counts_row[1],
                       "approved": counts_row[2], "frozen": counts_row[3]}}


def _user(session, principal, unit_id, account_id, *, manage, for_update=False):
    """``(account, person, pending request to the unit, bound here)`` of a user of the
    unit; NotFound for anybody else. To manage (not just read) a person, the person must
    be bound to the unit, or be asking to be bound to it while bound nowhere."""
    managed_unit(session, principal, unit_id)
    account = session.get(Account, account_id, with_for_update=for_update)
    if account is None or account.deleted_at is not None:
        raise NotFound("account.not_found", "用户不存在")
    if account.role == "unit_admin" and account.unit_id == unit_id:
        return account, None, None, False
    if account.role == "person" and account.person is not None \
            and account.person.deleted_at is None:
        person = account.person
        if for_update:
            session.refresh(person, with_for_update=True)
        bound_here = person.bound_unit_id == unit_id
        request = bindings.pending_request(session, person.id)
        request = request if request is not None and request.unit_id == unit_id else None
        if bound_here or (request is not None and
                          (not manage or person.bound_unit_id is None)):
            return account, person, request, bound_here
        if request is not None and manage:
            raise Forbidden("account.not_managed",
                            "该人员已绑定其他单位，只能由其所在单位管理")
    raise NotFound("account.not_found", "用户不存在")


def get_user(session, principal, unit_id, account_id):
    account, person, request, bound_here = _user(session, principal, unit_id, account_id,
                                                 manage=False)
    row = user_row(account, person, request, bound_here)
    # the security administrator manages the account, not the person's file (PIPL:
    # minimum necessary): no profile
    own_unit = principal.has(UNIT_ADMIN) and principal.unit_id == unit_id
    row["profile"] = profile(session, person, account, full=False) \
        if person and own_unit else None
    return row


def _not_self(principal, account, what):
    if account.id == principal.account_id:
        raise Conflict("account.self", f"不能{what}当前登录的账号")


def update_user(session, principal, unit_id, account_id, data):
    account, person, request, bound_here = _user(session, principal, unit_id, account_id,
                                                 manage=True, for_update=True)
    if person is not None:
        update_person(session, person, data, principal, allow_name=True)
    else:
        extra = set(data) - ADMIN_FIELDS
        if extra:
            raise Invalid("account.field_not_editable",
                          "单位管理员账号只能修改姓名、手机号码和电子邮箱",
                          {"fields": {f: ["单位管理员账号不支持此项"] for f in sorted(extra)}})
        changed = []
        for key in ADMIN_FIELDS & set(data):
            value = clean(data[key])
            if key == "name" and not value:
                raise Invalid("account.name_required", "请填写姓名",
                              {"fields": {"name": ["请填写姓名"]}})
            if getattr(account, key) != value:
                setattr(account, key, value)
                changed.append(key)
        if changed:
            account.updated_at = utcnow()
            audit.record(session, "account.updated",
                         f"{principal.name} 修改了管理员 {account.username} 的信息",
                         actor=principal, target_type="account", target_id=account.id,
                         unit_id=unit_id, detail={"fields": sorted(changed)})
    return get_user(session, principal, unit_id, account_id)


def set_frozen(session, principal, unit_id, account_id, frozen):
    account, person, _, _ = _user(session, principal, unit_id, account_id, manage=True,
                                  for_update=True)
    _not_self(principal, account, "冻结" if frozen else "解冻")
    status = "frozen" if frozen else "active"
    if account.status != status:
        account.status = status
        account.updated_at = utcnow()
        if frozen:
            revoke_sessions(session, account.id, "frozen")
        audit.record(session, "account.frozen" if frozen else "account.unfrozen",
                     f"{principal.name} {'冻结' if frozen else '解冻'}了账号 {account.name}",
                     actor=principal, target_type="account", target_id=account.id,
                     unit_id=unit_id)
    return get_user(session, principal, unit_id, account_id)


def reset_password(session, principal, unit_id, account_id, new_password=None):
    """密码初始化: the given password, or a generated temporary one shown once."""
    account, _, _, _ = _user(session, principal, unit_id, account_id, manage=True,
                             for_update=True)
    _not_self(principal, account, "重置")
    generated = None
    if new_password:
        check_new_password(new_password, "new_password")
    else:
        new_password = generated = passwords.temporary_password()
    account.password_hash = passwords.hash_password(new_password)
    account.password_changed_at = account.updated_at = utcnow()
    revoke_sessions(session, account.id, "password_reset")
    audit.record(session, "account.password_reset",
                 f"{principal.name} 重置了账号 {account.name} 的密码", actor=principal,
                 target_type="account", target_id=account.id, unit_id=unit_id)
    return {"account_id": account.id, "temporary_password": generated}


def delete_user(session, principal, unit_id, account_id):
    """Soft delete: the account and (for a person) the person are kept for history but
    no longer count, so the ID number, mobile number and user name are free again."""
    account, person, _, _ = _user(session, principal, unit_id, account_id, manage=True,
                                  for_update=True)
    _not_self(principal, account, "删除")
    now = utcnow()
    account.deleted_at = account.updated_at = now
    revoke_sessions(session, account.id, "deleted")
    if person is not None:
        person.deleted_at = person.updated_at = now
        bindings.cancel_pending(session, person, principal, "人员已被删除")
    audit.record(session, "account.deleted",
                 f"{principal.name} 删除了{'人员' if person else '管理员'} {account.name}"
                 + (f"（证件号码 {person.id_number}）" if person else ""),
                 actor=principal, target_type="account", target_id=account.id,
                 unit_id=unit_id, detail={"person_id": person.id if person else None})


def create_admin(session, principal, unit_id, data):
    unit = managed_unit(session, principal, unit_id)
    if unit.status != "active":
        raise Conflict("unit.not_active", "单位尚未审核通过，不能添加管理员")
    account = new_admin_account(session, unit, data, created_by=principal.account_id,
                                field_prefix="")
    audit.record(session, "account.created",
                 f"{principal.name} 为 {unit.name} 添加管理员 {account.username}",
                 actor=principal, target_type="account", target_id=account.id, unit_id=unit.id)
    return get_user(session, principal, unit_id, account.id)


# --------------------------------------------------------------------------- staff

def staff_view(account):
    return {"account_id": account.id, "role": account.role, "username": account.username,
            "name": account.name, "status": account.status}


def create_staff(session, actor, data):
    """An operator, security administrator, auditor or system account; ``actor`` is the
    security administrator (None for bootstrap)."""
    username = normalize_username(data["role"], data["username"])
    check_new_password(data["password"])
    if username_taken(session, username):
        raise Invalid("account.username_taken", "用户名已被使用，请更换",
                      {"fields": {"username": ["用户名已被使用，请更换"]}})
    account = Account(role=data["role"], username=username,
                      password_hash=passwords.hash_password(data["password"]),
                      name=clean(data["name"]), mobile=clean(data.get("mobile")),
                      email=clean(data.get("email")), status="active",
                      created_by_account_id=getattr(actor, "account_id", None))
    session.add(account)
    session.flush()
    who = getattr(actor, "name", None) or "系统初始化"
    audit.record(session, "account.created" if actor is not None else "account.bootstrap",
                 f"{who} 创建{label('account_role', data['role'])}账号 {username}",
                 actor=actor, target_type="account", target_id=account.id)
    return account


def ensure_staff(session, role, username, password, name):
    """Idempotent bootstrap: ``(account, created)``; an existing live account of that name
    is left as it is."""
    existing = session.scalars(select(Account).where(
        Account.username == normalize_username(role, username),
        Account.deleted_at.is_(None))).first()
    if existing is not None:
        if existing.role != role:
            raise Conflict("account.username_taken",
                           f"用户名 {username} 已被其他类型的账号使用")
        return existing, False
    return create_staff(session, None, {"role": role, "username": username,
                                        "password": password, "name": name}), True
