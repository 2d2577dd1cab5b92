"""Other services' security-relevant actions, recorded in the one audit log from their
events (published through each service's outbox, so nothing is lost while identity or
its database is away: the event waits in the queue or the outbox).

``AUDITED`` names every (source, type) recorded; :func:`record_event` turns one envelope
into one entry, at most once per event id (the entry stores it, unique). The actor is the
one who acted: the decision's ``decided_by`` where the data names it, else the event's
actor. The subject is the event's (``declaration:12`` → target declaration 12), so that
``?target_type=declaration&target_id=12`` follows one declaration's whole trail.
"""
import datetime as dt
import uuid

from sqlalchemy import select

from services.common.messaging import concerns

from ..models import Account, AuditEntry
from . import audit

STEP_ACTIONS = {
    "approve": "通过", "return": "退回", "reject": "不通过", "terminate": "终止",
    "recall": "撤回", "undo_reject": "撤销不通过",
}
PUBLICITY_RESULTS = {"no_objection": "无异议", "objection": "有异议"}

# (source, type) → (action, label). review_decided is recorded for records only: the
# decisions on bindings and unit registrations identity records itself when it applies
# them, and a declaration's are its declaration_step_decided.
AUDITED = {
    ("workflow", "declaration_submitted"): ("declaration.submitted", "提交职称申报"),
    ("workflow", "declaration_step_decided"): ("declaration.decided", "申报审核决定"),
    ("workflow", "declaration_recalled"): ("declaration.recalled", "撤回申报"),
    ("workflow", "declaration_rejection_undone"): ("declaration.rejection_undone",
                                                   "撤销审核不通过"),
    ("workflow", "declaration_deleted"): ("declaration.deleted", "删除申报"),
    ("workflow", "declaration_recommended"): ("declaration.recommended", "单位推荐"),
    ("workflow", "declaration_reported"): ("declaration.reported", "单位上报"),
    ("workflow", "publicity_recorded"): ("declaration.publicity_recorded", "录入公示结果"),
    ("workflow", "publicity_objection_added"): ("declaration.objection_added", "登记公示异议"),
    ("workflow", "publicity_objection_handled"): ("declaration.objection_handled",
                                                  "处理公示异议"),
    ("workflow", "declaration_personal_viewed"): ("declaration.personal_viewed",
                                                  "查看申报个人信息"),
    ("workflow", "plan_published"): ("plan.published", "发布评审计划"),
    ("workflow", "post_quota_confirmed"): ("post_quota.confirmed", "确认岗位指标"),
    ("workflow", "review_decided"): ("record.decided", "业绩审核决定"),
    ("achievements", "review_requested"): ("record.revoked", "撤销审核"),
    ("achievements", "review_withdrawn"): ("record.withdrawn", "撤回业绩"),
    ("documents", "file_downloaded"): ("file.downloaded", "下载材料"),
    ("documents", "printout_made"): ("printout.made", "打印"),
}

LABELS = {action: label for action, label in AUDITED.values()}
LABELS.update({f"declaration.{key}": f"申报审核{label}" for key, label in STEP_ACTIONS.items()})
LABELS.update({f"record.{key}": f"业绩审核{label}" for key, label in STEP_ACTIONS.items()})


# Which events of a type concern the audit log, as a consumer's ``when`` (the others are
# acknowledged as they arrive, without a transaction): a review engine's decisions on
# records, and of achievements' review requests only 撤销审核 (``revoked`` is null in a
# request emitted before the flag was added: ``wanted`` decides those by their summary).
WHEN = {
    ("workflow", "review_decided"): {"kind": "record"},
    ("achievements", "review_requested"): {"revoked": (True, None)},
}


def wanted(source, type_, data):
    """Whether this event is one the audit log records."""
    if (source, type_) not in AUDITED:
        return False
    if not concerns(WHEN.get((source, type_)) or {}, data):
        return False
    if (source, type_) == ("achievements", "review_requested"):
        return bool((data.get("summary") or {}).get("revoked"))
    return True


def _subject(subject):
    kind, _, ident = str(subject or "").partition(":")
    return (kind[:30] or None), (ident[:50] or None)


def _actor(envelope, data):
    actor = dict(envelope.get("actor") or {})
    for key in ("decided_by", "recorded_by", "reported_by", "approved_by"):
        who = data.get(key)
        if isinstance(who, dict) and who.get("account_id"):
            return {"account_id": who.get("account_id"), "name": who.get("name"),
                    "unit_id": who.get("unit_id", data.get("unit_id", actor.get("unit_id"))),
                    "role": actor.get("role")}
    return {"account_id": actor.get("account_id"), "name": actor.get("name"),
            "unit_id": actor.get("unit_id"), "role": actor.get("role")}


def _declaration_summary(label, data):
    person = (data.get("person") or {}).get("name") or ""
    title = data.get("title") or ""
    return f"{label}：{person}申报{title}".rstrip("：")


