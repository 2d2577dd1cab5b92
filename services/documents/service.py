"""DocumentsService: every dependency and RPC proxy declared once; thin entrypoints over
the rules in ``logic`` (which take a session): files in ``files_rpc.py``, printouts in
``printing_rpc.py``, Excel templates and workbooks here. Arguments are loaded and answers
dumped with ``services.contracts.documents``.

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
from services.common.schemas import dump, load
from services.contracts import documents as contract

from .files_rpc import FilesRpc
from .logic import files, workbooks
from .logic.sniff import CONTENT_TYPE, content_disposition
from .models import Base
from .policy import PolicyProvider
from .printing_rpc import PrintingRpc
from .storage import MissingObject, Storage

log = logging.getLogger(__name__)


class ConfiguredTimer(Timer):
    """A timer whose interval (seconds) comes from a configuration key."""

    def __init__(self, key, default, **kwargs):
        self.key = key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = cfg.as_float(self.container.config, self.key, self.interval)
        super().setup()


class DocumentsService(OperationsRpc, FilesRpc, PrintingRpc):
    name = "documents"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL", "S3_ENDPOINT", "S3_BUCKET"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
    storage = Storage()
    policy = PolicyProvider()
    workflow_rpc = ServiceRpc("workflow")

    def check_dependencies(self):
        return {"storage": "ok" if self.storage.ping() else "bucket missing"}

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
        return dump(contract.TemplateLinkSchema, {
            "name": name, "file_name": file_name, "url": url, "expires_in": ttl,
            "expires_at": files.iso(now + files.dt.timedelta(seconds=ttl))})

    @rpc
    def parse_workbook(self, file_id, template):
        """The rows of an uploaded template workbook (owner only), for preview and for
        the achievements service's import."""
        data = load(contract.ParseQuery, {"template": template})
        principal = files.require_principal(self.principal.current)
        with self.db.read() as session:
            f, _ = files.load_file(session, int(file_id))
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
            try:
                download = self.storage.download(f.object_key, limits.max_bytes)
            except MissingObject:
                raise files.missing_file(f) from None
            with download:
                result = tpool.execute(workbooks.parse_workbook, download.file,
                                       download.size, data["template"], limits)
        except (files.Invalid, files.TooLarge) as exc:
            # Nothing hostile or unreadable is kept: no template could ever read it.
            if exc.code in workbooks.UNREADABLE:
                with self.db.transaction() as session:
                    key = files.remove_unreadable(session, f.id)
                if key is not None:
                    self.storage.remove(key)
            else:
                self._read_workbook(f)
            raise
        self._read_workbook(f)
        return dump(contract.WorkbookPreviewSchema, result)

    def _read_workbook(self, f):
        """A workbook read (into an import's preview, or refused for another template)
        no longer holds one of its slot's places: the next upload is accepted, and the
        purge removes it once unused (see ``files.release``)."""
        if f.slot == files.slot_rules.IMPORT_SLOT:
            with self.db.transaction() as session:
                files.release(session, [f.id])

    # ---- housekeeping
    @ConfiguredTimer.decorator("PURGE_INTERVAL", 60)
    def purge_stale_files(self):
        return self.purge_stale()
