"""The append-only audit log: one entry per login (success and failure), account
change, unit decision and binding decision, and one per security-relevant action of the
other services, recorded from their events (logic/audit_events.py). Entries are only
ever inserted, hash-chained (logic/audit_chain.py); nothing in this service updates or
deletes one (and a database trigger refuses it)."""
import datetime as dt

from sqlalchemy import and_, case, func, or_, select

from services.common.logs import mask_text

from ..models import AuditEntry
from . import audit_chain
from .common import iso, like_pattern, page

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "account.password_changed": "修改密码",
    "account.password_reset": "重置密码",
    "account.created": "创建账号",
    "account.updated": "修改账号信息",
    "account.frozen": "冻结账号",
    "account.unfrozen": "解冻账号",
    "account.deleted": "删除账号",
    "account.bootstrap": "初始化运维账号",
    "person.registered": "个人注册",
    "person.profile_updated": "完善个人信息",
    "person.viewed": "查看个人信息",
    "unit.registered": "单位注册",
    "unit.created": "创建内置单位",
    "unit.updated": "完善单位信息",
    "unit.approved": "单位注册审核通过",
    "unit.rejected": "单位注册审核未通过",
    "binding.requested": "申请绑定单位",
    "binding.approved": "单位绑定审核通过",
    "binding.rejected": "单位绑定审核未通过",
    "binding.cancelled": "单位绑定申请取消",
}


def record(session, action, summary, *, actor=None, outcome="success", target_type=None,
           target_id=None, unit_id=None, ip=None, detail=None, at=None, event_id=None):
    """Append an entry. ``actor`` is a Principal, a dict ``{account_id, name, role,
    unit_id}`` or None. ID and mobile numbers in the summary are masked."""
    if actor is not None and not isinstance(actor, dict):
        actor = {"account_id": actor.account_id, "name": actor.name,
                 "role": actor.roles[0] if actor.roles else None, "unit_id": actor.unit_id}
    actor = actor or {}
    entry = AuditEntry(
        at=at or dt.datetime.now(dt.UTC), event_id=event_id,
        action=action, outcome=outcome, summary=mask_text(summary)[:500],
        actor_account_id=actor.get("account_id"), actor_name=actor.get("name"),
        actor_role=actor.get("role"), actor_unit_id=actor.get("unit_id"),
        target_type=target_type, target_id=None if target_id is None else str(target_id),
        unit_id=unit_id, ip=ip, detail=_masked_detail(detail or {}),
    )
    # Inserted, chained, as the transaction's last step (audit_chain.chain_entries).
    audit_chain.pending(session).append(entry)
    return entry


def _masked_detail(value):
    """``detail`` with every string in it masked like the summary."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _masked_detail(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked_detail(item) for item in value]
    return value


def view(entry):
    return {
        "id": entry.id, "at": iso(entry.at), "action": entry.action,
        "action_label": ACTION_LABELS.get(entry.action, entry.action),
        "outcome": entry.outcome, "actor_account_id": entry.actor_account_id,
        "actor_name": entry.actor_name, "actor_role": entry.actor_role,
        "actor_unit_id": entry.actor_unit_id, "target_type": entry.target_type,
        "target_id": entry.target_id, "unit_id": entry.unit_id, "ip": entry.ip,
        "summary": entry.summary, "detail": entry.detail,
        "seq": entry.seq, "hash": entry.hash, "event_id":
            str(entry.event_id) if entry.event_id else None,
    }


def search(session, filters):
    """One page of entries, newest first, with counts by outcome for the same filter."""
    conditions = []
    if filters.get("q"):
        pattern = like_pattern(filters["q"])
        conditions.append(or_(AuditEntry.summary.ilike(pattern),
                              AuditEntry.actor_name.ilike(pattern)))
    if filters.get("action"):
        conditions.append(AuditEntry.action == filters["action"])
    if filters.get("actor_account_id") is not None:
        conditions.append(AuditEntry.actor_account_id == filters["actor_account_id"])
    if filters.get("target_type") is not None and filters.get("target_id") is not None:
        # The subject itself, or a file used by it (a download of a declaration's material
        # is part of the declaration's trail: detail.attached_to).
        subject = f"{filters['target_type']}:{filters['target_id']}"
        conditions.append(or_(
            and_(AuditEntry.target_type == filters["target_type"],
                 AuditEntry.target_id == filters["target_id"]),
            AuditEntry.detail.contains({"attached_to": [subject]})))
    else:
        for key in ("target_type", "target_id"):
            if filters.get(key) is not None:
                conditions.append(getattr(AuditEntry, key) == filters[key])
    if filters.get("unit_id") is not None:
        # The unit concerned, or the unit of the one who acted.
        conditions.append(or_(AuditEntry.unit_id == filters["unit_id"],
                              AuditEntry.actor_unit_id == filters["unit_id"]))
    if filters.get("since"):
        conditions.append(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        conditions.append(AuditEntry.at <= filters["until"])
    base = and_(*conditions) if conditions else None

    counts_query = select(
        func.count(),
        func.count(case((AuditEntry.outcome == "success", 1))),
        func.count(case((AuditEntry.outcome == "failure", 1))),
    )
    if base is not None:
        counts_query = counts_query.where(base)
    all_, success, failure = session.execute(counts_query).one()

    query = select(AuditEntry)
    if base is not None:
        query = query.where(base)
    if filters.get("outcome"):
        query = query.where(AuditEntry.outcome == filters["outcome"])
    order = ((AuditEntry.at.asc(), AuditEntry.id.asc()) if filters.get("order") == "oldest"
             else (AuditEntry.at.desc(), AuditEntry.id.desc()))
    rows, total = page(session, query, filters["page"], filters["page_size"], order)
    return {"items": [view(row[0]) for row in rows], "total": total,
            "counts": {"all": all_, "success": success, "failure": failure}}
