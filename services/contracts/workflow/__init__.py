"""The workflow service's contract, one module per part of the service:

- ``review``: the review engine (kinds, actions, outcomes, task-center boxes; the events
  ``review_requested`` / ``review_withdrawn`` it consumes and ``review_decided`` it
  publishes; the task center's RPC schemas);
- ``declarations``: evaluation plans and declarations (statuses, levels, forms, tabs;
  the declaration events' types; their RPC schemas);
- ``health``: the Chongqing health-series sections (the section table, row limits,
  evidence places; their RPC schemas);
- ``recommendations``: employer recommendation, post quotas, publicity and 上报 (their
  code tables and RPC schemas).
"""
