"""The life cycle, lists and statistics of achievement records, over a SQLAlchemy session.

No Nameko and no HTTP here: the service resolves the caller and talks to the other
services (identity for the binding, documents for the evidence) and passes plain values
in. Every change bumps ``Record.version`` and writes a ``RecordAction``.
"""
import datetime as dt
import logging

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.common.errors import Conflict, Invalid, NotFound
from services.common.messaging import emit
from services.common.schemas import dump
from services.common.time import iso, utcnow
from services.contracts import achievements as contract

from .. import catalogue
from ..models import ChildRow, Record, RecordAction, RecordLock, Withdrawal
from . import bulk, duplicates
from . import children as ch
from . import status as st
from .fields import clean_record
from .search import like_terms, search_text, title_of

log = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8))
SERVICE = contract.SUBJECT_SERVICE
KIND = contract.REVIEW_KIND
SUBJECT_TYPE = contract.SUBJECT_TYPE


def today():
    """The date in China, where the platform's users are."""
    return dt.datetime.now(CHINA).date()


# --------------------------------------------------------------------------- catalogue

def record_type(code):
    """The catalogue entry of ``code``; 422 naming the field when there is none."""
    try:
        return catalogue.get_type(code)
    except NotFound as exc:
        raise Invalid("record.type_unknown", exc.message or "业绩类别不存在",
                      {"fields": {"type": "业绩类别不存在"}}) from exc


def category_labels():
    return {code: label for code, label, _types in catalogue.CATEGORIES}


def type_label(code):
    rtype = catalogue.TYPES.get(code)
    return rtype.label if rtype else code


def has_unit_field(rtype):
    return any(f.kind == "unit" for f in rtype.fields)


# --------------------------------------------------------------------------- validation

def clean(rtype, values, evidence_file_ids, *, bound_unit_name=None, partial):
    """The cleaned field values; with ``partial=False`` (submission) the evidence is
    required too when the type requires it. Every problem is reported at once."""
    problems = {}
    cleaned = None
    try:
        cleaned = clean_record(rtype, values or {}, today=today(),
                               bound_unit_name=bound_unit_name, partial=partial)
    except Invalid as exc:
        problems.update((exc.details or {}).get("fields") or {"_record": exc.message})
    if not partial and rtype.evidence_required and not evidence_file_ids:
        problems["evidence_file_ids"] = "请上传佐证材料"
    if problems:
        raise Invalid("record.invalid", "业绩信息填写有误", {"fields": problems})
    return cleaned


# --------------------------------------------------------------------------- reading

MAX_ID = 2**63 - 1  # PostgreSQL bigint


