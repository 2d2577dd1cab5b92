"""The outbox, the relay and idempotent consumers on the real broker and database.

Two probe services, each with its own schema: ``probe_source`` changes a row and emits
an event in one transaction; ``probe_sink`` applies it to a table of its own.
"""
import collections
import logging
import threading
import time

import eventlet
import pytest
from kombu import Connection, Producer
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import Column, Integer, String, func, make_url, select, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common import metrics
from services.common.db import Database, make_base
from services.common.errors import Conflict
from services.common.messaging import consumer, emit, event_exchange, event_feed
from services.common.migrations import grant_service_role
from services.common.rpc import rpc
from services.common.testing import sql_statements, wait_for
from services.common.topology import handler_queues

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
    def make_each(self, names):
        """Each name in a savepoint of one transaction, as a batch decision decides each
        task; "refused" is refused after its event was written. The names made."""
        made = []
        with self.db.transaction() as session:
            for name in names:
                try:
                    with session.begin_nested():
                        session.add(Thing(name=name))
                        emit(session, "thing_made", f"things/{name}", {"name": name})
                        if name == "refused":
                            raise Conflict("probe.refused", "状态不允许")
                    made.append(name)
                except Conflict:
                    pass
            eventlet.sleep(0.3)  # more work after the last savepoint, before the commit
        return made

    @rpc
    def make_then_fail(self, name):
        with self.db.transaction() as session:
            session.add(Thing(name=name))
            emit(session, "thing_made", "things/x", {"name": name})
            raise Conflict("probe.failed", "故意失败")


class WorkerCount(DependencyProvider):
    """How many workers each entrypoint of the sink started."""
    started = collections.Counter()

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx.entrypoint.method_name] += 1


class ProbeSink:
    name = "probe_sink"
    db = Database(SinkBase.metadata)
    workers = WorkerCount()

    @consumer("probe_source", "thing_made")
    def thing_made(self, session, envelope):
        if envelope["data"]["name"] == "poison":
            raise RuntimeError("cannot digest this")
        if envelope["data"]["name"] == "rejected":
            raise Conflict("probe.rejected", "状态不允许")
        session.add(Effect(event_id=envelope["event_id"], name=envelope["data"]["name"]))

    @consumer("probe_source", "thing_made", when={"name": ("picky", "choosy")})
    def picky(self, session, envelope):
        session.add(Effect(event_id=envelope["event_id"],
                           name="picky:" + envelope["data"]["name"]))


PREPARED = []  # how many events each prepare of the grouped probe was given


def prepare_things(session, envelopes):
    PREPARED.append(len(envelopes))
    session.info.setdefault("prepared", set()).update(e["event_id"] for e in envelopes)


class ProbeGroupedSink:
    name = "probe_grouped"
    db = Database(SinkBase.metadata)
    workers = WorkerCount()

    @consumer("probe_source", "thing_made", grouped=True, prepare=prepare_things)
    def grouped_thing(self, session, envelope):
        if envelope["event_id"] not in session.info.get("prepared", ()):
            raise RuntimeError("applied before its prepare")
        if envelope["data"]["name"] == "poison":
            raise RuntimeError("cannot digest this")
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
        probe_schemas, service_config, runner_factory, caplog):
    caplog.set_level(logging.INFO, logger="services.common.messaging")
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
    # the sink has taken every copy: each one found the event handled and was skipped
    wait_for(lambda: sum(f"event {event_id} already handled; skipped" in r.getMessage()
                         for r in caplog.records) >= 3, what="three copies skipped")
    assert effects(engine) == 1
    assert count(engine, select(func.count()).select_from(processed)) == 1
    with engine.connect() as conn:
        assert conn.execute(select(Effect.__table__.c.event_id)).scalar() == event_id


