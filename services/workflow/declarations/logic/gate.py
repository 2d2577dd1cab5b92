"""The unit gate (统一上报) of a plan, as plain functions over the caller's session.

Chongqing's level-1 units submit to the next level only once every one of their
declarations is approved or not approved (manual 004, 2.4.2 提交市卫健委: 必须要对本单位所有
填报的人员审核通过或者审核不通过后才能提交；如果还有正在审核中或者审核退回的情况，则不能提交).
A plan with ``unit_gate`` set works so at the employer step:

- the employer's approval is recorded as usual, but the declaration is held (待上报):
  :func:`holds` is the declaration's may-open rule (``pipeline.py``), so the engine opens
  no task for the next unit, and :func:`hold` (an effect) remembers it in a
  ``report_holds`` row;
- the unit's 上报 (``recommendations.report``) opens the next unit's task of every held
  declaration at once (:func:`release`) when none of its declarations of the plan is
  still in review or returned;
- the employer may still take back (撤回) a held approval: the engine's recall takes it
  back at the held step and :func:`drop` (a recall effect) forgets the hold.

Nothing here imports ``declarations`` (which imports this module).
"""
import datetime as dt

from sqlalchemy import delete, select

from services.common.time import utcnow

from ...engine.logic import engine
from ..models import ReportHold

EMPLOYER_STEP = 0


def gated(plan):
    return bool(getattr(plan, "unit_gate", False))


def holds(declaration, step_index):
    """Whether an approval at ``step_index`` waits for the unit's 上报 instead of going to
    the next unit: the plan is gated and the step is the employer's."""
    return gated(declaration.plan) and step_index == EMPLOYER_STEP


def hold(session, declaration, decision):
    """Remember a held approval (待上报): the engine opened no task for the next unit."""
    session.add(ReportHold(
        declaration_id=declaration.id, process_id=decision["process_id"],
        unit_id=decision["unit_id"], plan_id=declaration.plan_id,
        step_index=decision["step_index"],
        held_at=dt.datetime.fromisoformat(decision["decided_at"]),
        held_by_account_id=decision["decided_by"].get("account_id"),
        held_by_name=decision["decided_by"].get("name")))
    session.flush()


def holding(session, declaration_id, *, for_update=False):
    """The declaration's hold (待上报), or None."""
    query = select(ReportHold).where(ReportHold.declaration_id == declaration_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def release(session, hold_row, now=None):
    """上报 of one held declaration: the next unit gets its task now."""
    task = engine.release_hold(session, hold_row.process_id, hold_row.step_index,
                               now or utcnow())
    session.delete(hold_row)
    session.flush()
    return task


def drop(session, declaration_id):
    """A held approval was recalled: the declaration no longer waits for 上报."""
    session.execute(delete(ReportHold).where(ReportHold.declaration_id == declaration_id))
    session.flush()
