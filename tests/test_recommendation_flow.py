"""单位推荐意见, 岗位核准信息, 公示 and 统一上报 end to end, every service real (identity,
achievements, workflow, documents, gateway) over the broker, the database and the S3
server: a 事业单位 school keeps its post quota with the stamped form it uploaded,
recommends its applicants with uploaded materials within the quota, enters their
publicity in batch, and under a gated plan forwards them to its competent department
only once none is pending."""
import datetime as dt
import uuid

from services.common.testing import wait_for
from tests.test_declaration_flow import HEFEI, PASSWORD, Flow, minimal_pdf


def unit(flow, token, kind, name, nature="organ", parent=None):
    username = f"u{uuid.uuid4().hex[:10]}"
    created = flow.post("/api/v1/units", token, {
        "name": name, "kind": kind, "nature": nature, "region": HEFEI,
        "parent_unit_id": parent["unit_id"] if parent else None,
        "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员"}},
        status=201)
    created["token"] = flow.login(username)
    return created


def declared(flow, person, plan, record_id):
    did = flow.post("/api/v1/declarations", person["token"], {
        "plan_id": plan["id"], "form": "regular", "series": "中小学教师",
        "specialty": "中学语文", "title": "高级教师", "pledge_accepted": True},
        status=201)["id"]
    flow.ok(flow.call("PATCH", f"/api/v1/declarations/{did}/personal", person["token"],
                      json={"former_name": "无", "birthplace": "芜湖市", "work_years": 12,
                            "specialty_years": 12}))
    flow.post(f"/api/v1/declarations/{did}/sections/work/items", person["token"],
              {"record_ids": [record_id]}, status=201)
    flow.post(f"/api/v1/declarations/{did}/submit", person["token"])
    return did


