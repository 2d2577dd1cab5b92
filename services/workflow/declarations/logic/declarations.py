"""Title declarations (职称申报), as plain functions over the caller's session.

A person declares against a published plan within its window (马上申报: form, series,
specialty, title and the integrity pledge), fills in the personal information and the
existing titles, imports approved achievement records into the plan's sections, passes
the eligibility check and submits. Submission derives the review chain from the unit
hierarchy and starts a review process of the engine (kind ``declaration``); the engine's
decisions come back through :func:`apply_decision` (an effect of ``pipeline.py``) in the
decision's transaction.

Facts from other services (identity's brief, binding and unit path; achievements' record
details) are gathered by the caller over RPC and passed in: nothing here calls another
service.
"""
import datetime as dt
import logging

from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from services.common.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from services.common.logs import mask_id_number
from services.common.messaging import emit
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.time import iso, utcnow
from services.contracts.identity import require_view_reason
from services.contracts.workflow.declarations import (
    APPROVED,
    DECLARATION_STATUSES,
    DELETED,
    FORMS,
    KIND,
    LEVELS,
    RECALLED,
    REJECTED,
    REJECTION_UNDONE,
    RETURNED,
    SECTION_KINDS,
    STEP_DECIDED,
    SUBJECT_SERVICE,
    SUBJECT_TYPE,
    SUBMITTED,
)
from services.contracts.workflow.health import SECTIONS as HEALTH_SECTION_LABELS
from services.contracts.workflow.review import ACTION_LABELS

from ...engine.logic import engine
from ...engine.models import PROCESS_OPEN, TASK_DECIDED, TASK_OPEN, HistoryEntry, Process, Task
from ..models import Declaration, DeclarationItem, DeclarationLog, Plan
from . import chain as chains
from . import eligibility, gate, health_sections, plans
from .events import event_data
from .status import EDITABLE, FINAL, status_label

log = logging.getLogger(__name__)

__all__ = ["EDITABLE", "FINAL", "KIND", "SUBJECT_SERVICE", "SUBJECT_TYPE", "event_data",
           "status_label"]
PERSONAL_FIELDS = ("former_name", "ethnicity", "birthplace", "work_start_date",
                   "salary_grade", "work_years", "specialty_years", "political_status",
                   "party_post", "health", "academic_posts", "photo_file_id")
PERSONAL_LABELS = {"former_name": "曾用名", "ethnicity": "民族", "birthplace": "出生地",
                   "work_start_date": "工作时间", "salary_grade": "工资级别",
                   "work_years": "工作年限", "specialty_years": "专业年限",
                   "political_status": "政治面貌", "party_post": "党政职务",
                   "health": "身体状况", "academic_posts": "参加何学术团体任何职",
                   "photo_file_id": "照片"}
# What the declaration keeps of identity's brief (申报人 basic information).
PERSON_KEYS = ("person_id", "name", "gender", "gender_label", "birth_date", "id_type",
               "id_type_label", "id_number", "title_series", "title_series_label",
               "education_label", "degree_label", "title_name", "unit_id", "unit_name")
LOG_LABELS = {"created": "马上申报", "specialty_changed": "修改专业",
              "corrected": "修改基本信息", "item_marked": "删除标记",
              "item_unmarked": "取消删除标记",
              # logic/recommendations.py and logic/publicity.py
              "recommended": "单位推荐意见", "publicity_recorded": "公示结果录入",
              "objection_recorded": "公示异议登记", "objection_handled": "公示异议处理",
              "reported": "上报"}


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- loading

