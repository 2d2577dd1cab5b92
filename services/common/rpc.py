"""RPC entrypoints and the operations every service answers."""
import contextlib
import logging
import uuid
from functools import partial

import amqp.exceptions
import kombu.exceptions
from kombu import Queue
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnknownService
from nameko.messaging import QueueConsumer
from nameko.rpc import (
    RPC_REPLY_QUEUE_TEMPLATE,
    RPC_REPLY_QUEUE_TTL,
    MethodProxy,
    ReplyListener,
    Responder,
    RpcConsumer,
    RpcProxy,
    ServiceProxy,
    get_rpc_exchange,
)
from nameko.rpc import Rpc as NamekoRpc
from sqlalchemy import text

from . import messaging
from .errors import AppError, Unavailable
from .metrics import Metrics
from .principal import OPERATOR, SYSTEM

log = logging.getLogger(__name__)

BROKER_ERRORS = (kombu.exceptions.OperationalError, amqp.exceptions.ConnectionError,
                 OSError)


# RPC messages are transient: a request or an answer lives for the few milliseconds
# between two running processes, and a lost one shows as the caller's timeout (503), as
# any other failure of the callee would. They are therefore neither written to disk
# (non-persistent, and the reply queues are not durable) nor confirmed by the broker;
# durability and confirms are kept for events, whose outbox relies on them.


class TransientPublisher(Publisher):
    """Publishes RPC answers: non-persistent, without publisher confirms."""

    delivery_mode = NON_PERSISTENT
    use_confirms = False

    def publish(self, payload, **kwargs):
        # Nameko's Publisher writes ``confirm_publish`` into a dict shared by every
        # publisher of the process; give each publish a copy of its own.
        kwargs.setdefault("transport_options", dict(self.transport_options))
        return super().publish(payload, **kwargs)


_routed = set()  # (broker, exchange, service) whose request queue a publish reached


class RequestPublisher(TransientPublisher):
    """Publishes RPC requests: non-persistent, and unconfirmed once the target's queue
    is known to exist.

    Nameko finds an absent service (``UnknownService``) by publishing with ``mandatory``
    and waiting for the broker's confirm, which comes after the ``basic.return`` of an
    unroutable message. A service's request queue is durable and stays bound once the
    service has run on the broker, so only the first request to each service (per
    process) needs that check: it is published mandatory and confirmed; later ones are
    neither, and a request lost afterwards (the queue deleted by hand, a broker crash)
    surfaces as the caller's timeout."""

    def publish(self, payload, **kwargs):
        exchange = kwargs.get("exchange")
        service = str(kwargs.get("routing_key", "")).partition(".")[0]
        key = (self.amqp_uri, getattr(exchange, "name", exchange), service)
        routed = key in _routed
        kwargs["use_confirms"] = not routed
        kwargs["mandatory"] = not routed
        super().publish(payload, **kwargs)
        if not routed:  # confirmed and not returned (else UndeliverableMessage)
            _routed.add(key)


class TransientResponder(Responder):
    publisher_cls = TransientPublisher


class AnsweringRpcConsumer(RpcConsumer):
    """Nameko's RPC consumer, except that an answer the broker cannot take (it went away
    while the worker ran) is logged as lost instead of raising out of the worker, which
    makes Nameko kill the whole service. The request is given back (requeued, or left
    unacknowledged on a dead channel), so the broker delivers it again once it is back
    (the caller's own call has timed out by then)."""

    def handle_result(self, message, result, exc_info):
        try:
            return self._answer(message, result, exc_info)
        except BROKER_ERRORS as exc:
            log.error("answer to %s lost, the broker is unreachable (%s); the request "
                      "will be delivered again", message.delivery_info.get("routing_key"),
                      exc)
            # when only the answer's connection failed, give the request back now (the
            # consumer's channel may have died too)
            with contextlib.suppress(Exception):
                self.queue_consumer.requeue_message(message)
            return result, exc_info

    def _answer(self, message, result, exc_info):
        """``RpcConsumer.handle_result`` with a transient, unconfirmed answer."""
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class Rpc(NamekoRpc):
    rpc_consumer = AnsweringRpcConsumer()


def rpc(fn=None, **kwargs):
    """Nameko's ``@rpc`` that treats :class:`AppError` as an expected answer, not a fault
    to log with a traceback, and survives a broker restart while it answers. Usable bare
    (``@rpc``) or with arguments."""
    kwargs.setdefault("expected_exceptions", (AppError,))
    if fn is None:
        return Rpc.decorator(**kwargs)
    return Rpc.decorator(**kwargs)(fn)


