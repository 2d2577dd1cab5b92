"""Employer recommendation (单位推荐意见) and the unit's 上报, as plain functions over the
caller's session.

Anhui unit FAQ 5/7 and 2021.9.24-2: while a declaration is before its employer (单位审核),
an admin of that unit fills in the recommendation — the materials (申报材料公示情况及证明,
单位推荐意见, 单位申报其他材料, …), the opinion and, for a 事业单位, whether the person
occupies a post (占用 / 不占用 with a reason, 说明) checked against the unit's confirmed post
quota (``logic/quotas.py``). The employer approves (通过) only once the recommendation is
there: :func:`require_before_approval`, a guard of the declaration's review
(``pipeline.py``), refuses the decision otherwise, before anything changes.

Chongqing's gate (``logic/gate.py``): :func:`report` is the unit's 上报 of a gated plan.

Facts from other services (identity's unit with its nature; documents' answer to
``attach``) are gathered by the caller over RPC and passed in.
"""

from sqlalchemy import func, select

from services.common.errors import Conflict, Forbidden, Invalid
from services.common.messaging import emit
from services.common.principal import PERSON, UNIT_ADMIN
from services.common.time import iso, utcnow
from services.contracts.workflow.declarations import LEVELS
from services.contracts.workflow.recommendations import POST_CHOICES, RECOMMENDED, REPORTED

from ..models import Declaration, DeclarationLog, Recommendation, ReportHold
from . import declarations as decl
from . import gate, quotas
from . import publicity as publicities
from .events import current_recommendation, get_recommendation

# The documents slots of the 单位推荐意见 form (services/documents/logic/slots.py), in the
# form's order, with the seed's labels.
MATERIAL_SLOTS = {
    "rec_publicity": "申报材料公示情况及证明",
    "rec_opinion": "单位推荐意见",
    "rec_other": "单位申报其他材料",
    "rec_teacher_form": "中小学教师职称评审学校申报材料提交表",
    "rec_teacher_note": "中小学教师职称评审材料审核材料提交说明",
    "rec_medical_license": "医疗机构执业许可证",
}
SUBJECT_TYPE = "recommendation"   # documents attachments: ("workflow", this, declaration id)

__all__ = ["POST_CHOICES", "RECOMMENDED", "REPORTED", "get_recommendation"]


# --------------------------------------------------------------------------- who

def is_employer(actor, declaration):
    """An admin of the declaration's employer unit (申报单位, the chain's first step)."""
    return bool(actor.has(UNIT_ADMIN) and actor.unit_id is not None
                and actor.unit_id == declaration.unit_id)


def employer_declaration(session, actor, declaration_id, what="单位推荐意见"):
    """The declaration, for an admin of its employer: 404 for whoever may not see it,
    403 for a unit that sees it but is not its employer."""
    declaration, _ = decl.get_visible(session, actor, declaration_id)
    if not is_employer(actor, declaration):
        raise Forbidden("recommendation.employer_only",
                        f"只有申报人所在单位的管理员可以填写{what}")
    return declaration


def unit_task(session, actor, declaration, *, for_update=False):
    """The employer's open task (单位审核) on the declaration; 409 when the declaration is
    not before the unit now or another admin has claimed it."""
    refused = Conflict("recommendation.not_at_unit",
                       "该申报当前不在本单位审核，不能填写或修改单位推荐意见")
    if declaration.status != "submitted":
        raise refused
    task = decl.open_task(session, declaration, actor.unit_id, for_update=for_update)
    if task is None or task.step_index != gate.EMPLOYER_STEP:
        raise refused
    if task.claimed_by_account_id not in (None, actor.account_id):
        raise Conflict("task.claimed_by_other",
                       f"该任务已被{task.claimed_by_name or '其他管理员'}领取")
    return task


# --------------------------------------------------------------------------- reading

def current(session, declaration):
    """The recommendation of the declaration's present employer, or None."""
    return current_recommendation(session, declaration)


def materials_view(materials):
    by_slot = {}
    for entry in materials or ():
        by_slot.setdefault(entry["slot"], []).append(entry["file_id"])
    return [{"slot": slot, "label": label, "file_ids": by_slot.get(slot, [])}
            for slot, label in MATERIAL_SLOTS.items()]


