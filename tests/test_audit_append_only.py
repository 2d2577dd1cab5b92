"""Issue 8, access: the identity audit log is append-only.

The database refuses every change to an entry for the role the services connect with
(the same DATABASE_URL the identity service gets here, as deployed: not the tables'
owner, granted only SELECT and INSERT on the log): UPDATE, DELETE and TRUNCATE fail, and
so do the ways round it (disabling the triggers, replica mode); the rows stay as they
were. Even the owner (the migrations' role) is refused by the log's triggers. Over HTTP
nobody, not even an operator or an auditor, can change it: the gateway has no route
that writes it.
"""
import pytest
import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.identity.bootstrap import bootstrap
from services.identity.tests.conftest import PASSWORD
from tests.support import Api

WRITES = [
    "UPDATE identity.audit_log SET summary = '篡改', outcome = 'success'",
    "UPDATE identity.audit_log SET at = at - interval '1 day' WHERE id = 1",
    "DELETE FROM identity.audit_log",
    "DELETE FROM identity.audit_log WHERE outcome = 'failure'",
    "TRUNCATE identity.audit_log",
    "TRUNCATE identity.audit_log RESTART IDENTITY CASCADE",
]


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


@pytest.fixture
def logged(api):
    """A few entries: a person registers, logs in, fails a login; an operator and an
    auditor exist and log in."""
    person = api.register_person(real_name="李雷")
    answer = api.call("POST", "/api/v1/auth/login",
                      json={"username": person["form"]["id_number"], "password": "Wrong@123"})
    assert answer.status_code == 401
    operator = api.operator()
    bootstrap(api.config["DATABASE_URL"], "audit1", PASSWORD, "审计员", role="auditor")
    auditor = api.login("audit1")
    return {"person": person, "operator": operator, "auditor": auditor}


def entries(engine):
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT id, at, action, outcome, actor_account_id, target_type, target_id, "
            "summary, detail::text FROM identity.audit_log ORDER BY id"))]


@pytest.fixture
def service_engine(platform):
    """A connection as the identity service makes it: its own configured URL."""
    identity = platform.container("identity")
    engine = create_engine(identity.config["DATABASE_URL"], poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("statement", WRITES)
def test_the_services_role_cannot_change_or_remove_entries(logged, service_engine,
                                                           statement):
    before = entries(service_engine)
    assert len(before) >= 3
    assert {"person.registered", "auth.login_failed"} <= {e[2] for e in before}, before
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="permission denied"), \
            service_engine.begin() as conn:
        conn.execute(text(statement))
    assert entries(service_engine) == before
    # appending still works: the log goes on
    with service_engine.begin() as conn:
        conn.execute(text("INSERT INTO identity.audit_log (action, outcome, summary) "
                          "VALUES ('test.appended', 'success', '追加一条')"))
    assert entries(service_engine)[:len(before)] == before
    assert len(entries(service_engine)) == len(before) + 1


@pytest.mark.parametrize("statement", WRITES)
def test_even_the_owner_is_refused_by_the_triggers(logged, db_engine, statement):
    before = entries(db_engine)
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="audit_log is append-only"), \
            db_engine.begin() as conn:
        conn.execute(text(statement))
    assert entries(db_engine) == before


@pytest.mark.parametrize("statement", [
    "ALTER TABLE identity.audit_log DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_no_truncate ON identity.audit_log",
    "SET session_replication_role = replica",
    "GRANT UPDATE ON identity.audit_log TO CURRENT_USER",
])
def test_the_services_role_cannot_get_round_the_guards(logged, service_engine, statement):
    before = entries(service_engine)
    with pytest.raises(sqlalchemy.exc.DBAPIError,
                       match="must be owner|permission denied|no privileges were granted"), \
            service_engine.begin() as conn:
        conn.execute(text(statement))
        conn.execute(text("DELETE FROM identity.audit_log"))
    assert entries(service_engine) == before


def test_no_http_route_writes_the_audit_log(api, logged, service_engine):
    spec = api.call("GET", "/api/v1/openapi.json", expect=200).json()
    audit_paths = {path: set(ops) for path, ops in spec["paths"].items() if "audit" in path}
    assert audit_paths == {"/api/v1/audit-log": {"get"}, "/api/v1/audit-log/verify": {"get"}}

    before = entries(service_engine)
    first = before[0][0]
    for who in ("operator", "auditor"):
        token = logged[who]
        # Reading is what the auditor may do; the operator (a system administrator) not.
        if who == "auditor":
            listed = api.call("GET", "/api/v1/audit-log", token, expect=200).json()
            assert listed["total"] >= len(before)
        else:
            api.call("GET", "/api/v1/audit-log", token, expect=403)
        for method, path in (("POST", "/api/v1/audit-log"), ("PUT", "/api/v1/audit-log"),
                             ("PATCH", "/api/v1/audit-log"), ("DELETE", "/api/v1/audit-log"),
                             ("GET", f"/api/v1/audit-log/{first}"),
                             ("PUT", f"/api/v1/audit-log/{first}"),
                             ("PATCH", f"/api/v1/audit-log/{first}"),
                             ("DELETE", f"/api/v1/audit-log/{first}")):
            answer = api.call(method, path, token,
                              json={"summary": "篡改", "outcome": "success"})
            assert answer.status_code in (404, 405), (who, method, path, answer.status_code)
            assert answer.json()["error"]["code"] in ("route.not_found",
                                                      "request.method_not_allowed")
    # Only the logins' entries may have been added; nothing changed.
    after = entries(service_engine)
    assert after[:len(before)] == before
