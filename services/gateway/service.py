"""The HTTP gateway: authentication, coarse role checks, routing to RPC, error mapping,
OpenAPI. It owns no data."""
from services.common import config as cfg
from services.common.config import Settings
from services.common.principal import Principal, PrincipalProvider
from services.common.rpc import ServiceRpc

from . import client_address
from .console import ConsoleRoutes
from .routes.achievements import AchievementRoutes
from .routes.catalogue import CatalogueRoutes
from .routes.declarations import DeclarationRoutes
from .routes.documents import DocumentRoutes
from .routes.identity import IdentityRoutes
from .routes.printing import PrintingRoutes
from .routes.recommendations import RecommendationRoutes
from .routes.subscriptions import SubscriptionRoutes
from .routes.system import SystemRoutes
from .routes.tasks import TaskRoutes
from .sessions import SessionGuard


class GatewayService(SystemRoutes, IdentityRoutes, TaskRoutes, DocumentRoutes,
                     AchievementRoutes, CatalogueRoutes, DeclarationRoutes, PrintingRoutes,
                     RecommendationRoutes, ConsoleRoutes, SubscriptionRoutes):
    name = "gateway"

    config = Settings(required=("AMQP_URI",))
    principal = PrincipalProvider()
    sessions = SessionGuard()
    # The one declaration of each proxy: a call to a service that is not running raises
    # Unavailable (503), which the error table maps like every other error.
    identity_rpc = ServiceRpc("identity")
    achievements_rpc = ServiceRpc("achievements")
    workflow_rpc = ServiceRpc("workflow")
    documents_rpc = ServiceRpc("documents")
    webhooks_rpc = ServiceRpc("webhooks")

    @property
    def rpc_timeout(self):
        return cfg.as_float(self.config, "RPC_TIMEOUT")

    @property
    def export_timeout(self):
        """Operations that build a document (花名册, 评审表, …) may take longer."""
        return cfg.as_float(self.config, "EXPORT_TIMEOUT")

    @property
    def ready_timeout(self):
        return cfg.as_float(self.config, "READY_TIMEOUT")

    @property
    def trusted_proxies(self):
        return client_address.parse_networks(self.config.get("TRUSTED_PROXIES"))

    def client_address(self, request):
        """The client's address: the peer's, or the last one in X-Forwarded-For that
        is not a trusted proxy when the peer is one."""
        return client_address.client_address(request, self.trusted_proxies)

    def authenticate(self, token):
        """The principal of a bearer token, made the worker's caller for every RPC: checked
        here against the session feed's state, or by identity while that is not in sync
        (see sessions.py)."""
        answer = self.sessions.authenticate(token, self.identity_rpc)
        principal = Principal(**{**answer, "roles": tuple(answer.get("roles") or ())})
        self.principal.set(principal)
        return principal