def get(session, declaration_id, *, for_update=False):
    query = select(Declaration).where(Declaration.id == declaration_id,
                                      Declaration.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update(of=Declaration).execution_options(populate_existing=True)
    declaration = session.execute(query).unique().scalar_one_or_none()
    if declaration is None:
        raise NotFound("declaration.not_found", "申报记录不存在")
    return declaration


def get_owned(session, actor, declaration_id, *, for_update=False):
    """The actor's own declaration; 404 for anybody else's."""
    declaration = get(session, declaration_id, for_update=for_update)
    if not (actor.has(PERSON) and actor.person_id is not None
            and declaration.person_id == actor.person_id):
        raise NotFound("declaration.not_found", "申报记录不存在")
    return declaration


def require_person(actor):
    if not actor.has(PERSON) or actor.person_id is None:
        raise Forbidden("declaration.person_only", "只有专业技术人员可以申报职称")
    return actor


def require_editable(declaration):
    if declaration.status not in EDITABLE:
        raise Conflict("declaration.not_editable",
                       f"申报状态为“{status_label(declaration.status)}”，无法修改",
                       {"status": declaration.status})


def subject_condition(declaration_id_column):
    return and_(Process.subject_service == SUBJECT_SERVICE,
                Process.subject_type == SUBJECT_TYPE,
                Process.subject_id == cast(declaration_id_column, String))


def open_task(session, declaration, unit_id=None, *, for_update=False):
    """The open task of the declaration's current process (at ``unit_id`` if given)."""
    if declaration.process_id is None:
        return None
    query = select(Task).where(Task.process_id == declaration.process_id,
                               Task.state == TASK_OPEN)
    if unit_id is not None:
        query = query.where(Task.unit_id == unit_id)
    if for_update:
        query = query.with_for_update(of=Task).execution_options(populate_existing=True)
    return session.execute(query).unique().scalars().first()


def unit_had_task(session, declaration_id, unit_id):
    """Whether the declaration is or was before ``unit_id`` (a task of any of its
    processes for that unit)."""
    return session.execute(
        select(exists().where(Task.unit_id == unit_id, Task.process_id == Process.id,
                              subject_condition(declaration_id)))
    ).scalar()


def viewer_of(session, actor, declaration):
    """How the actor sees the declaration: ``owner``, ``reviewer`` (the unit reviewing it
    now), ``unit`` (a unit it was before, or one of its plan's units once submitted),
    ``operator``; None when they may not see it."""
    if actor.has(PERSON) and actor.person_id is not None \
            and actor.person_id == declaration.person_id:
        return "owner"
    if actor.has(UNIT_ADMIN) and actor.unit_id is not None:
        if open_task(session, declaration, actor.unit_id) is not None:
            return "reviewer"
        if unit_had_task(session, declaration.id, actor.unit_id):
            return "unit"
        if declaration.first_submitted_at is not None and plans.owns(actor, declaration.plan):
            return "unit"
    if actor.has(OPERATOR):
        return "operator"
    return None


PERSONAL_VIEWED = "declaration_personal_viewed"


def record_staff_view(session, declaration, viewer, reason):
    """Staff outside the review chain (an operator) see a declaration's personal content
    (birthplace, ethnicity, political status, health …) only with a stated reason; the
    view is an event identity records in the audit log (in this transaction)."""
    if viewer != "operator":
        return
    reason = require_view_reason(reason, "declaration.reason_required")
    emit(session, PERSONAL_VIEWED, f"declaration:{declaration.id}",
         event_data(declaration, reason=reason, viewed_at=utcnow().isoformat()))


def get_visible(session, actor, declaration_id):
    declaration = get(session, declaration_id)
    viewer = viewer_of(session, actor, declaration)
    if viewer is None:
        raise NotFound("declaration.not_found", "申报记录不存在")
    return declaration, viewer


def year_declaration(session, person_id, year):
    return session.execute(
        select(Declaration).where(Declaration.person_id == person_id,
                                  Declaration.year == year,
                                  Declaration.deleted_at.is_(None))
    ).unique().scalar_one_or_none()


def refusal(existing, plan_id):
    """The 409 for a second declaration in the same declaration year."""
    year = existing.year
    if existing.status == "rejected":
        return Conflict("declaration.rejected_this_year",
                        f"您{year}申报年度的职称申报审核不通过，当年不能再申报",
                        {"declaration_id": existing.id})
    if existing.plan_id == plan_id:
        return Conflict("declaration.exists", "用户已申报此计划，请从申报记录中进入",
                        {"declaration_id": existing.id})
    return Conflict("declaration.exists_this_year",
                    f"您在{year}申报年度已有职称申报记录（{existing.plan.name}），"
                    "一个申报年度只允许申报一次职称",
                    {"declaration_id": existing.id})


# --------------------------------------------------------------------------- choosing

def check_choice(plan, form, series, specialty, title):
    """申报形式, 系列, 专业 and 职称 must be among the plan's."""
    problems = {}
    if form not in plan.forms:
        problems["form"] = ["该评审计划不接受此申报形式"]
    entry = plans.scope_entry(plan, series)
    if entry is None:
        problems["series"] = ["该评审计划不含此申报系列"]
    else:
        if specialty not in entry["specialties"]:
            problems["specialty"] = ["该评审计划不含此申报专业"]
        if title not in entry["titles"]:
            problems["title"] = ["该评审计划不含此申报职称"]
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid("declaration.choice_invalid", first, {"fields": problems})


def declare_refusal(session, person_id, plan):
    """马上申报's rule before the binding, in its order, for the plan detail's
    ``can_declare`` and for 马上申报 itself: ``(existing, refusal)`` — the person's
    declaration of the plan's year (or None) and the error 马上申报 answers (None: the
    binding is checked next, :func:`require_bound`). An existing declaration comes first
    (用户已申报此计划… points to it), then the plan's window."""
    existing = year_declaration(session, person_id, plan.year)
    if existing is not None:
        return existing, refusal(existing, plan.id)
    try:
        require_window(plan)
    except AppError as error:
        return None, error
    return None, None


def require_bound(binding, unit_path):
    """Bound to an approved unit whose 属地 is complete (Anhui FAQ 8)."""
    if not (binding and binding.get("allowed") and binding.get("unit_id")):
        raise Conflict("declaration.unbound", (binding or {}).get("reason")
                       or "您尚未绑定工作单位或绑定尚未通过审核，无法申报")
    unit = unit_path[0] if unit_path else None
    if unit is None or not unit.get("region_complete"):
        raise Conflict("declaration.region_incomplete",
                       "系统检测到您所在单位属地信息未完善，无法申报！请联系单位管理员完善单位信息")


def require_window(plan, on=None):
    if plan.status != "published":
        raise NotFound("plan.not_found", "评审计划不存在")
    state = plans.window_state(plan, on)
    if state == "not_started":
        raise Conflict("declaration.window_not_started",
                       f"申报尚未开始，开始日期为 {plan.starts_on.isoformat()}")
    if state == "closed":
        raise Conflict("declaration.window_closed",
                       f"申报已截止，截止日期为 {plan.ends_on.isoformat()}")


def person_snapshot(brief):
    return {key: _json_value(brief.get(key)) for key in PERSON_KEYS}


def personal_prefill(brief):
    """个人信息 prefilled from the person's profile where it has the same field."""
    values = dict.fromkeys(PERSONAL_FIELDS)
    values.update({
        "former_name": brief.get("former_name"),
        "ethnicity": brief.get("ethnicity_label"),
        "work_start_date": brief.get("work_start_date"),
        "political_status": brief.get("political_status_label"),
    })
    return values


def _lock_person_year(session, person_id, year):
    session.execute(select(func.pg_advisory_xact_lock(
        func.hashtext(f"declaration:{person_id}:{year}"))))


def create(session, actor, plan, data, *, brief, binding, unit_path, pledge_text, now=None):
    """马上申报: a new declaration (编辑中) of the actor against ``plan``."""
    require_person(actor)
    require_window(plan)
    if not data.get("pledge_accepted"):
        raise Invalid("declaration.pledge_required", "请勾选我承诺复选框",
                      {"fields": {"pledge_accepted": ["请勾选我承诺复选框"]}})
    check_choice(plan, data["form"], data["series"], data["specialty"], data["title"])
    require_bound(binding, unit_path)
    _lock_person_year(session, actor.person_id, plan.year)
    existing = year_declaration(session, actor.person_id, plan.year)
    if existing is not None:
        raise refusal(existing, plan.id)
    now = now or utcnow()
    declaration = Declaration(
        plan_id=plan.id, year=plan.year, person_id=actor.person_id,
        account_id=actor.account_id, person_name=brief.get("name") or actor.name,
        form=data["form"], series=data["series"], specialty=data["specialty"],
        title=data["title"], level=plan.level, unit_id=binding["unit_id"],
        unit_name=binding.get("unit_name") or unit_path[0]["name"], status="draft",
        pledge_text=pledge_text, pledge_accepted_at=now, person=person_snapshot(brief),
        personal=personal_prefill(brief), titles=[], chain=[], created_at=now,
        updated_at=now, version=1,
    )
    session.add(declaration)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("declaration.exists_this_year",
                       f"您在{plan.year}申报年度已有职称申报记录，"
                       "一个申报年度只允许申报一次职称") from None
    _log(session, declaration, "created", actor, {
        "plan_id": plan.id, "form": data["form"], "series": data["series"],
        "specialty": data["specialty"], "title": data["title"]}, at=now)
    return declaration


def touch(declaration, now=None):
    declaration.updated_at = now or utcnow()
    declaration.version += 1


def _log(session, declaration, action, actor, changes, note=None, at=None):
    """A change by the person (their own declaration)."""
    session.add(DeclarationLog(
        declaration_id=declaration.id, action=action, changes=changes, note=note,
        account_id=actor.account_id, account_name=actor.name, unit_id=None,
        unit_name=None, at=at or utcnow()))


# --------------------------------------------------------------------------- filling in

def update_personal(session, declaration, values):
    """保存个人信息: the given fields replace the saved ones."""
    require_editable(declaration)
    personal = dict(declaration.personal or {})
    for key, value in values.items():
        personal[key] = _json_value(value)
    declaration.personal = personal
    touch(declaration)
    session.flush()
    return declaration


def update_titles(session, declaration, titles):
    """现有职称情况: the whole list, in its order (新增, 修改, 删除, ↑ ↓)."""
    require_editable(declaration)
    declaration.titles = [dict(title) for title in titles]
    touch(declaration)
    session.flush()
    return declaration


def change_specialty(session, actor, declaration, data):
    """修改专业: within the same plan (another plan needs a new declaration)."""
    require_editable(declaration)
    series = data.get("series") or declaration.series
    check_choice(declaration.plan, declaration.form, series, data["specialty"], data["title"])
    before = {"series": declaration.series, "specialty": declaration.specialty,
              "title": declaration.title}
    declaration.series, declaration.specialty, declaration.title = \
        series, data["specialty"], data["title"]
    after = {"series": series, "specialty": data["specialty"], "title": data["title"]}
    changes = {key: {"old": before[key], "new": after[key]} for key in before
               if before[key] != after[key]}
    if changes:
        _log(session, declaration, "specialty_changed", actor, changes)
    touch(declaration)
    session.flush()
    return declaration


def delete_warning(declaration, on=None):
    if declaration.status in EDITABLE and plans.window_state(declaration.plan, on) == "closed":
        return "申报时间已截止，删除后将无法再次申报，请谨慎操作"
    return None


def deletable(session, declaration):
    """删除 is open to the applicant: being filled in or returned; or, where the plan
    allows it (Chongqing 4.4), submitted while the unit has not reviewed it (its task is
    open and unclaimed at the first step)."""
    if declaration.status in EDITABLE:
        return True
    if declaration.status != "submitted" or not plans.may_delete_submitted(declaration.plan):
        return False
    task = open_task(session, declaration)
    return task is not None and task.step_index == 0 and task.claimed_by_account_id is None


def delete(session, actor, declaration, confirm=False, on=None):
    """删除 a declaration being filled in or returned (or submitted and not yet reviewed,
    where the plan allows it: its review ends as withdrawn). Once the plan's window has
    closed no new declaration can be made, so the caller must confirm."""
    under_review = declaration.status == "submitted"
    if under_review and not deletable(session, declaration):
        message = "申报单位已开始审核，无法删除" if plans.may_delete_submitted(
            declaration.plan) else f"申报状态为“{status_label(declaration.status)}”，无法删除"
        raise Conflict("declaration.not_deletable", message, {"status": declaration.status})
    if declaration.status not in EDITABLE and not under_review:
        raise Conflict("declaration.not_deletable",
                       f"申报状态为“{status_label(declaration.status)}”，无法删除",
                       {"status": declaration.status})
    warning = delete_warning(declaration, on)
    if warning and not confirm:
        raise Conflict("declaration.delete_confirm",
                       "申报时间已截止，删除后将无法再次申报。如确认删除，请再次确认（confirm=true）",
                       {"requires_confirmation": True})
    now = utcnow()
    if under_review:
        engine.withdraw(session, kind=KIND, subject_service=SUBJECT_SERVICE,
                        subject_type=SUBJECT_TYPE, subject_id=declaration.id,
                        actor={"account_id": actor.account_id, "name": actor.name}, at=now)
        set_current(declaration, None)
    declaration.deleted_at = now
    touch(declaration, now)
    session.flush()
    emit(session, DELETED, f"declaration:{declaration.id}",
         event_data(declaration, deleted_at=now.isoformat(),
                    record_ids=[item.record_id for item in declaration.items]))
    return declaration


# --------------------------------------------------------------------------- items

def section_items(declaration, code):
    return sorted((item for item in declaration.items if item.section == code),
                  key=lambda item: item.position)


def active_count(declaration, code):
    return sum(1 for item in declaration.items if item.section == code
               and not item.marked_deleted)


def prepare_import(declaration, code, record_ids):
    """Checks before asking achievements to lock the records: the declaration may be
    changed, the section exists, the records are new to it and fit in the section."""
    require_editable(declaration)
    section = plans.section(declaration.plan, code)
    held = {item.record_id: item for item in declaration.items}
    again = [rid for rid in record_ids if rid in held]
    if again:
        raise Conflict("declaration.item_exists", "所选业绩已导入本申报，不能重复导入",
                       {"record_ids": again})
    _, high = eligibility.count_bounds(section)
    count = active_count(declaration, code)
    if high is not None and count + len(record_ids) > high:
        raise Conflict("declaration.section_full",
                       f"{section['label']}最多可导入 {high} 项，已导入 {count} 项",
                       {"max": high, "count": count})
    return section


def check_records(declaration, section, details):
    """The records achievements answered (locked) must be the person's, approved and of
    the section's types."""
    wrong = [d["id"] for d in details if d.get("type") not in section["types"]]
    if wrong:
        raise Invalid("declaration.item_type_invalid",
                      f"所选业绩不能导入“{section['label']}”", {"record_ids": wrong})
    foreign = [d["id"] for d in details if d.get("person_id") != declaration.person_id
               or d.get("status") != "approved"]
    if foreign:
        raise Conflict("declaration.item_not_approved", "只能导入本人审核通过的业绩",
                       {"record_ids": foreign})


def add_items(session, declaration, code, details, now=None):
    """导入: the locked records at the end of the section, in the order given."""
    section = prepare_import(declaration, code, [d["id"] for d in details])
    check_records(declaration, section, details)
    now = now or utcnow()
    position = max((item.position for item in section_items(declaration, code)), default=0)
    for detail in details:
        position += 1
        declaration.items.append(DeclarationItem(
            section=code, position=position,
            record_id=detail["id"], record_type=detail["type"],
            title=(detail.get("title") or detail.get("type_label") or "")[:300],
            snapshot=detail, frozen=None, frozen_at=None, imported_at=now,
            marked_deleted=False))
    touch(declaration, now)
    session.flush()
    return section


def held_record_ids(session, declaration_id):
    return session.execute(select(DeclarationItem.record_id).where(
        DeclarationItem.declaration_id == declaration_id)).scalars().all()


def get_item(declaration, item_id):
    item = next((i for i in declaration.items if i.id == item_id), None)
    if item is None:
        raise NotFound("declaration.item_not_found", "申报材料不存在")
    return item


def remove_item(session, declaration, item_id):
    """移除 an imported record; the caller releases its lock."""
    require_editable(declaration)
    item = get_item(declaration, item_id)
    code = item.section
    declaration.items.remove(item)
    for position, rest in enumerate(section_items(declaration, code), start=1):
        rest.position = position
    touch(declaration)
    session.flush()
    return item


def move_item(session, declaration, item_id, direction):
    """上移 / 下移 within the section (nothing happens at either end)."""
    require_editable(declaration)
    item = get_item(declaration, item_id)
    ordered = section_items(declaration, item.section)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, entry in enumerate(ordered, start=1):
            entry.position = position
        touch(declaration)
        session.flush()
    return item


# --------------------------------------------------------------------------- checking

def counts_by_section(declaration):
    counts = {}
    for item in declaration.items:
        if not item.marked_deleted:
            counts[item.section] = counts.get(item.section, 0) + 1
    return counts


def plan_facts(plan):
    return {"status": plan.status, "starts_on": plan.starts_on, "ends_on": plan.ends_on,
            "sections": plan.sections, "titles_required": plan.titles_required}


def check(declaration, *, binding, unit_path, on=None):
    """The eligibility check (申报条件检查): ``{passed, rules}``."""
    rules = eligibility.evaluate(
        plan=plan_facts(declaration.plan),
        declaration={"personal": declaration.personal, "titles": declaration.titles},
        items=counts_by_section(declaration), binding=binding, unit_path=unit_path,
        today=on or plans.today(), resubmission=declaration.status == "returned")
    rules += health_sections.rules(declaration, on)
    return {"passed": eligibility.passed(rules), "rules": rules}


# --------------------------------------------------------------------------- submitting

def process_title(declaration):
    """The task center's 流程名称, as the seeds write it."""
    return (f"{declaration.unit_name or ''} {declaration.person_name} 申报{declaration.series}"
            f"系列-{declaration.specialty}专业-{declaration.title}职称").strip()


def summary(declaration):
    """What the task center shows of the declaration."""
    plan = declaration.plan
    person = declaration.person or {}
    return {
        "declaration_id": declaration.id,
        "year": declaration.year,
        "plan_id": plan.id,
        "plan_name": plan.name,
        "committee": plan.committee,
        "person_name": declaration.person_name,
        "gender_label": person.get("gender_label"),
        "id_number": mask_id_number(person.get("id_number")),
        "unit_name": declaration.unit_name,
        "form_label": FORMS.get(declaration.form, declaration.form),
        "series": declaration.series,
        "specialty": declaration.specialty,
        "title": declaration.title,
        "level_label": LEVELS.get(declaration.level, declaration.level),
        "interview": plan.interview,
    }


def set_current(declaration, index):
    if index is None:
        declaration.current_step = None
        declaration.current_unit_id = None
        declaration.current_unit_name = None
        return
    step = declaration.chain[index]
    declaration.current_step = index
    declaration.current_unit_id = step["unit_id"]
    declaration.current_unit_name = step["unit_name"]


def submit(session, actor, declaration, *, chain, frozen, brief, binding, now=None):
    """提交: freeze the imported records, store the chain, start the review (a new
    process: a resubmission after a return climbs from the first step again)."""
    require_editable(declaration)
    now = now or utcnow()
    resubmission = declaration.first_submitted_at is not None
    if brief:
        declaration.person = person_snapshot(brief)
        declaration.person_name = brief.get("name") or declaration.person_name
    declaration.unit_id = binding["unit_id"]
    declaration.unit_name = binding.get("unit_name") or chain[0]["unit_name"]
    for item in declaration.items:
        copy = frozen.get(item.record_id)
        if copy is None:
            raise Conflict("declaration.item_missing", "部分申报业绩已不存在，请移除后重新导入",
                           {"record_ids": [item.record_id]})
        item.frozen = copy
        item.frozen_at = now
        item.title = (copy.get("title") or item.title)[:300]
    health_sections.freeze(session, declaration, now, brief)
    declaration.chain = [dict(step) for step in chain]
    declaration.status = "submitted"
    declaration.submitted_at = now
    declaration.first_submitted_at = declaration.first_submitted_at or now
    declaration.opinion = None
    declaration.opinion_unit_name = None
    declaration.ended_step = None
    declaration.decided_at = None
    started = engine.start_process(
        session, kind=KIND, subject_service=SUBJECT_SERVICE, subject_type=SUBJECT_TYPE,
        subject_id=declaration.id, title=process_title(declaration), chain=chain,
        applicant_person_id=declaration.person_id, applicant_name=declaration.person_name,
        applicant_unit_id=declaration.unit_id, summary=summary(declaration),
        submitted_by={"account_id": actor.account_id, "name": actor.name},
        submitted_at=now)
    if not started.created:
        raise Conflict("declaration.under_review", "申报材料正在审核中")
    declaration.process_id = started.process.id
    set_current(declaration, 0)
    touch(declaration, now)
    session.flush()
    emit(session, SUBMITTED, f"declaration:{declaration.id}", event_data(
        declaration, submitted_at=now.isoformat(), resubmission=resubmission,
        chain=[{**step, "step_label": chains.step_label(i, step.get("unit_kind"))}
               for i, step in enumerate(chain)]))
    return declaration


# --------------------------------------------------------------------------- decisions

def live_declaration(session, process, *, for_update=False):
    """The declaration a review process is about, while that process is its current one
    (None for any other process: another subject, or a declaration resubmitted since)."""
    if process.kind != KIND or process.subject_service != SUBJECT_SERVICE \
            or process.subject_type != SUBJECT_TYPE:
        return None
    query = select(Declaration).where(Declaration.id == int(process.subject_id))
    if for_update:
        query = query.with_for_update(of=Declaration).execution_options(populate_existing=True)
    declaration = session.execute(query).unique().scalar_one_or_none()
    if declaration is None or declaration.process_id != process.id:
        return None
    return declaration


def apply_decision(session, declaration, decision, *, held):
    """The engine decided a step of the declaration's review (in its transaction): move
    the declaration along and tell other systems. ``held``: the approval waits for the
    unit's 上报 (the engine opened no task for the next unit)."""
    index = decision["step_index"]
    step = declaration.chain[index] if index < len(declaration.chain) else {}
    outcome = decision["outcome"]
    decided_at = dt.datetime.fromisoformat(decision["decided_at"])
    if outcome == "forwarded":
        set_current(declaration, index if held else index + 1)
    else:
        declaration.status = outcome if outcome in DECLARATION_STATUSES else "terminated"
        declaration.ended_step = index
        declaration.decided_at = decided_at
        set_current(declaration, None)
        if outcome in ("returned", "rejected"):
            declaration.opinion = decision.get("opinion")
            declaration.opinion_unit_name = step.get("unit_name")
    touch(declaration, decided_at)
    session.flush()
    subject = f"declaration:{declaration.id}"
    step_data = {
        "step_index": index,
        "step_label": chains.step_label(index, step.get("unit_kind")),
        "unit_id": decision["unit_id"],
        "unit_name": step.get("unit_name"),
        "action": decision["action"],
        "action_label": ACTION_LABELS.get(decision["action"], decision["action"]),
        "opinion": decision.get("opinion"),
        "outcome": outcome,
        "final": decision["final"],
        "decided_at": decision["decided_at"],
        "decided_by": decision["decided_by"],
        "held": held,
    }
    emit(session, STEP_DECIDED, subject, event_data(declaration, **step_data))
    if outcome == "returned":
        emit(session, RETURNED, subject, event_data(declaration, **step_data))
    elif outcome == "rejected":
        emit(session, REJECTED, subject, event_data(declaration, **step_data))
    elif outcome == "approved":
        emit(session, APPROVED, subject, event_data(declaration, approved_at=decision[
            "decided_at"], approved_by={"unit_id": decision["unit_id"],
                                       "unit_name": step.get("unit_name"),
                                       **decision["decided_by"]}))


def apply_recall(session, declaration, recall):
    """A unit took back what it had passed up (the engine's recall): the declaration is
    at that unit's step again, and other systems are told (``declaration_recalled``)."""
    index = recall["step_index"]
    recalled_at = dt.datetime.fromisoformat(recall["recalled_at"])
    set_current(declaration, index)
    touch(declaration, recalled_at)
    session.flush()
    step = declaration.chain[index] if index < len(declaration.chain) else {}
    above = declaration.chain[index + 1] if index + 1 < len(declaration.chain) else {}
    emit(session, RECALLED, f"declaration:{declaration.id}", event_data(
        declaration,
        step_index=index,
        step_label=chains.step_label(index, step.get("unit_kind")),
        unit_id=recall["unit_id"],
        unit_name=recall["unit_name"],
        action="recall",
        action_label=ACTION_LABELS.get("recall", "撤回"),
        opinion=None,
        outcome="recalled",
        final=False,
        held=False,
        decided_at=recall["recalled_at"],
        decided_by=recall["recalled_by"],
        recalled_from={"step_index": index + 1, "unit_id": above.get("unit_id"),
                       "unit_name": above.get("unit_name")},
        was_held=recall["recalled_task_id"] is None,
    ))


def apply_undo_reject(session, declaration, undone):
    """A level undid its own 不通过 (the engine reopened the process there): the
    declaration is under review at that level again; other systems are told."""
    index = undone["step_index"]
    at = dt.datetime.fromisoformat(undone["undone_at"])
    declaration.status = "submitted"
    declaration.ended_step = None
    declaration.decided_at = None
    declaration.opinion = None
    declaration.opinion_unit_name = None
    set_current(declaration, index)
    touch(declaration, at)
    session.flush()
    step = declaration.chain[index] if index < len(declaration.chain) else {}
    emit(session, REJECTION_UNDONE, f"declaration:{declaration.id}", event_data(
        declaration, step_index=index,
        step_label=chains.step_label(index, step.get("unit_kind")),
        unit_id=undone["unit_id"], unit_name=undone["unit_name"],
        action="undo_reject", action_label=ACTION_LABELS.get("undo_reject"),
        opinion=None, outcome="undone", final=False, held=False,
        decided_at=undone["undone_at"], decided_by=undone["undone_by"]))


def undo_reject(session, actor, declaration, *, rules):
    """撤销审核不通过 (Chongqing 2.4.3 审核未通过 → 撤销): the unit that rejected the
    declaration takes its 不通过 back, where the plan allows it."""
    task = undoable_task(session, actor, declaration)
    return engine.undo_reject(session, task.id, actor, rules=rules)


def undoable_task(session, actor, declaration):
    """The actor's unit's 不通过 task of the declaration, if the plan lets it be undone;
    409 otherwise."""
    if not plans.may_undo_reject(declaration.plan):
        raise Conflict("declaration.undo_reject_not_allowed", "该评审计划不允许撤销审核不通过")
    task = None
    if declaration.status == "rejected" and declaration.process_id is not None:
        task = session.execute(
            select(Task).where(Task.process_id == declaration.process_id,
                               Task.unit_id == actor.unit_id, Task.state == TASK_DECIDED,
                               Task.outcome == "rejected")
        ).unique().scalars().first()
    if task is None:
        raise Conflict("task.not_undoable", "指定流程的当前状态不允许撤销审核不通过")
    return task


def recall(session, actor, declaration, *, rules):
    """撤回 by a unit admin: the task its unit decided (passed up) in the current
    process, while the next unit has not claimed it, or its approval held for the unit's
    上报 (待上报). ``rules``: the service's review rules (``pipeline.py``)."""
    task = recallable_task(session, declaration, actor.unit_id)
    if task is None:
        raise Conflict("task.not_recallable", "指定流程的当前状态不允许撤回")
    return engine.recall(session, task.id, actor, rules=rules)


def recall_task(session, actor, task_id, *, rules):
    """撤回 from the task center (我已处理): any task the caller's unit passed up; a
    declaration's approval held for the unit's 上报 (待上报) is recalled like one passed
    up (the engine checks the rest)."""
    return engine.recall(session, task_id, actor, rules=rules)


def recallable_task(session, declaration, unit_id):
    """The unit's forwarded task of the current process just below the open step."""
    if declaration.process_id is None or unit_id is None:
        return None
    return session.execute(
        select(Task).where(Task.process_id == declaration.process_id,
                           Task.unit_id == unit_id, Task.state == TASK_DECIDED,
                           Task.outcome == "forwarded")
        .order_by(Task.step_index.desc(), Task.id.desc())
    ).unique().scalars().first()


def may_recall(session, declaration, unit_id):
    if declaration.status != "submitted" or unit_id is None:
        return False
    task = recallable_task(session, declaration, unit_id)
    if task is not None and gate.holding(session, declaration.id) is not None:
        return True
    current = open_task(session, declaration)
    return bool(task and current and current.step_index == task.step_index + 1
                and current.claimed_by_account_id is None)


# --------------------------------------------------------------------------- reviewers

def reviewing_task(session, actor, declaration):
    """The open task of the actor's unit on this declaration, locked; 409 when the unit
    is not reviewing it now or another admin has claimed it."""
    if declaration.status != "submitted" or not actor.has(UNIT_ADMIN):
        raise Conflict("declaration.not_under_your_review", "该申报当前不在本单位审核，无法修改")
    task = open_task(session, declaration, actor.unit_id, for_update=True)
    if task is None:
        raise Conflict("declaration.not_under_your_review", "该申报当前不在本单位审核，无法修改")
    if task.claimed_by_account_id is not None and task.claimed_by_account_id != actor.account_id:
        raise Conflict("task.claimed_by_other",
                       f"该任务已被{task.claimed_by_name or '其他管理员'}领取")
    return task


def mark_item(session, actor, declaration, item_id, deleted, reason=None):
    """删除标记: a reviewer marks an imported item deleted (greyed for reviewers, left out
    of printouts), or takes the mark away."""
    task = reviewing_task(session, actor, declaration)
    declaration = get(session, declaration.id, for_update=True)
    item = get_item(declaration, item_id)
    now = utcnow()
    if deleted:
        item.marked_deleted = True
        item.mark_reason = reason
        item.marked_by_account_id = actor.account_id
        item.marked_by_name = actor.name
        item.marked_unit_id = task.unit_id
        item.marked_unit_name = task.unit_name
        item.marked_at = now
    else:
        item.marked_deleted = False
        item.mark_reason = None
        item.marked_by_account_id = item.marked_by_name = None
        item.marked_unit_id = item.marked_unit_name = None
        item.marked_at = None
    reviewer_log(session, declaration, "item_marked" if deleted else "item_unmarked",
                  actor, task, {"item_id": item.id, "record_id": item.record_id,
                                "section": item.section, "title": item.title}, reason, now)
    touch(declaration, now)
    session.flush()
    return item


def correct(session, actor, declaration, values, note=None):
    """A reviewer corrects small errors in the basic information (个人信息); every change
    is logged with the old and the new value."""
    task = reviewing_task(session, actor, declaration)
    declaration = get(session, declaration.id, for_update=True)
    personal = dict(declaration.personal or {})
    changes = {}
    for key, value in values.items():
        value = _json_value(value)
        if personal.get(key) != value:
            changes[key] = {"label": PERSONAL_LABELS.get(key, key),
                            "old": personal.get(key), "new": value}
            personal[key] = value
    if not changes:
        raise Invalid("declaration.nothing_changed", "没有需要修改的内容")
    declaration.personal = personal
    now = utcnow()
    reviewer_log(session, declaration, "corrected", actor, task, changes, note, now)
    touch(declaration, now)
    session.flush()
    return declaration


def reviewer_log(session, declaration, action, actor, task, changes, note, at):
    session.add(DeclarationLog(
        declaration_id=declaration.id, action=action, changes=changes, note=note,
        account_id=actor.account_id, account_name=actor.name, unit_id=task.unit_id,
        unit_name=task.unit_name, at=at))


# --------------------------------------------------------------------------- views

def _mark(item):
    if not item.marked_deleted:
        return None
    return {"account_id": item.marked_by_account_id, "name": item.marked_by_name,
            "unit_id": item.marked_unit_id, "unit_name": item.marked_unit_name,
            "reason": item.mark_reason, "at": iso(item.marked_at)}


def item_view(declaration, item):
    use_frozen = item.frozen is not None and declaration.status not in EDITABLE
    record = item.frozen if use_frozen else item.snapshot
    return {
        "id": item.id,
        "section": item.section,
        "position": item.position,
        "record_id": item.record_id,
        "record_type": item.record_type,
        "record_type_label": (record or {}).get("type_label") or item.record_type,
        "title": item.title,
        "record": record or {},
        "frozen": use_frozen,
        "imported_at": iso(item.imported_at),
        "marked_deleted": item.marked_deleted,
        "mark": _mark(item),
    }


def section_view(declaration, section):
    items = section_items(declaration, section["code"])
    required = section.get("required")
    hint = ("必填项，" if required else "") + eligibility.bounds_text(section)
    return {
        **section,
        "kind": section.get("kind") or "records",
        "kind_label": SECTION_KINDS.get(section.get("kind") or "records"),
        "count": sum(1 for i in items if not i.marked_deleted),
        "hint": hint,
        "items": [item_view(declaration, i) for i in items],
    }


def sections_view(declaration):
    result = [section_view(declaration, s) for s in declaration.plan.sections]
    known = {s["code"] for s in declaration.plan.sections}
    for code in sorted({i.section for i in declaration.items} - known):
        result.append(section_view(declaration, {"code": code, "label": code, "types": [],
                                                 "min": 0, "max": None, "required": False}))
    return result


NOTICE_KINDS = {"opinion": "退回意见", "item": "标记删除的申报业绩",
                "health_row": "标记删除的填报内容", "rule": "不满足的申报条件"}


def _notice(kind, message, **fields):
    return {"kind": kind, "kind_label": NOTICE_KINDS[kind], "section": None,
            "section_label": None, "item_id": None, "title": None, "code": None,
            "message": message, **fields}


def return_notice(session, declaration, rules):
    """一次性告知 of a returned declaration: everything the applicant must correct in one
    list — the return opinion, each item and health row a reviewer marked deleted with
    its reason, and each rule of the check (``rules``) that fails now."""
    if declaration.status != "returned":
        raise Conflict("declaration.not_returned", "该申报未被退回，没有退回告知",
                       {"status": declaration.status})
    entries = []
    if declaration.opinion:
        entries.append(_notice("opinion", declaration.opinion,
                               title=declaration.opinion_unit_name))
    labels = {s["code"]: s["label"] for s in declaration.plan.sections}
    order = {code: index for index, code in enumerate(labels)}
    for item in sorted(declaration.items,
                       key=lambda i: (order.get(i.section, len(order)), i.position)):
        if item.marked_deleted:
            entries.append(_notice(
                "item", item.mark_reason or "审核单位已标记删除", section=item.section,
                section_label=labels.get(item.section, item.section), item_id=item.id,
                title=item.title))
    record = health_sections.get_record(session, declaration.id) \
        if health_sections.is_health(declaration) else None
    for code, label in HEALTH_SECTION_LABELS.items():
        rows = ((record.sections or {}).get(code) or {}).get("rows") if record else None
        for index, row in enumerate(rows or (), start=1):
            if row.get("deleted"):
                entries.append(_notice(
                    "health_row", (row.get("mark") or {}).get("reason")
                    or "审核单位已标记删除", section=f"health:{code}", section_label=label,
                    item_id=row.get("id"), title=f"第 {index} 行"))
    for found in rules:
        if not found["passed"]:
            entries.append(_notice("rule", found["message"], code=found["code"],
                                   title=found["label"]))
    index = declaration.ended_step
    step = declaration.chain[index] if index is not None and index < len(
        declaration.chain) else {}
    return {
        "declaration_id": declaration.id,
        "status": declaration.status,
        "status_label": status_label(declaration.status),
        "person_name": declaration.person_name,
        "unit_name": declaration.unit_name,
        "plan_name": declaration.plan.name,
        "specialty": declaration.specialty,
        "title": declaration.title,
        "returned_at": iso(declaration.decided_at),
        "returned_by_unit_name": declaration.opinion_unit_name or step.get("unit_name"),
        "step_label": chains.step_label(index, step.get("unit_kind"))
        if index is not None else None,
        "count": len(entries),
        "items": entries,
    }


def plan_ref(plan):
    return {"id": plan.id, "year": plan.year, "name": plan.name,
            "committee": plan.committee, "starts_on": iso(plan.starts_on),
            "ends_on": iso(plan.ends_on), "window_state": plans.window_state(plan),
            "interview": plan.interview}


def current_step_label(declaration):
    if declaration.status == "draft":
        return "个人申报"
    if declaration.status == "returned":
        return "个人申报"
    if declaration.current_step is None:
        return None
    step = declaration.chain[declaration.current_step]
    return chains.step_label(declaration.current_step, step.get("unit_kind"))


def list_item(declaration, *, owner=False, task=None):
    person = declaration.person or {}
    id_number = person.get("id_number")
    return {
        "id": declaration.id,
        "year": declaration.year,
        "plan": plan_ref(declaration.plan),
        "person_id": declaration.person_id,
        "person_name": declaration.person_name,
        "gender_label": person.get("gender_label"),
        "id_number": id_number if owner else mask_id_number(id_number),
        "unit_id": declaration.unit_id,
        "unit_name": declaration.unit_name,
        "form": declaration.form,
        "form_label": FORMS.get(declaration.form, declaration.form),
        "series": declaration.series,
        "specialty": declaration.specialty,
        "title": declaration.title,
        "level": declaration.level,
        "level_label": LEVELS.get(declaration.level, declaration.level),
        "status": declaration.status,
        "status_label": status_label(declaration.status),
        "current_step_label": current_step_label(declaration),
        "current_unit_name": declaration.current_unit_name,
        "created_at": iso(declaration.created_at),
        "submitted_at": iso(declaration.submitted_at),
        "decided_at": iso(declaration.decided_at),
        "process_id": declaration.process_id,
        "task_id": task.id if task is not None else None,
        "task_claimed_by": task.claimed_by_name if task is not None else None,
        "editable": owner and declaration.status in EDITABLE,
        "deletable": owner and (declaration.status in EDITABLE or (
            declaration.status == "submitted"
            and plans.may_delete_submitted(declaration.plan))),
    }


def chain_view(declaration):
    return [{"step_index": i, "unit_id": s["unit_id"], "unit_name": s["unit_name"],
             "unit_kind": s.get("unit_kind"),
             "step_label": chains.step_label(i, s.get("unit_kind"))}
            for i, s in enumerate(declaration.chain or ())]


def progress(declaration):
    return {
        "declaration_id": declaration.id,
        "status": declaration.status,
        "status_label": status_label(declaration.status),
        "current_step_label": current_step_label(declaration),
        "current_unit_name": declaration.current_unit_name,
        "opinion": declaration.opinion,
        "opinion_unit_name": declaration.opinion_unit_name,
        "stages": chains.progress(declaration.status, declaration.chain,
                                  declaration.current_step, declaration.ended_step),
        "chain": chain_view(declaration),
    }


def detail(session, actor, declaration, viewer):
    owner = viewer == "owner"
    task = open_task(session, declaration, actor.unit_id) if viewer == "reviewer" else None
    person = dict(declaration.person or {})
    if not owner:
        person["id_number"] = mask_id_number(person.get("id_number"))
    return {
        **list_item(declaration, owner=owner, task=task),
        "pledge_text": declaration.pledge_text,
        "pledge_accepted_at": iso(declaration.pledge_accepted_at),
        "person": person,
        "personal": declaration.personal or {},
        "titles": declaration.titles or [],
        "sections": sections_view(declaration),
        "chain": chain_view(declaration),
        "stages": chains.progress(declaration.status, declaration.chain,
                                  declaration.current_step, declaration.ended_step),
        "opinion": declaration.opinion,
        "opinion_unit_name": declaration.opinion_unit_name,
        "delete_warning": delete_warning(declaration) if owner else None,
        "viewer": viewer,
        "may_review": bool(task is not None and task.claimed_by_account_id in
                           (None, actor.account_id)),
        "may_recall": bool(actor.has(UNIT_ADMIN)
                           and may_recall(session, declaration, actor.unit_id)),
        "version": declaration.version,
    }


def history(session, declaration):
    """申报流程: every entry of every review process of the declaration (提交 and each
    level's decision, oldest first) with the changes made outside the reviews."""
    processes = session.execute(
        select(Process).where(subject_condition(declaration.id)).order_by(Process.id)
    ).scalars().all()
    kinds = {}
    for process in processes:
        for step in process.steps:
            kinds[(process.id, step.step_index)] = step.unit_kind
    entries = session.execute(
        select(HistoryEntry).where(HistoryEntry.process_id.in_([p.id for p in processes]))
        .order_by(HistoryEntry.at, HistoryEntry.id)
    ).scalars().all() if processes else []
    result = []
    for entry in entries:
        label = ("个人申报" if entry.step_index is None else
                 chains.step_label(entry.step_index,
                                   kinds.get((entry.process_id, entry.step_index))))
        result.append({
            "kind": "review", "process_id": entry.process_id,
            "step_index": entry.step_index, "step_label": label,
            "unit_id": entry.unit_id, "unit_name": entry.unit_name,
            "account_id": entry.account_id, "account_name": entry.account_name,
            "action": entry.action,
            "action_label": ACTION_LABELS.get(entry.action, entry.action),
            "opinion": entry.opinion, "outcome": entry.outcome, "changes": None,
            "at": iso(entry.at),
        })
    changes = session.execute(
        select(DeclarationLog).where(DeclarationLog.declaration_id == declaration.id)
        .order_by(DeclarationLog.at, DeclarationLog.id)
    ).scalars().all()
    for change in changes:
        result.append({
            "kind": "change", "process_id": None, "step_index": None, "step_label": None,
            "unit_id": change.unit_id, "unit_name": change.unit_name,
            "account_id": change.account_id, "account_name": change.account_name,
            "action": change.action,
            "action_label": LOG_LABELS.get(change.action, change.action),
            "opinion": change.note, "outcome": None, "changes": change.changes,
            "at": iso(change.at),
        })
    result.sort(key=lambda e: dt.datetime.fromisoformat(e["at"]))
    return result


# --------------------------------------------------------------------------- lists

def my_list(session, actor, year=None, page=1, page_size=20):
    """当前申报记录 and 我的历史记录 of the person, newest year first."""
    conditions = [Declaration.person_id == actor.person_id, Declaration.deleted_at.is_(None)]
    if year:
        conditions.append(Declaration.year == year)
    rows = session.execute(
        select(Declaration).where(*conditions)
        .order_by(Declaration.year.desc(), Declaration.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).unique().scalars().all()
    counts = dict(session.execute(
        select(Declaration.status, func.count()).where(*conditions)
        .group_by(Declaration.status)).all())
    total = sum(counts.values())
    return {"items": [list_item(d, owner=True) for d in rows], "total": total,
            "counts": {"all": total, **{s: counts.get(s, 0) for s in DECLARATION_STATUSES}},
            "page": page, "page_size": page_size}


def _unit_conditions(actor):
    """(visible, tab conditions) of the declarations for a unit admin or an operator."""
    unit_id = actor.unit_id
    subject = subject_condition(Declaration.id)
    submitted = Declaration.first_submitted_at.is_not(None)
    if actor.has(UNIT_ADMIN) and unit_id is not None:
        had_task = exists().where(Task.unit_id == unit_id, Task.process_id == Process.id,
                                  subject)
        own_plan = Declaration.plan_id.in_(select(Plan.id).where(or_(
            Plan.publisher_unit_id == unit_id, Plan.hr_unit_id == unit_id,
            Plan.organiser_unit_id == unit_id)))
        visible = or_(had_task, and_(own_plan, submitted))
    elif actor.has(OPERATOR):
        visible = submitted
    else:
        raise Forbidden()
    here = and_(Task.process_id == Declaration.process_id, Task.unit_id == unit_id)
    tabs = {
        "pending": exists().where(here, Task.state == TASK_OPEN),
        "unclaimed": exists().where(here, Task.state == TASK_OPEN,
                                    Task.claimed_by_account_id.is_(None)),
        "reviewed": exists().where(here, Task.state == TASK_DECIDED,
                                   Task.action == "approve"),
        "returned": Declaration.status == "returned",
        "all": None,
    }
    return visible, tabs


def unit_list(session, actor, *, tab="all", status=None, year=None, plan_id=None, q=None,
              page=1, page_size=20):
    """申报情况 of a unit: the declarations that are or were before it (and those of the
    plans it published or belongs to), with the tabs 待审核 / 待领取 / 已审核 / 被退回 /
    全部 and their counts."""
    visible, tabs = _unit_conditions(actor)
    conditions = [Declaration.deleted_at.is_(None), visible]
    if status:
        conditions.append(Declaration.status == status)
    if year:
        conditions.append(Declaration.year == year)
    if plan_id:
        conditions.append(Declaration.plan_id == plan_id)
    if q and q.strip():
        escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Declaration.person_name.ilike(f"%{escaped}%", escape="\\"))
    row = session.execute(
        select(*[(func.count().filter(cond) if cond is not None else func.count()).label(name)
                 for name, cond in tabs.items()])
        .select_from(Declaration).where(*conditions)
    ).one()
    counts = {name: getattr(row, name) for name in tabs}
    if tabs.get(tab) is not None:
        conditions.append(tabs[tab])
    rows = session.execute(
        select(Declaration).where(*conditions)
        .order_by(Declaration.submitted_at.desc().nulls_last(), Declaration.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).unique().scalars().all()
    open_tasks = {}
    process_ids = [d.process_id for d in rows if d.process_id]
    if process_ids and actor.unit_id is not None:
        for task in session.execute(
                select(Task).where(Task.process_id.in_(process_ids),
                                   Task.unit_id == actor.unit_id, Task.state == TASK_OPEN)
        ).unique().scalars():
            open_tasks[task.process_id] = task
    items = [list_item(d, task=open_tasks.get(d.process_id)) for d in rows]
    return {"items": items, "total": counts[tab], "counts": counts, "page": page,
            "page_size": page_size}


def open_process(session, declaration):
    if declaration.process_id is None:
        return None
    process = session.get(Process, declaration.process_id)
    return process if process is not None and process.status == PROCESS_OPEN else None
