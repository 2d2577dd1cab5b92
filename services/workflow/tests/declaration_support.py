"""Helpers of the plan and declaration tests: small fake identity, achievements and
documents services with a unit hierarchy, persons and approved records the tests can
change, and a harness that drives the workflow service through the gateway."""
import copy
import datetime as dt

import pytest

from services.common.errors import Conflict, NotFound, Unauthenticated
from services.common.principal import OPERATOR, PERSON, SYSTEM, UNIT_ADMIN
from services.common.rpc import rpc
from services.workflow.declarations.logic.plans import today

from .support import Harness, auth, name_of

# Units: two schools under two competent departments under one HR department; the
# committee organiser on its own; a school whose 属地 is incomplete.
SCHOOL_A, SCHOOL_B, SCHOOL_C = 10, 11, 12
EDU, HEALTH = 20, 21
HR = 30
ORGANISER = 40
UNITS = {
    SCHOOL_A: ("合肥市第一中学", "employer", EDU, True),
    SCHOOL_B: ("合肥市第一人民医院", "employer", HEALTH, True),
    SCHOOL_C: ("合肥市第三中学", "employer", EDU, False),
    EDU: ("合肥市教育局", "competent", HR, True),
    HEALTH: ("合肥市卫生健康委员会", "competent", HR, True),
    HR: ("合肥市人力资源和社会保障局", "hr", None, True),
    ORGANISER: ("合肥市中小学教师高级职称评审委员会办公室", "organiser", None, True),
}

PRINCIPALS = {
    "hr": {"account_id": 301, "roles": [UNIT_ADMIN], "unit_id": HR, "name": "钱芳",
           "extra": {"unit_kind": "hr"}},
    "org": {"account_id": 401, "roles": [UNIT_ADMIN], "unit_id": ORGANISER, "name": "周平",
            "extra": {"unit_kind": "organiser"}},
    "a1": {"account_id": 101, "roles": [UNIT_ADMIN], "unit_id": SCHOOL_A, "name": "王敏",
           "extra": {"unit_kind": "employer"}},
    "a2": {"account_id": 102, "roles": [UNIT_ADMIN], "unit_id": SCHOOL_A, "name": "李强",
           "extra": {"unit_kind": "employer"}},
    "b1": {"account_id": 111, "roles": [UNIT_ADMIN], "unit_id": SCHOOL_B, "name": "吴刚",
           "extra": {"unit_kind": "employer"}},
    "edu": {"account_id": 201, "roles": [UNIT_ADMIN], "unit_id": EDU, "name": "赵刚",
            "extra": {"unit_kind": "competent"}},
    "health": {"account_id": 211, "roles": [UNIT_ADMIN], "unit_id": HEALTH, "name": "孙丽",
               "extra": {"unit_kind": "competent"}},
    "p1": {"account_id": 501, "roles": [PERSON], "person_id": 77, "unit_id": SCHOOL_A,
           "name": "孙迪"},
    "p2": {"account_id": 502, "roles": [PERSON], "person_id": 78, "unit_id": SCHOOL_A,
           "name": "秦程"},
    "p3": {"account_id": 503, "roles": [PERSON], "person_id": 79, "unit_id": SCHOOL_B,
           "name": "何文"},
    "p4": {"account_id": 504, "roles": [PERSON], "person_id": 80, "unit_id": None,
           "name": "高彬彬"},
    "p5": {"account_id": 505, "roles": [PERSON], "person_id": 81, "unit_id": SCHOOL_C,
           "name": "王小龙"},
    "op": {"account_id": 1, "roles": [OPERATOR], "name": "运维"},
    "sys": {"account_id": 2, "roles": [SYSTEM], "name": "省人社厅业务系统"},
}
ID_NUMBERS = {77: "340104199001010021", 78: "340104199203040016", 79: "34010419850707001X",
              80: "340104199505050013", 81: "340104198808080017"}
PERSON_TOKENS = {p["person_id"]: token for token, p in PRINCIPALS.items() if p.get("person_id")}


