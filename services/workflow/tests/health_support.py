"""Helpers of the health-series sections and printing tests: the fakes of
``declaration_support`` taught what these features ask of identity (the person's 申报人员
身份 and mobile), achievements (the person's approved records, to offer and import) and
documents (file metadata: slot, bundle and name of what is attached), a health-series
plan and a harness over the gateway."""
import copy
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import NotFound
from services.common.principal import Principal, PrincipalProvider
from services.common.rpc import rpc
from services.common.testing import signed
from services.workflow.declarations.logic.plans import today

from .declaration_support import (
    HEALTH,
    HR,
    ORGANISER,
    PERSONAL,
    PRINCIPALS,
    SCHOOL_B,
    UNITS,
    DeclarationHarness,
    FakeAchievements,
    FakeDocuments,
    FakeIdentity,
    World,
)

APPLICANT = "p3"          # 何文, bound to 合肥市第一人民医院 (SCHOOL_B)
APPLICANT_ID = 79
CHAIN_TOKENS = ("b1", "health", "hr", "org")   # employer → competent → HR → organiser
SERIES = "卫生技术人员"


class HealthWorld:
    identities = {}     # person_id -> applicant_identity (staff | other)
    files = {}          # file_id -> {slot, bundle, file_name, person_id}
    attached = []       # (file_id, subject_type, subject_id)
    detached = []
    _next_file = [5000]

    @classmethod
    def reset(cls):
        World.reset()
        cls.identities, cls.files, cls.attached, cls.detached = {}, {}, [], []
        cls._next_file = [5000]

    @classmethod
    def file(cls, slot, declaration_id, file_name=None, person_id=APPLICANT_ID, bundle=None):
        """A completed upload of the applicant (what documents would hold)."""
        cls._next_file[0] += 1
        file_id = cls._next_file[0]
        cls.files[file_id] = {
            "slot": slot, "person_id": person_id, "file_name": file_name or f"{slot}.pdf",
            "bundle": bundle if bundle is not None else f"declaration:{declaration_id}"}
        return file_id


def health_record(record_id, type_, title, *, person_id=APPLICANT_ID, status="approved",
                  **fields):
    """An achievement record with its fields and display (as achievements' detail)."""
    World.add_record(record_id, person_id, type_, title, status=status, **fields)
    record = World.records[record_id]
    record["type_label"] = {"work_history": "工作经历", "education": "教育经历"}.get(
        type_, record["type_label"])
    record["display"] = [{"key": k, "label": k, "kind": "text", "unit": "", "value": v}
                         for k, v in record["fields"].items()]
    return record_id


class HealthIdentity(FakeIdentity):
    name = "identity"

    @rpc
    def get_person_brief(self, person_id):
        brief = FakeIdentity.get_person_brief(self, person_id)
        brief.update(title_series="health", title_series_label=SERIES,
                     applicant_identity=HealthWorld.identities.get(person_id, "staff"),
                     applicant_identity_label="其他人员" if HealthWorld.identities.get(
                         person_id) == "other" else "事业编制人员",
                     mobile="13812341234", title_name="主治医师")
        return brief


class HealthAchievements(FakeAchievements):
    """Also ``list_records`` and ``get_record`` of the caller's records."""
    name = "achievements"
    principal = PrincipalProvider()

    @rpc
    def list_records(self, type=None, status=None, page=1, page_size=20, **query):
        person_id = self.principal.require().person_id
        found = [r for r in World.records.values() if r["person_id"] == person_id
                 and (type is None or r["type"] == type)
                 and (status in (None, "all") or r["status"] == status)]
        found.sort(key=lambda r: -r["id"])
        start = (page - 1) * page_size
        items = [{"id": r["id"], "type": r["type"], "type_label": r["type_label"],
                  "title": r["title"], "status": r["status"], "person_id": r["person_id"],
                  "columns": dict(r["fields"])} for r in found[start:start + page_size]]
        return {"items": items, "total": len(found), "page": page, "page_size": page_size}

    @rpc
    def get_record(self, record_id):
        caller = self.principal.require()
        record = World.records.get(record_id)
        if record is None or record["person_id"] != caller.person_id:
            raise NotFound("record.not_found", "业绩记录不存在")
        return copy.deepcopy(record)


