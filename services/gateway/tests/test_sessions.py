"""Sessions checked in the gateway, revoked at once (services/gateway/sessions.py and
services/identity/logic/feed.py), through real HTTP, RabbitMQ and PostgreSQL with two
gateway instances at once."""
import socket
import time
from urllib.parse import urljoin

import eventlet
import pytest
from eventlet.event import Event
from nameko.testing.utils import find_free_port
from requests import Session

from services.contracts.identity import read_token
from services.gateway.sessions import SessionGuard, SessionState
from services.identity.tests.conftest import (
    HEFEI,
    PASSWORD,
    FakeWorkflow,
    IdentityPlatform,
    wait_for,
)

from .fakes import TEST_SECRET

PROFILE = "/api/v1/me/profile"


class Http(Session):
    def __init__(self, port):
        super().__init__()
        self.base = f"http://127.0.0.1:{port}/"

    def request(self, method, url, *args, **kwargs):
        return super().request(method, urljoin(self.base, url), *args, **kwargs)


class Gateway:
    """One gateway instance: its runner, its HTTP client and its session guard."""

    def __init__(self, runner, port):
        self.runner = runner
        self.http = Http(port)
        container = next(c for c in runner.containers if c.service_name == "gateway")
        self.guard = next(d for d in container.dependencies if isinstance(d, SessionGuard))

    def get(self, path, token):
        return self.http.get(path, headers={"Authorization": f"Bearer {token}"})

    def status(self, token, path=PROFILE):
        return self.get(path, token).status_code

    def wait_synced(self):
        wait_for(lambda: self.guard.state.synced, timeout=15)


@pytest.fixture
def config(service_config, web_config):
    return {**service_config, **web_config, "SESSION_ACTIVITY_SECONDS": 0.2}


@pytest.fixture
def start_gateway(runner_factory, config):
    from services.gateway.service import GatewayService

    def start(**overrides):
        port = find_free_port()
        runner = runner_factory({**config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
                                 **overrides}, GatewayService)
        runner.start()
        gateway = Gateway(runner, port)
        gateway.wait_synced()
        return gateway

    return start


@pytest.fixture
def idp(runner_factory, config, web_config_port, web_session, db_engine):
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService

    runner = runner_factory(config, IdentityService, FakeWorkflow, GatewayService)
    runner.start()
    platform = IdentityPlatform(runner, web_session, config, db_engine)
    platform.gateway = Gateway(runner, web_config_port)
    platform.gateway.wait_synced()
    return platform


@pytest.fixture
def unit(idp):
    op = idp.operator()
    hr = idp.create_unit(op, "hr", "合肥市人力资源和社会保障局", region=HEFEI)
    unit = idp.register_unit("合肥宏景软件有限公司")
    idp.approve_unit(unit, hr["unit_id"])
    return unit


def bound_person(idp, unit, **overrides):
    person = idp.register_person(unit_id=unit["unit_id"], **overrides)
    done = idp.decide("binding", person["bindings"][0]["binding_id"], unit["unit_id"],
                      "approved")
    wait_for(lambda: idp.processed(done["event_id"]))
    return person


def both(a, b, token):
    return a.status(token), b.status(token)


