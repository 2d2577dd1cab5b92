"""继续教育 提取: the continuing-education platform's public-course hours (公需课学时,
2021 and later) that operators load from its export, and a person's extraction of their
own into 继续教育 records — approved at once, 来源 自动生成, without unit review (Anhui
FAQ: "2021 年（含）以后的公需课学时，点击“提取”后系统将自动获取显示在个人继续教育信息中，
来源显示“自动生成”（自动生成的无需单位审核）").

Rows are matched to a person by ID number. The number is kept only as a SHA-256 hash
(matching) and masked (display); a person's full number comes from identity at 提取.
"""
import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert

from services.common.errors import Invalid
from services.common.logs import mask_id_number

from .. import catalogue
from ..models import PublicCourseHours
from .fields import clean_record

FIRST_YEAR = 2021
CE_TYPE = "公需课"
MAX_ITEMS = 10_000
# The documents template of the platform's export file (its column keys are the item keys).
TEMPLATE = "public_hours"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
COLUMN_LABELS = {"id_number": "身份证号码", "name": "姓名", "year": "年度",
                 "hours": "学时", "project": "培训项目", "organizer": "组织单位",
                 "certificate_no": "证书编号", "start_date": "开始日期", "end_date": "结束日期"}
# the 继续教育 field each item key fills
FIELD_OF = {"year": "ce_year", "hours": "hours", "project": "project",
            "organizer": "organizer", "certificate_no": "certificate_no",
            "start_date": "start_date", "end_date": "end_date"}
ITEM_OF = {v: k for k, v in FIELD_OF.items()}


def normalize_id(value):
    return str(value or "").strip().upper()


def id_hash(value):
    return hashlib.sha256(normalize_id(value).encode()).hexdigest()


def id_number_problem(value):
    """GB 11643: 18 characters, 17 digits and the mod-11 check character."""
    number = normalize_id(value)
    if not number:
        return "请输入身份证号码"
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return "身份证号码应为18位"
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=False))
    if ID_CHECK[total % 11] != number[17]:
        return "身份证号码校验位错误"
    return None


def ce_values(item):
    """The 继续教育 field values of an item (``ce_type`` 公需课)."""
    values = {"ce_type": CE_TYPE}
    for key, field in FIELD_OF.items():
        value = item.get(key)
        if isinstance(value, str):
            value = value.strip() or None
        if key == "hours" and value is not None and not isinstance(value, (str, bool)):
            value = str(value)
        values[field] = value
    return values


def items_of_workbook(parsed):
    """The rows of the export file as the documents service read them (``parse_workbook``
    with :data:`TEMPLATE`): ``(items, row_numbers, unreadable)``, where ``row_numbers``
    are the Excel rows and ``unreadable[i]`` maps each column of item ``i`` the reader
    could not read (“开始日期”不是有效日期…) to its message."""
    titles = {str(c.get("title")): c.get("key") for c in parsed.get("columns") or ()}
    items, numbers, unreadable = [], [], []
    for row in parsed.get("rows") or ():
        values = row.get("values") or {}
        items.append({key: values.get(key) for key in COLUMN_LABELS})
        numbers.append(row.get("row"))
        problems = {}
        for part in (row.get("error") or "").split("；"):
            part = part.strip()
            if part:
                title = part[1:].split("”", 1)[0] if part.startswith("“") else None
                problems[titles.get(title)] = part
        unreadable.append(problems)
    return items, numbers, unreadable


def clean_items(items, today, *, row_numbers=None, unreadable=None, field="items"):
    """The loaded rows cleaned, or Invalid naming every problem: ``details.rows`` =
    ``[{row, column, label, message}]`` (row numbers from 1, or ``row_numbers``: the
    Excel rows of an export file). ``unreadable``: per item, the columns a workbook reader
    could not read and why (reported instead of that column's own checks); ``field``
    names the request field in ``details.fields``. Nothing is loaded when any row is
    wrong."""
    if not isinstance(items, list) or not items:
        raise Invalid("hours.invalid", "请提供公需课学时数据", {"fields": {field: "此项为必填项"}})
    if len(items) > MAX_ITEMS:
        raise Invalid("hours.too_many", f"一次最多导入{MAX_ITEMS}条公需课学时，请分批导入",
                      {"fields": {field: f"不能超过{MAX_ITEMS}条"}})
    rtype = catalogue.TYPES["continuing_education"]
    problems, cleaned, seen = [], [], {}

    def bad(row, column, message):
        problems.append({"row": row, "column": column,
                         "label": COLUMN_LABELS.get(column, column), "message": message})

    for index, item in enumerate(items):
        row = row_numbers[index] if row_numbers else index + 1
        if not isinstance(item, dict):
            bad(row, None, "格式有误，应为对象")
            continue
        unknown = sorted(set(item) - set(COLUMN_LABELS))
        for key in unknown:
            bad(row, key, "不支持的字段")
        before = len(problems)
        unread = (unreadable[index] if unreadable else None) or {}
        for column, message in unread.items():
            bad(row, column, message)
        id_problem = id_number_problem(item.get("id_number"))
        if id_problem and "id_number" not in unread:
            bad(row, "id_number", id_problem)
        name = str(item.get("name") or "").strip()
        if not name:
            bad(row, "name", "请输入姓名")
        elif len(name) > 100:
            bad(row, "name", "姓名长度不能超过100个字符")
        values = None
        try:
            values = clean_record(rtype, ce_values(item), today=today, partial=False)
        except Invalid as exc:
            for field, message in ((exc.details or {}).get("fields") or {}).items():
                if ITEM_OF.get(field, field) not in unread:
                    bad(row, ITEM_OF.get(field, field), message)
        if values and values["ce_year"] < FIRST_YEAR:
            bad(row, "year", f"仅支持{FIRST_YEAR}年（含）以后的公需课学时")
        if len(problems) > before or values is None:
            continue
        key = (normalize_id(item["id_number"]), values["ce_year"])
        if key in seen:
            bad(row, "id_number", f"与第{seen[key]}行重复（身份证号码、年度相同）")
            continue
        seen[key] = row
        cleaned.append({"id_number": key[0], "name": name, "values": values})
    if problems:
        raise Invalid("hours.invalid", "公需课学时数据有误，未导入任何数据",
                      {"rows": problems, "fields": {field: "数据有误"}})
    return cleaned


