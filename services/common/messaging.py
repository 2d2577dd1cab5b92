"""Events: the envelope, the transactional outbox and its relay, idempotent consumers.

A service never publishes an event directly. It calls :func:`emit` with the session of
the transaction that changes its state; the event row commits (or not) with the change.
Each transaction that emitted events takes the next feed positions of its service as
its last step before it commits, under a per-schema advisory lock held until the commit:
positions follow commit order, have no gaps, and a position is visible only after every
smaller one is (the replay feed, :func:`event_feed`, is complete at commit). The
:class:`OutboxRelay` of the service publishes committed rows in feed order to the
service's Nameko event exchange (``<service>.events``, routing key = event type), with
publisher confirms and ``mandatory``, and marks a row sent once the broker has accepted
it. A message no queue is bound for (nobody inside the platform consumes that type) is
done on the bus: the feed holds it. A refused publish is retried with backoff.

Consumers use :func:`consumer` instead of Nameko's ``event_handler``: the handler runs in
a transaction that also records ``(handler, event_id)``, so a redelivered copy does
nothing. A handler that fails is recorded in ``failed_events`` (visible to operators);
it is retried a few times and then parked there as ``dead`` instead of looping.
"""
import contextlib
import datetime as dt
import functools
import logging
import queue as std_queue
import time
import uuid

import eventlet
from eventlet.event import Event as GreenEvent
from eventlet.queue import Empty, LightQueue
from kombu import Connection, Exchange, Producer
from kombu.utils.encoding import safe_repr
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.orm import Session

from . import metrics
from .errors import AppError

log = logging.getLogger(__name__)

ENVELOPE_FIELDS = ("event_id", "type", "version", "occurred_at", "source", "subject",
                   "actor", "data")
MAX_HANDLER_ATTEMPTS = 5
GROUP_LIMIT = 100  # events of one group commit, and a grouped consumer's prefetch


def utcnow():
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------- tables

