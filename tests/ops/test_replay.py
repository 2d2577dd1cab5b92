"""python -m services.common.replay: an event published before the snapshot but never
handled (its message was in the lost broker) is found and published again to its
handler's queue; a handled one is not."""
import uuid

import psycopg
from kombu import Connection
from sqlalchemy import text

from services.common import replay, topology


def _published(conn, schema, type_):
    event_id = uuid.uuid4()
    conn.execute(text(
        f'INSERT INTO "{schema}".outbox (event_id, type, version, occurred_at, source, '
        f"subject, data, published_at, feed_position) VALUES (:id, :type, 1, now(), :source, "
        f"'1', '{{}}', now(), (SELECT coalesce(max(feed_position), 0) + 1 FROM "
        f'"{schema}".outbox))'), {"id": event_id, "type": type_, "source": schema})
    return event_id


def test_unhandled_events_are_published_again(clean_db, database_url, rabbit_config,
                                              monkeypatch, capsys):
    consumers = replay.handlers_by_event()
    (source, type_), [(schema, handler, _when)] = next(
        (key, value) for key, value in consumers.items()
        if len(value) == 1 and value[0][2] is None)
    with clean_db.begin() as conn:
        lost = _published(conn, source, type_)
        handled = _published(conn, source, type_)
        conn.execute(text(
            f'INSERT INTO "{schema}".processed_events (handler, event_id, type, source) '
            f"VALUES (:h, :id, :type, :source)"),
            {"h": handler, "id": handled, "type": type_, "source": source})
    with psycopg.connect(replay.libpq(database_url), autocommit=True) as conn:
        rows = replay.unhandled_events(conn, consumers)
    assert [row.event_id for row in rows] == [lost]

    amqp = rabbit_config["AMQP_URI"]
    topology.declare(amqp)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AMQP_URI", amqp)
    assert replay.main(["--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 events to publish"
    assert replay.main([]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 events published again"
    queue = next(q for q in topology.handler_queues(topology.load_class(
        topology.SERVICE_CLASSES[schema])) if q.name.endswith(f".{handler}")
        and q.routing_key == type_)
    with Connection(amqp) as connection:
        message = queue(connection.channel()).get(no_ack=True)
    assert message is not None and message.payload["event_id"] == str(lost)


def test_an_event_a_handler_does_not_take_is_not_unhandled(clean_db, database_url):
    """identity's review_decided takes only its own subjects' decisions (``when``): a
    record's decision it acknowledged without a record is not waiting for it."""
    consumers = replay.handlers_by_event()
    assert ("identity", "review_decided",
            {"subject_service": "identity", "kind": ("binding", "unit_registration")}) \
        in consumers[("workflow", "review_decided")]
    only_identity = {("workflow", "review_decided"): [
        c for c in consumers[("workflow", "review_decided")] if c[1] == "review_decided"
        and c[0] == "identity"]}
    with clean_db.begin() as conn:
        record = _published(conn, "workflow", "review_decided")
        binding = _published(conn, "workflow", "review_decided")
        conn.execute(text('UPDATE workflow.outbox SET data = CAST(:d AS jsonb) '
                          'WHERE event_id = :id'),
                     {"id": record, "d": '{"subject_service": "achievements", '
                                         '"kind": "record"}'})
        conn.execute(text('UPDATE workflow.outbox SET data = CAST(:d AS jsonb) '
                          'WHERE event_id = :id'),
                     {"id": binding, "d": '{"subject_service": "identity", '
                                          '"kind": "binding"}'})
    with psycopg.connect(replay.libpq(database_url), autocommit=True) as conn:
        rows = replay.unhandled_events(conn, only_identity)
    assert [row.event_id for row in rows] == [binding]
