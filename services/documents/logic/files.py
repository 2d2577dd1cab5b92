"""Files: upload tickets, completion checks, access, attachments, purge, generated files.

Plain functions over a SQLAlchemy ``session`` (the entrypoints in ``files_rpc.py`` open
the transactions and do the object-storage I/O between them), the ``store``
(:class:`services.documents.storage.ObjectStore`, for presigning only: no request) and
the ``policy`` (:class:`services.documents.policy.Policy`). No Nameko, no HTTP.

The object store is never trusted: moto checks neither signatures nor expiry and a
presigned PUT cannot bound the size, so completion measures and reads the real object.
"""
import datetime as dt
import hashlib
import io
import logging
import uuid

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.common.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyRequests,
    Unauthenticated,
    UnsupportedType,
)
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.time import iso, utcnow

from ..models import (
    COMPLETED,
    PENDING,
    UPLOAD,
    AccessLog,
    Attachment,
    StoredFile,
)
from ..storage import MissingObject
from . import slots as slot_rules
from .sniff import (
    CONTENT_TYPE,
    IMAGE_KINDS,
    KIND_LABEL,
    KIND_OF_EXTENSION,
    check_file_name,
    content_disposition,
    content_kind,
    extension_of,
    pdf_active_content,
    pdf_is_complete,
    sniff,
)

log = logging.getLogger(__name__)

NOT_FOUND = ("file.not_found", "文件不存在或无权查看")


def megabytes(size):
    return f"{size / slot_rules.MB:.2f}MB"


# --------------------------------------------------------------------------- views

def file_dict(f, policy, attached=False):
    rule = policy.slots.get(f.slot)
    return {
        "id": f.id, "slot": f.slot, "slot_label": rule.label if rule else f.slot,
        "bundle": f.bundle, "file_name": f.original_name, "extension": f.extension,
        "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
        "status": f.status, "source": f.source, "attached": bool(attached),
        "owner_person_id": f.owner_person_id, "owner_unit_id": f.owner_unit_id,
        "created_at": iso(f.created_at), "completed_at": iso(f.completed_at),
    }


def _attached_ids(session, file_ids):
    if not file_ids:
        return set()
    rows = session.execute(select(Attachment.file_id).where(
        Attachment.file_id.in_(list(file_ids))).distinct())
    return set(rows.scalars())


def load_file(session, file_id):
    """The file row (detached, fully loaded) and whether it is attached; (None, False)."""
    f = session.get(StoredFile, file_id)
    if f is None:
        return None, False
    attached = bool(_attached_ids(session, [file_id]))
    session.expunge(f)
    return f, attached


# --------------------------------------------------------------------------- who may

def require_principal(principal):
    if principal is None:
        raise Unauthenticated()
    return principal


def check_uploader(rule, principal):
    """Whether ``principal`` may put files into the slot ``rule``."""
    require_principal(principal)
    if rule.uploader == slot_rules.SYSTEM_ONLY:
        raise Forbidden("file.slot_system_only", "该位置的文件由系统生成，不能上传")
    if rule.uploader == slot_rules.PERSON_UPLOADS and not (
            principal.has(PERSON) and principal.person_id):
        raise Forbidden("file.slot_person_only", f"“{rule.label}”须由申报人本人上传")
    if rule.uploader == slot_rules.UNIT_UPLOADS and not (
            principal.has(UNIT_ADMIN) and principal.unit_id):
        raise Forbidden("file.slot_unit_only", f"“{rule.label}”须由单位管理员上传")
    if (rule.uploader == slot_rules.ANY_UPLOADS
            and not principal.has(PERSON, UNIT_ADMIN, OPERATOR)):
        raise Forbidden("file.slot_forbidden", "没有权限上传该材料")


def is_owner(f, principal):
    """The uploader, or another admin of the unit a unit file belongs to."""
    if f.owner_account_id == principal.account_id:
        return "owner"
    if (f.owner_unit_id is not None and principal.has(UNIT_ADMIN)
            and principal.unit_id == f.owner_unit_id):
        return "unit"
    return None


MIN_REASON_CHARS = 5  # a reason staff outside the review chain state to see personal content


