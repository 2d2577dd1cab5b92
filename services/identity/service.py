"""IdentityService: thin entrypoints over the rules in ``logic``."""
from services.common.config import Settings
from services.common.db import Database
from services.common.principal import PrincipalProvider
from services.common.rpc import OperationsRpc

from .models import Base


class IdentityService(OperationsRpc):
    name = "identity"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"), needs_token_secret=True)
    db = Database(Base.metadata)
    principal = PrincipalProvider()
