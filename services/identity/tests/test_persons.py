"""Person registration, the profile, and who may read it — through the gateway."""
from .conftest import PASSWORD, make_id_number, person_form


def count_people(idp):
    return (idp.scalar("SELECT count(*) FROM identity.persons"),
            idp.scalar("SELECT count(*) FROM identity.accounts WHERE role = 'person'"))


def test_registration_stores_the_person_who_logs_in_by_id_or_mobile(idp):
    form = person_form(id_number="11010519491231002x", gender="2", birth_date="1949-12-31",
                       former_name="吴小金", native_place="安徽合肥", applicant_identity="staff",
                       landline="0551-88888888")
    answer = idp.http.post("/api/v1/persons/register", json=form)
    assert answer.status_code == 201, answer.text
    profile = answer.json()
    assert profile["id_number"] == "11010519491231002X"           # full, to its owner
    assert profile["mobile"] == form["mobile"]
    assert profile["gender_label"] == "女" and profile["birth_date"] == "1949-12-31"
    assert profile["ethnicity_label"] == "汉族"
    assert profile["political_status_label"] == "共青团员"
    assert profile["education_label"] == "大学本科" and profile["degree_label"] == "学士"
    assert profile["title_series_label"] == "卫生技术人员"
    assert profile["applicant_identity_label"] == "事业编制人员"
    assert profile["former_name"] == "吴小金" and profile["native_place"] == "安徽合肥"
    assert profile["binding_status"] == "none" and profile["unit"] is None

    by_id = idp.login("11010519491231002X")
    by_lower_x = idp.login("11010519491231002x")
    by_mobile = idp.login(form["mobile"])
    for token in (by_id, by_lower_x, by_mobile):
        me = idp.get("/api/v1/auth/me", token).json()
        assert me["person_id"] == profile["person_id"] and me["role"] == "person"
    mine = idp.get("/api/v1/me/profile", by_mobile)
    assert mine.status_code == 200
    assert mine.json()["id_number"] == "11010519491231002X"


def test_gender_and_birth_date_come_from_a_resident_id_when_left_out(idp):
    number = make_id_number(birth="19850612", gender="1")
    answer = idp.http.post("/api/v1/persons/register", json=person_form(id_number=number))
    assert answer.status_code == 201
    assert answer.json()["gender"] == "1" and answer.json()["birth_date"] == "1985-06-12"


def test_wrong_check_digit_is_refused_and_nothing_is_stored(idp):
    answer = idp.http.post("/api/v1/persons/register",
                           json=person_form(id_number="110105194912310021"))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "person.id_number_invalid"
    assert error["message"] == "证件号码校验位错误"
    assert error["details"]["fields"]["id_number"] == ["证件号码校验位错误"]
    assert count_people(idp) == (0, 0)


def test_form_must_agree_with_the_id_number(idp):
    number = make_id_number(birth="19900307", gender="2")
    wrong_gender = idp.http.post("/api/v1/persons/register",
                                 json=person_form(id_number=number, gender="1"))
    assert wrong_gender.status_code == 422
    assert wrong_gender.json()["error"]["message"] == "性别与证件号码不一致"
    wrong_birth = idp.http.post("/api/v1/persons/register",
                                json=person_form(id_number=number, birth_date="1990-03-08"))
    assert wrong_birth.status_code == 422
    assert wrong_birth.json()["error"]["message"] == "出生日期与证件号码不一致"
    assert count_people(idp) == (0, 0)


def test_other_id_types_need_gender_and_birth_date(idp):
    missing = idp.http.post("/api/v1/persons/register",
                            json=person_form(id_type="officer", id_number="JG20150123"))
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == "请选择性别"
    ok = idp.http.post("/api/v1/persons/register",
                       json=person_form(id_type="officer", id_number="JG20150123", gender="1",
                                        birth_date="1988-09-20"))
    assert ok.status_code == 201
    assert ok.json()["id_type_label"] == "军官证"


def test_duplicate_id_number_and_mobile_are_refused(idp):
    first = idp.register_person()
    again = idp.http.post("/api/v1/persons/register",
                          json=person_form(id_number=first["form"]["id_number"]))
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "person.id_number_taken"
    assert "该证件号码已注册" in again.json()["error"]["message"]
    same_mobile = idp.http.post("/api/v1/persons/register",
                                json=person_form(mobile=first["form"]["mobile"]))
    assert same_mobile.status_code == 422
    assert same_mobile.json()["error"]["message"] == "该手机号码已注册"
    assert count_people(idp) == (1, 1)


