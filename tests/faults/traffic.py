"""Traffic through the gateway, as the users of a deadline day make it: an operator
creates units and their admins, persons register choosing their unit (a binding request
that becomes a task of the unit), admins decide tasks in the task center.

Every call goes over HTTP to the gateway of the cluster; nothing writes the database.
A client that gets no answer (the gateway or a service is down, the broker restarts)
retries as a user would press the button again; what a retry answers is reported, so
the tests can tell "done twice" from "done once, answered late".
"""
import datetime as dt
import itertools
import os
import random
import time
import uuid

import eventlet
import requests

from services.identity.logic.checks import id_check_char

from .harness import PASSWORD, HarnessError

REGION = {"province_code": "340000", "city_code": "340100", "city_name": "合肥市"}

# Statuses a client retries on: no answer from a service (503), a remote failure while a
# service died under it (500), or the gateway itself not reachable.
RETRY_STATUSES = {500, 502, 503, 504}

_numbers = itertools.count(random.randrange(1, 10_000) * 1000)


def new_id_number():
    """A fresh resident ID number (GB 11643 check digit) unique within the run."""
    n = next(_numbers)
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n // 1000 % 9000)
    first17 = "340104" + birth.strftime("%Y%m%d") + f"{n % 1000:03d}"
    return first17 + id_check_char(first17)


def new_mobile():
    return f"13{random.randrange(0, 10)}{uuid.uuid4().int % 100_000_000:08d}"


class Answer:
    """What a client finally got: the response, and how many tries it took."""

    def __init__(self, response, tries, errors):
        self.response = response
        self.tries = tries
        self.errors = errors

    @property
    def status(self):
        return self.response.status_code if self.response is not None else None

    def json(self):
        return self.response.json()

    @property
    def code(self):
        try:
            return self.response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def __repr__(self):
        body = self.response.text[:300] if self.response is not None else None
        return f"<Answer {self.status} after {self.tries} tries {body!r} {self.errors}>"