def test_a_school_recommends_within_its_quota_publicizes_and_reports(platform, db_engine):
    flow = Flow(platform, db_engine)
    ops = flow.operator()
    hr = unit(flow, ops, "hr", "合肥市人力资源和社会保障局")
    organiser = unit(flow, ops, "organiser", "合肥市中小学教师高级职称评审委员会办公室")
    edu = unit(flow, hr["token"], "competent", "合肥市教育局", parent=hr)
    school = unit(flow, hr["token"], "employer", "合肥市第四十五中学", "institution",
                  parent=edu)
    company = unit(flow, hr["token"], "employer", "合肥宏景软件有限公司",
                   "private_enterprise", parent=hr)

    # 岗位核准信息: only a 事业单位; saved with the stamped form, confirmed, then fixed.
    year = dt.date.today().year
    body = {"year": year, "senior": None, "deputy_senior": 1, "intermediate": 5,
            "junior": None}
    refused = flow.call("POST", "/api/v1/unit/post-quotas", company["token"], json=body)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "只有事业单位需要设置岗位核准信息"
    form = flow.upload(school["token"], "post_quota_form", "岗位核准表.pdf", minimal_pdf())
    quota = flow.post("/api/v1/unit/post-quotas", school["token"],
                      {**body, "form_file_id": form, "confirm": True}, status=201)
    assert quota["status_label"] == "已确认" and quota["form_file_id"] == form
    fixed = flow.call("PATCH", f"/api/v1/unit/post-quotas/{quota['id']}", school["token"],
                      json={"deputy_senior": 3})
    assert fixed.status_code == 409
    assert fixed.json()["error"]["message"] == "岗位核准信息已确认，不可再更改"
    # The HR department of the region reads it; another unit does not.
    assert flow.get("/api/v1/unit/post-quotas", hr["token"], params={
        "unit_id": school["unit_id"]})["items"][0]["id"] == quota["id"]
    assert flow.call("GET", f"/api/v1/unit/post-quotas/{quota['id']}",
                     company["token"]).status_code == 404

    # Two teachers bound to the school, with approved records; a gated plan.
    teachers = []
    for name in ("孙迪", "秦程"):
        person = flow.person(name)
        flow.bind(person, school)
        person["record"] = flow.approved_record(person, school, "合肥市第四十五中学")
        teachers.append(person)
    on = dt.date.today()
    plan = flow.post("/api/v1/plans", hr["token"], {
        "year": year, "name": f"{year}年度合肥市中小学教师系列高级职称评审",
        "committee": "合肥市中小学教师系列高级职称评审委员会", "level": "deputy_senior",
        "forms": ["regular"], "starts_on": (on - dt.timedelta(days=5)).isoformat(),
        "ends_on": (on + dt.timedelta(days=30)).isoformat(),
        "scope": [{"series": "中小学教师", "specialties": ["中学语文"], "titles": ["高级教师"]}],
        "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                      "min": 1, "max": 2, "required": True}],
        "titles_required": False, "unit_gate": True,
        "organiser_unit_id": organiser["unit_id"]}, status=201)
    plan = flow.post(f"/api/v1/plans/{plan['id']}/publish", hr["token"])
    first, second = (declared(flow, p, plan, p["record"]) for p in teachers)

    # 单位推荐意见 with an uploaded scan; the first takes the one 副高级 post.
    scan = flow.upload(school["token"], "rec_opinion", "单位推荐意见.pdf", minimal_pdf())
    recommendation = {"opinion": "同意推荐。", "occupies_post": "occupy",
                      "material_file_ids": [scan]}
    saved = flow.ok(flow.call("PUT", f"/api/v1/declarations/{first}/recommendation",
                              school["token"], json=recommendation))
    assert saved["recommendation"]["materials"][1]["file_ids"] == [scan]
    assert saved["quota"]["levels"][1]["recommended"] == 1
    # The second does not fit: 占用 refused, 不占用 needs its reason.
    over = flow.call("PUT", f"/api/v1/declarations/{second}/recommendation",
                     school["token"], json={"opinion": "同意推荐。", "occupies_post": "occupy"})
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "recommendation.quota_exceeded"
    reasonless = flow.call("PUT", f"/api/v1/declarations/{second}/recommendation",
                           school["token"], json={"opinion": "同意推荐。",
                                                    "occupies_post": "not_occupy"})
    assert reasonless.status_code == 422
    flow.recommend(school, second, post_note="编外代课教师，不占用职数")
    # Documents keeps the scan as the recommendation's.
    assert flow.scalar("SELECT subject_type || ':' || subject_id FROM documents.attachments "
                       "WHERE file_id = :f", f=scan) == f"recommendation:{first}"

    # Publicity for the whole unit at once.
    period = {"starts_on": (on - dt.timedelta(days=7)).isoformat(),
              "ends_on": (on - dt.timedelta(days=1)).isoformat(),
              "result": "no_objection", "note": "公示期满无异议"}
    batch = flow.post("/api/v1/unit/publicity", school["token"], period, status=201)
    assert batch["count"] == 2

    # The gate: the first approval waits (待上报) while the second is in review.
    flow.decide(school, first)
    assert flow.get("/api/v1/tasks", edu["token"], params={"box": "unclaimed"})[
        "total"] == 0
    pending = flow.call("POST", f"/api/v1/unit/plans/{plan['id']}/report", school["token"])
    assert pending.status_code == 409
    assert pending.json()["error"]["message"].endswith("秦程（审核中）")
    flow.decide(school, second)
    reported = flow.post(f"/api/v1/unit/plans/{plan['id']}/report", school["token"])
    assert reported["count"] == 2
    tasks = wait_for(lambda: flow.get("/api/v1/tasks", edu["token"],
                                      params={"box": "unclaimed", "kind": "declaration"})[
        "items"])
    assert len(tasks) == 2

    # The department sees the recommendation and the publicity; it cannot change them.
    seen = flow.get(f"/api/v1/declarations/{first}/recommendation", edu["token"])
    assert seen["recommendation"]["occupies_post_label"] == "占用"
    assert seen["publicity"]["result_label"] == "无异议"
    assert flow.call("PUT", f"/api/v1/declarations/{first}/publicity", edu["token"],
                     json=period).status_code == 403
    assert flow.call("GET", f"/api/v1/declarations/{first}/recommendation",
                     company["token"]).status_code == 404
    assert flow.scalar("SELECT count(*) FROM workflow.outbox WHERE type = "
                       "'declaration_reported'") == 2
