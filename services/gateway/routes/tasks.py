"""Gateway operations of the tasks area (see docs/api.md)."""


class TaskRoutes:
    pass
