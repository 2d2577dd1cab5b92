"""AchievementsService: thin entrypoints over the rules in ``logic``."""
from services.common.config import Settings
from services.common.db import Database
from services.common.principal import PrincipalProvider
from services.common.rpc import OperationsRpc

from .catalogue_rpc import CatalogueRpc
from .models import Base


class AchievementsService(OperationsRpc, CatalogueRpc):
    name = "achievements"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
