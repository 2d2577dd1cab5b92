"""Field rules of achievement records: ``clean_record`` checks a record's field values
against its type in the catalogue and answers the cleaned values (dates and decimals as
ISO strings), or raises one :class:`Invalid` naming every problem at once, each on its
field, in Chinese.

The rules a user expects, from the seeds:
* each field's kind, options, length limit and range; dates not after today where the
  catalogue says ``max="today"``; 年度 not after this year;
* 结束日期 not before 开始日期; ``至今`` (``until_now``) instead of an end date;
* 个人排名 ≤ 参与人数 (the ``rank`` pair, shown as 1/7);
* 学位获得日期 required once a 获得学位 is chosen; 有效日期 not required when 长期有效;
* amounts as decimals in 万元 (at most ``places`` decimals);
* ISSN (mod 11, X) and ISBN-10/13 check digits where a number is given;
* 年度考核's 考核单位 comes from the bound unit; without one it may be typed and saved
  but not submitted.

``partial=True`` (saving a draft) checks formats and relations but not required marks.
The function also cleans child rows (case rows, references): pass a ``ChildType``.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from services.common.errors import Invalid

from ..catalogue import RULES

DATE_FLOOR = dt.date(1900, 1, 1)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_RANK_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class _Bad(Exception):
    """One field's problem; the message is what the user reads."""


def clean_record(record_type, data, *, today, bound_unit_name=None, partial=False):
    """The cleaned values of every field of ``record_type`` (``None``/``False`` when
    empty), or :class:`Invalid` ``record.invalid`` with ``details.fields`` =
    ``{field key: 中文消息}`` naming every problem."""
    today = _as_date(today)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("record.invalid", "业绩信息填写有误",
                      {"fields": {"_schema": "业绩信息格式有误"}})
    defs = {f.key: f for f in record_type.fields}
    errors = {str(key): "不支持的字段" for key in data if key not in defs}

    values = {}
    for f in record_type.fields:
        if f.kind == "unit" and bound_unit_name:
            values[f.key] = bound_unit_name      # filled by the system, never typed
            continue
        try:
            values[f.key] = _clean_value(f, data.get(f.key), today)
        except _Bad as exc:
            errors[f.key] = str(exc)
            values[f.key] = None

    # Rules that make a field required or not, and clear what does not apply.
    required_now, optional_now, messages = set(), set(), {}
    for rule in RULES.get(record_type.code, ()):
        kind = rule["rule"]
        if kind == "required_unless":            # 至今, 长期有效
            field = rule["field"]
            if values.get(rule["flag"]) is True:
                values[field] = None
                errors.pop(field, None)
                optional_now.add(field)
            else:
                messages[field] = rule["message"]
        elif kind == "required_if":              # 学位获得日期 once a 学位 is chosen
            field = rule["field"]
            if _empty(defs[rule["when"]], values.get(rule["when"])):
                values[field] = None
                errors.pop(field, None)
                optional_now.add(field)
            else:
                required_now.add(field)
                messages[field] = rule["message"]

    # Relations between fields (only between values that are themselves valid).
    for rule in RULES.get(record_type.code, ()):
        kind = rule["rule"]
        if kind == "date_range":
            start, end = rule["start"], rule["end"]
            if (values.get(start) and values.get(end) and start not in errors
                    and end not in errors and values[end] < values[start]):
                errors[end] = f"{defs[end].label}不能早于{defs[start].label}"
        elif kind == "not_future_if":            # 已结题的项目
            field = rule["field"]
            if (values.get(rule["when"]) is True and values.get(field)
                    and field not in errors and values[field] > today):
                errors[field] = rule["message"]
        elif kind == "within_years":             # 近5年的病案
            field = rule["field"]
            if (values.get(field) and field not in errors
                    and values[field] < _years_before(today, rule["years"])):
                errors[field] = rule["message"]

    if not partial:
        for f in record_type.fields:
            if f.key in errors or f.key in optional_now:
                continue
            if f.kind == "unit" and not bound_unit_name:
                errors[f.key] = f"未绑定工作单位的，{f.label}只能保存无法提交，请先绑定工作单位"
                continue
            if (f.required or f.key in required_now) and _empty(f, values[f.key]):
                errors[f.key] = messages.get(f.key) or _required_message(f)

    if errors:
        raise Invalid("record.invalid", "业绩信息填写有误", {"fields": errors})
    return {key: _to_json(value) for key, value in values.items()}