def view(recommendation):
    if recommendation is None:
        return None
    return {
        "id": recommendation.id,
        "declaration_id": recommendation.declaration_id,
        "unit_id": recommendation.unit_id,
        "unit_name": recommendation.unit_name,
        "year": recommendation.year,
        "level": recommendation.level,
        "level_label": LEVELS.get(recommendation.level, recommendation.level),
        "opinion": recommendation.opinion,
        "signer": recommendation.signer,
        "signed_on": iso(recommendation.signed_on),
        "occupies_post": recommendation.occupies_post,
        "occupies_post_label": POST_CHOICES.get(recommendation.occupies_post),
        "post_note": recommendation.post_note,
        "quota_id": recommendation.quota_id,
        "material_file_ids": [m["file_id"] for m in recommendation.materials or ()],
        "materials": materials_view(recommendation.materials),
        "created_by_name": recommendation.created_by_name,
        "created_at": iso(recommendation.created_at),
        "updated_by_name": recommendation.updated_by_name,
        "updated_at": iso(recommendation.updated_at),
        "version": recommendation.version,
    }


def screen(session, actor, declaration):
    """单位推荐意见 of a declaration as its viewers see it: the recommendation, the
    unit's post quota of the year with 已推荐 (推荐人员情况; not shown to the applicant),
    the publicity and its objections, whether it waits for 上报, and what the caller may
    do."""
    owner = actor.has(PERSON) and actor.person_id == declaration.person_id
    quota = None if owner else quotas.of_unit(session, declaration.unit_id, declaration.year)
    counts = quotas.occupied(session, declaration.unit_id, declaration.year) if quota else {}
    hold = gate.holding(session, declaration.id)
    employer = is_employer(actor, declaration)
    try:
        may_recommend = employer and unit_task(session, actor, declaration) is not None
    except Conflict:
        may_recommend = False
    return {
        "declaration_id": declaration.id,
        "person_name": declaration.person_name,
        "unit_id": declaration.unit_id,
        "unit_name": declaration.unit_name,
        "year": declaration.year,
        "title": declaration.title,
        "level": declaration.level,
        "level_label": LEVELS.get(declaration.level, declaration.level),
        "status": declaration.status,
        "status_label": decl.status_label(declaration.status),
        "recommendation": view(current(session, declaration)),
        "quota": quotas.view(session, quota, counts) if quota is not None else None,
        "publicity": publicities.view(publicities.get(session, declaration.id)),
        "objections": [publicities.objection_view(o)
                       for o in publicities.objections(session, declaration.id)],
        "report": {"gated": gate.gated(declaration.plan), "held": hold is not None,
                   "held_at": iso(hold.held_at) if hold is not None else None,
                   "state_label": "待上报" if hold is not None else None},
        "may_recommend": bool(may_recommend),
        "may_publicize": bool(employer and publicities.eligible(declaration)),
    }


# --------------------------------------------------------------------------- saving

def prepare(session, actor, declaration_id):
    """The checks before the caller attaches materials: the declaration and the file ids
    its recommendation holds now."""
    declaration = employer_declaration(session, actor, declaration_id)
    unit_task(session, actor, declaration)
    found = current(session, declaration)
    return declaration, [m["file_id"] for m in (found.materials if found else ())]


def wrong_slots(files):
    """Ids of attached files (documents' answer) that are not 单位推荐意见 materials."""
    return [f["id"] for f in files if f.get("slot") not in MATERIAL_SLOTS]


