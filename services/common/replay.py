"""After a restore: publish again the events that were published but not yet handled at
the backup's snapshot (their messages were in the broker that was lost).

    DATABASE_URL=… AMQP_URI=… python -m services.common.replay [--dry-run]

An event counts as unhandled when one of the platform's own handlers of its type (that
takes it: ``consumer(..., when=)``) has neither a ``processed_events`` row nor a
``failed_events`` row for it. Consumers are
idempotent, so a copy that some other handler had already taken does nothing there.
Run it once the restored services are up and their queues are empty (what the outbox
had not published at all, the relays publish by themselves). The restore drill
(``bench/restore_drill.py``) uses these functions.
"""
import argparse
import os
import sys

from sqlalchemy import make_url

from . import topology
from .config import DOMAIN_SERVICES
from .messaging import concerns


def libpq(url):
    """A SQLAlchemy URL as libpq (psycopg, pg_dump) takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def handlers_by_event():
    """``{(source, type): [(consumer schema, handler name, when)]}`` of the platform's
    event handlers that record what they handled (not wildcard subscribers); ``when`` is
    the handler's choice of events (``consumer(..., when=)``), None for all of its type."""
    found = {}
    for service, path in topology.SERVICE_CLASSES.items():
        if service not in DOMAIN_SERVICES:
            continue
        cls = topology.load_class(path)
        for queue in topology.handler_queues(cls):
            if "*" in queue.routing_key or "#" in queue.routing_key:
                continue
            source = queue.exchange.name.removesuffix(".events")
            handler = queue.name.rsplit(".", 1)[1]
            when = getattr(getattr(cls, handler, None), "when", None)
            found.setdefault((source, queue.routing_key), []).append((service, handler, when))
    return found


def unhandled_events(conn, consumers):
    """Published outbox rows (psycopg ``conn``) that a handler has neither handled nor
    parked as failed, in feed order per source."""
    from psycopg.rows import namedtuple_row

    missing = []
    cursor = conn.cursor(row_factory=namedtuple_row)
    for source in DOMAIN_SERVICES:
        rows = cursor.execute(f'SELECT * FROM "{source}".outbox WHERE published_at IS NOT '
                              f'NULL ORDER BY feed_position').fetchall()
        for row in rows:
            for schema, handler, when in consumers.get((source, row.type), ()):
                if when is not None and not concerns(when, row.data or {}):
                    continue  # acknowledged without a record: nothing to apply
                done = conn.execute(
                    f'SELECT 1 FROM "{schema}".processed_events WHERE handler = %s AND '
                    f'event_id = %s UNION ALL SELECT 1 FROM "{schema}".failed_events '
                    f'WHERE handler = %s AND event_id = %s LIMIT 1',
                    (handler, row.event_id, handler, row.event_id)).fetchone()
                if not done:
                    missing.append(row)
                    break
    return missing


def republish(amqp_uri, rows):
    """Publish outbox rows again as the relay does, with publisher confirms."""
    from kombu import Connection, Producer

    from .messaging import event_exchange, published_envelope

    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        for row in rows:
            envelope = published_envelope(row)
            Producer(channel, exchange=event_exchange(row.source)).publish(
                envelope, routing_key=row.type, serializer="json", delivery_mode=2,
                message_id=envelope["event_id"],
                headers={"event_type": row.type, "event_version": row.version})


def main(argv=None):
    import psycopg

    parser = argparse.ArgumentParser(prog="python -m services.common.replay")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing")
    args = parser.parse_args(argv)
    url, amqp_uri = os.environ.get("DATABASE_URL"), os.environ.get("AMQP_URI")
    if not url or not amqp_uri:
        raise SystemExit("set DATABASE_URL and AMQP_URI")
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        rows = unhandled_events(conn, handlers_by_event())
    for row in rows:
        print(f"{row.source} {row.type} {row.event_id} (feed position {row.feed_position})")
    if not args.dry_run and rows:
        republish(amqp_uri, rows)
    print(f"{len(rows)} events {'to publish' if args.dry_run else 'published again'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
