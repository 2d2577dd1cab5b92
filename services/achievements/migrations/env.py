from services.common.migrations import run_env
from services.achievements.models import Base

run_env(Base.metadata)
