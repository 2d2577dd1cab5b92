"""The platform's services.

psycopg 3 picks its wait function when it is first imported. The binary build's
default blocks the whole process under eventlet, so every service must use
``wait_select`` (which eventlet makes cooperative). Every service module lives in this
package, so setting it here runs before any psycopg import.
"""
import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

# Full ID numbers and mobile numbers never reach a log record (see services.common.logs).
from services.common import logs as _logs  # noqa: E402

_logs.install()
