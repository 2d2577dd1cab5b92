"""RPC entrypoints and the operations every service answers."""
import logging

import amqp.exceptions
import kombu.exceptions
from nameko.exceptions import UnknownService
from nameko.rpc import Rpc as NamekoRpc
from nameko.rpc import RpcConsumer, RpcProxy
from sqlalchemy import text

from . import messaging
from .errors import AppError, Unavailable
from .principal import OPERATOR, SYSTEM

log = logging.getLogger(__name__)

BROKER_ERRORS = (kombu.exceptions.OperationalError, amqp.exceptions.ConnectionError,
                 OSError)


class AnsweringRpcConsumer(RpcConsumer):
    """Nameko's RPC consumer, except that an answer the broker cannot take (it went away
    while the worker ran) is logged as lost instead of raising out of the worker, which
    makes Nameko kill the whole service. The request is given back (requeued, or left
    unacknowledged on a dead channel), so the broker delivers it again once it is back
    (the caller's own call has timed out by then)."""

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_ERRORS as exc:
            log.error("answer to %s lost, the broker is unreachable (%s); the request "
                      "will be delivered again", message.delivery_info.get("routing_key"),
                      exc)
            try:  # when only the answer's connection failed, give the request back now
                self.queue_consumer.requeue_message(message)
            except Exception:  # noqa: BLE001 - the consumer's channel died too
                pass
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


class ServiceRpc(RpcProxy):
    """The one way a service calls another: Nameko's ``RpcProxy`` whose calls raise
    :class:`Unavailable` (503, 服务暂不可用) when the target service is not running,
    instead of ``UnknownService``. Declare each proxy once, in ``service.py``:
    ``identity_rpc = ServiceRpc("identity")``."""

    def get_dependency(self, worker_ctx):
        return _Service(super().get_dependency(worker_ctx))


class OperationsRpc:
    """Mixed into every domain service, which must have ``db`` and ``principal``."""

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