def test_each_revocation_answers_401_at_once_on_both_gateways(idp, unit, start_gateway):
    a, b = idp.gateway, start_gateway()
    admin = unit["admin_token"]
    users = f"/api/v1/units/{unit['unit_id']}/users"

    # logout
    person = bound_person(idp, unit, real_name="退出者")
    token = person["token"]
    other = idp.login(person["form"]["mobile"])
    assert both(a, b, token) == (200, 200)
    assert a.http.post("/api/v1/auth/logout",
                       headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert both(b, a, token) == (401, 401)
    assert both(a, b, other) == (200, 200)  # the person's other session lives on

    # password change: the other sessions end, the current one stays
    current = idp.login(person["form"]["mobile"])
    changed = b.http.post("/api/v1/me/password",
                          headers={"Authorization": f"Bearer {current}"},
                          json={"old_password": PASSWORD, "new_password": "N3w-passw0rd"})
    assert changed.status_code == 204
    assert both(a, b, other) == (401, 401)
    assert both(a, b, current) == (200, 200)

    # password reset by the unit admin
    assert idp.post(f"{users}/{person['account_id']}/reset-password", admin).status_code == 200
    assert both(b, a, current) == (401, 401)

    # freeze: also a token issued while the account is frozen cannot exist; unfreezing
    # does not bring the old token back
    frozen = bound_person(idp, unit, real_name="冻结者")
    assert both(a, b, frozen["token"]) == (200, 200)
    path = f"{users}/{frozen['account_id']}"
    assert idp.post(f"{path}/freeze", admin).status_code == 200
    assert both(b, a, frozen["token"]) == (401, 401)
    assert idp.post(f"{path}/unfreeze", admin).status_code == 200
    assert both(a, b, frozen["token"]) == (401, 401)
    fresh = idp.login(frozen["form"]["mobile"])
    assert both(a, b, fresh) == (200, 200)

    # deletion
    deleted = bound_person(idp, unit, real_name="删除者")
    assert both(a, b, deleted["token"]) == (200, 200)
    assert idp.delete(f"{users}/{deleted['account_id']}", admin).status_code == 204
    assert both(b, a, deleted["token"]) == (401, 401)

    # all of it without asking identity per request
    assert a.guard.state.synced and b.guard.state.synced


def test_principal_changes_reach_the_gateways(idp, unit, start_gateway):
    a, b = idp.gateway, start_gateway()
    person = idp.register_person(unit_id=unit["unit_id"])
    claims = read_token(TEST_SECRET, person["token"])
    assert claims["unit"] is None and claims["roles"] == ["person"]
    assert both(a, b, person["token"]) == (200, 200)
    done = idp.decide("binding", person["bindings"][0]["binding_id"], unit["unit_id"],
                      "approved")
    wait_for(lambda: idp.processed(done["event_id"]))
    # the decision arrives as an event, not a request: its feed message follows the commit
    for gateway in (a, b):
        wait_for(lambda g=gateway: g.guard.state.check(claims)["unit_id"] == unit["unit_id"])
        assert gateway.guard.state.check(claims)["session_id"] == claims["sid"]


def test_a_gateway_started_after_revocations_refuses_the_tokens(idp, unit, start_gateway):
    ended = bound_person(idp, unit, real_name="甲")
    frozen = bound_person(idp, unit, real_name="乙")
    live = bound_person(idp, unit, real_name="丙")
    a = idp.gateway
    assert a.http.post("/api/v1/auth/logout",
                       headers={"Authorization": f"Bearer {ended['token']}"}).status_code == 204
    path = f"/api/v1/units/{unit['unit_id']}/users/{frozen['account_id']}"
    assert idp.post(f"{path}/freeze", unit["admin_token"]).status_code == 200

    late = start_gateway()
    assert late.guard.state.synced
    assert late.status(ended["token"]) == 401
    assert late.status(frozen["token"]) == 401
    assert late.status(live["token"]) == 200


def test_a_gateway_cut_off_from_the_feed_refuses_what_was_revoked_meanwhile(
        idp, unit, start_gateway):
    a, b = idp.gateway, start_gateway()
    person = bound_person(idp, unit)
    other = idp.login(person["form"]["mobile"])
    assert both(a, b, person["token"]) == (200, 200)

    # cut b's connection to the broker: its exclusive queue goes, and with it whatever
    # identity publishes until b is back
    b.guard.connection.connection.transport.sock.shutdown(socket.SHUT_RDWR)
    wait_for(lambda: not b.guard.state.synced)
    assert a.http.post("/api/v1/auth/logout", headers={
        "Authorization": f"Bearer {person['token']}"}).status_code == 204
    assert b.status(person["token"]) == 401
    assert b.status(other) == 200
    b.wait_synced()
    assert b.status(person["token"]) == 401
    assert b.status(other) == 200


def test_a_lost_message_is_noticed_at_the_next_heartbeat(idp, unit, start_gateway):
    a, b = idp.gateway, start_gateway()
    person = bound_person(idp, unit)
    assert both(a, b, person["token"]) == (200, 200)

    lost = []
    receive = b.guard.state.receive

    def lossy(message):  # the network loses b's copy of the next numbered message
        if not lost and isinstance(message, dict) and message.get("revoked"):
            lost.append(message)
            return
        receive(message)

    b.guard.state.receive = lossy
    # b's reload waits for the test, so the time it asks identity can be watched (a
    # reload can finish between two looks otherwise)
    release = Event()
    load = b.guard.state.load

    def held(snapshot, generation=None):
        release.wait()
        return load(snapshot, generation)

    b.guard.state.load = held
    assert a.http.post("/api/v1/auth/logout", headers={
        "Authorization": f"Bearer {person['token']}"}).status_code == 204
    assert a.status(person["token"]) == 401
    assert lost
    wait_for(lambda: not b.guard.state.synced, timeout=10)  # the gap, seen by heartbeat
    assert b.status(person["token"]) == 401                  # asks identity meanwhile
    release.send()
    b.wait_synced()
    assert b.status(person["token"]) == 401                  # reloaded


def test_idle_sessions_expire_and_activity_on_either_gateway_keeps_them(
        runner_factory, service_config, web_config, web_session, db_engine):
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService

    idle = 4.0
    config = {**service_config, **web_config, "SESSION_IDLE_MINUTES": idle / 60,
              "SESSION_ACTIVITY_SECONDS": 0.2}
    runner = runner_factory(config, IdentityService, FakeWorkflow, GatewayService)
    runner.start()
    idp = IdentityPlatform(runner, web_session, config, db_engine)
    port = find_free_port()
    second = runner_factory({**config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"},
                            GatewayService)
    second.start()
    a = Gateway(runner, int(config["WEB_SERVER_ADDRESS"].rsplit(":", 1)[1]))
    b = Gateway(second, port)
    a.wait_synced()
    b.wait_synced()

    person = idp.register_person()
    token = person["token"]
    sid = read_token(TEST_SECRET, token)["sid"]
    # requests through a only, for longer than the idle timeout: b keeps it alive too
    started = time.time()
    while time.time() - started < idle * 1.5:
        assert a.status(token) == 200
        eventlet.sleep(idle / 4)
    wait_for(lambda: b.guard.state.seen.get(sid, 0) >= a.guard.state.seen[sid] - 0.01)
    assert b.status(token) == 200
    wait_for(lambda: idp.scalar("SELECT last_seen_at FROM identity.sessions WHERE id = :s",
                                s=sid) is not None)

    # no request anywhere for the idle time: both refuse it
    last = max(a.guard.state.seen[sid], b.guard.state.seen[sid])
    wait_for(lambda: time.time() - last > idle + 0.2, timeout=idle * 3)
    for gateway in (a, b):
        refused = gateway.get(PROFILE, token)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "auth.idle_timeout"
    # identity (asked by a gateway that is not in sync) agrees
    with idp.rpc() as identity:
        assert identity.authenticate(token) is None
    assert a.status(idp.login(person["form"]["mobile"])) == 200


# ------------------------------------------------------------------ the state alone

def claims(sid="s1", account=7, roles=("person",), unit=None, iat=None):
    return {"sub": str(account), "sid": sid, "iat": iat or time.time(), "exp": 0,
            "roles": list(roles), "unit": unit, "person": 3, "name": "张三", "extra": {}}


def loaded(**snapshot):
    state = SessionState(idle_seconds=60)
    state.unsync("start")
    state.load({"seq": 10, "revoked": {}, "accounts": {}, "units": {}, "principals": {},
                **snapshot})
    return state


def test_state_numbers_out_of_order_and_gaps():
    state = loaded()
    state.receive({"seq": 12, "revoked": {"s2": time.time() + 60}})
    assert state.applied == 10 and state.synced
    state.receive({"seq": 11, "accounts": {"7": True}})
    assert state.applied == 12
    with pytest.raises(Exception, match="登录已失效"):
        state.check(claims("s2", account=8))
    with pytest.raises(Exception, match="登录已失效"):
        state.check(claims("s1", account=7))
    state.receive({"seq": 13, "accounts": {"7": False}})
    state.receive({"seq": 11, "accounts": {"7": True}})  # a late copy changes nothing
    assert state.check(claims("s1", account=7))["account_id"] == 7

    state.receive({"seq": 15, "heartbeat": True})
    assert state.synced                                   # 14, 15 may still be on the way
    state.receive({"seq": 15, "heartbeat": True})
    assert not state.synced                               # they are not: reload


def test_state_units_principals_idle_and_a_stale_snapshot():
    state = loaded(units={"5": True}, principals={"7": {
        "account_id": 7, "roles": ["person"], "unit_id": 9, "person_id": 3, "name": "张三",
        "extra": {}}})
    with pytest.raises(Exception, match="登录已失效"):
        state.check(claims(account=1, roles=("unit_admin",), unit=5))
    assert state.check(claims(account=2, roles=("unit_admin",), unit=6))["unit_id"] == 6
    assert state.check(claims(account=7))["unit_id"] == 9
    with pytest.raises(Exception, match="长时间未操作"):
        state.check(claims("old", iat=time.time() - 61))
    generation = state.generation
    state.unsync("reconnected")
    assert not state.load({"seq": 20, "revoked": {}, "accounts": {}, "units": {},
                           "principals": {}}, generation)
    assert not state.loaded


def test_a_silent_feed_sends_requests_to_identity_until_the_next_heartbeat():
    now = [1000.0]
    state = SessionState(idle_seconds=60, clock=lambda: now[0])
    state.unsync("start")
    state.load({"seq": 10, "revoked": {}, "accounts": {}, "units": {}, "principals": {}})
    assert state.synced
    now[0] += 4.0                                   # 3.5 heartbeats without one
    assert not state.synced and state.loaded        # identity decides meanwhile
    assert state.silent_for() == pytest.approx(4.0)
    state.receive({"seq": 10, "heartbeat": True})   # nothing was missed
    assert state.synced and state.silent_for() == 0.0
    now[0] += 4.0
    state.receive({"seq": 12, "heartbeat": True})   # 11 and 12 may still be on the way
    assert state.synced
    state.receive({"seq": 12, "heartbeat": True})   # they are not: reload
    assert not state.synced and not state.loaded
