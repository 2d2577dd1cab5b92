"""Webhook delivery rate: events per second delivered (signed POST answered 200) to a
local receiver, and the latency from an event's commit to its delivery.

Self-contained: creates a database of its own (``zc_bench_<hex>``, dropped at the end),
migrates it, makes a RabbitMQ vhost of its own (management API), runs the workflow and
webhooks services in this process, and the example subscriber of docs/events.md
(``docs/examples/subscriber.py``, which verifies every signature and dedupes) as the
receiver in another process. One subscription takes every event; ``--events`` events
over ``--subjects`` subjects are committed through workflow's outbox, ``--batch`` per
transaction; the clock runs from the first commit to the last delivery.

    .venv/bin/python bench/webhook_bench.py [--events 3000] [--subjects 100]
        [--batch 50] [--concurrency 20]
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import requests  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from nameko.runners import ServiceRunner  # noqa: E402
from nameko.testing.utils import find_free_port  # noqa: E402

from services.common.config import DOMAIN_SERVICES  # noqa: E402
from services.common.db import Database, DatabaseAccess  # noqa: E402
from services.common.messaging import emit  # noqa: E402
from services.common.migrations import upgrade  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("BENCH_RABBIT", "127.0.0.1")
MANAGEMENT = f"http://{RABBIT}:15672/api"
SECRET = "whsec_bench_secret_0123456789"


def make_database():
    name = f"zc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url, services=DOMAIN_SERVICES)
    return name, url


def drop_database(name):
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_vhost():
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    requests.put(f"{MANAGEMENT}/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/permissions/{vhost}/guest", auth=auth, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return vhost


def drop_vhost(vhost):
    requests.delete(f"{MANAGEMENT}/vhosts/{vhost}", auth=("guest", "guest"), timeout=10)


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise SystemExit("timed out")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--subjects", type=int, default=100)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)

    from services.webhooks.service import WebhooksService
    from services.workflow.service import WorkflowService

    name, url = make_database()
    vhost = make_vhost()
    port = find_free_port()
    handle, store = tempfile.mkstemp(suffix=".jsonl")
    os.close(handle)
    receiver = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "docs", "examples", "subscriber.py"), "webhook",
         "--port", str(port), "--secret", SECRET, "--store", store],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    config = {
        "AMQP_URI": f"amqp://guest:guest@{RABBIT}:5672/{vhost}", "DATABASE_URL": url,
        "APP_ENV": "test", "TOKEN_SECRET": "bench-secret-" + "x" * 32, "SERIALIZER": "json",
        "max_workers": 10, "OUTBOX_POLL_INTERVAL": 1.0, "OUTBOX_MAX_BACKOFF": 5,
        "WEBHOOK_ALLOW_HOSTS": "127.0.0.1", "WEBHOOK_CONCURRENCY": args.concurrency,
        "WEBHOOK_TIMEOUT": 10, "WEBHOOK_RETRY_BASE": 1, "WEBHOOK_RETRY_MAX": 10,
    }
    runner = ServiceRunner(config)
    runner.add_service(WorkflowService)
    runner.add_service(WebhooksService)
    engine = create_engine(url)
    try:
        runner.start()
        def listening():
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, timeout=30)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO webhooks.subscriptions (owner_account_id, owner_name, url, "
                "event_types, secret, status) VALUES (1, 'bench', :url, '[\"*\"]', :secret, "
                "'active')"), {"url": f"http://127.0.0.1:{port}/hook", "secret": SECRET})
        container = next(c for c in runner.containers if c.service_name == "workflow")
        provider = next(d for d in container.dependencies if isinstance(d, Database))
        access = DatabaseAccess(provider, None)

        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        for first in range(0, args.events, args.batch):
            with access.transaction() as session:
                for n in range(first, min(first + args.batch, args.events)):
                    emit(session, "declaration_step_decided",
                         f"declaration:{n % args.subjects + 1}",
                         {"declaration_id": n % args.subjects + 1, "n": n,
                          "status": "submitted"})
        committed = time.monotonic() - started

        def delivered():
            with engine.connect() as conn:
                return conn.execute(text(
                    "SELECT count(*) FROM webhooks.deliveries WHERE status = 'delivered'"
                )).scalar()

        wait_for(lambda: delivered() >= args.events, timeout=600)
        elapsed = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime
                                                             - cpu_before.ru_stime)
        with engine.connect() as conn:
            p50, p95, attempts = conn.execute(text("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY lag),
                       (SELECT count(*) FROM webhooks.attempts)
                FROM (SELECT extract(epoch FROM d.delivered_at
                                     - (e.cloudevent->>'time')::timestamptz) AS lag
                      FROM webhooks.deliveries d JOIN webhooks.events e
                        ON e.id = d.event_row_id) AS lags""")).one()
        with open(store) as handle:
            received = sum(1 for line in handle if line.strip())
        print(f"webhook delivery: {args.events} events over {args.subjects} subjects, "
              f"{args.concurrency} concurrent POSTs, receiver verifying signatures")
        print(f"  committed in {committed:.2f} s; all delivered {elapsed:.2f} s after the "
              f"first commit")
        print(f"  rate: {args.events / elapsed:.0f} events/s delivered "
              f"({attempts} POSTs, {received} distinct events stored by the receiver)")
        print(f"  commit -> delivered latency: p50 {p50 * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms")
        print(f"  CPU of this process (workflow's relay, webhooks' intake and deliveries, "
              f"the bench's commits): {cpu:.1f} s, {args.events / cpu:.0f} events per CPU "
              f"second; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        runner.kill()
        engine.dispose()
        receiver.terminate()
        receiver.wait(10)
        os.unlink(store)
        drop_vhost(vhost)
        if args.keep:
            print(f"  database kept: {name}")
        else:
            drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
