"""Fixtures for every test: real RabbitMQ (a fresh vhost per test, from Nameko's plugin),
a fresh PostgreSQL database per test session (migrated, emptied before each test) and
an S3 server (moto's, started here unless S3_ENDPOINT names one)."""
import eventlet

eventlet.monkey_patch()  # before anything else imports sockets or threads

import os  # noqa: E402
import subprocess  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import urljoin  # noqa: E402

import pytest  # noqa: E402

import services  # noqa: E402,F401  (sets PSYCOPG_WAIT_FUNC before psycopg loads)
from services.common.config import DOMAIN_SERVICES  # noqa: E402
from services.common.migrations import DEFAULT_APP_ROLE  # noqa: E402

ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# The role the services connect as (not the owner of their tables), as deployed.
SERVICE_ROLE = os.environ.get("TEST_PG_SERVICE_ROLE", DEFAULT_APP_ROLE)


def _admin_engine():
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    return create_engine(ADMIN_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_url():
    """A new database for this test session, with every service's migrations applied
    (as its owner: the tests' own SQL uses this URL)."""
    from sqlalchemy import text

    from services.common.migrations import grant_service_role, upgrade

    name = f"zc_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    grant_service_role(url, SERVICE_ROLE)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def service_database_url(database_url):
    """The test database as the services reach it: as the services' role."""
    from services.common.migrations import as_role
    return as_role(database_url, SERVICE_ROLE)


@pytest.fixture(scope="session")
def db_engine(database_url):
    from sqlalchemy import create_engine
    engine = create_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_db(db_engine):
    """Empty every service table (not the migration versions) before the test."""
    from sqlalchemy import text
    with db_engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT schemaname || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname = ANY(:schemas) AND tablename <> 'alembic_version'"
        ), {"schemas": list(DOMAIN_SERVICES)}).scalars().all()
        if tables:
            # identity.audit_log refuses TRUNCATE (a trigger); triggers do not fire for
            # this superuser session in replica mode, which the services' role (not a
            # superuser, not the owner) can neither set nor get round.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    return db_engine


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """S3_ENDPOINT if set; otherwise moto's server on a free port for this session."""
    if os.environ.get("S3_ENDPOINT"):
        yield os.environ["S3_ENDPOINT"]
        return
    import requests
    from nameko.testing.utils import find_free_port

    port = find_free_port()
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    venv_bin = os.path.dirname(os.path.realpath(os.sys.executable))
    moto = os.path.join(os.path.dirname(os.sys.executable), "moto_server")
    if not os.path.exists(moto):
        moto = os.path.join(venv_bin, "moto_server")
    with open(log, "wb") as out:
        proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(endpoint, timeout=0.5)
            break
        except requests.RequestException:
            eventlet.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(f"moto S3 server did not start; see {log}")
    yield endpoint
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def service_config(rabbit_config, service_database_url, clean_db, s3_endpoint):
    """The configuration every service gets in tests: a fresh vhost, the emptied test
    database, the S3 server with a bucket of its own."""
    return {
        **rabbit_config,
        "DATABASE_URL": service_database_url,
        "APP_ENV": "test",
        "TOKEN_SECRET": "test-secret-" + "x" * 32,
        "SERIALIZER": "json",
        "max_workers": 10,
        "OUTBOX_POLL_INTERVAL": 0.2,
        "OUTBOX_MAX_BACKOFF": 1.0,
        "S3_ENDPOINT": s3_endpoint,
        "S3_ACCESS_KEY": "testing",
        "S3_SECRET_KEY": "testing",
        "S3_BUCKET": f"t-{uuid.uuid4().hex[:16]}",
        "S3_REGION": "us-east-1",
        "RPC_TIMEOUT": 15,
        "READY_TIMEOUT": 1,
        # argon2id's standard profile costs ~0.1 s per login; tests only need it to work.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 8192,
        "PASSWORD_HASH_PARALLELISM": 1,
    }


@pytest.fixture
def web_session(web_config_port):
    """Nameko's fixture imports werkzeug.urls.url_join, gone in Werkzeug 3."""
    from requests import Session

    base = f"http://127.0.0.1:{web_config_port}/"

    class WebSession(Session):
        def request(self, method, url, *args, **kwargs):
            return Session.request(self, method, urljoin(base, url), *args, **kwargs)

    with WebSession() as session:
        yield session


class Platform:
    """All services and the gateway running in this process over the real broker."""

    def __init__(self, runner, http, config):
        self.runner = runner
        self.http = http
        self.config = config

    def container(self, name):
        return next(c for c in self.runner.containers if c.service_name == name)


def all_service_classes():
    from services.achievements.service import AchievementsService
    from services.documents.service import DocumentsService
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService
    from services.webhooks.service import WebhooksService
    from services.workflow.service import WorkflowService
    return [IdentityService, AchievementsService, WorkflowService, DocumentsService,
            WebhooksService, GatewayService]


@pytest.fixture
def platform(runner_factory, service_config, web_config, web_session):
    config = {**service_config, **web_config}
    runner = runner_factory(config, *all_service_classes())
    runner.start()
    return Platform(runner, web_session, config)
