"""WebhooksService: push subscriptions for outside systems.

It takes in every source's events in feed order (``logic/ingest.py``): the events the
bus brings (one queue per source exchange, all types) are gathered in memory and taken
in a batch per source ten times a second when they are the next of their source;
whatever the bus missed (a gap, the service was down, a batch lost with a killed
process) comes from the sources' feeds (``event_feed`` RPC), pulled at once for a
source with a gap and every few seconds for all. A timer hands due deliveries to a
courier that POSTs them, each in a managed thread (``logic/delivery.py``).
RPCs are for the gateway's ``/api/v1/subscriptions``.
"""
import logging
import time
import uuid
from types import SimpleNamespace

import eventlet
import requests
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.timer import Timer, timer
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

TICK = 0.1  # seconds between batches of bus events and looks for new deliveries
FEED_TICK = 5.0  # seconds between pulls of every source's feed (the safety net)
DUE_CHECK = 1.0  # seconds between looks for deliveries due again (retries, leases)
FEED_PAGE = 500
# The webhooks service reads the sources' feeds as a system caller of its own.
FEED_READER = Principal(account_id=0, roles=(SYSTEM,), name="webhooks")


class Courier(DependencyProvider):
    """Sends claimed deliveries, at most ``WEBHOOK_CONCURRENCY`` at a time, each in a
    thread the container manages (killed with it: the delivery stays leased, then due)."""

    def setup(self):
        config = self.container.config
        self.concurrency = cfg.as_int(config, "WEBHOOK_CONCURRENCY")
        self.timeout = cfg.as_float(config, "WEBHOOK_TIMEOUT")
        self.retry_base = cfg.as_float(config, "WEBHOOK_RETRY_BASE")
        self.retry_max = cfg.as_float(config, "WEBHOOK_RETRY_MAX")
        self.give_up_after = cfg.as_float(config, "WEBHOOK_GIVE_UP_AFTER")
        self.allow = ssrf.parse_allow_list(config.get("WEBHOOK_ALLOW_HOSTS"))
        self.in_flight = 0
        self.waiting = True  # new deliveries may be due: look without waiting DUE_CHECK
        self.last_due_check = 0.0
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

    def wake(self):
        self.waiting = True

    def free(self):
        return max(0, self.concurrency - self.in_flight)

    def due(self):
        """Whether to look for due deliveries now: a sender is free and new ones may be
        waiting (events were taken in, a subscription was resumed or replayed), or
        DUE_CHECK passed since the last look (retries, ended leases)."""
        return bool(self.free()) and (
            self.waiting or time.monotonic() - self.last_due_check >= DUE_CHECK)

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
            self.wake()  # the next delivery of the subject's chain may be due now

    def stop(self):
        self.http.close()
        self.engine.dispose()

    def kill(self):
        self.http.close()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self


class Intake(DependencyProvider):
    """What the bus brought and is not yet taken in, per source (in memory: a batch lost
    with the process is read again from the source's feed), and which sources showed a
    gap."""

    def setup(self):
        self.pending = {source: [] for source in EVENT_SOURCES}
        self.gaps = set()

    def add(self, source, envelope):
        self.pending[source].append(envelope)

    def drain(self, source):
        batch, self.pending[source] = self.pending[source], []
        return batch

    def due(self):
        """Whether there is anything to take in: events, or a source's gap to fill."""
        return bool(self.gaps) or any(self.pending.values())

    def get_dependency(self, worker_ctx):
        return self


class BusEvents(EventHandler):
    """The entrypoint of a source's events on the bus (routing key ``#``): its method is
    called with the event in the queue consumer's green thread, without a worker, and the
    message acknowledged at once. The method only hands the event to the :class:`Intake`
    (memory), so a worker each (dependencies, context, hooks) would be most of the cost."""

    def __init__(self, source_service, **kwargs):
        super().__init__(source_service, "#", **kwargs)

    def setup(self):
        super().setup()
        intake = next(d for d in self.container.dependencies if isinstance(d, Intake))
        self.method = getattr(self.container.service_cls, self.method_name)
        self.holder = SimpleNamespace(intake=intake)  # what the method may use: the intake

    def handle_message(self, body, message):
        self.method(self.holder, body)
        self.queue_consumer.ack_message(message)


bus_events = BusEvents.decorator


