"""Child rows of health records: the 病案列表 of 卫生-专题/卫生-论文 and the 参考文献 of
卫生-综述 (``RecordType.children`` in the catalogue), their order (↑↓) and the rules a
record's rows must meet before it is submitted, in the seeds' words:

* 卫生-专题 entered by template (是否模板录入): at least 10 case rows admitted within the
  last 5 years; 卫生-论文: at least 1 (新增病案材料仅支持近5年日期且病案数量不少于10份);
* 卫生-综述: at least 20 references, at least 10 of them from the last 3 years (this year
  and the two before it), each with its file (每一个参考文献都必须上传附件).

Rows change while the record is editable (编辑中, 退回); an approved record's rows are
adjusted (调整) without a new review, each adjustment logged in the record's trail, and
an adjustment may not take away what the rule needs.
"""
import datetime as dt
import re

from sqlalchemy import func, select

from services.common.errors import Conflict, Invalid, NotFound

from .. import catalogue
from ..models import ChildRow
from . import bulk
from . import status as st
from .fields import clean_record

EDIT, ADJUST = "edit", "adjust"
ROW_NAMES = {"cases": "病案", "references": "参考文献"}
KEY_TEXT = {"cases": "住院号、入院日期相同", "references": "年度、文献名称相同"}
KEY_COLUMN = {"cases": "admission_no", "references": "title"}


# --------------------------------------------------------------------------- catalogue

def child_type(rtype):
    if not rtype.children:
        raise Conflict("record.no_rows", f"“{rtype.label}”没有病案列表或参考文献")
    return catalogue.CHILDREN[rtype.children]


def rule_of(rtype):
    """The type's ``children`` rule of the catalogue, or None."""
    return next((r for r in catalogue.RULES.get(rtype.code, ()) if r["rule"] == "children"),
                None)


def template_entry_required(rtype):
    rule = rule_of(rtype)
    return rule.get("when") if rule else None


def rule_applies(rtype, values):
    rule = rule_of(rtype)
    if rule is None:
        return False
    when = rule.get("when")
    return not when or (values or {}).get(when) is True


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:                            # 29 February
        return day.replace(year=day.year - years, day=28)


def _date(value):
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def metrics(rtype, rows, today):
    """{total, recent, with_file} of ``rows`` ([{fields, file_id}]) under the type's rule:
    recent = case rows admitted within the last N years, or references of the last N
    years (this year and the N-1 before)."""
    rule = rule_of(rtype) or {}
    total = len(rows)
    with_file = sum(1 for r in rows if r.get("file_id"))
    recent = 0
    if rtype.children == "cases":
        floor = _years_before(today, rule.get("within_years", 5))
        recent = sum(1 for r in rows
                     if (d := _date((r.get("fields") or {}).get("admission_date")))
                     and floor <= d)
    elif rtype.children == "references":
        first = today.year - rule.get("recent_years", 3) + 1
        recent = sum(1 for r in rows
                     if isinstance(y := (r.get("fields") or {}).get("year"), int) and y >= first)
    return {"total": total, "recent": recent, "with_file": with_file}


def rule_problem(rtype, values, rows, today):
    """What the rows lack for submission (Chinese, with the counts), or None."""
    if not rule_applies(rtype, values):
        return None
    rule = rule_of(rtype)
    m = metrics(rtype, rows, today)
    if rtype.children == "cases":
        years = rule.get("within_years", 5)
        if m["recent"] < rule["min"]:
            return f"{rule['message']}当前近{years}年的病案{m['recent']}份。"
        return None
    years = rule.get("recent_years", 3)
    missing = m["total"] - m["with_file"] if rule.get("file_required") else 0
    if (m["total"] < rule["min"] or m["recent"] < rule.get("recent_min", 0) or missing):
        text = f"{rule['message']}当前参考文献{m['total']}份，其中近{years}年{m['recent']}份"
        if missing:
            text += f"，{missing}份未上传附件"
        return text + "。"
    return None


