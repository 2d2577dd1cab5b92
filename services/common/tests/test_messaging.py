"""The outbox, the relay and idempotent consumers on the real broker and database.

Two probe services, each with its own schema: ``probe_source`` changes a row and emits
an event in one transaction; ``probe_sink`` applies it to a table of its own.
"""
import json
import uuid

import eventlet
import pytest
from kombu import Connection, Producer
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import Column, Integer, String, func, make_url, select, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Database, make_base
from services.common.errors import Conflict
from services.common.messaging import consumer, emit, event_exchange, event_feed
from services.common.migrations import grant_service_role
from services.common.rpc import rpc

SourceBase = make_base("probe_source")
SinkBase = make_base("probe_sink")


class Thing(SourceBase):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Effect(SinkBase):
    __tablename__ = "effects"
    id = Column(Integer, primary_key=True)
    event_id = Column(String(36), nullable=False)
    name = Column(String(50), nullable=False)


class ProbeSource:
    name = "probe_source"
    db = Database(SourceBase.metadata)

    @rpc
    def make(self, name):
        with self.db.transaction() as session:
            thing = Thing(name=name)
            session.add(thing)
            session.flush()
            envelope = emit(session, "thing_made", f"things/{thing.id}", {"name": name})
        return envelope["event_id"]

    @rpc
    def feed(self, after, limit=100):
        with self.db.read() as session:
            return event_feed(session, after=after, limit=limit)

    @rpc
    def make_then_fail(self, name):
        with self.db.transaction() as session:
            session.add(Thing(name=name))
            emit(session, "thing_made", "things/x", {"name": name})
            raise Conflict("probe.failed", "故意失败")


class ProbeSink:
    name = "probe_sink"
    db = Database(SinkBase.metadata)

    @consumer("probe_source", "thing_made")
    def thing_made(self, session, envelope):
        if envelope["data"]["name"] == "poison":
            raise RuntimeError("cannot digest this")
        if envelope["data"]["name"] == "rejected":
            raise Conflict("probe.rejected", "状态不允许")
        session.add(Effect(event_id=envelope["event_id"], name=envelope["data"]["name"]))


