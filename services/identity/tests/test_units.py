"""Units: bootstrap, HR departments, registration and its review, 内置单位, search,
completing the region, the unit path — through the gateway and the real broker."""
from services.identity.bootstrap import main as bootstrap_main

from .conftest import HEFEI, PASSWORD, WUHU, FakeWorkflow, make_credit_code, wait_for


def outbox(idp, type_="review_requested"):
    return idp.rows("SELECT subject, data, actor, published_at FROM identity.outbox "
                    "WHERE type = :t ORDER BY sequence", t=type_)


def test_bootstrap_creates_the_first_operator_once(idp, capsys):
    url = idp.config["DATABASE_URL"]
    argv = ["--username", "Ops", "--password", PASSWORD, "--database-url", url]
    assert bootstrap_main(argv) == 0
    assert "created" in capsys.readouterr().out
    assert bootstrap_main(argv[:3] + ["Other-pass1"] + argv[4:]) == 0
    assert "exists already, unchanged" in capsys.readouterr().out
    assert idp.scalar("SELECT count(*) FROM identity.accounts WHERE role = 'operator'") == 1
    assert idp.scalar("SELECT password_hash FROM identity.accounts").startswith("$argon2id$")
    token = idp.login("ops", PASSWORD)             # the first password still holds
    assert idp.get("/api/v1/auth/me", token).json()["role"] == "operator"
    assert bootstrap_main(["--username", "weak", "--password", "weakpass",
                           "--database-url", url]) == 2
    assert "密码" in capsys.readouterr().err


def test_operator_creates_hr_whose_admin_logs_in(idp):
    op = idp.operator()
    hr = idp.create_unit(op, "hr", "合肥市人力资源和社会保障局", region=HEFEI)
    assert hr["status"] == "active" and hr["builtin"] is True
    assert hr["region_name"] == "安徽省-合肥市" and hr["region_complete"] is True
    me = idp.get("/api/v1/auth/me", hr["admin_token"]).json()
    assert me["unit"]["kind"] == "hr"
    person = idp.register_person()
    forbidden = idp.post("/api/v1/units", person["token"], json={
        "name": "x", "kind": "employer", "nature": "organ",
        "admin": {"username": "xadmin", "password": PASSWORD, "name": "x"}})
    assert forbidden.status_code == 403


def test_unit_registration_waits_for_the_region_hr_and_applies_its_decision_once(idp):
    op = idp.operator()
    hr = idp.create_unit(op, "hr", "合肥市人力资源和社会保障局", region=HEFEI)
    idp.create_unit(op, "hr", "芜湖市人力资源和社会保障局", region=WUHU)
    unit = idp.register_unit("合肥宏景软件有限公司",
                             region={**HEFEI, "county_code": "340123", "county_name": "肥西县"})
    assert unit["status"] == "pending" and unit["approver_unit_id"] == hr["unit_id"]
    assert unit["region_name"] == "安徽省-合肥市-肥西县"

    [row] = outbox(idp)
    assert row["subject"] == f"unit:{unit['unit_id']}"
    data = row["data"]
    assert data["kind"] == "unit_registration" and data["subject_service"] == "identity"
    assert data["subject_type"] == "unit" and data["subject_id"] == unit["unit_id"]
    assert data["chain"] == [{"unit_id": hr["unit_id"], "unit_name": "合肥市人力资源和社会保障局",
                              "unit_kind": "hr"}]
    assert data["applicant_person_id"] is None and data["applicant_unit_id"] == unit["unit_id"]
    assert data["summary"]["contact_mobile"] == "139****1111"
    assert row["actor"]["name"] == "王五"
    received = wait_for(lambda: FakeWorkflow.received)         # relayed through the broker
    assert received[0]["data"] == data and received[0]["source"] == "identity"

    username = unit["form"]["admin"]["username"]
    pending = idp.http.post("/api/v1/auth/login", json={"username": username,
                                                         "password": PASSWORD})
    assert pending.status_code == 403
    assert pending.json()["error"]["message"] == "单位注册信息正在审核中，审核通过后方可登录"
    listed = idp.get("/api/v1/units?status=pending", hr["admin_token"]).json()
    assert [u["unit_id"] for u in listed["items"]] == [unit["unit_id"]]
    assert listed["counts"]["pending"] == 1

    envelope = idp.decide("unit_registration", unit["unit_id"], hr["unit_id"], "approved")
    wait_for(lambda: idp.processed(envelope["event_id"]))
    token = idp.login(username)
    detail = idp.get(f"/api/v1/units/{unit['unit_id']}", token).json()
    assert detail["status"] == "active" and detail["review_opinion"] == "同意"
    assert detail["approver_unit_name"] == "合肥市人力资源和社会保障局"

    idp.decide("unit_registration", unit["unit_id"], hr["unit_id"], "approved",
               event_id=envelope["event_id"])                 # the same event again
    late = idp.decide("unit_registration", unit["unit_id"], hr["unit_id"], "returned",
                      opinion="迟到的退回")                      # a later, different decision
    wait_for(lambda: idp.processed(late["event_id"]))
    assert idp.scalar("SELECT status FROM identity.units WHERE id = :id",
                      id=unit["unit_id"]) == "active"
    assert idp.scalar("SELECT count(*) FROM identity.audit_log WHERE action = 'unit.approved'") == 1


