"""A unit's admins manage the unit's users (人员注册审核 / 用户管理), and only theirs."""
import re

import pytest

from .conftest import PASSWORD, person_form, wait_for

MASKED_ID = re.compile(r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$")
MASKED_MOBILE = re.compile(r"^1[0-9]{2}\*{4}[0-9]{4}$")


@pytest.fixture
def two_units(idp, hefei):
    """Unit A (hefei's) with a bound person and a pending applicant; unit B with its own
    bound person."""
    a = hefei["unit"]
    b = idp.register_unit("合肥市第二人民医院")
    idp.approve_unit(b, hefei["hr"]["unit_id"])
    people = {}
    for key, unit in (("a_bound", a), ("b_bound", b)):
        person = idp.register_person(real_name=key, unit_id=unit["unit_id"])
        request = person["bindings"][0]
        done = idp.decide("binding", request["binding_id"], unit["unit_id"], "approved")
        wait_for(lambda done=done: idp.processed(done["event_id"]))
        people[key] = person
    people["a_pending"] = idp.register_person(real_name="a_pending", unit_id=a["unit_id"])
    return {"a": a, "b": b, **people, **hefei}


def account_of(person):
    return person["account_id"]


def test_unit_lists_its_users_with_masked_numbers(idp, two_units):
    a = two_units["a"]
    answer = idp.get(f"/api/v1/units/{a['unit_id']}/users", a["admin_token"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    names = {item["name"]: item for item in body["items"]}
    assert set(names) == {"a_bound", "a_pending", "王五"}
    assert body["counts"] == {"all": 3, "pending": 1, "approved": 1, "frozen": 0}
    bound = names["a_bound"]
    assert bound["binding_status"] == "approved" and bound["binding_status_label"] == "审核通过"
    assert MASKED_ID.match(bound["id_number"]) and MASKED_MOBILE.match(bound["mobile"])
    assert MASKED_ID.match(bound["username"])
    number = two_units["a_bound"]["form"]["id_number"]
    assert bound["id_number"] == number[:6] + "********" + number[-4:]
    assert number not in answer.text
    assert two_units["a_bound"]["form"]["mobile"] not in answer.text
    assert names["a_pending"]["binding_status"] == "pending"
    assert names["王五"]["role"] == "unit_admin"

    pending = idp.get(f"/api/v1/units/{a['unit_id']}/users?status=pending", a["admin_token"])
    assert [i["name"] for i in pending.json()["items"]] == ["a_pending"]
    assert pending.json()["counts"]["all"] == 3
    search = idp.get(f"/api/v1/units/{a['unit_id']}/users",
                     a["admin_token"], params={"q": number})
    assert [i["name"] for i in search.json()["items"]] == ["a_bound"]
    admins = idp.get(f"/api/v1/units/{a['unit_id']}/users?role=unit_admin", a["admin_token"])
    assert [i["name"] for i in admins.json()["items"]] == ["王五"]

    detail = idp.get(f"/api/v1/units/{a['unit_id']}/users/{account_of(two_units['a_bound'])}",
                     a["admin_token"]).json()
    assert MASKED_ID.match(detail["profile"]["id_number"])
    assert MASKED_MOBILE.match(detail["profile"]["mobile"])
    person = idp.get(f"/api/v1/persons/{two_units['a_pending']['person_id']}", a["admin_token"])
    assert person.status_code == 200 and MASKED_ID.match(person.json()["id_number"])


def test_an_admin_of_unit_a_cannot_reach_unit_b_persons(idp, two_units):
    a, b = two_units["a"], two_units["b"]
    token = a["admin_token"]
    b_person = two_units["b_bound"]
    assert idp.get(f"/api/v1/units/{b['unit_id']}/users", token).status_code == 403
    assert idp.get(f"/api/v1/persons/{b_person['person_id']}", token).status_code == 404
    assert idp.get(f"/api/v1/units/{a['unit_id']}/users/{account_of(b_person)}",
                   token).status_code == 404
    assert idp.get(f"/api/v1/units/{b['unit_id']}/users/{account_of(b_person)}",
                   token).status_code == 403
    for path in ("freeze", "reset-password"):
        assert idp.post(f"/api/v1/units/{a['unit_id']}/users/{account_of(b_person)}/{path}",
                        token).status_code == 404
    assert idp.delete(f"/api/v1/units/{b['unit_id']}/users/{account_of(b_person)}",
                      token).status_code == 403
    b_admin = idp.get(f"/api/v1/units/{b['unit_id']}/users?role=unit_admin",
                      b["admin_token"]).json()["items"][0]
    assert idp.post(f"/api/v1/units/{a['unit_id']}/users/{b_admin['account_id']}/freeze",
                    token).status_code == 404
    assert idp.get(f"/api/v1/units/{b['unit_id']}", token).status_code == 404
    # nothing changed for B's person
    assert idp.get("/api/v1/auth/me", b_person["token"]).status_code == 200


def test_a_person_bound_elsewhere_is_only_read_by_the_unit_asked(idp, two_units):
    a_person = two_units["a_bound"]
    b = two_units["b"]
    change = idp.post("/api/v1/me/bindings", a_person["token"], json={"unit_id": b["unit_id"]})
    assert change.status_code == 201
    path = f"/api/v1/units/{b['unit_id']}/users/{account_of(a_person)}"
    assert idp.get(path, b["admin_token"]).status_code == 200
    frozen = idp.post(f"{path}/freeze", b["admin_token"])
    assert frozen.status_code == 403
    assert frozen.json()["error"]["message"] == "该人员已绑定其他单位，只能由其所在单位管理"


def test_freezing_invalidates_tokens_and_unfreezing_restores_login(idp, two_units):
    a, person = two_units["a"], two_units["a_bound"]
    path = f"/api/v1/units/{a['unit_id']}/users/{account_of(person)}"
    frozen = idp.post(f"{path}/freeze", a["admin_token"])
    assert frozen.status_code == 200 and frozen.json()["status"] == "frozen"
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 401
    refused = idp.http.post("/api/v1/auth/login", json={
        "username": person["form"]["id_number"], "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "账号已被冻结，请联系单位管理员"
    with idp.rpc() as identity:
        assert identity.may_submit(person["person_id"])["allowed"] is False
    listed = idp.get(f"/api/v1/units/{a['unit_id']}/users?status=frozen", a["admin_token"])
    assert [i["name"] for i in listed.json()["items"]] == ["a_bound"]

    assert idp.post(f"{path}/unfreeze", a["admin_token"]).json()["status"] == "active"
    token = idp.login(person["form"]["id_number"])
    assert idp.get("/api/v1/me/profile", token).status_code == 200
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 401   # stays revoked


def test_password_reset_gives_a_temporary_password(idp, two_units):
    a, person = two_units["a"], two_units["a_bound"]
    path = f"/api/v1/units/{a['unit_id']}/users/{account_of(person)}/reset-password"
    answer = idp.post(path, a["admin_token"])
    assert answer.status_code == 200
    temporary = answer.json()["temporary_password"]
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 401
    assert idp.login(person["form"]["id_number"], temporary)
    chosen = idp.post(path, a["admin_token"], json={"new_password": "Chosen-pass1"})
    assert chosen.status_code == 200 and chosen.json()["temporary_password"] is None
    assert idp.login(person["form"]["mobile"], "Chosen-pass1")
    weak = idp.post(path, a["admin_token"], json={"new_password": "weak"})
    assert weak.status_code == 422


def test_deleting_a_person_frees_the_id_number(idp, two_units):
    a, person = two_units["a"], two_units["a_pending"]
    number = person["form"]["id_number"]
    gone = idp.delete(f"/api/v1/units/{a['unit_id']}/users/{account_of(person)}",
                      a["admin_token"])
    assert gone.status_code == 204
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 401
    assert idp.http.post("/api/v1/auth/login", json={
        "username": number, "password": PASSWORD}).status_code == 401
    assert idp.scalar("SELECT status FROM identity.binding_requests WHERE person_id = :p",
                      p=person["person_id"]) == "cancelled"
    listed = idp.get(f"/api/v1/units/{a['unit_id']}/users", a["admin_token"]).json()
    assert "a_pending" not in {i["name"] for i in listed["items"]}

    again = idp.http.post("/api/v1/persons/register",
                          json=person_form(id_number=number, mobile=person["form"]["mobile"]))
    assert again.status_code == 201, again.text
    assert again.json()["person_id"] != person["person_id"]
    assert idp.login(number)


def test_admins_edit_users_add_admins_and_cannot_remove_themselves(idp, two_units):
    a, person = two_units["a"], two_units["a_bound"]
    base = f"/api/v1/units/{a['unit_id']}/users"
    edited = idp.patch(f"{base}/{account_of(person)}", a["admin_token"],
                       json={"name": "甲乙", "title_series": "engineering"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["name"] == "甲乙"
    assert edited.json()["profile"]["title_series_label"] == "工程技术人员"
    assert idp.get("/api/v1/me/profile", person["token"]).json()["real_name"] == "甲乙"
    bad = idp.patch(f"{base}/{account_of(person)}", a["admin_token"], json={"gender": "1"})
    assert bad.status_code == 422

    added = idp.post(base, a["admin_token"], json={
        "username": "hjadmin2", "password": PASSWORD, "name": "赵六", "mobile": "13800001234"})
    assert added.status_code == 201, added.text
    assert added.json()["mobile"] == "138****1234"
    second = idp.login("hjadmin2")
    me = idp.get("/api/v1/auth/me", second).json()
    assert me["unit_id"] == a["unit_id"]
    duplicate = idp.post(base, a["admin_token"], json={
        "username": "HJADMIN2", "password": PASSWORD, "name": "x"})
    assert duplicate.status_code == 422

    own = idp.get(f"{base}?role=unit_admin", a["admin_token"]).json()["items"]
    first_admin = next(i for i in own if i["name"] == "王五")
    refused = idp.delete(f"{base}/{first_admin['account_id']}", a["admin_token"])
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "不能删除当前登录的账号"
    assert idp.post(f"{base}/{first_admin['account_id']}/freeze", second).status_code == 200
    assert idp.get("/api/v1/auth/me", a["admin_token"]).status_code == 401


def test_the_security_admin_manages_any_unit_but_sees_masked_numbers(idp, two_units):
    b, person = two_units["b"], two_units["b_bound"]
    answer = idp.get(f"/api/v1/units/{b['unit_id']}/users", two_units["sec"])
    assert answer.status_code == 200
    assert person["account_id"] in [i["account_id"] for i in answer.json()["items"]]
    assert person["form"]["id_number"] not in answer.text
    assert person["form"]["mobile"] not in answer.text
    # the operator, a system administrator, manages no account any more
    assert idp.get(f"/api/v1/units/{b['unit_id']}/users", two_units["op"]).status_code == 403


def test_the_operator_reads_a_profile_only_with_a_reason(idp, two_units):
    person = two_units["b_bound"]
    # A person's profile only with a stated reason (issue 15.8), recorded in the audit log.
    path = f"/api/v1/persons/{person['person_id']}"
    for reason in (None, "看看", "  查看   "):
        refused = idp.get(path, two_units["op"], params={"reason": reason} if reason else {})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "person.reason_required"
        assert refused.json()["error"]["message"] == \
            "运维人员查看个人信息须说明查看原因（至少 5 个字）"
    seen = idp.get(path, two_units["op"], params={"reason": "核查单位人员信息"})
    assert seen.status_code == 200
    assert seen.json()["id_number"] != person["form"]["id_number"]
    assert idp.scalar("SELECT count(*) FROM identity.audit_log WHERE action = 'person.viewed' "
                      "AND target_id = :t AND detail->>'reason' = '核查单位人员信息'",
                      t=str(person["person_id"])) == 1