# --------------------------------------------------------------------------- one value

def _clean_value(f, raw, today):
    if isinstance(raw, str) and f.kind not in ("text", "textarea", "unit"):
        raw = raw.strip()
    if raw is None or raw == "" or (f.kind in ("multiselect",) and raw == []):
        return False if f.kind == "bool" else None
    cleaner = _CLEANERS.get(f.kind)
    if cleaner is None:
        raise _Bad(f"{f.label}类型未知")
    return cleaner(f, raw, today)


def _text(f, raw, today):
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _Bad(f"{f.label}应为文本")
    value = str(raw).strip()
    if not value:
        return None
    if f.max_length is not None and len(value) > f.max_length:
        raise _Bad(f"{f.label}长度不能超过{f.max_length}个字符")
    if f.format == "issn":
        return _issn(value)
    if f.format == "isbn":
        return _isbn(value)
    if f.format == "url" and not re.match(r"^https?://\S+$", value, re.IGNORECASE):
        raise _Bad(f"{f.label}应以 http:// 或 https:// 开头")
    return value


def _date(f, raw, today):
    if isinstance(raw, dt.datetime):
        raise _Bad(f"{f.label}格式有误，应为 YYYY-MM-DD")
    if isinstance(raw, dt.date):
        value = raw
    else:
        if not isinstance(raw, str) or not _DATE_RE.match(raw):
            raise _Bad(f"{f.label}格式有误，应为 YYYY-MM-DD")
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            raise _Bad(f"{f.label}不是有效的日期") from None
    floor = dt.date.fromisoformat(f.min) if isinstance(f.min, str) else DATE_FLOOR
    if value < floor:
        raise _Bad(f"{f.label}不能早于{floor.isoformat()}")
    if f.max == "today" and value > today:
        raise _Bad(f"{f.label}不能晚于今天")
    return value