def test_registration_with_a_parent_waits_for_the_parent(idp, hefei):
    competent = idp.create_unit(hefei["hr"]["admin_token"], "competent", "合肥市卫生健康委员会",
                                region=HEFEI)
    child = idp.register_unit("合肥市第一人民医院", region=None,
                              parent_unit_id=competent["unit_id"])
    assert child["approver_unit_id"] == competent["unit_id"]
    assert child["region_complete"] is False            # 属地 missing: flagged
    data = outbox(idp)[-1]["data"]
    assert data["chain"] == [{"unit_id": competent["unit_id"], "unit_name": "合肥市卫生健康委员会",
                              "unit_kind": "competent"}]
    seen = idp.get("/api/v1/units", competent["admin_token"]).json()
    assert [u["name"] for u in seen["items"]] == ["合肥市第一人民医院"]
    idp.approve_unit(child, competent["unit_id"])
    with idp.rpc() as identity:
        path = identity.unit_path(child["unit_id"])
    assert [(p["unit_id"], p["kind"], p["region_complete"]) for p in path] == [
        (child["unit_id"], "employer", False), (competent["unit_id"], "competent", True)]
    # 完善单位信息: the unit's admin completes the region
    done = idp.patch(f"/api/v1/units/{child['unit_id']}", child["admin_token"],
                     json={"region": HEFEI, "address": "合肥市蜀山区"})
    assert done.status_code == 200 and done.json()["region_complete"] is True
    with idp.rpc() as identity:
        assert identity.unit_path(child["unit_id"])[0]["region_complete"] is True
    other = idp.patch(f"/api/v1/units/{competent['unit_id']}", child["admin_token"],
                      json={"address": "x"})
    assert other.status_code == 403


def test_rejected_registration_shows_the_opinion_and_frees_the_credit_code(idp, hefei):
    unit = idp.register_unit("合肥某某有限公司")
    envelope = idp.decide("unit_registration", unit["unit_id"], hefei["hr"]["unit_id"],
                          "returned", opinion="单位名称与公章不一致")
    wait_for(lambda: idp.processed(envelope["event_id"]))
    refused = idp.http.post("/api/v1/auth/login", json={
        "username": unit["form"]["admin"]["username"], "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "单位注册审核未通过，审核意见：单位名称与公章不一致")
    again = idp.http.post("/api/v1/units/register", json={
        **unit["form"], "name": "合肥某某有限公司（更正）"})
    assert again.status_code == 201, again.text
    assert idp.scalar("SELECT count(*) FROM identity.audit_log WHERE action = 'unit.rejected'") == 1


def test_a_decision_from_another_unit_is_parked_not_applied(idp, hefei):
    unit = idp.register_unit("合肥某某有限公司")
    envelope = idp.decide("unit_registration", unit["unit_id"], hefei["unit"]["unit_id"],
                          "approved")
    wait_for(lambda: idp.scalar("SELECT status FROM identity.failed_events "
                                "WHERE event_id = CAST(:e AS uuid)", e=envelope["event_id"]))
    assert idp.scalar("SELECT status FROM identity.failed_events") == "dead"
    assert idp.scalar("SELECT status FROM identity.units WHERE id = :id",
                      id=unit["unit_id"]) == "pending"


def test_bad_registrations_are_refused_and_nothing_is_stored(idp, hefei):
    before = idp.scalar("SELECT count(*) FROM identity.units")
    form = {
        "name": "合肥测试单位", "credit_code": "91350100M000100Y44", "nature": "institution",
        "kind": "employer", "region": HEFEI, "contact_name": "李四",
        "contact_mobile": "13900001111", "contact_email": "unit@example.com",
        "admin": {"username": "testadmin", "password": PASSWORD, "name": "王五"},
    }
    bad_code = idp.http.post("/api/v1/units/register", json=form)
    assert bad_code.status_code == 422
    assert bad_code.json()["error"]["message"] == "统一社会信用代码校验位错误"
    assert bad_code.json()["error"]["details"]["fields"]["credit_code"]
    weak = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": make_credit_code(),
        "admin": {**form["admin"], "password": "weakpassword"}})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "account.weak_password"
    taken = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": hefei["unit"]["form"]["credit_code"]})
    assert taken.status_code == 422
    assert taken.json()["error"]["message"] == "该统一社会信用代码已注册"
    no_hr = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": make_credit_code(), "region": WUHU})
    assert no_hr.status_code == 422 and no_hr.json()["error"]["code"] == "unit.no_approver"
    hr_kind = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": make_credit_code(), "kind": "hr"})
    assert hr_kind.status_code == 422
    bad_region = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": make_credit_code(),
        "region": {"province_code": "340000", "city_code": "350100", "city_name": "福州市"}})
    assert bad_region.status_code == 422
    assert "region.city_code" in bad_region.json()["error"]["details"]["fields"]
    admin_taken = idp.http.post("/api/v1/units/register", json={
        **form, "credit_code": make_credit_code(),
        "admin": {**form["admin"], "username": hefei["unit"]["form"]["admin"]["username"]}})
    assert admin_taken.status_code == 422
    assert admin_taken.json()["error"]["message"] == "用户名已被使用，请更换"
    assert idp.scalar("SELECT count(*) FROM identity.units") == before
    assert len(outbox(idp)) == 1                              # only the fixture's unit