class World:
    """What the fakes know; reset before each test."""
    bindings = {}
    records = {}
    locks = set()
    attached = []
    natures = {}       # unit id → identity's unit nature (default: 机关 "organ")
    file_slots = {}    # file id → the documents slot it was uploaded to

    @classmethod
    def reset(cls):
        cls.bindings = {pid: PRINCIPALS[token].get("unit_id")
                        for pid, token in PERSON_TOKENS.items()}
        cls.records = {}
        cls.locks = set()
        cls.attached = []
        cls.natures = {}
        cls.file_slots = {}

    @classmethod
    def add_record(cls, record_id, person_id, type_, title, status="approved", **fields):
        cls.records[record_id] = {
            "id": record_id, "person_id": person_id, "type": type_,
            "type_label": {"paper": "论文发表情况", "patent": "专利著作权",
                           "research_project": "科研（基金）项目",
                           "annual_assessment": "年度考核"}.get(type_, type_),
            "title": title, "status": status, "fields": {"title": title, **fields},
        }
        return record_id

    @classmethod
    def locked(cls, declaration_id):
        return sorted(r for r, d in cls.locks if d == declaration_id)


class FakeIdentity:
    name = "identity"

    @rpc
    def authenticate(self, token):
        token = name_of(token)
        if token not in PRINCIPALS:
            raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
        principal = dict(PRINCIPALS[token])
        if principal.get("person_id"):
            principal["unit_id"] = World.bindings.get(principal["person_id"])
        return {"session_id": f"s-{token}", **principal}

    @rpc
    def may_submit(self, person_id):
        unit_id = World.bindings.get(person_id)
        if unit_id is None:
            return {"allowed": False, "unit_id": None, "unit_name": None,
                    "reason": "您尚未绑定工作单位或绑定申请尚未审核通过，暂不能提交"}
        return {"allowed": True, "unit_id": unit_id, "unit_name": UNITS[unit_id][0],
                "reason": None}

    @rpc
    def get_person_brief(self, person_id):
        token = PERSON_TOKENS[person_id]
        unit_id = World.bindings.get(person_id)
        return {"person_id": person_id, "name": PRINCIPALS[token]["name"],
                "unit_id": unit_id, "unit_name": UNITS[unit_id][0] if unit_id else None,
                "title_series": "中小学教师", "gender": "male", "gender_label": "男",
                "birth_date": "1990-01-01", "id_type": "resident_id",
                "id_type_label": "居民身份证", "id_number": ID_NUMBERS[person_id],
                "former_name": "无", "ethnicity_label": "汉族",
                "political_status_label": "群众", "work_start_date": "2012-08-01",
                "education_label": "大学本科", "degree_label": "学士", "title_name": "一级教师"}

    @rpc
    def declarant(self, person_id):
        """As identity's: may_submit, the bound unit's path when it may submit, the brief."""
        binding = self.may_submit(person_id)
        return {"binding": binding,
                "unit_path": self.unit_path(binding["unit_id"]) if binding["allowed"] else [],
                "brief": self.get_person_brief(person_id)}

    @rpc
    def get_unit(self, unit_id):
        """A unit with its nature (identity answers the units the caller may see)."""
        if unit_id not in UNITS:
            raise NotFound("unit.not_found", "单位不存在")
        name, kind, parent, complete = UNITS[unit_id]
        return {"unit_id": unit_id, "name": name, "kind": kind, "parent_unit_id": parent,
                "region_complete": complete,
                "nature": World.natures.get(unit_id, "organ")}

    @rpc
    def unit_path(self, unit_id):
        path = []
        while unit_id is not None:
            name, kind, parent, complete = UNITS[unit_id]
            path.append({"unit_id": unit_id, "name": name, "kind": kind,
                         "region_complete": complete, "status": "approved"})
            unit_id = parent
        return path

    @rpc
    def health(self):
        return {"service": "identity", "status": "ok"}


