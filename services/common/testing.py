"""Helpers shared by the test suites (never imported by production code): waiting on an
observable condition instead of sleeping a fixed time."""
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
