"""Codes of the review engine and the Chinese labels users read (the seeds' wording)."""

# Process kinds, as the task center's 流程类型 shows them.
KINDS = {
    "binding": "人员注册审核",
    "unit_registration": "单位注册审核",
    "record": "业绩审核",
    "declaration": "职称申报",
}

# Decisions. ``reject`` (不通过: no new declaration that year) only for declarations.
ACTIONS = {
    "approve": "通过",
    "return": "退回",
    "terminate": "终止",
    "reject": "不通过",
}
SUBMIT = "submit"
# 撤回: a unit takes back what it passed up (history only; not a decision).
RECALL = "recall"
RECALLED = "recalled"
# 申请人撤回: the applicant takes back what the unit has not decided yet.
WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"
ACTION_LABELS = {SUBMIT: "提交", **ACTIONS, RECALL: "撤回", WITHDRAW: "申请人撤回"}
REJECT_KINDS = frozenset({"declaration"})
# Actions whose opinion is required: a return tells the applicant what to change (tell
# everything at once); 不通过 must say why (Chongqing manual 2.3.1: 填写审核不通过意见).
OPINION_REQUIRED = frozenset({"return", "reject"})

# Outcomes of a decision (review_decided.data.outcome) and the process states they end in.
FORWARDED = "forwarded"
OUTCOME_OF = {"return": "returned", "terminate": "terminated", "reject": "rejected"}
PROCESS_STATUS_LABELS = {
    "open": "审核中",
    "approved": "审核通过",
    "returned": "退回",
    "terminated": "终止",
    "rejected": "审核不通过",
    "withdrawn": "已撤回",
}

# Task center boxes.
BOXES = {
    "todo": "待处理",        # claimed by me, open
    "unclaimed": "待领取",   # my unit's open tasks nobody has claimed
    "done_by_me": "我已处理",
    "done": "所有已处理",    # decided by anyone of my unit
}

# Unit kinds (the contract's codes) and the review step each one stands for.
UNIT_KINDS = {
    "employer": "用人单位",
    "competent": "主管部门",
    "hr": "人社部门",
    "organiser": "评委会组建单位",
    "talent_center": "人才服务中心",
}
STEP_LABELS = {
    "employer": "单位审核",
    "competent": "主管部门审核",
    "hr": "人社部门审核",
    "organiser": "组建单位审核",
    "talent_center": "人才服务中心审核",
}


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
        return "cancelled", "申请人已撤回"
    return action, ACTIONS.get(action, action)
