"""Demo data for the run command, loaded through the gateway's HTTP API.

``python -m deploy.demo URL`` loads it (once; a second run adds nothing: every item is
looked up by its demo login first, every record by its type and title);
``python -m deploy.demo --logins`` prints the demo accounts. The first operator (系统管理员)
and the first security administrator (安全管理员) are created by ``bin/run`` with
``python -m services.identity.bootstrap`` before this runs; the security administrator
creates the demo auditor (审计员) through the API: three separate administrators, as
MLPS level 3 asks.

The bound person (吴康金, 卫生技术人员, 安徽省立医院) gets achievement records of several
types in every status (编辑中, 审核中, 审核通过, 退回, 终止), decided in the task center by
the hospital's admin (demo_slyy), a 卫生-专题 with its 病案列表, and public-course hours
(公需课) that the operator loads and the person extracts (来源 自动生成).
"""
import datetime as dt
import io
import sys
import time
import zipfile

import requests

from services.identity.logic.checks import id_check_char

PASSWORD = "Demo@2026"
OPERATOR = ("运维", "ops", PASSWORD)
SECURITY = ("安全管理员", "sec", PASSWORD)
# staff accounts the security administrator creates: (role, username, name)
STAFF = [("auditor", "audit", "审计员")]

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
    ("安全管理员", "sec", PASSWORD),
    ("审计", "audit", PASSWORD),
    ("人社部门", "demo_hr", PASSWORD),
    ("主管部门", "demo_wjw", PASSWORD),
    ("用人单位", "demo_slyy", PASSWORD),
    ("用人单位", "demo_hfyz", PASSWORD),
    ("申报人(已绑定)", PERSONS[0][3], PASSWORD),
    ("申报人(待审核)", PERSONS[1][3], PASSWORD),
    ("申报人(未绑定)", PERSONS[2][3], PASSWORD),
]