def _describe(action, label, envelope, data):
    """(action, summary, unit_id, detail) of one event."""
    type_ = envelope["type"]
    unit = (data.get("unit") or {}).get("unit_id")
    if type_ in ("declaration_step_decided", "declaration_recalled",
                 "declaration_rejection_undone"):
        step = STEP_ACTIONS.get(data.get("action"), data.get("action_label") or "")
        action = f"declaration.{data.get('action')}"
        label = f"申报审核{step}"
        summary = (f"{data.get('unit_name') or ''}{step}"
                   f"{(data.get('person') or {}).get('name') or ''}的职称申报")
        if data.get("opinion"):
            summary += f"，意见：{data['opinion']}"
        return action, label, summary, unit, {
            "step_label": data.get("step_label"), "outcome": data.get("outcome"),
            "opinion": data.get("opinion"), "deciding_unit_id": data.get("unit_id")}
    if type_ == "review_decided":
        step = STEP_ACTIONS.get(data.get("action"), data.get("action") or "")
        action = f"record.{data.get('action')}"
        return action, f"业绩审核{step}", f"业绩审核{step}" + (
            f"，意见：{data['opinion']}" if data.get("opinion") else ""), data.get("unit_id"), {
            "process_id": data.get("process_id"), "outcome": data.get("outcome")}
    if type_ == "publicity_recorded":
        publicity = data.get("publicity") or {}
        result = PUBLICITY_RESULTS.get(publicity.get("result"), "未填写")
        return action, label, _declaration_summary(label, data) + f"，结果：{result}", unit, {
            "result": publicity.get("result"), "objections": publicity.get("objections")}
    if type_.startswith("declaration_") or type_.startswith("publicity_"):
        detail = {key: data[key] for key in ("reason", "objection", "status") if key in data}
        summary = _declaration_summary(label, data)
        if data.get("reason"):
            summary += f"，原因：{data['reason']}"
        return action, label, summary, unit, detail
    if type_ == "file_downloaded":
        summary = f"{label}“{data.get('file_name') or ''}”（{data.get('basis_label') or ''}）"
        if data.get("reason"):
            summary += f"，原因：{data['reason']}"
        return action, label, summary, data.get("owner_unit_id"), {
            key: data.get(key) for key in ("basis", "reason", "slot", "owner_person_id",
                                           "owner_unit_id", "attached_to")}
    if type_ == "printout_made":
        summary = f"{label}{data.get('kind_label') or ''}"
        return action, label, summary, data.get("unit_id"), {
            key: data.get(key) for key in ("kind", "declaration_id", "file_id")}
    if type_ == "review_requested":  # achievements: 撤销审核
        summary_ = data.get("summary") or {}
        return action, label, f"{label}：{summary_.get('title') or data.get('title') or ''}" + (
            f"（{summary_['note']}）" if summary_.get("note") else ""), \
            data.get("applicant_unit_id"), {"record_id": data.get("subject_id")}
    if type_ == "review_withdrawn":
        return action, label, f"{label}（业绩 {data.get('subject_id')}）", None, {}
    if type_ == "post_quota_confirmed":
        return action, label, f"{label}：{data.get('year')}年度", data.get("unit_id"), {
            key: data.get(key) for key in ("year", "senior", "deputy_senior", "intermediate",
                                           "junior", "form_file_id")}
    name = data.get("name") or data.get("title") or ""
    return action, label, f"{label}{('：' + name) if name else ''}", \
        data.get("unit_id"), {}


def prepare(session, envelopes):
    """What :func:`record_event` needs of the database for these events, each in one
    statement (a group of events at once): the ids of those already recorded, and the
    accounts of their actors. Answers ``(recorded ids, {account id: account})``, kept
    for the transaction's later calls."""
    wanted_ = [(e, e.get("data") or {}) for e in envelopes
               if wanted(e["source"], e["type"], e.get("data") or {})]
    ids = [uuid.UUID(str(e["event_id"])) for e, _ in wanted_]
    recorded = set(session.execute(select(AuditEntry.event_id)
                                   .where(AuditEntry.event_id.in_(ids))).scalars()) \
        if ids else set()
    actors = {_actor(e, data)["account_id"] for e, data in wanted_} - {None}
    accounts = {account.id: account for account in session.execute(
        select(Account).where(Account.id.in_(actors))).scalars()} if actors else {}
    session.info["audit_prepared"] = recorded, accounts
    return recorded, accounts


def record_event(session, envelope):
    """Append the entry of one event, once: an event already recorded (its id in the
    log) is skipped. Answers the entry, or None."""
    data = envelope.get("data") or {}
    key = (envelope["source"], envelope["type"])
    if not wanted(*key, data):
        return None
    event_id = uuid.UUID(str(envelope["event_id"]))
    recorded, accounts = session.info.get("audit_prepared") or prepare(session, [envelope])
    if event_id in recorded:
        return None
    action, label = AUDITED[key]
    actor = _actor(envelope, data)
    account = accounts.get(actor["account_id"])
    if account is not None:  # the role and unit as identity knows them
        actor["role"] = account.role
        actor["unit_id"] = actor.get("unit_id") or account.unit_id
        actor["name"] = actor.get("name") or account.name
    action, label, summary, unit_id, detail = _describe(action, label, envelope, data)
    target_type, target_id = _subject(envelope.get("subject"))
    if target_type == "process" and data.get("subject_type"):
        target_type, target_id = data["subject_type"], str(data.get("subject_id"))
    detail = {"source": envelope["source"], "event_type": envelope["type"],
              **{k: v for k, v in (detail or {}).items() if v is not None}}
    return audit.record(
        session, action, summary, actor=actor, target_type=target_type,
        target_id=target_id, unit_id=unit_id, detail=detail, event_id=event_id,
        at=dt.datetime.fromisoformat(envelope["occurred_at"]))


audit.ACTION_LABELS.update(LABELS)
