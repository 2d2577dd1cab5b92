"""RPC entrypoints of files (mixed into DocumentsService): upload tickets, completion,
access, attachments for other services, merged images, and the internal API that stores
generated documents.

Each entrypoint opens its own sessions around the rules of ``logic/files.py`` (which take
a session) and does the object-storage I/O between them: an object is written before the
row that names it commits and removed after the row that named it is gone, so a failure
leaves at most an object without a row (never a row without its object). No RPC is made
while a session is open.
"""
import logging

from eventlet import tpool

from services.common.messaging import emit
from services.common.rpc import rpc
from services.common.schemas import dump, load
from services.contracts import documents as contract
from services.contracts.documents import GENERATED, GENERATED_SLOT, MERGED

from .logic import files
from .logic.images import images_to_pdf
from .storage import MissingObject

log = logging.getLogger(__name__)
FILE_DOWNLOADED = "file_downloaded"
BASIS_LABELS = {"owner": "本人", "unit": "本单位", "reviewer": "审核单位",
                "operator": "运维人员"}


def _given(**values):
    return {key: value for key, value in values.items() if value is not None}


class FilesRpc:
    """Needs ``db``, ``storage``, ``policy``, ``principal`` and ``workflow_rpc``."""

    # ---- what workflow says about a unit's access
    def can_unit_review(self, unit_id, person_id):
        return bool(self.workflow_rpc.can_unit_review(unit_id, person_id))

    def can_read_attached(self, subjects):
        """Whether workflow lets the calling unit read what a unit's file is attached to
        (a recommendation, a post quota)."""
        return bool(self.workflow_rpc.may_read_attachments([list(s) for s in subjects]))

    def _attached_check(self, file_id):
        """Asked lazily by ``read_access``: the file's workflow subjects are read, the
        session closed, then workflow is asked."""
        def check():
            with self.db.read() as session:
                subjects = files.workflow_subjects(session, file_id)
            return bool(subjects) and self.can_read_attached(subjects)
        return check

    def _readable(self, principal, file_id, **kwargs):
        """The file and the ground on which the caller may read it (404 otherwise)."""
        with self.db.read() as session:
            f, attached = files.load_file(session, file_id)
        basis = files.read_access(f, principal, self.can_unit_review,
                                  can_read_attached=self._attached_check(file_id), **kwargs)
        return f, attached, basis

    # ---- slots and uploads
    @rpc
    def file_slots(self):
        return contract.FileSlotSchema(many=True).dump(
            [slot.to_dict() for slot in self.policy.slots])

    @rpc
    def request_upload(self, slot, file_name, size=None, bundle=None):
        data = load(contract.UploadRequestSchema,
                    _given(slot=slot, file_name=file_name, size=size, bundle=bundle))
        with self.db.transaction() as session:
            ticket = files.request_upload(session, self.storage, self.policy,
                                          self.principal.current, **data)
        return dump(contract.UploadTicketSchema, ticket)

    @rpc
    def complete_upload(self, file_id):
        """Check the uploaded object against its slot: the completed file, or the reason
        it was refused (the refused object and its row are removed). What is checked is
        a server-side copy under a key no client has a URL for; the row names it, and
        the upload key is removed."""
        now = files.utcnow()
        with self.db.read() as session:
            f, attached = files.owned_upload(session, self.principal.current, int(file_id))
        if f.status == files.COMPLETED:
            return dump(contract.FileInfoSchema, files.file_dict(f, self.policy, attached))
        try:
            size, sha256, key = files.check_upload(self.storage, self.policy, f, now)
        except files.Refused as refused:
            self._discard(f)
            raise refused.error from None
        try:
            with self.db.transaction() as session:
                result, won = files.admit_upload(session, self.policy, f, size=size,
                                                 sha256=sha256, key=key, attached=attached,
                                                 now=now)
        except files.Refused as refused:
            self.storage.remove(key)
            self._discard(f)
            raise refused.error from None
        except BaseException:
            self.storage.remove(key)
            raise
        # The upload key is never read again: what passed is under ``key`` (or, when a
        # concurrent completion won, under its own copy).
        self.storage.remove(f.object_key if won else key)
        return dump(contract.FileInfoSchema, result)

    def _discard(self, f):
        """Remove a refused upload: the object first (a row left behind is purged)."""
        self.storage.remove(f.object_key)
        with self.db.transaction() as session:
            files.discard_pending(session, f.id)

    @rpc
    def get_file(self, file_id):
        f, attached, _basis = self._readable(files.require_principal(self.principal.current),
                                             int(file_id))
        return dump(contract.FileInfoSchema, files.file_dict(f, self.policy, attached))

    @rpc
    def download_link(self, file_id, reason=None):
        """A presigned GET (at most five minutes); every link issued is logged with its
        ground and reason."""
        data = load(contract.DownloadQuery, _given(reason=reason))
        principal = files.require_principal(self.principal.current)
        f, _attached, basis = self._readable(principal, int(file_id), reason=data["reason"],
                                             for_download=True)
        if f.status == files.COMPLETED and not self.storage.exists(f.object_key):
            raise files.missing_file(f)
        with self.db.transaction() as session:
            link = files.issue_link(session, self.storage, self.policy, f, principal, basis,
                                    reason=data["reason"])
            # The audit trail: identity records every download link issued.
            emit(session, FILE_DOWNLOADED, f"file:{f.id}", {
                "file_id": f.id, "file_name": f.original_name, "slot": f.slot, "basis": basis,
                "basis_label": BASIS_LABELS.get(basis, basis),
                "reason": (data["reason"] or "").strip() or None,
                "owner_person_id": f.owner_person_id, "owner_unit_id": f.owner_unit_id,
                "attached_to": [f"{kind}:{ident}" for kind, ident in
                                files.workflow_subjects(session, f.id)]})
        return dump(contract.DownloadLinkSchema, link)

    @rpc
    def delete_file(self, file_id):
        with self.db.transaction() as session:
            key = files.delete_file(session, self.principal.current, int(file_id))
        self.storage.remove(key)
        return {"deleted": True}

    @rpc
    def list_files(self, slot=None, bundle=None, status=None, page=1, page_size=20):
        query = load(contract.FileListQuery, _given(slot=slot, bundle=bundle, status=status,
                                                   page=page, page_size=page_size))
        with self.db.read() as session:
            result = files.list_files(session, self.policy, self.principal.current, **query)
        return dump(contract.FileListSchema, result)

    @rpc
    def merge_images(self, file_ids, slot, file_name, bundle=None):
        """Several completed images of the caller become one A4 PDF, a new completed
        file in ``slot`` (a slot that takes one PDF, e.g. a Chongqing evidence place)."""
        data = load(contract.MergeImagesSchema, _given(file_ids=file_ids, slot=slot,
                                                      file_name=file_name, bundle=bundle))
        principal = self.principal.current
        rule, name = files.check_merge(self.policy, principal, file_ids=data["file_ids"],
                                       slot=data["slot"], file_name=data["file_name"])
        with self.db.read() as session:
            images = files.images_to_merge(session, principal, list(data["file_ids"]))
        content = []
        for f in images:
            try:
                with self.storage.download(f.object_key, max(f.size or 0, 1)) as download:
                    content.append(download.read_all())
            except MissingObject:
                raise files.missing_file(f) from None
        pdf = tpool.execute(images_to_pdf, content)
        error = files.merged_too_large(rule, pdf)
        if error is not None:
            raise error
        result = self._store_completed(principal, content=pdf, file_name=name,
                                       slot=data["slot"], source=MERGED,
                                       bundle=data.get("bundle"))
        return dump(contract.FileInfoSchema, result)

    # ---- use by other services
    @rpc
    def attach(self, file_ids, subject_service, subject_type, subject_id, slots=None):
        """``slots``: the places the subject takes files from (a record type's upload
        places); a file of any other slot refuses the call, nothing attached."""
        data = load(contract.AttachSchema, {
            "file_ids": file_ids, "subject_service": subject_service,
            "subject_type": subject_type, "subject_id": str(subject_id)})
        with self.db.transaction() as session:
            result = files.attach(session, self.policy, self.principal.current, **data,
                                  slots=files.slot_list(slots))
        return contract.FileInfoSchema(many=True).dump(result)

    @rpc
    def describe_files(self, file_ids):
        """The caller's own files among ``file_ids`` (metadata with their slot), in the
        order given; ids that are not the caller's files are left out. Lets a service
        check a submission's files against its rules before it attaches them."""
        ids = files.id_list(file_ids)
        with self.db.read() as session:
            result = files.describe(session, self.policy, self.principal.current, ids)
        return contract.FileInfoSchema(many=True).dump(result)

    @rpc
    def detach(self, file_ids, subject_service, subject_type, subject_id):
        data = load(contract.AttachSchema, {
            "file_ids": file_ids, "subject_service": subject_service,
            "subject_type": subject_type, "subject_id": str(subject_id)})
        with self.db.transaction() as session:
            count = files.detach(session, self.principal.current, **data)
        return {"detached": count}

    @rpc
    def attached_files(self, subject_service, subject_type, subject_id):
        with self.db.read() as session:
            result = files.attached_files(session, self.policy, subject_service,
                                          subject_type, str(subject_id))
        return contract.FileInfoSchema(many=True).dump(result)

    # ---- stored bytes (the internal API of generated documents)
    def _store_completed(self, owner, *, content, file_name, slot, source, bundle=None,
                         now=None):
        """Store bytes the service made as a completed file of ``owner`` in ``slot``
        under the slot's rules (type, size, count, bundle total): the object first, then
        its row; the object is removed again when the row is refused."""
        now = now or files.utcnow()
        rule, name, extension = files.check_content(self.policy, content=content,
                                                    file_name=file_name, slot=slot)
        key = files.new_object_key(slot, now)
        self.storage.put(key, content, files.CONTENT_TYPE[extension])
        try:
            with self.db.transaction() as session:
                return files.add_completed(session, self.policy, owner, rule=rule, key=key,
                                           name=name, extension=extension, content=content,
                                           source=source, bundle=bundle, now=now)
        except Exception:
            self.storage.remove(key)
            raise

    def _store_generated(self, owner, content, file_name, *, bundle=None, now=None):
        """A generated document (评审表, 公示表, 花名册, …) stored as a completed file of
        ``owner`` (a Principal) in the ``generated`` slot: ``{"file": {...}, "url",
        "expires_at", "expires_in", "file_name"}`` with a download link for the owner."""
        files.require_principal(owner)
        now = now or files.utcnow()
        stored = self._store_completed(owner, content=content, file_name=file_name,
                                       slot=GENERATED_SLOT, source=GENERATED, bundle=bundle,
                                       now=now)
        with self.db.read() as session:
            f, _ = files.load_file(session, stored["id"])
        with self.db.transaction() as session:
            link = files.issue_link(session, self.storage, self.policy, f, owner, "owner",
                                    now=now)
        return {"file": stored, **link}

    # ---- housekeeping
    def purge_stale(self, now=None, batch=500):
        """Remove stale uploads and unused transient files (``files.stale_files``): each
        object, then its row. Returns how many of each went."""
        with self.db.read() as session:
            stale, old = files.stale_files(session, self.policy, now=now, batch=batch)
        for file_id, key in stale + old:
            self.storage.remove(key)
            with self.db.transaction() as session:
                files.delete_unused(session, file_id)
        if stale or old:
            log.info("purged %d stale uploads and %d transient files", len(stale), len(old))
        return {"pending": len(stale), "transient": len(old)}
