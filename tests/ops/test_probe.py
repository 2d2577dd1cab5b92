"""The probes of the Kubernetes manifests: a domain service's health over RPC, and the
waits for the migration and topology jobs, against the real broker and database."""
from conftest import ADMIN_URL
from services.common import probe, topology
from services.common.config import DOMAIN_SERVICES


def test_health_of_a_running_service_and_of_a_missing_one(runner_factory, service_config):
    from services.identity.service import IdentityService

    runner = runner_factory(service_config, IdentityService)
    runner.start()
    answer = probe.health(service_config["AMQP_URI"], "identity", timeout=5)
    assert answer["status"] == "ok" and probe.health_problems(answer) == []
    assert probe.health_problems({**answer, "storage": "bucket missing"}) \
        == ["storage: bucket missing"]
    try:
        probe.health(service_config["AMQP_URI"], "documents", timeout=1)
    except Exception as exc:
        assert "documents" in str(exc)
    else:
        raise AssertionError("a service that is not running answered")


def test_migrated_once_every_schema_is_at_head(database_url, monkeypatch):
    assert probe.pending_migrations(database_url, DOMAIN_SERVICES) == {}
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert probe.main(["migrated", *DOMAIN_SERVICES, "--wait", "0"]) == 0
    # a database the jobs have not migrated: every service is behind, the wait fails
    bare = ADMIN_URL
    assert set(probe.pending_migrations(bare, DOMAIN_SERVICES)) == set(DOMAIN_SERVICES)
    monkeypatch.setenv("DATABASE_URL", bare)
    assert probe.main(["migrated", "identity", "--wait", "0"]) == 1


def test_topology_wait_sees_the_queues_the_job_declares(rabbit_config, monkeypatch):
    uri = rabbit_config["AMQP_URI"]  # a fresh vhost: nothing declared yet
    missing = probe.missing_queues(uri)
    assert missing
    monkeypatch.setenv("AMQP_URI", uri)
    assert probe.main(["topology", "--wait", "0"]) == 1
    topology.declare(uri)
    assert probe.missing_queues(uri) == []
    assert probe.main(["topology", "--wait", "0"]) == 0
