"""The per-address login limit (besides the per-account lockout), through the gateway,
with the client's address taken from X-Forwarded-For behind a trusted proxy."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.client_address import client_address, parse_networks

from .conftest import PASSWORD, FakeWorkflow, IdentityPlatform


@pytest.fixture
def limited(runner_factory, service_config, web_config, web_session, db_engine):
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService

    FakeWorkflow.received = []
    config = {**service_config, **web_config, "PASSWORD_HASH_TIME_COST": 1,
              "PASSWORD_HASH_MEMORY_KIB": 8192, "PASSWORD_HASH_PARALLELISM": 1,
              "LOGIN_MAX_PER_ADDRESS": 4, "LOGIN_ADDRESS_WINDOW_SECONDS": 600,
              "TRUSTED_PROXIES": "127.0.0.1/32, ::1"}
    runner = runner_factory(config, IdentityService, FakeWorkflow, GatewayService)
    runner.start()
    return IdentityPlatform(runner, web_session, config, db_engine)


def login(idp, username, password, address):
    return idp.http.post("/api/v1/auth/login", json={"username": username, "password": password},
                         headers={"X-Forwarded-For": address})


def test_failures_from_one_address_refuse_its_logins_until_the_window_ends(limited):
    person = limited.register_person()
    number = person["form"]["id_number"]
    attacker = "203.0.113.5"
    for i in range(4):  # four names, one failure each: no account is locked
        assert login(limited, f"guess{i}", "Wrong-pass1", attacker).status_code == 401
    refused = login(limited, number, PASSWORD, attacker)   # right password, same address
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "auth.address_rate_limited"
    assert error["message"] == "登录尝试过于频繁，请稍后再试"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert int(error["details"]["retry_after_seconds"]) == int(refused.headers["Retry-After"])
    # a spoofed address written left of what the trusted proxy appended changes nothing
    assert login(limited, number, PASSWORD, f"198.51.100.9, {attacker}").status_code == 429
    # another address, and the same account, are not affected
    assert login(limited, number, PASSWORD, "203.0.113.6").status_code == 200
    assert limited.scalar("SELECT failures FROM identity.login_throttle WHERE key = :k",
                          k="address:" + attacker) == 4
    audited = limited.scalar("SELECT count(*) FROM identity.audit_log "
                             "WHERE action = 'auth.login_failed' AND ip = :ip", ip=attacker)
    assert audited == 6

    # the window ends: move it into the past instead of waiting
    with limited.db.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE identity.login_throttle SET updated_at = now() - interval '601 seconds', "
            "locked_until = now() - interval '1 second' WHERE key LIKE 'address:%%'")
    assert login(limited, number, PASSWORD, attacker).status_code == 200
    # a new window: the count starts again
    assert login(limited, "guess9", "Wrong-pass1", attacker).status_code == 401
    assert limited.scalar("SELECT failures FROM identity.login_throttle WHERE key = :k",
                          k="address:" + attacker) == 1


def _request(peer, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Request(EnvironBuilder(headers=headers,
                                  environ_base={"REMOTE_ADDR": peer}).get_environ())


def test_x_forwarded_for_is_believed_only_from_trusted_proxies():
    proxies = parse_networks("10.0.0.0/8")
    assert client_address(_request("203.0.113.5", "1.2.3.4"), proxies) == "203.0.113.5"
    assert client_address(_request("203.0.113.5", "1.2.3.4"), ()) == "203.0.113.5"
    assert client_address(_request("10.1.2.3", "1.2.3.4, 203.0.113.7"), proxies) == \
        "203.0.113.7"
    assert client_address(_request("10.1.2.3", "203.0.113.7, 10.9.9.9"), proxies) == \
        "203.0.113.7"
    assert client_address(_request("10.1.2.3"), proxies) == "10.1.2.3"
