"""The example subscriber of docs/events.md, run as another system would run it: it
receives webhooks and verifies their signatures, follows the feed from a saved position,
and processes each event once."""
import json
import pathlib
import socket
import subprocess
import sys

import pytest
from nameko.testing.utils import find_free_port

from .conftest import emit_events, system_account, wait_for
from .test_webhooks import SECRET, TYPES, chains

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "docs" / "examples" / "subscriber.py"


class Subscriber:
    def __init__(self, tmp_path, name, *args):
        self.out = tmp_path / f"{name}.log"
        self.handle = open(self.out, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, str(EXAMPLE), *args],
                                     stdout=self.handle, stderr=subprocess.STDOUT)

    def output(self):
        return self.out.read_text()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.handle.close()


def listening(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stored(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def run_subscriber(tmp_path):
    started = []

    def run(name, *args):
        subscriber = Subscriber(tmp_path, name, *args)
        started.append(subscriber)
        return subscriber

    yield run
    for subscriber in started:
        subscriber.stop()


def test_example_subscriber_verifies_dedupes_and_follows_the_feed(
        platform, api, tmp_path, run_subscriber):
    token, _ = system_account(api)
    store = tmp_path / "events.jsonl"
    port = find_free_port()
    hooks = run_subscriber("webhook", "webhook", "--port", str(port), "--secret", SECRET,
                           "--store", str(store))
    wait_for(lambda: listening(port), timeout=10)
    sub = api.call("POST", "/api/v1/subscriptions", token, expect=201, json={
        "url": f"http://127.0.0.1:{port}/hook", "event_types": TYPES,
        "secret": SECRET}).json()

    emitted = emit_events(platform, "workflow", chains(["declaration:61", "declaration:62"]))
    ids = [event_id for event_id, _ in emitted]
    wait_for(lambda: len(stored(store)) == len(ids), timeout=20)
    assert sorted(e["id"] for e in stored(store)) == sorted(ids)
    for subject in ("declaration:61", "declaration:62"):  # in order per subject
        assert [e["id"] for e in stored(store) if e["subject"] == subject] == \
            [i for i, item in zip(ids, chains(["declaration:61", "declaration:62"]),
                                  strict=True) if item[1] == subject]
    assert all(e["via"] == "webhook" for e in stored(store))

    # A redelivered event is acknowledged and dropped as a duplicate.
    api.call("POST", f"/api/v1/subscriptions/{sub['id']}/redeliver", token, expect=202,
             json={"event_id": ids[0]})
    wait_for(lambda: f"duplicate {ids[0]} ignored" in hooks.output(), timeout=10)
    assert len(stored(store)) == len(ids)

    # Following the feed from a saved position: what the webhooks brought is not
    # processed again; the position is saved; a later event comes through the feed.
    state = tmp_path / "feed-state.json"
    gateway = f"http://{platform.config['WEB_SERVER_ADDRESS']}"
    follow = ["follow", "--gateway", gateway, "--token", token,
              "--source", "workflow", "--state", str(state), "--store", str(store), "--once"]
    first = run_subscriber("follow1", *follow)
    assert first.proc.wait(30) == 0
    last = max(e["position"] for e in stored(store))
    assert json.loads(state.read_text())["after"] >= last
    assert len(stored(store)) == len(ids)
    api.call("DELETE", f"/api/v1/subscriptions/{sub['id']}", token, expect=200)
    [(late, _)] = emit_events(platform, "workflow", [
        ("declaration_approved", "declaration:63", {"declaration_id": 63})])
    second = run_subscriber("follow2", *follow)
    assert second.proc.wait(30) == 0
    assert sorted(e["id"] for e in stored(store)) == sorted([*ids, late])
    assert stored(store)[-1]["id"] == late
    assert stored(store)[-1]["via"] == "feed"
    assert json.loads(state.read_text())["after"] == stored(store)[-1]["position"]


def test_a_bad_secret_fails_verification_in_the_example_subscriber(
        platform, api, tmp_path, run_subscriber):
    token, _ = system_account(api)
    store = tmp_path / "events.jsonl"
    port = find_free_port()
    hooks = run_subscriber("webhook", "webhook", "--port", str(port), "--secret",
                           "not-the-subscription-secret", "--store", str(store))
    wait_for(lambda: listening(port), timeout=10)
    sub = api.call("POST", "/api/v1/subscriptions", token, expect=201, json={
        "url": f"http://127.0.0.1:{port}/hook", "event_types": TYPES,
        "secret": SECRET}).json()
    emit_events(platform, "workflow", chains(["declaration:71"])[:1])

    def refused():
        log = api.call("GET", f"/api/v1/subscriptions/{sub['id']}/deliveries", token,
                       expect=200).json()
        return [a for d in log for a in d["attempt_log"] if a["status_code"] == 401]

    wait_for(refused, timeout=15)
    assert "signature verification failed" in hooks.output()
    assert stored(store) == []
