"""Gateway operations of the documents area (see docs/api.md)."""


class DocumentRoutes:
    pass
