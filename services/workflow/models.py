"""Every table of the workflow schema on one ``Base``: the review engine's and the
declarations'. The service's database dependency and the migrations use this metadata."""
from .declarations import models as declaration_models
from .engine.models import Base

__all__ = ["Base", "declaration_models"]