def valid_id(value):
    """Whether ``value`` can be a row id (a bigint); others are simply not found."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def get_record(session, record_id, *, for_update=False):
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise NotFound("record.not_found", "业绩记录不存在") from None
    if not valid_id(record_id):
        raise NotFound("record.not_found", "业绩记录不存在")
    query = select(Record).where(Record.id == record_id)
    if for_update:
        query = query.with_for_update()
    record = session.execute(query).scalar_one_or_none()
    if record is None:
        raise NotFound("record.not_found", "业绩记录不存在")
    return record


def get_owned(session, record_id, person_id, *, for_update=False):
    """The person's own record; 404 for anyone else's (its existence is not revealed)."""
    record = get_record(session, record_id, for_update=for_update)
    if person_id is None or record.person_id != person_id:
        raise NotFound("record.not_found", "业绩记录不存在")
    return record


def visible_to_unit(record, unit_id):
    """A unit admin sees the records submitted to their unit (not drafts)."""
    return (unit_id is not None and record.unit_id == unit_id
            and record.status != st.DRAFT)


def actions_of(session, record_id):
    rows = session.execute(
        select(RecordAction).where(RecordAction.record_id == record_id)
        .order_by(RecordAction.id)
    ).scalars()
    return [
        {
            "action": a.action,
            "action_label": st.ACTION_LABELS.get(a.action, a.action),
            "status_from": a.status_from,
            "status_to": a.status_to,
            "status_label": st.label(a.status_to) if a.status_to else None,
            "opinion": a.opinion,
            "note": a.note,
            "account_id": a.account_id,
            "actor_name": a.actor_name,
            "unit_id": a.unit_id,
            "process_id": a.process_id,
            "at": iso(a.at),
        }
        for a in rows
    ]


# --------------------------------------------------------------------------- output

def item(record, rtype=None):
    """A list row: the type's list columns, status, 来源, times and what may be done."""
    rtype = rtype or catalogue.TYPES.get(record.type_code)
    values = record.fields or {}
    columns = {key: values.get(key) for key in (rtype.list_columns if rtype else ())}
    health_only = bool(rtype and rtype.health_only)
    kind = rtype.children if rtype else None
    return {
        "id": record.id,
        "type": record.type_code,
        "type_label": rtype.label if rtype else record.type_code,
        "category": record.category,
        "category_label": category_labels().get(record.category, record.category),
        "title": record.title,
        "columns": columns,
        "status": record.status,
        "status_label": st.label(record.status),
        "source": record.source,
        "source_label": st.SOURCE_LABELS.get(record.source, record.source),
        "case_count": record.child_count if kind == "cases" else None,
        "reference_count": record.child_count if kind == "references" else None,
        "person_id": record.person_id,
        "person_name": record.person_name,
        "unit_id": record.unit_id,
        "unit_name": record.unit_name,
        "opinion": record.opinion,
        "locked": record.lock_count > 0,
        "lock_count": record.lock_count,
        "actions": st.allowed_actions(record.status, lock_count=record.lock_count,
                                      health_only=health_only, source=record.source,
                                      type_code=record.type_code),
        # 撤销审核 by the unit the record was approved by
        "revocable": (record.status == st.APPROVED and record.source != st.AUTO
                      and record.lock_count == 0 and record.unit_id is not None),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "submitted_at": iso(record.submitted_at),
        "decided_at": iso(record.decided_at),
    }


def detail(session, record):
    """The 查看 view: every field with its label, the evidence and the local trail."""
    rtype = catalogue.TYPES.get(record.type_code)
    values = record.fields or {}
    out = item(record, rtype)
    out["fields"] = dict(values)
    out["display"] = [
        {"key": f.key, "label": f.label, "kind": f.kind, "unit": f.unit,
         "value": values.get(f.key)}
        for f in (rtype.fields if rtype else ())
    ]
    out["evidence_file_ids"] = list(record.evidence_file_ids or [])
    out["evidence_required"] = bool(rtype and rtype.evidence_required)
    out["children"] = rtype.children if rtype else None
    out["rows"], out["rows_summary"], out["rows_problem"] = [], None, None
    if rtype is not None and rtype.children:
        rows = ch.rows_of(session, record.id)
        out["rows"] = [ch.row_dict(r) for r in rows]
        out["rows_label"] = catalogue.CHILDREN[rtype.children].label
        out["rows_rule"] = ch.rule_json(rtype)
        out["rows_summary"] = ch.metrics(rtype, ch.plain(rows), today())
        out["rows_problem"] = ch.rule_problem(rtype, values, ch.plain(rows), today())
    out["trail"] = actions_of(session, record.id)
    return out


# --------------------------------------------------------------------------- changes

def log_action(session, record, action, **kw):
    """A trail entry (see :class:`RecordAction`)."""
    _action(session, record, action, **kw)


def _action(session, record, action, *, status_from=None, actor=None, opinion=None,
            note=None, unit_id=None, event_id=None, process_id=None, at=None):
    actor = actor or {}
    session.add(RecordAction(
        record_id=record.id if isinstance(record, Record) else record,
        action=action,
        status_from=status_from,
        status_to=record.status if isinstance(record, Record) else None,
        opinion=opinion, note=note,
        account_id=actor.get("account_id"), actor_name=(actor.get("name") or None),
        unit_id=unit_id, event_id=event_id, process_id=process_id,
        at=at or utcnow(),
    ))


def _apply_values(record, rtype, values):
    record.fields = values
    record.title = title_of(rtype, values)
    record.search_text = search_text(rtype, values)
    record.duplicate_key = duplicates.key_of(rtype.code, values)


def next_record_id(session):
    """Reserve a record id before the record exists (evidence is attached to it first)."""
    return session.execute(
        select(func.nextval(func.pg_get_serial_sequence(Record.__table__.fullname, "id")))
    ).scalar_one()


