"""DocumentsService: thin entrypoints over the rules in ``logic``."""
from services.common.config import Settings
from services.common.db import Database
from services.common.principal import PrincipalProvider
from services.common.rpc import OperationsRpc

from .models import Base
from .storage import Storage


class DocumentsService(OperationsRpc):
    name = "documents"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL", "S3_ENDPOINT", "S3_BUCKET"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
    storage = Storage()

    def check_dependencies(self):
        return {"storage": "ok" if self.storage.ping() else "bucket missing"}
