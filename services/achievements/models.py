"""The achievements service's tables, in its own PostgreSQL schema \"achievements\"."""
from services.common.db import make_base

SCHEMA = "achievements"
Base = make_base(SCHEMA)
