"""The database provider under eventlet, and migrations that match the models."""
import eventlet
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.common.config import DOMAIN_SERVICES
from services.common.db import Database, make_base
from services.common.rpc import rpc
from services.common.testing import wait_for
from services.common.topology import SERVICE_CLASSES, load_class

SlowBase = make_base("probe_slow")


class SlowService:
    name = "probe_slow"
    db = Database(SlowBase.metadata)

    @rpc
    def stuck(self, seconds):
        with self.db.read() as session:
            session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return "stuck done"

    @rpc
    def quick(self):
        with self.db.read() as session:
            return session.execute(text("SELECT 'quick done'")).scalar()


def sleeping(url):
    """Whether another session of this database sits in pg_sleep now."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'active' "
                "AND query LIKE '%pg_sleep%'")).scalar() > 0
    finally:
        engine.dispose()


def test_a_slow_query_does_not_stall_other_workers(service_config, container_factory):
    """psycopg must wait cooperatively (PSYCOPG_WAIT_FUNC=wait_select): while one worker
    sits in pg_sleep(2), another worker's RPC on the same service is answered."""
    container = container_factory(SlowService, service_config)
    container.start()
    finished = []

    def call(method, *args):
        with ServiceRpcProxy("probe_slow", service_config) as proxy:
            finished.append(getattr(proxy, method)(*args))

    pool = eventlet.GreenPool()
    pool.spawn(call, "stuck", 2)
    wait_for(lambda: sleeping(service_config["DATABASE_URL"]), what="pg_sleep running")
    pool.spawn(call, "quick")
    pool.waitall()
    assert finished == ["quick done", "stuck done"]


def test_pool_is_sized_to_max_workers(service_config, container_factory):
    container = container_factory(SlowService, {**service_config, "max_workers": 4})
    container.start()
    provider = next(d for d in container.dependencies if isinstance(d, Database))
    pool = provider.engine.pool
    # one connection per worker plus one for the outbox relay, never more
    assert pool.size() == 5
    assert pool._max_overflow == 0


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_migrations_match_the_models(service, db_engine):
    metadata = load_class(SERVICE_CLASSES[service]).db.metadata
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True,
            "version_table_schema": metadata.schema,
            "include_name": lambda name, type_, parent: (
                type_ != "schema" or name == metadata.schema),
            "compare_type": True,
        })
        diff = compare_metadata(context, metadata)
    assert diff == []


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_each_service_lives_in_its_own_schema(service, db_engine):
    metadata = load_class(SERVICE_CLASSES[service]).db.metadata
    assert metadata.schema == service
    assert all(table.schema == service for table in metadata.tables.values())
    with db_engine.connect() as conn:
        version = conn.execute(
            text(f'SELECT version_num FROM "{service}".alembic_version')).scalar()
    assert version


def _backend_pid(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(db_engine, pid):
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    wait_for(lambda: _gone(db_engine, pid), what="the backend gone")


def _gone(db_engine, pid):
    with db_engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"),
                            {"p": pid}).scalar() == 0


def test_a_connection_lost_while_idle_is_replaced_before_a_worker_gets_it(
        database_url, db_engine, monkeypatch):
    """The pool pings a connection only after it has been idle (PING_AFTER_IDLE): one
    that PostgreSQL closed meanwhile is replaced and the worker never sees the loss."""
    from services.common import db

    engine = db.make_engine(database_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first  # busy: reused, not pinged
        _terminate(db_engine, first)
        monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # it has now been idle "long"
        assert _backend_pid(engine) not in (None, first)
    finally:
        engine.dispose()


def test_a_connection_lost_while_in_use_fails_once_and_the_pool_connects_afresh(
        database_url, db_engine, monkeypatch):
    """Without the ping (a connection used a moment ago), a loss surfaces once, as an
    error of that request; the pool is then invalidated and the next checkout works."""
    from sqlalchemy.exc import OperationalError

    from services.common import db

    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    engine = db.make_engine(database_url, pool_size=2)
    try:
        first = _backend_pid(engine)
        _terminate(db_engine, first)
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) not in (None, first)
    finally:
        engine.dispose()
