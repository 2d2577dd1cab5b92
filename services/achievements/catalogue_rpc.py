"""RPC entrypoints serving the record-type catalogue (mixed into AchievementsService)."""


class CatalogueRpc:
    pass