def test_a_consumer_takes_only_the_events_its_when_names(
        probe_schemas, service_config, runner_factory):
    engine = probe_schemas
    WorkerCount.started.clear()
    runner = runner_factory(service_config, ProbeSource, ProbeSink)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        for name in ("picky", "other", "choosy"):
            source.make(name)
    processed = SinkBase.metadata.tables["probe_sink.processed_events"]

    def names():
        with engine.connect() as conn:
            return sorted(conn.execute(select(Effect.__table__.c.name)).scalars())

    # each queue is taken in order: choosy's effect means other's message was taken too
    wait_for(lambda: "picky:choosy" in names() and "other" in names())
    assert names() == ["choosy", "other", "picky", "picky:choosy", "picky:picky"]
    # the event that does not concern it was acknowledged without being recorded
    assert count(engine, select(func.count()).select_from(processed)
                 .where(processed.c.handler == "picky")) == 2
    assert count(engine, select(func.count()).select_from(processed)
                 .where(processed.c.handler == "thing_made")) == 3
    assert failed(engine) == []
    # ... and without a worker: workers ran for its two events only
    assert WorkerCount.started["picky"] == 2


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


def test_events_of_savepoints_are_positioned_and_published_with_their_transaction(
        probe_schemas, service_config, runner_factory, monkeypatch):
    """A batch in savepoints: the events of the savepoints kept get their feed positions
    at the commit, in order and without a gap (one refused in the middle leaves none
    behind; written two rows a statement here, as a transaction of thousands of events
    is), and the relay is woken by the commit itself, not by its poll."""
    from services.common import messaging

    monkeypatch.setattr(messaging, "OUTBOX_ROWS_PER_INSERT", 2)
    engine = probe_schemas
    runner = runner_factory({**service_config, "OUTBOX_POLL_INTERVAL": 30}, ProbeSource,
                            ProbeSink)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        made = source.make_each(["a", "b", "refused", "c", "d", "e"])
        assert made == ["a", "b", "c", "d", "e"]
        rows = outbox(engine)
        assert [(r.data["name"], r.feed_position) for r in rows] == [
            ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)]
        assert [item["data"]["name"] for item in source.feed(0)] == ["a", "b", "c", "d", "e"]
    wait_for(lambda: effects(engine) == 5, timeout=5)  # far within the 30 s poll


def test_a_grouped_consumer_applies_events_arriving_together_once_each_in_few_commits(
        probe_schemas, service_config, runner_factory, caplog):
    """Twenty events published at once, then twenty more: a grouped consumer applies
    each exactly once, in fewer transactions than events, after its prepare saw them
    together; a poison event among the second twenty fails its group, whose events are
    then applied one by one, and it alone is retried and parked as any consumer's;
    redelivered copies are skipped."""
    caplog.set_level(logging.INFO, logger="services.common.messaging")
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource, ProbeGroupedSink)
    runner.start()
    container = next(c for c in runner.containers if c.service_name == "probe_grouped")
    registry = metrics.for_container(container).registry
    names = [f"n{i}" for i in range(40)]
    names[27] = "poison"

    def applied():
        with engine.connect() as conn:
            return sorted(conn.execute(select(Effect.__table__.c.name)).scalars())

    with ServiceRpcProxy("probe_source", service_config) as source:
        assert source.make_each(names[:20]) == names[:20]
        wait_for(lambda: applied() == sorted(names[:20]), timeout=20)
        assert source.make_each(names[20:]) == names[20:]
    wanted = sorted(n for n in names if n != "poison")
    wait_for(lambda: applied() == wanted, timeout=20)
    row = wait_for(lambda: next((r for r in failed(engine) if r.status == "dead"), None),
                   timeout=30)
    assert (row.handler, row.envelope["data"]["name"], row.attempts) == (
        "grouped_thing", "poison", 5)
    assert len(failed(engine)) == 1
    def committed(sample):
        return registry.get_sample_value(f"zhicheng_event_group_size_{sample}",
                                         {"outcome": "committed"})
    assert 0 < committed("count") < committed("sum")  # some commits held several events
    assert max(PREPARED) > 1  # a group's events were prepared together, before any ran

    first = next(r for r in outbox(engine) if r.data["name"] == "n0")
    envelope = {
        "event_id": str(first.event_id), "type": "thing_made", "version": 1,
        "occurred_at": first.occurred_at.isoformat(), "source": "probe_source",
        "subject": first.subject, "actor": None, "data": {"name": "n0"},
    }
    with Connection(service_config["AMQP_URI"]) as conn:
        producer = Producer(conn.channel(), exchange=event_exchange("probe_source"))
        for _ in range(3):
            producer.publish(envelope, routing_key="thing_made", serializer="json")
    wait_for(lambda: sum(f"event {first.event_id} already handled; skipped" in r.getMessage()
                         for r in caplog.records) >= 3, what="three copies skipped")
    assert applied() == wanted
    processed = SinkBase.metadata.tables["probe_sink.processed_events"]
    assert count(engine, select(func.count()).select_from(processed)
                 .where(processed.c.handler == "grouped_thing")) == 39


