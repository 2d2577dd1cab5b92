"""Gateway operations of the identity area (see docs/api.md)."""


class IdentityRoutes:
    pass
