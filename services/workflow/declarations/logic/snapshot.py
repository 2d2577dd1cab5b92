"""The printing snapshot of a declaration (docs/printing.md) and the roster rows, as plain
functions over the caller's session.

The snapshot is built when asked for, from what reviewers see: the frozen copy once the
declaration has been submitted (the live data while it is being filled in or has been
returned), with the reviewers' deletion marks, each level's opinion from the review
engine's history and ``final`` once the top level has approved it. Who may print a
declaration: its applicant, the admins of every unit it is or was before, and the HR
department and organiser of its plan (once submitted); anybody else gets 404.

Roster rows (花名册) carry the keys of ``printing.DEFAULT_COLUMNS`` built by the same
helpers as the snapshot, straight from a keyset-paged query (no snapshot per row).
"""
import re
from zoneinfo import ZoneInfo

from sqlalchemy import and_, literal, or_, select

from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.principal import PERSON, UNIT_ADMIN
from services.common.time import utcnow
from services.contracts.printing import (
    DECLARATION_TYPES,
    SNAPSHOT_VERSION,
    PrintSettingsSchema,
    load_publicity_settings,
    load_review_form_settings,
)

from ...engine.models import HistoryEntry, Process, Task
from ..models import Declaration, DeclarationHealth, Plan
from . import chain as chains
from . import declarations as decl
from . import health_sections as hs
from .events import current_recommendation

TIMEZONE = ZoneInfo("Asia/Shanghai")
OPINION_LEVELS = {"employer": "基层单位意见", "competent": "主管部门意见",
                  "hr": "人社部门意见", "organiser": "评委会组建单位意见"}
SERIES_LABELS = {"卫生技术人员": "卫生系列"}
ROSTER_MAX_LIMIT = 1000
_DATE_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_REGION_RE = re.compile(r"^(.{2,7}?(?:自治区|省|市))")
NOT_FOUND = ("declaration.not_found", "申报记录不存在")
NOT_PRINTABLE = ("print.not_applicable", "该申报不属于卫生系列，没有重庆市职称申报评审表可打印")


# --------------------------------------------------------------------------- who

def may_print(session, actor, declaration):
    """The applicant; admins of units the declaration is or was before; the HR
    department and organiser (and publisher) of its plan once it was submitted."""
    if actor is None:
        return False
    if actor.has(PERSON) and actor.person_id is not None \
            and actor.person_id == declaration.person_id:
        return True
    if actor.has(UNIT_ADMIN) and actor.unit_id is not None:
        if decl.unit_had_task(session, declaration.id, actor.unit_id):
            return True
        plan = declaration.plan
        if declaration.first_submitted_at is not None and actor.unit_id in (
                plan.hr_unit_id, plan.organiser_unit_id, plan.publisher_unit_id):
            return True
    return False


def printable(session, actor, declaration_id, *, for_update=False):
    """The declaration and its health record, or 404 / 409."""
    declaration = decl.get(session, declaration_id)
    if not may_print(session, actor, declaration):
        raise NotFound(*NOT_FOUND)
    if not hs.is_health(declaration):
        raise Conflict(*NOT_PRINTABLE)
    record = hs.get_record(session, declaration.id, for_update=for_update)
    if record is None or record.form_category is None:
        raise Conflict("print.category_required", "申报人尚未选择填报表格类别，暂不能打印")
    return declaration, record


# --------------------------------------------------------------------------- values

def _t(value, limit):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        value = f"{value:g}"
    return str(value)[:limit]


def _date(value):
    text = _t(value, 10)
    return text if _DATE_RE.match(text) else ""


def _iso(value):
    return value.isoformat() if value is not None else ""


def _china_date(value):
    return value.astimezone(TIMEZONE).date().isoformat() if value is not None else ""


def region_of(plan):
    """The region that prefixes the forms' titles (重庆市职称申报评审表), from the name of
    the plan's HR department (重庆市人力资源和社会保障局 → 重庆市)."""
    for name in (plan.hr_unit_name, plan.organiser_unit_name, plan.name):
        match = _REGION_RE.match(re.sub(r"^\d{4}年度?", "", name or ""))
        if match:
            return match.group(1)
    return ""


