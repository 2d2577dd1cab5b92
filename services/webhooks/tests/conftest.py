"""Webhook tests run the real platform (broker, database) with an allow-listed local
receiver on 127.0.0.1 and short retry delays."""
import json
import threading
import time
import uuid

import eventlet
import eventlet.wsgi
import pytest
from nameko.testing.utils import find_free_port

from services.common.db import Database, DatabaseAccess
from services.common.messaging import emit
from services.identity.tests.conftest import PASSWORD
from tests.support import Api, wait_for  # noqa: F401 - re-exported for the tests

WEBHOOK_CONFIG = {
    "WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
    "WEBHOOK_RETRY_BASE": 0.2,
    "WEBHOOK_RETRY_MAX": 0.8,
    "WEBHOOK_TIMEOUT": 2,
    "WEBHOOK_LEASE": 3,
}


@pytest.fixture
def service_config(service_config, request):
    """Short delays; a test marked ``@pytest.mark.webhook_config(KEY=value)`` changes more."""
    marker = request.node.get_closest_marker("webhook_config")
    return {**service_config, **WEBHOOK_CONFIG, **(marker.kwargs if marker else {})}


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every request. ``mode``: "ok"
    (200), "fail" (500), "hang" (answers only when released); ``stop()`` closes it
    (connections refused) and ``start()`` opens it again on the same port."""

    def __init__(self):
        self.port = find_free_port()
        self.mode = "ok"
        self.fail_subjects = set()
        self.requests = []  # (status, headers, body, event)
        self.released = threading.Event()
        self._server = None
        self._pool = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        sock = eventlet.listen(("127.0.0.1", self.port))
        self._pool = eventlet.GreenPool(100)
        self._sock = sock
        self._server = eventlet.spawn(eventlet.wsgi.server, sock, self.app,
                                      custom_pool=self._pool, log_output=False,
                                      log=_Quiet())
        return self

    def stop(self):
        if self._server is not None:
            self._server.kill()
            for green in list(self._pool.coroutines_running):
                green.kill()
            self._sock.close()
            self._server = None

    def app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {key[5:].replace("_", "-").title(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        event = json.loads(body)
        mode = self.mode
        if mode == "hang":
            self.requests.append(("hang", headers, body, event))
            while not self.released.is_set():
                eventlet.sleep(0.05)
            mode = "ok"
        status = 200 if mode == "ok" and event["subject"] not in self.fail_subjects else 500
        self.requests.append((status, headers, body, event))
        start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                       [("Content-Type", "application/json")])
        return [b'{"ok": true}' if status == 200 else b'{"error": "boom"}']

    def delivered(self):
        return [r for r in self.requests if r[0] == 200]


class _Quiet:
    def write(self, *args):
        pass


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.released.set()
    r.stop()


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


def system_account(api, username=None):
    """A ``system`` account (another authority's system) and its token."""
    operator = api.operator()
    username = username or f"sys{uuid.uuid4().hex[:8]}"
    api.call("POST", "/api/v1/ops/accounts", api.security(), expect=201, json={
        "role": "system", "username": username, "password": PASSWORD,
        "name": "省人社厅业务系统"})
    return api.login(username), operator


def outbox_access(platform, source):
    container = platform.container(source)
    provider = next(d for d in container.dependencies if isinstance(d, Database))
    return DatabaseAccess(provider, None)


def emit_events(platform, source, items):
    """Commit events through ``source``'s own outbox, one transaction per item;
    [(event_id, commit time)]."""
    access = outbox_access(platform, source)
    out = []
    for type_, subject, data in items:
        with access.transaction() as session:
            envelope = emit(session, type_, subject, data)
        out.append((envelope["event_id"], time.monotonic()))
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "webhook_config(**values): webhooks service settings")
