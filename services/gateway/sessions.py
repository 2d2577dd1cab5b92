"""Sessions checked in the gateway, revoked at once.

The gateway checks a bearer token itself: signature and expiry (PyJWT, TOKEN_SECRET),
the principal from its claims. What revokes a token lives in memory, kept by identity's
session feed (``services/identity/logic/feed.py``): sessions ended, accounts blocked,
units whose admins may not act, principals changed since login. Each gateway instance
has an exclusive, auto-delete queue bound to the feed's fanout exchange, so every
instance gets every message.

In sync (the normal case) a request costs no RPC for authentication. The gateway is in
sync once it has loaded the whole state (``identity.session_state``) after connecting,
and stays so while numbered messages arrive without a gap and heartbeats keep coming.
On a gap or a lost connection it asks identity per request (``identity.authenticate``,
as before) until it has reloaded; while the feed is silent (no heartbeat for 3.5 s) it
asks identity until the next heartbeat shows that nothing was missed, and reconnects and
reloads after 30 s of silence. At start it waits a few seconds for the first load before
it takes traffic.

Idle timeout: the gateway remembers when each session last got through and publishes
these times every few seconds on the activity exchange; every gateway merges them and
identity records them (for gateways that start later and for the fallback), so activity
seen by any instance keeps the session alive on all of them.
"""
import contextlib
import logging
import time
import uuid

import eventlet
from eventlet.event import Event
from kombu import Connection, Consumer, Exchange, Producer, Queue, binding
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from services.common import config as cfg
from services.common.errors import Unauthenticated
from services.contracts import identity as contract

log = logging.getLogger("gateway.sessions")

FEED_EXCHANGE = Exchange(contract.SESSION_FEED_EXCHANGE, type="fanout", durable=False)
ACTIVITY_EXCHANGE = Exchange(contract.SESSION_ACTIVITY_EXCHANGE, type="fanout",
                             durable=False)


# Seconds without a heartbeat after which the feed's connection is dropped and the state
# reloaded (a shorter silence, 3.5 heartbeats, only sends requests to identity meanwhile).
RECONNECT_AFTER_SILENCE = 30.0


def invalid():
    return Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")


def idle_timeout():
    return Unauthenticated("auth.idle_timeout", "长时间未操作，登录已失效，请重新登录")