def create(session, *, rtype, person_id, person_name, values, evidence_file_ids, actor,
           record_id=None, source=st.USER):
    """A new draft (编辑中)."""
    now = utcnow()
    record = Record(
        type_code=rtype.code, category=rtype.category, person_id=person_id,
        person_name=person_name or "", status=st.DRAFT, source=source,
        evidence_file_ids=list(evidence_file_ids or []), lock_count=0, child_count=0,
        version=1, created_at=now, updated_at=now,
    )
    if record_id is not None:
        record.id = record_id
    _apply_values(record, rtype, values)
    session.add(record)
    session.flush()
    _action(session, record, "created", actor=actor, at=now)
    return record


def update_values(session, record, *, rtype, values, evidence_file_ids, person_name, actor):
    st.require_editable(record.status)
    _apply_values(record, rtype, values)
    if evidence_file_ids is not None:
        record.evidence_file_ids = list(evidence_file_ids)
    if person_name:
        record.person_name = person_name
    record.version += 1
    record.updated_at = utcnow()
    _action(session, record, "saved", status_from=record.status, actor=actor)
    return record


def remove(session, record):
    st.require_deletable(record.status)
    session.delete(record)


def review_title(rtype, record):
    return f"{rtype.label}·{record.title}" if record.title else rtype.label


def submit(session, record, *, rtype, values, unit_id, unit_name, person_name, actor,
           expected_version=None):
    """审核中: stores the fully validated values, remembers the reviewing unit and asks
    workflow for a review in the same transaction."""
    if expected_version is not None and record.version != expected_version:
        raise Conflict("record.changed", "记录已被修改，请刷新后重新提交")
    st.require_submittable(record.status)
    previous = record.status
    now = utcnow()
    _apply_values(record, rtype, values)
    if person_name:
        record.person_name = person_name
    _start_review(session, record, rtype=rtype, unit_id=unit_id, unit_name=unit_name,
                  now=now)
    _action(session, record, "submitted", status_from=previous, actor=actor,
            unit_id=unit_id, at=now)
    _request_review(session, record, rtype, now=now)
    return record


def _start_review(session, record, *, rtype, unit_id, unit_name, now):
    record.status = st.SUBMITTED
    record.unit_id = unit_id
    record.unit_name = unit_name
    record.opinion = None
    record.submitted_at = now
    record.decided_at = None
    record.version += 1
    record.updated_at = now
    session.flush()


def _request_review(session, record, rtype, *, now, note=None):
    """``review_requested`` for the record's unit (the lead's review-engine contract)."""
    unit_id, unit_name = record.unit_id, record.unit_name
    summary_extra = {}
    if rtype.children:
        summary_extra[f"{'case' if rtype.children == 'cases' else 'reference'}_count"] = \
            record.child_count
    if note:
        summary_extra["note"] = note
        summary_extra["revoked"] = True
    data = dump(contract.ReviewRequestedSchema, {
        "kind": KIND,
        "subject_service": SERVICE,
        "subject_type": SUBJECT_TYPE,
        "subject_id": record.id,
        "title": review_title(rtype, record),
        "applicant_person_id": record.person_id,
        "applicant_name": record.person_name,
        "applicant_unit_id": unit_id,
        "chain": [{"unit_id": unit_id, "unit_name": unit_name}],
        "revoked": bool(note),
        "summary": {
            "record_id": record.id,
            "type": rtype.code,
            "type_label": rtype.label,
            "category": rtype.category,
            "category_label": category_labels().get(rtype.category, rtype.category),
            "title": record.title,
            "columns": _labelled_columns(rtype, record.fields),
            "source": record.source,
            "source_label": st.SOURCE_LABELS.get(record.source, record.source),
            "submitted_at": iso(now),
            **summary_extra,
        },
    })
    emit(session, "review_requested", f"record:{record.id}", data)


def _labelled_columns(rtype, values):
    """The type's list columns in their order, with labels, for the task center."""
    labels = {f.key: f.label for f in rtype.fields}
    return [{"key": key, "label": labels.get(key, key), "value": (values or {}).get(key)}
            for key in rtype.list_columns]


