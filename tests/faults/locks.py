"""Holding a service back at an exact point, with PostgreSQL locks taken by the test.

A service blocked on a lock the test holds is stopped in the middle of its work at a
point the test chooses (between a decision's commit and its publication; inside an
event handler's transaction), without changing its code. :func:`waiting_backends`
shows that it is really waiting there before the test kills it.
"""
import contextlib
import time

import eventlet
from sqlalchemy import text

from .harness import HarnessError


class HeldLock:
    """A connection of the test holding locks until :meth:`release`."""

    def __init__(self, engine):
        self.conn = engine.connect()
        self.pid = self.conn.execute(text("SELECT pg_backend_pid()")).scalar()

    def advisory(self, key):
        """A session-level advisory lock on ``hashtext(key)`` (as the services take
        their transaction-level ones)."""
        self.conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": key})
        return self

    def rows(self, sql, **params):
        """Row locks: ``sql`` is a ``SELECT ... FOR UPDATE``; held until release."""
        return self.conn.execute(text(sql), params).all()

    def release(self):
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.rollback()
                self.conn.execute(text("SELECT pg_advisory_unlock_all()"))
                self.conn.commit()
            self.conn.close()
            self.conn = None


def relay_lock_key(schema):
    """The advisory lock the outbox relay of a service takes for each batch."""
    return f"outbox:{schema}.outbox"


def waiting_backends(engine, query_like, blocked_by=None):
    """Backends of the services waiting for a lock, whose query matches ``query_like``
    (an ILIKE pattern): ``[{pid, query, wait_event}]``."""
    sql = ("SELECT pid, query, wait_event FROM pg_stat_activity "
           "WHERE datname = current_database() AND wait_event_type = 'Lock' "
           "AND query ILIKE :q")
    params = {"q": query_like}
    if blocked_by is not None:
        sql += " AND :holder = ANY(pg_blocking_pids(pid))"
        params["holder"] = blocked_by
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings().all()]


def wait_for_waiter(engine, query_like, blocked_by=None, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = waiting_backends(engine, query_like, blocked_by)
        if found:
            return found
        eventlet.sleep(0.1)
    raise HarnessError(f"no service backend came to wait on {query_like!r}")


def wait_backend_gone(engine, pid, timeout=30):
    """Until the backend ``pid`` has ended (its client was killed; PostgreSQL rolls back
    what it had not committed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"),
                                 {"p": pid}).scalar()
        if not alive:
            return
        eventlet.sleep(0.1)
    raise HarnessError(f"backend {pid} is still there {timeout}s after its client died")
