"""Fixtures of the documents tests: the REAL documents service and gateway on the real
broker, database and S3 server (moto, from the root fixtures), with two small fakes:
identity (fixed test tokens) and workflow (``can_unit_review``)."""
import datetime as dt
import json

import jwt
import pytest
import requests
from minio import Minio

from services.common.errors import Unauthenticated
from services.common.principal import AUDITOR, OPERATOR, PERSON, UNIT_ADMIN, Principal
from services.common.rpc import rpc
from services.contracts.identity import issue_token

# Test callers. Person 101 (account 1) is reviewed by unit 50; unit 60 is unrelated.
PRINCIPALS = {
    "alice": {"account_id": 1, "roles": [PERSON], "person_id": 101, "unit_id": 50,
              "name": "王丽"},
    "bob": {"account_id": 2, "roles": [PERSON], "person_id": 102, "unit_id": 60,
            "name": "李强"},
    "reviewer": {"account_id": 3, "roles": [UNIT_ADMIN], "unit_id": 50, "name": "单位管理员",
                 "extra": {"unit_kind": "employer"}},
    "reviewer2": {"account_id": 7, "roles": [UNIT_ADMIN], "unit_id": 50, "name": "单位管理员二",
                  "extra": {"unit_kind": "employer"}},
    "other_unit": {"account_id": 4, "roles": [UNIT_ADMIN], "unit_id": 60, "name": "别的单位",
                   "extra": {"unit_kind": "employer"}},
    "operator": {"account_id": 5, "roles": [OPERATOR], "name": "运维"},
    "auditor": {"account_id": 6, "roles": [AUDITOR], "name": "审计"},
}
REVIEWS = {(50, 101)}  # (unit_id, person_id) pairs workflow says may review

# The gateway checks a token's signature itself: a test token is signed with the tests'
# TOKEN_SECRET (conftest.py's service_config) and its session id names the principal.
TEST_SECRET = "test-secret-" + "x" * 32


def signed(name):
    """A token the gateway accepts whose session id is the name of a test principal."""
    now = dt.datetime.now(dt.UTC)
    return issue_token(TEST_SECRET, 1, name, now, now + dt.timedelta(hours=1),
                       {"roles": [], "name": name})


def name_of(token):
    """The test principal's name a token of :func:`signed` carries (None otherwise)."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("sid")
    except jwt.PyJWTError:
        return None


def principal(name):
    data = dict(PRINCIPALS[name])
    data["roles"] = tuple(data["roles"])
    return Principal(**data)


class FakeIdentity:
    name = "identity"

    @rpc
    def authenticate(self, token):
        token = name_of(token)
        if token not in PRINCIPALS:
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        return PRINCIPALS[token]

    @rpc
    def health(self):
        return {"service": "identity", "status": "ok"}


class FakeWorkflow:
    name = "workflow"
    asked = []

    @rpc
    def can_unit_review(self, unit_id, person_id):
        FakeWorkflow.asked.append((unit_id, person_id))
        return (unit_id, person_id) in REVIEWS

    @rpc
    def health(self):
        return {"service": "workflow", "status": "ok"}


class Api:
    """The gateway as callers see it, plus direct looks at the bucket and database."""

    def __init__(self, http, config, db_engine, runner):
        self.http = http
        self.config = config
        self.db = db_engine
        self.runner = runner
        endpoint = config["S3_ENDPOINT"].split("://", 1)[1]
        self.s3 = Minio(endpoint, access_key="testing", secret_key="testing", secure=False,
                        region="us-east-1")
        self.bucket = config["S3_BUCKET"]

    def container(self, name):
        return next(c for c in self.runner.containers if c.service_name == name)

    def call(self, method, path, who=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {signed(who)}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path, who=None, **kwargs):
        return self.call("GET", path, who, **kwargs)

    def post(self, path, who=None, **kwargs):
        return self.call("POST", path, who, **kwargs)

    def delete(self, path, who=None, **kwargs):
        return self.call("DELETE", path, who, **kwargs)

    def ticket(self, who, slot, file_name, **extra):
        answer = self.post("/api/v1/files/uploads", who,
                           json={"slot": slot, "file_name": file_name, **extra})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def send(self, ticket, data):
        """POST the bytes with the ticket's signed form (the only upload there is)."""
        form = ticket["form"]
        answer = requests.post(form["url"], data=form["fields"],
                               files={"file": ("upload", data)}, timeout=30)
        assert answer.status_code in (200, 201, 204), answer.text
        return answer

    def complete(self, who, file_id):
        return self.post(f"/api/v1/files/{file_id}/complete", who)

    def upload(self, who, slot, file_name, data, **extra):
        """Ask, POST the bytes with the signed form, complete: the completion answer."""
        ticket = self.ticket(who, slot, file_name, **extra)
        self.send(ticket, data)
        return self.complete(who, ticket["file_id"])

    def uploaded(self, who, slot, file_name, data, **extra):
        answer = self.upload(who, slot, file_name, data, **extra)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def objects(self, prefix=""):
        return [o.object_name for o in self.s3.list_objects(self.bucket, prefix=prefix,
                                                             recursive=True)]

    def object_key(self, file_id):
        from sqlalchemy import text
        with self.db.connect() as conn:
            return conn.execute(text("SELECT object_key FROM documents.files WHERE id = :i"),
                                {"i": file_id}).scalar()

    def sql(self, statement, **params):
        from sqlalchemy import text
        with self.db.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else result.rowcount


@pytest.fixture
def documents_overrides():
    """Extra configuration for the documents service; a test module may override."""
    return {}


@pytest.fixture
def docs(runner_factory, service_config, web_config, web_session, db_engine,
         documents_overrides):
    from services.documents.service import DocumentsService
    from services.gateway.service import GatewayService

    FakeWorkflow.asked = []
    config = {**service_config, **web_config, **documents_overrides}
    runner = runner_factory(config, FakeIdentity, FakeWorkflow, DocumentsService,
                            GatewayService)
    runner.start()
    return Api(web_session, config, db_engine, runner)


def slot_rules_json(**rules):
    return json.dumps(rules)
