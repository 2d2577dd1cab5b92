"""Helpers of the achievement-record tests: fake identity and documents services, test
data in the seeds' words, and a harness that drives the platform through the gateway
(and the task center of the real workflow service for the unit's decisions)."""
import datetime as dt
import io
import uuid

import eventlet
import jwt
import requests
from kombu import Connection, Producer
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import text

from services.common.errors import Invalid, Unauthenticated
from services.common.logs import mask_id_number
from services.common.messaging import event_exchange
from services.common.principal import (
    OPERATOR,
    PERSON,
    UNIT_ADMIN,
    Principal,
    PrincipalProvider,
)
from services.common.rpc import rpc
from services.common.testing import signed as signed_context
from services.contracts.identity import issue_token

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


UNIT_A, UNIT_B = 10, 20
UNIT_NAMES = {UNIT_A: "宏景软件公司", UNIT_B: "福州市第一中学"}

PRINCIPALS = {
    "p1": {"account_id": 401, "roles": [PERSON], "person_id": 77, "unit_id": UNIT_A,
           "name": "孙迪"},
    "p2": {"account_id": 402, "roles": [PERSON], "person_id": 78, "unit_id": UNIT_A,
           "name": "秦程"},
    "p3": {"account_id": 403, "roles": [PERSON], "person_id": 79, "unit_id": UNIT_B,
           "name": "王小龙"},
    # registered, binding not approved yet
    "p4": {"account_id": 404, "roles": [PERSON], "person_id": 80, "unit_id": None,
           "name": "高彬彬"},
    # a doctor: 职称系列 卫生技术人员
    "doc": {"account_id": 405, "roles": [PERSON], "person_id": 81, "unit_id": UNIT_A,
            "name": "李医生"},
    "a1": {"account_id": 101, "roles": [UNIT_ADMIN], "unit_id": UNIT_A, "name": "王敏",
           "extra": {"unit_kind": "employer"}},
    "b1": {"account_id": 201, "roles": [UNIT_ADMIN], "unit_id": UNIT_B, "name": "赵刚",
           "extra": {"unit_kind": "employer"}},
    # an operator of the province (loads the continuing-education platform's hours)
    "op": {"account_id": 901, "roles": [OPERATOR], "name": "运维"},
}


def _id_number(first17):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


# GB 11643 ID numbers of the persons (identity answers them in full to the person only)
ID_NUMBERS = {77: _id_number("35010219850312003"), 78: _id_number("35010219900725004"),
              79: _id_number("35010219921108005"), 80: _id_number("35010219880101006"),
              81: _id_number("34010419850312007")}
PERSON_TOKENS = {p["person_id"]: token for token, p in PRINCIPALS.items()
                 if p.get("person_id")}
NOT_BOUND_REASON = "您尚未绑定工作单位或绑定申请尚未审核通过，暂不能提交"


def _binding(person_id):
    principal = PRINCIPALS[PERSON_TOKENS[person_id]]
    unit_id = principal.get("unit_id")
    if unit_id is None:
        return {"allowed": False, "unit_id": None, "unit_name": None,
                "reason": NOT_BOUND_REASON}
    return {"allowed": True, "unit_id": unit_id, "unit_name": UNIT_NAMES[unit_id],
            "reason": None}


class FakeIdentity:
    """Stands in for identity: tokens of PRINCIPALS, bindings the test may change."""
    name = "identity"
    bindings = {}
    principal = PrincipalProvider()

    @classmethod
    def reset(cls):
        cls.bindings = {pid: _binding(pid) for pid in PERSON_TOKENS}

    @rpc
    def authenticate(self, token):
        token = name_of(token)
        if token not in PRINCIPALS:
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        return {"session_id": f"s-{token}", **PRINCIPALS[token]}

    @rpc
    def may_submit(self, person_id):
        return FakeIdentity.bindings.get(person_id) or {
            "allowed": False, "unit_id": None, "unit_name": None, "reason": NOT_BOUND_REASON}

    @rpc
    def get_person_brief(self, person_id):
        principal = PRINCIPALS[PERSON_TOKENS[person_id]]
        unit_id = principal.get("unit_id")
        caller = self.principal.current
        full = caller is not None and caller.person_id == person_id
        number = ID_NUMBERS[person_id]
        return {"person_id": person_id, "name": principal["name"], "unit_id": unit_id,
                "unit_name": UNIT_NAMES.get(unit_id),
                "id_number": number if full else mask_id_number(number),
                # as identity answers: the series' code and its label
                "title_series": "health" if person_id == 81 else "engineering",
                "title_series_label": "卫生技术人员" if person_id == 81 else "工程技术人员"}

    @rpc
    def health(self):
        return {"service": "identity", "status": "ok"}


