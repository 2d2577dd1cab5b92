"""Evaluation plans (评审计划): publishing, listing and reading, as plain functions.

Plans are published by the admins of an HR department (人社部门) or of a committee
organiser (评委会组建单位), and by operators. Everyone signed in sees published plans
(individuals to declare, units to look at them: 查看); a publisher also sees its own
drafts. A plan names two units of the review chain: its HR department and its organiser
(the last two steps of every declaration's chain).
"""
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.messaging import emit
from services.common.principal import OPERATOR, UNIT_ADMIN
from services.common.time import iso, utcnow
from services.contracts.workflow.declarations import (
    FORM_PROFILES,
    FORMS,
    LEVELS,
    PLAN_STATUSES,
    SECTION_KINDS,
    WINDOW_STATES,
)

from ..models import Declaration, Plan

TIMEZONE = ZoneInfo("Asia/Shanghai")

PUBLISHER_KINDS = ("hr", "organiser")

FIELDS = ("year", "name", "committee", "office", "level", "forms", "starts_on", "ends_on",
          "scope", "content", "attachments", "contact_name", "contact_phone",
          "contact_address", "interview", "titles_required", "sections", "unit_gate",
          "delete_submitted", "undo_reject", "form_profile")
# The series whose declarations carry the Chongqing health sections.
HEALTH_SERIES = ("卫生技术人员", "卫生系列")


def chongqing(plan):
    """Whether the plan is Chongqing's (manual 004) rather than Anhui's (FAQ 003): its
    name, committee, HR department or organiser names 重庆."""
    return any("重庆" in (name or "") for name in (
        plan.name, plan.committee, plan.hr_unit_name, plan.organiser_unit_name))


def may_delete_submitted(plan):
    """Chongqing 4.4: the applicant may delete a submitted declaration the unit has not
    reviewed; Anhui FAQ 13: no (the reviewing level returns it)."""
    value = getattr(plan, "delete_submitted", None)
    return chongqing(plan) if value is None else bool(value)


def may_undo_reject(plan):
    """Chongqing 2.4.3: a level may undo its own 不通过 (审核未通过 → 撤销)."""
    value = getattr(plan, "undo_reject", None)
    return chongqing(plan) if value is None else bool(value)


def form_profile(plan):
    """The form an applicant fills: the plan's, else ``chongqing_health`` for a plan of
    the health series (as before plans said so), else ``standard``."""
    value = getattr(plan, "form_profile", None)
    if value:
        return value
    series = {entry.get("series") for entry in plan.scope or ()}
    return "chongqing_health" if series & set(HEALTH_SERIES) else "standard"


def today():
    """The date in China, which the plans' windows are in."""
    return dt.datetime.now(TIMEZONE).date()


def window_state(plan, on=None):
    on = on or today()
    if on < plan.starts_on:
        return "not_started"
    if on > plan.ends_on:
        return "closed"
    return "open"


# --------------------------------------------------------------------------- who

def publisher_kind(actor):
    """``"operator"``, ``"hr"`` or ``"organiser"``; 403 for anybody else."""
    if actor.has(OPERATOR):
        return "operator"
    kind = (actor.extra or {}).get("unit_kind")
    if actor.has(UNIT_ADMIN) and actor.unit_id is not None and kind in PUBLISHER_KINDS:
        return kind
    raise Forbidden("plan.forbidden", "只有人社部门或评委会组建单位可以发布评审计划")


def manages(actor, plan):
    """Whether the actor may edit and publish the plan: its publisher, or an operator."""
    if actor.has(OPERATOR):
        return True
    return (actor.has(UNIT_ADMIN) and actor.unit_id is not None
            and actor.unit_id == plan.publisher_unit_id)


def owns(actor, plan):
    """Whether the actor's unit is one of the plan's own units (publisher, HR department,
    organiser): they see every submitted declaration of the plan."""
    if actor.unit_id is None or not actor.has(UNIT_ADMIN):
        return False
    return actor.unit_id in (plan.publisher_unit_id, plan.hr_unit_id, plan.organiser_unit_id)


