"""RPC entrypoints that render and store printouts (mixed into DocumentsService)."""


class PrintingRpc:
    pass