class SessionState:
    """What revokes tokens, as far as this gateway knows, and whether it is in sync."""

    def __init__(self, idle_seconds, heartbeat_seconds=contract.FEED_HEARTBEAT_SECONDS,
                 clock=time.time):
        self.idle_seconds = idle_seconds
        self.silence_seconds = 3.5 * heartbeat_seconds
        self.clock = clock
        self.revoked = {}      # session id -> expiry (epoch)
        self.accounts = {}     # account id -> (blocked, seq)
        self.units = {}        # unit id -> (blocked, seq)
        self.principals = {}   # account id -> (principal, seq)
        self.seen = {}         # session id -> last request (epoch), merged
        self.pending = {}      # session id -> last request here, not yet published
        self.loaded = False
        self.buffer = None     # messages received while loading
        self.applied = 0       # every number up to this one applied
        self.ahead = set()     # numbers applied beyond ``applied``
        self.expected = None   # last committed number heard in the previous heartbeat
        self.last_heartbeat = 0.0
        self.generation = 0    # bumped whenever the state falls out of sync

    # ---------------------------------------------------------------- sync
    @property
    def synced(self):
        """Loaded, and the heartbeat came lately. A short silence only makes requests ask
        identity until the next heartbeat, which checks that no message was missed; a
        long one (``RECONNECT_AFTER_SILENCE``) ends the connection and reloads."""
        return self.loaded and self.silent_for() < self.silence_seconds

    def silent_for(self):
        return self.clock() - self.last_heartbeat if self.loaded else 0.0

    def unsync(self, why):
        if self.loaded:
            log.warning("session state out of sync (%s): asking identity per request "
                        "until reloaded", why)
        self.loaded = False
        self.buffer = []
        self.generation += 1

    def load(self, snapshot, generation=None):
        """Replace the state with identity's ``session_state`` (complete up to its
        ``seq``), then apply what arrived meanwhile. A snapshot asked for before the
        state last fell out of sync (``generation``) is dropped: it may miss messages."""
        if generation is not None and generation != self.generation:
            return False
        buffered = sorted(self.buffer or [], key=lambda m: m["seq"])
        self.revoked = {sid: float(exp) for sid, exp in snapshot["revoked"].items()}
        seq = int(snapshot["seq"])
        self.accounts = {int(k): (bool(v), seq) for k, v in snapshot["accounts"].items()}
        self.units = {int(k): (bool(v), seq) for k, v in snapshot["units"].items()}
        self.principals = {int(k): (v, seq) for k, v in snapshot["principals"].items()}
        for sid, at in snapshot.get("last_seen", {}).items():
            self.seen[sid] = max(self.seen.get(sid, 0.0), float(at))
        self.applied, self.ahead, self.expected = seq, set(), None
        self.buffer = None
        for message in buffered:
            self._apply(message)
        self.loaded = True
        self.last_heartbeat = self.clock()
        log.info("session state loaded up to %s (%d revoked sessions, %d blocked accounts)",
                 self.applied, len(self.revoked), len(self.accounts))
        return True

    # ---------------------------------------------------------------- messages
    def receive(self, message):
        if not isinstance(message, dict):
            return
        if "seen" in message:
            self.merge_activity(message.get("seen") or {})
            return
        if not isinstance(message.get("seq"), int):
            return
        if message.get("heartbeat"):
            self._heartbeat(message["seq"])
        elif self.buffer is not None:
            self.buffer.append(message)
        else:
            self._apply(message)

    def _heartbeat(self, seq):
        if not self.loaded:
            return
        if self.expected is not None and self.applied < self.expected:
            self.unsync(f"message {self.applied + 1} missing, {self.expected} committed")
            return
        self.expected = seq if self.expected is None else max(self.expected, seq)
        self.last_heartbeat = self.clock()

    def _apply(self, message):
        seq = message["seq"]
        for sid, exp in (message.get("revoked") or {}).items():
            self.revoked[sid] = float(exp)
        for key, blocked in (message.get("accounts") or {}).items():
            if self.accounts.get(int(key), (None, -1))[1] < seq:
                self.accounts[int(key)] = (bool(blocked), seq)
        for key, blocked in (message.get("units") or {}).items():
            if self.units.get(int(key), (None, -1))[1] < seq:
                self.units[int(key)] = (bool(blocked), seq)
        for key, principal in (message.get("principals") or {}).items():
            if self.principals.get(int(key), (None, -1))[1] < seq:
                self.principals[int(key)] = (principal, seq)
        if seq > self.applied:
            self.ahead.add(seq)
            while self.applied + 1 in self.ahead:
                self.applied += 1
                self.ahead.discard(self.applied)

    def merge_activity(self, seen):
        for sid, at in seen.items():
            if isinstance(sid, str) and isinstance(at, (int, float)) \
                    and at > self.seen.get(sid, 0.0):
                self.seen[sid] = float(at)

    # ---------------------------------------------------------------- checks
    def check(self, claims):
        """The principal dict of verified ``claims``; raises Unauthenticated when
        the state revokes them."""
        sid, account_id = claims["sid"], int(claims["sub"])
        if sid in self.revoked or self.accounts.get(account_id, (False, 0))[0]:
            raise invalid()
        principal = contract.token_principal(claims)
        if principal is None:
            raise invalid()  # a token from before the principal claims
        changed = self.principals.get(account_id)
        if changed is not None:
            principal = {**changed[0], "account_id": account_id, "session_id": sid}
        if "unit_admin" in principal["roles"] and principal.get("unit_id") is not None \
                and self.units.get(int(principal["unit_id"]), (False, 0))[0]:
            raise invalid()
        now = self.clock()
        last = max(self.seen.get(sid, 0.0), float(claims["iat"]))
        if self.idle_seconds > 0 and now - last > self.idle_seconds:
            raise idle_timeout()
        self.touch(sid, now)
        return principal

    def touch(self, sid, now=None):
        now = self.clock() if now is None else now
        self.seen[sid] = now
        self.pending[sid] = now

    def take_pending(self):
        pending, self.pending = self.pending, {}
        return pending

    def prune(self):
        now = self.clock()
        self.revoked = {sid: exp for sid, exp in self.revoked.items() if exp > now}
        horizon = now - max(self.idle_seconds, 60.0) * 2
        self.seen = {sid: at for sid, at in self.seen.items() if at > horizon}