class HealthDocuments(FakeDocuments):
    name = "documents"
    principal = PrincipalProvider()

    @rpc
    def attach(self, file_ids, subject_service, subject_type, subject_id):
        caller = self.principal.require()
        if not all(i in HealthWorld.files for i in file_ids):
            # the photo and title evidence of declaration_support
            return FakeDocuments.attach(self, file_ids, subject_service, subject_type,
                                        subject_id)
        missing = [i for i in file_ids if HealthWorld.files[i]["person_id"] != caller.person_id]
        if missing:
            raise NotFound("file.not_found", "文件不存在或不属于当前用户", {"file_ids": missing})
        result = []
        for file_id in file_ids:
            HealthWorld.attached.append((file_id, subject_type, subject_id))
            info = HealthWorld.files[file_id]
            result.append({"id": file_id, "slot": info["slot"], "bundle": info["bundle"],
                           "file_name": info["file_name"], "status": "completed"})
        return result

    @rpc
    def detach(self, file_ids, subject_service, subject_type, subject_id):
        for file_id in file_ids:
            HealthWorld.detached.append((file_id, subject_type, subject_id))
        return {"detached": len(file_ids)}


HEALTH_FAKES = (HealthIdentity, HealthAchievements, HealthDocuments)


def health_plan_body(level="deputy_senior", **overrides):
    on = today()
    body = {
        "year": on.year,
        "name": f"{on.year}年度重庆市卫生系列高级职称评审",
        "committee": "重庆市卫生系列高级职务评委会",
        "level": level,
        "forms": ["regular", "exceptional"],
        "starts_on": (on - dt.timedelta(days=10)).isoformat(),
        "ends_on": (on + dt.timedelta(days=20)).isoformat(),
        "scope": [{"series": SERIES, "specialties": ["内科学", "中医内科学", "护理学"],
                   "titles": ["副主任医师", "主治医师"]}],
        "content": "适用于全市卫生专业技术人员。",
        "interview": False,
        "sections": [{"code": "papers", "label": "论文著作", "types": ["paper"], "min": 0,
                      "max": 5, "required": False}],
        "organiser_unit_id": ORGANISER,
    }
    body.update(overrides)
    return body


def pdf(slot, did, name=None):
    return HealthWorld.file(slot, did, name)


