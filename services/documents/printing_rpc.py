"""RPC entrypoints that render and store printouts (mixed into DocumentsService).

The declaration belongs to workflow: every printout asks ``workflow_rpc.print_snapshot``
(which authorises the caller and raises NotFound/Forbidden otherwise) for the
declaration's snapshot (docs/printing.md), renders it with ``printing`` in a real thread
(``eventlet.tpool``: ReportLab and openpyxl are CPU-bound and would stall the other
workers), stores the bytes as a generated file owned by the caller and answers a short
download link. The roster pages through ``workflow_rpc.roster_page``. Nothing is stored
when workflow refuses or the content does not print.

The RPCs load their arguments and dump their answers with the schemas of
``services.contracts.documents``, which the gateway's routes declare too.
"""
import datetime as dt
import json
import logging
import tempfile
import unicodedata
from zoneinfo import ZoneInfo

from eventlet import tpool

from services.common.errors import Invalid, TooLarge
from services.common.messaging import emit
from services.common.rpc import ServiceRpc, rpc
from services.common.schemas import dump, load
from services.contracts.documents import (
    COMPLETED,
    PrintoutLinkSchema,
    RosterFilterSchema,
    RosterLinkSchema,
)
from services.contracts.printing import load_publicity_settings, load_review_form_settings

from .logic import files
from .printing import (
    render_publicity_table,
    render_return_notice,
    render_review_form,
    render_workload_table,
    write_roster,
)
from .printing._pdf import register_fonts
from .printing.review_form import MAX_PHOTO_BYTES
from .printing.roster import MAX_ROWS
from .storage import MissingObject

log = logging.getLogger(__name__)
PRINTOUT_MADE = "printout_made"

TIMEZONE = ZoneInfo("Asia/Shanghai")
ROSTER_PAGE_SIZE = 500     # rows asked of workflow per roster_page call


# --------------------------------------------------------------------------- helpers

def printout_file_name(prefix, name, extension):
    """``评审表-张健.pdf``: the person's name without characters a file name refuses."""
    def kept(ch):
        return ch == " " or (ch not in "/\\" and unicodedata.category(ch)[0] not in "CZ")

    cleaned = "".join(ch for ch in str(name or "") if kept(ch)).strip()[:50]
    return f"{prefix}-{cleaned}.{extension}" if cleaned else f"{prefix}.{extension}"