def bootstrap_admins(database_url):
    """What ``bin/run`` does before loading: the first operator and security administrator
    (``python -m services.identity.bootstrap``), idempotently."""
    from services.identity.bootstrap import bootstrap
    for (_label, username, password), role, name in ((OPERATOR, "operator", "运维管理员"),
                                                     (SECURITY, "security", "安全管理员")):
        bootstrap(database_url, username, password, name, role=role)


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
    sec = client.login(*SECURITY[1:])
    if sec is None:
        raise SystemExit("demo data: the security administrator 'sec' cannot log in; run the "
                         "bootstrap with --role security first")
    for role, username, name in STAFF:
        if client.login(username) is None:
            client.call("POST", "/api/v1/ops/accounts", sec, expect=(201,), json={
                "role": role, "username": username, "password": PASSWORD, "name": name})
            created += 1
    tokens, unit_ids = {"op": op, "sec": sec}, {}
    for key, kind, name, region, parent, username in UNITS:
        token = client.login(username)
        if token is None:
            creator = tokens["hr"] if key != "hr" else op
            client.call("POST", "/api/v1/units", creator, expect=(201,), json={
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
                    client.wait(lambda token=token: client.call(
                        "GET", "/api/v1/me/profile", token)["binding_status"] == "approved",
                        f"{name}的单位绑定")
        tokens[key] = token
    return tokens, unit_ids, created


def _days_ago(days):
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _case(number, name, admitted_days_ago, **over):
    return {"admission_no": number, "patient_name": name,
            "admission_date": _days_ago(admitted_days_ago),
            "discharge_date": _days_ago(admitted_days_ago - 9),
            "admission_diagnosis": "急性胸痛", "discharge_diagnosis": "急性ST段抬高型心肌梗死",
            "outcome": "急诊PCI术后好转出院", "surgery_category": "手术", **over}


def _topic_row(n):
    return {"admission_no": f"SLYY2023{n:04d}", "patient_name": f"患者{n:02d}",
            "gender": "男" if n % 2 else "女", "age": 45 + n, "group": "观察组",
            "admission_date": _days_ago(200 + 20 * n), "discharge_date": _days_ago(190 + 20 * n),
            "admission_diagnosis": "急性胸痛", "discharge_diagnosis": "冠心病"}


# The bound person's records: (type, fields, rows, status to reach, opinion).
# Types without required evidence, so that no file has to be uploaded.
RECORDS = [
    ("work_history", {"unit_name": "合肥市第二人民医院", "start_date": "2008-07-01",
                      "end_date": "2012-06-30", "specialty": "心血管内科",
                      "position": "住院医师"}, [], "approved", "同意"),
    ("work_history", {"unit_name": "安徽省立医院", "start_date": "2012-07-01",
                      "until_now": True, "specialty": "心血管内科", "position": "主治医师"},
     [], "draft", None),
    ("health_case", _case("ZY20230101", "陈建国", 120), [], "approved", "同意"),
    ("health_case", _case("ZY20230102", "刘淑芬", 150), [], "submitted", None),
    ("health_case", _case("ZY20230103", "杨晓东", 180, discharge_diagnosis="胸痛"), [],
     "returned", "出院诊断不完整，请补充后重新提交"),
    ("health_case", _case("ZY20230104", "黄丽华", 210), [], "terminated",
     "该病案与申报专业无关"),
    ("health_topic", {"topic_type": "三新专题", "template_entry": True,
                      "name": "胸痛中心急诊PCI绿色通道三新专题",
                      "description": "近五年急性心肌梗死急诊PCI病例"},
     [_topic_row(n) for n in range(1, 11)], "approved", "同意"),
    ("health_paper", {"title": "急性心肌梗死急诊PCI术后规范化管理", "template_entry": True,
                      "link": "https://www.cnki.net/kcms/detail/demo-pci",
                      "journal_no": "CN34-1065/R", "journal_name": "安徽医学",
                      "publish_date": "2022-05-20", "first_author": True,
                      "abstract": "总结急诊PCI术后规范化管理的经验。"},
     [_topic_row(11)], "submitted", None),
]
DECISIONS = {"approved": "approve", "returned": "return", "terminated": "terminate"}
# Upload places the catalogue requires at 提交 of the types above: (slot, file name).
REQUIRED_UPLOADS = {"health_topic": ("health_topic_check", "胸痛中心三新专题-查重.docx")}
# Public-course hours of the continuing-education platform for the bound person.
PUBLIC_HOURS = [(2021, "30"), (2022, "42")]


def _title(type_, fields):
    if type_ == "health_case":
        return fields["admission_no"]
    return fields.get("name") or fields.get("title") or fields.get("unit_name")


def _find(client, token, type_, title):
    page = client.call("GET", "/api/v1/records", token,
                       params={"type": type_, "q": title, "page_size": 200})
    return next((r for r in page["items"] if r["title"] == title), None)


def _record_status(client, token, record_id):
    return client.call("GET", f"/api/v1/records/{record_id}", token)["status"]


def load_records(client, tokens):
    """The bound person's records in every status; answers the number created."""
    # a fresh login: the session carries the approved binding
    person, admin = client.login(PERSONS[0][3]), tokens["hospital"]
    created = 0
    for type_, fields, rows, target, opinion in RECORDS:
        title = _title(type_, fields)
        record = _find(client, person, type_, title)
        if record is None:
            body = {"type": type_, "fields": fields}
            if type_ in REQUIRED_UPLOADS:  # a required upload place (卫生-专题's 查重文档附件)
                slot, file_name = REQUIRED_UPLOADS[type_]
                body["evidence_file_ids"] = [_upload(client, person, slot, file_name,
                                                     data=_docx())]
            record = client.call("POST", "/api/v1/records", person, expect=(201,), json=body)
            for row in rows:
                client.call("POST", f"/api/v1/records/{record['id']}/rows", person,
                            expect=(201,), json={"fields": row})
            if target != "draft":
                record = client.call("POST", f"/api/v1/records/{record['id']}/submit",
                                     person)
            created += 1
        if record["status"] == "submitted" and target in DECISIONS:
            task = client.wait_task(admin, title)
            client.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin,
                        json={"action": DECISIONS[target], "opinion": opinion})
            client.wait(lambda record=record, target=target: _record_status(
                client, person, record["id"]) == target, f"the decision on {title}")
    # 继续教育: the operator loads the platform's hours, the person extracts them
    id_number = PERSONS[0][3]
    loaded = client.call("POST", "/api/v1/continuing-education/hours", tokens["op"], json={
        "items": [{"id_number": id_number, "name": PERSONS[0][1], "year": year,
                   "hours": hours, "project": f"{year}年度专业技术人员继续教育公需课",
                   "organizer": "安徽省人力资源和社会保障厅",
                   "start_date": f"{year}-03-01", "end_date": f"{year}-11-30"}
                  for year, hours in PUBLIC_HOURS]})
    created += loaded["inserted"]
    created += client.call("POST", "/api/v1/records/extract", person)["created"]
    return created


# What a first load creates: units, persons, records, hours loaded and extracted.
FIRST_LOAD = (len(STAFF) + len(UNITS) + len(PERSONS) + len(RECORDS)
              + 2 * len(PUBLIC_HOURS))


# --------------------------------------------------------------------------- declarations
# An open plan of the demo HR department (demo_hr) for the 卫生技术人员 series; the
# hospital's confirmed post quota (岗位核准信息) of the year; two declarations of the
# hospital's doctors: 吴康金's recommended (占用职数), publicized (无异议) and approved by
# the hospital — now with the competent department (主管部门审核, demo_wjw) — and 陈立新's
# still with the hospital (单位审核, demo_slyy), waiting for its recommendation.

# (key, kind, name, region, admin username): the plan's committee organiser.
ORGANISER_UNIT = ("organiser", "organiser", "安徽省卫生系列高级职称评审委员会办公室", ANHUI,
                  "demo_wspw")
# (name, gender, ID number, mobile): one more doctor bound to the hospital.
DECLARANT = ("陈立新", "1", _id_number("34010419860415007"), "13955100004")
DEMO_ACCOUNTS.extend([
    ("评委会组建单位", ORGANISER_UNIT[4], PASSWORD),
    ("申报人(单位审核中)", DECLARANT[2], PASSWORD),
])
PLAN_SECTIONS = [
    {"code": "work", "label": "工作经历", "types": ["work_history"], "min": 1, "max": 5,
     "required": True},
    {"code": "continuing", "label": "继续教育", "types": ["continuing_education"], "min": 0,
     "max": 10, "required": False},
    {"code": "cases", "label": "卫生-病案", "types": ["health_case"], "min": 0, "max": 20,
     "required": False},
]
# What a first load of this part creates: the organiser, the doctor, his approved work
# history, the quota, the plan, two declarations, one recommendation, one publicity.
DECLARATIONS_LOAD = 9


def _pdf(title):
    import io

    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("Helvetica", 14)
    page.drawString(72, 760, title.encode("ascii", "replace").decode("ascii"))
    page.showPage()
    page.save()
    return out.getvalue()


def _photo(width=250, height=350):
    """A small JPEG portrait (the declaration's 照片): a grey silhouette on blue."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (60, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.5), fill=(235, 220, 200))
    draw.rectangle((width * 0.18, height * 0.55, width * 0.82, height), fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _docx():
    """A minimal Word document (what a 查重 place takes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def _upload(client, token, slot, file_name, bundle=None, data=None):
    """A file (by default a small PDF) uploaded straight to object storage, then
    completed."""
    data = _pdf(slot) if data is None else data
    body = {"slot": slot, "file_name": file_name, "size": len(data)}
    if bundle:
        body["bundle"] = bundle
    ticket = client.call("POST", "/api/v1/files/uploads", token, expect=(201,), json=body)
    form = ticket["form"]   # the signed upload form: the only way to upload
    sent = client.session.post(form["url"], data=form["fields"],
                               files={"file": (file_name, data)}, timeout=30)
    if sent.status_code not in (200, 201, 204):
        raise SystemExit(f"demo data: uploading {file_name} answered {sent.status_code}")
    return client.call("POST", f"/api/v1/files/{ticket['file_id']}/complete", token)["id"]


def _task(client, token, kind, person_name):
    """My unit's unclaimed task of ``kind`` for ``person_name`` (waits for it)."""
    return client.wait(lambda: next(iter(client.call(
        "GET", "/api/v1/tasks", token,
        params={"box": "unclaimed", "kind": kind, "q": person_name})["items"]), None),
        f"the {kind} task of {person_name}")


def _organiser(client, tokens):
    """The committee organiser (评委会组建单位) the plan names; (unit id, created)."""
    _key, kind, name, region, username = ORGANISER_UNIT
    token, created = client.login(username), 0
    if token is None:
        client.call("POST", "/api/v1/units", tokens["op"], expect=(201,), json={
            "name": name, "kind": kind, "nature": "institution", "region": region,
            "contact_name": "联系人", "contact_mobile": "13800000000",
            "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员"}})
        token, created = client.login(username), 1
    return client.call("GET", "/api/v1/auth/me", token)["unit"]["unit_id"], created


def _declarant(client, tokens, unit_ids, declarant=DECLARANT):
    """A doctor (陈立新 by default) bound to the hospital, with an approved work history;
    (token, created)."""
    name, gender, id_number, mobile = declarant
    admin, created = tokens["hospital"], 0
    token = client.login(id_number)
    if token is None:
        client.call("POST", "/api/v1/persons/register", expect=(201,), json={
            "real_name": name, "id_type": "resident_id", "id_number": id_number,
            "mobile": mobile, "password": PASSWORD, "gender": gender,
            "political_status": "01", "ethnicity": "01", "email": f"{mobile}@example.com",
            "address": "安徽省合肥市蜀山区", "work_start_date": "2009-07-01",
            "education": "21", "degree": "4", "title_series": "health",
            "is_freelancer": False})
        created += 1
        token = client.login(id_number)
    binding = client.call("GET", "/api/v1/me/profile", token)["binding_status"]
    if binding == "none":
        client.call("POST", "/api/v1/me/bindings", token, expect=(201,),
                    json={"unit_id": unit_ids["hospital"], "note": "本人为该单位在职职工"})
    if binding != "approved":
        task = _task(client, admin, "binding", name)
        client.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin,
                    json={"action": "approve", "opinion": "同意"})
        client.wait(lambda: client.call("GET", "/api/v1/me/profile", token)
                    ["binding_status"] == "approved", f"{name}的单位绑定")
        token = client.login(id_number)  # the session carries the approved binding
    title = "安徽省立医院"
    record = _find(client, token, "work_history", title)
    if record is None:
        record = client.call("POST", "/api/v1/records", token, expect=(201,), json={
            "type": "work_history", "submit": True,
            "fields": {"unit_name": title, "start_date": "2009-07-01", "until_now": True,
                       "specialty": "呼吸内科", "position": "主治医师"}})
        created += 1
    if record["status"] == "submitted":
        task = _task(client, admin, "record", name)
        client.call("POST", f"/api/v1/tasks/{task['id']}/decision", admin,
                    json={"action": "approve", "opinion": "同意"})
        client.wait(lambda: _record_status(client, token, record["id"]) == "approved",
                    f"{name}的工作经历审核")
    return token, created


