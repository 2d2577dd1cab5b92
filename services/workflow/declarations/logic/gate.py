"""The unit gate (统一上报) of a plan, as plain functions over the caller's session.

Chongqing's level-1 units submit to the next level only once every one of their
declarations is approved or not approved (manual 004, 2.4.2 提交市卫健委: 必须要对本单位所有
填报的人员审核通过或者审核不通过后才能提交；如果还有正在审核中或者审核退回的情况，则不能提交).
A plan with ``unit_gate`` set works so at the employer step:

- the employer's approval is recorded as usual, but the declaration is held (待上报): the
  next unit's task the engine opened is taken away again and a ``report_holds`` row
  remembers it (:func:`hold`, called by ``declarations.declaration_decided``);
- the unit's 上报 (``recommendations.report``) opens the next unit's task of every held
  declaration at once (:func:`release`) when none of its declarations of the plan is
  still in review or returned;
- the employer may still take back (撤回) a held approval: :func:`unhold` gives the next
  unit its task back so that the engine's recall can withdraw it as usual.

Nothing here imports ``declarations`` (which imports this module).
"""
import datetime as dt

from sqlalchemy import select

from ..models import TASK_OPEN, Process, Task
from ..recommendation_models import ReportHold
from . import engine
from .engine import utcnow

EMPLOYER_STEP = 0


def gated(plan):
    return bool(getattr(plan, "unit_gate", False))


def hold(session, process, declaration, decision):
    """After the engine forwarded an approval: hold it when the plan is gated and the
    step is the employer's. Answers whether it was held."""
    index = decision["step_index"]
    if not gated(declaration.plan) or index != EMPLOYER_STEP:
        return False
    following = session.execute(
        select(Task).where(Task.process_id == process.id, Task.state == TASK_OPEN,
                           Task.step_index == index + 1)
    ).unique().scalars().all()
    for task in following:
        session.delete(task)
    process.current_step = index
    session.add(ReportHold(
        declaration_id=declaration.id, process_id=process.id, unit_id=decision["unit_id"],
        plan_id=declaration.plan_id, step_index=index,
        held_at=dt.datetime.fromisoformat(decision["decided_at"]),
        held_by_account_id=decision["decided_by"].get("account_id"),
        held_by_name=decision["decided_by"].get("name")))
    session.flush()
    return True


def holding(session, declaration_id, *, for_update=False):
    """The declaration's hold (待上报), or None."""
    query = select(ReportHold).where(ReportHold.declaration_id == declaration_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def _open_next(session, hold_row, now):
    """The next unit's task of a held declaration, as the engine would have opened it."""
    process = session.execute(
        select(Process).where(Process.id == hold_row.process_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    index = hold_row.step_index + 1
    step = next(s for s in process.steps if s.step_index == index)
    process.current_step = index
    task = engine.open_task(session, process, index, step.unit_id, step.unit_name, now)
    session.delete(hold_row)
    session.flush()
    return task


def release(session, hold_row, now=None):
    """上报 of one held declaration: the next unit gets its task now."""
    return _open_next(session, hold_row, now or utcnow())


def unhold(session, declaration_id):
    """Before the employer recalls a held approval: the next unit's task is opened again
    (unclaimed) so that ``engine.recall`` takes it back as it does any recall. Answers
    whether the declaration was held."""
    hold_row = holding(session, declaration_id, for_update=True)
    if hold_row is None:
        return False
    _open_next(session, hold_row, utcnow())
    return True
