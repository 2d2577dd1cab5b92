"""职称申报 end to end, every service real (identity, achievements, workflow, documents,
gateway) over the broker, the database and the S3 server: units built by the operator
and the HR department, persons bound to their units through the task center, approved
achievement records, a plan, declarations climbing the review chain unit → competent
department → HR department → organiser, returns, 不通过, recall, the approval event on a
subscriber's own queue and in the replay feed."""
import datetime as dt
import itertools
import uuid

import requests
from kombu import Connection, Queue
from sqlalchemy import text

from services.common.messaging import event_exchange
from services.common.testing import wait_for
from services.identity.logic.checks import id_check_char

PASSWORD = "Passw0rd!"
HEFEI = {"province_code": "340000", "city_code": "340100", "city_name": "合肥市"}
_serial = itertools.count(11)


def id_number(birth="19880307"):
    first17 = "340104" + birth + f"{next(_serial):03d}"
    return first17 + id_check_char(first17)


def minimal_pdf():
    import io

    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 700, "certificate")
    page.showPage()
    page.save()
    return out.getvalue()


class Flow:
    def __init__(self, platform, db_engine):
        self.http = platform.http
        self.config = platform.config
        self.db = db_engine

    # -- HTTP ------------------------------------------------------------------
    def call(self, method, path, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, path, headers=headers, **kwargs)

    def ok(self, answer, status=200):
        assert answer.status_code == status, answer.text
        return answer.json() if answer.content else None

    def get(self, path, token, **kw):
        return self.ok(self.call("GET", path, token, **kw))

    def post(self, path, token, json=None, status=200):
        return self.ok(self.call("POST", path, token, json=json or {}), status)

    def scalar(self, sql, **params):
        with self.db.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def login(self, username, password=PASSWORD):
        return self.post("/api/v1/auth/login", None,
                         {"username": username, "password": password})["token"]

    # -- identity ----------------------------------------------------------------
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

    def unit(self, token, kind, name, parent=None):
        username = f"u{uuid.uuid4().hex[:10]}"
        unit = self.post("/api/v1/units", token, {
            "name": name, "kind": kind, "nature": "organ", "region": HEFEI,
            "parent_unit_id": parent["unit_id"] if parent else None,
            "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员"}},
            status=201)
        unit["token"] = self.login(username)
        return unit

    def person(self, name):
        number = id_number()
        profile = self.post("/api/v1/persons/register", None, {
            "real_name": name, "id_type": "resident_id", "id_number": number,
            "mobile": f"139{uuid.uuid4().int % 10 ** 8:08d}", "password": PASSWORD,
            "political_status": "03", "ethnicity": "01", "email": "p@example.com",
            "address": "安徽省合肥市包河区", "work_start_date": "2010-08-01", "education": "21",
            "degree": "4", "title_series": "health", "is_freelancer": False}, status=201)
        profile["token"] = self.login(number)
        profile["id_number"] = number
        return profile

    def unclaimed(self, unit, kind):
        return self.get("/api/v1/tasks", unit["token"], params={"box": "unclaimed",
                                                                 "kind": kind})["items"]

    def bind(self, person, unit):
        self.post("/api/v1/me/bindings", person["token"],
                  {"unit_id": unit["unit_id"], "note": "本单位在职教师"}, status=201)
        [task] = wait_for(lambda: self.unclaimed(unit, "binding"))
        self.post(f"/api/v1/tasks/{task['id']}/decision", unit["token"], {"action": "approve"})
        wait_for(lambda: self.scalar("SELECT bound_unit_id FROM identity.persons WHERE "
                                     "id_number = :n", n=person["id_number"])
                 == unit["unit_id"])

    # -- achievements ------------------------------------------------------------
    def approved_record(self, person, unit, name, start="2012-08-01", end="2018-07-31"):
        record = self.post("/api/v1/records", person["token"], {
            "type": "work_history", "submit": True,
            "fields": {"unit_name": name, "start_date": start, "end_date": end,
                       "specialty": "中学语文", "position": "语文教师"}}, status=201)
        task = wait_for(lambda: next((t for t in self.unclaimed(unit, "record")
                                      if name in t["title"]), None))
        self.post(f"/api/v1/tasks/{task['id']}/decision", unit["token"], {"action": "approve"})
        wait_for(lambda: self.scalar("SELECT status FROM achievements.records WHERE id = :i",
                                     i=record["id"]) == "approved")
        return record["id"]

    # -- documents ---------------------------------------------------------------
    def upload(self, token, slot, file_name, data):
        ticket = self.post("/api/v1/files/uploads", token,
                           {"slot": slot, "file_name": file_name, "size": len(data)},
                           status=201)
        form = ticket["form"]
        sent = requests.post(form["url"], data=form["fields"],
                             files={"file": (file_name, data)}, timeout=30)
        assert sent.status_code in (200, 201, 204), sent.text
        return self.post(f"/api/v1/files/{ticket['file_id']}/complete", token)["id"]

    # -- declarations ------------------------------------------------------------
    def declare(self, person, plan):
        return self.call("POST", "/api/v1/declarations", person["token"], json={
            "plan_id": plan["id"], "form": "regular", "series": "中小学教师",
            "specialty": "中学语文", "title": "高级教师", "pledge_accepted": True})

    def task_of(self, unit, declaration_id):
        page = self.get("/api/v1/unit/declarations", unit["token"], params={"tab": "pending"})
        return next(i["task_id"] for i in page["items"] if i["id"] == declaration_id)

    def recommend(self, unit, declaration_id, **values):
        """单位推荐意见, which the employer fills in before it approves."""
        body = {"opinion": "同意推荐。", "occupies_post": "not_occupy",
                "post_note": "本单位非事业单位，不占用职数", **values}
        return self.ok(self.call("PUT", f"/api/v1/declarations/{declaration_id}/"
                                 "recommendation", unit["token"], json=body))

    def decide(self, unit, declaration_id, action="approve", opinion=None):
        task_id = self.task_of(unit, declaration_id)
        return self.post(f"/api/v1/tasks/{task_id}/decision", unit["token"],
                         {"action": action, "opinion": opinion})

    def status(self, person, declaration_id):
        return self.get(f"/api/v1/declarations/{declaration_id}", person["token"])["status"]