def _quota(client, admin, year):
    """The hospital's (事业单位) post quota of the year, confirmed; answers 1 if created."""
    found = client.call("GET", "/api/v1/unit/post-quotas", admin, params={"year": year})
    if found["items"]:
        if not found["items"][0]["confirmed"]:
            client.call("POST", f"/api/v1/unit/post-quotas/{found['items'][0]['id']}/confirm",
                        admin)
        return 0
    form = _upload(client, admin, "post_quota_form", f"{year}年度岗位核准表.pdf")
    client.call("POST", "/api/v1/unit/post-quotas", admin, expect=(201,), json={
        "year": year, "senior": 2, "deputy_senior": 5, "intermediate": 10, "junior": None,
        "form_file_id": form, "confirm": True})
    return 1


def _plan(client, hr, organiser_id):
    """The HR department's open plan for the 卫生技术人员 series; (plan, created)."""
    on = dt.date.today()
    name = f"{on.year}年度安徽省卫生系列高级专业技术资格评审"
    page = client.call("GET", "/api/v1/plans", hr,
                       params={"mine": "true", "year": on.year, "page_size": 200})
    plan = next((p for p in page["items"] if p["name"] == name), None)
    created = 0
    if plan is None:
        plan = client.call("POST", "/api/v1/plans", hr, expect=(201,), json={
            "year": on.year, "name": name, "committee": "安徽省卫生系列高级职称评审委员会",
            "level": "deputy_senior", "forms": ["regular", "exceptional"],
            "starts_on": (on - dt.timedelta(days=15)).isoformat(),
            "ends_on": (on + dt.timedelta(days=60)).isoformat(),
            "scope": [{"series": "卫生技术人员",
                       "specialties": ["心血管内科", "呼吸内科", "普通外科", "儿科"],
                       "titles": ["副主任医师"]}],
            "content": "适用于全省各级各类医疗卫生机构从事卫生专业技术工作的人员。",
            "contact_name": "专业技术人员管理处", "contact_phone": "0551-65329082",
            "titles_required": False, "sections": PLAN_SECTIONS,
            "organiser_unit_id": organiser_id})
        created = 1
    if plan["status"] != "published":
        plan = client.call("POST", f"/api/v1/plans/{plan['id']}/publish", hr)
    return plan, created