def read_access(f, principal, can_unit_review, *, reason=None, for_download=False,
                can_read_attached=None):
    """On what ground ``principal`` may see ``f``: ``owner``/``unit``, ``reviewer`` (a unit
    the owner's material is before, asked of workflow; for a unit's file, such as a
    recommendation's material or a post quota's form, a unit workflow lets read what the
    file is attached to: ``can_read_attached()``), ``operator`` (operators; a download
    needs a stated reason of MIN_REASON_CHARS or more). Anyone else (auditors too):
    404, so that a stranger does not learn the file exists."""
    require_principal(principal)
    if f is None:
        raise NotFound(*NOT_FOUND)
    basis = is_owner(f, principal)
    if basis:
        return basis
    if f.status != COMPLETED:
        raise NotFound(*NOT_FOUND)
    if (principal.has(UNIT_ADMIN) and principal.unit_id and f.owner_person_id
            and can_unit_review(principal.unit_id, f.owner_person_id)):
        return "reviewer"
    if (principal.has(UNIT_ADMIN) and principal.unit_id and f.owner_unit_id is not None
            and can_read_attached is not None and can_read_attached()):
        return "reviewer"
    if principal.has(OPERATOR):
        # Staff outside the review chain: a stated reason, recorded in the audit log
        # (file_downloaded). The auditor reads audit records, not persons' files.
        if for_download and len((reason or "").strip()) < MIN_REASON_CHARS:
            raise Invalid("file.reason_required",
                          f"运维人员下载材料须说明查看原因（至少 {MIN_REASON_CHARS} 个字）",
                          {"fields": {"reason": [f"请填写查看原因，至少 {MIN_REASON_CHARS} 个字"]}})
        return "operator"
    raise NotFound(*NOT_FOUND)


# --------------------------------------------------------------------------- rules

def slot_rule(policy, slot):
    rule = policy.slots.get(slot)
    if rule is None:
        raise Invalid("file.slot_unknown", "上传位置不存在",
                      {"fields": {"slot": ["上传位置不存在"]}})
    return rule


def type_not_allowed(rule):
    return UnsupportedType("file.type_not_allowed",
                           f"只能上传{'/'.join(rule.extensions)}文件",
                           {"allowed": list(rule.extensions), "slot": rule.key})


def too_large(rule, size=None):
    actual = f"（当前文件{megabytes(size)}）" if size is not None else ""
    return TooLarge("file.too_large", f"文件大小不能超过{rule.size_text}{actual}",
                    {"max_bytes": rule.max_bytes, "size": size, "slot": rule.key})


def missing_file(f):
    """404 ``file.missing``: the stored object behind ``f`` has gone (lost by storage or
    removed by an operator)."""
    log.error("object %s of file %s is missing from storage", f.object_key, f.id)
    return NotFound("file.missing", f"文件“{f.original_name}”在存储中缺失，请重新上传",
                    {"file_id": f.id, "file_name": f.original_name})


def empty_file():
    return Invalid("file.empty", "不能上传空文件（0字节）", {"size": 0})


def too_many(rule, count):
    return Invalid("file.too_many", f"“{rule.label}”最多只能上传{rule.max_files}个文件",
                   {"max_files": rule.max_files, "count": count, "slot": rule.key})


def active_content(names):
    return UnsupportedType("file.active_content",
                           "PDF 文件含有脚本或嵌入内容，请另存为普通 PDF 后上传",
                           {"found": list(names)})


def type_mismatch(extension, kind):
    return UnsupportedType(
        "file.type_mismatch",
        f"文件内容与扩展名不符：扩展名为.{extension}，"
        f"实际内容为{KIND_LABEL.get(kind, KIND_LABEL[None])}",
        {"extension": extension, "detected": kind})


