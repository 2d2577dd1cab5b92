"""Gateway operations of evaluation plans and title declarations (see docs/api.md)."""


class DeclarationRoutes:
    pass
