"""The review chain of a declaration and its progress bar, as plain functions.

The chain is derived at submission from the person's unit upward (identity's
``unit_path``): the employer (单位审核), then each competent department (主管部门) or
talent service centre on the way up, then the plan's HR department (人社部门) and the
plan's committee organiser (评委会组建单位). It is stored with the declaration and given
to the review engine, one step per unit.
"""
from services.common.errors import Conflict

# The stages of the progress bar (Anhui FAQ 8/9/11: 申报 → 单位审核 → 主管部门 → 人社部门 →
# 组建单位 → 审核通过), in order.
STAGES = (
    ("submit", "申报"),
    ("employer", "单位审核"),
    ("competent", "主管部门"),
    ("hr", "人社部门"),
    ("organiser", "组建单位"),
    ("approved", "审核通过"),
)
STAGE_LABELS = dict(STAGES)
# The stage a step stands for, by the kind of its unit (the first step is always 单位审核).
STAGE_OF_KIND = {"employer": "employer", "competent": "competent",
                 "talent_center": "competent", "hr": "hr", "organiser": "organiser"}
# Kinds of the units between the employer and the plan's HR department that review too.
INTERMEDIATE_KINDS = ("competent", "talent_center")
# Kinds at which climbing the unit path stops: the plan's own units follow.
TOP_KINDS = ("hr", "organiser")

# Per-step states of the progress bar.
DONE, CURRENT, PENDING, SKIPPED, RETURNED, REJECTED, TERMINATED = (
    "done", "current", "pending", "skipped", "returned", "rejected", "terminated")
STATE_LABELS = {DONE: "已完成", CURRENT: "进行中", PENDING: "未开始", SKIPPED: "无需审核",
                RETURNED: "退回", REJECTED: "审核不通过", TERMINATED: "终止"}


def derive_chain(unit_path, hr_unit, organiser_unit):
    """The chain ``[{unit_id, unit_name, unit_kind}, ...]`` of a declaration.

    ``unit_path`` is identity's answer for the person's unit (the unit first, then its
    parents); ``hr_unit`` and ``organiser_unit`` are ``{unit_id, unit_name}`` of the plan
    (either may be None). A unit appears once, at its first place.
    """
    if not unit_path:
        raise Conflict("declaration.unit_unknown", "未找到您所在的工作单位，无法提交")
    first = unit_path[0]
    chain = [{"unit_id": first["unit_id"], "unit_name": first["name"],
              "unit_kind": "employer"}]
    for unit in unit_path[1:]:
        kind = unit.get("kind")
        if kind in TOP_KINDS:
            break
        if kind in INTERMEDIATE_KINDS:
            chain.append({"unit_id": unit["unit_id"], "unit_name": unit["name"],
                          "unit_kind": kind})
    for unit, kind in ((hr_unit, "hr"), (organiser_unit, "organiser")):
        if unit and unit.get("unit_id"):
            chain.append({"unit_id": unit["unit_id"], "unit_name": unit["unit_name"],
                          "unit_kind": kind})
    seen, result = set(), []
    for step in chain:
        if step["unit_id"] in seen:
            continue
        seen.add(step["unit_id"])
        result.append(step)
    return result


def stage_of(step_index, unit_kind):
    if step_index == 0:
        return "employer"
    return STAGE_OF_KIND.get(unit_kind, "competent")


def step_label(step_index, unit_kind):
    """The seeds' node names: 单位审核, 主管部门审核, 人社部门审核, 组建单位审核."""
    return {"employer": "单位审核", "competent": "主管部门审核", "hr": "人社部门审核",
            "organiser": "组建单位审核"}[stage_of(step_index, unit_kind)]


def progress(status, chain, current_step=None, ended_step=None):
    """The progress bar of a declaration.

    ``status`` is the declaration's (draft, submitted, returned, approved, rejected,
    terminated); ``chain`` its stored chain (empty before the first submission);
    ``current_step`` the index of the step under review (submitted), ``ended_step`` the
    index of the step that returned, rejected or terminated it.
    Answers ``[{code, label, state, state_label, units}]`` for the six stages.
    """
    units = {code: [] for code, _ in STAGES}
    step_stages = []
    for index, step in enumerate(chain or ()):
        stage = stage_of(index, step.get("unit_kind"))
        units[stage].append(step["unit_name"])
        step_stages.append(stage)
    order = [code for code, _ in STAGES]
    states = {}

    def mark_until(index_exclusive):
        for stage in step_stages[:index_exclusive]:
            states[stage] = DONE

    if status == "draft" or not chain:
        states["submit"] = CURRENT
    elif status == "submitted":
        states["submit"] = DONE
        index = current_step or 0
        mark_until(index)
        states[step_stages[index]] = CURRENT
    elif status == "approved":
        for stage in order:
            states[stage] = DONE
    elif status in ("returned", "rejected", "terminated"):
        index = ended_step if ended_step is not None else 0
        mark_until(index)
        ended = {"returned": RETURNED, "rejected": REJECTED,
                 "terminated": TERMINATED}[status]
        states[step_stages[index]] = ended
        # Returned: the declaration is back with the person (申报 is current again).
        states["submit"] = CURRENT if status == "returned" else DONE
    result = []
    for code, label in STAGES:
        if code in states:
            state = states[code]
        elif code not in ("submit", "approved") and chain and not units[code]:
            state = SKIPPED
        else:
            state = PENDING
        result.append({"code": code, "label": label, "state": state,
                       "state_label": STATE_LABELS[state], "units": units[code]})
    return result
