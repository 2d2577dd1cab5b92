"""The session revocation feed: what makes a token invalid, told to every gateway.

A gateway checks bearer tokens itself (signature, expiry, the principal in the claims)
and keeps in memory what revokes them. Identity tells it:

- ``revoked``: sessions ended (logout, password change or reset, freeze, deletion), with
  their expiry so the gateway forgets them once the token would have expired anyway;
- ``accounts``: accounts blocked (frozen, deleted) or unblocked (unfrozen);
- ``units``: units whose admins may not act (not ``active``) or may again;
- ``principals``: the current principal of an account whose name or bound unit changed.

Every transaction that changes any of these increments the one row of ``session_feed``
as its last statement (the row lock serialises those transactions, so numbers follow
commit order without gaps) and, once committed, publishes ``{seq, …}`` on the fanout
exchange ``identity.sessions`` before the RPC answers. A timer publishes the current
number every second (heartbeat); a gateway that misses a number, loses its connection
or hears no heartbeat asks identity per request (``authenticate``) until it has loaded
the whole state again (``session_state``, :func:`snapshot`).

Changes are collected per transaction in ``session.info`` by SQLAlchemy listeners on
the models (account status and name, unit status, a person's bound unit) and by
:func:`sessions_revoked` for the bulk updates of ``sessions``.
"""
import datetime as dt
import logging

from sqlalchemy import DateTime, String, column, event, inspect, select, update, values
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session as OrmSession

from ..models import Account, Person, SessionFeed, Unit
from ..models import Session as LoginSession
from .common import utcnow

log = logging.getLogger(__name__)

CHANGES = "session_feed_changes"
MESSAGE = "session_feed_message"
PUBLISH = "session_feed_publish"


def epoch(value):
    return round(value.timestamp(), 3) if value is not None else None


def _changes(session):
    changes = session.info.get(CHANGES)
    if changes is None:
        changes = session.info[CHANGES] = {"revoked": {}, "accounts": set(), "units": set(),
                                           "principals": set()}
    return changes


def sessions_revoked(session, rows):
    """Record ``(session id, expires_at)`` rows just revoked in this transaction."""
    revoked = _changes(session)["revoked"]
    for session_id, expires_at in rows:
        revoked[session_id] = epoch(expires_at)


def account_changed(session, account_id):
    _changes(session)["accounts"].add(account_id)


def unit_changed(session, unit_id):
    _changes(session)["units"].add(unit_id)


def principal_changed(session, account_id):
    _changes(session)["principals"].add(account_id)


def set_publisher(session, publish):
    """Who publishes this transaction's feed message after the commit (the service's
    :class:`SessionFeedPublisher`). Without one the message is not sent: the gateways
    notice the missing number at the next heartbeat and reload."""
    session.info[PUBLISH] = publish


def blocked(account):
    return account.status != "active" or account.deleted_at is not None


def unit_blocked(unit):
    return unit.status != "active"


# --------------------------------------------------------------------------- listeners

def _changed(obj, *names):
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(OrmSession, "before_flush")
def _watch_models(session, flush_context, instances):
    if session.info.get("source") != "identity":
        return
    for obj in session.dirty:
        if isinstance(obj, Account):
            if _changed(obj, "status", "deleted_at"):
                account_changed(session, obj.id)
            if _changed(obj, "name"):
                principal_changed(session, obj.id)
        elif isinstance(obj, Unit) and _changed(obj, "status"):
            unit_changed(session, obj.id)
        elif isinstance(obj, Person) and _changed(obj, "bound_unit_id"):
            with session.no_autoflush:
                account_id = session.scalar(select(Account.id).where(
                    Account.person_id == obj.id, Account.deleted_at.is_(None)))
            if account_id is not None:
                principal_changed(session, account_id)


