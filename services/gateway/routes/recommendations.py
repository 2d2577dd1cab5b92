"""Gateway operations of employer recommendation, post quotas and publicity."""


class RecommendationRoutes:
    pass