def _unattached_count(session, owner_account_id, slot, bundle, exclude_id=None):
    """The owner's completed files of the slot (and bundle) waiting to be used: not
    attached to anything and not released (a file replaced or removed from what used it,
    an import workbook already read, no longer holds a place)."""
    query = select(func.count()).select_from(StoredFile).where(
        StoredFile.owner_account_id == owner_account_id,
        StoredFile.slot == slot,
        StoredFile.status == COMPLETED,
        StoredFile.bundle.is_not_distinct_from(bundle),
        StoredFile.released_at.is_(None),
        ~select(Attachment.id).where(Attachment.file_id == StoredFile.id).exists(),
    )
    if exclude_id is not None:
        query = query.where(StoredFile.id != exclude_id)
    return session.execute(query).scalar_one()


def _pending_count(session, owner_account_id, slot, now):
    """Upload tickets of the owner in the slot still open (issued, not completed, link
    not expired): at most the slot's ``max_files`` at a time."""
    return session.execute(select(func.count()).select_from(StoredFile).where(
        StoredFile.owner_account_id == owner_account_id,
        StoredFile.slot == slot,
        StoredFile.status == PENDING,
        StoredFile.upload_expires_at > now,
    )).scalar_one()


def bundle_total(session, owner_account_id, bundle):
    return int(session.execute(select(func.coalesce(func.sum(StoredFile.size), 0)).where(
        StoredFile.owner_account_id == owner_account_id,
        StoredFile.bundle == bundle,
        StoredFile.status == COMPLETED,
    )).scalar_one())


def _lock_owner(session, owner_account_id):
    """Serialises the count and total checks of one owner's completions."""
    session.execute(select(func.pg_advisory_xact_lock(
        func.hashtext(f"documents:owner:{owner_account_id}"))))


def admission_error(session, policy, rule, owner_account_id, bundle, size):
    """Why one more completed file of ``size`` bytes does not fit, or None: the slot's
    count of files not yet used anywhere, and the bundle's (declaration's) total."""
    count = _unattached_count(session, owner_account_id, rule.key, bundle)
    if count >= rule.max_files:
        return too_many(rule, count + 1)
    if bundle is not None:
        total = bundle_total(session, owner_account_id, bundle)
        if total + size > policy.bundle_max_bytes:
            return TooLarge(
                "file.bundle_too_large",
                f"同一申报的所有材料合计不能超过{policy.bundle_text}"
                f"（已上传{megabytes(total)}，本文件{megabytes(size)}）",
                {"bundle": bundle, "total": total, "size": size,
                 "max_bytes": policy.bundle_max_bytes})
    return None


# --------------------------------------------------------------------------- uploads

def new_object_key(slot, now):
    return f"{slot}/{now:%Y/%m}/{uuid.uuid4().hex}"


def request_upload(session, store, policy, principal, *, slot, file_name, size=None,
                   bundle=None, now=None):
    """A pending file and a presigned PUT URL that expires in ``policy.upload_ttl``."""
    now = now or utcnow()
    rule = slot_rule(policy, slot)
    check_uploader(rule, principal)
    name = check_file_name(file_name)
    extension = extension_of(name)
    if not rule.allows(extension):
        raise type_not_allowed(rule)
    if size is not None:
        if size == 0:
            raise empty_file()
        if size > rule.max_bytes:
            raise too_large(rule, size)
    key = new_object_key(slot, now)
    expires_at = now + dt.timedelta(seconds=policy.upload_ttl)
    _lock_owner(session, principal.account_id)
    count = _unattached_count(session, principal.account_id, slot, bundle)
    if count >= rule.max_files:
        raise too_many(rule, count + 1)
    pending = _pending_count(session, principal.account_id, slot, now)
    if pending >= rule.max_files:
        raise TooManyRequests(
            "file.too_many_pending",
            f"“{rule.label}”已有{pending}个文件等待上传完成，请先完成上传或等待链接过期后再试",
            {"max_pending": rule.max_files, "pending": pending, "slot": rule.key})
    f = StoredFile(
        object_key=key, slot=slot, bundle=bundle, original_name=name,
        extension=extension, content_type=CONTENT_TYPE[extension], declared_size=size,
        status=PENDING, source=UPLOAD, owner_account_id=principal.account_id,
        owner_person_id=principal.person_id,
        owner_unit_id=principal.unit_id if rule.uploader == slot_rules.UNIT_UPLOADS else None,
        owner_name=(principal.name or "")[:100], created_at=now,
        upload_expires_at=expires_at,
    )
    session.add(f)
    session.flush()
    file_id = f.id
    return {
        "file_id": file_id, "slot": slot, "method": "POST",
        "expires_at": iso(expires_at), "max_bytes": rule.max_bytes,
        # The only way to upload: a form POST whose signed policy carries the key, the
        # content type and the slot's maximum length (content-length-range), so storage
        # itself refuses a larger body. No PUT URL is issued: it would bind no size.
        "form": store.presign_post(key, policy.upload_ttl, rule.max_bytes,
                                   CONTENT_TYPE[extension]),
    }


