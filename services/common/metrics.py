"""Prometheus metrics of every service (``prometheus_client``), one registry per container.

A domain service gets them from :class:`Metrics`, a dependency provider that
:class:`~services.common.rpc.OperationsRpc` declares, and serves them on its own port,
``METRICS_PORT`` (configuration or environment; ``METRICS_PORT_<SERVICE>`` wins, e.g.
``METRICS_PORT_IDENTITY``, for several services on one host; empty or 0: no server),
at ``METRICS_ADDRESS`` (default ``0.0.0.0``). The gateway serves its own at ``GET
/metrics`` on its HTTP port (``services/gateway/http.py``).

What is measured (every name starts with ``zhicheng_``; the scrape target names the
service, and ``zhicheng_service_info{service}`` says it too):

- ``rpc_duration_seconds{method, outcome}``: RPC handling time (outcome ``ok``,
  ``refused`` for an expected application error, ``error``); documents' upload
  completion (``complete_upload``) and printouts (``print_*``, ``roster*``) are methods;
- ``event_duration_seconds{handler, source, event_type, outcome}``: event handling time;
- ``workers_busy`` / ``workers_max``: the worker pool in use;
- ``db_pool_in_use``, ``db_pool_size``, ``db_pool_waiting``, ``db_pool_wait_seconds``:
  connections checked out, the pool's size, workers waiting and how long they waited;
- ``outbox_pending``, ``outbox_oldest_pending_age_seconds``: the outbox backlog and the
  age of its oldest unpublished event; ``failed_events{status}``: retrying and dead
  handler runs; ``event_queue_messages{queue}`` / ``event_queue_consumers{queue}``: the
  depth of this service's event queues (read from the broker at each scrape);
- the gateway: ``http_requests_total{method, route, status}`` and
  ``http_request_duration_seconds{method, route, status}`` (route = the path template,
  e.g. ``/api/v1/records/{id}``);
- ``process_*``: CPU, memory and open files of the process.
"""
import logging
import os
import time

import eventlet
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from . import logs
from .errors import AppError
from .principal import CONTEXT_KEY, Principal

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120)
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30)


class ServiceMetrics:
    """The metrics of one container, in a registry of its own."""

    def __init__(self, service):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        labels = {"service": service}
        reg = self.registry
        self.rpc = Histogram("zhicheng_rpc_duration_seconds", "RPC handling time",
                             ["method", "outcome"], registry=reg, buckets=LATENCY_BUCKETS)
        self.event = Histogram("zhicheng_event_duration_seconds", "event handling time",
                               ["handler", "source", "event_type", "outcome"], registry=reg,
                               buckets=LATENCY_BUCKETS)
        self.event_groups = Histogram(
            "zhicheng_event_group_size", "events applied in one group commit of grouped "
            "consumers", ["outcome"], registry=reg, buckets=(1, 2, 5, 10, 20, 50, 100))
        self.http_requests = Counter("zhicheng_http_requests", "HTTP requests answered",
                                     ["method", "route", "status"], registry=reg)
        self.http = Histogram("zhicheng_http_request_duration_seconds",
                              "HTTP request handling time", ["method", "route", "status"],
                              registry=reg, buckets=LATENCY_BUCKETS)
        self.pool_wait = Histogram("zhicheng_db_pool_wait_seconds",
                                   "time a worker waited for a database connection",
                                   registry=reg, buckets=WAIT_BUCKETS)
        self.pool_waiting = Gauge("zhicheng_db_pool_waiting",
                                  "workers waiting for a database connection", registry=reg)
        self.info = Gauge("zhicheng_service_info", "the service this registry is of",
                          ["service"], registry=reg)
        self.info.labels(**labels).set(1)
        ProcessCollector(registry=reg)

    def text(self):
        return generate_latest(self.registry)


def for_container(container):
    """The :class:`ServiceMetrics` of ``container`` (made on first use, kept on it)."""
    metrics = getattr(container, "_zhicheng_metrics", None)
    if metrics is None:
        metrics = ServiceMetrics(container.service_name)
        container._zhicheng_metrics = metrics
    return metrics


