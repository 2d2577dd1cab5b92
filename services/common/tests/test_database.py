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