def unit_ids_needed(actor, data, plan=None):
    """The units (``{"hr": id, "organiser": id}``) the caller must resolve through
    identity before :func:`create` / :func:`update`: the publisher's own unit fills its
    kind; the other is required."""
    kind = publisher_kind(actor)
    current = {"hr": plan.hr_unit_id if plan else None,
               "organiser": plan.organiser_unit_id if plan else None}
    wanted = {"hr": data.get("hr_unit_id", current["hr"]),
              "organiser": data.get("organiser_unit_id", current["organiser"])}
    if kind in PUBLISHER_KINDS:
        given = data.get(f"{kind}_unit_id")
        if given is not None and given != actor.unit_id:
            label = "人社部门" if kind == "hr" else "评委会组建单位"
            raise Invalid("plan.unit_invalid", f"{label}只能是本单位",
                          {"fields": {f"{kind}_unit_id": [f"{label}只能是本单位"]}})
        wanted[kind] = actor.unit_id
    missing = {key: ["此项为必填项"] for key, value in wanted.items() if value is None}
    if missing:
        labels = {"hr": "人社部门", "organiser": "评委会组建单位（办事机构）"}
        raise Invalid("plan.unit_required",
                      "请选择" + "、".join(labels[k] for k in missing),
                      {"fields": {f"{k}_unit_id": v for k, v in missing.items()}})
    return wanted


def check_unit(kind, path):
    """The resolved unit ``{unit_id, unit_name}`` of identity's ``unit_path`` answer,
    which must be a unit of ``kind``."""
    label = "人社部门" if kind == "hr" else "评委会组建单位"
    unit = path[0] if path else None
    if unit is None or unit.get("kind") != kind:
        raise Invalid("plan.unit_invalid", f"所选单位不是{label}",
                      {"fields": {f"{kind}_unit_id": [f"所选单位不是{label}"]}})
    return {"unit_id": unit["unit_id"], "unit_name": unit["name"]}


# --------------------------------------------------------------------------- rules

def check_rules(values):
    """Cross-field rules of a plan (the schema checked each field)."""
    problems = {}
    if values["ends_on"] < values["starts_on"]:
        problems["ends_on"] = ["申报截止日期不能早于开始日期"]
    series = [entry["series"] for entry in values["scope"]]
    if len(set(series)) != len(series):
        problems["scope"] = ["申报系列不能重复"]
    codes = [section["code"] for section in values["sections"]]
    if len(set(codes)) != len(codes):
        problems["sections"] = ["栏目编码不能重复"]
    for section in values["sections"]:
        if section.get("max") is not None and (section.get("min") or 0) > section["max"]:
            problems.setdefault("sections", []).append(
                f"{section['label']}：最少导入数量不能大于最多导入数量")
        if section.get("max") == 0 and section.get("required"):
            problems.setdefault("sections", []).append(
                f"{section['label']}：必填栏目的最多导入数量不能为 0")
    types = [t for section in values["sections"] for t in section["types"]]
    if len(set(types)) != len(types):
        problems.setdefault("sections", []).append("同一业绩类型只能出现在一个栏目中")
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid("plan.invalid", f"评审计划填写有误：{first}", {"fields": problems})


def _apply(plan, values):
    for key in FIELDS:
        if key in values:
            setattr(plan, key, values[key])


def _current(plan):
    return {key: getattr(plan, key) for key in FIELDS}


# --------------------------------------------------------------------------- changes

def create(session, actor, values, units):
    """A new plan (草稿) published by the actor's unit. ``units`` as resolved by the
    caller: ``{"hr": {unit_id, unit_name}, "organiser": {...}}``."""
    publisher_kind(actor)
    check_rules(values)
    now = utcnow()
    plan = Plan(
        attachments=[], interview=False, titles_required=True, unit_gate=False,
        office=None, content=None,
        contact_name=None, contact_phone=None, contact_address=None,
        status="draft", created_at=now, updated_at=now, version=1,
        created_by_account_id=actor.account_id, created_by_name=actor.name,
    )
    _apply(plan, values)
    _set_units(plan, units)
    if actor.has(OPERATOR) and not actor.has(UNIT_ADMIN):
        plan.publisher_unit_id, plan.publisher_unit_name = plan.hr_unit_id, plan.hr_unit_name
    else:
        kind = publisher_kind(actor)
        plan.publisher_unit_id = units[kind]["unit_id"]
        plan.publisher_unit_name = units[kind]["unit_name"]
    if not plan.office:
        plan.office = plan.organiser_unit_name
    session.add(plan)
    session.flush()
    return plan


