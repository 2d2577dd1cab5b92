"""Subscriptions: made, listed, paused, resumed, deleted and re-keyed by their owner (a
``system`` account); read (and paused or resumed) by operators; delivery log,
redelivery and replay."""
import datetime as dt

from sqlalchemy import func, select, update

from services.common.errors import Forbidden, Invalid, NotFound
from services.common.principal import OPERATOR

from ..models import Attempt, Delivery, Event, Subscription
from . import delivery as d
from . import signing, ssrf

ROTATION_GRACE = dt.timedelta(hours=24)


def iso(value):
    return value.isoformat() if value else None


def view(sub, secret=None):
    out = {
        "id": sub.id, "url": sub.url, "description": sub.description,
        "event_types": list(sub.event_types), "status": sub.status,
        "paused_reason": sub.paused_reason, "paused_at": iso(sub.paused_at),
        "failing_since": iso(sub.failing_since), "last_error": sub.last_error,
        "owner_account_id": sub.owner_account_id, "owner_name": sub.owner_name,
        "created_at": iso(sub.created_at), "updated_at": iso(sub.updated_at),
    }
    if secret is not None:
        out["secret"] = secret
    return out


def check_types(types, known):
    unknown = [t for t in types if t != "*" and t.split("/")[-1] not in known]
    if unknown:
        raise Invalid("subscription.unknown_event_type", "订阅的事件类型不存在",
                      {"unknown": unknown, "known": sorted(known)})
    return sorted(set(types))


def create(session, principal, data, allow, known_types):
    url = ssrf.check_url(data["url"], allow)
    secret = data.get("secret") or signing.new_secret()
    sub = Subscription(
        owner_account_id=principal.account_id, owner_name=principal.name or "",
        url=url, description=data.get("description"),
        event_types=check_types(data["event_types"], known_types), secret=secret,
        status="active",
    )
    session.add(sub)
    session.flush()
    session.refresh(sub)
    return view(sub, secret=secret)


def get(session, principal, subscription_id, lock=False):
    sub = session.get(Subscription, subscription_id, with_for_update=lock)
    if sub is None or sub.status == "deleted":
        raise NotFound("subscription.not_found", "订阅不存在")
    if sub.owner_account_id != principal.account_id and not principal.has(OPERATOR):
        raise NotFound("subscription.not_found", "订阅不存在")
    return sub


def owned(session, principal, subscription_id):
    sub = get(session, principal, subscription_id, lock=True)
    return sub


def listing(session, principal, status=None, everyone=False):
    query = select(Subscription).where(Subscription.status != "deleted") \
        .order_by(Subscription.id)
    if everyone:
        if not principal.has(OPERATOR):
            raise Forbidden()
    else:
        query = query.where(Subscription.owner_account_id == principal.account_id)
    if status:
        query = query.where(Subscription.status == status)
    return [view(s) for s in session.execute(query).scalars()]


def pause(session, principal, subscription_id):
    sub = owned(session, principal, subscription_id)
    if sub.status == "active":
        sub.status, sub.paused_reason, sub.paused_at = "paused", "owner", d.utcnow()
        sub.updated_at = d.utcnow()
    return view(sub)


def resume(session, principal, subscription_id):
    """Active again; its waiting deliveries are due now and their failure clock restarts."""
    sub = owned(session, principal, subscription_id)
    if sub.status == "paused":
        sub.status, sub.paused_reason, sub.paused_at = "active", None, None
        sub.failing_since = None
        sub.updated_at = d.utcnow()
        session.execute(update(Delivery).where(Delivery.subscription_id == sub.id,
                                               Delivery.status == "pending")
                        .values(next_attempt_at=func.now(), first_failed_at=None))
    return view(sub)


def delete(session, principal, subscription_id):
    sub = owned(session, principal, subscription_id)
    sub.status = "deleted"
    sub.updated_at = d.utcnow()
    session.execute(update(Delivery).where(Delivery.subscription_id == sub.id,
                                           Delivery.status == "pending")
                    .values(status="cancelled"))
    return {"id": sub.id, "deleted": True}


def rotate_secret(session, principal, subscription_id, secret=None):
    """A new secret; the old one still signs (a second ``v1``) for 24 hours."""
    sub = owned(session, principal, subscription_id)
    new = secret or signing.new_secret()
    sub.previous_secret, sub.previous_secret_expires_at = sub.secret, \
        d.utcnow() + ROTATION_GRACE
    sub.secret = new
    sub.updated_at = d.utcnow()
    return view(sub, secret=new)


def deliveries(session, principal, subscription_id, status=None, limit=100, after=None):
    """The delivery log, newest first, each with its attempts."""
    sub = get(session, principal, subscription_id)
    query = (select(Delivery, Event).join(Event, Event.id == Delivery.event_row_id)
             .where(Delivery.subscription_id == sub.id)
             .order_by(Delivery.created_at.desc(), Delivery.event_row_id.desc()).limit(limit))
    if status:
        query = query.where(Delivery.status == status)
    rows = session.execute(query).all()
    ids = [delivery.id for delivery, _ in rows]
    attempts = {}
    if ids:
        for a in session.execute(select(Attempt).where(Attempt.delivery_id.in_(ids))
                                 .order_by(Attempt.number)).scalars():
            attempts.setdefault(a.delivery_id, []).append({
                "number": a.number, "started_at": iso(a.started_at),
                "finished_at": iso(a.finished_at), "status_code": a.status_code,
                "response_ms": a.response_ms, "succeeded": a.succeeded, "error": a.error,
            })
    return [{
        "delivery_id": str(delivery.id), "event_id": str(event.event_id),
        "type": event.type, "subject": event.subject, "source": event.source,
        "position": event.position, "reason": delivery.reason, "status": delivery.status,
        "attempts": delivery.attempts, "next_attempt_at": iso(delivery.next_attempt_at)
        if delivery.status == "pending" else None,
        "last_status_code": delivery.last_status_code,
        "last_response_ms": delivery.last_response_ms, "last_error": delivery.last_error,
        "created_at": iso(delivery.created_at), "delivered_at": iso(delivery.delivered_at),
        "attempt_log": attempts.get(delivery.id, []),
    } for delivery, event in rows]


def redeliver(session, principal, subscription_id, event_id):
    """Send one event again (a new delivery id, the same event id)."""
    sub = owned(session, principal, subscription_id)
    event = session.execute(select(Event).where(Event.event_id == event_id)).scalar_one_or_none()
    if event is None:
        raise NotFound("subscription.event_not_found", "事件不存在")
    delivery = d.new_delivery(session, sub.id, event.id, event.subject, "redelivery")
    session.flush()
    return {"delivery_id": str(delivery.id), "event_id": str(event.event_id)}


def replay(session, principal, subscription_id, source, after, limit=10000):
    """Deliver again every event of ``source`` after feed position ``after`` that the
    subscription's types take, in feed order."""
    sub = owned(session, principal, subscription_id)
    types = list(sub.event_types)
    events = session.execute(
        select(Event.id, Event.type, Event.subject, Event.source)
        .where(Event.source == source, Event.position > after)
        .order_by(Event.position).limit(limit)
    ).all()
    count = 0
    for event in events:
        if "*" in types or event.type in types or f"{event.source}/{event.type}" in types:
            d.new_delivery(session, sub.id, event.id, event.subject, "replay")
            count += 1
    return {"replayed": count, "source": source, "after": after}
