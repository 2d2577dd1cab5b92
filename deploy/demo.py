"""Demo data for the run command, loaded through the gateway's HTTP API.

``python -m deploy.demo URL`` loads it (once; a second run adds nothing: every item is
looked up by its demo login first); ``python -m deploy.demo --logins`` prints the demo
accounts. The first operator is created by ``bin/run`` with
``python -m services.identity.bootstrap`` before this runs.
"""
import sys
import time

import requests

from services.identity.logic.checks import id_check_char

PASSWORD = "Demo@2026"
OPERATOR = ("运维", "ops", PASSWORD)

ANHUI = {"province_code": "340000"}
HEFEI = {"province_code": "340000", "city_code": "340100", "city_name": "合肥市"}

# (key, kind, name, region, parent key, admin username)
UNITS = [
    ("hr", "hr", "安徽省人力资源和社会保障厅", ANHUI, None, "demo_hr"),
    ("competent", "competent", "安徽省卫生健康委员会", HEFEI, None, "demo_wjw"),
    ("hospital", "employer", "安徽省立医院", HEFEI, "competent", "demo_slyy"),
    ("school", "employer", "合肥市第一中学", HEFEI, None, "demo_hfyz"),
]


def _id_number(first17):
    return first17 + id_check_char(first17)


# (key, name, gender, ID number, mobile, unit key to bind, approve?)
PERSONS = [
    ("bound", "吴康金", "1", _id_number("34010419850312003"), "13955100001", "hospital", True),
    ("pending", "李晓梅", "2", _id_number("34010419900725004"), "13955100002", "hospital", False),
    ("unbound", "张志远", "1", _id_number("34010419921108005"), "13955100003", None, False),
]

DEMO_ACCOUNTS = [
    ("运维", "ops", PASSWORD),
    ("人社部门", "demo_hr", PASSWORD),
    ("主管部门", "demo_wjw", PASSWORD),
    ("用人单位", "demo_slyy", PASSWORD),
    ("用人单位", "demo_hfyz", PASSWORD),
    ("申报人(已绑定)", PERSONS[0][3], PASSWORD),
    ("申报人(待审核)", PERSONS[1][3], PASSWORD),
    ("申报人(未绑定)", PERSONS[2][3], PASSWORD),
]


class Client:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.session = requests.Session()

    def call(self, method, path, token=None, expect=(200,), **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = self.session.request(method, self.url + path, headers=headers, timeout=30,
                                      **kw)
        if answer.status_code not in expect:
            raise SystemExit(f"demo data: {method} {path} answered {answer.status_code}: "
                             f"{answer.text[:500]}")
        return answer.json() if answer.content else None

    def login(self, username, password=PASSWORD):
        answer = self.session.post(self.url + "/api/v1/auth/login", timeout=30,
                                   json={"username": username, "password": password})
        return answer.json()["token"] if answer.status_code == 200 else None

    @staticmethod
    def wait(probe, what, attempts=150):
        for _ in range(attempts):
            value = probe()
            if value:
                return value
            time.sleep(0.2)
        raise SystemExit(f"demo data: {what} did not happen in time")

    def wait_task(self, token, title_part):
        return self.wait(lambda: next(iter(self.call(
            "GET", "/api/v1/tasks", token,
            params={"box": "unclaimed", "q": title_part})["items"]), None),
            f"the task for {title_part}")


def load_identity(client):
    """Units with their admins, and three persons. Answers (tokens, number created)."""
    created = 0
    op = client.login(*OPERATOR[1:])
    if op is None:
        raise SystemExit("demo data: the operator 'ops' cannot log in; run the bootstrap first")
    tokens, unit_ids = {"op": op}, {}
    for key, kind, name, region, parent, username in UNITS:
        token = client.login(username)
        if token is None:
            creator = tokens["hr"] if key != "hr" else op
            unit = client.call("POST", "/api/v1/units", creator, expect=(201,), json={
                "name": name, "kind": kind, "nature": "organ" if kind != "employer"
                else "institution", "region": region,
                "parent_unit_id": unit_ids.get(parent),
                "contact_name": "联系人", "contact_mobile": "13800000000",
                "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员"}})
            created += 1
            token = client.login(username)
        tokens[key] = token
        unit_ids[key] = client.call("GET", "/api/v1/auth/me", token)["unit"]["unit_id"]
    for key, name, gender, id_number, mobile, unit_key, approve in PERSONS:
        token = client.login(id_number)
        if token is None:
            client.call("POST", "/api/v1/persons/register", expect=(201,), json={
                "real_name": name, "id_type": "resident_id", "id_number": id_number,
                "mobile": mobile, "password": PASSWORD, "gender": gender,
                "political_status": "01", "ethnicity": "01", "email": f"{key}@example.com",
                "address": "安徽省合肥市庐阳区", "work_start_date": "2010-07-01",
                "education": "21", "degree": "4", "title_series": "health",
                "is_freelancer": False})
            created += 1
            token = client.login(id_number)
            if unit_key:
                client.call("POST", "/api/v1/me/bindings", token, expect=(201,),
                            json={"unit_id": unit_ids[unit_key], "note": "本人为该单位在职职工"})
                if approve:
                    task = client.wait_task(tokens[unit_key], name)
                    client.call("POST", f"/api/v1/tasks/{task['id']}/decision",
                                tokens[unit_key], json={"action": "approve", "opinion": "同意"})
                    client.wait(lambda: client.call("GET", "/api/v1/me/profile", token)
                                ["binding_status"] == "approved", f"{name}的单位绑定")
        tokens[key] = token
    return tokens, unit_ids, created


def load(gateway_url):
    client = Client(gateway_url)
    _tokens, _units, created = load_identity(client)
    return created


def main(argv):
    if argv and argv[0] == "--logins":
        print("  Demo logins (password for all: %s):" % PASSWORD)
        for role, username, _password in DEMO_ACCOUNTS:
            print(f"    {role:<14} {username}")
        return
    url = argv[0] if argv else "http://127.0.0.1:8000"
    created = load(url)
    print(f"demo data: {created} new items")


if __name__ == "__main__":
    main(sys.argv[1:])
