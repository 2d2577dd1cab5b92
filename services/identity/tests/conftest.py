"""Fixtures of identity's interface tests: identity and the gateway over the real broker
and database, with workflow replaced by a small fake that records the review requests
it receives. Decisions arrive as real ``review_decided`` events from the "workflow"
source in the contract's envelope, dispatched through the broker."""
import datetime as dt
import itertools
import uuid

import eventlet
import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import text

from services.common.rpc import rpc
from services.identity.logic.checks import credit_check_char, id_check_char

PASSWORD = "Passw0rd!"


class FakeWorkflow:
    """Stands in for the review engine: receives identity's review requests."""
    name = "workflow"
    received = []

    @event_handler("identity", "review_requested")
    def review_requested(self, envelope):
        FakeWorkflow.received.append(envelope)

    @rpc
    def health(self):
        return {"status": "ok"}


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError("condition not reached in time")


# ------------------------------------------------------------------ valid test numbers

_serial = itertools.count(101)


def make_id_number(birth="19900307", gender="2", region="340104"):
    """A fresh resident ID number with a correct GB 11643 check digit."""
    n = next(_serial) % 500
    seq = f"{n:02d}"[-2:] + (str((n % 5) * 2 + (1 if gender == "1" else 0)))
    first17 = region + birth + seq
    return first17 + id_check_char(first17)


def make_credit_code(region="340100"):
    body = "91" + region + uuid.uuid4().hex[:9].upper().translate(
        str.maketrans("IOSVZ", "12345"))
    return body + credit_check_char(body)


_mobiles = itertools.count(1000)


def make_mobile():
    return f"139{next(_mobiles):04d}{uuid.uuid4().int % 10000:04d}"


def person_form(**overrides):
    form = {
        "real_name": "吴康金", "id_type": "resident_id", "id_number": make_id_number(),
        "mobile": make_mobile(), "password": PASSWORD, "political_status": "03",
        "ethnicity": "01", "email": "wkj@example.com", "address": "安徽省合肥市包河区",
        "work_start_date": "2015-03-02", "education": "21", "degree": "4",
        "title_series": "health", "is_freelancer": False,
    }
    form.update(overrides)
    return form


HEFEI = {"province_code": "340000", "city_code": "340100", "city_name": "合肥市"}
WUHU = {"province_code": "340000", "city_code": "340200", "city_name": "芜湖市"}


