"""The documents service's tables, in its own PostgreSQL schema \"documents\"."""
from services.common.db import make_base

SCHEMA = "documents"
Base = make_base(SCHEMA)
