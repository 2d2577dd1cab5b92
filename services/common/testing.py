"""Helpers shared by the test suites (never imported by production code): waiting on an
observable condition instead of sleeping a fixed time, counting SQL statements."""
import contextlib

import eventlet


def wait_for(predicate, timeout=20.0, interval=0.05, what=None):
    """Call ``predicate`` until it returns something true, and return that; an
    AssertionError naming ``what`` (or the predicate) after ``timeout`` seconds."""
    clock = eventlet.hubs.get_hub().clock
    deadline = clock() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if clock() >= deadline:
            name = what or getattr(predicate, "__name__", "condition")
            raise AssertionError(f"{name} not reached in {timeout:g} s")
        eventlet.sleep(interval)


def signed(principal=None, service=None, key=None):
    """Context data for ``ServiceRpcProxy(..., context_data=signed(...))``: ``principal``
    (a Principal or its JSON) signed as the gateway signs it, ``service`` the calling
    service signed as its PrincipalProvider does, with the development PRINCIPAL_KEY
    (services/common/principal.py) unless ``key`` is given."""
    from .principal import DEV_PRINCIPAL_KEY, signed_context

    return signed_context(key or DEV_PRINCIPAL_KEY, principal, service)


@contextlib.contextmanager
def sql_statements(keep=lambda statement: True):
    """The SQL statements this process sends to PostgreSQL inside the block (any engine:
    the services under test run in it), those ``keep`` keeps: a list, filled as they go."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if keep(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)
