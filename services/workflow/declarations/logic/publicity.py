"""Publicity (公示) of declarations by their employer unit, as plain functions over the
caller's session.

Chongqing manual 2.4.1/2.4.2 公示结果录入: the unit enters the publicity dates (公示起止时间)
and the result (公示结果) for the selected persons or for the whole unit at once (批量添加:
对该单位下面的所有申报人员同时添加，需谨慎操作). Objections (异议) raised during the
publicity are recorded with their handling (处理情况). Rules kept simple and strict:

- a publicity is for a declaration at or past its employer's step: 审核中 (wherever it is)
  or 审核通过; one publicity per declaration, entered again to change it;
- an objection must fall within the publicity's dates; while objections are recorded the
  result cannot be 无异议, and an objection cannot be recorded over a 无异议 result;
- a batch is all or nothing: refused as a whole (naming who) when one entry would be.
"""
import uuid

from sqlalchemy import select

from services.common.errors import Conflict, Invalid, NotFound
from services.common.messaging import emit
from services.common.time import iso, utcnow
from services.contracts.workflow.recommendations import PUBLICITY_RECORDED as RECORDED
from services.contracts.workflow.recommendations import RESULTS

from ..models import Declaration, DeclarationLog, Publicity, PublicityObjection
from . import declarations as decl
from .plans import today

ELIGIBLE_STATUSES = ("submitted", "approved")
NO_OBJECTION = "no_objection"


# --------------------------------------------------------------------------- reading

