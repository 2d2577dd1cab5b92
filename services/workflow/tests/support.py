"""Helpers of the workflow service's tests: a small fake identity service that knows a
few test principals (the gateway checks a token's signature itself, so a test token is
signed with the tests' TOKEN_SECRET and its session id names the principal), and a
harness to ask for reviews the way identity and achievements do
(an event ``review_requested`` in the exact envelope on their event exchange), to call
the gateway and to read the database for assertions."""
import datetime as dt

import eventlet
import jwt
from kombu import Connection, Producer, Queue
from sqlalchemy import text

from services.common.errors import Unauthenticated
from services.common.messaging import event_exchange, make_envelope
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.rpc import rpc
from services.contracts.identity import issue_token

UNIT_A, UNIT_B, UNIT_C = 10, 20, 30
UNIT_NAMES = {UNIT_A: "合肥市第一中学", UNIT_B: "合肥市教育局",
              UNIT_C: "合肥市人力资源和社会保障局"}

PRINCIPALS = {
    "a1": {"account_id": 101, "roles": [UNIT_ADMIN], "unit_id": UNIT_A, "name": "王敏",
           "extra": {"unit_kind": "employer"}},
    "a2": {"account_id": 102, "roles": [UNIT_ADMIN], "unit_id": UNIT_A, "name": "李强",
           "extra": {"unit_kind": "employer"}},
    "b1": {"account_id": 201, "roles": [UNIT_ADMIN], "unit_id": UNIT_B, "name": "赵刚",
           "extra": {"unit_kind": "competent"}},
    "c1": {"account_id": 301, "roles": [UNIT_ADMIN], "unit_id": UNIT_C, "name": "钱芳",
           "extra": {"unit_kind": "hr"}},
    "p1": {"account_id": 401, "roles": [PERSON], "person_id": 77, "unit_id": UNIT_A,
           "name": "孙迪"},
    "p2": {"account_id": 402, "roles": [PERSON], "person_id": 78, "unit_id": UNIT_A,
           "name": "秦程"},
    "op": {"account_id": 1, "roles": [OPERATOR], "name": "运维"},
}


TEST_SECRET = "test-secret-" + "x" * 32  # conftest.py's service_config["TOKEN_SECRET"]


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


class FakeIdentity:
    """Stands in for identity: ``authenticate`` knows the tokens of PRINCIPALS (asked
    per request: the gateway has no session feed from a fake)."""
    name = "identity"

    @rpc
    def authenticate(self, token):
        token = name_of(token)
        if token not in PRINCIPALS:
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        return {"session_id": f"s-{token}", **PRINCIPALS[token]}

    @rpc
    def health(self):
        return {"service": "identity", "status": "ok"}

ACCOUNT_OF_PERSON = {p["person_id"]: p["account_id"] for p in PRINCIPALS.values()
                     if p.get("person_id")}


def wait_for(predicate, timeout=15.0, interval=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError("condition not reached in time")


def auth(token):
    return {"Authorization": f"Bearer {signed(token)}"}


def binding_request(subject_id, person_id=77, name="孙迪", unit_id=UNIT_A, chain=None,
                    **extra):
    """The data of a review_requested event as identity sends it for a binding."""
    return {
        "kind": "binding",
        "subject_service": "identity",
        "subject_type": "binding",
        "subject_id": subject_id,
        "title": f"{name} 申请绑定 {UNIT_NAMES[unit_id]}",
        "applicant_person_id": person_id,
        "applicant_name": name,
        "applicant_unit_id": unit_id,
        "chain": chain or [{"unit_id": unit_id, "unit_name": UNIT_NAMES[unit_id]}],
        "summary": {"id_number": "340104********0021", "phone": "138****1234"},
        **extra,
    }


class Harness:
    def __init__(self, http, config, engine):
        self.http = http
        self.config = config
        self.engine = engine

    # -- asking for reviews ---------------------------------------------------
    def publish(self, data, source="identity", envelope=None, actor=None):
        """Publish review_requested from ``source`` in the exact envelope; the envelope."""
        envelope = envelope or make_envelope(
            "review_requested", f"{data['subject_type']}:{data['subject_id']}", data,
            source=source,
            actor=actor if actor is not None else {
                "account_id": ACCOUNT_OF_PERSON.get(data.get("applicant_person_id")),
                "unit_id": None, "person_id": data.get("applicant_person_id"),
                "name": data.get("applicant_name")})
        with Connection(self.config["AMQP_URI"]) as conn:
            producer = Producer(conn.channel(), exchange=event_exchange(source))
            producer.publish(envelope, routing_key="review_requested", serializer="json",
                             delivery_mode=2)
        return envelope

    def request_review(self, data, source="identity"):
        """Publish and wait for the process; its id and its first task's id."""
        self.publish(data, source=source)
        return self.wait_process(data)

    def wait_process(self, data, count=1):
        def found():
            rows = self.rows(
                "SELECT p.id, t.id AS task_id FROM workflow.processes p "
                "JOIN workflow.tasks t ON t.process_id = p.id AND t.step_index = 0 "
                "WHERE p.subject_service = :s AND p.subject_type = :t AND p.subject_id = :i "
                "ORDER BY p.id",
                s=data["subject_service"], t=data["subject_type"], i=str(data["subject_id"]))
            return rows if len(rows) >= count else None
        rows = wait_for(found)
        return rows[-1].id, rows[-1].task_id

    # -- listening like another service or government system ---------------------
    def subscribe(self, event_type="review_decided", source="workflow"):
        """Bind a queue of our own to ``source``'s events of ``event_type``."""
        name = f"test-{source}-{event_type}"
        with Connection(self.config["AMQP_URI"]) as conn:
            Queue(name, exchange=event_exchange(source), routing_key=event_type,
                  durable=True, auto_delete=False)(conn.channel()).declare()
        return name

    def received(self, queue_name, count=1, timeout=15.0):
        """Wait for ``count`` messages on the queue; their bodies."""
        bodies = []
        with Connection(self.config["AMQP_URI"]) as conn:
            queue = conn.SimpleQueue(queue_name)
            deadline = eventlet.hubs.get_hub().clock() + timeout
            while len(bodies) < count and eventlet.hubs.get_hub().clock() < deadline:
                try:
                    message = queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                message.ack()
                bodies.append(message.payload)
            queue.close()
        assert len(bodies) == count, bodies
        return bodies

    # -- reading the database (assertions only) ---------------------------------
    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def scalar(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def decided_events(self, process_id=None):
        sql = "SELECT * FROM workflow.outbox WHERE type = 'review_decided'"
        if process_id is not None:
            sql += " AND subject = :subject"
        return self.rows(sql + " ORDER BY sequence", subject=f"process:{process_id}")

    # -- HTTP -------------------------------------------------------------------
    def get(self, path, token, **kwargs):
        return self.http.get(path, headers=auth(token), **kwargs)

    def post(self, path, token, json=None):
        return self.http.post(path, headers=auth(token), json=json if json is not None else {})

    def box(self, token, box, **params):
        answer = self.get("/api/v1/tasks", token, params={"box": box, **params})
        assert answer.status_code == 200, answer.text
        return answer.json()