@pytest.fixture
def probe_schemas(db_engine, database_url, service_config):
    for base in (SourceBase, SinkBase):
        with db_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{base.metadata.schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{base.metadata.schema}"'))
        base.metadata.create_all(db_engine)
    # the probes connect as the services' role, as the real services do
    grant_service_role(database_url, make_url(service_config["DATABASE_URL"]).username,
                       services=("probe_source", "probe_sink"))
    yield db_engine
    with db_engine.begin() as conn:
        for base in (SourceBase, SinkBase):
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{base.metadata.schema}" CASCADE'))


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError("condition not reached in time")


def count(engine, query):
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def effects(engine):
    return count(engine, select(func.count()).select_from(Effect.__table__))


def outbox(engine):
    table = SourceBase.metadata.tables["probe_source.outbox"]
    with engine.connect() as conn:
        return conn.execute(select(table).order_by(table.c.sequence)).all()


def failed(engine):
    table = SinkBase.metadata.tables["probe_sink.failed_events"]
    with engine.connect() as conn:
        return conn.execute(select(table)).all()


def test_event_reaches_consumer_once_even_when_redelivered(
        probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource, ProbeSink)
    runner.start()

    with ServiceRpcProxy("probe_source", service_config) as source:
        event_id = source.make("first")

    wait_for(lambda: effects(engine) == 1)
    rows = outbox(engine)
    assert len(rows) == 1 and str(rows[0].event_id) == event_id
    assert wait_for(lambda: outbox(engine)[0].published_at is not None)

    # A redelivered copy of the same envelope (as after a relay crash between publish
    # and marking the row sent) changes nothing.
    envelope = {
        "event_id": event_id, "type": "thing_made", "version": 1,
        "occurred_at": rows[0].occurred_at.isoformat(), "source": "probe_source",
        "subject": rows[0].subject, "actor": None, "data": {"name": "first"},
    }
    with Connection(service_config["AMQP_URI"]) as conn:
        producer = Producer(conn.channel(), exchange=event_exchange("probe_source"))
        for _ in range(3):
            producer.publish(envelope, routing_key="thing_made", serializer="json")

    processed = SinkBase.metadata.tables["probe_sink.processed_events"]
    eventlet.sleep(1.0)
    assert effects(engine) == 1
    assert count(engine, select(func.count()).select_from(processed)) == 1
    with engine.connect() as conn:
        assert conn.execute(select(Effect.__table__.c.event_id)).scalar() == event_id


def test_rolled_back_change_emits_nothing(probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource, ProbeSink)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        with pytest.raises(Conflict):
            source.make_then_fail("never")
        source.make("after")
    wait_for(lambda: effects(engine) == 1)
    assert [r.data["name"] for r in outbox(engine)] == ["after"]
    assert count(engine, select(func.count()).select_from(Thing.__table__)) == 1


def test_event_committed_before_consumer_queue_exists_is_delivered_later(
        probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    source_runner = runner_factory(service_config, ProbeSource)
    source_runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        source.make("early")

    # No queue is bound yet: the broker returns the message, the row stays pending.
    row = wait_for(lambda: next((r for r in outbox(engine) if r.attempts >= 1), None))
    assert row.published_at is None
    assert "unroutable" in row.last_error

    sink_runner = runner_factory(service_config, ProbeSink)
    sink_runner.start()
    wait_for(lambda: effects(engine) == 1, timeout=15)
    assert wait_for(lambda: outbox(engine)[0].published_at is not None)


def test_failing_handler_is_recorded_and_parked_not_looping(
        probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource, ProbeSink)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        source.make("poison")
        source.make("rejected")
        source.make("fine")

    wait_for(lambda: effects(engine) == 1, timeout=20)
    rows = wait_for(lambda: (lambda rs: rs if len(rs) == 2 and all(
        r.status == "dead" for r in rs) else None)(failed(engine)), timeout=30)
    by_name = {r.envelope["data"]["name"]: r for r in rows}
    # A transient-looking error is retried a few times, then parked.
    assert by_name["poison"].attempts == 5
    assert "cannot digest this" in by_name["poison"].last_error
    # A domain rejection will not change on retry: parked at once.
    assert by_name["rejected"].attempts == 1
    # Nothing keeps looping: the handler's queue is empty and the counts stay put.
    eventlet.sleep(1.5)
    assert [r.attempts for r in failed(engine)] == [r.attempts for r in rows]
    assert effects(engine) == 1


def test_malformed_payload_is_parked(probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSink)
    runner.start()
    with Connection(service_config["AMQP_URI"]) as conn:
        producer = Producer(conn.channel(), exchange=event_exchange("probe_source"))
        producer.publish({"type": "thing_made", "data": "oops"}, routing_key="thing_made",
                         serializer="json")
    row = wait_for(lambda: next(iter(failed(engine)), None))
    assert row.status == "dead"
    assert "lacks" in row.last_error
    assert effects(engine) == 0


def test_replay_feed_serves_published_events_in_publication_order(
        probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource, ProbeSink)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        ids = [source.make(name) for name in ("one", "two", "three")]
        wait_for(lambda: all(row.published_at for row in outbox(engine)))
        everything = source.feed(0)
        assert [item["event_id"] for item in everything] == ids
        assert [item["position"] for item in everything] == [1, 2, 3]
        assert everything[0]["data"] == {"name": "one"}
        assert everything[0]["type"] == "thing_made" and everything[0]["source"] == "probe_source"
        # A subscriber that saw position 1 catches up with the rest, a page at a time.
        assert [item["event_id"] for item in source.feed(1, limit=1)] == ids[1:2]
        assert source.feed(3) == []


def test_event_nobody_consumes_is_released_to_the_feed_after_the_grace_period(
        probe_schemas, service_config, runner_factory):
    """An event only outside systems want must not wait in the outbox for ever."""
    engine = probe_schemas
    runner = runner_factory({**service_config, "OUTBOX_UNROUTABLE_GRACE": 1.5}, ProbeSource)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        event_id = source.make("for outsiders")
        first = wait_for(lambda: next((r for r in outbox(engine) if r.attempts >= 1), None))
        assert first.published_at is None and "unroutable" in first.last_error
        row = wait_for(lambda: next((r for r in outbox(engine) if r.published_at), None),
                       timeout=15)
        assert "no queue" in row.last_error
        assert [item["event_id"] for item in source.feed(0)] == [event_id]