def discard_pending(session, file_id):
    """The row of a refused upload (its object is removed first by the caller; a row left
    behind is purged later)."""
    session.execute(delete(StoredFile).where(StoredFile.id == file_id,
                                             StoredFile.status == PENDING))


def remove_unreadable(session, file_id):
    """Remove the row of an uploaded import workbook that no template can read (a zip
    bomb, XML entity bombs, a broken archive), unless something uses the file. Returns
    its object key, to remove once this commits, or None when it stays."""
    f = session.get(StoredFile, file_id, with_for_update=True)
    if f is None or f.slot != slot_rules.IMPORT_SLOT or _attached_ids(session, [file_id]):
        return None
    key = f.object_key
    session.delete(f)
    log.info("file %s removed: the workbook cannot be read", file_id)
    return key


# --------------------------------------------------------------------------- completion

class Refused(Exception):
    """An upload refused for good: the caller removes its object and row, then raises
    ``error``."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def owned_upload(session, principal, file_id):
    """The caller's file to complete (detached) and whether it is attached; 404 when it
    is not theirs."""
    require_principal(principal)
    f, attached = load_file(session, file_id)
    if f is None or not is_owner(f, principal):
        raise NotFound(*NOT_FOUND)
    return f, attached


def check_upload(store, policy, f, now):
    """Measure the uploaded object of the pending file ``f``, copy it server-side to a
    fresh key no client ever received a URL for, and read that copy against the slot:
    ``(size, sha256, key)`` of exactly the bytes that passed, which are what downloads
    and printouts read from then on (a later PUT to the still-valid upload URL changes
    nothing). :class:`Refused` (the upload is discarded; the copy is removed here) or
    Conflict ``file.not_uploaded`` (nothing arrived yet, the link still holds)."""
    rule = slot_rule(policy, f.slot)
    info = store.stat(f.object_key)
    deadline = f.upload_expires_at + dt.timedelta(seconds=policy.clock_skew)
    if info is None:
        if now > deadline:
            raise Refused(Conflict("file.upload_expired", "上传链接已过期，请重新上传"))
        raise not_uploaded()
    if info.last_modified is not None and info.last_modified > deadline:
        # The URL had expired when the bytes arrived (a server that does not enforce
        # presigned expiry, like moto, would have accepted them).
        raise Refused(Conflict("file.upload_expired", "上传链接已过期，请重新上传"))
    if info.size == 0:
        raise Refused(empty_file())
    if info.size > rule.max_bytes:
        raise Refused(too_large(rule, info.size))
    if not rule.allows(f.extension):
        raise Refused(type_not_allowed(rule))
    key = new_object_key(f.slot, now)
    try:
        store.copy(f.object_key, key)
    except MissingObject:
        raise not_uploaded() from None
    try:
        size, sha256 = _check_copy(store, rule, f, key)
    except BaseException:
        store.remove(key)
        raise
    return size, sha256, key


def not_uploaded():
    return Conflict("file.not_uploaded", "文件尚未上传，请上传后再确认")


def _check_copy(store, rule, f, key):
    try:
        download = store.download(key, rule.max_bytes)
    except TooLarge:
        raise Refused(too_large(rule)) from None
    except MissingObject:
        raise not_uploaded() from None
    with download:
        kind = content_kind(download.file)
        size, sha256 = download.size, download.sha256
        complete = kind != "pdf" or pdf_is_complete(download.file)
        active = pdf_active_content(download.file) if kind == "pdf" else []
    if size == 0:
        raise Refused(empty_file())
    if kind != KIND_OF_EXTENSION[f.extension]:
        raise Refused(type_mismatch(f.extension, kind))
    if not complete:
        raise Refused(Invalid("file.corrupt", "文件已损坏或不完整（PDF缺少文件结尾），请重新上传",
                              {"detected": kind}))
    if active:
        raise Refused(active_content(active))
    return size, sha256


def admit_upload(session, policy, f, *, size, sha256, key, attached, now):
    """Complete the checked file when its slot's count and its bundle's total allow it
    (serialised per owner): its row names the checked copy ``key`` from now on;
    :class:`Refused` otherwise. Answers the file's view and whether this completion won
    (False when a concurrent one completed it first: ``key`` is then unused)."""
    rule = slot_rule(policy, f.slot)
    _lock_owner(session, f.owner_account_id)
    current = session.get(StoredFile, f.id, with_for_update=True)
    if current is None:
        raise NotFound(*NOT_FOUND)
    won = current.status != COMPLETED
    if won:
        error = admission_error(session, policy, rule, current.owner_account_id,
                                current.bundle, size)
        if error is not None:
            raise Refused(error)
        current.status = COMPLETED
        current.object_key = key
        current.size = size
        current.sha256 = sha256
        current.completed_at = now
        log.info("file %s completed: slot=%s size=%s sha256=%s", f.id, f.slot, size, sha256)
    return file_dict(current, policy, attached), won


# --------------------------------------------------------------------------- reading

def workflow_subjects(session, file_id):
    """What of the workflow service the file is attached to: [(subject_type, subject_id)]."""
    return [tuple(row) for row in session.execute(
        select(Attachment.subject_type, Attachment.subject_id).where(
            Attachment.file_id == file_id, Attachment.subject_service == "workflow")
        .order_by(Attachment.id)).all()]


def issue_link(session, store, policy, f, principal, basis, *, reason=None, now=None):
    """A presigned GET (at most five minutes) with the original name as attachment; the
    link is logged with its ground and reason (in ``session``)."""
    now = now or utcnow()
    if f.status != COMPLETED:
        raise Conflict("file.not_completed", "文件尚未完成上传，不能下载")
    ttl = policy.download_ttl
    url = store.presign_get(f.object_key, ttl, content_disposition(f.original_name),
                            f.content_type)
    reason = (reason or "").strip()[:500] or None
    session.add(AccessLog(file_id=f.id, account_id=principal.account_id, basis=basis,
                          reason=reason, at=now))
    log.info("download link for file %s issued to account %s as %s%s", f.id,
             principal.account_id, basis, f" (reason: {reason})" if reason else "")
    return {"url": url, "expires_at": iso(now + dt.timedelta(seconds=ttl)),
            "expires_in": ttl, "file_name": f.original_name}


def list_files(session, policy, principal, *, slot=None, bundle=None, status=None, page=1,
               page_size=20):
    """The caller's own files, newest first."""
    require_principal(principal)
    query = select(StoredFile).where(StoredFile.owner_account_id == principal.account_id)
    if slot:
        query = query.where(StoredFile.slot == slot)
    if bundle:
        query = query.where(StoredFile.bundle == bundle)
    if status:
        query = query.where(StoredFile.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    files = session.execute(query.order_by(StoredFile.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).scalars().all()
    attached = _attached_ids(session, [f.id for f in files])
    items = [file_dict(f, policy, f.id in attached) for f in files]
    return {"items": items, "total": total}


def delete_file(session, principal, file_id):
    """The owner removes a file that nothing uses yet: the row goes; answers the object
    key to remove once this commits."""
    require_principal(principal)
    f = session.get(StoredFile, file_id, with_for_update=True)
    if f is None or not is_owner(f, principal):
        raise NotFound(*NOT_FOUND)
    if _attached_ids(session, [file_id]):
        raise Conflict("file.attached", "文件已被引用，不能删除；请先在相应记录中移除")
    key = f.object_key
    session.delete(f)
    return key


# --------------------------------------------------------------------------- attachments

def slot_mismatch(policy, files, slots):
    """422 ``file.slot_mismatch``: files uploaded to another place than the subject
    takes (e.g. a paper's file offered as a work-history record's evidence)."""
    def place(key):
        rule = policy.slots.get(key)
        if rule is None:
            return f"“{key}”"
        return f"{rule.form}的“{rule.label}”" if rule.form else f"“{rule.label}”"

    wanted = "、".join(dict.fromkeys(place(key) for key in slots))
    names = "、".join(f"“{f.original_name}”（上传于{place(f.slot)}）" for f in files)
    message = (f"{names}不是此处的材料，只能使用{wanted}处上传的文件" if wanted
               else f"{names}不能用于此处：此处无需上传附件")
    return Invalid("file.slot_mismatch", message,
                   {"file_ids": [f.id for f in files], "slots": list(slots)})


def attach(session, policy, principal, file_ids, subject_service, subject_type, subject_id,
           slots=None):
    """Mark completed files of the caller as used by a subject of another service. The
    slot's file count applies to what the subject holds. ``slots``: the places the
    subject takes files from; a file of another slot refuses the whole call (422
    ``file.slot_mismatch``), nothing attached."""
    require_principal(principal)
    file_ids = list(dict.fromkeys(file_ids))
    subject = dict(subject_service=subject_service, subject_type=subject_type,
                   subject_id=str(subject_id))
    files = session.execute(select(StoredFile).where(StoredFile.id.in_(file_ids))
                            .order_by(StoredFile.id).with_for_update()).scalars().all()
    found = {f.id: f for f in files}
    missing = [i for i in file_ids if i not in found or not is_owner(found[i], principal)]
    if missing:
        raise NotFound("file.not_found", "文件不存在或不属于当前用户", {"file_ids": missing})
    pending = [f.id for f in files if f.status != COMPLETED]
    if pending:
        raise Conflict("file.not_completed", "文件尚未完成上传，不能使用",
                       {"file_ids": pending})
    if slots is not None:
        foreign = [f for f in files if f.slot not in set(slots)]
        if foreign:
            raise slot_mismatch(policy, foreign, slots)
    held = session.execute(
        select(StoredFile.slot, StoredFile.id).join(
            Attachment, Attachment.file_id == StoredFile.id).where(
            Attachment.subject_service == subject["subject_service"],
            Attachment.subject_type == subject["subject_type"],
            Attachment.subject_id == subject["subject_id"])).all()
    per_slot = {}
    for slot, fid in held:
        per_slot.setdefault(slot, set()).add(fid)
    for f in files:
        per_slot.setdefault(f.slot, set()).add(f.id)
    for slot, ids in per_slot.items():
        rule = policy.slots.get(slot)
        if rule is not None and len(ids) > rule.max_files and any(
                f.slot == slot for f in files):
            raise too_many(rule, len(ids))
    session.execute(insert(Attachment).values([
        {"file_id": f.id, **subject, "attached_by": principal.account_id} for f in files
    ]).on_conflict_do_nothing())
    for f in files:  # used again: kept, no longer on its way to the purge
        f.released_at = None
    return [file_dict(f, policy, True) for f in files]


def detach(session, principal, file_ids, subject_service, subject_type, subject_id,
           now=None):
    """The subject no longer uses these files. A file nothing holds any more is released
    (a replaced 印证材料, evidence taken off a record): it frees its place in the slot at
    once, so the next upload there is accepted, and is purged once unused for the
    transient age."""
    require_principal(principal)
    files = session.execute(select(StoredFile).where(
        StoredFile.id.in_(list(file_ids)))).scalars().all()
    owned = [f.id for f in files if is_owner(f, principal)]
    if len(owned) != len(set(file_ids)):
        raise NotFound("file.not_found", "文件不存在或不属于当前用户")
    result = session.execute(delete(Attachment).where(
        Attachment.file_id.in_(owned),
        Attachment.subject_service == subject_service,
        Attachment.subject_type == subject_type,
        Attachment.subject_id == str(subject_id)))
    if result.rowcount:
        release(session, owned, now=now)
    return result.rowcount


def release(session, file_ids, now=None):
    """Files of ``file_ids`` that nothing uses leave their slot's count (``released_at``)."""
    session.execute(update(StoredFile).where(
        StoredFile.id.in_(list(file_ids)), StoredFile.status == COMPLETED,
        StoredFile.released_at.is_(None),
        ~select(Attachment.id).where(Attachment.file_id == StoredFile.id).exists(),
    ).values(released_at=now or utcnow()))


def slot_list(slots):
    """``slots`` of ``attach``: None, or a list of slot keys (422 otherwise)."""
    if slots is None:
        return None
    if (not isinstance(slots, list | tuple) or len(slots) > 100
            or not all(isinstance(s, str) and 0 < len(s) <= 64 for s in slots)):
        raise Invalid("request.invalid", "上传位置列表无效",
                      {"fields": {"slots": ["上传位置列表无效"]}})
    return list(slots)


def id_list(file_ids):
    """A list of at most 100 file ids (422 otherwise)."""
    if (not isinstance(file_ids, list | tuple) or len(file_ids) > 100
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63
                       for i in file_ids)):
        raise Invalid("request.invalid", "文件列表无效",
                      {"fields": {"file_ids": ["文件列表无效"]}})
    return list(file_ids)


def describe(session, policy, principal, file_ids):
    """The caller's own files among ``file_ids`` (metadata, slot included), in the order
    given; others are left out (``attach`` refuses them)."""
    require_principal(principal)
    ids = list(dict.fromkeys(int(i) for i in file_ids))
    if not ids:
        return []
    found = {f.id: f for f in session.execute(
        select(StoredFile).where(StoredFile.id.in_(ids))).scalars()}
    attached = _attached_ids(session, list(found))
    return [file_dict(found[i], policy, i in attached) for i in ids
            if i in found and is_owner(found[i], principal)]


def attached_files(session, policy, subject_service, subject_type, subject_id):
    """The files a subject uses, oldest first. The calling service has authorised the
    subject; this returns metadata only (downloads are authorised per file)."""
    files = session.execute(select(StoredFile).join(
        Attachment, Attachment.file_id == StoredFile.id).where(
        Attachment.subject_service == subject_service,
        Attachment.subject_type == subject_type,
        Attachment.subject_id == str(subject_id)).order_by(Attachment.id)).scalars().all()
    return [file_dict(f, policy, True) for f in files]


# --------------------------------------------------------------------------- purge

def stale_files(session, policy, now=None, batch=500):
    """What the purge removes: uploads never completed within ``upload_purge_age``
    seconds, and completed files that nothing uses after ``transient_age`` seconds — of
    transient slots (images to merge, imports, generated) counted from their upload,
    released ones (see ``detach``) from their release — as ``(pending, transient)``
    lists of ``(id, object_key)``."""
    now = now or utcnow()
    transient = [rule.key for rule in policy.slots if rule.transient]
    pending_before = now - dt.timedelta(seconds=policy.upload_purge_age)
    transient_before = now - dt.timedelta(seconds=policy.transient_age)
    stale = session.execute(select(StoredFile.id, StoredFile.object_key).where(
        StoredFile.status == PENDING, StoredFile.created_at < pending_before)
        .limit(batch)).all()
    old = session.execute(select(StoredFile.id, StoredFile.object_key).where(
        StoredFile.status == COMPLETED,
        or_(and_(StoredFile.slot.in_(transient), StoredFile.created_at < transient_before),
            StoredFile.released_at < transient_before),
        ~select(Attachment.id).where(Attachment.file_id == StoredFile.id).exists())
        .limit(batch)).all()
    return list(stale), list(old)


def delete_unused(session, file_id):
    """The row of a purged file, unless something started using it meanwhile."""
    session.execute(delete(StoredFile).where(
        StoredFile.id == file_id,
        ~select(Attachment.id).where(Attachment.file_id == file_id).exists()))


# --------------------------------------------------------------------------- stored bytes

def check_content(policy, *, content, file_name, slot):
    """Bytes the service made, checked against ``slot``'s rules (type, size) before they
    are stored: ``(rule, name, extension)``."""
    rule = slot_rule(policy, slot)
    name = check_file_name(file_name)
    extension = extension_of(name)
    if not rule.allows(extension):
        raise type_not_allowed(rule)
    kind = sniff(content[:1024])
    if kind == "zip":
        kind = content_kind(io.BytesIO(content))
    if kind != KIND_OF_EXTENSION[extension]:
        raise type_mismatch(extension, kind)
    size = len(content)
    if size == 0:
        raise empty_file()
    if size > rule.max_bytes:
        raise too_large(rule, size)
    return rule, name, extension


def add_completed(session, policy, owner, *, rule, key, name, extension, content, source,
                  bundle=None, now=None):
    """The row of stored bytes (already in object storage under ``key``) as a completed
    file of ``owner`` in ``rule``'s slot, under the slot's count and the bundle's total
    (serialised per owner). Answers the file's view."""
    now = now or utcnow()
    size = len(content)
    _lock_owner(session, owner.account_id)
    error = admission_error(session, policy, rule, owner.account_id, bundle, size)
    if error is not None:
        raise error
    f = StoredFile(
        object_key=key, slot=rule.key, bundle=bundle, original_name=name,
        extension=extension, content_type=CONTENT_TYPE[extension],
        declared_size=size, size=size, sha256=hashlib.sha256(content).hexdigest(),
        status=COMPLETED, source=source, owner_account_id=owner.account_id,
        owner_person_id=owner.person_id,
        owner_unit_id=owner.unit_id if rule.uploader == slot_rules.UNIT_UPLOADS else None,
        owner_name=(owner.name or "")[:100], created_at=now, completed_at=now,
    )
    session.add(f)
    session.flush()
    return file_dict(f, policy)


# --------------------------------------------------------------------------- merged images

def check_merge(policy, principal, *, file_ids, slot, file_name):
    """Whether the caller may merge ``file_ids`` into one PDF in ``slot``: ``(rule,
    name)``."""
    require_principal(principal)
    rule = slot_rule(policy, slot)
    check_uploader(rule, principal)
    name = check_file_name(file_name)
    if extension_of(name) != "pdf":
        raise Invalid("file.name_invalid", "合成后的文件名须以 .pdf 结尾",
                      {"fields": {"file_name": ["须以 .pdf 结尾"]}})
    if not rule.allows("pdf"):
        raise type_not_allowed(rule)
    file_ids = list(file_ids)
    if not file_ids:
        raise Invalid("file.images_required", "请至少选择一张图片")
    if len(set(file_ids)) != len(file_ids):
        raise Invalid("file.images_duplicate", "图片不能重复选择")
    if len(file_ids) > policy.merge_max_images:
        raise Invalid("file.images_too_many",
                      f"一次最多合成{policy.merge_max_images}张图片")
    return rule, name


def images_to_merge(session, principal, file_ids):
    """The caller's completed images, in the order given (detached rows)."""
    files = {f.id: f for f in session.execute(select(StoredFile).where(
        StoredFile.id.in_(file_ids))).scalars()}
    for f in files.values():
        session.expunge(f)
    missing = [i for i in file_ids if i not in files or not is_owner(files[i], principal)]
    if missing:
        raise NotFound("file.not_found", "文件不存在或不属于当前用户", {"file_ids": missing})
    for i in file_ids:
        f = files[i]
        if f.status != COMPLETED:
            raise Conflict("file.not_completed", "文件尚未完成上传，不能使用", {"file_ids": [i]})
        if KIND_OF_EXTENSION.get(f.extension) not in IMAGE_KINDS:
            raise UnsupportedType("file.not_image",
                                  f"“{f.original_name}”不是图片，只能合成jpg/png/bmp图片",
                                  {"file_ids": [i]})
    return [files[i] for i in file_ids]


def merged_too_large(rule, content):
    if len(content) > rule.max_bytes:
        return TooLarge("file.too_large",
                        f"合成后的PDF为{megabytes(len(content))}，超过{rule.size_text}；"
                        f"请减少图片或降低分辨率后重试",
                        {"max_bytes": rule.max_bytes, "size": len(content)})
    return None