class SessionGuard(DependencyProvider):
    """The gateway's session checks: one :class:`SessionState` per gateway instance,
    kept by a feed thread (connection, exclusive queue, activity publishing) and a
    loader thread (``identity.session_state`` after every (re)connection or gap)."""

    def setup(self):
        config = self.container.config
        self.secret = cfg.token_secret(config)
        self.amqp_uri = cfg.require(config, "AMQP_URI")
        self.activity_seconds = cfg.as_float(config, "SESSION_ACTIVITY_SECONDS")
        self.start_wait = cfg.as_float(config, "SESSION_START_WAIT")
        self.state = SessionState(cfg.as_float(config, "SESSION_IDLE_MINUTES") * 60)
        self.instance = uuid.uuid4().hex[:12]
        self.queue_name = f"gateway.sessions.{self.instance}"
        self.connected = False
        self.connection = None
        self.stopped = False
        self.first_attempt = Event()
        self.loader = None

    def start(self):
        self.container.spawn_managed_thread(self._feed)
        with eventlet.Timeout(self.start_wait, False):
            self.first_attempt.wait()

    def stop(self):
        self.stopped = True

    def kill(self):
        self.stopped = True

    def get_dependency(self, worker_ctx):
        return self

    # ---------------------------------------------------------------- requests
    def authenticate(self, token, identity_rpc):
        """The principal dict of a bearer token; Unauthenticated otherwise."""
        if self.state.synced:
            claims = contract.read_token(self.secret, token)
            if claims is None:
                raise invalid()  # unsigned, altered or expired
            return self.state.check(claims)
        answer = identity_rpc.authenticate(token)  # not in sync: identity decides
        if not answer:
            raise invalid()
        if answer.get("session_id"):
            self.state.touch(answer["session_id"])
        return answer

    # ---------------------------------------------------------------- feed
    def _feed(self):
        delay = 0.2
        while not self.stopped:
            try:
                self._listen()
                delay = 0.2
            except Exception as exc:  # noqa: BLE001 - reconnect whatever went wrong
                log.warning("session feed connection lost: %s", exc)
            self.connected = False
            self.state.unsync("no connection to the feed")
            if self.stopped:
                break
            eventlet.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _listen(self):
        queue = Queue(self.queue_name, bindings=[binding(FEED_EXCHANGE),
                                                 binding(ACTIVITY_EXCHANGE)],
                      exclusive=True, auto_delete=True, durable=False)
        with Connection(self.amqp_uri, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
            self.connection = conn
            producer = Producer(conn.channel(), exchange=ACTIVITY_EXCHANGE,
                                serializer="json")
            ACTIVITY_EXCHANGE.declare(channel=producer.channel)
            with Consumer(conn.channel(), queues=[queue], callbacks=[self._on_message],
                          accept=["json"], no_ack=True):
                self.connected = True
                self.state.unsync("connected")
                self._spawn_loader()
                last_publish = last_prune = time.monotonic()
                while not self.stopped:
                    with contextlib.suppress(TimeoutError):
                        conn.drain_events(timeout=0.2)
                    now = time.monotonic()
                    if now - last_publish >= self.activity_seconds:
                        last_publish = now
                        self._publish_activity(producer)
                    if now - last_prune >= 60:
                        last_prune = now
                        self.state.prune()
                    if not self.state.loaded:
                        self._spawn_loader()
                    elif self.state.silent_for() > RECONNECT_AFTER_SILENCE:
                        raise ConnectionError("no heartbeat from identity")

    def _on_message(self, body, message):
        try:
            self.state.receive(body)
        except Exception:  # noqa: BLE001 - a malformed message must not stop the feed
            log.exception("session feed message ignored")
            self.state.unsync("malformed message")

    def _publish_activity(self, producer):
        seen = self.state.take_pending()
        if seen:
            try:
                producer.publish({"gateway": self.instance, "seen": seen},
                                 routing_key="", delivery_mode=1)
            except Exception:
                self.state.pending = {**seen, **self.state.pending}
                raise

    def _spawn_loader(self):
        if self.loader is None or self.loader.dead:
            self.loader = eventlet.spawn(self._load)

    def _load(self):
        config = {"AMQP_URI": self.amqp_uri, "SERIALIZER": "json"}
        while not self.stopped and self.connected and not self.state.loaded:
            generation = self.state.generation
            try:
                with ClusterRpcProxy(config, timeout=10) as rpc:
                    snapshot = rpc.identity.session_state()
                self.state.load(snapshot, generation)
            except Exception as exc:  # noqa: BLE001 - identity not there yet: retry
                log.info("session state not loaded yet: %s", exc)
                self._started()
                eventlet.sleep(1.0)
        if self.state.loaded:
            self._started()

    def _started(self):
        """Let ``start`` go on: loaded, or the first attempt failed (the fallback serves)."""
        if not self.first_attempt.ready():
            self.first_attempt.send()