@event.listens_for(OrmSession, "before_commit")
def _number_the_message(session):
    if CHANGES not in session.info:
        return
    session.flush()  # the last changes reach the listeners first
    changes = session.info.pop(CHANGES)
    if not any(changes.values()):
        return
    bump = insert(SessionFeed).values(id=1, seq=1)
    seq = session.execute(bump.on_conflict_do_update(
        index_elements=[SessionFeed.id], set_={"seq": SessionFeed.seq + 1})
        .returning(SessionFeed.seq)).scalar_one()
    accounts = {}
    for account_id in changes["accounts"]:
        account = session.get(Account, account_id)
        accounts[str(account_id)] = account is None or blocked(account)
    units = {}
    for unit_id in changes["units"]:
        unit = session.get(Unit, unit_id)
        units[str(unit_id)] = unit is None or unit_blocked(unit)
    principals = {}
    for account_id in changes["principals"]:
        account = session.get(Account, account_id)
        if account is not None:
            principals[str(account_id)] = principal_of(account)
    session.info[MESSAGE] = {"seq": seq, "revoked": changes["revoked"], "accounts": accounts,
                             "units": units, "principals": principals}


@event.listens_for(OrmSession, "after_commit")
def _publish_the_message(session):
    message = session.info.pop(MESSAGE, None)
    publish = session.info.get(PUBLISH)
    if message is None:
        return
    if publish is None:
        log.warning("session feed message %s committed without a publisher", message["seq"])
        return
    try:
        publish(message)
    except Exception:  # noqa: BLE001 - committed: the gateways reload on the gap
        log.exception("session feed message %s not published", message["seq"])


@event.listens_for(OrmSession, "after_rollback")
def _forget(session):
    session.info.pop(CHANGES, None)
    session.info.pop(MESSAGE, None)


# --------------------------------------------------------------------------- state

def principal_of(account):
    """The principal of an account as the gateway uses it (no session id)."""
    from .auth import principal_for

    principal = principal_for(account, None)
    principal.pop("session_id", None)
    return principal


def current_seq(session):
    return session.scalar(select(SessionFeed.seq).where(SessionFeed.id == 1)) or 0


def snapshot(session, session_minutes):
    """The whole state a gateway needs, numbered: every change numbered up to ``seq`` is
    in it (the number is read first; later changes arrive over the feed)."""
    seq = current_seq(session)
    now = utcnow()
    revoked = {sid: epoch(expires) for sid, expires in session.execute(
        select(LoginSession.id, LoginSession.expires_at)
        .where(LoginSession.revoked_at.is_not(None), LoginSession.expires_at > now))}
    recent = now - dt.timedelta(minutes=session_minutes)
    accounts = {str(account_id): True for account_id in session.scalars(
        select(Account.id).where(
            (Account.status != "active") & Account.deleted_at.is_(None)
            | (Account.deleted_at > recent)))}
    units = {str(unit_id): True for unit_id in session.scalars(
        select(Unit.id).where(Unit.status != "active"))}
    live = session.execute(
        select(LoginSession.id, LoginSession.account_id, LoginSession.last_seen_at)
        .where(LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)).all()
    last_seen = {sid: epoch(seen) for sid, _, seen in live if seen is not None}
    principals = {}
    account_ids = sorted({account_id for _, account_id, _ in live})
    for start in range(0, len(account_ids), 500):
        for account in session.scalars(select(Account).where(
                Account.id.in_(account_ids[start:start + 500]))):
            principals[str(account.id)] = principal_of(account)
    return {"seq": seq, "revoked": revoked, "accounts": accounts, "units": units,
            "principals": principals, "last_seen": last_seen}


def record_activity(session, seen):
    """Record ``{session id: epoch seconds}`` of requests the gateways let through."""
    rows = [(sid, dt.datetime.fromtimestamp(float(at), dt.UTC))
            for sid, at in (seen or {}).items()
            if isinstance(sid, str) and len(sid) <= 32 and isinstance(at, (int, float))]
    if not rows:
        return 0
    # Two statements whatever the number: the rows locked in id order (two identity
    # instances recording overlapping batches cannot deadlock), then one update.
    session.execute(select(LoginSession.id).where(LoginSession.id.in_([s for s, _ in rows]))
                    .order_by(LoginSession.id).with_for_update()).all()
    latest = values(column("id", String), column("at", DateTime(timezone=True)),
                    name="seen").data(rows)
    session.execute(update(LoginSession)
                    .where(LoginSession.id == latest.c.id,
                           (LoginSession.last_seen_at.is_(None))
                           | (LoginSession.last_seen_at < latest.c.at))
                    .values(last_seen_at=latest.c.at))
    return len(rows)
