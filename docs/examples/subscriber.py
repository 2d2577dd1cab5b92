#!/usr/bin/env python3
"""An example subscriber of the platform's events (standard library only).

Two ways to receive events; use one or both (they dedupe on the event id together):

    # follow a source's feed from a saved position (polling)
    python subscriber.py follow --gateway https://zc.example.gov.cn --token <system token> \
        --source workflow --state feed-state.json --store events.jsonl [--once]

    # receive webhooks (POST /hook), verifying each signature
    python subscriber.py webhook --port 8080 --secret <subscription secret> \
        --store events.jsonl

Every event is a CloudEvents 1.0 JSON object. A webhook carries
``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` (two ``v1`` while a
rotated-out secret is still valid); a request whose signature does not verify, or whose
timestamp is more than 5 minutes away, is answered 401 and not processed. An event whose
``id`` is already in the store is acknowledged (200) and not processed again: deliveries
are at least once, and the feed and the webhooks may both bring the same event.

The store is a JSON-lines file of the processed events; a real subscriber would record
the event id in the same transaction as its own effect.
"""
import argparse
import contextlib
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300  # seconds a signature's timestamp may be away from now


def signature(secret, timestamp, body):
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                    hashlib.sha256).hexdigest()


def verify(secret, header, body, now=None, tolerance=TOLERANCE):
    """True when the X-Signature header signs ``body`` (bytes) with ``secret``."""
    now = time.time() if now is None else now
    try:
        items = [part.strip().split("=", 1) for part in (header or "").split(",")]
        timestamp = int(next(value for key, value in items if key == "t"))
    except (StopIteration, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in items)


class Store:
    """Processed events, deduplicated on the event id (thread-safe, append-only file)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.seen = set()
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        self.seen.add(json.loads(line)["id"])

    def process(self, event, via):
        """Process ``event`` once; False when it was a duplicate."""
        with self.lock:
            if event["id"] in self.seen:
                return False
            # The subscriber's own work goes here (in the same transaction as the id).
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"id": event["id"], "type": event["type"],
                                         "subject": event.get("subject"),
                                         "position": event.get("position"),
                                         "source": event.get("source"), "via": via},
                                        ensure_ascii=False) + "\n")
            self.seen.add(event["id"])
            return True


def log(message):
    print(message, flush=True)


# ----------------------------------------------------------------------- webhooks

def make_handler(secret, store):
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify(secret, self.headers.get("X-Signature"), body):
                log(f"signature verification failed for delivery "
                    f"{self.headers.get('X-Delivery-Id')}")
                return self.answer(401, {"error": "bad signature"})
            event = json.loads(body)
            if event.get("id") != self.headers.get("X-Event-Id"):
                return self.answer(400, {"error": "event id mismatch"})
            if store.process(event, "webhook"):
                log(f"event {event['id']} {event['type']} {event.get('subject')}")
            else:
                log(f"duplicate {event['id']} ignored")
            return self.answer(200, {"ok": True})

        def answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Hook


def serve_webhooks(args):
    store = Store(args.store)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.secret, store))
    log(f"listening on http://{args.host}:{server.server_address[1]}/hook")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


# ----------------------------------------------------------------------- feed

def load_position(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return int(json.load(handle)["after"])
    return 0


def save_position(path, after):
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"after": after}, handle)
    os.replace(temporary, path)  # atomic: a crash leaves the old or the new position


def fetch(gateway, token, source, after, limit=100):
    query = urllib.parse.urlencode({"source": source, "after": after, "limit": limit,
                                    "format": "cloudevents"})
    request = urllib.request.Request(
        f"{gateway.rstrip('/')}/api/v1/events?{query}",
        headers={"Authorization": f"Bearer {token}",
                 "Accept": "application/cloudevents-batch+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def follow(args):
    """Read the feed after the saved position, process each event, save the position
    after each page (processed first, then saved: at least once, deduped by id)."""
    store = Store(args.store)
    after = load_position(args.state)
    while True:
        page = fetch(args.gateway, args.token, args.source, after)
        for event in page:
            if store.process(event, "feed"):
                log(f"event {event['id']} {event['type']} {event.get('subject')} "
                    f"@{event['position']}")
            after = event["position"]
        if page:
            save_position(args.state, after)
            continue
        if args.once:
            return 0
        time.sleep(args.interval)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    hook = commands.add_parser("webhook", help="receive webhooks")
    hook.add_argument("--host", default="127.0.0.1")
    hook.add_argument("--port", type=int, default=8080)
    hook.add_argument("--secret", required=True)
    hook.add_argument("--store", default="events.jsonl")
    feed = commands.add_parser("follow", help="follow a source's feed")
    feed.add_argument("--gateway", required=True)
    feed.add_argument("--token", required=True)
    feed.add_argument("--source", default="workflow")
    feed.add_argument("--state", default="feed-state.json")
    feed.add_argument("--store", default="events.jsonl")
    feed.add_argument("--interval", type=float, default=1.0)
    feed.add_argument("--once", action="store_true", help="stop when caught up")
    args = parser.parse_args(argv)
    return serve_webhooks(args) if args.command == "webhook" else follow(args)


if __name__ == "__main__":
    sys.exit(main())