def declaration_type(form, health_type):
    if health_type in DECLARATION_TYPES:
        return health_type
    return hs.FORM_TO_TYPE.get(form, "正常晋升")


def person_values(*, person, personal, basic, person_name):
    """The roster's (and the snapshot person's) common values."""
    education = basic.get("education") or {}
    return {
        "name": _t(person_name or person.get("name"), 50) or "—",
        "gender": _t(person.get("gender_label"), 4),
        "birth_date": _date(person.get("birth_date")),
        "id_number": _t(person.get("id_number"), 40),
        "current_title": _t(basic.get("current_title") or person.get("title_name"), 50),
        "education": _t(education.get("name") or person.get("education_label"), 50),
        "work_start_date": _date(personal.get("work_start_date")),
        "years_in_title": _t(basic.get("years_in_title"), 20),
        "phone": _t(basic.get("phone"), 20),
    }


def roster_values(*, person, personal, basic, person_name, unit_name, title, specialty,
                  level, form, status, submitted_at, form_category, health_type):
    """One roster row: the keys of printing.DEFAULT_COLUMNS (``no`` left out), ID and
    phone numbers in full (the sheet masks them)."""
    values = person_values(person=person, personal=personal, basic=basic,
                           person_name=person_name)
    return {
        "name": values["name"], "gender": values["gender"],
        "birth_date": values["birth_date"], "id_number": values["id_number"],
        "unit_name": _t(unit_name, 200), "current_title": values["current_title"],
        "applied_title": _t(title, 50), "specialty": _t(specialty, 100),
        "form_category": form_category or "",
        "declaration_type": declaration_type(form, health_type),
        "level": hs.LEVEL_SHORT.get(level, level),
        "education": values["education"], "work_start_date": values["work_start_date"],
        "years_in_title": values["years_in_title"], "phone": values["phone"],
        "status": decl.status_label(status), "submitted_at": _iso(submitted_at),
    }


# --------------------------------------------------------------------------- snapshot

def _rows(sections, code):
    return list(((sections or {}).get(code) or {}).get("rows") or [])


def _flags(row, publicity=True):
    return {"deleted": bool(row.get("deleted")),
            "publicity": bool(row.get("publicity", True)) if publicity else False}


def _education(part):
    part = part or {}
    return {"graduated_on": _date(part.get("graduated_on")), "school": _t(part.get("school"), 100),
            "major": _t(part.get("major"), 100), "duration": _t(part.get("duration"), 20),
            "name": _t(part.get("name"), 50), "certificate_no": _t(part.get("certificate_no"), 50)}


def _file_name(files, file_id, default):
    info = files.get(str(file_id)) or files.get(file_id) or {}
    return _t(info.get("file_name") or default, 200)