def _set_units(plan, units):
    plan.hr_unit_id = units["hr"]["unit_id"]
    plan.hr_unit_name = units["hr"]["unit_name"]
    plan.organiser_unit_id = units["organiser"]["unit_id"]
    plan.organiser_unit_name = units["organiser"]["unit_name"]


def discard_draft(session, plan_id):
    """Remove a draft just created whose attachments were refused."""
    plan = session.get(Plan, plan_id)
    if plan is not None and plan.status == "draft" and not declaration_count(session, plan_id):
        session.delete(plan)
        session.flush()


def get_for_update(session, plan_id):
    plan = session.execute(select(Plan).where(Plan.id == plan_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if plan is None:
        raise NotFound("plan.not_found", "评审计划不存在")
    return plan


def declaration_count(session, plan_id):
    return session.execute(
        select(func.count()).select_from(Declaration)
        .where(Declaration.plan_id == plan_id, Declaration.deleted_at.is_(None))
    ).scalar()


def update(session, actor, plan_id, values, units):
    """Change a plan (its publisher). Once persons have declared against it, its year,
    level, series, specialties and titles stay as they are: declarations rely on them."""
    plan = get_for_update(session, plan_id)
    if not manages(actor, plan):
        raise NotFound("plan.not_found", "评审计划不存在")
    merged = {**_current(plan), **values}
    check_rules(merged)
    if declaration_count(session, plan.id):
        frozen = [key for key in ("year", "level") if key in values
                  and values[key] != getattr(plan, key)]
        if frozen or not _scope_kept(plan.scope, merged["scope"]):
            raise Conflict("plan.in_use",
                           "已有人员按此计划申报，不能修改计划年度、评审级别，也不能删减可评审专业和职称")
    _apply(plan, values)
    if units is not None:
        _set_units(plan, units)
    plan.updated_at = utcnow()
    plan.version += 1
    session.flush()
    return plan


def _scope_kept(old, new):
    """Whether every series, specialty and title of ``old`` is still in ``new``."""
    by_series = {entry["series"]: entry for entry in new}
    for entry in old:
        target = by_series.get(entry["series"])
        if target is None or not set(entry["specialties"]) <= set(target["specialties"]) \
                or not set(entry["titles"]) <= set(target["titles"]):
            return False
    return True


PLAN_PUBLISHED = "plan_published"  # recorded in the audit log by identity


def publish(session, actor, plan_id):
    plan = get_for_update(session, plan_id)
    if not manages(actor, plan):
        raise NotFound("plan.not_found", "评审计划不存在")
    if plan.status == "published":
        raise Conflict("plan.published", "评审计划已发布")
    plan.status = "published"
    plan.published_at = utcnow()
    plan.updated_at = plan.published_at
    plan.version += 1
    session.flush()
    emit(session, PLAN_PUBLISHED, f"plan:{plan.id}", {
        "plan_id": plan.id, "year": plan.year, "name": plan.name,
        "committee": plan.committee, "published_at": iso(plan.published_at),
        "unit_id": actor.unit_id})
    return plan


# --------------------------------------------------------------------------- reads

def get_visible(session, actor, plan_id):
    plan = session.get(Plan, plan_id)
    if plan is None or (plan.status != "published" and not manages(actor, plan)):
        raise NotFound("plan.not_found", "评审计划不存在")
    return plan


def _like(q):
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_plans(session, actor, *, q=None, year=None, level=None, form=None, status=None,
               window=None, mine=False, page=1, page_size=20):
    """评审计划 list: published plans (and the caller's own drafts, for publishers),
    newest first; filters 计划名称 (q), 年度, 评审级别, 申报类型 (form), 状态, 申报状态
    (window). ``counts`` per window state for the same filters."""
    conditions = []
    visible = Plan.status == "published"
    if actor.has(OPERATOR):
        visible = None
    elif actor.has(UNIT_ADMIN) and actor.unit_id is not None:
        visible = or_(visible, Plan.publisher_unit_id == actor.unit_id)
    if visible is not None:
        conditions.append(visible)
    if mine:
        if actor.unit_id is None:
            conditions.append(Plan.id.is_(None))
        else:
            conditions.append(or_(Plan.publisher_unit_id == actor.unit_id,
                                  Plan.hr_unit_id == actor.unit_id,
                                  Plan.organiser_unit_id == actor.unit_id))
    if q and q.strip():
        conditions.append(Plan.name.ilike(_like(q.strip()), escape="\\"))
    if year:
        conditions.append(Plan.year == year)
    if level:
        conditions.append(Plan.level == level)
    if form:
        conditions.append(Plan.forms.contains([form]))
    if status:
        conditions.append(Plan.status == status)
    on = today()
    states = {
        "not_started": Plan.starts_on > on,
        "open": (Plan.starts_on <= on) & (Plan.ends_on >= on),
        "closed": Plan.ends_on < on,
    }
    row = session.execute(
        select(func.count().label("all"),
               *[func.count().filter(cond).label(name) for name, cond in states.items()])
        .select_from(Plan).where(*conditions)
    ).one()
    counts = {"all": row.all, **{name: getattr(row, name) for name in states}}
    if window:
        conditions.append(states[window])
    plans = session.execute(
        select(Plan).where(*conditions)
        .order_by(Plan.year.desc(), Plan.starts_on.desc(), Plan.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).scalars().all()
    total = counts[window] if window else counts["all"]
    return {"items": [item(p, actor) for p in plans], "total": total, "counts": counts,
            "page": page, "page_size": page_size}


def item(plan, actor=None):
    state = window_state(plan)
    return {
        "id": plan.id,
        "year": plan.year,
        "name": plan.name,
        "committee": plan.committee,
        "office": plan.office,
        "level": plan.level,
        "level_label": LEVELS.get(plan.level, plan.level),
        "forms": list(plan.forms),
        "form_labels": [FORMS.get(f, f) for f in plan.forms],
        "starts_on": iso(plan.starts_on),
        "ends_on": iso(plan.ends_on),
        "window_state": state,
        "window_state_label": WINDOW_STATES[state],
        "status": plan.status,
        "status_label": PLAN_STATUSES.get(plan.status, plan.status),
        "series": [entry["series"] for entry in plan.scope],
        "interview": plan.interview,
        "publisher_unit_id": plan.publisher_unit_id,
        "publisher_unit_name": plan.publisher_unit_name,
        "published_at": iso(plan.published_at),
        "manageable": bool(actor is not None and manages(actor, plan)),
    }


def detail(plan, actor=None):
    return {
        **item(plan, actor),
        "scope": plan.scope,
        "content": plan.content,
        "attachments": list(plan.attachments or []),
        "contact_name": plan.contact_name,
        "contact_phone": plan.contact_phone,
        "contact_address": plan.contact_address,
        "titles_required": plan.titles_required,
        "unit_gate": plan.unit_gate,
        "delete_submitted": may_delete_submitted(plan),
        "undo_reject": may_undo_reject(plan),
        "form_profile": form_profile(plan),
        "form_profile_label": FORM_PROFILES.get(form_profile(plan)),
        "sections": [{**section, "kind_label": SECTION_KINDS.get(section.get("kind"))}
                     for section in plan.sections],
        "hr_unit_id": plan.hr_unit_id,
        "hr_unit_name": plan.hr_unit_name,
        "organiser_unit_id": plan.organiser_unit_id,
        "organiser_unit_name": plan.organiser_unit_name,
        "created_at": iso(plan.created_at),
        "updated_at": iso(plan.updated_at),
        "version": plan.version,
    }


def scope_entry(plan, series):
    return next((entry for entry in plan.scope if entry["series"] == series), None)


def specialties(plan, series=None, q=None):
    """可评审专业 of a plan, searchable by keyword (申报专业 *可输入关键字搜索)."""
    words = (q or "").split()
    result = []
    for entry in plan.scope:
        if series and entry["series"] != series:
            continue
        for name in entry["specialties"]:
            if all(word in name for word in words):
                result.append({"series": entry["series"], "specialty": name,
                               "titles": list(entry["titles"])})
    return result


def section(plan, code):
    found = next((s for s in plan.sections if s["code"] == code), None)
    if found is None:
        raise NotFound("declaration.section_not_found", "申报材料栏目不存在")
    return found