def withdraw(session, record, *, rtype, reason, actor):
    """撤回: back to draft, logged in 撤回记录; an undecided review is withdrawn."""
    st.require_withdrawable(record.status, lock_count=record.lock_count,
                            health_only=rtype.health_only, source=record.source)
    previous = record.status
    now = utcnow()
    record.status = st.DRAFT
    record.version += 1
    record.updated_at = now
    session.add(Withdrawal(
        record_id=record.id, person_id=record.person_id, type_code=record.type_code,
        title=record.title, previous_status=previous, handling=st.HANDLING_WITHDRAWN,
        reason=reason or None, unit_id=record.unit_id, requested_at=now,
    ))
    _action(session, record, "withdrawn", status_from=previous, actor=actor, note=reason,
            at=now)
    if previous == st.SUBMITTED:
        emit(session, "review_withdrawn", f"record:{record.id}",
             dump(contract.ReviewWithdrawnSchema, {
                 "kind": KIND,
                 "subject_service": SERVICE,
                 "subject_type": SUBJECT_TYPE,
                 "subject_id": record.id,
             }))
    return record


def revoke(session, record, *, rtype, reason, actor):
    """撤销审核: the unit takes back its approval; the record is 审核中 again at the same
    unit with a new review (its task in the unit's 待处理/待领取, to be returned)."""
    st.require_revocable(record.status, lock_count=record.lock_count, source=record.source)
    previous = record.status
    now = utcnow()
    _start_review(session, record, rtype=rtype, unit_id=record.unit_id,
                  unit_name=record.unit_name, now=now)
    note = "单位撤销审核，重新审核" + (f"：{reason}" if reason else "")
    _action(session, record, "revoked", status_from=previous, actor=actor, note=note,
            unit_id=record.unit_id, at=now)
    _request_review(session, record, rtype, now=now, note=note)
    return record


# --------------------------------------------------------------------------- bulk and auto

def create_drafts(session, *, rtype, person_id, person_name, values_list, actor, note):
    """Many drafts at once (Excel import of 卫生-病案), written with COPY with their trail
    entries; answers the new records' ids."""
    now = utcnow()
    ids = bulk.reserve_ids(session, Record.__table__, len(values_list))
    bulk.copy_rows(session, Record.__table__, (
        "id", "type_code", "category", "person_id", "person_name", "status", "source",
        "fields", "title", "search_text", "evidence_file_ids", "lock_count", "child_count",
        "version", "created_at", "updated_at", "duplicate_key"), (
        (record_id, rtype.code, rtype.category, person_id, person_name or "", st.DRAFT,
         st.USER, values, title_of(rtype, values), search_text(rtype, values), [], 0, 0, 1,
         now, now, duplicates.key_of(rtype.code, values))
        for record_id, values in zip(ids, values_list, strict=False)))
    bulk.copy_rows(session, RecordAction.__table__, (
        "record_id", "action", "status_to", "note", "account_id", "actor_name", "at"), (
        (record_id, "created", st.DRAFT, note, (actor or {}).get("account_id"),
         (actor or {}).get("name") or None, now)
        for record_id in ids))
    return ids


def create_auto(session, *, rtype, person_id, person_name, values, unit_id, unit_name,
                actor, note):
    """A record the system generated (来源 自动生成): approved at once, no unit review."""
    now = utcnow()
    record = Record(
        type_code=rtype.code, category=rtype.category, person_id=person_id,
        person_name=person_name or "", status=st.APPROVED, source=st.AUTO,
        evidence_file_ids=[], unit_id=unit_id, unit_name=unit_name, lock_count=0,
        child_count=0, version=1, created_at=now, updated_at=now, decided_at=now,
    )
    _apply_values(record, rtype, values)
    session.add(record)
    session.flush()
    _action(session, record, "extracted", actor=actor, note=note, at=now)
    return record


def touch(record):
    record.version += 1
    record.updated_at = utcnow()


def rows_changed(session, record, rtype, mode, before, after, *, actor, note):
    """After the rows of a record changed: the count and version; an adjustment (调整)
    of an approved record must keep what the rule needs and goes into the trail."""
    if mode == ch.ADJUST:
        ch.guard_adjustment(rtype, record.fields, before, after, today())
    ch.recount(session, record)
    touch(record)
    if mode == ch.ADJUST:
        _action(session, record, "adjusted", status_from=record.status, actor=actor,
                note=note)


