"""Gateway operations of the achievements area (see docs/api.md)."""


class AchievementRoutes:
    pass