class Client:
    """A user's HTTP client on the gateway."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url
        self.token = token
        self.session = requests.Session()

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method, path, json=None, params=None, timeout=60):
        return self.session.request(method, self.base_url + path, json=json, params=params,
                                    headers=self.headers(), timeout=timeout)

    def call(self, method, path, json=None, params=None, retry_for=0.0, timeout=60):
        """The answer; with ``retry_for`` seconds, retried (as a user would) while no
        service answers: connection errors and 5xx."""
        deadline = time.monotonic() + retry_for
        tries, errors = 0, []
        while True:
            tries += 1
            try:
                response = self.request(method, path, json=json, params=params,
                                        timeout=timeout)
            except requests.RequestException as exc:
                response = None
                errors.append(type(exc).__name__)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return Answer(response, tries, errors)
                errors.append(response.status_code)
            if time.monotonic() >= deadline:
                return Answer(response, tries, errors)
            eventlet.sleep(0.5)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)


def expect(answer, *statuses):
    if answer.status not in statuses:
        raise HarnessError(f"expected {statuses}, got {answer!r}")
    return answer.json() if answer.response.content else None


class Platform:
    """The users of the cluster and what they do."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.base_url = cluster.base_url
        self._operator = None
        self._security = None

    def client(self, token=None):
        return Client(self.base_url, token)

    def login(self, username, password=PASSWORD, retry_for=30):
        answer = self.client().post("/api/v1/auth/login",
                                    json={"username": username, "password": password},
                                    retry_for=retry_for)
        return Client(self.base_url, expect(answer, 200)["token"])

    @property
    def operator(self):
        if self._operator is None:
            self._operator = self.login("ops")
        return self._operator

    @property
    def security(self):
        """The security administrator: accounts (the operator manages none)."""
        if self._security is None:
            self._security = self.login("sec")
        return self._security

    # units and admins ------------------------------------------------------
    def create_unit(self, name, kind="employer", admins=1, parent=None):
        """A built-in active unit with ``admins`` admin accounts: ``{unit_id, name,
        admins: [Client, ...], admin_ids: [...]}``."""
        username = f"a{uuid.uuid4().hex[:10]}"
        answer = self.operator.post("/api/v1/units", json={
            "name": name, "kind": kind, "nature": "organ", "region": REGION,
            "parent_unit_id": parent["unit_id"] if parent else None,
            "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员一"},
        }, retry_for=30)
        unit = expect(answer, 201)
        unit_id = unit["unit_id"]
        usernames = [username]
        admin_ids = [unit["admin_account_id"]]
        for n in range(1, admins):
            other = f"a{uuid.uuid4().hex[:10]}"
            created = expect(self.security.post(f"/api/v1/units/{unit_id}/users", json={
                "username": other, "password": PASSWORD, "name": f"{name}管理员{n + 1}"},
                retry_for=30), 201)
            usernames.append(other)
            admin_ids.append(created.get("account_id"))
        return {"unit_id": unit_id, "name": name,
                "admins": [self.login(u) for u in usernames], "usernames": usernames,
                "admin_ids": admin_ids}

    # persons ---------------------------------------------------------------
    def person_form(self, unit_id=None, name=None):
        return {
            "real_name": name or random.choice(["吴康金", "孙迪", "李娜", "王强", "陈静", "刘洋"]),
            "id_type": "resident_id", "id_number": new_id_number(),
            "mobile": new_mobile(), "password": PASSWORD, "political_status": "03",
            "ethnicity": "01", "email": "p@example.com", "address": "安徽省合肥市包河区",
            "work_start_date": "2015-03-02", "education": "21", "degree": "4",
            "title_series": "health", "is_freelancer": False,
            "unit_id": unit_id, "application_note": "本人为该单位在职职工",
        }

    def register(self, unit_id, retry_for=0.0, name=None):
        """A person registers choosing ``unit_id`` (a binding request): the Answer and
        the form (its ID number identifies the person)."""
        form = self.person_form(unit_id, name)
        return self.client().post("/api/v1/persons/register", json=form,
                                  retry_for=retry_for), form

    def register_many(self, unit_id, count, concurrency=8, retry_for=60.0):
        """``count`` persons registered with a binding request to ``unit_id``, in
        parallel; their profiles (each answer must be 201)."""
        pool = eventlet.GreenPool(concurrency)
        profiles = []
        for answer, form in pool.imap(lambda _: self.register(unit_id, retry_for),
                                      range(count)):
            profile = expect(answer, 201)
            profile["form"] = form
            profiles.append(profile)
        return profiles

    # task center -----------------------------------------------------------
    def tasks(self, admin, box="unclaimed", kind=None):
        """Every task of a box of the admin's unit (all pages)."""
        items, page = [], 1
        while True:
            params = {"box": box, "page": page, "page_size": 200}
            if kind:
                params["kind"] = kind
            answer = expect(admin.get("/api/v1/tasks", params=params, retry_for=30), 200)
            items.extend(answer["items"])
            if len(items) >= answer["total"] or not answer["items"]:
                return items
            page += 1

    def wait_tasks(self, admin, count, box="unclaimed", kind=None, timeout=120):
        deadline = time.monotonic() + timeout
        items = []
        while time.monotonic() < deadline:
            items = self.tasks(admin, box, kind)
            if len(items) >= count:
                return items
            eventlet.sleep(0.3)
        raise HarnessError(f"{count} tasks expected in {box}, {len(items)} arrived")

    # files -----------------------------------------------------------------
    def upload_ticket(self, client, slot, file_name, data):
        """Ask for an upload and POST the bytes to object storage with the ticket's signed
        form: the ticket."""
        ticket = expect(client.post("/api/v1/files/uploads", json={
            "slot": slot, "file_name": file_name, "size": len(data)}, retry_for=30), 201)
        form = ticket["form"]
        sent = requests.post(form["url"], data=form["fields"],
                             files={"file": (file_name, data)}, timeout=30)
        if sent.status_code not in (200, 201, 204):
            raise HarnessError(f"upload to storage refused: {sent.status_code} {sent.text}")
        return ticket

    @staticmethod
    def decide(admin, task_id, action="approve", opinion=None, retry_for=0.0):
        if opinion is None and action in ("return", "reject"):
            opinion = "材料不全，请补充后重新提交"
        return admin.post(f"/api/v1/tasks/{task_id}/decision",
                          json={"action": action, "opinion": opinion}, retry_for=retry_for)


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default
