"""Record statuses and what each allows, in the seeds' words.

编辑中 (draft) → 提交 → 审核中 (submitted) → 审核通过 (approved) / 退回 (returned, with the
unit's opinion) / 终止 (terminated). Only drafts and returned records can be edited or
deleted; a returned record is edited and submitted again. 撤回 brings a submitted
record the unit has not decided, or an approved record no live declaration imported,
back to draft.
"""
from services.common.errors import Conflict
from services.contracts.achievements import (
    APPROVED,
    AUTO,
    DRAFT,
    RETURNED,
    SOURCE_LABELS,  # noqa: F401 (re-exported)
    STATUS_LABELS,
    STATUSES,
    SUBMITTED,
    TERMINATED,
    USER,
)

LABELS = STATUS_LABELS
# The tabs and counters: 全部 first, then the statuses (我的业绩 shows 终止 too).
COUNT_KEYS = ("all",) + STATUSES
COUNT_LABELS = {"all": "全部", **LABELS}

EDITABLE = (DRAFT, RETURNED)
SUBMITTABLE = (DRAFT, RETURNED)
WITHDRAWABLE = (SUBMITTED, APPROVED)

SOURCES = (USER, AUTO)

# 处理情况 of a withdrawal; it takes effect at once.
HANDLING_WITHDRAWN = "withdrawn"
HANDLING_LABELS = {HANDLING_WITHDRAWN: "已撤回"}

# A final review decision (outcome of review_decided) → the record's new status.
OUTCOME_STATUS = {
    "approved": APPROVED,
    "returned": RETURNED,
    "terminated": TERMINATED,
}

ACTION_LABELS = {
    "created": "新增",
    "saved": "保存",
    "submitted": "提交",
    "approved": "审核通过",
    "returned": "退回",
    "terminated": "终止",
    "withdrawn": "撤回",
    "decision_ignored": "审核结果未生效",
    "adjusted": "调整",
    "extracted": "提取（自动生成）",
    "revoked": "撤销审核",
}

# 调整: the case rows or references of an approved 卫生-专题/论文/综述 (seeds: 列表后的“调整”).
ADJUSTABLE_TYPES = ("health_topic", "health_paper", "health_review")


def label(status):
    return LABELS.get(status, status)


def require_editable(status):
    """Conflict unless a record in ``status`` may be edited (修改)."""
    if status == SUBMITTED:
        raise Conflict("record.not_editable", "审核中的记录无法编辑")
    if status == APPROVED:
        raise Conflict("record.not_editable", "审核通过的记录无法编辑，请先撤回")
    if status == TERMINATED:
        raise Conflict("record.not_editable", "已终止的记录无法编辑")
    if status not in EDITABLE:
        raise Conflict("record.not_editable", "当前状态的记录无法编辑")


def require_deletable(status):
    if status == SUBMITTED:
        raise Conflict("record.not_deletable", "审核中的记录无法删除")
    if status == APPROVED:
        raise Conflict("record.not_deletable", "审核通过的记录无法删除，请先撤回")
    if status == TERMINATED:
        raise Conflict("record.not_deletable", "已终止的记录无法删除")
    if status not in EDITABLE:
        raise Conflict("record.not_deletable", "当前状态的记录无法删除")


def require_submittable(status):
    if status == SUBMITTED:
        raise Conflict("record.already_submitted", "记录已提交，正在审核中")
    if status == APPROVED:
        raise Conflict("record.not_submittable", "记录已审核通过，无需再次提交")
    if status == TERMINATED:
        raise Conflict("record.not_submittable", "已终止的记录无法提交")
    if status not in SUBMITTABLE:
        raise Conflict("record.not_submittable", "当前状态的记录无法提交")


def require_withdrawable(status, *, lock_count, health_only, source=USER):
    """Conflict unless the record may be withdrawn (撤回).

    Approved records that a live declaration imported stay put (remove them from the
    declaration first); approved 行业专用 records are adjusted (调整), not withdrawn;
    records the system generated (自动生成) are not the person's to withdraw.
    """
    if source == AUTO:
        raise Conflict("record.not_withdrawable", "自动生成的记录无法撤回")
    if status not in WITHDRAWABLE:
        raise Conflict("record.not_withdrawable",
                       f"{label(status)}的记录无法撤回，只能撤回审核中或审核通过的记录")
    if status == APPROVED and health_only:
        raise Conflict("record.not_withdrawable",
                       "行业专用业绩审核通过后无法撤回，请使用“调整”修改")
    if status == APPROVED and lock_count > 0:
        raise Conflict("record.locked",
                       "该业绩已被职称申报引用，无法撤回；请先在申报材料中移除该业绩")


def allowed_actions(status, *, lock_count, health_only, source=USER, type_code=None):
    """What the owner may do now (the 操作 column): edit, delete, submit, withdraw,
    adjust (调整 an approved 卫生-专题/论文/综述's rows)."""
    actions = []
    if status in EDITABLE:
        actions += ["edit", "delete", "submit"]
    if source != AUTO and (status == SUBMITTED
                           or (status == APPROVED and lock_count == 0 and not health_only)):
        actions.append("withdraw")
    if status == APPROVED and lock_count == 0 and type_code in ADJUSTABLE_TYPES:
        actions.append("adjust")
    return actions


def require_revocable(status, *, lock_count, source):
    """Conflict unless the unit may revoke its approval (撤销审核) of the record."""
    if source == AUTO:
        raise Conflict("record.not_revocable", "自动生成的记录无需单位审核，无法撤销审核")
    if status != APPROVED:
        raise Conflict("record.not_revocable",
                       f"{label(status)}的记录无法撤销审核，只能撤销审核通过的记录")
    if lock_count > 0:
        raise Conflict("record.locked", "该业绩已被职称申报引用，无法撤销审核")