def load(session, cleaned, *, account_id, now):
    """Insert or update (person, year) rows; rows already extracted keep their values.
    Answers {inserted, updated, unchanged}."""
    hashes = {id_hash(c["id_number"]) for c in cleaned}
    existing = {}
    for chunk in _chunks(sorted(hashes), 1000):
        for row in session.execute(
                select(PublicCourseHours).where(PublicCourseHours.id_hash.in_(chunk))
                .with_for_update()).scalars():
            existing[(row.id_hash, row.year)] = row
    inserted = updated = unchanged = 0
    new_rows = []
    for c in cleaned:
        v = c["values"]
        data = {
            "id_hash": id_hash(c["id_number"]),
            "id_number_masked": mask_id_number(c["id_number"]),
            "name": c["name"], "year": v["ce_year"], "hours": Decimal(v["hours"]),
            "project": v.get("project"), "organizer": v.get("organizer"),
            "certificate_no": v.get("certificate_no"),
            "start_date": _day(v.get("start_date")), "end_date": _day(v.get("end_date")),
        }
        row = existing.get((data["id_hash"], data["year"]))
        if row is None:
            new_rows.append({**data, "loaded_by": account_id, "loaded_at": now})
            inserted += 1
            continue
        if row.extracted_record_id is not None or _same(row, data):
            unchanged += 1
            continue
        for key, value in data.items():
            setattr(row, key, value)
        row.loaded_by, row.loaded_at = account_id, now
        updated += 1
    for chunk in _chunks(new_rows, 1000):
        session.execute(insert(PublicCourseHours).values(chunk)
                        .on_conflict_do_nothing(index_elements=["id_hash", "year"]))
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged}


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def _same(row, data):
    def norm(value):
        return value.isoformat() if hasattr(value, "isoformat") else value
    return all(norm(getattr(row, k)) == norm(v) for k, v in data.items())


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def pending_for(session, id_number):
    """The person's rows not extracted yet, oldest year first, locked for extraction."""
    return list(session.execute(
        select(PublicCourseHours).where(
            PublicCourseHours.id_hash == id_hash(id_number),
            PublicCourseHours.year >= FIRST_YEAR,
            PublicCourseHours.extracted_record_id.is_(None))
        .order_by(PublicCourseHours.year).with_for_update()).scalars())


def record_values(row, today):
    """The 继续教育 values of a loaded row."""
    rtype = catalogue.TYPES["continuing_education"]
    return clean_record(rtype, {
        "ce_type": CE_TYPE, "ce_year": row.year, "hours": format(row.hours, "f"),
        "project": row.project, "organizer": row.organizer,
        "certificate_no": row.certificate_no,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
    }, today=today, partial=False)


def page(session, *, year=None, q=None, extracted=None, page=1, page_size=20):
    """The loaded rows for operators (ID numbers masked)."""
    conditions = []
    if year:
        conditions.append(PublicCourseHours.year == year)
    if q:
        conditions.append(PublicCourseHours.name.ilike(
            "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"))
    if extracted is True:
        conditions.append(PublicCourseHours.extracted_record_id.is_not(None))
    elif extracted is False:
        conditions.append(PublicCourseHours.extracted_record_id.is_(None))
    where = and_(True, *conditions)
    total = session.execute(
        select(func.count()).select_from(PublicCourseHours).where(where)).scalar_one()
    rows = session.execute(
        select(PublicCourseHours).where(where)
        .order_by(PublicCourseHours.year.desc(), PublicCourseHours.id)
        .offset((page - 1) * page_size).limit(page_size)).scalars()
    items = [{
        "id": r.id, "id_number": r.id_number_masked, "name": r.name, "year": r.year,
        "hours": format(r.hours, "f"), "project": r.project, "organizer": r.organizer,
        "certificate_no": r.certificate_no,
        "start_date": r.start_date.isoformat() if r.start_date else None,
        "end_date": r.end_date.isoformat() if r.end_date else None,
        "loaded_at": r.loaded_at.isoformat(), "extracted": r.extracted_record_id is not None,
        "extracted_at": r.extracted_at.isoformat() if r.extracted_at else None,
    } for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}
