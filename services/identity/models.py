"""The identity service's tables, in its own PostgreSQL schema \"identity\"."""
from services.common.db import make_base

SCHEMA = "identity"
Base = make_base(SCHEMA)
