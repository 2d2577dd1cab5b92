"""Gateway operations, one module per area; each defines a mixin of ``@route`` methods
that ``GatewayService`` inherits."""