def test_hr_creates_builtin_units_only_in_its_region(idp, hefei):
    hr_token = hefei["hr"]["admin_token"]
    unit = idp.create_unit(hr_token, "competent", "合肥市教育局",
                           region={**HEFEI, "county_code": "340104", "county_name": "蜀山区"})
    assert unit["status"] == "active" and unit["credit_code"] is None and unit["builtin"]
    outside = idp.post("/api/v1/units", hr_token, json={
        "name": "芜湖市教育局", "kind": "competent", "nature": "organ", "region": WUHU,
        "admin": {"username": "wuhuedu", "password": PASSWORD, "name": "x"}})
    assert outside.status_code == 422 and outside.json()["error"]["code"] == "unit.region_outside"
    another_hr = idp.post("/api/v1/units", hr_token, json={
        "name": "肥西县人社局", "kind": "hr", "nature": "organ", "region": HEFEI,
        "admin": {"username": "feixihr", "password": PASSWORD, "name": "x"}})
    assert another_hr.status_code == 403
    employer_admin = idp.post("/api/v1/units", hefei["unit"]["admin_token"], json={
        "name": "x", "kind": "employer", "nature": "organ", "region": HEFEI,
        "admin": {"username": "xadmin2", "password": PASSWORD, "name": "x"}})
    assert employer_admin.status_code == 403
    seen = idp.get(f"/api/v1/units/{unit['unit_id']}", hr_token)
    assert seen.status_code == 200
    assert idp.get(f"/api/v1/units/{hefei['hr']['unit_id']}", unit["admin_token"]).status_code \
        == 404


def test_public_search_finds_active_units_by_name(idp, hefei):
    idp.register_unit("合肥宏景医院")                          # pending: not found
    found = idp.http.get("/api/v1/units/search", params={"q": "宏景"})
    assert found.status_code == 200
    body = found.json()
    assert [u["name"] for u in body["items"]] == ["合肥宏景软件有限公司"]
    assert body["total"] == 1 and body["counts"]["all"] == 1
    assert body["counts"]["employer"] == 1
    item = body["items"][0]
    assert set(item) >= {"unit_id", "name", "kind_label", "region_name"}
    assert "credit_code" not in item and "contact_mobile" not in item
    hr_only = idp.http.get("/api/v1/units/search", params={"kind": "hr"}).json()
    assert [u["name"] for u in hr_only["items"]] == ["合肥市人力资源和社会保障局"]
    assert idp.http.get("/api/v1/units/search", params={"page_size": 500}).status_code == 422
    assert idp.http.get("/api/v1/units/search", params={"q": "%"}).json()["total"] == 0


def test_unit_path_walks_up_the_parents(idp, hefei):
    with idp.rpc() as identity:
        path = identity.unit_path(hefei["unit"]["unit_id"])
        assert path == [{"unit_id": hefei["unit"]["unit_id"], "name": "合肥宏景软件有限公司",
                         "kind": "employer", "kind_label": "用人单位", "region_complete": True,
                         "status": "active", "region_code": "340100",
                         "region_name": "安徽省-合肥市"}]
        assert identity.unit_path(999999) == []
