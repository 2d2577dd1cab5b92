"""Codes of the review engine with the Chinese labels users read (the tables are the
contract's, ``services.contracts.workflow.review``) and the engine's own rules about
them."""
from services.contracts.workflow.review import (
    ACTION_LABELS,
    ACTIONS,
    BOXES,
    CANCEL,
    CANCELLED,
    FORWARDED,
    KINDS,
    OUTCOME_OF,
    PROCESS_STATUS_LABELS,
    RECALL,
    RECALLED,
    STEP_LABELS,
    SUBMIT,
    UNDO_REJECT,
    UNIT_KINDS,
    WITHDRAW,
    WITHDRAWN,
)

__all__ = ["ACTION_LABELS", "ACTIONS", "BOXES", "CANCEL", "CANCELLED", "FORWARDED", "KINDS",
           "OPINION_REQUIRED",
           "OUTCOME_OF", "PROCESS_STATUS_LABELS", "RECALL", "RECALLED", "REJECT_KINDS",
           "STEP_LABELS", "SUBMIT", "UNDO_REJECT", "UNIT_KINDS", "WITHDRAW", "WITHDRAWN",
           "step_label", "task_status"]

# ``reject`` (不通过: no new declaration that year) only for declarations.
REJECT_KINDS = frozenset({"declaration"})
# Actions whose opinion is required: a return tells the applicant what to change (tell
# everything at once); 不通过 must say why (Chongqing manual 2.3.1: 填写审核不通过意见).
OPINION_REQUIRED = frozenset({"return", "reject"})


def step_label(step_index, unit_kind=None):
    """``单位审核`` for the first step or an employer; the unit kind's step otherwise."""
    if unit_kind in STEP_LABELS:
        return STEP_LABELS[unit_kind]
    if step_index == 0:
        return "单位审核"
    return f"第{step_index + 1}级审核"


def task_status(state, claimed, action):
    """A task's status code and label: 待领取, 审核中 (claimed), or the decision."""
    if state == "open":
        return ("claimed", "审核中") if claimed else ("unclaimed", "待领取")
    if state == "cancelled":
        return "cancelled", "已取消" if action == CANCEL else "申请人已撤回"
    return action, ACTIONS.get(action, action)
