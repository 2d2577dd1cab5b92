"""WebhooksService: push subscriptions for outside systems.

It takes in every source's events in feed order (``logic/ingest.py``): the events the
bus brings (one queue per source exchange, all types) when they are the next of their
source, and whatever the bus missed from the sources' feeds (``event_feed`` RPC, once a
second). A timer hands due deliveries to a courier that POSTs them, each in a managed
thread (``logic/delivery.py``). RPCs are for the gateway's ``/api/v1/subscriptions``.
"""
import logging
import uuid
from types import SimpleNamespace

import eventlet
import requests
from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from requests.adapters import HTTPAdapter
from sqlalchemy.orm import sessionmaker

from services.common import config as cfg
from services.common.config import Settings
from services.common.db import Database, DatabaseAccess, make_engine
from services.common.errors import Unavailable
from services.common.principal import OPERATOR, SYSTEM, Principal, PrincipalProvider
from services.common.rpc import OperationsRpc, ServiceRpc, rpc
from services.common.schemas import load, require_id
from services.contracts.events import EVENT_SOURCES, event_type_names

from . import schemas as s
from .logic import delivery, ingest, ssrf
from .logic import subscriptions as subs
from .models import Base

log = logging.getLogger(__name__)

DELIVERY_TICK = 0.1  # seconds between looks for due deliveries
FEED_TICK = 1.0  # seconds between pulls of the sources' feeds
FEED_PAGE = 500
# The webhooks service reads the sources' feeds as a system caller of its own.
FEED_READER = Principal(account_id=0, roles=(SYSTEM,), name="webhooks")


class Courier(DependencyProvider):
    """Sends claimed deliveries, at most ``WEBHOOK_CONCURRENCY`` at a time, each in a
    thread the container manages (killed with it: the delivery stays leased, then due)."""

    def setup(self):
        config = self.container.config
        self.concurrency = cfg.as_int(config, "WEBHOOK_CONCURRENCY", 20)
        self.timeout = cfg.as_float(config, "WEBHOOK_TIMEOUT", 10.0)
        self.retry_base = cfg.as_float(config, "WEBHOOK_RETRY_BASE", 10.0)
        self.retry_max = cfg.as_float(config, "WEBHOOK_RETRY_MAX", 3600.0)
        self.give_up_after = cfg.as_float(config, "WEBHOOK_GIVE_UP_AFTER", 86400.0)
        self.allow = ssrf.parse_allow_list(config.get("WEBHOOK_ALLOW_HOSTS"))
        self.in_flight = 0
        self.http = requests.Session()
        adapter = HTTPAdapter(pool_connections=self.concurrency,
                              pool_maxsize=self.concurrency, max_retries=0)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self.http.trust_env = False  # no proxy from the environment: SSRF checks hold

    @property
    def lease(self):
        """How long a claimed delivery is left alone: longer than a POST may take
        (connect and read timeouts), so that no other instance sends it meanwhile."""
        return cfg.as_float(self.container.config, "WEBHOOK_LEASE",
                            2 * self.timeout + 5.0)

    def start(self):
        # Results are written over connections of the courier's own, so that deliveries
        # never wait for a worker's connection (nor workers for theirs).
        provider = next(d for d in self.container.dependencies if isinstance(d, Database))
        self.engine = make_engine(provider.engine.url, pool_size=min(self.concurrency, 10))
        self._db = DatabaseAccess(SimpleNamespace(
            sessions=sessionmaker(self.engine, expire_on_commit=False),
            container=self.container, metadata=provider.metadata), None)

    def database(self):
        return self._db

    def free(self):
        return max(0, self.concurrency - self.in_flight)

    def send(self, claimed):
        self.in_flight += 1
        self.container.spawn_managed_thread(
            lambda: self._send(claimed),
            identifier=f"webhook-delivery-{claimed['delivery_id']}")

    def _send(self, claimed):
        try:
            outcome = delivery.post(self.http, claimed, self.allow, self.timeout)
            with self.database().transaction() as session:
                delivery.record(session, claimed["delivery_id"], claimed["number"], outcome,
                                self.retry_base, self.retry_max)
            if not outcome[0]:
                log.info("delivery %s to subscription %s failed: %s",
                         claimed["delivery_id"], claimed["subscription_id"], outcome[3])
        except Exception:
            log.exception("delivery %s could not be completed; it is sent again after its "
                          "lease", claimed["delivery_id"])
        finally:
            self.in_flight -= 1

    def stop(self):
        self.http.close()
        self.engine.dispose()

    def kill(self):
        self.http.close()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self