def _month(f, raw, today):
    match = _MONTH_RE.match(raw) if isinstance(raw, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise _Bad(f"{f.label}格式有误，应为 YYYY-MM")
    value = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if value < DATE_FLOOR:
        raise _Bad(f"{f.label}不能早于{DATE_FLOOR.year}年")
    if f.max == "today" and value > today.replace(day=1):
        raise _Bad(f"{f.label}不能晚于本月")
    return raw


def _year(f, raw, today):
    if isinstance(raw, bool):
        raise _Bad(f"{f.label}应为四位年份")
    if isinstance(raw, str) and re.match(r"^\d{4}$", raw):
        raw = int(raw)
    if not isinstance(raw, int) or not 1000 <= raw <= 9999:
        raise _Bad(f"{f.label}应为四位年份")
    low = f.min if isinstance(f.min, int) else DATE_FLOOR.year
    if raw < low:
        raise _Bad(f"{f.label}不能早于{low}年")
    if f.max == "today" and raw > today.year:
        raise _Bad(f"{f.label}不能晚于今年")
    if isinstance(f.max, int) and raw > f.max:
        raise _Bad(f"{f.label}不能晚于{f.max}年")
    return raw


def _int(f, raw, today):
    value = _as_int(raw)
    if value is None:
        raise _Bad(f"{f.label}应为整数")
    _check_range(f, value)
    return value


def _decimal(f, raw, today):
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise _Bad(f"{f.label}应为数字")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise _Bad(f"{f.label}应为数字") from None
    if not value.is_finite():
        raise _Bad(f"{f.label}应为数字")
    _check_range(f, value)
    places = f.places if f.places is not None else 2
    try:
        quantized = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise _Bad(f"{f.label}数值过大") from None
    if quantized != value:
        raise _Bad(f"{f.label}最多保留{places}位小数" if places else f"{f.label}应为整数")
    return quantized


def _select(f, raw, today):
    if not isinstance(raw, str) or raw not in f.options:
        raise _Bad(f"{f.label}应为以下之一：{'、'.join(f.options)}")
    return raw


def _multiselect(f, raw, today):
    if not isinstance(raw, list) or any(not isinstance(v, str) or v not in f.options
                                        for v in raw):
        raise _Bad(f"{f.label}应为以下之中的一项或多项：{'、'.join(f.options)}")
    return list(dict.fromkeys(raw))


def _bool(f, raw, today):
    if not isinstance(raw, bool):
        raise _Bad(f"{f.label}应为是或否")
    return raw


def _rank(f, raw, today):
    """个人排名/参与人数: ``{"rank": 1, "total": 7}`` or ``"1/7"``."""
    bad_shape = _Bad(f"{f.label}格式有误，应为“{f.label}/参与人数”，如 1/7")
    if isinstance(raw, str):
        match = _RANK_RE.match(raw)
        if not match:
            raise bad_shape
        rank, total = int(match.group(1)), int(match.group(2))
    elif isinstance(raw, dict):
        if set(raw) - {"rank", "total"}:
            raise bad_shape
        rank, total = raw.get("rank"), raw.get("total")
        if rank in (None, ""):
            rank = None
        elif (rank := _as_int(rank)) is None:
            raise _Bad(f"{f.label}应为正整数")
        if total in (None, ""):
            total = None
        elif (total := _as_int(total)) is None:
            raise _Bad("参与人数应为正整数")
    else:
        raise bad_shape
    if rank is not None and rank < 1:
        raise _Bad(f"{f.label}应为正整数")
    if total is not None and total < 1:
        raise _Bad("参与人数应为正整数")
    if isinstance(f.max, int) and total is not None and total > f.max:
        raise _Bad(f"参与人数不能大于{f.max}")
    if rank is not None and total is not None and rank > total:
        raise _Bad(f"{f.label}不能大于参与人数")
    if rank is None and total is None:
        return None
    return {"rank": rank, "total": total}


_CLEANERS = {
    "text": _text, "textarea": _text, "unit": _text, "date": _date, "month": _month,
    "year": _year, "int": _int, "decimal": _decimal, "select": _select,
    "multiselect": _multiselect, "bool": _bool, "rank": _rank,
}


# --------------------------------------------------------------------------- check digits

def _issn(value):
    """ISSN (ISO 3297): 7 digits and a mod-11 check character (0-9 or X), shown as
    ``1234-5679``."""
    compact = re.sub(r"[\s-]", "", value.upper())
    if compact.startswith("ISSN"):
        compact = compact[4:]
    if not re.match(r"^\d{7}[\dX]$", compact):
        raise _Bad("ISSN 格式有误，应为 8 位，如 1234-5679")
    total = sum(int(d) * w for d, w in zip(compact[:7], range(8, 1, -1), strict=False))
    check = (11 - total % 11) % 11
    if compact[7] != ("X" if check == 10 else str(check)):
        raise _Bad("ISSN 校验位错误")
    return f"{compact[:4]}-{compact[4:]}"


def _isbn(value):
    """ISBN-10 (mod 11, X) or ISBN-13 (978/979, mod 10); stored without hyphens."""
    compact = re.sub(r"[\s-]", "", value.upper())
    if compact.startswith("ISBN"):
        compact = compact[4:]
    if re.match(r"^\d{9}[\dX]$", compact):
        digits = [10 if c == "X" else int(c) for c in compact]
        if sum(d * w for d, w in zip(digits, range(10, 0, -1), strict=False)) % 11:
            raise _Bad("标准书号（ISBN）校验位错误")
        return compact
    if re.match(r"^97[89]\d{10}$", compact):
        if sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(compact)) % 10:
            raise _Bad("标准书号（ISBN）校验位错误")
        return compact
    raise _Bad("标准书号（ISBN）格式有误，应为 10 位或 13 位")


# --------------------------------------------------------------------------- helpers

def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _as_int(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INT_RE.match(raw.strip()):
        return int(raw.strip())
    return None


def _check_range(f, value):
    if isinstance(f.min, (int, float)) and value < f.min:
        raise _Bad(f"{f.label}不能小于{f.min}")
    if isinstance(f.max, (int, float)) and value > f.max:
        raise _Bad(f"{f.label}不能大于{f.max}")


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:                            # 29 February
        return day.replace(year=day.year - years, day=28)


def _empty(f, value):
    if f.kind == "bool":
        return False                              # unchecked is an answer
    if f.kind == "rank":
        return not value or value.get("rank") is None or value.get("total") is None
    return value is None or value == "" or value == []


def _required_message(f):
    if f.kind == "rank":
        return f"请填写{f.label}和参与人数"
    if f.kind in ("select", "multiselect", "date", "month", "year"):
        return f"请选择{f.label}"
    return f"请输入{f.label}"


def _to_json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