def _fill_health(client, token, did, mobile):
    """Every 卫生系列 section of the review form (评审表), with the PDFs they require."""
    bundle = f"declaration:{did}"
    base = f"/api/v1/declarations/{did}/health"

    def put(code, body):
        return client.call("PUT", f"{base}/{code}", token, json=body)

    def upload(slot, name):
        return _upload(client, token, slot, name, bundle)

    year = dt.date.today().year
    put("cover", {"form_category": "临床", "declaration_type": "正常晋升"})
    school = {"school": "安徽医科大学", "major": "临床医学", "duration": "5年",
              "graduated_on": "2009-07", "certificate_no": "103661200905000123"}
    put("basic", {
        "ethics_satisfaction": 98, "rural_support_years": 1, "continuing_education": "合格",
        "research_direction": "冠心病介入治疗", "frontline": False, "aided_hubei": False,
        "phone": mobile, "current_title": "主治医师",
        "current_title_detail": "主治医师，2016年取得，安徽省卫生健康委员会",
        "employed_title": "2016年12月聘用为主治医师", "years_in_title": "8",
        "practice_qualification": "2010年取得执业医师资格，临床类别",
        "practice_certificate": "2010年取得医师执业证书，执业范围：内科专业",
        "specialty_work": "内科临床医疗工作", "admin_post": "无",
        "societies": "安徽省医学会内科学分会青年委员",
        "education": {**school, "name": "大学本科"}, "degree": {**school, "name": "医学学士"}})
    put("assessments", {"rows": [{"year": y, "result": "合格"} for y in range(year - 3, year)]})
    put("study", {"rows": [{"period": "2004.09-2009.07", "content": "安徽医科大学临床医学专业学习",
                            "place": "合肥市", "certificate_no": "103661200905000123"}]})
    put("work", {"rows": [{"period": "2009.07-至今", "unit": "安徽省立医院",
                           "work": "内科临床医疗工作", "title": "主治医师"}]})
    put("achievements_before", {"rows": [{
        "period": "2012.01-2015.12", "name": "心内科介入诊疗技术规范化培训项目",
        "role": "主要参与，排名第二", "result": "培训基层医师40余名"}]})
    put("achievements", {"rows": [{
        "period": "2019.01-2021.12", "name": "急性心肌梗死急诊救治绿色通道建设",
        "role": "主要参与，排名第三", "result": "院内急诊救治时间缩短30%",
        "evidence_file_id": upload("cq_current_work", "业绩印证材料.pdf")}]})
    view = client.call("GET", base, token)
    workload = view["sections"]["workload"]
    # every other workload item is shown on the 公示表 (the applicant ticks them)
    put("workload", {"years": workload["years"], "file_id": upload("cq_workload", "工作量.pdf"),
                     "rows": [{"id": row["id"], "item": row["item"], "publicity": i % 2 == 0,
                               "values": ["120"] * len(workload["years"])}
                              for i, row in enumerate(workload["rows"])]})
    put("papers", {"rows": [{
        "date": "2022.05", "title": "急性心肌梗死急诊PCI术后规范化管理",
        "content": "总结急诊PCI术后规范化管理的经验", "venue": "安徽医学，2022年第5期",
        "rank": "1", "evidence_file_id": upload("cq_paper", "论文.pdf")}]})
    if view["exam_applicable"]:  # 副高 only
        put("exam", {"mode": "参加考试", "date": f"{year}-05-18",
                     "name": "卫生高级专业技术资格考试", "specialty": "内科学", "score": "82",
                     "organiser": "安徽省卫生健康委员会",
                     "evidence_file_id": upload("cq_exam_score", "成绩证明.pdf")})
    put("summary", {"work_summary_file_id": upload("cq_work_summary", "工作总结.pdf"),
                    "clinical_assessment_file_id": upload("cq_clinical_assessment",
                                                          "临床能力考核鉴定.pdf")})
    put("others", {"rows": [{"label": "进修结业证书",
                             "file_id": upload("cq_other", "进修结业证书.pdf")}]})
    # 查档情况: required for 其他人员 only; filled in here so that the form shows it
    put("archive", {"content": view["archive_template"],
                    "file_id": upload("cq_archive_check", "查档情况.pdf")})
    on = dt.date.today()
    put("integrity", {"publicity_from": (on - dt.timedelta(days=12)).isoformat(),
                      "publicity_to": (on - dt.timedelta(days=6)).isoformat(),
                      "checked": [], "other": "无", "explanation": "无"})


