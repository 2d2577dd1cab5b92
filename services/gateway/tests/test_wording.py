"""Issue 16 item 17, what front-end developers and users read: list lengths counted in
items, ids beyond the databases' range answered 404 for every method, over-long query
strings answered in the error shape, and the OpenAPI document described in Chinese.
Through the real gateway with every service real."""
import re

import pytest

from services.common.errors import Invalid
from services.common.schemas import BaseSchema, fields, load, validate
from tests.support import Api

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


def test_list_lengths_are_counted_in_items_text_in_characters():
    class Body(BaseSchema):
        ids = fields.List(fields.Integer(), validate=validate.Length(min=1, max=20),
                          metadata={"label": "业绩"})
        name = fields.String(validate=validate.Length(min=1, max=20))

    with pytest.raises(Invalid) as empty:
        load(Body, {"ids": []})
    assert empty.value.details["fields"] == {"ids": ["应有 1 到 20 项"]}
    with pytest.raises(Invalid) as text:
        load(Body, {"name": ""})
    assert text.value.details["fields"] == {"name": ["长度应在 1 到 20 个字符之间"]}


def test_wording_through_the_gateway(api):
    person = api.register_person(real_name="韩梅梅")
    token = person["token"]
    # An empty list of a real route.
    empty = api.call("POST", "/api/v1/records/submit", token, json={"record_ids": []})
    assert empty.status_code == 422
    assert empty.json()["error"]["details"]["fields"]["record_ids"] == ["应有 1 到 200 项"]
    assert empty.json()["error"]["message"] == "提交的内容有误：业绩记录：应有 1 到 200 项"

    # Ids beyond MAX_ID name nothing, whatever the method.
    huge = "99999999999999999999"
    for method in ("GET", "DELETE", "PATCH", "POST"):
        answer = api.call(method, f"/api/v1/declarations/{huge}", token)
        assert answer.status_code == 404, (method, answer.text)
        assert answer.json()["error"]["code"] == "route.not_found"
    wrong = api.call("PUT", "/api/v1/declarations/1", token)
    assert wrong.status_code == 405  # a real wrong method stays 405
    assert wrong.json()["error"]["message"] == "不支持的请求方法"

    # A 2,000-character keyword reaches the schema (422), not a bare 414.
    long_q = api.call("GET", "/api/v1/records", token, params={"q": "测" * 2000})
    assert long_q.status_code == 422, long_q.text
    assert "q" in long_q.json()["error"]["details"]["fields"]
    # Beyond the request line limit: 414 in the error shape.
    too_long = api.call("GET", "/api/v1/records", token, params={"q": "x" * 70_000})
    assert too_long.status_code == 414
    assert too_long.json()["error"]["code"] == "request.uri_too_long"
    assert CJK.search(too_long.json()["error"]["message"])
    assert api.http.get("/healthz").status_code == 200


# Code in a description (`series`, record.unbound, WEBHOOK_ALLOW_HOSTS, {file_id}, 422, ...)
# is taken out before looking for English prose: what is left has no run of three words.
CODE = re.compile(r"`[^`]*`|\{[^}]*\}|[A-Za-z0-9_./:\-]*[_./:{}0-9][A-Za-z0-9_./:\-{}]*"
                  r"|[A-Z]{2,}\w*")
ENGLISH = re.compile(r"\b[A-Za-z]+(?:[ ,;()]+[A-Za-z]+){2,}")


def test_every_operation_and_query_parameter_is_described_in_chinese(platform):
    spec = platform.http.get("/api/v1/openapi.json").json()
    gaps, queries = set(), 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            description = operation.get("description") or ""
            if not CJK.search(description) or ENGLISH.search(CODE.sub(" ", description)):
                gaps.add((method, path, None))
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                queries += 1
                description = parameter.get("description") or ""
                if not CJK.search(description) or ENGLISH.search(CODE.sub(" ", description)):
                    gaps.add((method, path, parameter["name"]))
    assert queries > 100
    assert not gaps, sorted(gaps)
    records = spec["paths"]["/api/v1/records"]["get"]
    page = next(p for p in records["parameters"] if p["name"] == "page")
    assert page["description"] == "页码，从 1 开始"
