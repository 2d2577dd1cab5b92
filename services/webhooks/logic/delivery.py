"""Sending deliveries: which are due, the POST, its result, backoff and pausing.

A delivery is due when it is the oldest pending one of its (subscription, subject)
chain, its subscription is active and its time has come, so a failing event of a subject
holds back the later events of that subject for that subscription only. Claiming a
delivery commits its attempt row and leases it (``next_attempt_at`` moves past the
request's timeout) before the POST; the result commits after it. A process killed in
between leaves the attempt unfinished and the delivery pending: it is sent again once
the lease ends (the subscriber sees the same event id again and drops the duplicate).
"""
import datetime as dt
import json
import random
import time
import uuid

from sqlalchemy import func, select, text, update

from ..models import Attempt, Delivery, Event, Subscription
from . import signing, ssrf

USER_AGENT = "zhicheng-webhooks/1.0"


def utcnow():
    return dt.datetime.now(dt.UTC)


def claim(session, limit, lease_seconds):
    """Lease up to ``limit`` due deliveries, committed with the caller; for each, what
    its POST needs (url, body, secrets, ids), read in the same transaction."""
    if limit <= 0:
        return []
    heads = session.execute(text("""
        WITH heads AS (
            SELECT DISTINCT ON (d.subscription_id, d.subject)
                   d.id, d.subscription_id, d.next_attempt_at
            FROM webhooks.deliveries d
            WHERE d.status = 'pending'
            ORDER BY d.subscription_id, d.subject, d.event_row_id
        )
        SELECT h.id FROM heads h JOIN webhooks.subscriptions s ON s.id = h.subscription_id
        WHERE s.status = 'active' AND h.next_attempt_at <= now()
        ORDER BY h.next_attempt_at
        LIMIT :limit
    """), {"limit": limit}).scalars().all()
    if not heads:
        return []
    locked = session.execute(
        select(Delivery).where(Delivery.id.in_(heads), Delivery.status == "pending",
                               Delivery.next_attempt_at <= text("now()"))
        .with_for_update(skip_locked=True)
    ).scalars().all()
    if not locked:
        return []
    details = {
        row.id: row for row in session.execute(
            select(Delivery.id, Event.cloudevent, Event.event_id, Event.type,
                   Subscription.id.label("subscription_id"), Subscription.url,
                   Subscription.secret, Subscription.previous_secret,
                   Subscription.previous_secret_expires_at)
            .join(Event, Event.id == Delivery.event_row_id)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.id.in_([d.id for d in locked])))
    }
    now = utcnow()
    claimed = []
    for delivery in locked:
        delivery.attempts += 1
        delivery.next_attempt_at = now + dt.timedelta(seconds=lease_seconds)
        session.add(Attempt(delivery_id=delivery.id, number=delivery.attempts, started_at=now))
        row = details[delivery.id]
        secrets = [row.secret]
        if row.previous_secret and row.previous_secret_expires_at \
                and row.previous_secret_expires_at > now:
            secrets.append(row.previous_secret)
        claimed.append({
            "delivery_id": delivery.id, "number": delivery.attempts,
            "subscription_id": row.subscription_id, "url": row.url, "secrets": secrets,
            "event_id": str(row.event_id), "type": row.type,
            "body": json.dumps(row.cloudevent, ensure_ascii=False, separators=(",", ":"),
                               sort_keys=True).encode(),
        })
    return claimed


def signed_headers(claimed):
    """The headers of a POST, signed now."""
    return {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Signature": signing.header(claimed["secrets"], time.time(), claimed["body"]),
        "X-Delivery-Id": str(claimed["delivery_id"]),
        "X-Event-Id": claimed["event_id"],
        "X-Event-Type": claimed["type"],
        "X-Subscription-Id": str(claimed["subscription_id"]),
        "ce-id": claimed["event_id"],
        "ce-specversion": "1.0",
    }


def post(http, prepared, allow, timeout):
    """Send one delivery; (ok, status_code, response_ms, error)."""
    started = time.monotonic()
    try:
        ssrf.check_url(prepared["url"], allow)  # again: what the host resolves to now
        response = http.post(prepared["url"], data=prepared["body"],
                             headers=signed_headers(prepared),
                             timeout=(min(5.0, timeout), timeout),
                             allow_redirects=False, stream=True)
        try:
            response.raw.read(4096, decode_content=False)
        finally:
            response.close()
        elapsed = int((time.monotonic() - started) * 1000)
        ok = 200 <= response.status_code < 300
        return ok, response.status_code, elapsed, None if ok else f"HTTP {response.status_code}"
    except Exception as exc:  # noqa: BLE001 - any failure of the endpoint is a failed attempt
        elapsed = int((time.monotonic() - started) * 1000)
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return False, None, elapsed, str(message)[:1000]


def backoff(attempts, base, maximum):
    """Exponential, with ±20 % jitter: base, 2·base, 4·base … capped at ``maximum``."""
    delay = min(base * 2 ** max(attempts - 1, 0), maximum)
    return delay * random.uniform(0.8, 1.2)


def record(session, delivery_id, number, outcome, base, maximum):
    """The result of an attempt. The subscription's row is written (locked) only when
    its failing state changes: a failure, or a success while it is failing."""
    ok, status_code, elapsed, error = outcome
    now = utcnow()
    session.execute(update(Attempt).where(Attempt.delivery_id == delivery_id,
                                          Attempt.number == number)
                    .values(finished_at=now, status_code=status_code, response_ms=elapsed,
                            succeeded=ok, error=error))
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    delivery.last_status_code = status_code
    delivery.last_response_ms = elapsed
    delivery.last_error = error
    if ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.first_failed_at = None
        session.flush()
        session.execute(text("""
            UPDATE webhooks.subscriptions s SET failing_since = NULL, last_error = NULL
            WHERE s.id = :id AND s.failing_since IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries d
                              WHERE d.subscription_id = s.id AND d.status = 'pending'
                                AND d.first_failed_at IS NOT NULL)
        """), {"id": delivery.subscription_id})
    elif delivery.status == "pending":  # not cancelled meanwhile
        delivery.first_failed_at = delivery.first_failed_at or now
        delivery.next_attempt_at = now + dt.timedelta(
            seconds=backoff(delivery.attempts, base, maximum))
        session.execute(update(Subscription).where(Subscription.id == delivery.subscription_id)
                        .values(failing_since=func.coalesce(Subscription.failing_since, now),
                                last_error=error))


def pause_failing(session, give_up_after):
    """Pause subscriptions that have failed for longer than ``give_up_after`` seconds;
    their deliveries wait (nothing is dropped) until the owner or an operator resumes."""
    return session.execute(text("""
        UPDATE webhooks.subscriptions
        SET status = 'paused', paused_reason = 'failing', paused_at = now(), updated_at = now()
        WHERE status = 'active' AND failing_since IS NOT NULL
          AND failing_since < now() - make_interval(secs => :secs)
        RETURNING id
    """), {"secs": float(give_up_after)}).scalars().all()


def new_delivery(session, subscription_id, event_row_id, subject, reason):
    delivery = Delivery(id=uuid.uuid4(), subscription_id=subscription_id,
                        event_row_id=event_row_id, subject=subject, reason=reason,
                        status="pending", attempts=0, next_attempt_at=utcnow())
    session.add(delivery)
    return delivery