def files_of(session, record):
    """The files a record holds: its evidence and its rows' files {row_id: file_id}."""
    row_files = dict(session.execute(
        select(ChildRow.id, ChildRow.file_id)
        .where(ChildRow.record_id == record.id, ChildRow.file_id.is_not(None))).all())
    return list(record.evidence_file_ids or []), row_files


# --------------------------------------------------------------------------- decisions

def _parse_time(value):
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _for_records(data):
    """Whether a ``review_decided`` is about a record (its data)."""
    return (data.get("subject_service"), data.get("kind"),
            data.get("subject_type", SUBJECT_TYPE)) == (SERVICE, KIND, SUBJECT_TYPE)


def _decided_record_id(data):
    if not _for_records(data):
        return None
    try:
        return int(data.get("subject_id"))
    except (TypeError, ValueError):
        return None


def lock_decided(session, envelopes):
    """Row-lock, in one statement (ascending id), the records ``review_decided`` events
    are about, for :func:`apply_decision` to take without a statement each."""
    ids = sorted({i for i in (_decided_record_id(e.get("data") or {}) for e in envelopes)
                  if i is not None})
    if ids:
        rows = session.execute(select(Record).where(Record.id.in_(ids)).order_by(Record.id)
                               .with_for_update()).scalars().all()
        session.info.setdefault("decided_records", {}).update((r.id, r) for r in rows)


def apply_decision(session, envelope):
    """Apply a ``review_decided`` of workflow to the record it is about.

    Returns the record's new status, or None when the decision is not for a record or
    could not be applied (kept in the trail as ``decision_ignored``).
    """
    data = envelope.get("data") or {}
    if not _for_records(data):
        return None
    record_id = _decided_record_id(data)
    if record_id is None:
        log.warning("review_decided %s names no record id", envelope.get("event_id"))
        return None
    locked = session.info.get("decided_records", {})
    record = locked[record_id] if record_id in locked else session.execute(
        select(Record).where(Record.id == record_id).with_for_update()
    ).scalar_one_or_none()
    decided_by = data.get("decided_by") or {}
    actor = {"account_id": decided_by.get("account_id"), "name": decided_by.get("name")}
    common = dict(actor=actor, opinion=data.get("opinion") or None,
                  unit_id=data.get("unit_id"), event_id=str(envelope.get("event_id")),
                  process_id=data.get("process_id"))

    def ignore(note):
        log.info("review_decided %s for record %s not applied: %s",
                 envelope.get("event_id"), record_id, note)
        _action(session, record if record is not None else record_id, "decision_ignored",
                status_from=record.status if record is not None else None, note=note,
                **common)
        return None

    if record is None:
        return ignore("记录已删除，审核结果未生效")
    outcome = data.get("outcome")
    new_status = st.OUTCOME_STATUS.get(outcome)
    if not data.get("final", True) or new_status is None:
        return ignore(f"审核结果“{outcome}”不适用于业绩记录")
    if record.status != st.SUBMITTED:
        return ignore(f"记录当前状态为“{st.label(record.status)}”，审核结果未生效")
    decided_at = _parse_time(data.get("decided_at")) or utcnow()
    if record.submitted_at is not None and decided_at < record.submitted_at:
        return ignore("审核结果早于本次提交，未生效")
    previous = record.status
    record.status = new_status
    record.opinion = data.get("opinion") or None
    record.decided_at = decided_at
    record.version += 1
    record.updated_at = utcnow()
    _action(session, record, new_status, status_from=previous, at=decided_at, **common)
    return new_status


# --------------------------------------------------------------------------- locks

def lock(session, record_ids, declaration_id, person_id):
    """Lock approved records of ``person_id`` for a declaration; all or nothing.
    Idempotent per (record, declaration). Returns the records, in the order given."""
    ids = list(dict.fromkeys(int(i) for i in record_ids))
    records = session.execute(
        select(Record).where(Record.id.in_(ids)).order_by(Record.id).with_for_update()
    ).scalars().all()
    by_id = {r.id: r for r in records}
    missing = [i for i in ids if i not in by_id or by_id[i].person_id != person_id]
    if missing:
        raise NotFound("record.not_found", "业绩记录不存在",
                       {"record_ids": missing})
    not_approved = [i for i in ids if by_id[i].status != st.APPROVED]
    if not_approved:
        raise Conflict("record.not_approved", "只能导入审核通过的业绩",
                       {"record_ids": not_approved})
    session.execute(
        insert(RecordLock).values([
            {"record_id": i, "declaration_id": declaration_id, "locked_at": utcnow()}
            for i in ids
        ]).on_conflict_do_nothing()
    )
    _recount_locks(session, ids)
    return [by_id[i] for i in ids]