class _Reply:
    def __init__(self, reply):
        self._reply = reply

    def result(self):
        try:
            return self._reply.result()
        except UnknownService as exc:
            raise Unavailable() from exc


class _Method:
    def __init__(self, method):
        self._method = method

    def __call__(self, *args, **kwargs):
        return self.call_async(*args, **kwargs).result()

    def call_async(self, *args, **kwargs):
        try:
            return _Reply(self._method.call_async(*args, **kwargs))
        except UnknownService as exc:
            raise Unavailable() from exc


class _Service:
    def __init__(self, proxy):
        self._proxy = proxy

    def __getattr__(self, name):
        return _Method(getattr(self._proxy, name))


class ReplyConsumer(QueueConsumer):
    """The consumer of a service's RPC reply queue, on a connection of its own, without
    acknowledgements: a reply is the broker's to forget once delivered (as the reply
    itself is transient, a reply lost with its connection is the caller's timeout either
    way), which spares a frame to the broker and its bookkeeping for every call."""

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            self._consumers[provider] = consumer_cls(
                queues=[provider.queue], callbacks=[partial(self.handle_message, provider)],
                accept=self.accept, no_ack=True)
        return self._consumers.values()

    def ack_message(self, message):
        pass  # consumed with no_ack

    def requeue_message(self, message):
        pass  # consumed with no_ack: nothing to give back


class TransientReplyListener(ReplyListener):
    """Nameko's reply listener with a non-durable reply queue (it still expires five
    minutes after its consumer went away, and is declared again on reconnection),
    consumed without acknowledgements (:class:`ReplyConsumer`)."""

    queue_consumer = ReplyConsumer()

    def setup(self):
        reply_queue_uuid = uuid.uuid4()
        self.routing_key = str(reply_queue_uuid)
        self.queue = Queue(
            RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name, reply_queue_uuid),
            exchange=get_rpc_exchange(self.container.config),
            routing_key=self.routing_key,
            durable=False,
            queue_arguments={"x-expires": RPC_REPLY_QUEUE_TTL},
        )
        self.queue_consumer.register_provider(self)


class TransientMethodProxy(MethodProxy):
    publisher_cls = RequestPublisher


class TransientServiceProxy(ServiceProxy):
    def __getattr__(self, name):
        return TransientMethodProxy(self.worker_ctx, self.service_name, name,
                                    self.reply_listener, **self.options)


class ServiceRpc(RpcProxy):
    """The one way a service calls another: Nameko's ``RpcProxy`` whose calls raise
    :class:`Unavailable` (503, 服务暂不可用) when the target service is not running,
    instead of ``UnknownService``, and whose requests and answers are transient (see
    :class:`RequestPublisher`). Declare each proxy once, in ``service.py``:
    ``identity_rpc = ServiceRpc("identity")``."""

    rpc_reply_listener = TransientReplyListener()

    def get_dependency(self, worker_ctx):
        return _Service(TransientServiceProxy(worker_ctx, self.target_service,
                                              self.rpc_reply_listener, **self.options))


class OperationsRpc:
    """Mixed into every domain service, which must have ``db`` and ``principal``."""

    metrics = Metrics()  # Prometheus metrics on METRICS_PORT (services/common/metrics.py)

    @rpc
    def health(self):
        with self.db.read() as session:
            session.execute(text("SELECT 1"))
            outbox = messaging.outbox_stats(session)
        return {"service": self.name, "status": "ok", "database": "ok", "outbox": outbox,
                **self.check_dependencies()}

    def check_dependencies(self):
        """Extra readiness checks of a service (object storage, …) as ``{name: state}``."""
        return {}

    @rpc
    def failed_events(self, status=None, limit=100):
        self.principal.require(OPERATOR)
        with self.db.read() as session:
            return messaging.failed_events(session, status=status, limit=min(int(limit), 500))

    @rpc
    def event_feed(self, after=0, limit=100, types=None, shape="envelope"):
        """The feed of this service's committed events (see docs/events.md); ``shape``
        "cloudevents" answers CloudEvents 1.0 events."""
        self.principal.require(SYSTEM, OPERATOR)
        with self.db.read() as session:
            return messaging.event_feed(session, after=int(after),
                                        limit=max(1, min(int(limit), 500)), types=types,
                                        shape=shape)
