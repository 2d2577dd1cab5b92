"""The audit log's hash chain: each entry stores the hash of the entry before it and a
hash over its own content (that previous hash included), so that an edited entry, a
removed one or one slipped in outside the chain shows when the chain is checked.

Entries are chained as the last step of the transaction that appends them (like the
outbox's feed positions): under an advisory lock held until the commit, the entries take
the next chain positions (``seq``) after the last committed one. The lock is held only
between that step and the commit, so appends serialise briefly and the chain follows
commit order with no gaps.

The hash format (``entry_hash_v1``) is part of the stored data: migration 0006 chained the
entries written before it with it. Never change it; a new format gets a new function
and a version in the entries.
"""
import datetime as dt
import hashlib
import json

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

GENESIS = "0" * 64
LOCK_NAME = "audit_chain:identity.audit_log"
HASHED = ("seq", "prev_hash", "at", "action", "outcome", "actor_account_id", "actor_name",
          "actor_role", "actor_unit_id", "target_type", "target_id", "unit_id", "ip",
          "summary", "detail", "event_id")


def _at(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def entry_hash_v1(values):
    """SHA-256 (hex) of an entry's content: ``values`` maps every name of ``HASHED`` to
    the entry's value (a row, an object or a dict are all read through ``getattr``/
    ``[]``). Canonical JSON: sorted keys, no spaces, UTF-8."""
    get = values.get if hasattr(values, "keys") else lambda name: getattr(values, name)
    content = {name: get(name) for name in HASHED}
    content["at"] = _at(content["at"])
    if content["event_id"] is not None:
        content["event_id"] = str(content["event_id"])
    text_ = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def pending(session):
    return session.info.setdefault("audit_pending", [])


@event.listens_for(Session, "before_commit")
def chain_entries(session):
    """The last step of a transaction that appended audit entries: take the chain lock
    (held until the commit ends), give the entries the next positions and hashes, and
    insert them."""
    entries = session.info.pop("audit_pending", None)
    if not entries:
        return
    from ..models import AuditEntry  # the models import this module's users

    session.flush()
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(LOCK_NAME))))
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                           .where(AuditEntry.seq.is_not(None))
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.hash = prev = entry_hash_v1(entry)
        session.add(entry)
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget_entries(session):
    session.info.pop("audit_pending", None)


def verify(session, batch=1000, kept=None):
    """Check the whole chain, in order: every position from 1 to the last present once,
    each entry's ``prev_hash`` the hash of the one before, each hash recomputed from the
    entry's content, and no entry outside the chain. Answers ``{ok, checked, head,
    problems}``; a problem is ``{kind, seq, id, message}`` with kind ``edited`` (content
    or hash changed), ``gap`` (positions missing: entries removed), ``relinked`` (the
    link to the previous entry does not match) or ``unchained`` (an entry without a
    position: written past the service). With ``kept``, a head an earlier check answered
    (``{seq, hash}``, kept elsewhere), also ``truncated`` (the chain now ends before it:
    the newest entries were removed) or ``kept_mismatch`` (the entry at that position is
    no longer the one kept)."""
    from ..models import AuditEntry

    problems = []
    checked = 0
    expected_seq, prev_hash = 1, GENESIS
    head = None
    query = (select(AuditEntry).where(AuditEntry.seq.is_not(None))
             .order_by(AuditEntry.seq).execution_options(yield_per=batch))
    for entry in session.execute(query).scalars():
        checked += 1
        if entry.seq != expected_seq:
            last_missing = entry.seq - 1
            missing = (f"第 {expected_seq} 条" if last_missing == expected_seq
                       else f"第 {expected_seq} 至 {last_missing} 条")
            problems.append({
                "kind": "gap", "seq": entry.seq, "id": entry.id,
                "message": f"{missing}缺失（日志被删除）" if entry.seq > expected_seq
                else f"第 {entry.seq} 条重复"})
        elif entry.prev_hash != prev_hash:
            problems.append({"kind": "relinked", "seq": entry.seq, "id": entry.id,
                             "message": f"第 {entry.seq} 条与上一条的链接不符"})
        if entry_hash_v1(entry) != entry.hash:
            problems.append({"kind": "edited", "seq": entry.seq, "id": entry.id,
                             "message": f"第 {entry.seq} 条的内容与其哈希不符（日志被修改）"})
        if kept and entry.seq == kept["seq"] and entry.hash != kept["hash"]:
            problems.append({"kind": "kept_mismatch", "seq": entry.seq, "id": entry.id,
                             "message": f"第 {entry.seq} 条与留存的链尾哈希不符（日志被改写）"})
        expected_seq, prev_hash = entry.seq + 1, entry.hash
        head = {"seq": entry.seq, "hash": entry.hash}
    if kept and (head is None or head["seq"] < kept["seq"]):
        problems.append({"kind": "truncated", "seq": kept["seq"], "id": None,
                         "message": f"日志止于第 {head['seq'] if head else 0} 条，短于留存的"
                                    f"第 {kept['seq']} 条（最新的日志被删除）"})
    unchained = session.execute(select(AuditEntry.id).where(AuditEntry.seq.is_(None))
                                .order_by(AuditEntry.id).limit(100)).scalars().all()
    for entry_id in unchained:
        problems.append({"kind": "unchained", "seq": None, "id": entry_id,
                         "message": f"编号 {entry_id} 的日志不在哈希链中（绕过服务写入）"})
    return {"ok": not problems, "checked": checked, "head": head, "problems": problems}
