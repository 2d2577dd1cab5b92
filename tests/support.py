"""A small client for end-to-end tests: real services, real HTTP through the gateway."""
import uuid

from sqlalchemy import text

from services.common.testing import wait_for
from services.identity.tests.conftest import HEFEI, PASSWORD, make_credit_code, person_form


class Api:
    def __init__(self, platform, db):
        self.http = platform.http
        self.config = platform.config
        self.db = db

    @staticmethod
    def auth(token):
        return {"Authorization": f"Bearer {token}"}

    def call(self, method, path, token=None, expect=None, **kw):
        answer = self.http.request(method, path, headers=self.auth(token) if token else {},
                                   **kw)
        if expect is not None:
            assert answer.status_code == expect, (method, path, answer.status_code,
                                                  answer.text)
        return answer

    def login(self, username, password=PASSWORD):
        return self.call("POST", "/api/v1/auth/login", expect=200,
                         json={"username": username, "password": password}).json()["token"]

    def operator(self):
        from services.identity.bootstrap import bootstrap
        bootstrap(self.config["DATABASE_URL"], "ops", PASSWORD, "运维管理员")
        return self.login("ops")

    def security(self):
        """The security administrator (安全管理员): it creates the staff accounts."""
        from services.identity.bootstrap import bootstrap
        bootstrap(self.config["DATABASE_URL"], "secadm", PASSWORD, "安全管理员",
                  role="security")
        return self.login("secadm")

    def create_unit(self, token, kind, name, region=HEFEI, parent_unit_id=None):
        admin = {"username": f"u{uuid.uuid4().hex[:10]}", "password": PASSWORD,
                 "name": f"{name}管理员"}
        unit = self.call("POST", "/api/v1/units", token, expect=201, json={
            "name": name, "kind": kind, "nature": "organ", "region": region,
            "parent_unit_id": parent_unit_id, "admin": admin}).json()
        unit["admin_token"] = self.login(admin["username"])
        return unit

    def register_unit(self, name, region=HEFEI, parent_unit_id=None, kind="employer"):
        form = {
            "name": name, "credit_code": make_credit_code(), "nature": "institution",
            "kind": kind, "region": region, "parent_unit_id": parent_unit_id,
            "contact_name": "李四", "contact_mobile": "13900001111",
            "contact_email": "unit@example.com",
            "admin": {"username": f"u{uuid.uuid4().hex[:10]}", "password": PASSWORD,
                      "name": "王五"},
        }
        unit = self.call("POST", "/api/v1/units/register", expect=201, json=form).json()
        unit["form"] = form
        return unit

    def register_person(self, **overrides):
        form = person_form(**overrides)
        profile = self.call("POST", "/api/v1/persons/register", expect=201, json=form).json()
        profile["form"] = form
        profile["token"] = self.login(form["id_number"])
        return profile

    def tasks(self, token, box="unclaimed", **query):
        return self.call("GET", "/api/v1/tasks", token, expect=200,
                         params={"box": box, **query}).json()

    def wait_task(self, token, title_part, box="unclaimed"):
        return wait_for(lambda: next((t for t in self.tasks(token, box)["items"]
                                      if title_part in (t.get("title") or "")), None))

    def approve_unit_registration(self, unit, approver_token):
        task = self.wait_task(approver_token, unit["name"])
        self.call("POST", f"/api/v1/tasks/{task['id']}/decision", approver_token, expect=200,
                  json={"action": "approve", "opinion": "同意"})
        unit["admin_token"] = wait_for(lambda: self._try_login(unit["form"]["admin"]["username"]))
        return unit

    def bind(self, person, unit, admin_token, note="申请加入本单位"):
        self.call("POST", "/api/v1/me/bindings", person["token"], expect=201,
                  json={"unit_id": unit["unit_id"], "note": note})
        task = self.wait_task(admin_token, person["form"]["real_name"])
        self.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin_token, expect=200,
                  json={"action": "approve", "opinion": "同意"})
        wait_for(lambda: self.call("GET", "/api/v1/me/profile", person["token"]).json()
                 .get("binding_status") == "approved")
        # A new login carries the bound unit in the principal.
        person["token"] = self.login(person["form"]["id_number"])
        return person

    def _try_login(self, username):
        answer = self.call("POST", "/api/v1/auth/login",
                           json={"username": username, "password": PASSWORD})
        return answer.json()["token"] if answer.status_code == 200 else None

    def scalar(self, sql, **params):
        with self.db.connect() as conn:
            return conn.execute(text(sql), params).scalar()