def save(session, actor, declaration_id, values, *, unit, materials, now=None):
    """保存 the recommendation of the declaration before the actor's unit.

    ``unit`` is identity's unit (its ``nature`` says whether it is a 事业单位, which needs a
    confirmed quota of the declaration's year and a 占用/不占用 answer); ``materials``
    ``[{file_id, slot}]`` are attached already. Locks: the unit's task, the declaration,
    then the quota row (so two recommendations racing for the last vacancy queue up)."""
    declaration = employer_declaration(session, actor, declaration_id)
    unit_task(session, actor, declaration, for_update=True)
    declaration = decl.get(session, declaration.id, for_update=True)
    occupies = values.get("occupies_post")
    quota = None
    if quotas.is_institution(unit):
        quota = quotas.of_unit(session, declaration.unit_id, declaration.year, for_update=True)
        if quota is None or quota.status != "confirmed":
            raise Conflict("recommendation.quota_required",
                           f"本单位{declaration.year}年度岗位核准信息尚未确认，请先在"
                           "“管理设置-岗位核准信息”中新增并确认后再填写推荐意见",
                           {"year": declaration.year})
        if occupies is None:
            raise Invalid("recommendation.post_required", "请选择是否占用职数",
                          {"fields": {"occupies_post": ["请选择是否占用职数"]}})
        if occupies == quotas.OCCUPY:
            quotas.check_vacancy(session, quota, declaration.level, declaration.id)
    now = now or utcnow()
    recommendation = get_recommendation(session, declaration.id)
    if recommendation is None:
        recommendation = Recommendation(
            declaration_id=declaration.id, created_by_account_id=actor.account_id,
            created_by_name=actor.name, created_at=now, version=0)
        session.add(recommendation)
    before = {"occupies_post": recommendation.occupies_post,
              "post_note": recommendation.post_note}
    recommendation.unit_id = declaration.unit_id
    recommendation.unit_name = declaration.unit_name or unit.get("name") or ""
    recommendation.year = declaration.year
    recommendation.level = declaration.level
    recommendation.opinion = values["opinion"]
    recommendation.signer = values.get("signer")
    recommendation.signed_on = values.get("signed_on")
    recommendation.occupies_post = occupies
    recommendation.post_note = values.get("post_note")
    recommendation.quota_id = quota.id if quota is not None else None
    recommendation.materials = [dict(m) for m in materials]
    recommendation.updated_by_account_id = actor.account_id
    recommendation.updated_by_name = actor.name
    recommendation.updated_at = now
    recommendation.version += 1
    session.flush()
    changes = {"opinion": values["opinion"],
               "occupies_post": {"old": POST_CHOICES.get(before["occupies_post"]),
                                 "new": POST_CHOICES.get(occupies)},
               "post_note": values.get("post_note"),
               "materials": len(materials)}
    log(session, declaration, "recommended", actor, changes, note=values.get("post_note"),
        at=now)
    decl.touch(declaration, now)
    session.flush()
    emit(session, RECOMMENDED, f"declaration:{declaration.id}", decl.event_data(declaration))
    return recommendation


def log(session, declaration, action, actor, changes, note=None, at=None):
    """A change by the employer in the declaration's history (申报流程)."""
    session.add(DeclarationLog(
        declaration_id=declaration.id, action=action, changes=changes, note=note,
        account_id=actor.account_id, account_name=actor.name, unit_id=declaration.unit_id,
        unit_name=declaration.unit_name, at=at or utcnow()))


# --------------------------------------------------------------------------- approval

def require_before_approval(session, declaration, decision):
    """Guard of the declaration's review: the employer approves (通过) a declaration only
    with its recommendation; one that occupies a post must still fit in the quota (a
    returned declaration that comes back counts again). Raises before anything changes."""
    if decision["action"] != "approve" or decision["step_index"] != gate.EMPLOYER_STEP:
        return
    found = get_recommendation(session, declaration.id)
    if found is None or found.unit_id != decision["unit_id"]:
        raise Conflict("recommendation.required", "请先填写单位推荐意见，再审核通过",
                       {"declaration_id": declaration.id})
    if found.occupies_post == quotas.OCCUPY and found.quota_id is not None:
        quota = quotas.get(session, found.quota_id, for_update=True)
        quotas.check_vacancy(session, quota, found.level, found.declaration_id)


# --------------------------------------------------------------------------- 上报

def _state_item(declaration, state, label):
    return {"declaration_id": declaration.id, "person_name": declaration.person_name,
            "specialty": declaration.specialty, "title": declaration.title,
            "level_label": LEVELS.get(declaration.level, declaration.level),
            "status": declaration.status,
            "status_label": decl.status_label(declaration.status),
            "state": state, "state_label": label,
            "current_unit_name": declaration.current_unit_name}