class IdentityPlatform:
    def __init__(self, runner, http, config, db):
        self.runner = runner
        self.http = http
        self.config = config
        self.db = db
        self._dispatch = event_dispatcher(config)

    # ------------------------------------------------------------ http helpers
    @staticmethod
    def bearer(token):
        return {"Authorization": f"Bearer {token}"}

    def login(self, username, password=PASSWORD):
        answer = self.http.post("/api/v1/auth/login",
                                json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]

    def get(self, path, token, **kw):
        return self.http.get(path, headers=self.bearer(token), **kw)

    def post(self, path, token, json=None):
        return self.http.post(path, headers=self.bearer(token), json=json)

    def patch(self, path, token, json=None):
        return self.http.patch(path, headers=self.bearer(token), json=json)

    def delete(self, path, token):
        return self.http.delete(path, headers=self.bearer(token))

    def register_person(self, **overrides):
        form = person_form(**overrides)
        answer = self.http.post("/api/v1/persons/register", json=form)
        assert answer.status_code == 201, answer.text
        profile = answer.json()
        profile["token"] = self.login(form["id_number"], form["password"])
        profile["form"] = form
        return profile

    def operator(self):
        from services.identity.bootstrap import bootstrap
        bootstrap(self.config["DATABASE_URL"], "ops", PASSWORD, "运维管理员")
        return self.login("ops")

    def security(self):
        """The security administrator (安全管理员), bootstrapped like the operator."""
        from services.identity.bootstrap import bootstrap
        bootstrap(self.config["DATABASE_URL"], "secadm", PASSWORD, "安全管理员", role="security")
        return self.login("secadm")

    def create_unit(self, token, kind, name, region=None, parent_unit_id=None,
                    credit_code=None, admin=None):
        admin = admin or {"username": f"u{uuid.uuid4().hex[:10]}", "password": PASSWORD,
                          "name": f"{name}管理员"}
        answer = self.post("/api/v1/units", token, json={
            "name": name, "kind": kind, "nature": "organ", "region": region,
            "parent_unit_id": parent_unit_id, "credit_code": credit_code, "admin": admin})
        assert answer.status_code == 201, answer.text
        unit = answer.json()
        unit["admin_token"] = self.login(admin["username"], admin["password"])
        return unit

    def register_unit(self, name, region=HEFEI, parent_unit_id=None, kind="employer", **extra):
        username = f"u{uuid.uuid4().hex[:10]}"
        form = {
            "name": name, "credit_code": make_credit_code(), "nature": "institution",
            "kind": kind, "region": region, "parent_unit_id": parent_unit_id,
            "contact_name": "李四", "contact_mobile": "13900001111",
            "contact_email": "unit@example.com",
            "admin": {"username": username, "password": PASSWORD, "name": "王五"},
            **extra,
        }
        answer = self.http.post("/api/v1/units/register", json=form)
        assert answer.status_code == 201, answer.text
        unit = answer.json()
        unit["form"] = form
        return unit

    # ------------------------------------------------------------ review engine stand-in
    def decide(self, kind, subject_id, unit_id, outcome, action=None, opinion="同意",
               event_id=None):
        """Dispatch ``review_decided`` from "workflow" in the contract's envelope."""
        action = action or {"approved": "approve", "returned": "return",
                            "terminated": "terminate", "rejected": "reject"}[outcome]
        envelope = {
            "event_id": event_id or str(uuid.uuid4()),
            "type": "review_decided", "version": 1,
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "source": "workflow", "subject": "process:900",
            "actor": {"account_id": 77, "unit_id": unit_id, "person_id": None, "name": "审核员"},
            "data": {
                "process_id": 900, "kind": kind, "subject_service": "identity",
                "subject_type": "binding" if kind == "binding" else "unit",
                "subject_id": subject_id, "step_index": 0, "unit_id": unit_id,
                "action": action, "opinion": opinion, "outcome": outcome, "final": True,
                "decided_at": dt.datetime.now(dt.UTC).isoformat(),
                "decided_by": {"account_id": 77, "name": "审核员"},
            },
        }
        self._dispatch("workflow", "review_decided", envelope)
        return envelope

    def approve_unit(self, unit, approver_id):
        self.decide("unit_registration", unit["unit_id"], approver_id, "approved")
        wait_for(lambda: self.scalar("SELECT status FROM identity.units WHERE id = :id",
                                     id=unit["unit_id"]) == "active")
        unit["admin_token"] = self.login(unit["form"]["admin"]["username"])
        return unit

    def processed(self, event_id, handler="review_decided"):
        """Whether ``handler`` has handled the event (the audit log's handler of the same
        event type is another one)."""
        return self.scalar("SELECT count(*) FROM identity.processed_events "
                           "WHERE event_id = CAST(:e AS uuid) AND handler = :h",
                           e=event_id, h=handler)

    # ------------------------------------------------------------ assertions helpers
    def scalar(self, sql, **params):
        with self.db.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql, **params):
        with self.db.connect() as conn:
            return conn.execute(text(sql), params).mappings().all()

    def rpc(self):
        return ServiceRpcProxy("identity", self.config)


@pytest.fixture
def idp(runner_factory, service_config, web_config, web_session, db_engine):
    from services.gateway.service import GatewayService
    from services.identity.service import IdentityService

    FakeWorkflow.received = []
    # A cheap argon2id cost for tests (production keeps the RFC 9106 profile).
    config = {**service_config, **web_config, "PASSWORD_HASH_TIME_COST": 1,
              "PASSWORD_HASH_MEMORY_KIB": 8192, "PASSWORD_HASH_PARALLELISM": 1}
    runner = runner_factory(config, IdentityService, FakeWorkflow, GatewayService)
    runner.start()
    return IdentityPlatform(runner, web_session, config, db_engine)


@pytest.fixture
def hefei(idp):
    """An operator, a security administrator, the HR department of 合肥市 and an approved
    employer unit there."""
    op = idp.operator()
    hr = idp.create_unit(op, "hr", "合肥市人力资源和社会保障局", region=HEFEI)
    unit = idp.register_unit("合肥宏景软件有限公司")
    idp.approve_unit(unit, hr["unit_id"])
    return {"op": op, "sec": idp.security(), "hr": hr, "unit": unit}