def _approved_ids(client, token, type_):
    page = client.call("GET", "/api/v1/records", token,
                       params={"type": type_, "status": "approved", "page_size": 200})
    return [r["id"] for r in page["items"]]


def _declare(client, token, plan, specialty, mobile, title="副主任医师"):
    """The person's declaration of the plan, filled in (every section of the health
    series' review form, with a photo) and submitted; (it, created)."""
    page = client.call("GET", "/api/v1/declarations", token, params={"page_size": 200})
    found = next((d for d in page["items"] if d["plan"]["id"] == plan["id"]), None)
    created = 0
    if found is None:
        found = client.call("POST", "/api/v1/declarations", token, expect=(201,), json={
            "plan_id": plan["id"], "form": "regular", "series": "卫生技术人员",
            "specialty": specialty, "title": title, "pledge_accepted": True})
        created = 1
    did = found["id"]
    if found["status"] == "draft":
        client.call("PATCH", f"/api/v1/declarations/{did}/personal", token, json={
            "former_name": "无", "ethnicity": "汉族", "birthplace": "安徽省合肥市",
            "work_start_date": "2009-07-01", "work_years": 15, "specialty_years": 15,
            "political_status": "中共党员", "health": "健康",
            "photo_file_id": _upload(client, token, "photo", "照片.jpg",
                                     f"declaration:{did}", _photo())})
        detail = client.call("GET", f"/api/v1/declarations/{did}", token)
        held = {item["record_id"] for s in detail["sections"] for item in s["items"]}
        for section in PLAN_SECTIONS:
            wanted = [rid for type_ in section["types"]
                      for rid in _approved_ids(client, token, type_) if rid not in held]
            wanted = wanted[:section["max"]]
            if wanted:
                client.call("POST", f"/api/v1/declarations/{did}/sections/{section['code']}"
                            "/items", token, expect=(201,), json={"record_ids": wanted})
        _fill_health(client, token, did, mobile)
        check = client.call("GET", f"/api/v1/declarations/{did}/check", token)
        if not check["passed"]:
            raise SystemExit("demo data: the declaration check failed: " + "；".join(
                r["message"] for r in check["rules"] if not r["passed"]))
        found = client.call("POST", f"/api/v1/declarations/{did}/submit", token)
    return found, created


