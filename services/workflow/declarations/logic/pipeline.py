"""How a declaration's review is decided: the review engine's rules for the kind
``declaration``, read top to bottom. The service gives them to the engine
(``service.py``: ``REVIEW_RULES``); nothing registers itself on import.

A decision of a declaration's task runs, in the decision's transaction:

1. **guards**, before anything changes (raising refuses the decision; nothing is
   recorded or emitted):
   - ``recommendations.require_before_approval``: the employer approves only with its
     recommendation (单位推荐意见), and a post it occupies must fit in the quota;
2. **may the next step open**: an approval below the last step opens the next unit's
   task unless
   - ``gate.holds``: the plan is gated and the step is the employer's (待上报: the
     unit's 上报 opens it later, ``recommendations.report``);
3. **effects**, after the engine recorded the decision (before ``review_decided``):
   - ``gate.hold``: a held approval is remembered (``report_holds``);
   - ``declarations.apply_decision``: the declaration moves along (status, current
     step, opinion) and the declaration events are emitted.

A recall (撤回) of a declaration's task runs, after the engine moved the process back:

- ``gate.drop``: a recalled held approval no longer waits for 上报;
- ``declarations.apply_recall``: the declaration is at the unit's step again.

An undo of a level's own 不通过 (撤销, where the plan allows it) runs, after the engine
opened the process again at that level:

- ``declarations.apply_undo_reject``: the declaration is under review at that level again.

A decision on a process that is not its declaration's current one (another subject, or
a declaration resubmitted since) changes nothing here.
"""
import logging

from ...engine.logic.engine import KindRules
from . import declarations as decl
from . import gate, recommendations

log = logging.getLogger(__name__)

KIND = decl.KIND


# --------------------------------------------------------------------------- guards

def recommendation_before_approval(session, process, decision):
    declaration = decl.live_declaration(session, process)
    if declaration is not None:
        recommendations.require_before_approval(session, declaration, decision)


# --------------------------------------------------------------------------- may-open rule

def next_step_may_open(session, process, decision):
    declaration = decl.live_declaration(session, process)
    return declaration is None or not gate.holds(declaration, decision["step_index"])


# --------------------------------------------------------------------------- effects

def record_hold(session, process, decided):
    if not decided.held:
        return
    declaration = decl.live_declaration(session, process, for_update=True)
    if declaration is not None:
        gate.hold(session, declaration, decided.data)


def move_declaration(session, process, decided):
    declaration = decl.live_declaration(session, process, for_update=True)
    if declaration is None:
        log.warning("decision of process %s is not for a live declaration; ignored",
                    process.id)
        return
    decl.apply_decision(session, declaration, decided.data, held=decided.held)


def drop_hold(session, process, recall):
    declaration = decl.live_declaration(session, process, for_update=True)
    if declaration is not None:
        gate.drop(session, declaration.id)


def recall_declaration(session, process, recall):
    declaration = decl.live_declaration(session, process, for_update=True)
    if declaration is not None:
        decl.apply_recall(session, declaration, recall)


def undo_rejection(session, process, undone):
    declaration = decl.live_declaration(session, process, for_update=True)
    if declaration is not None:
        decl.apply_undo_reject(session, declaration, undone)


DECLARATION_RULES = KindRules(
    guards=(recommendation_before_approval,),
    may_open_next=next_step_may_open,
    effects=(record_hold, move_declaration),
    recall_effects=(drop_hold, recall_declaration),
    undo_effects=(undo_rejection,),
)
