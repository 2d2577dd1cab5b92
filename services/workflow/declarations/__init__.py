"""Declarations: evaluation plans, title declarations, the Chongqing health sections,
employer recommendation, post quotas, publicity, the unit gate (上报) and the print
snapshot. Built on the review engine (``services.workflow.engine``); the engine never
imports this package. ``logic/pipeline.py`` says how a declaration's review is decided."""
