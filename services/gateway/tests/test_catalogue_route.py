"""GET /api/v1/achievement-types through real HTTP and RabbitMQ: the gateway and the real
achievements, workflow and documents services, with identity replaced by a fake that
knows three tokens."""
import json

import pytest

from services.achievements.catalogue import describe
from services.common.principal import PERSON, UNIT_ADMIN
from services.common.rpc import rpc

from .fakes import name_of, signed

PATH = "/api/v1/achievement-types"
HEALTH = ["health_case", "health_topic", "health_paper", "health_review",
          "health_masterpiece"]


class FakeIdentity:
    name = "identity"

    @rpc
    def authenticate(self, token):
        return {
            "person-token": {"account_id": 2, "roles": [PERSON], "person_id": 5,
                             "name": "张三"},
            "doctor-token": {"account_id": 4, "roles": [PERSON], "person_id": 6,
                             "name": "李医生"},
            "admin-token": {"account_id": 3, "roles": [UNIT_ADMIN], "unit_id": 7,
                            "name": "单位管理员", "extra": {"unit_kind": "employer"}},
        }.get(name_of(token))

    @rpc
    def get_person_brief(self, person_id):
        series = {5: ("engineering", "工程技术人员"), 6: ("health", "卫生技术人员")}[person_id]
        return {"person_id": person_id, "title_series": series[0],
                "title_series_label": series[1]}

    @rpc
    def health(self):
        return {"status": "ok"}


@pytest.fixture
def http(runner_factory, service_config, web_config, web_session):
    from services.achievements.service import AchievementsService
    from services.documents.service import DocumentsService
    from services.gateway.service import GatewayService
    from services.workflow.service import WorkflowService

    runner = runner_factory({**service_config, **web_config}, FakeIdentity,
                            AchievementsService, WorkflowService, DocumentsService,
                            GatewayService)
    runner.start()
    return web_session


def get(http, token=None, **params):
    headers = {"Authorization": f"Bearer {signed(token)}"} if token else {}
    return http.get(PATH, params=params, headers=headers)


def test_a_token_is_required(http):
    answer = get(http)
    assert answer.status_code == 401
    assert answer.json()["error"] == {"code": "auth.required", "message": "请先登录",
                                      "details": {}}
    forged = get(http, "forged")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "auth.invalid_token"


def test_a_person_sees_the_health_types_only_for_the_health_series(http):
    plain = get(http, "person-token")
    assert plain.status_code == 200
    body = plain.json()
    assert [(c["code"], c["label"]) for c in body["categories"]] == [
        ("basic", "基本信息"), ("honor", "表彰考核"), ("ability", "能力条件"),
        ("performance", "工作业绩"), ("research", "论文著作科研"), ("aid", "对外援助")]
    assert len(body["types"]) == 18 and not any(t["health_only"] for t in body["types"])
    assert body["categories"][0]["types"] == ["work_history", "education",
                                              "continuing_education"]

    # Without ?series= a person gets the types of their own series (from identity).
    doctor = get(http, "doctor-token").json()
    assert doctor["title_series"] == "卫生技术人员" and len(doctor["types"]) == 23

    teacher = get(http, "person-token", series="中小学教师").json()
    assert len(teacher["types"]) == 18

    health = get(http, "person-token", series="卫生技术人员").json()
    assert health["title_series"] == "卫生技术人员"
    assert health["categories"][-1] == {"code": "health", "label": "行业专用", "types": HEALTH}
    assert [t["code"] for t in health["types"]][-5:] == HEALTH
    assert [c["code"] for c in health["children"]] == ["cases", "references"]


def test_a_reviewer_without_series_sees_every_type(http):
    body = get(http, "admin-token").json()
    assert len(body["types"]) == 23
    assert body["categories"][-1]["types"] == HEALTH
    # the response schema lets the whole catalogue through, nothing dropped
    assert body == json.loads(json.dumps(describe("卫生技术人员"), ensure_ascii=False))


def test_the_documented_shape_of_a_type(http):
    body = get(http, "person-token").json()
    work = next(t for t in body["types"] if t["code"] == "work_history")
    assert work["label"] == "工作经历" and work["category"] == "basic"
    assert work["title_field"] == "unit_name"
    assert [(f["key"], f["label"], f["kind"], f["required"]) for f in work["fields"]] == [
        ("unit_name", "工作单位名称", "text", True), ("start_date", "开始日期", "date", True),
        ("end_date", "结束日期", "date", True), ("until_now", "至今", "bool", False),
        ("specialty", "从事专业", "text", True), ("position", "担任职务", "text", True),
        ("duties", "职务职责说明", "textarea", False)]
    assert work["fields"][6]["max_length"] == 200
    assert [c["label"] for c in work["columns"]] == ["审核状态", "工作单位名称", "起止日期",
                                                     "从事专业", "担任职务", "申报日期"]
    assert work["query_fields"] == ["unit_name", "specialty", "position"]
    assert work["evidence_slot"] == "work_history" and work["evidence_required"] is False
    assert work["evidence"][0]["rule_text"] == \
        "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"
    assert work["evidence"][0]["rule"] == {"extensions": ["png", "jpg", "pdf"], "max_mb": 2,
                                           "max_files": 5}
    assert {"rule": "required_unless", "field": "end_date", "flag": "until_now",
            "message": "请选择结束日期，或勾选至今"} in work["rules"]
    award = next(t for t in body["types"] if t["code"] == "project_award")
    rank = next(f for f in award["fields"] if f["key"] == "ranking")
    assert (rank["kind"], rank["label"], rank["min"]) == ("rank", "个人排名", 1)
    project = next(t for t in body["types"] if t["code"] == "research_project")
    amount = next(f for f in project["fields"] if f["key"] == "amount")
    assert (amount["kind"], amount["unit"], amount["places"]) == ("decimal", "万元", 2)
    assert body["sources"] == {"user": "用户申报", "auto": "自动生成"}


def test_a_bad_series_is_refused_and_the_route_is_in_the_openapi_document(http):
    bad = get(http, "person-token", series="x" * 51)
    assert bad.status_code == 422
    assert "series" in bad.json()["error"]["details"]["fields"]

    spec = http.get("/api/v1/openapi.json").json()
    op = spec["paths"][PATH]["get"]
    assert op["security"] == [{"bearer": []}]
    assert any(p["name"] == "series" and p["in"] == "query" for p in op["parameters"])
    assert {"200", "401", "422"} <= set(op["responses"])
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/AchievementTypes"}
    components = spec["components"]["schemas"]
    assert {"categories", "types", "children"} <= set(components["AchievementTypes"]["properties"])
    assert {"key", "label", "kind", "required", "options", "max_length", "min", "max",
            "unit"} <= set(components["CatalogueField"]["properties"])
    assert {"fields", "list_columns", "query_fields", "evidence_slot", "evidence"} <= set(
        components["CatalogueType"]["properties"])


def test_on_the_whole_platform_the_route_needs_a_token(platform):
    answer = platform.http.get(PATH)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "auth.required"