class FakeDocuments:
    """Stands in for documents: ``attach`` records its calls; ids in ``refused`` are
    answered as the documents service would for a file not uploaded or not one's own.
    ``attached`` is what each subject holds; ``detached`` the ``detach`` calls.
    ``slots`` {file id: slot}: the files ``describe_files`` knows (others are unknown to
    it, as another person's files are), and ``attach`` checks against its ``slots``."""
    name = "documents"
    calls = []
    refused = set()
    attached = {}
    detached = []
    slots = {}

    @classmethod
    def reset(cls):
        cls.calls = []
        cls.refused = set()
        cls.attached = {}
        cls.detached = []
        cls.slots = {}

    @rpc
    def describe_files(self, file_ids):
        return [{"id": i, "slot": FakeDocuments.slots[i], "slot_label": "佐证材料",
                 "file_name": f"{i}.pdf"} for i in file_ids if i in FakeDocuments.slots]

    @rpc
    def attach(self, file_ids, owner_service, owner_type, owner_id, slots=None):
        bad = [i for i in file_ids if i in FakeDocuments.refused]
        if bad:
            raise Invalid("document.not_attachable", "佐证材料未上传完成或不属于本人",
                          {"file_ids": bad})
        foreign = [i for i in file_ids if slots is not None and i in FakeDocuments.slots
                   and FakeDocuments.slots[i] not in slots]
        if foreign:
            raise Invalid("file.slot_mismatch", "不是此处的材料", {"file_ids": foreign})
        FakeDocuments.calls.append((list(file_ids), owner_service, owner_type, owner_id))
        held = FakeDocuments.attached.setdefault((owner_service, owner_type, str(owner_id)),
                                                 set())
        held.update(file_ids)
        return {"attached": list(file_ids)}

    @rpc
    def detach(self, file_ids, owner_service, owner_type, owner_id):
        FakeDocuments.detached.append((sorted(file_ids), owner_service, owner_type, owner_id))
        held = FakeDocuments.attached.get((owner_service, owner_type, str(owner_id)), set())
        held.difference_update(file_ids)
        return {"detached": len(file_ids)}

    @rpc
    def attached_files(self, owner_service, owner_type, owner_id):
        held = FakeDocuments.attached.get((owner_service, owner_type, str(owner_id)), set())
        return [{"id": i, "slot": "evidence"} for i in sorted(held)]

    @rpc
    def health(self):
        return {"service": "documents", "status": "ok"}


# --------------------------------------------------------------------------- data

def work_history(**over):
    return {"unit_name": "宏景软件公司", "start_date": "2016-04-01",
            "end_date": "2017-04-01", "specialty": "软件", "position": "运维", **over}


def project_award(**over):
    return {"project_name": "远程教育服务平台", "award_name": "科技进步奖",
            "ranking": {"rank": 1, "total": 5}, "award_date": "2021-07-08",
            "award_level": "省部", "award_grade": "二等", **over}


def paper(**over):
    return {"title": "中国西部教育与区域发展研究", "publish_date": "2021-12-01",
            "journal": "重庆工商大学学报", "level": "国内期刊", "ranking": "1/5", **over}


def annual_assessment(**over):
    return {"year": 2021, "grade": "优秀", **over}


def continuing_education(**over):
    return {"ce_type": "公需课", "ce_year": 2022, "hours": "60",
            "project": "学习十九届六中全会精神", "start_date": "2021-02-02",
            "end_date": "2021-08-06", **over}


def health_case(n, **over):
    return {"admission_no": f"2022010{n}", "patient_name": f"测试{n}",
            "admission_date": f"2022-01-0{n:d}", "discharge_date": f"2022-01-1{n:d}",
            "admission_diagnosis": "阵发性室上速", "discharge_diagnosis": "房室结双径路",
            "outcome": "目前恢复良好", **over}


# --------------------------------------------------------------------------- harness

def auth(token):
    return {"Authorization": f"Bearer {signed(token)}"}


