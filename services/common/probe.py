"""Probes for containers that have no HTTP API (the domain services), and waits that
keep a service from starting before its deployment jobs have done their work.

    python -m services.common.probe health <service>        # readiness: its health RPC
    python -m services.common.probe migrated <service> ...  # wait: schema at head
    python -m services.common.probe topology                # wait: event queues declared

``health`` calls the service's ``health`` RPC over the broker (``AMQP_URI``) and exits
0 when the service answers "ok" within ``--timeout`` seconds, 1 otherwise. ``migrated``
and ``topology`` check what the migration and topology jobs leave behind (the
service's Alembic version equals its newest revision; every event handler's durable
queue exists) and wait up to ``--wait`` seconds for it: the Kubernetes manifests run
them as init containers, so a service never starts on an old schema or publishes an
event before its consumers' queues exist.
"""
import argparse
import contextlib
import os
import sys
import time
import warnings

from .config import DOMAIN_SERVICES

# Nameko imports eventlet, which warns on import; a probe's output is for operators.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def _env(key):
    value = os.environ.get(key, "").strip()
    if not value:
        raise SystemExit(f"{key} is missing: set the environment variable {key}")
    return value


def health(amqp_uri, service, timeout):
    """The service's answer to its ``health`` RPC (raises when it does not answer)."""
    import eventlet
    eventlet.monkey_patch()
    from nameko.standalone.rpc import ClusterRpcProxy

    config = {"AMQP_URI": amqp_uri, "SERIALIZER": "json"}
    with eventlet.Timeout(timeout + 5), ClusterRpcProxy(config, timeout=timeout) as cluster:
        return getattr(cluster, service).health()


def health_problems(answer):
    """What is wrong in a ``health`` answer: ``[]`` when every check says "ok"."""
    problems = []
    for key, value in answer.items():
        if key in ("service", "outbox"):
            continue
        if isinstance(value, str) and value != "ok":
            problems.append(f"{key}: {value}")
    return problems


def pending_migrations(database_url, services):
    """``{service: (current, head)}`` for each service whose schema is not at head."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from .migrations import alembic_config

    behind = {}
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for service in services:
                heads = set(ScriptDirectory.from_config(
                    alembic_config(service, database_url)).get_heads())
                table = conn.execute(text("SELECT to_regclass(:t)"),
                                     {"t": f"{service}.alembic_version"}).scalar()
                current = set()
                if table:
                    current = set(conn.execute(text(
                        f'SELECT version_num FROM "{service}".alembic_version')).scalars())
                if current != heads:
                    behind[service] = (sorted(current), sorted(heads))
    finally:
        engine.dispose()
    return behind


def missing_queues(amqp_uri):
    """Names of the event handlers' durable queues that do not exist yet."""
    from kombu import Connection

    from .topology import SERVICE_CLASSES, handler_queues, load_class

    missing = []
    with Connection(amqp_uri, connect_timeout=5) as connection:
        for path in SERVICE_CLASSES.values():
            for queue in handler_queues(load_class(path)):
                channel = connection.channel()
                try:
                    queue(channel).queue_declare(passive=True)
                except Exception as exc:  # 404 NOT_FOUND closes the channel
                    if "NOT_FOUND" not in str(exc) and "404" not in str(exc):
                        raise
                    missing.append(queue.name)
                finally:
                    with contextlib.suppress(Exception):  # closed by the broker already
                        channel.close()
    return missing


def _wait(check, seconds, what):
    """Run ``check`` (``None`` when done, else a description) until done or timeout."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            problem = check()
        except Exception as exc:  # the database or broker may still be starting
            problem = f"{type(exc).__name__}: {exc}"
        if not problem:
            print(f"{what}: ok")
            return 0
        if time.monotonic() >= deadline:
            print(f"{what}: still waiting after {seconds:g}s: {problem}", file=sys.stderr)
            return 1
        print(f"{what}: waiting: {problem}", file=sys.stderr)
        time.sleep(2)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.common.probe")
    sub = parser.add_subparsers(dest="command", required=True)
    p_health = sub.add_parser("health", help="call a domain service's health RPC")
    p_health.add_argument("service", choices=DOMAIN_SERVICES)
    p_health.add_argument("--timeout", type=float, default=5.0)
    p_migrated = sub.add_parser("migrated", help="wait until schemas are at head")
    p_migrated.add_argument("services", nargs="+", choices=DOMAIN_SERVICES)
    p_migrated.add_argument("--wait", type=float, default=600.0)
    p_topology = sub.add_parser("topology", help="wait until the event queues exist")
    p_topology.add_argument("--wait", type=float, default=600.0)
    args = parser.parse_args(argv)

    if args.command == "health":
        try:
            answer = health(_env("AMQP_URI"), args.service, args.timeout)
        except BaseException as exc:  # eventlet.Timeout is a BaseException
            print(f"{args.service}: no answer: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        problems = health_problems(answer)
        if problems:
            print(f"{args.service}: {'; '.join(problems)}", file=sys.stderr)
            return 1
        print(f"{args.service}: ok")
        return 0
    if args.command == "migrated":
        url = _env("DATABASE_URL")

        def check():
            behind = pending_migrations(url, args.services)
            return ", ".join(f"{name} at {cur or 'nothing'}, head {head}"
                             for name, (cur, head) in behind.items())
        return _wait(check, args.wait, "migrations of " + ", ".join(args.services))
    amqp_uri = _env("AMQP_URI")

    def check_queues():
        missing = missing_queues(amqp_uri)
        return f"{len(missing)} queues missing, e.g. {missing[0]}" if missing else None
    return _wait(check_queues, args.wait, "event queues")


if __name__ == "__main__":
    sys.exit(main())