def test_declaration_climbs_the_chain_and_other_systems_hear_of_the_approval(platform,
                                                                           db_engine):
    flow = Flow(platform, db_engine)
    # An external system's own durable queue on the workflow exchange.
    with Connection(platform.config["AMQP_URI"]) as conn:
        Queue("hrss.declarations", exchange=event_exchange("workflow"),
              routing_key="declaration_approved", durable=True,
              auto_delete=False)(conn.channel()).declare()

    # The unit hierarchy: HR department, organiser, two competent departments, two units.
    ops = flow.operator()
    hr = flow.unit(ops, "hr", "合肥市人力资源和社会保障局")
    organiser = flow.unit(ops, "organiser", "合肥市中小学教师高级职称评审委员会办公室")
    edu = flow.unit(hr["token"], "competent", "合肥市教育局", parent=hr)
    health = flow.unit(hr["token"], "competent", "合肥市卫生健康委员会", parent=hr)
    school = flow.unit(hr["token"], "employer", "合肥市第一中学", parent=edu)
    hospital = flow.unit(hr["token"], "employer", "合肥市第一人民医院", parent=health)
    flow.post("/api/v1/ops/accounts", flow.security(), {"username": "hrss", "password": PASSWORD,
                                            "name": "省人社厅业务系统", "role": "system"},
              status=201)
    system = flow.login("hrss")

    # Persons bound to their units, with approved records.
    sun = flow.person("孙迪")
    flow.bind(sun, school)
    first = flow.approved_record(sun, school, "合肥市第八中学")
    second = flow.approved_record(sun, school, "合肥市第一中学", start="2018-08-01",
                                  end="2024-07-31")
    he = flow.person("何文")
    flow.bind(he, hospital)
    flow.approved_record(he, hospital, "合肥市第一人民医院")

    # The HR department publishes the plan; another plan of the same year too.
    year = dt.date.today().year
    on = dt.date.today()
    body = {
        "year": year, "name": f"{year}年度合肥市中小学教师系列高级职称评审",
        "committee": "合肥市中小学教师系列高级职称评审委员会", "level": "deputy_senior",
        "forms": ["regular"], "starts_on": (on - dt.timedelta(days=5)).isoformat(),
        "ends_on": (on + dt.timedelta(days=30)).isoformat(),
        "scope": [{"series": "中小学教师", "specialties": ["中学语文", "中学数学"],
                   "titles": ["高级教师"]}],
        "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                      "min": 1, "max": 2, "required": True}],
        "organiser_unit_id": organiser["unit_id"],
    }
    plan = flow.post("/api/v1/plans", hr["token"], body, status=201)
    plan = flow.post(f"/api/v1/plans/{plan['id']}/publish", hr["token"])
    other = flow.post("/api/v1/plans", hr["token"], {**body, "name": "第二批评审计划"},
                      status=201)
    other = flow.post(f"/api/v1/plans/{other['id']}/publish", hr["token"])
    assert [p["name"] for p in flow.get("/api/v1/plans", sun["token"],
                                        params={"year": year})["items"]] == \
        ["第二批评审计划", plan["name"]]

    # 马上申报; a second declaration in the same year is refused, whatever the plan.
    declared = flow.ok(flow.declare(sun, plan), 201)
    did = declared["id"]
    assert declared["pledge_text"].startswith("本人系 合肥市第一中学 专业技术人员")
    refused = flow.declare(sun, other)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "declaration.exists_this_year"

    # The check lists what fails; submission is refused.
    check = flow.get(f"/api/v1/declarations/{did}/check", sun["token"])
    assert not check["passed"]
    assert {r["code"] for r in check["rules"] if not r["passed"]} == {
        "personal", "titles", "section:work"}
    answer = flow.call("POST", f"/api/v1/declarations/{did}/submit", sun["token"])
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "declaration.ineligible"

    # Fill in: personal information, the existing title with its certificate, records.
    certificate = flow.upload(sun["token"], "qualification", "一级教师资格证书.pdf",
                              minimal_pdf())
    flow.ok(flow.call("PATCH", f"/api/v1/declarations/{did}/personal", sun["token"], json={
        "former_name": "无", "birthplace": "芜湖市", "work_years": 14, "specialty_years": 14}))
    flow.ok(flow.call("PUT", f"/api/v1/declarations/{did}/titles", sun["token"], json={
        "titles": [{"cert_no": "皖中教一2016-0001", "work_unit": "合肥市第一中学",
                    "series": "中小学教师", "specialty": "中学语文", "qualification": "一级教师",
                    "obtain_method": "评审", "evidence_file_ids": [certificate]}]}))
    flow.post(f"/api/v1/declarations/{did}/sections/work/items", sun["token"],
              {"record_ids": [first]}, status=201)
    # An imported record cannot be withdrawn while the declaration holds it.
    locked = flow.call("POST", f"/api/v1/records/{first}/withdraw", sun["token"], json={})
    assert locked.status_code == 409, locked.text
    assert flow.get(f"/api/v1/declarations/{did}/check", sun["token"])["passed"] is True
    submitted = flow.post(f"/api/v1/declarations/{did}/submit", sun["token"])
    assert [s["unit_name"] for s in submitted["chain"]] == [
        "合肥市第一中学", "合肥市教育局", "合肥市人力资源和社会保障局",
        "合肥市中小学教师高级职称评审委员会办公室"]

    # The school cannot pass it up before its recommendation (单位推荐意见).
    refused = flow.call("POST", f"/api/v1/tasks/{flow.task_of(school, did)}/decision",
                        school["token"], json={"action": "approve"})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "请先填写单位推荐意见，再审核通过"
    flow.recommend(school, did)

    # The school passes it up, recalls it before the department claims, passes it again.
    flow.decide(school, did)
    recalled = flow.post(f"/api/v1/declarations/{did}/recall", school["token"])
    assert recalled["unit_id"] == school["unit_id"]
    assert flow.get("/api/v1/unit/declarations", edu["token"])["total"] == 0
    flow.post(f"/api/v1/tasks/{recalled['task_id']}/decision", school["token"],
              {"action": "approve"})
    edu_task = flow.task_of(edu, did)
    flow.post(f"/api/v1/tasks/{edu_task}/claim", edu["token"])
    late = flow.call("POST", f"/api/v1/declarations/{did}/recall", school["token"])
    assert late.status_code == 409
    assert late.json()["error"]["message"] == "指定流程的当前状态不允许撤回"

    # The competent department returns it: straight back to the person.
    flow.decide(edu, did, "return", "请补充近五年的工作经历")
    returned = flow.get(f"/api/v1/declarations/{did}", sun["token"])
    assert returned["status_label"] == "退回"
    assert returned["opinion"] == "请补充近五年的工作经历"
    flow.post(f"/api/v1/declarations/{did}/sections/work/items", sun["token"],
              {"record_ids": [second]}, status=201)
    resubmitted = flow.post(f"/api/v1/declarations/{did}/submit", sun["token"])
    assert resubmitted["current_step_label"] == "单位审核"  # climbs from the unit again
    assert flow.get("/api/v1/unit/declarations", edu["token"],
                    params={"tab": "pending"})["total"] == 0

    # The other person's declaration: only the hospital's department sees it.
    hers = flow.ok(flow.declare(he, plan), 201)["id"]
    assert flow.call("GET", f"/api/v1/declarations/{did}", he["token"]).status_code == 404
    assert flow.call("GET", f"/api/v1/declarations/{hers}", sun["token"]).status_code == 404
    flow.ok(flow.call("PATCH", f"/api/v1/declarations/{hers}/personal", he["token"], json={
        "former_name": "无", "birthplace": "合肥市", "work_years": 10, "specialty_years": 10}))
    flow.ok(flow.call("PUT", f"/api/v1/declarations/{hers}/titles", he["token"], json={
        "titles": [{"cert_no": "皖卫2015-77", "work_unit": "合肥市第一人民医院",
                    "series": "中小学教师", "specialty": "中学语文", "qualification": "一级教师",
                    "obtain_method": "考试", "evidence_file_ids": [
                        flow.upload(he["token"], "qualification", "证书.pdf", minimal_pdf())]}]}))
    her_record = flow.scalar("SELECT id FROM achievements.records WHERE person_name = '何文'")
    flow.post(f"/api/v1/declarations/{hers}/sections/work/items", he["token"],
              {"record_ids": [her_record]}, status=201)
    flow.post(f"/api/v1/declarations/{hers}/submit", he["token"])
    flow.recommend(hospital, hers)
    flow.decide(hospital, hers)
    flow.decide(school, did)  # its recommendation stands after the return
    assert [i["id"] for i in flow.get("/api/v1/unit/declarations", edu["token"])["items"]] \
        == [did]
    assert [i["id"] for i in flow.get("/api/v1/unit/declarations", health["token"])["items"]] \
        == [hers]
    assert flow.call("GET", f"/api/v1/declarations/{hers}", edu["token"]).status_code == 404

    # 不通过 at the department: no new declaration for her this year.
    flow.decide(health, hers, "reject", "不满足申报条件")
    assert flow.status(he, hers) == "rejected"
    blocked = flow.declare(he, other)
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "declaration.rejected_this_year"

    # Every level approves his.
    for unit in (edu, hr, organiser):
        flow.decide(unit, did)
    assert flow.status(sun, did) == "approved"
    progress = flow.get(f"/api/v1/declarations/{did}/progress", sun["token"])
    assert [(s["label"], s["state"]) for s in progress["stages"]] == [
        ("申报", "done"), ("单位审核", "done"), ("主管部门", "done"), ("人社部门", "done"),
        ("组建单位", "done"), ("审核通过", "done")]
    history = [(e["step_label"], e["action_label"]) for e in
               flow.get(f"/api/v1/declarations/{did}/history", sun["token"])
               if e["kind"] == "review"]
    assert history == [
        ("个人申报", "提交"), ("单位审核", "通过"), ("单位审核", "撤回"), ("单位审核", "通过"),
        ("主管部门审核", "退回"), ("个人申报", "提交"), ("单位审核", "通过"),
        ("主管部门审核", "通过"), ("人社部门审核", "通过"), ("组建单位审核", "通过")]

    # Other systems: one declaration_approved on their queue, and in the replay feed.
    bodies = []
    with Connection(platform.config["AMQP_URI"]) as conn:
        queue = conn.SimpleQueue("hrss.declarations")
        message = queue.get(timeout=20)
        message.ack()
        bodies.append(message.payload)
        queue.close()
    # No second copy: once the relay has published every event workflow stored (each
    # confirmed by the broker), another copy would be waiting in the queue now.
    wait_for(lambda: flow.scalar("SELECT count(*) FROM workflow.outbox "
                                 "WHERE published_at IS NULL") == 0)
    with Connection(platform.config["AMQP_URI"]) as conn:
        waiting = conn.default_channel.queue_declare("hrss.declarations", passive=True)
    assert waiting.message_count == 0, waiting
    assert len(bodies) == 1, bodies
    [approved] = bodies
    assert approved["type"] == "declaration_approved"
    assert approved["data"]["declaration_id"] == did
    assert approved["data"]["person"]["name"] == "孙迪"
    assert approved["data"]["person"]["id_number"] == \
        sun["id_number"][:6] + "********" + sun["id_number"][-4:]
    assert approved["data"]["unit"]["name"] == "合肥市第一中学"
    assert approved["data"]["plan"]["year"] == year
    feed = flow.get("/api/v1/events", system, params={"source": "workflow",
                                                      "type": "declaration_approved"})
    assert [e["event_id"] for e in feed] == [approved["event_id"]]

    # The review has ended: the records are released and may be withdrawn again.
    wait_for(lambda: flow.call("POST", f"/api/v1/records/{first}/withdraw", sun["token"],
                               json={}).status_code == 200)