def wait_for(predicate, timeout=20.0, interval=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError("condition not reached in time")


class Harness:
    def __init__(self, http, config, engine):
        self.http = http
        self.config = config
        self.engine = engine

    # -- HTTP ---------------------------------------------------------------------
    def call(self, token, method, path, **kwargs):
        return self.http.request(method, path, headers=auth(token), **kwargs)

    def ok(self, response, status=200):
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def create(self, token, type_, fields, evidence=None, submit=False):
        body = {"type": type_, "fields": fields}
        if evidence is not None:
            body["evidence_file_ids"] = evidence
        if submit:
            body["submit"] = True
        return self.call(token, "POST", "/api/v1/records", json=body)

    def new(self, token, type_, fields, evidence=None, submit=False):
        return self.ok(self.create(token, type_, fields, evidence, submit), 201)

    def record(self, token, record_id):
        return self.ok(self.call(token, "GET", f"/api/v1/records/{record_id}"))

    def submit(self, token, record_id):
        return self.call(token, "POST", f"/api/v1/records/{record_id}/submit")

    def withdraw(self, token, record_id, reason=None):
        return self.call(token, "POST", f"/api/v1/records/{record_id}/withdraw",
                         json={"reason": reason} if reason else {})

    def edit(self, token, record_id, fields=None, evidence=None):
        body = {}
        if fields is not None:
            body["fields"] = fields
        if evidence is not None:
            body["evidence_file_ids"] = evidence
        return self.call(token, "PATCH", f"/api/v1/records/{record_id}", json=body)

    def records(self, token, **params):
        return self.ok(self.call(token, "GET", "/api/v1/records", params=params))

    def unit_records(self, token, **params):
        return self.ok(self.call(token, "GET", "/api/v1/unit/records", params=params))

    # -- documents (the real service, in the ``ach_docs`` fixture) ---------------------
    def upload(self, token, slot, file_name, data):
        """Ask for an upload, POST the bytes with the signed form, complete: the file's id."""
        ticket = self.ok(self.call(token, "POST", "/api/v1/files/uploads",
                                   json={"slot": slot, "file_name": file_name}), 201)
        form = ticket["form"]
        answer = requests.post(form["url"], data=form["fields"],
                               files={"file": (file_name, data)}, timeout=30)
        assert answer.status_code in (200, 201, 204), answer.text
        self.ok(self.call(token, "POST", f"/api/v1/files/{ticket['file_id']}/complete"))
        return ticket["file_id"]

    def template(self, token, name):
        """The import template as downloaded (GET /api/v1/templates/{name})."""
        link = self.ok(self.call(token, "GET", f"/api/v1/templates/{name}"))
        answer = requests.get(link["url"], timeout=30)
        assert answer.status_code == 200
        return answer.content

    def filled_template(self, token, name, rows):
        """The downloaded template with ``rows`` (lists of cell values) from row 3."""
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(self.template(token, name)))
        sheet = book.worksheets[0]
        for offset, values in enumerate(rows):
            for column, value in enumerate(values, start=1):
                sheet.cell(row=3 + offset, column=column, value=value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def file_info(self, token, file_id):
        return self.ok(self.call(token, "GET", f"/api/v1/files/{file_id}"))

    # -- the unit's decision in the real task center ------------------------------------
    def task_for(self, record_id, admin="a1", box="unclaimed"):
        """The open task of the record's review in the unit's task center (``box``)."""
        def find():
            page = self.ok(self.call(admin, "GET", "/api/v1/tasks",
                                     params={"box": box, "kind": "record",
                                             "page_size": 200}))
            for task in page["items"]:
                detail = self.ok(self.call(admin, "GET", f"/api/v1/tasks/{task['id']}"))
                if (detail["subject_service"] == "achievements"
                        and str(detail["subject_id"]) == str(record_id)):
                    return detail
            return None
        return wait_for(find)

    def decide(self, record_id, action, opinion=None, admin="a1", owner="p1", task=None):
        """The unit admin decides the record's review; waits until the record shows it."""
        task = task or self.task_for(record_id, admin)
        before = self.record(owner, record_id)["trail"]
        self.ok(self.call(admin, "POST", f"/api/v1/tasks/{task['id']}/decision",
                          json={"action": action, "opinion": opinion}))
        return wait_for(lambda: (lambda r: r if len(r["trail"]) > len(before) else None)(
            self.record(owner, record_id)))

    # -- events -------------------------------------------------------------------------
    def publish(self, envelope, source="workflow"):
        """Publish an envelope on ``source``'s event exchange, as its relay does."""
        with Connection(self.config["AMQP_URI"]) as conn:
            producer = Producer(conn.channel(), exchange=event_exchange(source))
            producer.publish(envelope, routing_key=envelope["type"], serializer="json",
                             delivery_mode=2, message_id=envelope["event_id"])

    def outbox(self, event_type, service="achievements"):
        return self.rows(f"SELECT * FROM {service}.outbox WHERE type = :t ORDER BY sequence",
                         t=event_type)

    # -- RPC as declarations will call it ---------------------------------------------
    def rpc(self, token=None):
        context = {}
        if token is not None:
            principal = Principal(**{**PRINCIPALS[token],
                                     "roles": tuple(PRINCIPALS[token]["roles"])})
            context = signed_context(principal)
        context.update(signed_context(service="workflow"))  # as workflow's declarations call it
        return ServiceRpcProxy("achievements", self.config, context_data=context)

    # -- database (assertions only) ---------------------------------------------------
    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def scalar(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


def envelope_of(row):
    """An outbox row as the envelope its relay published."""
    return {"event_id": str(row.event_id), "type": row.type, "version": row.version,
            "occurred_at": row.occurred_at.isoformat(), "source": row.source,
            "subject": row.subject, "actor": row.actor, "data": row.data}


def new_event_id():
    return str(uuid.uuid4())



def png_bytes(color="red"):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()
