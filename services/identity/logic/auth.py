"""Login, lockout, sessions, tokens, password changes.

- Persons log in with their ID number or mobile number, everybody else with the
  account name. An unknown name and a wrong password get the same answer (and take the
  same time).
- Per client address (the gateway passes it): ``max_per_address`` failed logins within
  ``address_window_seconds`` refuse every further login from that address (429 with the
  seconds to wait) until the window ends. Counted in the database, so it holds across
  gateway and identity instances; only failures count, so an office behind one address
  logging in on deadline day is not refused. The row is read without a lock and written
  only after a failed password check, so logins from one address never wait on each other.
- ``max_failures`` consecutive failures lock the account (or the unknown name) for
  ``lock_minutes``: every attempt meanwhile is refused, even with the right password.
- A token is valid only while its server-side session is: not revoked, not expired, not
  idle longer than ``idle_minutes``, the account active and not deleted, a unit admin's
  unit active. The gateway checks this itself from the token and the session feed
  (logic/feed.py); :func:`authenticate` is its fallback while it is not in sync.
"""
import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import joinedload

from services.common.errors import Forbidden, Invalid, TooManyRequests, Unauthenticated
from services.common.logs import mask_text

from ..models import Account, LoginThrottle, Person, Session
from . import audit, feed, passwords, tokens
from .checks import is_mobile, password_error
from .common import iso, utcnow
from .views import unit_ref

BAD_CREDENTIALS = ("auth.bad_credentials", "用户名或密码错误")


@dataclass(frozen=True)
class AuthConfig:
    secret: str
    session_minutes: int = 720
    max_failures: int = 5
    lock_minutes: int = 15
    idle_minutes: float = 30.0
    max_per_address: int = 30
    address_window_seconds: int = 300


@dataclass
class Outcome:
    """What a login produced: an answer, or an error to raise after the transaction
    (which records the failure) has committed."""
    payload: dict | None = None
    error: Exception | None = None


def normalize_username(role, username):
    """Account names are stored lower case, persons' ID numbers upper case."""
    username = username.strip()
    return username.upper() if role == "person" else username.lower()


def username_taken(session, username):
    """Whether a live account has this name, whatever its case."""
    forms = {username.strip().upper(), username.strip().lower()}
    return session.scalar(
        select(Account.id).where(Account.username.in_(forms), Account.deleted_at.is_(None))
        .limit(1)) is not None


def find_login_account(session, username):
    name = username.strip()
    account = session.scalars(
        select(Account).where(Account.username.in_({name.upper(), name.lower()}),
                              Account.deleted_at.is_(None)).limit(1)
    ).first()
    if account is None and is_mobile(name):
        account = session.scalars(
            select(Account).join(Person, Account.person_id == Person.id)
            .where(Person.mobile == name, Person.deleted_at.is_(None),
                   Account.deleted_at.is_(None)).limit(1)
        ).first()
    return account


def _throttle(session, key):
    session.execute(insert(LoginThrottle).values(key=key, failures=0)
                    .on_conflict_do_nothing(index_elements=["key"]))
    return session.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                           .with_for_update()).one()


ADDRESS_LIMITED = ("auth.address_rate_limited", "登录尝试过于频繁，请稍后再试")


def _address_key(ip):
    return f"address:{ip}"[:100]


def _address_wait(session, ip, now):
    """Seconds until this address may try again, or 0."""
    if not ip:
        return 0
    row = session.get(LoginThrottle, _address_key(ip), populate_existing=True)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return int((row.locked_until - now).total_seconds()) + 1


def _count_address_failure(session, cfg, ip, now):
    """One more failure for ``ip`` in its window (a new window when the last one ended);
    ``locked_until`` is set to the window's end once the count reaches the limit."""
    if not ip:
        return
    window_end = now + dt.timedelta(seconds=cfg.address_window_seconds)
    table = LoginThrottle.__table__
    stmt = insert(table).values(key=_address_key(ip), failures=1, updated_at=now,
                                locked_until=window_end if cfg.max_per_address <= 1 else None)
    expired = table.c.updated_at <= now - dt.timedelta(seconds=cfg.address_window_seconds)
    count = case((expired, 1), else_=table.c.failures + 1)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
        "failures": count,
        "updated_at": case((expired, now), else_=table.c.updated_at),
        "locked_until": case((count >= cfg.max_per_address,
                              case((expired, window_end),
                                   else_=table.c.updated_at
                                   + dt.timedelta(seconds=cfg.address_window_seconds))),
                             else_=None),
    })
    session.execute(stmt)