class FakeAchievements:
    """lock_records / unlock_records as the achievements service answers them."""
    name = "achievements"

    @rpc
    def lock_records(self, record_ids, declaration_id, person_id=None):
        missing = [i for i in record_ids if i not in World.records
                   or World.records[i]["person_id"] != person_id]
        if missing:
            raise NotFound("record.not_found", "业绩记录不存在", {"record_ids": missing})
        not_approved = [i for i in record_ids if World.records[i]["status"] != "approved"]
        if not_approved:
            raise Conflict("record.not_approved", "只能导入审核通过的业绩",
                           {"record_ids": not_approved})
        for record_id in record_ids:
            World.locks.add((record_id, declaration_id))
        return [copy.deepcopy(World.records[i]) for i in record_ids]

    @rpc
    def unlock_records(self, record_ids, declaration_id):
        released = sorted(r for r, d in World.locks if d == declaration_id
                          and (record_ids is None or r in record_ids))
        World.locks -= {(r, declaration_id) for r in released}
        return {"declaration_id": declaration_id, "record_ids": released}

    @rpc
    def health(self):
        return {"service": "achievements", "status": "ok"}


class FakeDocuments:
    name = "documents"

    @rpc
    def attach(self, file_ids, subject_service, subject_type, subject_id):
        if 999 in file_ids:
            raise NotFound("file.not_found", "文件不存在或不属于当前用户", {"file_ids": [999]})
        World.attached.append((tuple(file_ids), subject_service, subject_type,
                               str(subject_id)))
        return [{"id": i, "slot": World.file_slots.get(i)} for i in file_ids]

    @rpc
    def detach(self, file_ids, subject_service, subject_type, subject_id):
        World.attached.append((("detach",) + tuple(file_ids), subject_service, subject_type,
                               str(subject_id)))
        return {"detached": len(file_ids)}

    @rpc
    def health(self):
        return {"service": "documents", "status": "ok"}


FAKES = (FakeIdentity, FakeAchievements, FakeDocuments)


def plan_body(**overrides):
    """A plan in the seed's words, open today."""
    on = today()
    body = {
        "year": on.year,
        "name": f"{on.year}年度合肥市中小学教师系列高级职称评审",
        "committee": "合肥市中小学教师系列高级职称评审委员会",
        "level": "deputy_senior",
        "forms": ["regular", "exceptional"],
        "starts_on": (on - dt.timedelta(days=10)).isoformat(),
        "ends_on": (on + dt.timedelta(days=20)).isoformat(),
        "scope": [{"series": "中小学教师", "specialties": ["中学语文", "中学数学", "小学语文"],
                   "titles": ["高级教师"]}],
        "content": "适用于全市各类中小学从事教育教学工作的专业技术人员。",
        "contact_name": "钱芳",
        "contact_phone": "0551-65329082",
        "interview": True,
        "sections": [
            {"code": "assessment", "label": "年度考核", "types": ["annual_assessment"],
             "min": 0, "max": None, "required": True},
            {"code": "papers", "label": "教研科研条件", "types": ["paper", "research_project"],
             "min": 1, "max": 3, "required": False},
        ],
        "organiser_unit_id": ORGANISER,
    }
    body.update(overrides)
    return body


PERSONAL = {"former_name": "无", "ethnicity": "汉族", "birthplace": "芜湖市",
            "work_start_date": "2012-08-01", "work_years": 12, "specialty_years": 12,
            "political_status": "群众", "health": "健康"}
TITLE = {"cert_no": "皖中教一2016-0001", "work_unit": "合肥市第一中学", "series": "中小学教师",
         "specialty": "中学语文", "qualification": "一级教师", "obtain_method": "评审",
         "evidence_file_ids": [5]}


