"""DocumentsService: thin entrypoints over the rules in ``logic``.

Bytes never travel over AMQP: clients PUT and GET object storage directly with short
presigned URLs; RPCs carry metadata, links and parsed rows only.
"""
import logging

from eventlet import tpool
from nameko.timer import Timer

from services.common import config as cfg
from services.common.config import Settings
from services.common.db import Database
from services.common.errors import Conflict
from services.common.principal import PrincipalProvider
from services.common.rpc import OperationsRpc, ServiceRpc, rpc
from services.common.schemas import load
from services.contracts import documents as contract

from .logic import files, workbooks
from .logic.images import images_to_pdf
from .logic.sniff import CONTENT_TYPE, content_disposition
from .models import Base
from .policy import PolicyProvider
from .printing_rpc import PrintingRpc
from .storage import Storage

log = logging.getLogger(__name__)


class ConfiguredTimer(Timer):
    """A timer whose interval (seconds) comes from a configuration key."""

    def __init__(self, key, default, **kwargs):
        self.key = key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = cfg.as_float(self.container.config, self.key, self.interval)
        super().setup()


def _given(**values):
    return {key: value for key, value in values.items() if value is not None}


class DocumentsService(OperationsRpc, PrintingRpc):
    name = "documents"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL", "S3_ENDPOINT", "S3_BUCKET"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
    storage = Storage()
    policy = PolicyProvider()
    workflow_rpc = ServiceRpc("workflow")

    def check_dependencies(self):
        return {"storage": "ok" if self.storage.ping() else "bucket missing"}

    def can_unit_review(self, unit_id, person_id):
        return bool(self.workflow_rpc.can_unit_review(unit_id, person_id))

    def can_read_attached(self, subjects):
        """Whether workflow lets the calling unit read what a unit's file is attached to
        (a recommendation, a post quota)."""
        return bool(self.workflow_rpc.may_read_attachments([list(s) for s in subjects]))

    # ---- slots and uploads
    @rpc
    def file_slots(self):
        return contract.FileSlotSchema(many=True).dump(
            [slot.to_dict() for slot in self.policy.slots])

    @rpc
    def request_upload(self, slot, file_name, size=None, bundle=None):
        data = load(contract.UploadRequestSchema,
                    _given(slot=slot, file_name=file_name, size=size, bundle=bundle))
        ticket = files.request_upload(self.db, self.storage, self.policy,
                                      self.principal.current, **data)
        return contract.UploadTicketSchema().dump(ticket)

    @rpc
    def complete_upload(self, file_id):
        result = files.complete_upload(self.db, self.storage, self.policy,
                                       self.principal.current, int(file_id))
        return contract.FileInfoSchema().dump(result)

    @rpc
    def get_file(self, file_id):
        result = files.get_file(self.db, self.policy, self.principal.current, int(file_id),
                                self.can_unit_review, self.can_read_attached)
        return contract.FileInfoSchema().dump(result)

    @rpc
    def download_link(self, file_id, reason=None):
        data = load(contract.DownloadQuery, _given(reason=reason))
        link = files.download_link(self.db, self.storage, self.policy, self.principal.current,
                                   int(file_id), self.can_unit_review, reason=data["reason"],
                                   can_read_attached=self.can_read_attached)
        return contract.DownloadLinkSchema().dump(link)

    @rpc
    def delete_file(self, file_id):
        files.delete_file(self.db, self.storage, self.principal.current, int(file_id))
        return {"deleted": True}

    @rpc
    def list_files(self, slot=None, bundle=None, status=None, page=1, page_size=20):
        query = load(contract.FileListQuery, _given(slot=slot, bundle=bundle, status=status,
                                                   page=page, page_size=page_size))
        result = files.list_files(self.db, self.policy, self.principal.current, **query)
        return contract.FileListSchema().dump(result)

    @rpc
    def merge_images(self, file_ids, slot, file_name, bundle=None):
        data = load(contract.MergeImagesSchema, _given(file_ids=file_ids, slot=slot,
                                                      file_name=file_name, bundle=bundle))
        result = files.merge_images(
            self.db, self.storage, self.policy, self.principal.current,
            render=lambda images: tpool.execute(images_to_pdf, images), **data)
        return contract.FileInfoSchema().dump(result)

    # ---- use by other services
    @rpc
    def attach(self, file_ids, subject_service, subject_type, subject_id):
        data = load(contract.AttachSchema, {
            "file_ids": file_ids, "subject_service": subject_service,
            "subject_type": subject_type, "subject_id": str(subject_id)})
        result = files.attach(self.db, self.policy, self.principal.current, **data)
        return contract.FileInfoSchema(many=True).dump(result)

    @rpc
    def detach(self, file_ids, subject_service, subject_type, subject_id):
        data = load(contract.AttachSchema, {
            "file_ids": file_ids, "subject_service": subject_service,
            "subject_type": subject_type, "subject_id": str(subject_id)})
        return {"detached": files.detach(self.db, self.principal.current, **data)}

    @rpc
    def attached_files(self, subject_service, subject_type, subject_id):
        result = files.attached_files(self.db, self.policy, subject_service, subject_type,
                                      str(subject_id))
        return contract.FileInfoSchema(many=True).dump(result)

    # ---- Excel
    @rpc
    def template_link(self, name):
        """A short download link for an import template (built once per version)."""
        workbooks.check_template(name)
        files.require_principal(self.principal.current)
        key = f"templates/{name}/v{workbooks.TEMPLATE_VERSION[name]}.xlsx"
        if not self.storage.exists(key):
            self.storage.put(key, workbooks.build_template(name), CONTENT_TYPE["xlsx"])
        file_name = workbooks.template_file_name(name)
        ttl = self.policy.download_ttl
        url = self.storage.presign_get(key, ttl, content_disposition(file_name),
                                       CONTENT_TYPE["xlsx"])
        now = files.utcnow()
        return contract.TemplateLinkSchema().dump({
            "name": name, "file_name": file_name, "url": url, "expires_in": ttl,
            "expires_at": files.iso(now + files.dt.timedelta(seconds=ttl))})

    @rpc
    def parse_workbook(self, file_id, template):
        """The rows of an uploaded template workbook (owner only), for preview and for
        the achievements service's import."""
        data = load(contract.ParseQuery, {"template": template})
        principal = files.require_principal(self.principal.current)
        f, _ = files.load_file(self.db, int(file_id))
        basis = files.read_access(f, principal, lambda *_: False)
        if basis not in ("owner", "unit"):
            raise files.NotFound(*files.NOT_FOUND)
        if f.status != "completed":
            raise Conflict("file.not_completed", "文件尚未完成上传，不能读取")
        if f.extension != "xlsx":
            raise files.UnsupportedType("workbook.not_xlsx", "只能导入xlsx格式的Excel文件")
        limits = self.policy.workbook
        try:
            if (f.size or 0) > limits.max_bytes:
                raise files.TooLarge("workbook.too_large",
                                     f"工作簿不能超过{limits.max_bytes // (1024 * 1024)}MB")
            with self.storage.download(f.object_key, limits.max_bytes) as download:
                result = tpool.execute(workbooks.parse_workbook, download.file,
                                       download.size, data["template"], limits)
        except (files.Invalid, files.TooLarge) as exc:
            # Nothing hostile or unreadable is kept: no template could ever read it.
            if exc.code in workbooks.UNREADABLE:
                files.discard_unreadable(self.db, self.storage, f.id)
            raise
        return contract.WorkbookPreviewSchema().dump(result)

    # ---- housekeeping
    @ConfiguredTimer.decorator("PURGE_INTERVAL", 60)
    def purge_stale_files(self):
        return files.purge_stale(self.db, self.storage, self.policy)