def get(session, declaration_id, *, for_update=False):
    query = select(Publicity).where(Publicity.declaration_id == declaration_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def objections(session, declaration_id):
    return session.execute(
        select(PublicityObjection).where(PublicityObjection.declaration_id == declaration_id)
        .order_by(PublicityObjection.raised_on, PublicityObjection.id)
    ).scalars().all()


def eligible(declaration):
    return declaration.status in ELIGIBLE_STATUSES


def view(publicity):
    if publicity is None:
        return None
    return {
        "id": publicity.id,
        "declaration_id": publicity.declaration_id,
        "unit_id": publicity.unit_id,
        "unit_name": publicity.unit_name,
        "starts_on": iso(publicity.starts_on),
        "ends_on": iso(publicity.ends_on),
        "result": publicity.result,
        "result_label": RESULTS.get(publicity.result) or "未录入结果",
        "note": publicity.note,
        "batch": publicity.batch_id is not None,
        "batch_id": publicity.batch_id,
        "recorded_by_name": publicity.recorded_by_name,
        "recorded_at": iso(publicity.recorded_at),
        "version": publicity.version,
    }


def objection_view(objection):
    return {
        "id": objection.id,
        "declaration_id": objection.declaration_id,
        "raised_on": iso(objection.raised_on),
        "raised_by": objection.raised_by,
        "content": objection.content,
        "handling": objection.handling,
        "handled_on": iso(objection.handled_on),
        "handled": objection.handling is not None,
        "status_label": "已处理" if objection.handling is not None else "待处理",
        "recorded_by_name": objection.recorded_by_name,
        "recorded_at": iso(objection.recorded_at),
        "handled_by_name": objection.handled_by_name,
        "updated_at": iso(objection.updated_at),
    }


# --------------------------------------------------------------------------- checks

def _problem(declaration, values, found):
    """Why ``values`` cannot be the declaration's publicity (Chinese), or None."""
    name = declaration.person_name
    if not eligible(declaration):
        return (f"{name}的申报为“{decl.status_label(declaration.status)}”，"
                "尚未提交到本单位审核或已退回，不能录入公示信息")
    if values.get("result") == NO_OBJECTION and found:
        return f"{name}的公示期间已登记异议，公示结果应为“有异议”"
    outside = [o for o in found
               if not values["starts_on"] <= o.raised_on <= values["ends_on"]]
    if outside:
        return (f"{name}已登记的异议（{outside[0].raised_on.isoformat()}）不在新的公示起止时间内，"
                "请核对公示起止时间")
    return None


def _log(session, declaration, action, actor, changes, note=None, at=None):
    session.add(DeclarationLog(
        declaration_id=declaration.id, action=action, changes=changes, note=note,
        account_id=actor.account_id, account_name=actor.name, unit_id=declaration.unit_id,
        unit_name=declaration.unit_name, at=at or utcnow()))


# --------------------------------------------------------------------------- recording

def _record(session, actor, declaration, values, batch_id, now):
    publicity = get(session, declaration.id, for_update=True)
    if publicity is None:
        publicity = Publicity(declaration_id=declaration.id, version=0)
        session.add(publicity)
    publicity.unit_id = declaration.unit_id
    publicity.unit_name = declaration.unit_name or ""
    publicity.starts_on = values["starts_on"]
    publicity.ends_on = values["ends_on"]
    publicity.result = values.get("result")
    publicity.note = values.get("note")
    publicity.batch_id = batch_id
    publicity.recorded_by_account_id = actor.account_id
    publicity.recorded_by_name = actor.name
    publicity.recorded_at = now
    publicity.version += 1
    session.flush()
    _log(session, declaration, "publicity_recorded", actor, {
        "starts_on": iso(publicity.starts_on), "ends_on": iso(publicity.ends_on),
        "result": RESULTS.get(publicity.result), "batch": batch_id is not None},
        note=publicity.note, at=now)
    _emit(session, declaration, publicity)
    return publicity


def _emit(session, declaration, publicity):
    found = objections(session, declaration.id)
    emit(session, RECORDED, f"declaration:{declaration.id}", decl.event_data(
        declaration, publicity={
            "starts_on": iso(publicity.starts_on), "ends_on": iso(publicity.ends_on),
            "result": publicity.result, "result_label": RESULTS.get(publicity.result),
            "note": publicity.note, "batch": publicity.batch_id is not None,
            "objections": len(found),
            "objections_handled": sum(1 for o in found if o.handling is not None),
            "recorded_at": iso(publicity.recorded_at),
            "recorded_by": {"account_id": publicity.recorded_by_account_id,
                            "name": publicity.recorded_by_name}}))


def record(session, actor, declaration, values, now=None):
    """公示结果录入 for one declaration (the caller checked the actor is its employer)."""
    declaration = decl.get(session, declaration.id, for_update=True)
    problem = _problem(declaration, values, objections(session, declaration.id))
    if problem:
        raise Conflict("publicity.refused", problem)
    return _record(session, actor, declaration, values, None, now or utcnow())


def batch_targets(session, actor, *, declaration_ids=None, plan_id=None, year=None):
    """The declarations a batch entry is for: the ones selected (each must be the
    actor's unit's: 404 naming those that are not), or else every declaration of the
    unit at or past its step (of the plan or year if given)."""
    conditions = [Declaration.unit_id == actor.unit_id, Declaration.deleted_at.is_(None)]
    if declaration_ids:
        conditions.append(Declaration.id.in_(declaration_ids))
    else:
        conditions.append(Declaration.status.in_(ELIGIBLE_STATUSES))
        if plan_id:
            conditions.append(Declaration.plan_id == plan_id)
        if year:
            conditions.append(Declaration.year == year)
    rows = session.execute(
        select(Declaration).where(*conditions).order_by(Declaration.id)
        .with_for_update(of=Declaration).execution_options(populate_existing=True)
    ).unique().scalars().all()
    if declaration_ids:
        missing = sorted(set(declaration_ids) - {row.id for row in rows})
        if missing:
            raise NotFound("declaration.not_found", "申报记录不存在",
                           {"declaration_ids": missing})
    return rows


def record_batch(session, actor, values, *, declaration_ids=None, plan_id=None, year=None,
                 now=None):
    """批量添加: the same publicity for the selected declarations or for all of the
    unit's; all or nothing."""
    targets = batch_targets(session, actor, declaration_ids=declaration_ids,
                            plan_id=plan_id, year=year)
    if not targets:
        raise Conflict("publicity.nothing", "没有可录入公示信息的申报（须已提交到本单位审核）")
    problems = {}
    for declaration in targets:
        problem = _problem(declaration, values, objections(session, declaration.id))
        if problem:
            problems[declaration.id] = problem
    if problems:
        raise Conflict("publicity.refused",
                       "以下申报不能录入公示信息：" + "；".join(problems.values()),
                       {"declarations": {str(k): v for k, v in problems.items()}})
    now = now or utcnow()
    batch_id = str(uuid.uuid4())
    recorded = [_record(session, actor, d, values, batch_id, now) for d in targets]
    return {"batch_id": batch_id, "count": len(recorded),
            "items": [view(p) for p in recorded]}


# --------------------------------------------------------------------------- objections

def add_objection(session, actor, declaration, values, now=None):
    """登记异议 raised during the declaration's publicity (with its handling if known)."""
    declaration = decl.get(session, declaration.id, for_update=True)
    publicity = get(session, declaration.id, for_update=True)
    if publicity is None:
        raise Conflict("objection.no_publicity", "请先录入公示起止时间，再登记公示期间的异议")
    if not publicity.starts_on <= values["raised_on"] <= publicity.ends_on:
        message = (f"异议须在公示期间（{publicity.starts_on.isoformat()} 至 "
                   f"{publicity.ends_on.isoformat()}）提出")
        raise Invalid("objection.outside_publicity", message,
                      {"fields": {"raised_on": [message]}})
    if publicity.result == NO_OBJECTION:
        raise Conflict("objection.result_no_objection",
                       "公示结果已录入为“无异议”，不能登记异议；请先将公示结果修改为“有异议”")
    now = now or utcnow()
    objection = PublicityObjection(
        declaration_id=declaration.id, unit_id=declaration.unit_id,
        raised_on=values["raised_on"], raised_by=values.get("raised_by"),
        content=values["content"], recorded_by_account_id=actor.account_id,
        recorded_by_name=actor.name, recorded_at=now, updated_at=now)
    _handle(objection, values, actor)
    session.add(objection)
    session.flush()
    _log(session, declaration, "objection_recorded", actor, {
        "objection_id": objection.id, "raised_on": iso(objection.raised_on),
        "raised_by": objection.raised_by, "content": objection.content,
        "handling": objection.handling}, at=now)
    _emit_objection(session, OBJECTION_ADDED, declaration, objection)
    return objection


OBJECTION_ADDED = "publicity_objection_added"
OBJECTION_HANDLED = "publicity_objection_handled"


def _emit_objection(session, type_, declaration, objection):
    """登记异议 / 异议处理 as an event (identity records it in the audit log)."""
    emit(session, type_, f"declaration:{declaration.id}", decl.event_data(
        declaration, objection={
            "objection_id": objection.id, "raised_on": iso(objection.raised_on),
            "raised_by": objection.raised_by, "content": objection.content,
            "handling": objection.handling, "handled_on": iso(objection.handled_on)}))


def _handle(objection, values, actor):
    if values.get("handling"):
        handled_on = values.get("handled_on") or today()
        if handled_on < objection.raised_on:
            message = "处理日期不能早于异议提出日期"
            raise Invalid("objection.handled_before_raised", message,
                          {"fields": {"handled_on": [message]}})
        objection.handling = values["handling"]
        objection.handled_on = handled_on
        objection.handled_by_account_id = actor.account_id
        objection.handled_by_name = actor.name


def handle_objection(session, actor, declaration, objection_id, values, now=None):
    """异议处理: the handling (处理情况) of a recorded objection; may be corrected."""
    declaration = decl.get(session, declaration.id, for_update=True)
    objection = session.execute(
        select(PublicityObjection).where(PublicityObjection.id == objection_id,
                                         PublicityObjection.declaration_id == declaration.id)
        .with_for_update()
    ).scalar_one_or_none()
    if objection is None:
        raise NotFound("objection.not_found", "异议记录不存在")
    _handle(objection, values, actor)
    objection.updated_at = now or utcnow()
    session.flush()
    _log(session, declaration, "objection_handled", actor, {
        "objection_id": objection.id, "handling": objection.handling,
        "handled_on": iso(objection.handled_on)}, at=objection.updated_at)
    _emit_objection(session, OBJECTION_HANDLED, declaration, objection)
    return objection
