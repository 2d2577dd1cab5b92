"""Pure checks: ID numbers (GB 11643), unified social credit codes (GB 32100),
passwords, mobile numbers and regions. No database, no Nameko."""
import datetime as dt
import re

from services.contracts.identity import ADMIN_USERNAME, LANDLINE, MOBILE  # noqa: F401

from .dictionaries import PROVINCES

# --------------------------------------------------------------------------- GB 11643

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_FORMAT = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
# Address codes also used by residence permits of Hong Kong, Macao and Taiwan residents.
ID_EXTRA_PREFIXES = {"81", "82", "83"}


def id_check_char(first17):
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=False))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value):
    return (value or "").strip().upper()


class IdNumberError(ValueError):
    """``code`` says which rule failed; ``message`` is what the user reads."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_resident_id(value, today=None):
    """``(birth_date, gender_code)`` of a valid 18-digit resident ID number
    (gender ``"1"`` male, ``"2"`` female, GB/T 2261.1); IdNumberError otherwise."""
    number = normalize_id_number(value)
    if not ID_FORMAT.match(number):
        raise IdNumberError("person.id_number_format",
                            "身份证号码格式有误，应为 18 位（最后一位可为 X）")
    if number[:2] not in PROVINCE_PREFIXES and number[:2] not in ID_EXTRA_PREFIXES:
        raise IdNumberError("person.id_number_region", "身份证号码的地址码有误")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("person.id_number_birth", "身份证号码中的出生日期无效") from None
    today = today or dt.date.today()
    if birth.year < 1900 or birth > today:
        raise IdNumberError("person.id_number_birth", "身份证号码中的出生日期无效")
    if id_check_char(number[:17]) != number[17]:
        raise IdNumberError("person.id_number_invalid", "证件号码校验位错误")
    gender = "1" if int(number[16]) % 2 == 1 else "2"
    return birth, gender


def is_valid_resident_id(value):
    try:
        parse_resident_id(value)
        return True
    except IdNumberError:
        return False


OTHER_ID_FORMAT = re.compile(r"^[A-Z0-9][A-Z0-9()\-]{4,29}$")

# --------------------------------------------------------------------------- GB 32100

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_check_char(first17):
    """The GB 32100 check character of the first 17 characters."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=False))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value):
    return (value or "").strip().upper()


def credit_code_error(value):
    """None if ``value`` is a valid unified social credit code; the Chinese reason
    otherwise."""
    code = normalize_credit_code(value)
    if len(code) != 18 or not CREDIT_FORMAT.match(code):
        return "统一社会信用代码格式有误，应为 18 位数字或大写字母（不含 I、O、S、V、Z）"
    if credit_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位错误"
    return None


def is_valid_credit_code(value):
    return credit_code_error(value) is None


# --------------------------------------------------------------------------- passwords

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
PASSWORD_RULE = "密码长度不能小于 8 位，且必须为大写字母、小写字母、数字和特殊符号中的 3 种组合"


def password_error(password):
    """None if ``password`` meets the policy (the Chongqing manual's: at least 8
    characters, three of upper case, lower case, digits and symbols); else the reason."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_RULE
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码长度不能超过 {MAX_PASSWORD_LENGTH} 位"
    if any(c.isspace() for c in password):
        return "密码不能包含空格"
    classes = sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < 3:
        return PASSWORD_RULE
    return None


# --------------------------------------------------------------------------- contacts

# MOBILE, LANDLINE and ADMIN_USERNAME are part of the contract (request validation).


def is_mobile(value):
    return bool(MOBILE.match(value or ""))


# --------------------------------------------------------------------------- regions

PROVINCE_PREFIXES = {code[:2] for code, _ in PROVINCES}
PROVINCE_NAMES = dict(PROVINCES)
REGION_CODE = re.compile(r"^[0-9]{6}$")


def region_errors(region):
    """Field errors of a region dict ``{province_code, province_name, city_code,
    city_name, county_code, county_name}`` (GB/T 2260 codes): ``{field: message}``."""
    errors = {}
    province = region.get("province_code")
    city = region.get("city_code")
    county = region.get("county_code")
    if not province or province not in PROVINCE_NAMES:
        errors["province_code"] = "省份代码有误"
        return errors
    if city:
        if not REGION_CODE.match(city) or city[:2] != province[:2] or city.endswith("0000") \
                or not city.endswith("00"):
            errors["city_code"] = "地市代码有误，须为所选省份下的地市代码"
        elif not (region.get("city_name") or "").strip():
            errors["city_name"] = "请填写地市名称"
    if county:
        if not city:
            errors["county_code"] = "请先选择地市"
        elif not REGION_CODE.match(county) or county[:4] != city[:4] or county.endswith("00"):
            errors["county_code"] = "区县代码有误，须为所选地市下的区县代码"
        elif not (region.get("county_name") or "").strip():
            errors["county_name"] = "请填写区县名称"
    return errors


def region_contains(outer, inner):
    """Whether region ``outer`` (an HR department's) covers region ``inner``; both are
    ``(province_code, city_code, county_code)`` with None for levels not set."""
    op, oc, ok = outer
    ip, ic, ik = inner
    if not op or op != ip:
        return False
    if oc and oc != ic:
        return False
    return not (ok and ok != ik)