class Tick(Timer):
    """A timer whose tick starts a worker only when the dependency of type ``of`` says
    it is ``due()``: at 0.1 s, ticks would otherwise start 20 workers a second
    (dependencies, context, hooks) on an idle platform, most of the service's idle CPU."""

    def __init__(self, interval, of, **kwargs):
        self.of = of
        super().__init__(interval, **kwargs)

    def setup(self):
        super().setup()
        self.provider = next(d for d in self.container.dependencies if isinstance(d, self.of))

    def handle_timer_tick(self):
        if self.provider.due():
            super().handle_timer_tick()
        else:
            self.worker_complete.send()  # no worker: the loop waits for the next tick


tick = Tick.decorator


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
    intake = Intake()

    identity_rpc = ServiceRpc("identity")
    achievements_rpc = ServiceRpc("achievements")
    workflow_rpc = ServiceRpc("workflow")
    documents_rpc = ServiceRpc("documents")

    # ------------------------------------------------------------ taking events in
    @bus_events("identity")
    def on_identity_event(self, envelope):
        self.intake.add("identity", envelope)

    @bus_events("achievements")
    def on_achievements_event(self, envelope):
        self.intake.add("achievements", envelope)

    @bus_events("workflow")
    def on_workflow_event(self, envelope):
        self.intake.add("workflow", envelope)

    @bus_events("documents")
    def on_documents_event(self, envelope):
        self.intake.add("documents", envelope)

    @tick(interval=TICK, of=Intake)
    def take_batches(self):
        """Take in what the bus brought since the last tick, every source's in one
        transaction (their cursors locked in one order); a source whose batch lay beyond
        a gap has its feed pulled at once."""
        batches = [(source, batch) for source in EVENT_SOURCES
                   if (batch := self.intake.drain(source))]
        if batches:
            with self.db.transaction() as session:
                taken = [(source, len(batch), *ingest.take_envelopes(session, source, batch))
                         for source, batch in batches]
            if any(count for _, _, count, _ in taken):
                self.courier.wake()
            for source, size, count, gap in taken:
                if gap:
                    log.debug("%d event(s) of %s lie beyond a gap; its feed fills it",
                              size - count, source)
                    self.intake.gaps.add(source)
        if self.intake.gaps:
            self.principal.set(FEED_READER)
            for source in sorted(self.intake.gaps):
                self.intake.gaps.discard(source)
                self._pull_safely(source)

    @timer(interval=FEED_TICK)
    def pull_feeds(self):
        """Take in what the bus did not bring (the service was down, a message was lost,
        an event no queue took), from each source's feed, in order."""
        self.principal.set(FEED_READER)
        for source in EVENT_SOURCES:
            self._pull_safely(source)
        with self.db.transaction() as session:
            paused = delivery.pause_failing(session, self.courier.give_up_after)
        for subscription_id in paused:
            log.warning("subscription %s paused: its deliveries failed for more than %.0f s",
                        subscription_id, self.courier.give_up_after)

    def _pull_safely(self, source):
        try:
            self._pull(source)
        except Unavailable:
            pass
        except Exception as exc:  # noqa: BLE001 - one source's trouble stops no other
            log.warning("feed of %s could not be read: %s", source, exc)

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
            if taken:
                self.courier.wake()
            if len(page) < FEED_PAGE:
                return

    # ------------------------------------------------------------ delivering
    @tick(interval=TICK, of=Courier)
    def deliver_due(self):
        """Claim due deliveries when new ones may be waiting (events were taken in, a
        subscription was resumed or replayed) and once a second for retries and ended
        leases (``Courier.due``; no worker otherwise)."""
        if not self.courier.due():
            return
        free = self.courier.free()
        self.courier.waiting = False
        self.courier.last_due_check = time.monotonic()
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
            answer = subs.resume(session, principal, require_id(subscription_id))
        self.courier.wake()  # committed: its deliveries may be due
        return answer

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
            answer = subs.redeliver(session, principal, require_id(subscription_id),
                                    uuid.UUID(data["event_id"]))
        self.courier.wake()  # committed: its deliveries may be due
        return answer

    @rpc
    def replay(self, subscription_id, payload):
        principal = self._owner()
        data = load(s.Replay, payload)
        with self.db.transaction() as session:
            answer = subs.replay(session, principal, require_id(subscription_id),
                                 data["source"], data["after"])
        self.courier.wake()  # committed: its deliveries may be due
        return answer