def unlock(session, declaration_id, record_ids=None, person_id=None):
    """Release a declaration's locks (of the given records, or all of them; only of the
    records of ``person_id`` when given). Idempotent: answers the records released."""
    query = delete(RecordLock).where(RecordLock.declaration_id == declaration_id)
    if record_ids is not None:
        query = query.where(RecordLock.record_id.in_([int(i) for i in record_ids]))
    if person_id is not None:
        query = query.where(RecordLock.record_id.in_(
            select(Record.id).where(Record.person_id == person_id)))
    released = session.execute(query.returning(RecordLock.record_id)).scalars().all()
    released = sorted(set(released))
    if released:
        # lock the rows in id order, as lock() does, then recount
        session.execute(select(Record.id).where(Record.id.in_(released))
                        .order_by(Record.id).with_for_update())
        _recount_locks(session, released)
    return released


def _recount_locks(session, ids):
    count = (select(func.count()).select_from(RecordLock)
             .where(RecordLock.record_id == Record.id).scalar_subquery())
    session.execute(update(Record).where(Record.id.in_(ids)).values(lock_count=count)
                    .execution_options(synchronize_session="fetch"))


# --------------------------------------------------------------------------- lists

def _filters(*, person_id=None, unit_id=None, type_code=None, category=None, q=None,
             person=None):
    conditions = []
    if person_id is not None:
        conditions.append(Record.person_id == person_id)
    if unit_id is not None:
        conditions.append(Record.unit_id == unit_id)
        conditions.append(Record.status != st.DRAFT)
    if type_code:
        conditions.append(Record.type_code == type_code)
    if category:
        conditions.append(Record.category == category)
    for pattern in like_terms(q):
        if unit_id is not None:  # the unit's search box also finds 申报人
            conditions.append(or_(Record.search_text.ilike(pattern),
                                  Record.person_name.ilike(pattern)))
        else:
            conditions.append(Record.search_text.ilike(pattern))
    for pattern in like_terms(person):
        conditions.append(Record.person_name.ilike(pattern))
    return conditions


def status_counts(session, conditions, keys=st.COUNT_KEYS):
    return _tally(session.execute(
        select(Record.status, func.count()).where(and_(True, *conditions))
        .group_by(Record.status)
    ).all(), keys)


def _tally(by_status, keys):
    counts = {key: 0 for key in keys}
    for status_, n in by_status:
        if status_ in counts:
            counts[status_] = n
        counts["all"] += n
    return counts


def page(session, *, status=None, page=1, page_size=20, with_duplicates=False, **filters):
    """{items, total, counts}: counts are the tabs for the same filter without status.
    One statement: every row of the page carries the counts (PostgreSQL computes them
    once); only an empty page asks for them on their own. The page's ids are picked
    first and only their rows read: for a unit's list from its index alone
    (``ix_records_unit_status_type`` ends with the id), where ordering whole rows read
    every record of the unit from the table. ``with_duplicates``: each item's
    ``duplicate_count`` (other persons claiming it; None for none) in the same statement."""
    conditions = _filters(**filters)
    keys = st.COUNT_KEYS if filters.get("unit_id") is None else \
        tuple(k for k in st.COUNT_KEYS if k != st.DRAFT)
    listed = list(conditions)
    if status and status != "all":
        listed.append(Record.status == status)
    tally = (select(Record.status, func.count().label("n")).where(and_(True, *conditions))
             .group_by(Record.status).subquery("tally"))
    counted = select(func.jsonb_object_agg(tally.c.status, tally.c.n)).scalar_subquery()
    picked = (select(Record.id).where(and_(True, *listed)).order_by(Record.id.desc())
              .offset((page - 1) * page_size).limit(page_size).subquery("picked"))
    rows = session.execute(
        select(Record, counted, *([duplicates.count_of(Record)] if with_duplicates else []))
        .join(picked, picked.c.id == Record.id)
        .order_by(Record.id.desc())
    ).all()
    if rows:
        counts = _tally((rows[0][1] or {}).items(), keys)
    else:
        counts = status_counts(session, conditions, keys)
    total = counts["all"] if not status or status == "all" else counts.get(status, 0)
    items = [item(row[0]) for row in rows]
    if with_duplicates:
        for entry, row in zip(items, rows, strict=True):
            entry["duplicate_count"] = row[2] or None
    return {"items": items, "total": total, "counts": counts, "page": page,
            "page_size": page_size}


