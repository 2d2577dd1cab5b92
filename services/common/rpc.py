"""RPC entrypoints and the operations every service answers."""
from nameko.rpc import rpc as nameko_rpc
from sqlalchemy import text

from . import messaging
from .errors import AppError
from .principal import OPERATOR, SYSTEM


def rpc(fn=None, **kwargs):
    """Nameko's ``@rpc`` that treats :class:`AppError` as an expected answer, not a fault
    to log with a traceback. Usable bare (``@rpc``) or with arguments."""
    kwargs.setdefault("expected_exceptions", (AppError,))
    if fn is None:
        return nameko_rpc(**kwargs)
    return nameko_rpc(**kwargs)(fn)


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
    def event_feed(self, after=0, limit=100, types=None):
        """The replay feed of this service's published events (see docs/events.md)."""
        self.principal.require(SYSTEM, OPERATOR)
        with self.db.read() as session:
            return messaging.event_feed(session, after=int(after),
                                        limit=max(1, min(int(limit), 500)), types=types)
