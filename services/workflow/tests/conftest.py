"""Fixtures of the workflow service's tests: the workflow service and the gateway on the
real broker and database, with the fake identity of ``support.py``."""
import pytest
from sqlalchemy.orm import sessionmaker

from .support import FakeIdentity, Harness


@pytest.fixture
def wf(runner_factory, service_config, web_config, web_session, db_engine):
    """Workflow + gateway + fake identity over the real broker and database."""
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    config = {**service_config, **web_config}
    runner = runner_factory(config, FakeIdentity, WorkflowService, GatewayService)
    runner.start()
    return Harness(web_session, config, db_engine)


@pytest.fixture
def session_factory(db_engine, clean_db):
    """Sessions like the workflow service's own (source and metadata set for the outbox),
    to call the engine's plain functions directly, as declarations will."""
    from services.workflow.models import Base

    factory = sessionmaker(db_engine, expire_on_commit=False)

    def make(actor=None):
        session = factory()
        session.info["source"] = "workflow"
        session.info["metadata"] = Base.metadata
        if actor is not None:
            session.info["actor"] = actor
        return session

    return make

