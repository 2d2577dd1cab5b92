"""Taking in the sources' events, in each source's feed order, exactly once.

Per source a cursor holds the last feed position taken in. Feed positions are given at
commit, grow by one and have no gaps (services/common/messaging.py), so an event is
taken in only when its position is the cursor's next: an event the bus brings early
(a gap before it) waits for the feed pull, which fills the gap in order. One writer per
source at a time (a transaction-scoped advisory lock)."""
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from services.common.messaging import to_cloudevent

from ..models import Cursor, Event


def _lock(session, source):
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"webhooks:ingest:{source}"))))


def cursor(session, source, lock=True):
    if lock:
        _lock(session, source)
    session.execute(insert(Cursor).values(source=source, position=0)
                    .on_conflict_do_nothing(index_elements=["source"]))
    return session.execute(select(Cursor.position).where(Cursor.source == source)).scalar_one()


def take(session, source, cloudevents):
    """Take in ``cloudevents`` (each with its ``position``), in order, stopping at a gap.
    Returns (taken, gap): how many were new, and whether one lay beyond a gap."""
    position = cursor(session, source)
    taken, gap = 0, False
    for cloud in sorted(cloudevents, key=lambda c: c["position"]):
        if cloud["position"] <= position:
            continue  # already here (a redelivered message, an overlapping page)
        if cloud["position"] != position + 1:
            gap = True
            break
        row_id = session.execute(insert(Event).values(
            source=source, position=cloud["position"], event_id=uuid.UUID(cloud["id"]),
            type=cloud["type"], subject=cloud["subject"], cloudevent=cloud,
        ).returning(Event.id)).scalar_one()
        fan_out(session, row_id, source, cloud["type"], cloud["subject"])
        position = cloud["position"]
        taken += 1
    if taken:
        session.execute(Cursor.__table__.update().where(Cursor.source == source)
                        .values(position=position))
    return taken, gap


def take_envelope(session, source, envelope):
    """An event as the bus brings it (the envelope and its feed ``position``)."""
    if envelope.get("position") is None:
        return 0, True
    return take(session, source, [to_cloudevent(envelope)])


def fan_out(session, event_row_id, source, type_, subject):
    """A pending delivery of the event for each subscription that wants its type."""
    session.execute(text("""
        INSERT INTO webhooks.deliveries
            (id, subscription_id, event_row_id, subject, reason, status, attempts,
             next_attempt_at, created_at)
        SELECT gen_random_uuid(), s.id, :row, :subject, 'event', 'pending', 0, now(), now()
        FROM webhooks.subscriptions s
        WHERE s.status IN ('active', 'paused')
          AND s.event_types ?| ARRAY[:type, :qualified, '*']
        ON CONFLICT DO NOTHING
    """), {"row": event_row_id, "subject": subject, "type": type_,
           "qualified": f"{source}/{type_}"})
