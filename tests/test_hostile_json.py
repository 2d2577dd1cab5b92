"""Issue 15 items 4-6: hostile JSON bodies through the real gateway, every service real.

Deep nesting, lone UTF-16 surrogates and NUL characters anywhere in a body (keys and
nested values included) answer a 4xx in the error shape before any service sees them,
before login too, and change nothing.
"""
import json

import pytest

from tests.support import Api

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


def post_raw(api, method, path, raw, token=None):
    headers = {**JSON, **(api.auth(token) if token else {})}
    return api.http.request(method, path, data=raw.encode("utf-8"), headers=headers)


def assert_refused(answer, status, code):
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_deep_nesting_answers_400_before_login(api):
    for path in ("/api/v1/auth/login", "/api/v1/persons/register", "/api/v1/units/register"):
        assert_refused(post_raw(api, "POST", path, "[" * 100_000), 400, "request.too_deep")
        assert_refused(post_raw(api, "POST", path, "[" * 40 + "]" * 40), 400,
                       "request.too_deep")
        nested = '{"username": ' + '{"a": ' * 50 + "1" + "}" * 50 + ', "password": "x"}'
        assert_refused(post_raw(api, "POST", path, nested), 400, "request.too_deep")
    # The platform still answers afterwards.
    assert api.http.get("/healthz").json() == {"status": "ok"}


def test_lone_surrogates_and_nul_anywhere_answer_422_and_change_nothing(api):
    persons_before = api.scalar("SELECT count(*) FROM identity.accounts")
    # Login, before any session: in a value and in a key.
    login = '{"username": "a\\ud800", "password": "x"}'
    assert_refused(post_raw(api, "POST", "/api/v1/auth/login", login), 422,
                   "request.bad_text")
    key = '{"username\\udc00": "a", "password": "x"}'
    assert_refused(post_raw(api, "POST", "/api/v1/auth/login", key), 422, "request.bad_text")
    # Registration.
    from services.identity.tests.conftest import person_form
    form = json.dumps(person_form()).replace('"wkj@', '"wkj\\ud800@')
    answer = post_raw(api, "POST", "/api/v1/persons/register", form)
    assert_refused(answer, 422, "request.bad_text")
    assert "email" in answer.json()["error"]["details"]["fields"]
    assert api.scalar("SELECT count(*) FROM identity.accounts") == persons_before

    person = api.register_person(real_name="韩梅梅")
    token = person["token"]
    # Profile.
    for bad in ('{"address": "合肥\\ud83d"}', '{"address": "合肥\\u0000"}'):
        assert_refused(post_raw(api, "PATCH", "/api/v1/me/profile", bad, token), 422,
                       "request.bad_text")
    assert api.call("GET", "/api/v1/me/profile", token).json()["address"] == "安徽省合肥市包河区"
    # Opinions (checked before the task is even looked up).
    opinion = '{"action": "approve", "opinion": "同意\\udfff"}'
    unit = api.create_unit(api.operator(), "employer", "合肥市第一人民医院")
    assert_refused(post_raw(api, "POST", "/api/v1/tasks/1/decision", opinion,
                            unit["admin_token"]), 422, "request.bad_text")
    # Record fields: NUL and surrogates in nested values, lists and keys.
    records_before = api.scalar("SELECT count(*) FROM achievements.records")
    for fields_ in ('{"unit_name": {"a": ["x\\u0000"]}}', '{"unit_name": ["ok", "b\\ud800"]}',
                    '{"unit\\u0000name": "x"}', '{"unit_name": "x\\u0000"}'):
        body = '{"type": "work_history", "fields": ' + fields_ + ', "submit": true}'
        answer = post_raw(api, "POST", "/api/v1/records", body, token)
        assert_refused(answer, 422, "request.bad_text")
        assert list(answer.json()["error"]["details"]["fields"])[0].startswith("fields")
    assert api.scalar("SELECT count(*) FROM achievements.records") == records_before
