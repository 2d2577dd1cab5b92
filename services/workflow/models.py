"""The workflow service's tables, in its own PostgreSQL schema \"workflow\"."""
from services.common.db import make_base

SCHEMA = "workflow"
Base = make_base(SCHEMA)
