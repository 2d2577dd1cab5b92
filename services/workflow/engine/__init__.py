"""The review engine: processes, tasks, the task center and intake of other services'
review requests. It knows no kind of subject; a kind's rules (guards, whether the next
step may open, effects) are given to it by the caller (see ``logic/engine.py``).
Nothing here imports ``services.workflow.declarations``."""