# --------------------------------------------------------------------------- statistics

def statistics(session, *, person_id=None, unit_id=None):
    """我的业绩 (or a unit's 业绩档案 menu): counts per status overall and per category
    (the ring chart), and total/approved per type (工作经历(5/3))."""
    conditions = _filters(person_id=person_id, unit_id=unit_id)
    rows = session.execute(
        select(Record.category, Record.type_code, Record.status, func.count())
        .where(and_(True, *conditions))
        .group_by(Record.category, Record.type_code, Record.status)
    ).all()

    def zero():
        return {key: 0 for key in st.COUNT_KEYS}

    overall = zero()
    per_category = {code: zero() for code, _label, _types in catalogue.CATEGORIES}
    per_type = {code: {"total": 0, "approved": 0} for code in catalogue.TYPES}
    for category, type_code, status_, n in rows:
        for bucket in (overall, per_category.setdefault(category, zero())):
            bucket["all"] += n
            bucket[status_] = bucket.get(status_, 0) + n
        counts = per_type.setdefault(type_code, {"total": 0, "approved": 0})
        counts["total"] += n
        if status_ == st.APPROVED:
            counts["approved"] += n
    labels = category_labels()
    categories = [
        {"code": code, "label": labels.get(code, code), "counts": per_category[code]}
        for code in per_category
    ]
    types = []
    for code, counts in per_type.items():
        rtype = catalogue.TYPES.get(code)
        types.append({
            "code": code,
            "label": rtype.label if rtype else code,
            "category": rtype.category if rtype else None,
            "health_only": bool(rtype and rtype.health_only),
            "total": counts["total"],
            "approved": counts["approved"],
        })
    return {"counts": overall, "labels": dict(st.COUNT_LABELS), "categories": categories,
            "types": types}


# --------------------------------------------------------------------------- withdrawals

def withdrawals_page(session, *, person_id, q=None, type_code=None, category=None,
                     status=None, page=1, page_size=20):
    """撤回记录 of a person, newest first; ``status`` filters on the record's status now."""
    current = (select(Record.status).where(Record.id == Withdrawal.record_id)
               .correlate(Withdrawal).scalar_subquery())
    conditions = [Withdrawal.person_id == person_id]
    for pattern in like_terms(q):
        conditions.append(Withdrawal.title.ilike(pattern))
    if type_code:
        conditions.append(Withdrawal.type_code == type_code)
    if category:
        codes = next((types for code, _l, types in catalogue.CATEGORIES if code == category),
                     ())
        conditions.append(Withdrawal.type_code.in_(list(codes)))
    if status == "deleted":
        conditions.append(current.is_(None))
    elif status:
        conditions.append(current == status)
    total = session.execute(
        select(func.count()).select_from(Withdrawal).where(and_(*conditions))
    ).scalar_one()
    rows = session.execute(
        select(Withdrawal, current.label("record_status")).where(and_(*conditions))
        .order_by(Withdrawal.requested_at.desc(), Withdrawal.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    items = []
    for w, record_status in rows:
        rtype = catalogue.TYPES.get(w.type_code)
        items.append({
            "id": w.id,
            "record_id": w.record_id,
            "type": w.type_code,
            "type_label": rtype.label if rtype else w.type_code,
            "category": rtype.category if rtype else None,
            "title": w.title,
            "requested_at": iso(w.requested_at),
            "previous_status": w.previous_status,
            "previous_status_label": st.label(w.previous_status),
            "handling": w.handling,
            "handling_label": st.HANDLING_LABELS.get(w.handling, w.handling),
            "status": record_status or "deleted",
            "status_label": st.label(record_status) if record_status else "已删除",
            "reason": w.reason,
        })
    return {"items": items, "total": total, "page": page, "page_size": page_size}