def test_grouped_events_wait_for_their_group_without_a_worker_each(
        probe_schemas, service_config, runner_factory):
    """A grouped consumer's events take no worker while they wait for their group: with a
    pool of two workers, thirty events published at once are applied in groups larger
    than the pool, and only an event that came alone took a worker (each waiting event
    held one before)."""
    engine = probe_schemas
    WorkerCount.started.clear()
    runner = runner_factory({**service_config, "max_workers": 2}, ProbeSource,
                            ProbeGroupedSink)
    runner.start()
    container = next(c for c in runner.containers if c.service_name == "probe_grouped")
    registry = metrics.for_container(container).registry
    names = [f"m{i}" for i in range(30)]
    with ServiceRpcProxy("probe_source", service_config) as source:
        assert source.make_each(names) == names

    def applied():
        with engine.connect() as conn:
            return sorted(conn.execute(select(Effect.__table__.c.name)).scalars())

    wait_for(lambda: applied() == sorted(names), timeout=20)

    def groups(sample, **labels):
        return registry.get_sample_value(f"zhicheng_event_group_size_{sample}",
                                         {"outcome": "committed", **labels}) or 0
    assert groups("bucket", le="2.0") < groups("count")  # a group of more than two
    assert WorkerCount.started["grouped_thing"] == 30 - groups("sum")


def test_event_committed_before_consumer_starts_is_delivered_once_its_queue_is_declared(
        probe_schemas, service_config, runner_factory):
    """Internal consumers' durable queues are declared at deployment, before any service
    starts (services.common.topology): an event committed before its consumer has ever
    run waits in that queue, published once, and the consumer gets it when it starts."""
    engine = probe_schemas
    with Connection(service_config["AMQP_URI"]) as conn:
        for queue in handler_queues(ProbeSink):
            queue(conn.channel()).declare()
    source_runner = runner_factory(service_config, ProbeSource)
    source_runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        source.make("early")

    row = wait_for(lambda: next((r for r in outbox(engine) if r.published_at), None))
    assert row.last_error is None  # routed to the sink's queue, not returned
    assert effects(engine) == 0

    sink_runner = runner_factory(service_config, ProbeSink)
    sink_runner.start()
    wait_for(lambda: effects(engine) == 1, timeout=15)
    assert len(outbox(engine)) == 1 and outbox(engine)[0].attempts == 1


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
    # Nothing keeps looping: once the sink has stopped (its running handlers finished,
    # each message acked or put back), the handler's queue is empty and the counts
    # stayed put.
    runner.stop()
    with Connection(service_config["AMQP_URI"]) as conn:
        waiting = {q.name: conn.default_channel.queue_declare(q.name, passive=True)
                   .message_count for q in handler_queues(ProbeSink)}
    assert set(waiting.values()) == {0}, waiting
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


def test_event_nobody_consumes_is_in_the_feed_at_commit_and_done_on_the_bus(
        probe_schemas, service_config, runner_factory):
    """An event only outside systems want is in the feed within a second of its commit,
    and the relay does not keep retrying it: no queue took it, the feed holds it."""
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        event_id = source.make("for outsiders")
        committed = time.monotonic()
        feed = wait_for(lambda: source.feed(0), timeout=1.0, interval=0.01)
        assert time.monotonic() - committed < 1.0
        assert [item["event_id"] for item in feed] == [event_id]
        assert feed[0]["position"] == 1
        row = wait_for(lambda: next((r for r in outbox(engine) if r.published_at), None),
                       timeout=1.0, interval=0.01)
        assert row.attempts == 1 and "no queue" in row.last_error
        source.make("another")
        wait_for(lambda: all(r.published_at for r in outbox(engine)), timeout=1.0)
        assert [r.attempts for r in outbox(engine)] == [1, 1]


