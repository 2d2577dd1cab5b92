"""The authenticated principal, carried from the gateway to every service.

The gateway authenticates the bearer token and puts the principal into the worker's
Nameko context data under ``principal`` (a JSON string, so it survives AMQP headers).
Nameko copies context data into every RPC and event it sends, so a service reads the
caller from its own worker context through :class:`PrincipalProvider`.

Both are signed, since anything that can publish on the broker can write AMQP headers:

- ``principal_sig`` is an HMAC-SHA256 of the principal's JSON with ``PRINCIPAL_KEY``
  (a setting of every service; a development key in development and test only). It is
  made where the principal is set (the gateway) and travels with it, since Nameko copies
  every context entry into the calls and events a worker makes. A principal without a
  valid signature is no principal: the call is anonymous, and a warning is logged.
- ``caller_service`` names the service whose worker made the call, and
  ``caller_service_sig`` signs it; every service's :class:`PrincipalProvider` sets both
  for the calls its workers make. RPCs meant for other services only (e.g. achievements'
  ``lock_records``/``unlock_records``) call :meth:`PrincipalAccess.require_service`: a
  verified caller that is a service other than the gateway, whatever user it acts for.
"""
import hashlib
import hmac
import json
import logging
from dataclasses import asdict, dataclass, field

from nameko.extensions import DependencyProvider

from .config import DEVELOPMENT_ENVS, ConfigError, app_env
from .errors import Forbidden, Unauthenticated

log = logging.getLogger(__name__)

CONTEXT_KEY = "principal"
SIGNATURE_KEY = "principal_sig"
CALLER_KEY = "caller_service"
CALLER_SIGNATURE_KEY = "caller_service_sig"
DEV_PRINCIPAL_KEY = "dev-only-principal-key-change-me"
GATEWAY = "gateway"  # the one service whose calls act for users only

# Roles. A unit admin acts for their unit; the unit's kind says which review level it is.
# The three administrators of MLPS level 3 (三员分立) are separate roles: the operator is
# the system administrator, the security administrator manages accounts and their
# rights, the auditor reads the audit log (docs/api.md, "Roles' rights").
PERSON = "person"
UNIT_ADMIN = "unit_admin"
OPERATOR = "operator"
SECURITY = "security"
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


def principal_key(config):
    """``PRINCIPAL_KEY``; the development key only in development and test."""
    env = app_env(config)
    key = str(config.get("PRINCIPAL_KEY") or "").strip()
    if env in DEVELOPMENT_ENVS:
        return key or DEV_PRINCIPAL_KEY
    if not key or key == DEV_PRINCIPAL_KEY:
        raise ConfigError(f"PRINCIPAL_KEY must be set to a private value when APP_ENV={env}")
    if len(key) < 32:
        raise ConfigError("PRINCIPAL_KEY must be at least 32 characters long")
    return key


def sign(key, text):
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _valid(key, text, signature):
    return (isinstance(text, str) and isinstance(signature, str)
            and hmac.compare_digest(sign(key, text), signature))


def signed_context(key, principal=None, service=None):
    """Context data carrying ``principal`` and/or the caller ``service``, signed: what a
    gateway or a service's worker sends (tests use it through services.common.testing)."""
    data = {}
    if principal is not None:
        raw = principal if isinstance(principal, str) else principal.to_json()
        data[CONTEXT_KEY], data[SIGNATURE_KEY] = raw, sign(key, raw)
    if service is not None:
        data[CALLER_KEY] = service
        data[CALLER_SIGNATURE_KEY] = sign(key, "service:" + service)
    return data


def verified_principal(worker_ctx, config):
    """The worker's principal if its signature is valid, else None (no warning)."""
    data = worker_ctx.data if worker_ctx is not None else {}
    raw = data.get(CONTEXT_KEY)
    if not raw or not _valid(principal_key(config), raw, data.get(SIGNATURE_KEY)):
        return None
    try:
        return Principal.from_json(raw)
    except (TypeError, ValueError):
        return None


class PrincipalAccess:
    """What a worker sees: the caller, if any, and (in the gateway) a way to set it."""

    def __init__(self, worker_ctx, key, incoming_service=None):
        self._ctx = worker_ctx
        self._key = key
        self._incoming_service = incoming_service

    @property
    def current(self):
        raw = self._ctx.data.get(CONTEXT_KEY)
        if not raw:
            return None
        if not _valid(self._key, raw, self._ctx.data.get(SIGNATURE_KEY)):
            log.warning("principal without a valid signature ignored (%s)",
                        getattr(self._ctx, "call_id", "-"))
            return None
        try:
            return Principal.from_json(raw)
        except (TypeError, ValueError):
            return None

    @property
    def calling_service(self):
        """The verified name of the service whose worker made this call, or None."""
        return self._incoming_service

    def require_service(self, *names):
        """Refuse (403) unless another service (not the gateway, so never a user
        directly) made this call; ``names``, if given, are the services allowed."""
        caller = self._incoming_service
        if caller is None or caller == GATEWAY or (names and caller not in names):
            log.warning("service-only call refused (caller service %r)", caller)
            raise Forbidden()
        return caller

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
            self._ctx.data.pop(SIGNATURE_KEY, None)
        else:
            self._ctx.data.update(signed_context(self._key, principal))


class PrincipalProvider(DependencyProvider):
    """The caller of each worker, verified; also marks the calls the worker makes with
    this service's signed name (``caller_service``)."""

    def setup(self):
        # A missing key stops the service at start, after the settings' own checks
        # (services.common.config.Settings) have named their problems.
        self.service = self.container.service_name
        self.error = None
        try:
            self.key = principal_key(self.container.config)
        except ConfigError as exc:
            self.key, self.error = None, exc

    def start(self):
        if self.error is not None:
            raise self.error

    def get_dependency(self, worker_ctx):
        incoming = None
        caller = worker_ctx.data.get(CALLER_KEY)
        if caller:
            if _valid(self.key, "service:" + str(caller),
                      worker_ctx.data.get(CALLER_SIGNATURE_KEY)):
                incoming = caller
            else:
                log.warning("caller service %r without a valid signature ignored", caller)
        # the calls and events this worker makes carry this service's name
        worker_ctx.data.update(signed_context(self.key, service=self.service))
        return PrincipalAccess(worker_ctx, self.key, incoming)