def test_weak_password_is_refused_in_chinese_and_nothing_is_stored(idp):
    answer = idp.http.post("/api/v1/persons/register", json=person_form(password="abcdefgh"))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "account.weak_password"
    assert error["message"] == \
        "密码长度不能小于 8 位，且必须为大写字母、小写字母、数字和特殊符号中的 3 种组合"
    assert "password" in error["details"]["fields"]
    assert count_people(idp) == (0, 0)


def test_missing_and_unknown_fields_are_named(idp):
    form = person_form()
    del form["ethnicity"]
    form["nickname"] = "x"
    answer = idp.http.post("/api/v1/persons/register", json=form)
    assert answer.status_code == 422
    fields = answer.json()["error"]["details"]["fields"]
    assert fields["ethnicity"] == ["此项为必填项"]
    assert fields["nickname"] == ["不支持的字段"]
    bad_choice = idp.http.post("/api/v1/persons/register",
                               json=person_form(political_status="99"))
    assert bad_choice.status_code == 422
    assert "political_status" in bad_choice.json()["error"]["details"]["fields"]
    assert count_people(idp) == (0, 0)


def test_complete_profile_later_but_not_the_identity(idp):
    person = idp.register_person()
    token = person["token"]
    answer = idp.patch("/api/v1/me/profile", token, json={
        "title_series": "engineering", "title_name": "工程师", "skill_level": "高级工",
        "landline": "0551-65329082", "is_freelancer": True, "applicant_identity": "other"})
    assert answer.status_code == 200, answer.text
    profile = answer.json()
    assert profile["title_series_label"] == "工程技术人员"
    assert profile["is_freelancer"] is True and profile["landline"] == "0551-65329082"
    assert idp.get("/api/v1/me/profile", token).json()["title_name"] == "工程师"

    fixed = idp.patch("/api/v1/me/profile", token, json={"id_number": make_id_number()})
    assert fixed.status_code == 422
    assert fixed.json()["error"]["details"]["fields"]["id_number"] == ["不支持的字段"]
    wrong_gender = idp.patch("/api/v1/me/profile", token, json={"gender": "1"})
    assert wrong_gender.status_code == 422
    assert idp.get("/api/v1/me/profile", token).json()["gender"] == "2"
    cleared = idp.patch("/api/v1/me/profile", token, json={"email": None})
    assert cleared.status_code == 422


def test_a_person_reads_only_their_own_profile(idp):
    alice = idp.register_person(real_name="甲")
    bob = idp.register_person(real_name="乙")
    own = idp.get(f"/api/v1/persons/{alice['person_id']}", alice["token"])
    assert own.status_code == 200 and own.json()["id_number"] == alice["form"]["id_number"]
    other = idp.get(f"/api/v1/persons/{bob['person_id']}", alice["token"])
    assert other.status_code == 404
    assert other.json()["error"]["message"] == "人员不存在"
    assert bob["form"]["id_number"] not in other.text
    anonymous = idp.http.get(f"/api/v1/persons/{bob['person_id']}")
    assert anonymous.status_code == 401


def test_dictionaries_are_served_anonymously(idp):
    answer = idp.http.get("/api/v1/dictionaries")
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["ethnicity"]) == 56
    assert {"code": "health", "label": "卫生技术人员"} in body["title_series"]
    assert {"code": "13", "label": "群众"} in body["political_status"]
    assert {"code": "2", "label": "女"} in body["gender"]
    assert {"code": "340000", "label": "安徽省"} in body["province"]


def test_identity_routes_are_in_the_openapi_document(idp):
    spec = idp.http.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me",
                 "/api/v1/persons/register", "/api/v1/me/profile", "/api/v1/me/bindings",
                 "/api/v1/units/register", "/api/v1/units/search", "/api/v1/units",
                 "/api/v1/units/{unit_id}", "/api/v1/units/{unit_id}/users",
                 "/api/v1/units/{unit_id}/users/{account_id}/freeze",
                 "/api/v1/dictionaries", "/api/v1/audit-log", "/api/v1/me/password"):
        assert path in paths, path
    register = paths["/api/v1/persons/register"]["post"]
    body_schema = register["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/PersonRegister")
    assert "id_number" in spec["components"]["schemas"]["PersonRegister"]["properties"]
    assert "422" in register["responses"] and "security" not in register
    assert paths["/api/v1/me/profile"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/units/{unit_id}/users"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["$ref"].endswith("/UserPage")
    assert PASSWORD not in str(spec)