def _actor(account):
    if account is None:
        return None
    return {"account_id": account.id, "name": account.name, "role": account.role,
            "unit_id": account.unit_id}


def login(session, cfg, username, password, client=None):
    client = client or {}
    ip = (client.get("ip") or None)
    now = utcnow()
    wait = _address_wait(session, ip, now)
    if wait:
        audit.record(session, "auth.login_failed",
                     f"登录失败（登录尝试过于频繁）：{username.strip()[:64]}",
                     outcome="failure", ip=ip,
                     detail={"username": mask_text(username.strip()[:64]),
                             "reason": "登录尝试过于频繁"})
        return Outcome(error=TooManyRequests(*ADDRESS_LIMITED,
                                             {"retry_after_seconds": wait}))
    account = find_login_account(session, username)
    key = f"account:{account.id}" if account else f"name:{username.strip().lower()[:90]}"
    throttle = _throttle(session, key)
    detail = {"username": mask_text(username.strip()[:64]),
              "user_agent": (client.get("user_agent") or "")[:200]}

    def fail(reason, error):
        audit.record(session, "auth.login_failed", f"登录失败（{reason}）：{username.strip()[:64]}",
                     actor=_actor(account), outcome="failure", target_type="account",
                     target_id=account.id if account else None,
                     unit_id=account.unit_id if account else None, ip=ip,
                     detail={**detail, "reason": reason})
        return Outcome(error=error)

    if throttle.locked_until is not None:
        if throttle.locked_until > now:
            remaining = int((throttle.locked_until - now).total_seconds()) + 1
            return fail("账号已锁定", TooManyRequests(
                "auth.locked",
                f"登录失败次数过多，账号已锁定，请 {cfg.lock_minutes} 分钟后再试",
                {"retry_after_seconds": remaining}))
        throttle.failures, throttle.locked_until = 0, None

    if account is None:
        passwords.burn_time(password)
        ok = False
    else:
        ok = passwords.verify_password(account.password_hash, password)
    if not ok:
        _count_address_failure(session, cfg, ip, now)
        throttle.failures += 1
        throttle.updated_at = now
        if throttle.failures >= cfg.max_failures:
            throttle.locked_until = now + dt.timedelta(minutes=cfg.lock_minutes)
        return fail("用户名或密码错误", Unauthenticated(*BAD_CREDENTIALS))
    throttle.failures, throttle.locked_until, throttle.updated_at = 0, None, now

    if account.status == "frozen":
        return fail("账号已冻结",
                    Forbidden("auth.account_frozen", "账号已被冻结，请联系单位管理员"))
    if account.role == "unit_admin":
        unit = account.unit
        if unit.status == "pending":
            return fail("单位待审核", Forbidden(
                "auth.unit_pending", "单位注册信息正在审核中，审核通过后方可登录"))
        if unit.status == "rejected":
            opinion = unit.review_opinion or "无"
            return fail("单位审核未通过", Forbidden(
                "auth.unit_rejected", f"单位注册审核未通过，审核意见：{opinion}",
                {"opinion": opinion}))

    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    session_id = uuid.uuid4().hex
    expires_at = now + dt.timedelta(minutes=cfg.session_minutes)
    session.add(Session(id=session_id, account_id=account.id, expires_at=expires_at,
                        ip=ip, user_agent=(client.get("user_agent") or None) and
                        client["user_agent"][:300]))
    account.last_login_at = now
    audit.record(session, "auth.login", f"{account.name} 登录成功", actor=_actor(account),
                 target_type="account", target_id=account.id, unit_id=account.unit_id,
                 ip=ip, detail=detail)
    token = tokens.issue(cfg.secret, account.id, session_id, now, expires_at,
                         principal_for(account, session_id))
    return Outcome(payload={"token": token, "token_type": "Bearer",
                            "expires_at": iso(expires_at),
                            "account": me(account, session_id)})


def principal_for(account, session_id):
    """The principal dict of the contract (see services/common/principal.py)."""
    unit_id, extra = None, {}
    if account.role == "person":
        unit_id = account.person.bound_unit_id if account.person else None
    elif account.role == "unit_admin":
        unit_id = account.unit_id
        extra = {"unit_kind": account.unit.kind}
    return {"account_id": account.id, "roles": [account.role], "unit_id": unit_id,
            "person_id": account.person_id, "name": account.name, "session_id": session_id,
            "extra": extra}


def idle(login_session, now, idle_minutes):
    """Whether no request reached the session for ``idle_minutes``."""
    last = login_session.last_seen_at or login_session.created_at
    return idle_minutes > 0 and now - last > dt.timedelta(minutes=idle_minutes)


