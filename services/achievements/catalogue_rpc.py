"""RPC entrypoints serving the record-type catalogue (mixed into AchievementsService)."""
from services.common.rpc import rpc
from services.common.schemas import dump
from services.contracts.achievements import AchievementTypesSchema

from .catalogue import describe


class CatalogueRpc:

    @rpc
    def catalogue(self, title_series=None):
        """The record-type catalogue as JSON (see ``catalogue.describe``): the health
        types (行业专用) only when ``title_series`` is 卫生技术人员."""
        return dump(AchievementTypesSchema, describe(title_series))