def wsgi_app(container):
    """A WSGI app answering the container's metrics in Prometheus' text format."""
    metrics = for_container(container)

    def app(environ, start_response):
        body = metrics.text()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return app


def observe_http(container, method, route, status, seconds):
    metrics = for_container(container)
    labels = {"method": method, "route": route, "status": str(status)}
    metrics.http_requests.labels(**labels).inc()
    metrics.http.labels(**labels).observe(seconds)


def _account_id(raw_principal):
    if not raw_principal:
        return None
    try:
        return Principal.from_json(raw_principal).account_id
    except (TypeError, ValueError):
        return None


def metrics_port(config, service):
    for value in (config.get(f"METRICS_PORT_{service.upper()}"),
                  os.environ.get(f"METRICS_PORT_{service.upper()}"),
                  config.get("METRICS_PORT"), os.environ.get("METRICS_PORT")):
        if value not in (None, ""):
            return int(value)
    return 0


class _StateCollector:
    """Read at each scrape: workers, the database pool, the outbox, failed events and
    the depth of the service's event queues."""

    def __init__(self, provider):
        self.provider = provider

    def describe(self):
        return []

    def collect(self):
        provider = self.provider
        container = provider.container
        yield _gauge("zhicheng_workers_busy", "workers running now",
                     len(getattr(container, "_worker_threads", ())))
        yield _gauge("zhicheng_workers_max", "the worker pool's size", container.max_workers)
        engine = provider.engine()
        if engine is not None:
            pool = engine.pool
            yield _gauge("zhicheng_db_pool_in_use", "database connections checked out",
                         pool.checkedout())
            yield _gauge("zhicheng_db_pool_size", "the database pool's size", pool.size())
            yield from provider.database_state()
        yield from provider.queue_state()


def _gauge(name, documentation, value, labels=None):
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    family.add_metric(list((labels or {}).values()), value)
    return family