def authenticate(session, cfg, token):
    """The principal dict of a token whose session is live, and the request recorded as
    the session's activity; None otherwise (the gateways' fallback, see module doc)."""
    claims = tokens.read(cfg.secret, token)
    if claims is None or tokens.principal(claims) is None:
        return None  # tokens from before the principal claims are refused, as in gateways
    row = session.execute(
        select(Session, Account).join(Account, Session.account_id == Account.id)
        .where(Session.id == claims["sid"])
    ).first()
    if row is None:
        return None
    login_session, account = row
    now = utcnow()
    if (login_session.revoked_at is not None or login_session.expires_at <= now
            or idle(login_session, now, cfg.idle_minutes)
            or account.id != int(claims["sub"]) or account.deleted_at is not None
            or account.status != "active"):
        return None
    if account.role == "unit_admin" and (account.unit is None or account.unit.status != "active"):
        return None
    if account.role == "person" and (account.person is None
                                     or account.person.deleted_at is not None):
        return None
    if login_session.last_seen_at is None or now - login_session.last_seen_at > ACTIVITY_STEP:
        login_session.last_seen_at = now
    return principal_for(account, login_session.id)


# The fallback records a session's activity at most this often.
ACTIVITY_STEP = dt.timedelta(seconds=5)


def live_account(session, session_id, account_id):
    """The account of a live session (it exists, belongs to the account, is neither
    revoked nor expired), with its unit or its person's bound unit, in one query; None
    otherwise. ``/auth/me`` asks identity, so it checks the session itself."""
    if not session_id:
        return None
    return session.execute(
        select(Account)
        .join(Session, (Session.account_id == Account.id) & (Session.id == session_id)
              & Session.revoked_at.is_(None) & (Session.expires_at > utcnow()))
        .where(Account.id == account_id)
        .options(joinedload(Account.unit),
                 joinedload(Account.person).joinedload(Person.bound_unit))
    ).unique().scalar_one_or_none()


def me(account, session_id=None):
    unit = None
    if account.role == "unit_admin":
        unit = account.unit
    elif account.role == "person" and account.person is not None:
        unit = account.person.bound_unit
    return {
        "account_id": account.id, "username": account.username, "name": account.name,
        "role": account.role, "roles": [account.role], "person_id": account.person_id,
        "unit_id": unit.id if unit is not None else None, "unit": unit_ref(unit),
        "session_id": session_id, "password_changed_at": iso(account.password_changed_at),
        "last_login_at": iso(account.last_login_at),
    }


def revoke_sessions(session, account_id, reason, keep=None):
    """End the account's sessions (but ``keep``) and tell the gateways (logic/feed.py)."""
    query = (update(Session)
             .where(Session.account_id == account_id, Session.revoked_at.is_(None))
             .values(revoked_at=utcnow(), revoke_reason=reason)
             .returning(Session.id, Session.expires_at))
    if keep:
        query = query.where(Session.id != keep)
    feed.sessions_revoked(session, session.execute(query).all())


def logout(session, principal, ip=None):
    ended = session.execute(update(Session)
                            .where(Session.id == principal.session_id,
                                   Session.revoked_at.is_(None))
                            .values(revoked_at=utcnow(), revoke_reason="logout")
                            .returning(Session.id, Session.expires_at)).all()
    feed.sessions_revoked(session, ended)
    audit.record(session, "auth.logout", f"{principal.name} 退出登录", actor=principal,
                 target_type="account", target_id=principal.account_id,
                 unit_id=principal.unit_id, ip=ip)


def check_new_password(password, field="password"):
    reason = password_error(password)
    if reason:
        raise Invalid("account.weak_password", reason, {"fields": {field: [reason]}})


def change_password(session, principal, old_password, new_password):
    account = session.get(Account, principal.account_id, with_for_update=True)
    if account is None or account.deleted_at is not None:
        raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
    if not passwords.verify_password(account.password_hash, old_password):
        raise Invalid("account.wrong_password", "原密码错误",
                      {"fields": {"old_password": ["原密码错误"]}})
    check_new_password(new_password, "new_password")
    if new_password == old_password:
        raise Invalid("account.same_password", "新密码不能与原密码相同",
                      {"fields": {"new_password": ["新密码不能与原密码相同"]}})
    account.password_hash = passwords.hash_password(new_password)
    account.password_changed_at = account.updated_at = utcnow()
    revoke_sessions(session, account.id, "password_changed", keep=principal.session_id)
    audit.record(session, "account.password_changed", f"{account.name} 修改了登录密码",
                 actor=principal, target_type="account", target_id=account.id,
                 unit_id=account.unit_id)