def _recommend_and_approve(client, admin, did):
    """The hospital recommends (占用职数), publicizes (无异议) and approves."""
    created = 0
    screen = client.call("GET", f"/api/v1/declarations/{did}/recommendation", admin)
    if screen["recommendation"] is None and screen["may_recommend"]:
        scan = _upload(client, admin, "rec_opinion", "单位推荐意见.pdf")
        proof = _upload(client, admin, "rec_publicity", "申报材料公示情况及证明.pdf")
        client.call("PUT", f"/api/v1/declarations/{did}/recommendation", admin, json={
            "opinion": "该同志思想政治表现良好，业务能力突出，同意推荐。", "signer": "院长",
            "signed_on": dt.date.today().isoformat(), "occupies_post": "occupy",
            "material_file_ids": [scan, proof]})
        created += 1
    if screen["publicity"] is None:
        on = dt.date.today()
        client.call("PUT", f"/api/v1/declarations/{did}/publicity", admin, json={
            "starts_on": (on - dt.timedelta(days=12)).isoformat(),
            "ends_on": (on - dt.timedelta(days=6)).isoformat(),
            "result": "no_objection", "note": "公示期满，无异议"})
        created += 1
    pending = client.call("GET", "/api/v1/unit/declarations", admin,
                          params={"tab": "pending", "page_size": 200})["items"]
    task_id = next((d["task_id"] for d in pending if d["id"] == did), None)
    if task_id is not None:
        client.call("POST", f"/api/v1/tasks/{task_id}/decision", admin,
                    json={"action": "approve", "opinion": "同意推荐"})
    return created


