"""Gateway operations serving the achievement-type catalogue."""


class CatalogueRoutes:
    pass