class Metrics(DependencyProvider):
    """Times every RPC and event handler of the service, and serves the container's
    metrics on ``METRICS_PORT`` (see the module's documentation). It also gives each
    worker's log records the request id and the caller's account (``logs.bind``) that
    the gateway's RPC carried, for ``LOG_FORMAT=json``."""

    def setup(self):
        self.metrics = for_container(self.container)
        self.started = {}
        self.port = metrics_port(self.container.config, self.container.service_name)
        self.address = (self.container.config.get("METRICS_ADDRESS")
                        or os.environ.get("METRICS_ADDRESS") or "0.0.0.0")
        self.socket = None
        self._status_engine = None
        self._queues = None
        self.metrics.registry.register(_StateCollector(self))
        if self.port:
            # bound now, so that a port in use stops the service at start with a message
            self.socket = eventlet.listen((self.address, self.port))
            self.port = self.socket.getsockname()[1]

    def start(self):
        self._hook_pool()
        if self.socket is not None:
            import eventlet.wsgi
            app = wsgi_app(self.container)
            quiet = logging.getLogger("metrics.access")
            quiet.setLevel(logging.WARNING)
            self.container.spawn_managed_thread(
                lambda: eventlet.wsgi.server(self.socket, app, log=quiet, log_output=False),
                identifier="metrics_server")
            log.info("metrics of %s at http://%s:%d/metrics", self.container.service_name,
                     self.address, self.port)

    def stop(self):
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        if self._status_engine is not None:
            self._status_engine.dispose()

    kill = stop

    # ---- timing of entrypoints (and the worker's request id and caller for JSON logs)
    def worker_setup(self, worker_ctx):
        self.started[id(worker_ctx)] = time.perf_counter()
        logs.bind(request_id=worker_ctx.data.get("request_id"),
                  account_id=_account_id(worker_ctx.data.get(CONTEXT_KEY)))

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(id(worker_ctx), None)
        if started is None:
            return
        seconds = time.perf_counter() - started
        outcome = "ok"
        if exc_info is not None:
            outcome = "refused" if isinstance(exc_info[1], AppError) else "error"
        entrypoint = worker_ctx.entrypoint
        if isinstance(entrypoint, Rpc):
            self.metrics.rpc.labels(method=entrypoint.method_name,
                                    outcome=outcome).observe(seconds)
        elif isinstance(entrypoint, EventHandler):
            self.metrics.event.labels(handler=entrypoint.method_name,
                                      source=entrypoint.source_service,
                                      event_type=entrypoint.event_type,
                                      outcome=outcome).observe(seconds)

    def worker_teardown(self, worker_ctx):
        self.started.pop(id(worker_ctx), None)
        logs.clear()

    # ---- the database
    def _database(self):
        from .db import database_of
        return database_of(self.container)

    def engine(self):
        database = self._database()
        return getattr(database, "engine", None)

    def _hook_pool(self):
        """Time each checkout of the service's pool (SQLAlchemy's engine takes every
        connection through ``pool.connect``)."""
        engine = self.engine()
        if engine is None or getattr(engine.pool, "_zhicheng_timed", False):
            return
        pool, connect = engine.pool, engine.pool.connect
        waiting, wait = self.metrics.pool_waiting, self.metrics.pool_wait

        def timed_connect():
            started = time.perf_counter()
            waiting.inc()
            try:
                return connect()
            finally:
                waiting.dec()
                wait.observe(time.perf_counter() - started)
        pool.connect = timed_connect
        pool._zhicheng_timed = True

    def database_state(self):
        """Outbox backlog and failed events, read with a connection of its own (never one
        of the workers' pool)."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        database = self._database()
        schema = database.metadata.schema
        if self._status_engine is None:
            self._status_engine = create_engine(database.engine.url, poolclass=NullPool)
        try:
            with self._status_engine.connect() as conn:
                pending, age = conn.execute(text(
                    f'SELECT count(*), extract(epoch FROM now() - min(occurred_at)) '
                    f'FROM "{schema}".outbox WHERE published_at IS NULL')).one()
                failed = dict(conn.execute(text(
                    f'SELECT status, count(*) FROM "{schema}".failed_events '
                    f'WHERE status <> \'resolved\' GROUP BY status')).all())
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail on the database
            log.warning("metrics of %s: database state unavailable: %s", schema, exc)
            return
        yield _gauge("zhicheng_outbox_pending", "outbox events not yet published", pending)
        yield _gauge("zhicheng_outbox_oldest_pending_age_seconds",
                     "age of the oldest unpublished outbox event (0: none)", float(age or 0))
        family = GaugeMetricFamily("zhicheng_failed_events",
                                   "event handler runs that failed, by status", labels=["status"])
        for status in ("retrying", "dead"):
            family.add_metric([status], failed.get(status, 0))
        yield family

    # ---- the broker
    def queue_state(self):
        """Messages waiting in (and consumers of) this service's event queues."""
        from kombu import Connection

        from .topology import handler_queues

        if self._queues is None:
            self._queues = handler_queues(self.container.service_cls)
        if not self._queues:
            return
        depth = GaugeMetricFamily("zhicheng_event_queue_messages",
                                  "messages waiting in the service's event queues",
                                  labels=["queue"])
        consumers = GaugeMetricFamily("zhicheng_event_queue_consumers",
                                      "consumers of the service's event queues",
                                      labels=["queue"])
        try:
            with Connection(self.container.config["AMQP_URI"], connect_timeout=3) as conn:
                channel = conn.channel()
                for queue in self._queues:
                    _, messages, count = queue(channel).queue_declare(passive=True)
                    depth.add_metric([queue.name], messages)
                    consumers.add_metric([queue.name], count)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail on the broker
            log.warning("metrics of %s: queue depth unavailable: %s",
                        self.container.service_name, exc)
            return
        yield depth
        yield consumers
