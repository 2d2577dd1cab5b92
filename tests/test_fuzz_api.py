"""Fuzz every gateway operation from its own OpenAPI document (schemathesis): valid and
invalid requests, as different callers. Whatever comes in, the answer is never a 5xx,
and every error is in the documented shape {"error": {code, message, details}}.

FUZZ_EXAMPLES sets the number of generated requests per operation and mode (default 8).
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support import Api

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Operations that would end the fuzzing caller's own session; covered by their own tests.
SKIP = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/me/password")}


def error_shape_problems(response):
    if response.status_code >= 500:
        return f"server error {response.status_code}: {response.text[:300]}"
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} without a JSON body: {response.text[:200]}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return f"{response.status_code} without an error object: {body}"
    if not (isinstance(error.get("code"), str) and error["code"]):
        return f"error without a code: {body}"
    if not (isinstance(error.get("message"), str) and error["message"].strip()):
        return f"error without a message: {body}"
    if not isinstance(error.get("details"), dict):
        return f"error details are not an object: {body}"
    return None


@pytest.fixture
def fuzz_world(platform, db_engine, web_config_port):
    api = Api(platform, db_engine)
    op = api.operator()
    hr = api.create_unit(op, "hr", "合肥市人力资源和社会保障局")
    unit = api.create_unit(hr["admin_token"], "employer", "合肥市第一中学")
    person = api.register_person(real_name="孙迪")
    tokens = {"anonymous": None, "person": person["token"], "unit_admin": unit["admin_token"],
              "operator": op}
    spec = api.call("GET", "/api/v1/openapi.json", expect=200).json()
    return {"api": api, "tokens": tokens, "spec": spec,
            "base_url": f"http://127.0.0.1:{web_config_port}"}


def test_every_operation_answers_fuzzed_input_without_5xx_in_the_error_shape(fuzz_world):
    schema = schemathesis.openapi.from_dict(fuzz_world["spec"])
    tokens = fuzz_world["tokens"]
    session = fuzz_world["api"].http
    problems, calls = [], 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60, "the OpenAPI document lost its operations"
    for operation in operations:
        method = operation.method.upper()
        if (method, operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode),
                   caller=st.sampled_from(sorted(tokens)))
            def run(case, caller):
                nonlocal calls
                headers = {"Authorization": f"Bearer {tokens[caller]}"} if tokens[caller] else {}
                response = case.call(base_url=fuzz_world["base_url"], session=session,
                                     headers=headers, timeout=30)
                calls += 1
                problem = error_shape_problems(response)
                if problem:  # run() is called at once, inside this iteration
                    where = f"{method} {operation.path} as {caller} ({mode.value})"  # noqa: B023
                    problems.append(f"{where}: {problem}")

            try:
                run()
            except Unsatisfiable:
                pass  # no invalid input exists (an operation without parameters)
            except Exception as exc:  # a generation failure is a finding too
                problems.append(f"{method} {operation.path} ({mode.value}): {exc!r}"[:500])
    assert calls > len(operations) * EXAMPLES
    assert not problems, "\n".join(problems[:40])