# The documents slot of the 非模板录入附件 (the catalogue's slot required without template).
NONTEMPLATE_SLOTS = {
    "health_topic": ("health_topic_attachment",),
    "health_paper": ("health_paper_attachment",),
}
NONTEMPLATE_MESSAGE = "未勾选“是否模板录入”的，请上传“非模板录入附件”"


def submission_problems(rtype, values, evidence, rows, today):
    """What keeps a health record from being submitted, by field: ``rows`` (the case
    rows or references against the rule) and ``evidence_file_ids`` (a record not entered
    by template needs its 非模板录入附件)."""
    problems = {}
    if rtype.children:
        problem = rule_problem(rtype, values, rows, today)
        if problem:
            problems["rows"] = problem
    when = template_entry_required(rtype)
    if when and (values or {}).get(when) is not True and not evidence:
        problems["evidence_file_ids"] = NONTEMPLATE_MESSAGE
    return problems


def nontemplate_slot_problem(rtype, values, attached):
    """After the evidence is attached (the documents service answers each file with its
    slot): a record not entered by template needs a file in its 非模板录入附件 slot."""
    slots = NONTEMPLATE_SLOTS.get(rtype.code)
    when = template_entry_required(rtype)
    if not slots or not when or (values or {}).get(when) is True:
        return None
    if not isinstance(attached, list) or not all(isinstance(f, dict) and "slot" in f
                                                 for f in attached):
        return None
    if any(f["slot"] in slots for f in attached):
        return None
    return NONTEMPLATE_MESSAGE


def rule_json(rtype):
    rule = rule_of(rtype)
    return dict(rule) if rule else None


# --------------------------------------------------------------------------- state

def require_changeable(record, rtype):
    """``edit`` while the record is editable, ``adjust`` (调整) when it is approved and no
    declaration holds it; Conflict otherwise. Rows are for records entered by template."""
    child_type(rtype)
    if record.status in st.EDITABLE:
        mode = EDIT
    elif record.status == st.APPROVED:
        if record.type_code not in st.ADJUSTABLE_TYPES:
            raise Conflict("record.not_adjustable", f"“{rtype.label}”无法调整")
        if record.lock_count > 0:
            raise Conflict("record.locked", "该业绩已被职称申报引用，无法调整")
        mode = ADJUST
    elif record.status == st.SUBMITTED:
        raise Conflict("record.not_editable", "审核中的记录无法修改，审核通过后可进行“调整”")
    elif record.status == st.TERMINATED:
        raise Conflict("record.not_editable", "已终止的记录无法修改")
    else:
        raise Conflict("record.not_editable", "当前状态的记录无法修改")
    when = template_entry_required(rtype)
    if when and (record.fields or {}).get(when) is not True:
        raise Conflict("record.not_template_entry",
                       "未勾选“是否模板录入”的业绩无需录入病案列表，请通过“非模板录入附件”上传材料")
    return mode


def guard_adjustment(rtype, values, before, after, today):
    """An adjustment may not take away what the rule needs: refused (422) when the rows
    after it break the rule and any of total/recent/with-file went down, or (references)
    a row without its file was added."""
    problem = rule_problem(rtype, values, after, today)
    if problem is None:
        return
    was, now = metrics(rtype, before, today), metrics(rtype, after, today)
    missing_before = was["total"] - was["with_file"]
    missing_after = now["total"] - now["with_file"]
    if any(now[k] < was[k] for k in now) or (
            (rule_of(rtype) or {}).get("file_required") and missing_after > missing_before):
        raise Invalid("record.rows_rule", problem, {"fields": {"rows": problem}})


# --------------------------------------------------------------------------- values

def clean_row(child, data, today):
    """A row's cleaned values (every required mark checked: the add dialog's ``*``)."""
    return clean_record(child, data or {}, today=today, partial=False)


