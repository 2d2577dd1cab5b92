"""Gateway operations for the documents reviewers print (评审表, 公示表, 花名册, 工作量)."""


class PrintingRoutes:
    pass
