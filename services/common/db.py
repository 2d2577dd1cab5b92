"""PostgreSQL access for a service: one engine per container, sessions per transaction.

Every service declares its models on a base made by :func:`make_base`, which puts them
in the service's own schema and adds the messaging tables (outbox, processed events,
failed events). The :class:`Database` dependency provider owns the engine, hands each
worker a narrow :class:`DatabaseAccess`, and runs the outbox relay of its service.
"""
import contextlib
import functools
import logging
import time

from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from . import config as cfg
from .principal import verified_principal

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base(schema):
    """A declarative base whose tables live in ``schema``, with the messaging tables."""
    from .messaging import add_messaging_tables

    class Base(DeclarativeBase):
        metadata = MetaData(schema=schema, naming_convention=NAMING)

    add_messaging_tables(Base.metadata)
    return Base


# A pooled connection idle for longer than this is pinged before a worker gets it.
PING_AFTER_IDLE = 2.0  # seconds


def make_engine(url, pool_size):
    """The service's engine. A connection is tested (a ping) before a worker gets it
    only when it has been idle for over PING_AFTER_IDLE seconds: under load the pool
    hands out connections in use a moment ago without a round trip each (SQLAlchemy's
    ``pool_pre_ping`` pings at every checkout). A connection that failed meanwhile (a
    PostgreSQL restart in a quiet moment) is replaced before anybody uses it; one that
    fails while busy invalidates the whole pool (SQLAlchemy), so that the next checkouts
    connect afresh."""
    # LIFO: the connections in use a moment ago are handed out again, the others stay
    # idle (and are pinged if they are ever needed)
    engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=30,
                           pool_use_lifo=True)
    event.listen(engine, "checkin", _idle_from)
    event.listen(engine, "checkout", functools.partial(_ping_if_idle, engine.dialect))
    return engine


def _idle_from(dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dialect, dbapi_connection, record, proxy):
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as exc:  # the pool connects afresh and tries again
        raise DisconnectionError(f"pooled connection lost while idle: {exc}") from exc


class DatabaseAccess:
    """What a worker gets: transactions that know their service and caller."""

    def __init__(self, provider, worker_ctx):
        self._provider = provider
        self._worker_ctx = worker_ctx

    @property
    def engine(self):
        return self._provider.engine

    def _new_session(self):
        session = self._provider.sessions()
        session.info["source"] = self._provider.container.service_name
        session.info["metadata"] = self._provider.metadata
        caller = verified_principal(self._worker_ctx, self._provider.container.config)
        if caller is not None:
            session.info["actor"] = caller.as_actor()
        return session

    @contextlib.contextmanager
    def transaction(self):
        """A session in a transaction: committed on success, rolled back on error.

        Events emitted through the outbox in this session commit with it; the relay is
        woken as soon as the commit has happened.
        """
        session = self._new_session()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def event_group(self):
        """The container's group commit of grouped consumers (messaging.EventGroup)."""
        return self._provider.event_group()

    @contextlib.contextmanager
    def read(self, autocommit=False):
        """A session for queries only; whatever it changed is rolled back.

        ``autocommit``: for a read that writes nothing and whose statements need no
        common snapshot (one statement, or independent ones; under READ COMMITTED each
        statement of a transaction has its own snapshot anyway): no transaction, so no
        BEGIN and ROLLBACK round trips (one round trip instead of three for one query).
        """
        session = self._new_session()
        try:
            if autocommit:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
        finally:
            session.rollback()
            session.close()


def database_of(container):
    """The container's :class:`Database` provider (None if the service has none)."""
    return next((d for d in container.dependencies if isinstance(d, Database)), None)


class Database(DependencyProvider):
    """The service's database and its outbox relay.

    ``pool_size`` is the container's ``max_workers`` plus one for the relay, with no
    overflow: a connection per worker at most, and the relay never waits for a worker.
    """

    def __init__(self, metadata, **kwargs):
        self.metadata = metadata
        super().__init__(**kwargs)

    def setup(self):
        from .messaging import OutboxRelay

        config = self.container.config
        url = cfg.value(config, "DATABASE_URL")
        self.engine = make_engine(url, pool_size=cfg.max_workers(config) + 1)
        self.relay = OutboxRelay(
            engine=self.engine,
            metadata=self.metadata,
            source=self.container.service_name,
            amqp_uri=cfg.value(config, "AMQP_URI"),
            poll_interval=cfg.value(config, "OUTBOX_POLL_INTERVAL"),
            max_backoff=cfg.value(config, "OUTBOX_MAX_BACKOFF"),
            unroutable_grace=cfg.value(config, "OUTBOX_UNROUTABLE_GRACE"),
        )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_commit", self._after_commit)
        self._event_group = None

    def event_group(self):
        if self._event_group is None:
            from .messaging import EventGroup

            self._event_group = EventGroup(self.container, DatabaseAccess(self, None))
        return self._event_group

    def _after_commit(self, session):
        # a savepoint's release is no commit: its rows are not visible to the relay yet
        if not session.in_nested_transaction() and session.info.pop("outbox_dirty", False):
            self.relay.wake()

    def start(self):
        self.relay.start(self.container)

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.relay.stop(wait=False)
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self, worker_ctx)