class WebhooksService(OperationsRpc):
    name = "webhooks"
    # Its queues (every type of every source) are declared when it starts, not at
    # deployment: it reads what it missed from the feeds, and a platform without it
    # must not pile events up for it (services.common.topology skips them).
    declares_own_queues = True

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
    courier = Courier()

    identity_rpc = ServiceRpc("identity")
    achievements_rpc = ServiceRpc("achievements")
    workflow_rpc = ServiceRpc("workflow")
    documents_rpc = ServiceRpc("documents")

    # ------------------------------------------------------------ taking events in
    def _take(self, source, envelope):
        with self.db.transaction() as session:
            taken, gap = ingest.take_envelope(session, source, envelope)
        if gap:
            log.debug("event %s of %s lies beyond a gap; the feed pull fills it",
                      envelope.get("event_id"), source)

    @event_handler("identity", "#")
    def on_identity_event(self, envelope):
        self._take("identity", envelope)

    @event_handler("achievements", "#")
    def on_achievements_event(self, envelope):
        self._take("achievements", envelope)

    @event_handler("workflow", "#")
    def on_workflow_event(self, envelope):
        self._take("workflow", envelope)

    @event_handler("documents", "#")
    def on_documents_event(self, envelope):
        self._take("documents", envelope)

    @timer(interval=FEED_TICK)
    def pull_feeds(self):
        """Take in what the bus did not bring (the service was down, a message was lost,
        an event no queue took), from each source's feed, in order."""
        self.principal.set(FEED_READER)
        for source in EVENT_SOURCES:
            try:
                self._pull(source)
            except Unavailable:
                continue
            except Exception as exc:  # noqa: BLE001 - one source's trouble stops no other
                log.warning("feed of %s could not be read: %s", source, exc)
        with self.db.transaction() as session:
            paused = delivery.pause_failing(session, self.courier.give_up_after)
        for subscription_id in paused:
            log.warning("subscription %s paused: its deliveries failed for more than %.0f s",
                        subscription_id, self.courier.give_up_after)

    def _pull(self, source):
        proxy = getattr(self, f"{source}_rpc")
        while True:
            with self.db.read() as session:
                after = ingest.cursor(session, source, lock=False)
            reply = proxy.event_feed.call_async(after=after, limit=FEED_PAGE,
                                                shape="cloudevents")
            with eventlet.Timeout(15):
                page = reply.result()
            if not page:
                return
            with self.db.transaction() as session:
                taken, _ = ingest.take(session, source, page)
            if len(page) < FEED_PAGE:
                return

    # ------------------------------------------------------------ delivering
    @timer(interval=DELIVERY_TICK)
    def deliver_due(self):
        free = self.courier.free()
        if not free:
            return
        with self.db.transaction() as session:
            claimed = delivery.claim(session, free, self.courier.lease)
        for item in claimed:
            self.courier.send(item)

    # ------------------------------------------------------------ subscriptions API
    def _caller(self):
        return self.principal.require(SYSTEM, OPERATOR)

    def _owner(self):
        return self.principal.require(SYSTEM)

    @rpc
    def create_subscription(self, payload):
        principal = self._owner()
        data = load(s.SubscriptionCreate, payload)
        with self.db.transaction() as session:
            return subs.create(session, principal, data, self.courier.allow,
                               set(event_type_names()))

    @rpc
    def list_subscriptions(self, query=None, everyone=False):
        principal = self._caller()
        data = load(s.SubscriptionQuery, query or {})
        with self.db.read() as session:
            return subs.listing(session, principal, status=data["status"],
                                everyone=bool(everyone))

    @rpc
    def get_subscription(self, subscription_id):
        principal = self._caller()
        with self.db.read() as session:
            return subs.view(subs.get(session, principal, require_id(subscription_id)))

    @rpc
    def pause_subscription(self, subscription_id):
        principal = self._caller()
        with self.db.transaction() as session:
            return subs.pause(session, principal, require_id(subscription_id))

    @rpc
    def resume_subscription(self, subscription_id):
        principal = self._caller()
        with self.db.transaction() as session:
            return subs.resume(session, principal, require_id(subscription_id))

    @rpc
    def delete_subscription(self, subscription_id):
        principal = self._owner()
        with self.db.transaction() as session:
            return subs.delete(session, principal, require_id(subscription_id))

    @rpc
    def rotate_secret(self, subscription_id, payload=None):
        principal = self._owner()
        data = load(s.RotateSecret, payload or {})
        with self.db.transaction() as session:
            return subs.rotate_secret(session, principal, require_id(subscription_id),
                                      data["secret"])

    @rpc
    def list_deliveries(self, subscription_id, query=None):
        principal = self._caller()
        data = load(s.DeliveryQuery, query or {})
        with self.db.read() as session:
            return subs.deliveries(session, principal, require_id(subscription_id),
                                   status=data["status"], limit=data["limit"])

    @rpc
    def redeliver(self, subscription_id, payload):
        principal = self._owner()
        data = load(s.Redeliver, payload)
        with self.db.transaction() as session:
            return subs.redeliver(session, principal, require_id(subscription_id),
                                  uuid.UUID(data["event_id"]))

    @rpc
    def replay(self, subscription_id, payload):
        principal = self._owner()
        data = load(s.Replay, payload)
        with self.db.transaction() as session:
            return subs.replay(session, principal, require_id(subscription_id),
                               data["source"], data["after"])
