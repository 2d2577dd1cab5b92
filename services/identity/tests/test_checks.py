"""Unit tests without infrastructure: GB 11643, GB 32100, the password policy, regions,
tokens and the dictionaries."""
import datetime as dt

import pytest

from services.identity.logic import checks, dictionaries, tokens
from services.identity.logic.checks import IdNumberError

# ------------------------------------------------------------------ GB 11643

@pytest.mark.parametrize("number, birth, gender", [
    ("11010519491231002X", dt.date(1949, 12, 31), "2"),   # the standard's own example
    ("342401199109108605", dt.date(1991, 9, 10), "2"),    # Anhui FAQ
    ("432427198809208376", dt.date(1988, 9, 20), "1"),    # Anhui FAQ
    ("342222199606106011", dt.date(1996, 6, 10), "1"),    # Anhui FAQ (孙通, 男)
    ("11010519491231002x", dt.date(1949, 12, 31), "2"),   # lower-case x is accepted
])
def test_valid_resident_ids_give_birth_date_and_gender(number, birth, gender):
    assert checks.parse_resident_id(number) == (birth, gender)
    assert checks.is_valid_resident_id(number)


@pytest.mark.parametrize("number, code", [
    ("110105194912310021", "person.id_number_invalid"),   # wrong check digit
    ("342401199109108604", "person.id_number_invalid"),
    ("11010519491231002", "person.id_number_format"),     # 17 characters
    ("11010519491231002Y", "person.id_number_format"),
    ("01010519491231002X", "person.id_number_format"),    # leading zero
    ("990105194912310025", "person.id_number_region"),    # no such province
    ("110105194902300024", "person.id_number_birth"),     # 30 February
    ("110105299001010025", "person.id_number_birth"),     # born in the future
])
def test_invalid_resident_ids_are_refused_with_the_reason(number, code):
    with pytest.raises(IdNumberError) as caught:
        checks.parse_resident_id(number)
    assert caught.value.code == code
    assert not checks.is_valid_resident_id(number)


def test_id_check_digit_error_message_is_chinese():
    with pytest.raises(IdNumberError) as caught:
        checks.parse_resident_id("110105194912310021")
    assert caught.value.message == "证件号码校验位错误"


def test_check_character_function_against_the_standard_example():
    assert checks.id_check_char("11010519491231002") == "X"


# ------------------------------------------------------------------ GB 32100

@pytest.mark.parametrize("code", [
    "91350100M000100Y43",   # the standard's example
    "91340100683643522D",   # Anhui FAQ (合肥宏景软件有限公司)
    "91350100m000100y43",   # case does not matter
])
def test_valid_credit_codes(code):
    assert checks.credit_code_error(code) is None
    assert checks.is_valid_credit_code(code)


def test_credit_check_character_of_the_example():
    assert checks.credit_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code, message", [
    ("91350100M000100Y44", "统一社会信用代码校验位错误"),
    ("91340100683643522E", "统一社会信用代码校验位错误"),
    ("91350100M000100Y4", "统一社会信用代码格式有误"),           # 17 characters
    ("91350100M000100I43", "统一社会信用代码格式有误"),          # I is not used
    ("913501A0M000100Y43", "统一社会信用代码格式有误"),          # region code not digits
])
def test_invalid_credit_codes(code, message):
    assert checks.credit_code_error(code).startswith(message)


# ------------------------------------------------------------------ passwords

@pytest.mark.parametrize("password", ["Passw0rd!", "abcd1234!", "ABCD1234a", "Abcdefg!",
                                      "密码abcD12"])
def test_passwords_with_three_kinds_of_characters_pass(password):
    assert checks.password_error(password) is None


@pytest.mark.parametrize("password", ["Ab1!", "abcdefgh", "abcd1234", "ABCDEFG!", "12345678!",
                                      "Abc 1234!", "", None])
def test_weak_passwords_are_refused_in_chinese(password):
    reason = checks.password_error(password)
    assert reason is not None
    assert "密码" in reason


def test_password_rule_message_names_the_policy():
    assert checks.password_error("abcdefgh") == \
        "密码长度不能小于 8 位，且必须为大写字母、小写字母、数字和特殊符号中的 3 种组合"


# ------------------------------------------------------------------ regions

def test_region_codes_must_fit_together():
    assert checks.region_errors({"province_code": "340000", "city_code": "340100",
                                 "city_name": "合肥市", "county_code": "340123",
                                 "county_name": "肥西县"}) == {}
    assert "province_code" in checks.region_errors({"province_code": "990000"})
    assert "city_code" in checks.region_errors({"province_code": "340000",
                                                "city_code": "350100", "city_name": "福州市"})
    assert "county_code" in checks.region_errors({"province_code": "340000",
                                                  "county_code": "340123",
                                                  "county_name": "肥西县"})
    assert "city_name" in checks.region_errors({"province_code": "340000",
                                                "city_code": "340100"})


def test_region_containment():
    province = ("340000", None, None)
    city = ("340000", "340100", None)
    county = ("340000", "340100", "340123")
    assert checks.region_contains(province, county)
    assert checks.region_contains(city, county)
    assert checks.region_contains(city, city)
    assert not checks.region_contains(county, city)
    assert not checks.region_contains(city, ("340000", "340200", None))
    assert not checks.region_contains(province, (None, None, None))


# ------------------------------------------------------------------ tokens

def test_tokens_carry_account_and_session_and_need_the_secret():
    now = dt.datetime.now(dt.UTC)
    token = tokens.issue("s" * 40, 7, "abc", now, now + dt.timedelta(minutes=5))
    claims = tokens.read("s" * 40, token)
    assert claims["sub"] == "7" and claims["sid"] == "abc"
    assert tokens.read("t" * 40, token) is None
    assert tokens.read("s" * 40, token + "x") is None
    assert tokens.read("s" * 40, "not-a-token") is None
    expired = tokens.issue("s" * 40, 7, "abc", now - dt.timedelta(hours=2),
                           now - dt.timedelta(hours=1))
    assert tokens.read("s" * 40, expired) is None


# ------------------------------------------------------------------ dictionaries

def test_dictionaries_hold_the_56_ethnicities_and_the_faq_title_series():
    lists = dictionaries.as_lists()
    assert len(lists["ethnicity"]) == 56
    assert {"code": "01", "label": "汉族"} in lists["ethnicity"]
    assert [item["label"] for item in lists["title_series"]] == [
        "中小学教师", "中等职业学校教师", "技工院校教师", "卫生技术人员", "工程技术人员",
        "高等学校教师", "党校（行政学院）系统教师", "哲学社会科学研究人员"]
    assert [item["label"] for item in lists["applicant_identity"]] == ["事业编制人员", "其他人员"]
    assert {item["code"] for item in lists["unit_kind"]} == {
        "employer", "competent", "hr", "organiser", "talent_center"}
    assert dictionaries.label("political_status", "03") == "共青团员"
    assert dictionaries.label("education", "21") == "大学本科"