def _column_value(value):
    if isinstance(value, dict):
        if "rank" in value:
            rank, total = value.get("rank"), value.get("total")
            return f"{rank}/{total}" if total else _t(rank, 20)
        return "；".join(_t(v, 100) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "、".join(_t(v, 100) for v in value)
    return _t(value, 500)


def item_entry(declaration, item, section_labels):
    """An imported record (its frozen copy once submitted) with the reviewer's mark."""
    record = decl.item_view(declaration, item)["record"] or {}
    columns = []
    for field in record.get("display") or ():
        value = field.get("value")
        if value in (None, "", [], {}):
            continue
        columns.append({"label": _t(field.get("label"), 50), "value": _column_value(value)[:500]})
        if len(columns) == 12:
            break
    if not columns:
        columns = [{"label": "业绩名称", "value": _t(item.title, 500)}]
    return {
        "record_id": item.record_id, "type_code": _t(item.record_type, 50),
        "type_label": _t(record.get("type_label") or item.record_type, 50) or "业绩",
        "section": _t(section_labels.get(item.section, item.section), 50),
        "columns": columns, "deleted": bool(item.marked_deleted), "publicity": True,
    }


def recommendation(session, declaration):
    """The employer's saved 单位推荐意见 with its 负责人 and 签字时间, or None."""
    found = current_recommendation(session, declaration)
    if found is None:
        return None
    return {"unit_name": _t(found.unit_name, 200), "opinion": _t(found.opinion, 2000),
            "signer": _t(found.signer, 50),
            "signed_on": found.signed_on.isoformat() if found.signed_on else ""}


def opinions(session, declaration):
    """Each level's signed opinion (its approval) in the current review, in chain order;
    a level that recalled or has not decided yet has none. The 基层单位意见 is the
    employer's saved 单位推荐意见, signed by the 负责人 it names on its 签字时间 (the
    manual's 推荐情况), rather than the approving account's opinion."""
    result = _approvals(session, declaration)
    saved = recommendation(session, declaration)
    if saved is not None:
        employer = OPINION_LEVELS["employer"]
        row = {"level": employer, **saved}
        rest = [o for o in result if o["level"] != employer]
        result = [row] + rest
    return result[:10]


def _approvals(session, declaration):
    if declaration.process_id is None:
        return []
    entries = session.execute(
        select(HistoryEntry).where(HistoryEntry.process_id == declaration.process_id)
        .order_by(HistoryEntry.at, HistoryEntry.id)).scalars().all()
    last = {}
    for entry in entries:
        if entry.step_index is not None:
            last[entry.step_index] = entry
    result = []
    chain = declaration.chain or []
    for index in sorted(last):
        entry = last[index]
        if entry.action != "approve":
            continue
        kind = chain[index].get("unit_kind") if index < len(chain) else None
        result.append({
            "level": OPINION_LEVELS[chains.stage_of(index, kind)],
            "unit_name": _t(entry.unit_name, 200), "opinion": _t(entry.opinion, 2000),
            "signer": _t(entry.account_name, 50), "signed_on": _china_date(entry.at),
        })
    return result


def default_print_settings():
    return {"review_form": {}, "publicity": {"font_size": None, "sections": {}}}


def saved_print_settings(record):
    saved = (record.print_settings if record is not None else None) or {}
    result = default_print_settings()
    if saved.get("review_form"):
        result["review_form"] = saved["review_form"]
    if saved.get("publicity"):
        result["publicity"] = saved["publicity"]
    return result


def build(session, declaration, record, now=None):
    """The snapshot (docs/printing.md) of a health-series declaration."""
    category, health_type, sections, frozen = hs.current(declaration, record)
    sections = sections or {}
    files = sections.get("files") or {}
    plan = declaration.plan
    person = declaration.person or {}
    personal = declaration.personal or {}
    basic = sections.get("basic") or {}
    values = person_values(person=person, personal=personal, basic=basic,
                           person_name=declaration.person_name)
    workload = sections.get("workload") or {}
    years = list(workload.get("years") or [])[:5]
    summary = sections.get("summary") or {}
    archive = sections.get("archive") or {}
    integrity = sections.get("integrity")
    exam = sections.get("exam") if hs.exam_applicable(declaration) else None
    submitted = declaration.submitted_at
    now = now or utcnow()

    materials = []
    if workload.get("file_id"):
        materials.append({"kind": "workload", "label": "工作量（签字盖章）",
                          "file_name": _file_name(files, workload["file_id"], "工作量.pdf"),
                          "file_id": workload["file_id"], "deleted": False})
    for kind, field, _slot, label in hs.SUMMARY_FILES:
        if summary.get(field):
            materials.append({"kind": kind, "label": label,
                              "file_name": _file_name(files, summary[field], f"{label}.pdf"),
                              "file_id": summary[field], "deleted": False})

    section_labels = {s["code"]: s["label"] for s in plan.sections or ()}
    items = [item_entry(declaration, item, section_labels)
             for item in sorted(declaration.items, key=lambda i: (
                 list(section_labels).index(i.section) if i.section in section_labels
                 else len(section_labels), i.section, i.position))][:1000]

    required = hs.archive_required(record) if not frozen else \
        (record.frozen or {}).get("applicant_identity") == "other"
    archive_check = None
    if required or archive.get("content") or archive.get("file_id"):
        archive_check = {"required": bool(required), "content": _t(archive.get("content"), 2000),
                         "file_name": _file_name(files, archive.get("file_id"), "")
                         if archive.get("file_id") else ""}

    return {
        "version": SNAPSHOT_VERSION,
        "frozen_at": _iso(record.frozen_at if frozen else declaration.updated_at),
        "status": decl.status_label(declaration.status),
        "final": declaration.status == "approved",
        "plan": {
            "plan_id": plan.id, "year": plan.year, "name": _t(plan.name, 200),
            "region": region_of(plan),
            "series": SERIES_LABELS.get(declaration.series, _t(declaration.series, 50)),
            "level": hs.LEVEL_SHORT.get(declaration.level, "中级"),
            "committee": _t(plan.committee, 200), "organiser": _t(plan.organiser_unit_name, 200),
        },
        "declaration": {
            "declaration_id": declaration.id,
            "declaration_type": declaration_type(declaration.form, health_type),
            "form_category": category,
            "applied_title": _t(declaration.title, 50),
            "specialty": _t(declaration.specialty, 100),
            "research_direction": _t(basic.get("research_direction"), 200),
            "filled_on": _china_date(submitted or now),
            "submitted_at": _iso(submitted),
            "ethics_satisfaction": _t(basic.get("ethics_satisfaction"), 20),
            "rural_support_years": _t(basic.get("rural_support_years"), 20),
            "continuing_education": _t(basic.get("continuing_education"), 100),
            "frontline": bool(basic.get("frontline")),
            "aided_hubei": bool(basic.get("aided_hubei")),
        },
        "person": {
            "person_id": declaration.person_id, "name": values["name"],
            "former_name": _t(personal.get("former_name"), 50),
            "gender": values["gender"], "birth_date": values["birth_date"],
            "nation": _t(personal.get("ethnicity"), 20),
            "political_status": _t(personal.get("political_status"), 30),
            "id_type": _t(person.get("id_type_label"), 20) or "身份证",
            "id_number": values["id_number"], "phone": values["phone"],
            "unit_id": declaration.unit_id, "unit_name": _t(declaration.unit_name, 200),
            "work_start_date": values["work_start_date"],
            "education": _education(basic.get("education")),
            "degree": _education(basic.get("degree")),
            "current_title": values["current_title"],
            "current_title_detail": _t(basic.get("current_title_detail"), 200),
            "employed_title": _t(basic.get("employed_title"), 200),
            "years_in_title": values["years_in_title"],
            "practice_qualification": _t(basic.get("practice_qualification"), 200),
            "practice_certificate": _t(basic.get("practice_certificate"), 200),
            "specialty_work": _t(basic.get("specialty_work"), 200),
            "admin_post": _t(basic.get("admin_post"), 200),
            "societies": _t(basic.get("societies"), 300),
            "photo_file_id": personal.get("photo_file_id"),
        },
        "annual_assessments": [{"year": row["year"], "result": _t(row.get("result"), 20)}
                               for row in _rows(sections, "assessments")
                               if not row.get("deleted")][:10],
        "study": [{"period": _t(r.get("period"), 50), "content": _t(r.get("content"), 300),
                   "place": _t(r.get("place"), 100),
                   "certificate_no": _t(r.get("certificate_no"), 50), **_flags(r)}
                  for r in _rows(sections, "study")],
        "work": [{"period": _t(r.get("period"), 50), "unit": _t(r.get("unit"), 200),
                  "work": _t(r.get("work"), 200), "title": _t(r.get("title"), 50), **_flags(r)}
                 for r in _rows(sections, "work")],
        "achievements_before": [_achievement(r, publicity=False)
                                for r in _rows(sections, "achievements_before")],
        "achievements": [_achievement(r) for r in _rows(sections, "achievements")],
        "workload": {"years": years, "rows": [
            {"item": _t(r.get("item"), 100) or "—",
             "values": [_t(v, 30) for v in (r.get("values") or [])][:len(years)], **_flags(r)}
            for r in _rows(sections, "workload")]},
        "papers": [{"date": _t(r.get("date"), 20), "title": _t(r.get("title"), 300),
                    "content": _t(r.get("content"), 500), "venue": _t(r.get("venue"), 300),
                    "rank": _t(r.get("rank"), 20), **_flags(r)}
                   for r in _rows(sections, "papers")],
        "exam": ({"mode": exam["mode"], "date": _t(exam.get("date"), 20),
                  "name": _t(exam.get("name"), 100), "specialty": _t(exam.get("specialty"), 100),
                  "score": _t(exam.get("score"), 20), "organiser": _t(exam.get("organiser"), 100)}
                 if exam else None),
        "work_summary": _t(summary.get("work_summary"), 5000),
        "assessment": _t(summary.get("assessment"), 5000),
        "summary_materials": materials,
        "other_attachments": [{"kind": "other", "label": _t(r.get("label"), 100),
                               "file_name": _file_name(files, r.get("file_id"), ""),
                               "file_id": r.get("file_id"), "deleted": bool(r.get("deleted"))}
                              for r in _rows(sections, "others")],
        "archive_check": archive_check,
        "integrity": ({"publicity_from": _date(integrity.get("publicity_from")),
                       "publicity_to": _date(integrity.get("publicity_to")),
                       "checked": list(integrity.get("checked") or []),
                       "other": _t(integrity.get("other"), 500),
                       "explanation": _t(integrity.get("explanation"), 2000)}
                      if integrity else None),
        "items": items,
        "opinions": opinions(session, declaration),
        "print_settings": saved_print_settings(record),
    }


def _achievement(row, publicity=True):
    return {"period": _t(row.get("period"), 50), "name": _t(row.get("name"), 300),
            "role": _t(row.get("role"), 500), "result": _t(row.get("result"), 500),
            **_flags(row, publicity)}


def print_source(session, actor, declaration_id):
    """print_snapshot's answer (docs/printing.md, "What workflow answers")."""
    declaration, record = printable(session, actor, declaration_id)
    snapshot = build(session, declaration, record)
    return {
        "declaration_id": declaration.id,
        "person_id": declaration.person_id,
        "snapshot": snapshot,
        "photo_file_id": snapshot["person"]["photo_file_id"],
        "print_settings": record.print_settings and saved_print_settings(record),
    }


# --------------------------------------------------------------------------- settings

def save_print_settings(session, actor, declaration_id, settings):
    """评审表格式设置 / 公示表格式设置: each part given replaces the saved one."""
    settings = settings or {}
    if not isinstance(settings, dict):
        raise Invalid("print.settings_invalid", "格式设置应为对象")
    unknown = sorted(set(settings) - {"review_form", "publicity"})
    if unknown or not ({"review_form", "publicity"} & set(settings)):
        raise Invalid("print.settings_invalid",
                      "请提交评审表格式设置（review_form）或公示表格式设置（publicity）",
                      {"fields": {key: ["不支持的字段"] for key in unknown}})
    parts = {}
    if "review_form" in settings:
        parts["review_form"] = load_review_form_settings(settings["review_form"] or {})
    if "publicity" in settings:
        parts["publicity"] = load_publicity_settings(settings["publicity"] or {})
    # The whole, as the printing library reads it.
    PrintSettingsSchema().load({**default_print_settings(), **parts})
    declaration, record = printable(session, actor, declaration_id, for_update=True)
    saved = dict(record.print_settings or {})
    saved.update(parts)
    record.print_settings = saved
    session.flush()
    return {"declaration_id": declaration.id, "print_settings": saved_print_settings(record)}


# --------------------------------------------------------------------------- roster

def _contains(column, text):
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def roster_scope(actor, scope):
    """The condition on the declarations a unit's roster lists: ``unit`` those of its
    own staff (submitted at least once), ``level`` those its list shows (those of the
    plans it publishes or belongs to, once submitted, and those that are or were before
    it). Whether the unit holds or held a task of a declaration is an EXISTS looked up
    row by row through the indexes, and only for rows the plan test leaves out, so that
    a page costs the rows it reads, not every task of the unit (the HR department's
    roster of its own plan makes no look-up at all)."""
    if actor is None or not actor.has(UNIT_ADMIN) or actor.unit_id is None:
        raise Forbidden("declaration.roster_forbidden", "只有单位管理员可以导出花名册")
    unit_id = actor.unit_id
    submitted = Declaration.first_submitted_at.is_not(None)
    if scope == "unit":
        return and_(Declaration.unit_id == unit_id, submitted)
    held = (select(literal(1)).select_from(Process)
            .join(Task, Task.process_id == Process.id)
            .where(decl.subject_condition(Declaration.id), Task.unit_id == unit_id)
            .exists())
    own_plans = select(Plan.id).where(or_(Plan.publisher_unit_id == unit_id,
                                          Plan.hr_unit_id == unit_id,
                                          Plan.organiser_unit_id == unit_id))
    # PostgreSQL tries OR's arms in order: the plan test first, the look-up only if it fails
    return or_(and_(Declaration.plan_id.in_(own_plans), submitted), held)


def roster_query(actor, filters, after_id, limit):
    """The keyset-paged query of :func:`roster_page` (``limit`` + 1 rows)."""
    conditions = [Declaration.deleted_at.is_(None), roster_scope(actor, filters["scope"])]
    if after_id is not None:
        conditions.append(Declaration.id > after_id)
    if filters.get("status"):
        conditions.append(Declaration.status == filters["status"])
    if filters.get("level"):
        conditions.append(Declaration.level == filters["level"])
    if filters.get("plan_id"):
        conditions.append(Declaration.plan_id == filters["plan_id"])
    if filters.get("specialty") and filters["specialty"].strip():
        conditions.append(_contains(Declaration.specialty, filters["specialty"]))
    if filters.get("name") and filters["name"].strip():
        conditions.append(_contains(Declaration.person_name, filters["name"]))
    health = DeclarationHealth
    query = (
        select(Declaration.id, Declaration.person_name, Declaration.person,
               Declaration.personal["work_start_date"].astext.label("work_start_date"),
               Declaration.unit_name, Declaration.title, Declaration.specialty,
               Declaration.level, Declaration.form, Declaration.status,
               Declaration.submitted_at, health.form_category, health.declaration_type,
               health.sections["basic"].label("basic"),
               health.frozen["form_category"].astext.label("frozen_category"),
               health.frozen["declaration_type"].astext.label("frozen_type"),
               health.frozen["sections"]["basic"].label("frozen_basic"))
        .select_from(Declaration)
        .outerjoin(health, health.declaration_id == Declaration.id))
    return query.where(*conditions).order_by(Declaration.id).limit(limit + 1)


def roster_page(session, actor, filters, after_id=None, limit=500):
    """One page of roster rows in ascending declaration id after ``after_id``."""
    limit = max(1, min(int(limit or 500), ROSTER_MAX_LIMIT))
    rows = session.execute(roster_query(actor, filters, after_id, limit)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    result = []
    for row in rows:
        use_frozen = row.status not in decl.EDITABLE and row.frozen_basic is not None
        result.append(roster_values(
            person=row.person or {}, personal={"work_start_date": row.work_start_date},
            basic=(row.frozen_basic if use_frozen else row.basic) or {},
            person_name=row.person_name, unit_name=row.unit_name, title=row.title,
            specialty=row.specialty, level=row.level, form=row.form, status=row.status,
            submitted_at=row.submitted_at,
            form_category=(row.frozen_category if use_frozen else row.form_category),
            health_type=(row.frozen_type if use_frozen else row.declaration_type)))
    return {"rows": result, "next_after": rows[-1].id if more and rows else None}
