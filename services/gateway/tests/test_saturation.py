"""Issue 14 item 5, bounded queueing: a gateway with GATEWAY_MAX_IN_FLIGHT requests in
hand answers the next one 503 with Retry-After in the error shape at once, without
calling any service; health checks still answer; once the held requests finish, the
gateway takes requests again. Real HTTP and RabbitMQ; identity is a fake whose
``authenticate`` blocks until the test releases it."""
import eventlet
import pytest
import requests
from eventlet.event import Event

from services.common.errors import Unauthenticated
from services.common.principal import PERSON
from services.common.rpc import rpc
from services.common.testing import wait_for

from .fakes import name_of, signed

HELD = {"release": None, "entered": 0, "calls": 0}


class BlockingIdentity:
    name = "identity"

    @rpc
    def authenticate(self, token):
        HELD["calls"] += 1
        if name_of(token) == "slow":
            HELD["entered"] += 1
            HELD["release"].wait()
        elif name_of(token) != "fast":
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        return {"account_id": 2, "roles": [PERSON], "person_id": 5, "name": "张三"}

    @rpc
    def me(self):
        return {"account_id": 2, "name": "张三", "roles": [PERSON]}

    @rpc
    def health(self):
        return {"status": "ok"}


@pytest.fixture
def tiny_gateway(runner_factory, service_config, web_config, web_config_port):
    from services.gateway.service import GatewayService

    HELD.update(release=Event(), entered=0, calls=0)
    config = {**service_config, **web_config, "GATEWAY_MAX_IN_FLIGHT": 2}
    runner = runner_factory(config, BlockingIdentity, GatewayService)
    runner.start()
    yield f"http://127.0.0.1:{web_config_port}"
    if not HELD["release"].ready():
        HELD["release"].send()


def test_a_saturated_gateway_answers_503_at_once_and_calls_no_service(tiny_gateway):
    base = tiny_gateway
    slow = {"Authorization": f"Bearer {signed('slow')}"}
    fast = {"Authorization": f"Bearer {signed('fast')}"}
    assert requests.get(f"{base}/api/v1/auth/me", headers=fast).status_code == 200

    held = [eventlet.spawn(requests.get, f"{base}/api/v1/auth/me", headers=slow)
            for _ in range(2)]
    wait_for(lambda: HELD["entered"] == 2)
    calls = HELD["calls"]

    with eventlet.Timeout(3):  # at once, not after the RPC timeout
        busy = requests.get(f"{base}/api/v1/auth/me", headers=fast)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.json() == {"error": {"code": "service.busy", "message": "系统繁忙，请稍后再试",
                                     "details": {}}}
    assert HELD["calls"] == calls  # the refused request reached no service
    assert requests.get(f"{base}/healthz").status_code == 200  # health checks exempt

    HELD["release"].send()
    assert [answer.wait().status_code for answer in held] == [200, 200]
    assert requests.get(f"{base}/api/v1/auth/me", headers=fast).status_code == 200
