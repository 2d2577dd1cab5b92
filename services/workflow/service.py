"""WorkflowService: every dependency and RPC proxy of the service, declared once, and the
review rules of every kind it decides; the entrypoints are the thin mixins of the two
packages (``engine/taskcenter_rpc.py``; ``declarations/*_rpc.py``)."""
from services.common.config import Settings
from services.common.db import Database
from services.common.principal import PrincipalProvider
from services.common.rpc import OperationsRpc, ServiceRpc

from .declarations.declarations_rpc import DeclarationsRpc
from .declarations.health_rpc import HealthRpc
from .declarations.logic import pipeline
from .declarations.recommendation_rpc import RecommendationRpc
from .engine.logic import unit_change
from .engine.logic.engine import ReviewRules
from .engine.taskcenter_rpc import TaskCenterRpc
from .models import Base

# The engine's rules per process kind (guards, may-open rule, effects): see
# declarations/logic/pipeline.py and, for a binding's approval (变更单位 ends the person's
# open record reviews at other units), engine/logic/unit_change.py. Kinds not named here
# (unit_registration, record) have none.
REVIEW_RULES = ReviewRules({pipeline.KIND: pipeline.DECLARATION_RULES,
                            "binding": unit_change.BINDING_RULES})


class WorkflowService(OperationsRpc, TaskCenterRpc, DeclarationsRpc, HealthRpc,
                      RecommendationRpc):
    name = "workflow"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()

    identity_rpc = ServiceRpc("identity")
    achievements_rpc = ServiceRpc("achievements")
    documents_rpc = ServiceRpc("documents")

    review_rules = REVIEW_RULES