def _positive_id(value, field, label):
    """An id argument (an integer or its digits), else 422 “<label>有误” on ``field``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool):
        raise Invalid("request.invalid", f"{label}有误", {"fields": {field: [f"{label}有误"]}})
    return number


def _declaration_id(value):
    return _positive_id(value, "declaration_id", "申报编号")


def _record_id(value):
    return _positive_id(value, "record_id", "业绩编号")


def _json_lines(fileobj):
    for line in fileobj:
        yield json.loads(line)


PHOTO_MISSING = object()
PHOTO_MISSING_NOTE = "照片文件缺失"


class PrintingRpc:
    """Needs ``db``, ``storage``, ``policy``, ``principal``, ``workflow_rpc`` and
    ``FilesRpc._store_generated``."""

    achievements_rpc = ServiceRpc("achievements")    # a returned record's 一次性告知

    # ---- printouts of one declaration
    @rpc
    def print_review_form(self, declaration_id, settings=None):
        """The 评审表 PDF (草稿 watermark until final), with the photo from storage."""
        principal = files.require_principal(self.principal.current)
        settings = load_review_form_settings(settings) if settings else None
        source = self._print_source(declaration_id)
        photo = self._photo(source)
        note = None
        if photo is PHOTO_MISSING:
            photo, note = None, PHOTO_MISSING_NOTE
        content = self._render(render_review_form, source["snapshot"], photo, settings, note)
        return self._stored(principal, content, printout_file_name(
            "评审表", source["snapshot"]["person"]["name"], "pdf"),
            printed=("review_form", "评审表", source))

    @rpc
    def print_publicity_table(self, declaration_id, settings=None):
        """The 公示表 on one A3 page, or 422 ``publicity.too_long`` naming the section."""
        principal = files.require_principal(self.principal.current)
        settings = load_publicity_settings(settings) if settings else None
        source = self._print_source(declaration_id)
        content = self._render(render_publicity_table, source["snapshot"], settings)
        return self._stored(principal, content, printout_file_name(
            "公示表", source["snapshot"]["person"]["name"], "pdf"),
            printed=("publicity_table", "公示表", source))

    @rpc
    def print_workload_table(self, declaration_id):
        """The 工作量 table to sign and stamp."""
        principal = files.require_principal(self.principal.current)
        source = self._print_source(declaration_id)
        content = self._render(render_workload_table, source["snapshot"])
        return self._stored(principal, content, printout_file_name(
            "工作量", source["snapshot"]["person"]["name"], "pdf"),
            printed=("workload_table", "工作量表", source))

    # ---- 退回告知（一次性告知）
    @rpc
    def print_return_notice(self, declaration_id):
        """The 一次性告知 of a returned declaration as a PDF: workflow answers the notice
        (the applicant's only; 409 declaration.not_returned otherwise)."""
        principal = files.require_principal(self.principal.current)
        notice = self.workflow_rpc.declaration_return_notice(_declaration_id(declaration_id))
        content = self._render(render_return_notice, notice)
        return self._stored(principal, content, printout_file_name(
            "退回告知", notice.get("person_name"), "pdf"))

    @rpc
    def print_record_return_notice(self, record_id):
        """The 一次性告知 of a returned achievement record as a PDF: achievements answers
        the notice (the owner's only; 409 record.not_returned otherwise)."""
        principal = files.require_principal(self.principal.current)
        notice = self.achievements_rpc.record_return_notice(_record_id(record_id))
        content = self._render(render_return_notice, notice)
        return self._stored(principal, content, printout_file_name(
            "退回告知", notice.get("person_name"), "pdf"))

    # ---- roster
    @rpc
    def export_roster(self, filters):
        """The 花名册 xlsx of the declarations workflow lists for the caller's unit or
        level under ``filters``. Rows go page by page to a temporary file (JSON lines),
        which a real thread streams into the workbook (another temporary file): memory
        holds one page of rows; only the finished xlsx (about 4 MB for 50,000 rows) is
        read back to be stored."""
        principal = files.require_principal(self.principal.current)
        wire = dump(RosterFilterSchema, load(RosterFilterSchema, filters or {}))
        with tempfile.TemporaryFile() as rows_file, tempfile.TemporaryFile() as workbook:
            count = self._fetch_roster(wire, rows_file)
            rows_file.seek(0)
            tpool.execute(write_roster, _json_lines(rows_file), workbook)
            workbook.seek(0)
            content = workbook.read()
        stamp = dt.datetime.now(TIMEZONE).strftime("%Y-%m-%d-%H%M%S")
        link = self._stored(principal, content, f"花名册-{stamp}.xlsx",
                            printed=("roster", "花名册", {"rows": count}))
        return dump(RosterLinkSchema, {**link, "rows": count})

    def _fetch_roster(self, wire, out):
        after, count = None, 0
        while True:
            page = self.workflow_rpc.roster_page(wire, after, ROSTER_PAGE_SIZE)
            rows = page.get("rows") or []
            count += len(rows)
            if count > MAX_ROWS:
                raise TooLarge("roster.too_many_rows",
                               "花名册行数超过 Excel 单表上限，请按条件分批导出",
                               {"max_rows": MAX_ROWS})
            out.write(b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n"
                               for row in rows))
            following = page.get("next_after")
            if following is None or not rows:
                return count
            if after is not None and following <= after:
                raise RuntimeError(f"workflow roster_page did not advance past {after}")
            after = following

    # ---- print settings are saved by workflow (the gateway calls it); see docs/printing.md

    # ---- internals
    def _print_source(self, declaration_id):
        """What workflow lets the caller print: the snapshot with the saved settings."""
        declaration_id = _declaration_id(declaration_id)
        answer = self.workflow_rpc.print_snapshot(declaration_id)
        snapshot = dict(answer["snapshot"])
        if answer.get("print_settings") is not None:
            snapshot["print_settings"] = answer["print_settings"]
        return {**answer, "snapshot": snapshot}

    def _photo(self, source):
        """The applicant's photo bytes from this service's storage, or None (printed with
        an empty photo box) when there is none or the file is not the applicant's, or
        PHOTO_MISSING when its stored object has gone (printed marked 照片文件缺失)."""
        snapshot = source["snapshot"]
        file_id = source.get("photo_file_id") or (snapshot.get("person") or {}).get("photo_file_id")
        if not file_id:
            return None
        try:
            file_id = int(file_id)
        except (TypeError, ValueError):
            f = None
        else:
            with self.db.read() as session:
                f, _ = files.load_file(session, file_id)
        person_id = source.get("person_id") or (snapshot.get("person") or {}).get("person_id")
        if f is None or f.status != COMPLETED or f.owner_person_id != person_id:
            log.warning("photo file %s of declaration %s is missing or not the applicant's; "
                        "printing without a photo", file_id, source.get("declaration_id"))
            return None
        try:
            with self.storage.download(f.object_key, MAX_PHOTO_BYTES) as download:
                return download.read_all()
        except MissingObject:
            log.error("photo file %s of declaration %s is missing from storage (object %s); "
                      "printing without it, marked %s", f.id, source.get("declaration_id"),
                      f.object_key, PHOTO_MISSING_NOTE)
            return PHOTO_MISSING
        except TooLarge:
            raise Invalid("print.photo_invalid", "照片文件过大，请上传不超过 10MB 的 JPG 或 PNG "
                                                 "照片") from None

    def _render(self, renderer, *args):
        register_fonts()  # once, in this thread, before any real thread renders
        return tpool.execute(renderer, *args)

    def _stored(self, principal, content, file_name, printed=None):
        stored = self._store_generated(principal, content, file_name)
        if printed is not None:  # the audit trail (identity records printout_made)
            kind, label, source = printed
            declaration_id = source.get("declaration_id")
            with self.db.transaction() as session:
                emit(session, PRINTOUT_MADE, f"declaration:{declaration_id}" if declaration_id
                     else f"file:{stored['file']['id']}", {
                         "kind": kind, "kind_label": label, "declaration_id": declaration_id,
                         "file_id": stored["file"]["id"], "file_name": stored["file_name"],
                         "unit_id": principal.unit_id, "rows": source.get("rows")})
        return dump(PrintoutLinkSchema, {
            "file_id": stored["file"]["id"], "file_name": stored["file_name"],
            "url": stored["url"], "expires_at": stored["expires_at"],
            "expires_in": stored["expires_in"]})