def _norm(text):
    return re.sub(r"\s+", "", str(text or "")).lower()


def row_key(kind, values):
    """What makes two rows the same: 住院号 and 入院日期 of a case; 年度 and 文献名称 of a
    reference. None while a part is missing."""
    values = values or {}
    if kind == "references":
        if values.get("year") in (None, "") or not values.get("title"):
            return None
        return (str(values["year"]), _norm(values["title"]))
    if not values.get("admission_no") or not values.get("admission_date"):
        return None
    return (_norm(values["admission_no"]), str(values["admission_date"]))


def describe_row(kind, values):
    """The row as the trail names it: 住院号 2017036480（张三） / 《文献名称》."""
    values = values or {}
    if kind == "references":
        return f"《{values.get('title') or ''}》"
    name = values.get("patient_name")
    return f"住院号 {values.get('admission_no') or ''}" + (f"（{name}）" if name else "")


# --------------------------------------------------------------------------- rows

def rows_of(session, record_id, *, for_update=False):
    query = (select(ChildRow).where(ChildRow.record_id == record_id)
             .order_by(ChildRow.position, ChildRow.id))
    if for_update:
        query = query.with_for_update()
    return list(session.execute(query).scalars())


def plain(rows):
    return [{"id": r.id, "fields": r.fields, "file_id": r.file_id} for r in rows]


def row_dict(row):
    return {"id": row.id, "position": row.position, "fields": dict(row.fields or {}),
            "file_id": row.file_id}


def get_row(rows, row_id):
    row = next((r for r in rows if r.id == row_id), None)
    if row is None:
        raise NotFound("record.row_not_found", "明细记录不存在")
    return row


def require_unique(kind, rows, values, *, except_id=None):
    key = row_key(kind, values)
    if key is None:
        return
    for index, row in enumerate(rows, start=1):
        if row.id != except_id and row_key(kind, row.fields) == key:
            message = f"与第{index}条{ROW_NAMES[kind]}重复（{KEY_TEXT[kind]}）"
            raise Invalid("record.row_duplicate", message,
                          {"fields": {KEY_COLUMN[kind]: message}})


def next_row_id(session):
    return session.execute(
        select(func.nextval(func.pg_get_serial_sequence(ChildRow.__table__.fullname, "id")))
    ).scalar_one()


def add(session, record, kind, values, file_id=None, *, row_id=None, position=None, now):
    rows_count = session.execute(
        select(func.coalesce(func.max(ChildRow.position), 0))
        .where(ChildRow.record_id == record.id)).scalar_one()
    row = ChildRow(record_id=record.id, kind=kind, position=position or rows_count + 1,
                   fields=values, file_id=file_id, created_at=now, updated_at=now)
    if row_id is not None:
        row.id = row_id
    session.add(row)
    return row


def add_many(session, record, kind, values_list, *, now):
    """Rows appended after the record's last one, written with COPY (Excel import)."""
    start = session.execute(
        select(func.coalesce(func.max(ChildRow.position), 0))
        .where(ChildRow.record_id == record.id)).scalar_one()
    bulk.copy_rows(session, ChildRow.__table__, (
        "record_id", "kind", "position", "fields", "created_at", "updated_at"), (
        (record.id, kind, start + i, values, now, now)
        for i, values in enumerate(values_list, start=1)))


def renumber(rows):
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position


def move(rows, row, direction):
    """↑ / ↓: swap the row with its neighbour."""
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if other < 0:
        raise Conflict("record.row_first", "已经是第一条，无法上移")
    if other >= len(rows):
        raise Conflict("record.row_last", "已经是最后一条，无法下移")
    rows[index], rows[other] = rows[other], rows[index]
    renumber(rows)
    return rows[index]


def recount(session, record):
    session.flush()
    record.child_count = session.execute(
        select(func.count()).select_from(ChildRow).where(ChildRow.record_id == record.id)
    ).scalar_one()