def test_events_committed_concurrently_are_in_the_feed_in_commit_order_without_gaps(
        probe_schemas, service_config, runner_factory):
    """Many writers commit events at once while a reader follows the feed. Each writer
    notes the moment its commit returned and the moment its next transaction began: an
    event whose commit returned before another's transaction began must have the smaller
    position; positions are 1..n without a gap; the reader, reading while they commit,
    never sees a position appear below one it has already read."""
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource)
    runner.start()
    container = next(iter(runner.containers))
    database = next(d for d in container.dependencies if isinstance(d, Database))
    access = database.get_dependency(None)

    writers, per_writer = 9, 20
    spans = {}  # event_id -> (began, committed)
    seen, stop = [], threading.Event()

    def write(index):
        for n in range(per_writer):
            began = time.monotonic()
            with access.transaction() as session:
                session.add(Thing(name=f"w{index}-{n}"))
                session.flush()
                envelope = emit(session, "thing_made", f"things/w{index}", {"n": n})
            spans[envelope["event_id"]] = (began, time.monotonic())

    def read():
        after = 0
        while not stop.is_set() or after < writers * per_writer:
            with access.read() as session:
                page = event_feed(session, after=after, limit=50)
            for item in page:
                seen.append(item["position"])
                after = item["position"]
            if not page:
                eventlet.sleep(0.005)

    reader = eventlet.spawn(read)
    pool = eventlet.GreenPool(writers)
    for index in range(writers):
        pool.spawn(write, index)
    pool.waitall()
    stop.set()
    reader.wait()

    total = writers * per_writer
    assert seen == list(range(1, total + 1))  # in order, each once, no gap skipped
    with engine.connect() as conn:
        table = SourceBase.metadata.tables["probe_source.outbox"]
        rows = conn.execute(select(table.c.event_id, table.c.feed_position)).all()
    position = {str(r.event_id): r.feed_position for r in rows}
    assert sorted(position.values()) == list(range(1, total + 1))
    # every pair: a commit that returned before another transaction began comes first
    later = sorted(spans.items(), key=lambda item: item[1][0])
    for event_id, (_, committed) in spans.items():
        for other, (began, _) in later:
            if began > committed:
                assert position[event_id] < position[other], (event_id, other)
    wait_for(lambda: all(r.published_at for r in outbox(engine)), timeout=10)


def test_an_idle_relay_asks_one_question_a_poll_and_still_publishes_others_rows(
        probe_schemas, service_config, runner_factory):
    """Woken by its poll interval, not by a commit of its own process, the relay asks in
    one statement whether any row is unpublished (no transaction, lock and two queries
    for nothing); a row another process committed (here one without a feed position, as
    a straggler) is still published at the next poll."""
    engine = probe_schemas
    runner = runner_factory(service_config, ProbeSource)
    runner.start()
    with ServiceRpcProxy("probe_source", service_config) as source:
        source.make("first")
    wait_for(lambda: all(r.published_at for r in outbox(engine)), timeout=5)
    with sql_statements(lambda sql: "probe_source.outbox" in sql or "advisory" in sql) \
            as seen:  # at 0.2 s a poll: a few idle passes
        wait_for(lambda: len(seen) >= 4, timeout=5, what="idle passes of the relay")
    assert all("LIMIT" in s and "advisory" not in s for s in seen), seen

    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO probe_source.outbox (event_id, type, version, occurred_at, source, "
            "subject, data) VALUES (gen_random_uuid(), 'thing_made', 1, now(), "
            "'probe_source', 'things/else', '{\"name\": \"elsewhere\"}')"))
    row = wait_for(lambda: next((r for r in outbox(engine) if r.subject == "things/else"
                                 and r.published_at), None), timeout=5)
    assert row.feed_position == 2
