"""The gateway's own operations through real HTTP and real RabbitMQ."""

import pytest
from sqlalchemy import text

from services.common import errors
from services.common.config import DOMAIN_SERVICES
from services.common.errors import Unauthenticated
from services.common.principal import OPERATOR, PERSON, SYSTEM
from services.common.rpc import rpc
from services.gateway import http as gw_http

from .fakes import name_of, signed

OP, PERSON_TOKEN, SYSTEM_TOKEN = signed("op-token"), signed("person-token"), signed("system-token")


def test_readyz_names_every_service_then_the_one_that_stopped(platform):
    answer = platform.http.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert {"identity", "achievements", "workflow", "documents"} <= set(body["services"])
    assert set(body["services"]) == set(DOMAIN_SERVICES)  # every domain service, by name
    assert all(s["status"] == "ok" for s in body["services"].values())

    platform.container("workflow").stop()
    answer = platform.http.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["services"]["workflow"]["status"] == "unavailable"
    assert body["error"]["code"] == "service.unavailable"
    assert "workflow" in body["error"]["message"]
    assert body["error"]["details"]["unavailable"] == ["workflow"]
    assert all(body["services"][s]["status"] == "ok"
               for s in DOMAIN_SERVICES if s != "workflow")


def test_healthz_openapi_and_docs(platform):
    assert platform.http.get("/healthz").json() == {"status": "ok"}
    spec = platform.http.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "Error" in spec["components"]["schemas"]
    assert {"/healthz", "/readyz", "/api/v1/ops/failed-events"} <= set(spec["paths"])
    op = spec["paths"]["/api/v1/ops/failed-events"]["get"]
    assert op["security"] == [{"bearer": []}]
    assert {"401", "403", "422"} <= set(op["responses"])
    assert any(p["name"] == "service" and p["in"] == "query" for p in op["parameters"])
    docs = platform.http.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["Content-Type"]
    assert "/api/v1/openapi.json" in docs.text


def test_unknown_paths_and_methods_answer_in_the_error_shape(platform):
    missing = platform.http.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "route.not_found"
    wrong = platform.http.delete("/healthz")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["message"] == "不支持的请求方法"


def test_status_table_covers_every_error_kind():
    kinds = [errors.BadRequest, errors.Unauthenticated, errors.Forbidden, errors.NotFound,
             errors.Conflict, errors.TooLarge, errors.UnsupportedType, errors.Invalid,
             errors.TooManyRequests, errors.Unavailable]
    assert [gw_http.status_for(k()) for k in kinds] == [400, 401, 403, 404, 409, 413, 415,
                                                       422, 429, 503]


class FakeIdentity:
    """Replaces identity in this interface test: two fixed tokens."""
    name = "identity"

    @rpc
    def authenticate(self, token):
        known = {
            "op-token": {"account_id": 1, "roles": [OPERATOR], "name": "运维"},
            "person-token": {"account_id": 2, "roles": [PERSON], "person_id": 5, "name": "张三"},
            "system-token": {"account_id": 3, "roles": [SYSTEM], "name": "省人社厅业务系统"},
        }
        name = name_of(token)
        if name not in known:
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        return known[name]

    @rpc
    def health(self):
        return {"status": "ok"}


@pytest.fixture
def gateway_with_fake_identity(runner_factory, service_config, web_config, web_session):
    from services.achievements.service import AchievementsService
    from services.gateway.service import GatewayService

    runner = runner_factory({**service_config, **web_config}, FakeIdentity,
                            AchievementsService, GatewayService)
    runner.start()
    return web_session


def test_operator_view_of_failed_events_checks_the_caller(gateway_with_fake_identity, clean_db):
    http = gateway_with_fake_identity
    with clean_db.begin() as conn:
        conn.execute(text(
            "INSERT INTO achievements.failed_events (handler, event_id, type, source, envelope,"
            " status, attempts, last_error, first_failed_at, last_failed_at) VALUES"
            " ('record_decided', gen_random_uuid(), 'task_decided', 'workflow', '{}', 'dead',"
            " 5, 'boom', now(), now())"))

    assert http.get("/api/v1/ops/failed-events?service=achievements").status_code == 401
    bad = http.get("/api/v1/ops/failed-events?service=achievements",
                   headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "auth.invalid_token"
    person = http.get("/api/v1/ops/failed-events?service=achievements",
                      headers={"Authorization": f"Bearer {PERSON_TOKEN}"})
    assert person.status_code == 403
    assert person.json()["error"]["message"] == "没有权限执行此操作"

    ok = http.get("/api/v1/ops/failed-events?service=achievements",
                  headers={"Authorization": f"Bearer {OP}"})
    assert ok.status_code == 200
    [row] = ok.json()
    assert row["handler"] == "record_decided" and row["status"] == "dead"

    invalid = http.get("/api/v1/ops/failed-events?service=nowhere",
                       headers={"Authorization": f"Bearer {OP}"})
    assert invalid.status_code == 422
    assert "service" in invalid.json()["error"]["details"]["fields"]


def test_event_feed_replays_published_events_to_system_accounts(
        gateway_with_fake_identity, clean_db, request):
    http = gateway_with_fake_identity
    insert = text(
        "INSERT INTO achievements.outbox (event_id, type, version, occurred_at, source,"
        " subject, data, published_at, feed_position, next_attempt_at) VALUES"
        " (gen_random_uuid(), :type, 1, now(), 'achievements', 'record:1',"
        " '{\"n\": 1}', CASE WHEN CAST(:pos AS bigint) IS NULL THEN NULL ELSE now() END,"
        " CAST(:pos AS bigint),"
        " now() + interval '1 hour')")
    with clean_db.begin() as conn:
        for position, kind in ((1, "record_approved"), (2, "record_returned")):
            conn.execute(insert, {"type": kind, "pos": position})
    # An event of a transaction not yet committed has no position and is not served (the
    # relay numbers committed rows without a position at once, so it stays uncommitted
    # while the feed is read).
    pending = clean_db.connect()
    pending.begin()
    pending.execute(insert, {"type": "record_approved", "pos": None})
    request.addfinalizer(pending.close)

    assert http.get("/api/v1/events?source=achievements").status_code == 401
    person = http.get("/api/v1/events?source=achievements",
                      headers={"Authorization": f"Bearer {PERSON_TOKEN}"})
    assert person.status_code == 403
    system = {"Authorization": f"Bearer {SYSTEM_TOKEN}"}
    feed = http.get("/api/v1/events?source=achievements", headers=system)
    assert feed.status_code == 200
    assert [(e["position"], e["type"]) for e in feed.json()] == [
        (1, "record_approved"), (2, "record_returned")]  # the unpublished row is not served
    assert feed.json()[0]["data"] == {"n": 1}
    after = http.get("/api/v1/events?source=achievements&after=1", headers=system).json()
    assert [e["position"] for e in after] == [2]
    only = http.get("/api/v1/events?source=achievements&type=record_returned",
                    headers=system).json()
    assert [e["type"] for e in only] == ["record_returned"]
    bad = http.get("/api/v1/events?source=achievements&after=-1", headers=system)
    assert bad.status_code == 422 and "after" in bad.json()["error"]["details"]["fields"]