def load_declarations(client, tokens, unit_ids):
    """The plan, the hospital's quota and two declarations at two levels; answers the
    number of items created."""
    organiser_id, created = _organiser(client, tokens)
    chen, count = _declarant(client, tokens, unit_ids)
    created += count
    admin = tokens["hospital"]
    plan, count = _plan(client, tokens["hr"], organiser_id)
    created += count
    created += _quota(client, admin, plan["year"])
    wu = client.login(PERSONS[0][3])
    at_department, count = _declare(client, wu, plan, "心血管内科", PERSONS[0][4])
    created += count
    created += _recommend_and_approve(client, admin, at_department["id"])
    _declaration, count = _declare(client, chen, plan, "呼吸内科", DECLARANT[3])
    created += count
    return created


def load(gateway_url):
    client = Client(gateway_url)
    tokens, unit_ids, created = load_identity(client)
    created += load_records(client, tokens)
    created += load_declarations(client, tokens, unit_ids)
    return created


def main(argv):
    if argv and argv[0] == "--logins":
        print(f"  Demo logins (password for all: {PASSWORD}):")
        for role, username, _password in DEMO_ACCOUNTS:
            print(f"    {role:<14} {username}")
        return
    url = argv[0] if argv else "http://127.0.0.1:8000"
    created = load(url)
    print(f"demo data: {created} new items")


if __name__ == "__main__":
    main(sys.argv[1:])
