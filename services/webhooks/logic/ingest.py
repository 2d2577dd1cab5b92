"""Taking in the sources' events, in each source's feed order, exactly once.

Per source a cursor holds the last feed position taken in. Feed positions are given at
commit, grow by one and have no gaps (services/common/messaging.py), so an event is
taken in only when its position is the cursor's next: an event the bus brings early
(a gap before it) waits for the feed pull, which fills the gap in order. One writer per
source at a time (its cursor row, locked until the transaction ends).

A batch costs a fixed handful of statements whatever its size: the cursor, one insert of
every new event, one fan-out of them all to the subscriptions that want them, and the
cursor's update."""
import uuid

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from services.common.messaging import to_cloudevent

from ..models import Cursor, Event


def cursor(session, source, lock=True):
    """The last position taken in from ``source``; with ``lock`` its row stays locked
    until the transaction ends (one writer per source at a time). One statement once
    the source's cursor exists."""
    query = select(Cursor.position).where(Cursor.source == source)
    if lock:
        query = query.with_for_update()
    position = session.execute(query).scalar()
    if position is None:  # the source's first event: a writer at once creates it too
        session.execute(insert(Cursor).values(source=source, position=0)
                        .on_conflict_do_nothing(index_elements=["source"]))
        position = session.execute(query).scalar_one()
    return position


def contiguous(cloudevents, position):
    """The events that follow ``position`` without a gap, in order, and whether one lay
    beyond a gap. Events at or before ``position`` are already here (a redelivered
    message, an overlapping page) and are skipped."""
    run, gap = [], False
    for cloud in sorted(cloudevents, key=lambda c: c["position"]):
        if cloud["position"] <= position:
            continue
        if cloud["position"] != position + 1:
            gap = True
            break
        run.append(cloud)
        position = cloud["position"]
    return run, gap


def take(session, source, cloudevents):
    """Take in ``cloudevents`` (each with its ``position``), in order, stopping at a gap.
    Returns (taken, gap): how many were new, and whether one lay beyond a gap."""
    run, gap = contiguous(cloudevents, cursor(session, source))
    if not run:
        return 0, gap
    rows = session.execute(insert(Event).values([
        {"source": source, "position": cloud["position"], "event_id": uuid.UUID(cloud["id"]),
         "type": cloud["type"], "subject": cloud["subject"], "cloudevent": cloud}
        for cloud in run
    ]).returning(Event.id)).scalars().all()
    fan_out(session, source, rows)
    session.execute(Cursor.__table__.update().where(Cursor.source == source)
                    .values(position=run[-1]["position"]))
    return len(run), gap


def take_envelopes(session, source, envelopes):
    """Events as the bus brings them (envelopes with their feed ``position``); one without
    a position counts as a gap (the feed pull brings it)."""
    placed = [e for e in envelopes if e.get("position") is not None]
    taken, gap = take(session, source, [to_cloudevent(e) for e in placed])
    return taken, gap or len(placed) < len(envelopes)


def fan_out(session, source, event_row_ids):
    """A pending delivery of each event for each subscription that wants its type, in
    one statement (nothing is written when no subscription wants any of them)."""
    session.execute(text("""
        INSERT INTO webhooks.deliveries
            (id, subscription_id, event_row_id, subject, reason, status, attempts,
             next_attempt_at, created_at)
        SELECT gen_random_uuid(), s.id, e.id, e.subject, 'event', 'pending', 0, now(), now()
        FROM webhooks.events e
        JOIN webhooks.subscriptions s
          ON s.status IN ('active', 'paused')
         AND s.event_types ?| ARRAY[e.type, :source || '/' || e.type, '*']
        WHERE e.id = ANY(:rows)
        ORDER BY e.id
        ON CONFLICT DO NOTHING
    """), {"rows": list(event_row_ids), "source": source})
