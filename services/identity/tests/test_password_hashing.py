"""argon2id at OWASP's parameters by default; older hashes log in and are upgraded."""
import pytest
from argon2 import PasswordHasher, Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from services.identity.logic import passwords

from .conftest import PASSWORD, FakeWorkflow, IdentityPlatform

OWASP = "m=19456,t=2,p=1"


def parameters(password_hash):
    """``m=…,t=…,p=…`` of an encoded argon2 hash."""
    return password_hash.split("$")[3]


@pytest.fixture
def idp_default_cost(runner_factory, service_config, web_config, web_session, db_engine):
    """Identity and the gateway with the product's default hashing cost (the other
    tests' fixtures set a cheap one)."""
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService

    FakeWorkflow.received = []
    config = {key: value for key, value in {**service_config, **web_config}.items()
              if not key.startswith("PASSWORD_HASH_")}
    runner = runner_factory(config, IdentityService, FakeWorkflow, GatewayService)
    runner.start()
    yield IdentityPlatform(runner, web_session, config, db_engine)
    passwords.configure()


def test_default_parameters_are_owasps():
    passwords.configure()
    assert passwords.current_parameters() == (2, 19456, 1)
    assert parameters(passwords.hash_password(PASSWORD)) == OWASP
    passwords.configure(time_cost=3, memory_kib=8192, parallelism=2)
    assert parameters(passwords.hash_password(PASSWORD)) == "m=8192,t=3,p=2"
    passwords.configure()


def test_an_old_hash_logs_in_and_is_rehashed_with_the_new_parameters(idp_default_cost):
    idp = idp_default_cost
    person = idp.register_person()
    number = person["form"]["id_number"]
    stored = "SELECT password_hash FROM identity.accounts WHERE username = :u"
    assert parameters(idp.scalar(stored, u=number)) == OWASP

    # argon2-cffi's former default, as every hash made before carries it
    old = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash(PASSWORD)
    assert parameters(old) == "m=65536,t=3,p=4"
    assert RFC_9106_LOW_MEMORY.type is Type.ID
    with idp.db.begin() as conn:
        conn.exec_driver_sql("UPDATE identity.accounts SET password_hash = %(h)s "
                             "WHERE username = %(u)s", {"h": old, "u": number})

    wrong = idp.http.post("/api/v1/auth/login",
                          json={"username": number, "password": "Wrong-pass1"})
    assert wrong.status_code == 401
    assert idp.scalar(stored, u=number) == old  # a failed login changes nothing

    token = idp.login(number)
    assert idp.get("/api/v1/auth/me", token).status_code == 200
    upgraded = idp.scalar(stored, u=number)
    assert parameters(upgraded) == OWASP and upgraded != old
    assert passwords.verify_password(upgraded, PASSWORD)
    idp.login(number)  # and the upgraded hash logs in
    assert idp.scalar(stored, u=number) == upgraded  # without being hashed again