class HealthHarness(DeclarationHarness):

    def health_plan(self, level="deputy_senior", **overrides):
        plan = self.ok(self.post("/api/v1/plans", "hr", health_plan_body(level, **overrides)),
                       201)
        return self.ok(self.post(f"/api/v1/plans/{plan['id']}/publish", "hr"))

    def health_declaration(self, plan, token=APPLICANT, title="副主任医师", specialty="内科学"):
        return self.ok(self.post("/api/v1/declarations", token, {
            "plan_id": plan["id"], "form": "regular", "series": SERIES,
            "specialty": specialty, "title": title, "pledge_accepted": True}), 201)

    def health(self, did, token=APPLICANT):
        return self.ok(self.get(f"/api/v1/declarations/{did}/health", token))

    def put_section(self, did, section, body, token=APPLICANT, status=200):
        answer = self.put(f"/api/v1/declarations/{did}/health/{section}", token, body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def check(self, did, token=APPLICANT):
        return self.ok(self.get(f"/api/v1/declarations/{did}/check", token))

    def personal_and_title(self, did, token=APPLICANT):
        self.ok(self.patch(f"/api/v1/declarations/{did}/personal", token,
                           {**PERSONAL, "photo_file_id": 7}))
        self.ok(self.put(f"/api/v1/declarations/{did}/titles", token, {"titles": [{
            "cert_no": "渝卫中2014-0331", "work_unit": UNITS[SCHOOL_B][0], "series": SERIES,
            "specialty": "内科学", "qualification": "主治医师", "obtain_method": "考试",
            "evidence_file_ids": [5]}]}))

    def rpc(self, token):
        """An RPC proxy on workflow as the principal of ``token``."""
        principal = Principal(**{**PRINCIPALS[token],
                                 "roles": tuple(PRINCIPALS[token]["roles"])})
        return ServiceRpcProxy("workflow", self.config, context_data=signed(principal))

    def approve_all(self, did, tokens=CHAIN_TOKENS, opinion="同意推荐。"):
        for token in tokens:
            self.decide(token, did, "approve", opinion)


def fill_everything(h, did, category="临床"):
    """Every section of a 副高 declaration, as a declarant fills it in."""
    h.put_section(did, "cover", {"form_category": category, "declaration_type": "正常晋升"})
    h.put_section(did, "basic", {
        "ethics_satisfaction": 96, "rural_support_years": 1.5,
        "research_direction": "心血管疾病介入诊疗", "continuing_education": "合格",
        "frontline": True, "aided_hubei": False, "phone": "13812341234",
        "current_title": "主治医师",
        "current_title_detail": "主治医师，2014-09-20，重庆市人力资源和社会保障局",
        "employed_title": "2014-12 聘用为主治医师", "years_in_title": "10",
        "practice_qualification": "2005-10，临床类别", "practice_certificate": "2006-03，内科专业",
        "specialty_work": "心内科临床工作", "admin_post": "无", "societies":
                "重庆市医学会心血管病分会委员",
        "education": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "临床医学",
                      "duration": "5年", "name": "大学本科", "certificate_no": "00010"},
        "degree": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "临床医学",
                   "duration": "5年", "name": "学士", "certificate_no": "00011"},
        "evidence": {"frontline": pdf("cq_frontline", did, "一线证明.pdf"),
                     "degree": pdf("cq_degree", did, "学历学位.pdf")}})
    h.put_section(did, "assessments", {"rows": [
        {"year": y, "result": r} for y, r in ((2023, "优秀"), (2019, "合格"), (2020, "合格"),
                                              (2021, "优秀"), (2022, "合格"))]})
    h.put_section(did, "study", {"rows": [
        {"period": "1999.09-2004.07", "content": "重庆医科大学临床医学本科学习",
         "place": "重庆市袁家岗", "certificate_no": "02001",
         "evidence_file_id": pdf("cq_training", did, "本科.pdf")},
        {"period": "2012.03-2012.09", "content": "四川大学华西医院心内科进修",
         "place": "四川省成都市", "certificate_no": "02201"}]})
    h.put_section(did, "work", {"rows": [
        {"period": f"{2004 + 2 * i}.07-{2006 + 2 * i}.06", "unit": f"合肥市第一人民医院心内科{i}",
         "work": "心内科临床", "title": "住院医师" if i < 3 else "主治医师"} for i in range(8)]})
    h.put_section(did, "achievements_before", {"rows": [
        {"period": "2010.01-2012.12", "name": "高血压社区管理模式研究",
         "role": "参加，负责数据收集，排名第3", "result": "已结题"}]})
    h.put_section(did, "achievements", {"rows": [
        {"period": "2019.01-2021.12", "name": "急性心梗绿色通道建设", "role": "主持，排名第1",
         "result": "获市科技进步三等奖", "evidence_file_id": pdf("cq_current_work", did,
                 "绿色通道.pdf")},
        {"period": "2020.03-2022.06", "name": "心衰患者随访管理", "role": "主持",
         "result": "已推广", "publicity": False,
         "evidence_file_id": pdf("cq_current_work", did, "随访.pdf")}]})
    view = h.health(did)
    workload = view["sections"]["workload"]
    rows = [{"id": r["id"], "item": r["item"], "values": ["12", "14", "16", "15", "18"]}
            for r in workload["rows"]]
    rows.append({"item": "义诊活动（次）", "values": ["1", "2", "2", "1", "3"], "publicity": False})
    h.put_section(did, "workload", {"rows": rows,
                                    "file_id": pdf("cq_workload", did, "工作量签字盖章.pdf")})
    h.put_section(did, "papers", {"rows": [
        {"date": "2020.05", "title": "急性心梗PCI术后随访研究", "content": "观察疗效",
         "venue": "《重庆医学》", "rank": "1",
         "evidence_file_id": pdf("cq_paper", did, "论文1.pdf")},
        {"date": "2022.11", "title": "心衰管理经验交流", "content": "总结经验",
         "venue": "全市学术年会交流", "rank": "2",
         "evidence_file_id": pdf("cq_paper", did, "论文2.pdf")}]})
    h.put_section(did, "exam", {"mode": "参加考试", "date": "2024-05-18", "specialty": "内科学",
                                "score": "78",
                                "evidence_file_id": pdf("cq_exam_score", did, "成绩.pdf")})
    h.put_section(did, "summary", {
        "work_summary_file_id": pdf("cq_work_summary", did, "工作总结.pdf"),
        "clinical_assessment_file_id": pdf("cq_clinical_assessment", did, "考核鉴定.pdf"),
        "frontline_assessment_file_id": pdf("cq_frontline_assessment", did, "一线鉴定.pdf"),
        "work_summary": "任现职以来坚持临床一线。", "assessment": "该同志临床能力强。"})
    h.put_section(did, "others", {"rows": [{"label": "对口支援证明",
                                            "file_id": pdf("cq_other", did, "支援证明.pdf")}]})
    h.put_section(did, "integrity", {"publicity_from": "2024-07-22",
                                     "publicity_to": "2024-07-28", "checked": [],
                                     "other": "无", "explanation": "无"})
    return h.health(did)


@pytest.fixture
def hw(runner_factory, service_config, web_config, web_session, db_engine):
    """Workflow + gateway + the health fakes over the real broker and database."""
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    HealthWorld.reset()
    config = {**service_config, **web_config}
    runner = runner_factory(config, *HEALTH_FAKES, WorkflowService, GatewayService)
    runner.start()
    return HealthHarness(web_session, config, db_engine)


__all__ = ["APPLICANT", "APPLICANT_ID", "HEALTH", "HR", "ORGANISER", "SCHOOL_B", "HealthWorld",
           "health_record", "fill_everything", "hw", "pdf"]