class DeclarationHarness(Harness):
    def patch(self, path, token, json=None):
        return self.http.patch(path, headers=auth(token), json=json or {})

    def put(self, path, token, json=None):
        return self.http.put(path, headers=auth(token), json=json or {})

    def delete(self, path, token, **kwargs):
        return self.http.delete(path, headers=auth(token), **kwargs)

    def ok(self, answer, status=200):
        assert answer.status_code == status, answer.text
        return answer.json()

    def error(self, answer, status):
        assert answer.status_code == status, answer.text
        return answer.json()["error"]

    # -- plans ---------------------------------------------------------------
    def published_plan(self, token="hr", **overrides):
        plan = self.ok(self.post("/api/v1/plans", token, plan_body(**overrides)), 201)
        return self.ok(self.post(f"/api/v1/plans/{plan['id']}/publish", token))

    # -- declarations --------------------------------------------------------
    def declare(self, plan_id, token="p1", specialty="中学语文", form="regular"):
        return self.post("/api/v1/declarations", token, {
            "plan_id": plan_id, "form": form, "series": "中小学教师", "specialty": specialty,
            "title": "高级教师", "pledge_accepted": True})

    def fill(self, declaration_id, token="p1", person_id=77, records=((1, "annual_assessment"),
                                                                       (2, "paper"))):
        """Personal information, an existing title and one record per section."""
        self.ok(self.patch(f"/api/v1/declarations/{declaration_id}/personal", token, PERSONAL))
        self.ok(self.put(f"/api/v1/declarations/{declaration_id}/titles", token,
                         {"titles": [TITLE]}))
        sections = {"annual_assessment": "assessment", "paper": "papers",
                    "research_project": "papers"}
        for record_id, type_ in records:
            if record_id not in World.records:
                World.add_record(record_id, person_id, type_, f"{type_}-{record_id}")
            self.ok(self.post(f"/api/v1/declarations/{declaration_id}/sections/"
                              f"{sections[type_]}/items", token,
                              {"record_ids": [record_id]}), 201)

    def submitted(self, plan_id, token="p1", person_id=77, records=((1, "annual_assessment"),
                                                                      (2, "paper"))):
        declaration = self.ok(self.declare(plan_id, token), 201)
        self.fill(declaration["id"], token, person_id, records)
        return self.ok(self.post(f"/api/v1/declarations/{declaration['id']}/submit", token))

    def task_of(self, token, declaration_id):
        """The open task of the token's unit on the declaration (from the unit list)."""
        page = self.ok(self.get("/api/v1/unit/declarations", token, params={"tab": "pending"}))
        item = next(i for i in page["items"] if i["id"] == declaration_id)
        return item["task_id"]

    def recommend(self, token, declaration_id, **values):
        """保存单位推荐意见 (the employer's, required before it approves)."""
        body = {"opinion": "同意推荐。", "occupies_post": "not_occupy",
                "post_note": "编外人员，不占用职数", **values}
        return self.put(f"/api/v1/declarations/{declaration_id}/recommendation", token, body)

    def decide(self, token, declaration_id, action="approve", opinion=None):
        """Decide the token's unit's task; an employer approving recommends first if it
        has not yet (单位推荐意见 is required before its approval)."""
        task_id = self.task_of(token, declaration_id)
        if action == "approve" and PRINCIPALS[token]["extra"]["unit_kind"] == "employer":
            screen = self.ok(self.get(f"/api/v1/declarations/{declaration_id}/"
                                      "recommendation", token))
            if screen["recommendation"] is None:
                self.ok(self.recommend(token, declaration_id))
        return self.ok(self.post(f"/api/v1/tasks/{task_id}/decision", token,
                                 {"action": action, "opinion": opinion}))

    def events(self, type_, declaration_id=None):
        sql = "SELECT data FROM workflow.outbox WHERE type = :t"
        if declaration_id is not None:
            sql += " AND subject = :s"
        return [row.data for row in self.rows(sql + " ORDER BY sequence", t=type_,
                                              s=f"declaration:{declaration_id}")]


@pytest.fixture
def dw(runner_factory, service_config, web_config, web_session, db_engine):
    """Workflow + gateway + fake identity, achievements and documents over the real
    broker and database."""
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    World.reset()
    config = {**service_config, **web_config}
    runner = runner_factory(config, *FAKES, WorkflowService, GatewayService)
    runner.start()
    return DeclarationHarness(web_session, config, db_engine)
