"""Fixtures of the fault-injection suite (see docs/faults.md).

- ``fault_broker`` (session): a RabbitMQ node of the suite's own on free ports; never
  the machine's node on 5672, which other test runs share.
- ``fault_database`` (session): a new database, migrated with
  ``python -m services.common.migrations``; dropped at the end.
- ``janitor`` (session): cleans up the node and the database if the run is killed.
- ``cluster`` (per test): a fresh vhost with the event queues declared (the function
  ``python -m services.common.topology`` runs) and an external subscriber's queue, the
  database emptied, the first operator (``python -m services.identity.bootstrap``),
  then every service and the gateway as real processes. A test changes the set-up with
  ``@pytest.mark.cluster(instances=2, settings={...}, per_service={"workflow": {...}})``.
- ``users``: the users of that cluster (tests/faults/traffic.py).

When a test fails, the tail of every service's log is added to its report and its log
directory is kept.
"""
import os
import pathlib
import shutil
import tempfile
import time

import pytest

from .harness import (
    SERVICE_ROLE,
    Cluster,
    Janitor,
    RabbitNode,
    create_database,
    drop_database,
    run_module,
)

ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "faults: fault-injection tests that run the services as processes and "
                   "kill them (tests/faults)")
    config.addinivalue_line(
        "markers", "cluster(instances=1, settings=None, per_service=None): how the fault "
                   "suite's cluster is started for this test")


def pytest_collection_modifyitems(config, items):
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def janitor():
    keeper = Janitor(ADMIN_URL)
    yield keeper
    keeper.close()


@pytest.fixture(scope="session")
def fault_broker(janitor):
    """Launched here, waited for by ``cluster`` (the database migrates meanwhile)."""
    node = RabbitNode(janitor=janitor)
    try:
        node.start(wait=False)
        yield node
    finally:
        started = time.monotonic()
        node.remove()
        print(f"\nfault broker stopped in {time.monotonic() - started:.1f}s")


@pytest.fixture(scope="session")
def fault_database(janitor):
    from sqlalchemy import create_engine

    url = create_database(ADMIN_URL)
    janitor.add("databases", url.rsplit("/", 1)[1])
    env = {**os.environ, "DATABASE_URL": url, "APP_DB_ROLE": SERVICE_ROLE}
    try:
        run_module("services.common.migrations", env)
    except Exception:
        drop_database(ADMIN_URL, url)
        raise
    engine = create_engine(url, pool_size=5, max_overflow=5)
    yield url, engine
    started = time.monotonic()
    engine.dispose()
    drop_database(ADMIN_URL, url)
    print(f"\nfault database dropped in {time.monotonic() - started:.1f}s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item._fault_failed = True
    cluster = getattr(item, "_fault_cluster", None)
    if cluster is not None and report.failed:
        report.sections.append(("service logs", cluster.log_tails(80)))
        if cluster.broker is not None:
            from .harness import tail
            report.sections.append(("broker log", tail(cluster.broker.log_path, 30)))


@pytest.fixture
def cluster(request, fault_broker, fault_database, s3_endpoint):
    marker = request.node.get_closest_marker("cluster")
    options = dict(marker.kwargs) if marker else {}
    url, engine = fault_database
    work_dir = tempfile.mkdtemp(prefix=f"zcfault-{request.node.name[:40]}-")
    cluster = Cluster(fault_broker, url, engine, s3_endpoint, work_dir,
                      instances=options.get("instances", 1),
                      settings=options.get("settings"),
                      per_service=options.get("per_service"))
    request.node._fault_cluster = cluster
    print(f"\nfault cluster: logs in {cluster.log_dir}, vhost {cluster.vhost}, "
          f"gateway {cluster.base_url}")
    fault_broker.wait_started()
    cluster.prepare()
    try:
        cluster.start()
        yield cluster
    finally:
        # A test may leave the broker stopped; bring it back for the next one.
        if fault_broker.proc is None:
            fault_broker.start()
        cluster.teardown()
        if not getattr(request.node, "_fault_failed", False):
            shutil.rmtree(work_dir, ignore_errors=True)


@pytest.fixture
def users(cluster):
    from .traffic import Platform
    return Platform(cluster)