def add_messaging_tables(metadata):
    """Add ``outbox``, ``processed_events`` and ``failed_events`` to ``metadata``."""
    Table(
        "outbox", metadata,
        Column("sequence", BigInteger, Identity(), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("type", String(100), nullable=False),
        Column("version", Integer, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("source", String(50), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("actor", JSONB, nullable=True),
        Column("data", JSONB, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False,
               server_default=func.now()),
        Column("last_error", Text, nullable=True),
        # Position in the replay feed: given by the emitting transaction as its last step
        # before commit, under the schema's feed lock, so positions follow commit order
        # and are never filled in behind a reader (see write_outbox).
        Column("feed_position", BigInteger, nullable=True, unique=True),
        # The relay reads the unpublished rows in feed order through this index: an
        # ordered index scan that stops at its batch and skips the entries of rows
        # published since the last vacuum (by sequence, it sorted a bitmap scan of them
        # all at every pass).
        Index("ix_outbox_pending", "feed_position",
              postgresql_where=text("published_at IS NULL")),
    )
    Table(
        "processed_events", metadata,
        Column("handler", String(100), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("type", String(100), nullable=False),
        Column("source", String(50), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Table(
        "failed_events", metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("handler", String(100), nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("type", String(100), nullable=False),
        Column("source", String(50), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("status", String(20), nullable=False),  # retrying | dead | resolved
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text, nullable=False),
        Column("first_failed_at", DateTime(timezone=True), nullable=False),
        Column("last_failed_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("handler", "event_id"),
    )


def create_messaging_tables_v1(op, schema):
    """Migration step that creates the messaging tables; every service's first revision
    calls it. Once released, never change it: later changes get a new function."""
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column("sequence", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("actor", JSONB, nullable=True),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("feed_position", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("sequence", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        sa.UniqueConstraint("feed_position", name="uq_outbox_feed_position"),
        schema=schema,
    )
    op.create_index("ix_outbox_pending", "outbox", ["sequence"], schema=schema,
                    postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "processed_events",
        sa.Column("handler", sa.String(100), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("handler", "event_id", name="pk_processed_events"),
        schema=schema,
    )
    op.create_table(
        "failed_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("handler", sa.String(100), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failed_events"),
        sa.UniqueConstraint("handler", "event_id", name="uq_failed_events_handler_event_id"),
        schema=schema,
    )


def pending_index_on(op, schema, column):
    """Migration step: the outbox's pending index (unpublished rows) on ``column``:
    ``feed_position`` (the relay's order) from the second revision of every service on,
    ``sequence`` before (create_messaging_tables_v1). Once released, never change it."""
    op.drop_index("ix_outbox_pending", table_name="outbox", schema=schema)
    op.create_index("ix_outbox_pending", "outbox", [column], schema=schema,
                    postgresql_where=text("published_at IS NULL"))


def drop_messaging_tables_v1(op, schema):
    for table in ("failed_events", "processed_events", "outbox"):
        op.drop_table(table, schema=schema)


# --------------------------------------------------------------------------- envelope

def make_envelope(type_, subject, data, *, source, actor=None, version=1,
                  event_id=None, occurred_at=None):
    return {
        "event_id": str(event_id or uuid.uuid4()),
        "type": type_,
        "version": int(version),
        "occurred_at": (occurred_at or utcnow()).isoformat(),
        "source": source,
        "subject": str(subject),
        "actor": actor,
        "data": data,
    }


class BadEnvelope(ValueError):
    pass


def check_envelope(payload):
    """The envelope if ``payload`` is a well-formed one; BadEnvelope otherwise."""
    if not isinstance(payload, dict):
        raise BadEnvelope("event payload is not an object")
    missing = [f for f in ENVELOPE_FIELDS if f not in payload]
    if missing:
        raise BadEnvelope(f"event envelope lacks {', '.join(missing)}")
    try:
        uuid.UUID(str(payload["event_id"]))
    except ValueError:
        raise BadEnvelope("event_id is not a UUID") from None
    if not isinstance(payload["data"], dict):
        raise BadEnvelope("event data is not an object")
    return payload


def emit(session, type_, subject, data, *, version=1, actor=None):
    """Write an event to the outbox in ``session``'s transaction; returns the envelope.

    The source is the session's service and the actor the principal of the worker, unless
    given. Data must be JSON: dates and decimals as ISO strings. The row is written with
    the transaction's other events in one statement, as its last step before it commits
    (:func:`write_outbox`); an event emitted in a savepoint that rolls back is dropped.
    """
    source = session.info["source"]
    _outbox_metadata(session)  # only a service's own sessions may emit
    envelope = make_envelope(type_, subject, data, source=source,
                             actor=actor if actor is not None else session.info.get("actor"),
                             version=version)
    session.info.setdefault("outbox_pending", []).append({
        "event_id": uuid.UUID(envelope["event_id"]),
        "type": type_,
        "version": envelope["version"],
        "occurred_at": dt.datetime.fromisoformat(envelope["occurred_at"]),
        "source": source,
        "subject": envelope["subject"],
        "actor": envelope["actor"],
        "data": data,
    })
    session.info["outbox_dirty"] = True
    return envelope


def feed_lock_key(outbox):
    return func.hashtext(f"feed:{outbox.fullname}")


def _next_positions(conn, outbox, where, order_by):
    """Give the rows matching ``where`` the next feed positions, in ``order_by`` order.
    The caller holds the schema's feed lock (until its transaction ends)."""
    numbered = (
        select(outbox.c.sequence,
               (select(func.coalesce(func.max(outbox.c.feed_position), 0)).scalar_subquery()
                + func.row_number().over(order_by=order_by)).label("position"))
        .where(where)
        .subquery()
    )
    return conn.execute(
        update(outbox).where(outbox.c.sequence == numbered.c.sequence)
        .values(feed_position=numbered.c.position)
    ).rowcount


OUTBOX_ROWS_PER_INSERT = 1000


@event.listens_for(Session, "before_commit")
def write_outbox(session):
    """The last step of a transaction that emitted events: take the schema's feed lock
    (held until the commit ends) and write its events with the next positions, in one
    statement.

    Positions thus follow commit order: the next emitting transaction can read the
    largest position only once this one has committed, so a reader that has seen
    position ``p`` has seen every position below it, and no event can later appear
    below ``p``. The lock is held only between this step and the commit."""
    if session.in_nested_transaction():
        return  # a savepoint's events are written with the whole transaction's
    rows = session.info.pop("outbox_pending", None)
    session.info.pop("outbox_marks", None)
    if not rows:
        return
    # Write the transaction's pending changes first, so that nothing but its events
    # are written while it holds the lock.
    session.flush()
    metadata = _outbox_metadata(session)
    outbox = metadata.tables[f"{metadata.schema}.outbox"]
    session.execute(select(func.pg_advisory_xact_lock(feed_lock_key(outbox))))
    # Every row's subquery reads the same snapshot (the statement's), which holds none
    # of the rows it inserts: positions last + 1 .. last + n, in emission order. A
    # statement takes OUTBOX_ROWS_PER_INSERT rows at most (PostgreSQL's limit of bind
    # parameters); the next one's ``last`` then includes them.
    last = select(func.coalesce(func.max(outbox.c.feed_position), 0)).scalar_subquery()
    for start in range(0, len(rows), OUTBOX_ROWS_PER_INSERT):
        session.execute(outbox.insert().values([
            {**row, "feed_position": last + number}
            for number, row in enumerate(rows[start:start + OUTBOX_ROWS_PER_INSERT], 1)]))


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session, transaction):
    """Where a savepoint's events begin in the transaction's list."""
    if transaction.nested:
        marks = session.info.setdefault("outbox_marks", {})
        marks[transaction] = len(session.info.get("outbox_pending", ()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_events(session, previous_transaction):
    """A rolled-back savepoint drops the events emitted in it (those of the savepoints
    before it still commit); a rolled-back transaction drops all of them."""
    if previous_transaction.nested:
        mark = session.info.get("outbox_marks", {}).pop(previous_transaction, None)
        if mark is not None and "outbox_pending" in session.info:
            del session.info["outbox_pending"][mark:]
    elif previous_transaction.parent is None:
        session.info.pop("outbox_pending", None)
        session.info.pop("outbox_marks", None)


def _outbox_metadata(session):
    metadata = session.info.get("metadata")
    if metadata is None:
        raise RuntimeError("this session was not opened through the service's Database")
    return metadata


def envelope_from_row(row):
    return make_envelope(
        row.type, row.subject, row.data, source=row.source, actor=row.actor,
        version=row.version, event_id=row.event_id, occurred_at=row.occurred_at,
    )


def published_envelope(row):
    """The envelope as the relay publishes it: with its feed ``position``, so that a
    consumer can order and check for gaps."""
    return {**envelope_from_row(row), "position": row.feed_position}


def event_exchange(service_name):
    """The same exchange Nameko's event handlers bind to."""
    return Exchange(f"{service_name}.events", type="topic", durable=True, delivery_mode=2)


# --------------------------------------------------------------------------- relay

UNROUTABLE_NOTE = "unroutable: no queue bound; done on the bus, served by the feed"
CONFIRM_TIMEOUT = 10.0  # seconds the relay waits for the broker's confirms of a batch


class OutboxRelay:
    """Publishes a service's committed outbox rows, in feed order, with confirms.

    One relay at a time per service holds a PostgreSQL advisory lock for its batch, so
    several instances of a service never publish out of order or twice at once.

    A message the broker returns as unroutable (no queue is bound for its type: nobody
    inside the platform consumes it; internal consumers' queues are declared before the
    services start) is done on the bus: it is marked published with a note, and outside
    systems read it from the feed, where it has been since its commit. A publish the
    broker refuses (or a lost connection) is retried with backoff, from the same row on,
    so the bus order stays the feed order. ``unroutable_grace`` is no longer used.
    """

    def __init__(self, engine, metadata, source, amqp_uri, poll_interval=1.0,
                 max_backoff=30.0, batch_size=200, unroutable_grace=0.0):
        self.engine = engine
        self.outbox = metadata.tables[f"{metadata.schema}.outbox"]
        self.source = source
        self.amqp_uri = amqp_uri
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.batch_size = batch_size
        self.exchange = event_exchange(source)
        self._kick = LightQueue(maxsize=1)
        self._running = False
        self._thread = None
        self._connection = None
        self._producer = None
        self._returned = set()
        self._stragglers_at = 0.0  # when rows without a position were last looked for
        # Every row below this feed position is published (the relay publishes in feed
        # order and positions grow with commits): a pass reads only from here on, not
        # the index entries of every row published since the last vacuum.
        self._low = 0

    # lifecycle -------------------------------------------------------------
    def start(self, container):
        self._running = True
        self._thread = container.spawn_managed_thread(self._run, identifier="outbox_relay")

    def stop(self, wait=True):
        self._running = False
        self.wake()
        if self._thread is not None and wait:
            with contextlib.suppress(Exception):  # the thread may have been killed already
                self._thread.wait()
        self._thread = None
        self._close()

    def wake(self):
        with contextlib.suppress(std_queue.Full):
            self._kick.put_nowait(None)

    def _run(self):
        failures, idle = 0, False
        while self._running:
            try:
                sent = self.publish_pending(idle=idle)
                failures = 0
            except Exception as exc:
                failures += 1
                delay = min(self.poll_interval * 2 ** failures, self.max_backoff)
                log.warning("outbox relay of %s failed (%s); retrying in %.1fs",
                            self.source, exc, delay)
                self._close()
                eventlet.sleep(delay)
                continue
            if sent == self.batch_size:
                idle = False
                continue  # more may be waiting
            try:
                self._kick.get(timeout=self.poll_interval)
                idle = False
            except Empty:
                idle = True

    # publishing ------------------------------------------------------------
    def _ensure_producer(self):
        """The relay's channel, in confirm mode: a batch is published at once and the
        broker's confirms (often one for many messages) are awaited after the last one,
        not one round trip per message."""
        if self._producer is None:
            self._connection = Connection(self.amqp_uri, connect_timeout=5)
            channel = self._connection.channel()
            self.exchange(channel).declare()
            channel.confirm_select()
            self._next_tag, self._unconfirmed, self._nacked = 1, set(), set()
            channel.events["basic_ack"].add(self._on_confirm)
            channel.events["basic_nack"].add(functools.partial(self._on_confirm, nack=True))
            self._producer = Producer(channel, exchange=self.exchange,
                                      on_return=self._on_return)
        return self._producer

    def _on_confirm(self, delivery_tag, multiple, nack=False):
        tags = ({tag for tag in self._unconfirmed if tag <= delivery_tag} if multiple
                else {delivery_tag} & self._unconfirmed)
        self._unconfirmed -= tags
        if nack:
            self._nacked |= tags

    def _on_return(self, exception, exchange, routing_key, message):
        message_id = message.properties.get("message_id")
        log.warning("broker returned event %s (%s): no queue is bound for it yet",
                    message_id, routing_key)
        self._returned.add(message_id)

    def _close(self):
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.release()
        self._connection = None
        self._producer = None

    def _publish(self, rows):
        """Publish ``rows`` in order and await the broker's confirms. Answers how many of
        them, from the first, the broker confirmed, and the error that stopped the others
        (None if all were)."""
        producer = self._ensure_producer()
        tags, error = [], None
        for row in rows:
            envelope = published_envelope(row)
            try:
                producer.publish(
                    envelope,
                    routing_key=row.type,
                    mandatory=True,
                    serializer="json",
                    delivery_mode=2,
                    message_id=envelope["event_id"],
                    headers={"event_type": row.type, "event_version": row.version,
                             "feed_position": row.feed_position},
                    retry=False,
                )
            except Exception as exc:  # noqa: BLE001 - the rows before it may be confirmed
                error = exc
                break
            tags.append(self._next_tag)
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        try:
            while self._unconfirmed.intersection(tags):
                self._connection.drain_events(timeout=max(deadline - time.monotonic(), 0.01))
        except Exception as exc:  # noqa: BLE001 - unconfirmed rows are published again
            error = error or exc
        confirmed = 0
        for tag in tags:
            if tag in self._unconfirmed or tag in self._nacked:
                error = error or RuntimeError("the broker did not confirm the message")
                break
            confirmed += 1
        return confirmed, error

    def publish_pending(self, idle=False):
        """Publish one batch of due rows in feed order; the number published. ``idle``:
        the relay woke at its poll interval, not for a commit of its own process: one
        statement outside a transaction first says whether any row is unpublished at all
        (an idle pass is that statement, not five)."""
        outbox = self.outbox
        if idle:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") \
                    as conn:
                if conn.execute(select(outbox.c.sequence)
                                .where(outbox.c.published_at.is_(None)).limit(1)).first() \
                        is None:
                    return 0
        with self.engine.begin() as conn:
            locked = conn.execute(
                select(func.pg_try_advisory_xact_lock(func.hashtext(f"outbox:{outbox.fullname}")))
            ).scalar()
            if not locked:
                return 0
            # positions are given at commit: rows without one are rare (see there), so
            # they are looked for once per poll interval, not at every wake-up
            if time.monotonic() - self._stragglers_at >= self.poll_interval:
                self._stragglers_at = time.monotonic()
                self._position_stragglers(conn)
            rows = conn.execute(
                select(outbox)
                .where(outbox.c.published_at.is_(None), outbox.c.feed_position >= self._low)
                .order_by(outbox.c.feed_position)
                .limit(self.batch_size)
            ).all()
            # A postponed row holds back the rows after it, so the bus keeps feed order.
            if not rows or rows[0].next_attempt_at > utcnow():
                return 0
            published, error = self._publish(rows)
            sent = [row.sequence for row in rows[:published]]
            notes = {row.sequence: UNROUTABLE_NOTE for row in rows[:published]
                     if str(row.event_id) in self._returned}
            self._returned.clear()
            # the rows sent, marked in one statement (those returned, with their note)
            for note in {notes.get(sequence) for sequence in sent}:
                conn.execute(update(outbox).where(outbox.c.sequence.in_(
                    [sequence for sequence in sent if notes.get(sequence) == note]))
                    .values(published_at=func.now(), attempts=outbox.c.attempts + 1,
                            last_error=note))
            if error is not None:
                self._postpone(conn, rows[published], f"broker refused: {error}")
        if published:  # committed: what lies below is published
            self._low = max(self._low, rows[published - 1].feed_position + 1)
        if error is not None:
            raise error
        if published:
            log.debug("relay of %s published %d events", self.source, published)
        return published

    def _position_stragglers(self, conn):
        """Committed rows without a position (written before positions were given at
        commit, or by hand) get the next ones, in sequence order, under the feed lock."""
        outbox = self.outbox
        if conn.execute(select(outbox.c.sequence).where(
                outbox.c.feed_position.is_(None)).limit(1)).first() is None:
            return
        conn.execute(select(func.pg_advisory_xact_lock(feed_lock_key(outbox))))
        _next_positions(conn, outbox, outbox.c.feed_position.is_(None), outbox.c.sequence)

    def _postpone(self, conn, row, reason):
        attempts = row.attempts + 1
        delay = min(self.poll_interval * 2 ** min(attempts, 10), self.max_backoff)
        conn.execute(
            update(self.outbox).where(self.outbox.c.sequence == row.sequence).values(
                attempts=attempts,
                last_error=reason[:1000],
                next_attempt_at=func.now() + dt.timedelta(seconds=delay),
            )
        )


# --------------------------------------------------------------------------- consumers

def consumer(source_service, event_type, when=None, grouped=False, prepare=None):
    """Declare an idempotent event handler: ``handler(self, session, envelope)``.

    The service must have its :class:`~services.common.db.Database` as ``self.db``.
    ``when``, if given, says which events concern the handler at all: ``{key: value or
    tuple of values}`` of the event's data. One that does not is acknowledged as it
    arrives, without a worker or a transaction (and is not recorded as handled: there is
    nothing to apply twice); a malformed envelope is still parked. The fault suite's
    exactly-once check reads ``entry.when`` too.

    ``grouped``: events arriving together are applied in one transaction (group commit,
    :class:`EventGroup`), without a worker each: ``self`` is None there, so a grouped
    handler uses only its session, writes only its own rows and makes no RPC (the
    group's transaction is open while each runs). An event that arrived alone, or whose
    group failed, is applied by a worker, as any consumer's (:func:`handle_event`),
    failures and all.

    ``prepare``, if given, is ``prepare(session, envelopes)``: it runs in the handlers'
    transaction before them, with the events about to be applied (all of a group's, or
    the one), e.g. to lock the rows they change in one statement instead of one each.
    """
    def decorator(fn):
        handler_name = fn.__name__

        @functools.wraps(fn)
        def entry(self, payload):  # events ``when`` excludes never get here (Handler)
            return handle_event(self.db, handler_name, payload,
                                lambda session, envelope: fn(self, session, envelope),
                                prepare)

        entry.when = when
        entry.grouped = (handler_name, lambda session, envelope: fn(None, session, envelope),
                         prepare) if grouped else None

        return Handler.decorator(source_service, event_type, requeue_on_error=True)(entry)

    return decorator


def concerns(when, data):
    """Whether an event's ``data`` matches a consumer's ``when``."""
    for key, allowed in when.items():
        allowed = allowed if isinstance(allowed, tuple) else (allowed,)
        if data.get(key) not in allowed:
            return False
    return True


class ParkingQueueConsumer(QueueConsumer):
    """Nameko's queue consumer, except that a message whose body cannot be decoded (not
    JSON, a foreign content type) is not silently acknowledged, as kombu does: it goes to
    its handler as a stand-in payload, which :func:`handle_event` parks as ``dead`` in
    ``failed_events`` for operators, and is then acknowledged (no redelivery loop)."""

    def on_decode_error(self, message, exc):
        tag = message.delivery_info.get("consumer_tag")
        for provider, kombu_consumer in list(self._consumers.items()):
            if tag in getattr(kombu_consumer, "_active_tags", {}).values():
                routing_key = message.delivery_info.get("routing_key") or "?"
                exchange = message.delivery_info.get("exchange") or "?"
                payload = {
                    "undecodable": True,
                    "type": routing_key,  # an event's routing key is its type
                    "source": exchange.removesuffix(".events"),
                    "content_type": message.content_type,
                    "routing_key": routing_key,
                    "body": safe_repr(message.body)[:4000],
                    "error": f"{type(exc).__name__}: {exc}"[:1000],
                }
                log.error("undecodable message %s on %s (%s); parked for operators",
                          routing_key, exchange, payload["error"])
                self.handle_message(provider, payload, message)
                return
        super().on_decode_error(message, exc)

    def handle_message(self, provider, body, message):
        """An event its handler's ``when`` says does not concern it is acknowledged here,
        without a green thread, a worker or its dependencies."""
        if isinstance(provider, Handler) and not provider.concerned(body):
            self.ack_message(message)
            return
        super().handle_message(provider, body, message)

    def get_consumers(self, consumer_cls, channel):
        """As Nameko's, except that a grouped consumer's queue has a prefetch of
        ``GROUP_LIMIT`` instead of ``max_workers``: its events wait in the group, not for
        a worker, so a group gathers what arrived while the one before it committed.
        (``basic.qos`` sets the prefetch of the consumers started after it on the channel,
        so each consumer starts right after its own.)"""
        for provider in self._providers:
            kombu_consumer = consumer_cls(queues=[provider.queue], accept=self.accept,
                                          callbacks=[functools.partial(self.handle_message,
                                                                       provider)])
            grouped = getattr(provider, "grouped", None) is not None
            kombu_consumer.qos(prefetch_count=GROUP_LIMIT if grouped else self.prefetch_count)
            kombu_consumer.consume()
            self._consumers[provider] = kombu_consumer
        return self._consumers.values()


class Handler(EventHandler):
    """The event handler entrypoint of :func:`consumer` (see ParkingQueueConsumer)."""
    queue_consumer = ParkingQueueConsumer()

    def setup(self):
        entry = getattr(self.container.service_cls, self.method_name)
        self.when = getattr(entry, "when", None)
        self.grouped = getattr(entry, "grouped", None)
        if self.grouped is not None:
            from .db import database_of  # db imports this module

            self.database = database_of(self.container)
        super().setup()

    def concerned(self, body):
        """Whether an event is one its handler takes (``consumer(..., when=)``)."""
        data = body.get("data") if isinstance(body, dict) else None
        return self.when is None or not isinstance(data, dict) or concerns(self.when, data)

    def handle_message(self, body, message):
        """A grouped consumer's event joins the container's group commit here, in the
        queue consumer's green thread, and is acknowledged once its group committed; a
        malformed one, one alone or one whose group failed goes to a worker, as any
        consumer's."""
        if self.grouped is None:
            return super().handle_message(body, message)
        started = time.perf_counter()
        try:
            envelope = check_envelope(body)
        except BadEnvelope:
            return super().handle_message(body, message)  # the worker parks it
        handler_name, apply, prepare = self.grouped
        if not self.database.event_group().submit(handler_name, envelope, apply, prepare):
            return super().handle_message(body, message)
        metrics.for_container(self.container).event.labels(
            handler=self.method_name, source=self.source_service, event_type=self.event_type,
            outcome="ok").observe(time.perf_counter() - started)
        self.queue_consumer.ack_message(message)
        return None


def handle_event(db, handler_name, payload, apply, prepare=None):
    """Apply an event once: record it with the handler's effect in one transaction.

    A failure recorded by an earlier attempt is marked resolved in that same
    transaction, also when this copy finds the event already handled (an earlier attempt
    applied it but could not mark the failure), so no failure stays ``retrying`` for ever.
    """
    try:
        envelope = check_envelope(payload)
    except BadEnvelope as exc:
        _park_bad_payload(db, handler_name, payload, exc)
        return None
    try:
        with db.transaction() as session:
            metadata = session.info["metadata"]
            processed = metadata.tables[f"{metadata.schema}.processed_events"]
            event_id = uuid.UUID(envelope["event_id"])
            first = session.execute(
                insert(processed).values(
                    handler=handler_name,
                    event_id=event_id,
                    type=envelope["type"],
                    source=envelope["source"],
                ).on_conflict_do_nothing().returning(processed.c.event_id)
            ).first()
            _resolve_failure(session, handler_name, event_id)
            if first is None:
                log.info("%s: event %s already handled; skipped", handler_name,
                         envelope["event_id"])
                return None
            if prepare is not None:
                prepare(session, [envelope])
            return apply(session, envelope)
    except Exception as exc:
        permanent = isinstance(exc, AppError)
        attempts, status = _record_failure(db, handler_name, envelope, exc, permanent)
        if status == "dead":
            log.error("%s: event %s (%s) parked as dead after %d attempts: %s",
                      handler_name, envelope["event_id"], envelope["type"], attempts, exc)
            return None
        log.warning("%s: event %s failed (attempt %d), will be retried: %s",
                    handler_name, envelope["event_id"], attempts, exc)
        eventlet.sleep(min(0.2 * 2 ** attempts, 5))
        raise


class EventGroup:
    """Group commit of a service's grouped consumers (one per container). An event
    waits in a queue; one green thread takes everything waiting (at most
    ``GROUP_LIMIT``) and applies it in one transaction: one statement records the events
    as processed (a redelivered one is skipped), one resolves earlier failures, then each
    handler runs. While a group commits the next one gathers, so a busy consumer pays one
    transaction per group instead of per event. An event found alone, and each event of
    a group that failed, is applied by a worker as any consumer's (:func:`handle_event`),
    failures and all."""

    def __init__(self, container, access):
        self.container, self.access = container, access
        self.waiting = LightQueue()
        self.runner = None

    def submit(self, handler_name, envelope, apply, prepare=None):
        """Whether the event was applied (or found already applied) and committed; False
        if it was alone or its group failed: the caller is to have it applied on its own."""
        if self.runner is None or self.runner.dead:
            self.runner = self.container.spawn_managed_thread(self._run,
                                                              identifier="event-group")
        done = GreenEvent()
        self.waiting.put((handler_name, envelope, apply, prepare, done))
        return done.wait()

    def _run(self):
        while True:
            items = [self.waiting.get()]
            while len(items) < GROUP_LIMIT:
                try:
                    items.append(self.waiting.get_nowait())
                except Empty:
                    break
            if len(items) == 1:  # alone: applied by a worker, as any consumer's event
                items[0][-1].send(False)
                continue
            try:
                self._apply(items)
                committed = True
            except Exception as exc:  # noqa: BLE001 - each event alone decides what failed
                log.warning("a group of %d events failed (%s: %s); applying each alone",
                            len(items), type(exc).__name__, exc)
                committed = False
            metrics.for_container(self.container).event_groups.labels(
                outcome="committed" if committed else "failed").observe(len(items))
            for *_, done in items:
                done.send(committed)

    def _apply(self, items):
        with self.access.transaction() as session:
            metadata = session.info["metadata"]
            processed = metadata.tables[f"{metadata.schema}.processed_events"]
            keys = [(name, uuid.UUID(envelope["event_id"])) for name, envelope, *_ in items]
            first = {tuple(row) for row in session.execute(
                insert(processed).values([
                    {"handler": name, "event_id": key, "type": envelope["type"],
                     "source": envelope["source"]}
                    for (name, key), (_, envelope, *_) in zip(keys, items, strict=True)])
                .on_conflict_do_nothing()
                .returning(processed.c.handler, processed.c.event_id))}
            failed = _failed_table(session)
            session.execute(
                update(failed)
                .where(tuple_(failed.c.handler, failed.c.event_id).in_(keys),
                       failed.c.status == "retrying")
                .values(status="resolved"))
            applied = []
            for key, (name, envelope, apply, prepare, _) in zip(keys, items, strict=True):
                if key in first:
                    first.discard(key)  # the same event twice in a group: applied once
                    applied.append((envelope, apply, prepare))
                else:
                    log.info("%s: event %s already handled; skipped", name,
                             envelope["event_id"])
                    applied.append(None)
            prepares = {}
            for entry in filter(None, applied):
                if entry[2] is not None:
                    prepares.setdefault(entry[2], []).append(entry[0])
            for prepare, envelopes in prepares.items():
                prepare(session, envelopes)
            for entry in filter(None, applied):
                entry[1](session, entry[0])


def _failed_table(session):
    metadata = session.info["metadata"]
    return metadata.tables[f"{metadata.schema}.failed_events"]


def _record_failure(db, handler_name, envelope, exc, permanent):
    now = utcnow()
    with db.transaction() as session:
        failed = _failed_table(session)
        row = session.execute(
            insert(failed).values(
                handler=handler_name, event_id=uuid.UUID(envelope["event_id"]),
                type=envelope["type"], source=envelope["source"], envelope=envelope,
                status="retrying", attempts=1, last_error=f"{type(exc).__name__}: {exc}"[:4000],
                first_failed_at=now, last_failed_at=now,
            ).on_conflict_do_update(
                index_elements=["handler", "event_id"],
                set_={"attempts": failed.c.attempts + 1,
                      "last_error": f"{type(exc).__name__}: {exc}"[:4000],
                      "last_failed_at": now},
            ).returning(failed.c.id, failed.c.attempts)
        ).one()
        status = "dead" if permanent or row.attempts >= MAX_HANDLER_ATTEMPTS else "retrying"
        session.execute(update(failed).where(failed.c.id == row.id).values(status=status))
    return row.attempts, status


def _resolve_failure(session, handler_name, event_id):
    failed = _failed_table(session)
    session.execute(
        update(failed)
        .where(failed.c.handler == handler_name, failed.c.event_id == event_id,
               failed.c.status == "retrying")
        .values(status="resolved")
    )


def _park_bad_payload(db, handler_name, payload, exc):
    now = utcnow()
    event_id = uuid.uuid4()
    log.error("%s: malformed event parked as dead: %s", handler_name, exc)
    with db.transaction() as session:
        session.execute(insert(_failed_table(session)).values(
            handler=handler_name, event_id=event_id,
            type=str(payload.get("type", "?") if isinstance(payload, dict) else "?")[:100],
            source=str(payload.get("source", "?") if isinstance(payload, dict) else "?")[:50],
            envelope={"raw": payload if isinstance(payload, (dict, list)) else repr(payload)},
            status="dead", attempts=1, last_error=str(exc), first_failed_at=now,
            last_failed_at=now,
        ))


def failed_events(session, status=None, limit=100):
    """Failed handler runs for operators, newest first."""
    failed = _failed_table(session)
    query = select(failed).order_by(failed.c.last_failed_at.desc()).limit(limit)
    if status:
        query = query.where(failed.c.status == status)
    return [
        {
            "handler": r.handler, "event_id": str(r.event_id), "type": r.type,
            "source": r.source, "status": r.status, "attempts": r.attempts,
            "last_error": r.last_error, "first_failed_at": r.first_failed_at.isoformat(),
            "last_failed_at": r.last_failed_at.isoformat(),
        }
        for r in session.execute(query)
    ]


CLOUDEVENTS_SOURCE_PREFIX = "/zhicheng/"


def to_cloudevent(envelope, position=None):
    """An envelope as a CloudEvents 1.0 JSON event (structured mode).

    ``source`` is ``/zhicheng/<service>``; ``position`` (the feed position), ``version``
    (the data version) and ``actor`` ride as extension attributes (lower-case names, as
    the specification requires)."""
    position = envelope.get("position", position)
    cloud = {
        "specversion": "1.0",
        "id": envelope["event_id"],
        "source": f"{CLOUDEVENTS_SOURCE_PREFIX}{envelope['source']}",
        "type": envelope["type"],
        "time": envelope["occurred_at"],
        "subject": envelope["subject"],
        "datacontenttype": "application/json",
        "dataschema": f"/api/v1/asyncapi.json#/components/schemas/{envelope['type']}",
        "dataversion": int(envelope["version"]),
        "data": envelope["data"],
    }
    if envelope.get("actor") is not None:
        cloud["actor"] = envelope["actor"]
    if position is not None:
        cloud["position"] = int(position)
    return cloud


def event_feed(session, after=0, limit=100, types=None, shape="envelope"):
    """Committed events in commit (feed position) order after position ``after``: the
    feed outside systems follow. An event is here from its commit on, whether or not the
    bus has carried it yet. Each item is the envelope plus its ``position`` (``shape``
    "envelope") or a CloudEvents 1.0 event with a ``position`` extension attribute
    (``shape`` "cloudevents"); the next call passes the last position seen."""
    metadata = session.info["metadata"]
    outbox = metadata.tables[f"{metadata.schema}.outbox"]
    query = (select(outbox).where(outbox.c.feed_position > after)
             .order_by(outbox.c.feed_position).limit(limit))
    if types:
        query = query.where(outbox.c.type.in_(list(types)))
    rows = session.execute(query).all()
    if shape == "cloudevents":
        return [to_cloudevent(envelope_from_row(row), row.feed_position) for row in rows]
    return [{"position": row.feed_position, **envelope_from_row(row)} for row in rows]


def outbox_stats(session):
    metadata = session.info["metadata"]
    outbox = metadata.tables[f"{metadata.schema}.outbox"]
    row = session.execute(select(
        func.count().filter(outbox.c.published_at.is_(None)).label("pending"),
        func.count().filter(outbox.c.published_at.is_not(None)).label("published"),
        func.min(outbox.c.occurred_at).filter(outbox.c.published_at.is_(None)).label("oldest"),
    )).one()
    return {"pending": row.pending, "published": row.published,
            "oldest_pending": row.oldest.isoformat() if row.oldest else None}