def report_state(session, unit_id, plan):
    """The unit's submitted declarations of the plan: ``held`` (待上报), ``pending`` (still
    in review at the unit: 审核中, or 退回) and ``done`` (上报 or forwarded already,
    approved, not approved, terminated)."""
    rows = session.execute(
        select(Declaration).where(Declaration.unit_id == unit_id,
                                  Declaration.plan_id == plan.id,
                                  Declaration.deleted_at.is_(None),
                                  Declaration.first_submitted_at.is_not(None))
        .order_by(Declaration.id)
    ).unique().scalars().all()
    held_ids = set(session.execute(
        select(ReportHold.declaration_id).where(ReportHold.unit_id == unit_id,
                                                ReportHold.plan_id == plan.id)).scalars())
    held, pending, done = [], [], []
    for row in rows:
        if row.id in held_ids:
            held.append(_state_item(row, "held", "待上报"))
        elif row.status == "returned":
            pending.append(_state_item(row, "returned", "退回"))
        elif row.status == "submitted" and row.current_step == gate.EMPLOYER_STEP:
            pending.append(_state_item(row, "in_review", "审核中"))
        elif row.status == "submitted":
            done.append(_state_item(row, "reported", "已上报"))
        else:
            done.append(_state_item(row, row.status, decl.status_label(row.status)))
    return {"held": held, "pending": pending, "done": done}


def pending_message(pending):
    names = "、".join(f"{p['person_name']}（{p['state_label']}）" for p in pending)
    return f"本单位还有未审核完成的申报，须全部审核通过或审核不通过后才能上报：{names}"


def report_view(session, actor, plan):
    state = report_state(session, actor.unit_id, plan)
    message = None
    if state["pending"]:
        message = pending_message(state["pending"])
    elif not state["held"]:
        message = "没有待上报的申报"
    return {"plan_id": plan.id, "plan_name": plan.name, "gated": gate.gated(plan),
            "unit_id": actor.unit_id, **state,
            "counts": {key: len(value) for key, value in state.items()},
            "may_report": message is None, "message": message}


def require_employer_admin(actor):
    if not (actor.has(UNIT_ADMIN) and actor.unit_id is not None
            and (actor.extra or {}).get("unit_kind") == "employer"):
        raise Forbidden("report.employer_only", "只有用人单位可以上报本单位的申报")


def report(session, actor, plan, now=None):
    """上报: every held declaration of the actor's unit and the plan goes to the next
    unit at once, provided none of the unit's declarations of the plan is still in
    review or returned (409 naming them). Serialised per unit and plan."""
    require_employer_admin(actor)
    session.execute(select(func.pg_advisory_xact_lock(
        func.hashtext(f"report:{actor.unit_id}:{plan.id}"))))
    state = report_state(session, actor.unit_id, plan)
    if state["pending"]:
        raise Conflict("report.pending", pending_message(state["pending"]),
                       {"pending": state["pending"]})
    holds = session.execute(
        select(ReportHold).where(ReportHold.unit_id == actor.unit_id,
                                 ReportHold.plan_id == plan.id)
        .order_by(ReportHold.declaration_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalars().all()
    if not holds:
        raise Conflict("report.nothing", "没有待上报的申报")
    now = now or utcnow()
    reported = []
    for hold_row in holds:
        declaration = decl.get(session, hold_row.declaration_id, for_update=True)
        index = hold_row.step_index + 1
        task = gate.release(session, hold_row, now)
        decl.set_current(declaration, index)
        decl.touch(declaration, now)
        log(session, declaration, "reported", actor,
            {"next_unit_id": task.unit_id, "next_unit_name": task.unit_name}, at=now)
        session.flush()
        emit(session, REPORTED, f"declaration:{declaration.id}", decl.event_data(
            declaration, reported_at=now.isoformat(),
            reported_by={"unit_id": actor.unit_id, "unit_name": declaration.unit_name,
                         "account_id": actor.account_id, "name": actor.name},
            next_unit={"unit_id": task.unit_id, "unit_name": task.unit_name}))
        reported.append({"declaration_id": declaration.id,
                         "person_name": declaration.person_name,
                         "next_unit_name": task.unit_name, "task_id": task.id})
    return {"plan_id": plan.id, "unit_id": actor.unit_id, "reported": reported,
            "count": len(reported), "reported_at": now.isoformat()}
