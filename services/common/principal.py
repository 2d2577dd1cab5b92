"""The authenticated principal, carried from the gateway to every service.

The gateway authenticates the bearer token and puts the principal into the worker's
Nameko context data under ``principal`` (a JSON string, so it survives AMQP headers).
Nameko copies context data into every RPC and event it sends, so a service reads the
caller from its own worker context through :class:`PrincipalProvider`.
"""
import json
from dataclasses import asdict, dataclass, field

from nameko.extensions import DependencyProvider

from .errors import Forbidden, Unauthenticated

CONTEXT_KEY = "principal"

# Roles. A unit admin acts for their unit; the unit's kind says which review level it is.
PERSON = "person"
UNIT_ADMIN = "unit_admin"
OPERATOR = "operator"
AUDITOR = "auditor"
SYSTEM = "system"  # other government systems reading the event feed


@dataclass(frozen=True)
class Principal:
    account_id: int
    roles: tuple = ()
    unit_id: int | None = None
    person_id: int | None = None
    name: str = ""
    session_id: str | None = None
    extra: dict = field(default_factory=dict)

    def has(self, *roles):
        return any(role in self.roles for role in roles)

    def require(self, *roles):
        if not self.has(*roles):
            raise Forbidden()
        return self

    def to_json(self):
        data = asdict(self)
        data["roles"] = list(self.roles)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw):
        data = json.loads(raw)
        data["roles"] = tuple(data.get("roles") or ())
        return cls(**data)

    def as_actor(self):
        """The ``actor`` of an event envelope."""
        return {
            "account_id": self.account_id,
            "unit_id": self.unit_id,
            "person_id": self.person_id,
            "name": self.name,
        }


class PrincipalAccess:
    """What a worker sees: the caller, if any, and (in the gateway) a way to set it."""

    def __init__(self, worker_ctx):
        self._ctx = worker_ctx

    @property
    def current(self):
        raw = self._ctx.data.get(CONTEXT_KEY)
        if not raw:
            return None
        try:
            return Principal.from_json(raw)
        except (TypeError, ValueError):
            return None

    def require(self, *roles):
        """The caller; 401 when anonymous, 403 when none of ``roles`` (if given)."""
        principal = self.current
        if principal is None:
            raise Unauthenticated()
        if roles:
            principal.require(*roles)
        return principal

    def set(self, principal):
        # ``context_data`` is a copy; ``data`` is what RPC and events propagate.
        if principal is None:
            self._ctx.data.pop(CONTEXT_KEY, None)
        else:
            self._ctx.data[CONTEXT_KEY] = principal.to_json()


class PrincipalProvider(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return PrincipalAccess(worker_ctx)
