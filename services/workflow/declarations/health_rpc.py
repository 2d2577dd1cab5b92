"""RPC entrypoints of the Chongqing health-series declaration sections and of the
printing contract (docs/printing.md), mixed into WorkflowService.

Thin: load with a schema, gather facts from identity, achievements and documents over
RPC (never inside a transaction), call the rules in ``logic/health_sections.py`` and
``logic/snapshot.py``, dump with a contract schema. The service provides ``db``,
``principal`` and the proxies ``identity_rpc``, ``achievements_rpc``, ``documents_rpc``.
"""
import logging

from services.common.errors import Conflict, NotFound
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.rpc import rpc
from services.common.schemas import dump, load, require_id
from services.common.time import utcnow
from services.contracts.workflow import health as hsc

from .logic import declarations as decl
from .logic import health_sections as hs
from .logic import snapshot as snap

log = logging.getLogger(__name__)

FILE_SUBJECT = "declaration_health"


def _file_subject(declaration_id, file_id):
    """Each file of the sections is its own subject in documents (a Chongqing slot holds
    one PDF per place; a section has a place per row)."""
    return f"{declaration_id}-{file_id}"


class HealthRpc:

    # ------------------------------------------------------------------ helpers

    def _applicant(self):
        return decl.require_person(self.principal.require(PERSON))

    def _health_view(self, actor, declaration_id):
        with self.db.read() as session:
            declaration, viewer = decl.get_visible(session, actor, declaration_id)
            hs.require_health(declaration)
            record = hs.get_record(session, declaration.id)
            owner = viewer == "owner"
            view = hs.view(declaration, record, owner=owner,
                           editable=owner and declaration.status in decl.EDITABLE)
        return dump(hsc.HealthViewSchema, view)

    def _editable(self, actor, declaration_id, code, content=None):
        """Checks before anything is attached: the applicant's own health-series
        declaration, editable, with a form category (except for the cover itself).
        Answers the ids of the files ``content`` refers to that are new to it."""
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, declaration_id)
            hs.require_health(declaration)
            decl.require_editable(declaration)
            record = hs.get_record(session, declaration.id)
            if code == "exam" and not hs.exam_applicable(declaration):
                raise Conflict("health.exam_not_applicable", "专业考试成绩只有申报副高的才填写",
                                  {"level": declaration.level})
            if code != "cover":
                if record is None:
                    raise Conflict("health.category_required", "请先选择填报表格类别")
                hs.require_category(record)
            return hs.new_file_ids(record, code, content) if content is not None else []

    def _attach_files(self, declaration_id, code, content, file_ids):
        """Attach the new files to the declaration (one subject per file) and check that
        each is in the declaration's bundle and in its place's slot; on refusal the files
        attached here are given back."""
        answered = []
        try:
            for file_id in file_ids:
                answered += self.documents_rpc.attach([file_id], "workflow",
                                         FILE_SUBJECT, _file_subject(declaration_id, file_id))
            hs.check_files(declaration_id, code, content, answered)
        except Exception:
            self._detach_files(declaration_id, [f["id"] for f in answered])
            raise
        return answered

    def _detach_files(self, declaration_id, file_ids):
        for file_id in file_ids:
            try:
                self.documents_rpc.detach([file_id], "workflow", FILE_SUBJECT,
                                          _file_subject(declaration_id, file_id))
            except Exception:
                log.exception("could not detach file %s of declaration %s", file_id,
                              declaration_id)

    # ------------------------------------------------------------------ sections

    @rpc
    def get_declaration_health(self, declaration_id, reason=None):
        """The health-series sections of a declaration (the frozen copy once submitted).
        The applicant's first look creates them. An operator states a reason, recorded
        in the audit log (decl.record_staff_view)."""
        actor = self.principal.require()
        declaration_id = require_id(declaration_id)
        with (self.db.transaction() if actor.has(OPERATOR) else self.db.read()) as session:
            declaration, viewer = decl.get_visible(session, actor, declaration_id)
            hs.require_health(declaration)
            decl.record_staff_view(session, declaration, viewer, reason)
            create = viewer == "owner" and declaration.status in decl.EDITABLE \
                and hs.get_record(session, declaration.id) is None
        if create:
            brief = self.identity_rpc.get_person_brief(actor.person_id) or {}
            with self.db.transaction() as session:
                declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
                hs.ensure_record(session, declaration, brief)
        return self._health_view(actor, declaration_id)

    @rpc
    def health_form_categories(self, declaration_id):
        """填报表格类别 with the manual's explanations, and the one chosen."""
        actor = self.principal.require()
        with self.db.read() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            hs.require_health(declaration)
            record = hs.get_record(session, declaration.id)
            selected = record.form_category if record is not None else None
        return dump(hsc.FormCategoriesSchema, hs.form_categories(selected))

    @rpc
    def save_declaration_health(self, declaration_id, section, data=None):
        """保存 one section (list sections: every row, in order)."""
        actor = self._applicant()
        declaration_id = require_id(declaration_id)
        code = hs.require_section(str(section))
        values = hsc.to_wire(code, load(hsc.SECTION_SCHEMAS[code], data or {},
                                        code="health.invalid"))
        new_ids = self._editable(actor, declaration_id, code, values)
        brief = self.identity_rpc.get_person_brief(actor.person_id) or {}
        attached = self._attach_files(declaration_id, code, values, new_ids)
        try:
            with self.db.transaction() as session:
                declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
                decl.require_editable(declaration)
                record = hs.ensure_record(session, declaration, brief)
                before = hs.referenced_files(record.sections)
                hs.save_section(session, declaration, record, code, values, files=attached)
                gone = before - hs.referenced_files(record.sections)
        except Exception:
            self._detach_files(declaration_id, [f["id"] for f in attached])
            raise
        self._detach_files(declaration_id, sorted(gone))
        return self._health_view(actor, declaration_id)

    @rpc
    def move_declaration_health_row(self, declaration_id, section, row_id, direction=None):
        """上移 / 下移 of a row."""
        actor = self._applicant()
        code = hs.require_section(str(section))
        values = load(hsc.HealthRowMoveSchema, {"direction": direction})
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id),
                                         for_update=True)
            hs.require_health(declaration)
            decl.require_editable(declaration)
            record = hs.get_record(session, declaration.id, for_update=True)
            if record is None:
                raise NotFound("health.row_not_found", "该行不存在")
            hs.move_row(session, declaration, record, code, require_id(row_id, "row_id"),
                        values["direction"])
        return self._health_view(actor, declaration_id)

    @rpc
    def health_import_candidates(self, declaration_id, section):
        """The person's approved records offered for import into a section, each with
        the row it would become (导入 instead of typing the same facts twice)."""
        actor = self._applicant()
        code = hs.require_section(str(section))
        type_code = hs.import_type(code)
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id))
            hs.require_health(declaration)
            record = hs.get_record(session, declaration.id)
            held = hs.imported_ids(record, code)
        items, page = [], 1
        while True:
            answer = self.achievements_rpc.list_records(type=type_code,
                                  status="approved", page=page, page_size=200) or {}
            items += answer.get("items") or []
            if len(items) >= (answer.get("total") or 0) or not answer.get("items") \
                    or page >= 5:
                break
            page += 1
        return hsc.HealthCandidateSchema(many=True).dump(hs.candidates(held, code, items))

    @rpc
    def import_declaration_health(self, declaration_id, section, record_ids=None):
        """导入: approved records of the person's achievement library become rows."""
        actor = self._applicant()
        declaration_id = require_id(declaration_id)
        code = hs.require_section(str(section))
        hs.import_type(code)
        values = load(hsc.HealthImportSchema, {"record_ids": record_ids})
        self._editable(actor, declaration_id, code)
        details = [self.achievements_rpc.get_record(record_id)
                   for record_id in values["record_ids"]]
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
            decl.require_editable(declaration)
            record = hs.get_record(session, declaration.id, for_update=True)
            hs.import_rows(session, declaration, record, code, details)
        return self._health_view(actor, declaration_id)

    @rpc
    def mark_declaration_health_row(self, declaration_id, section, row_id, data=None):
        """删除标记 by the reviewing unit on a row of a section."""
        actor = self.principal.require(UNIT_ADMIN)
        code = hs.require_section(str(section))
        values = load(hsc.HealthRowMarkSchema, data or {})
        row_id = require_id(row_id, "row_id")
        with self.db.transaction() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            hs.require_health(declaration)
            task = decl.reviewing_task(session, actor, declaration)
            declaration = decl.get(session, declaration.id, for_update=True)
            record = hs.get_record(session, declaration.id, for_update=True)
            if record is None:
                raise NotFound("health.row_not_found", "该行不存在")
            now = utcnow()
            mark = {"account_id": actor.account_id, "name": actor.name,
                    "unit_id": task.unit_id, "unit_name": task.unit_name,
                    "reason": values.get("reason"), "at": now.isoformat()}
            hs.mark_row(record, code, row_id, values["deleted"], mark)
            decl.reviewer_log(session, declaration,
                               "item_marked" if values["deleted"] else "item_unmarked",
                               actor, task, {"health_section": code,
                                             "section_label": hs.SECTIONS[code],
                                             "row_id": row_id}, values.get("reason"), now)
            decl.touch(declaration, now)
            session.flush()
        return self._health_view(actor, declaration_id)

    # ------------------------------------------------------------------ printing

    @rpc
    def print_snapshot(self, declaration_id):
        """What to print (docs/printing.md): the snapshot, the applicant, the photo and
        the saved print settings. 404 for anybody who may not print the declaration."""
        actor = self.principal.require()
        with self.db.read() as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return snap.print_source(session, actor, require_id(declaration_id, "declaration_id"))

    @rpc
    def roster_page(self, filters=None, after_id=None, limit=500):
        """One page of 花名册 rows, ascending declaration id after ``after_id``."""
        actor = self.principal.require()
        params = load(hsc.RosterFiltersSchema, filters or {})
        paging = load(hsc.RosterPageArgsSchema, {"after_id": after_id, "limit": limit})
        with self.db.read() as session:
            return snap.roster_page(session, actor, params, paging["after_id"],
                                    paging["limit"])

    @rpc
    def save_print_settings(self, declaration_id, settings=None):
        """评审表格式设置 / 公示表格式设置, saved with the declaration."""
        actor = self.principal.require()
        with self.db.transaction() as session:
            return snap.save_print_settings(session, actor,
                                            require_id(declaration_id, "declaration_id"), settings)
