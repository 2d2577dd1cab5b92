"""Fixtures of the achievement-record tests: the achievements service, the REAL workflow
service and the gateway on the real broker and database, with small fakes standing in
for identity (tokens, bindings, person briefs) and documents (``attach``). ``ach_docs``
runs the REAL documents service (S3 on moto) instead of the documents fake."""
import pytest

from .support import FakeDocuments, FakeIdentity, Harness


@pytest.fixture
def ach(runner_factory, service_config, web_config, web_session, db_engine):
    from services.achievements.service import AchievementsService
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    FakeIdentity.reset()
    FakeDocuments.reset()
    config = {**service_config, **web_config}
    runner = runner_factory(config, FakeIdentity, FakeDocuments, AchievementsService,
                            WorkflowService, GatewayService)
    runner.start()
    return Harness(web_session, config, db_engine)


@pytest.fixture
def ach_docs(runner_factory, service_config, web_config, web_session, db_engine):
    from services.achievements.service import AchievementsService
    from services.documents.service import DocumentsService
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    FakeIdentity.reset()
    config = {**service_config, **web_config}
    runner = runner_factory(config, FakeIdentity, DocumentsService, AchievementsService,
                            WorkflowService, GatewayService)
    runner.start()
    return Harness(web_session, config, db_engine)
