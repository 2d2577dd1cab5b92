"""RPC entrypoints of the Excel import (mixed into AchievementsService): preview an
uploaded template workbook row by row (允许导入 or what is wrong), then commit the
allowed rows in one transaction, once (正式导入)."""
from sqlalchemy import func, select

from services.common.errors import Conflict, Invalid
from services.common.rpc import rpc
from services.common.schemas import dump, load
from services.contracts import achievements as sc

from . import catalogue
from .logic import children, imports, records


class ImportsRpc:

    @rpc
    def preview_import(self, target, file_id, record_id=None):
        """Reads the workbook (documents ``parse_workbook``), checks every row and keeps
        the preview: ``{import_id, rows: [{row, values, status, errors}], allowed,
        refused, ...}``."""
        principal = self._person()
        data = load(sc.ImportRequestSchema, {"target": target, "file_id": file_id,
                                             "record_id": record_id})
        target = data["target"]
        if target == "health_case":
            if data["record_id"]:
                raise Invalid("import.record_not_needed", "导入卫生-病案无需指定业绩记录",
                              {"fields": {"record_id": "导入卫生-病案无需指定业绩记录"}})
            self._check_type_allowed(principal, catalogue.TYPES["health_case"])
        else:
            if not data["record_id"]:
                raise Invalid("request.invalid", "请指定导入到的业绩记录",
                              {"fields": {"record_id": "此项为必填项"}})
            with self.db.read() as session:
                record = records.get_owned(session, data["record_id"], principal.person_id)
                rtype = records.record_type(record.type_code)
                if rtype.children != target:
                    message = f"“{rtype.label}”不能导入{imports.TARGET_LABELS[target]}"
                    raise Invalid("import.target_mismatch", message,
                                  {"fields": {"target": message}})
                mode = children.require_changeable(record, rtype)
                if mode == children.ADJUST and (children.rule_of(rtype) or {}).get(
                        "file_required"):
                    raise Conflict("import.needs_files",
                                   "审核通过的综述调整时，每一个参考文献都必须上传附件，"
                                   "请逐条新增参考文献并上传附件")
        template, _mapping = imports.TARGETS[target]
        parsed = self.documents_rpc.parse_workbook(data["file_id"], template)
        with self.db.read() as session:
            existing = (imports.existing_case_keys(session, principal.person_id)
                        if target == "health_case"
                        else imports.existing_row_keys(session, data["record_id"], target))
        rows = imports.preview_rows(target, parsed, existing, records.today())
        if not rows:
            raise Invalid("import.empty", "导入文件中没有数据，请按模板填写后再上传",
                          {"fields": {"file_id": "导入文件中没有数据"}})
        with self.db.transaction() as session:
            preview = imports.store(session, target=target, record_id=data["record_id"],
                                    file_id=data["file_id"], principal=principal, rows=rows,
                                    now=records.utcnow())
            return dump(sc.ImportPreview, imports.view(preview))

    @rpc
    def get_import(self, import_id):
        principal = self._person()
        with self.db.read() as session:
            return dump(sc.ImportPreview,
                imports.view(imports.load_preview(session, int(import_id), principal)))

    @rpc
    def commit_import(self, import_id):
        """正式导入: the allowed rows of the preview, in one transaction. A second commit
        of the same preview imports nothing and answers what the first one did."""
        principal = self._person()
        actor = self._actor(principal)
        with self.db.transaction() as session:
            preview = imports.load_preview(session, int(import_id), principal, for_update=True)
            if preview.committed_at is not None:
                return dump(sc.ImportCommitResult,
                    {"import_id": preview.id, "imported": preview.imported or 0,
                     "already_committed": True, "record_ids": []})
            now = records.utcnow()
            imports.require_committable(preview, now)
            rows = imports.allowed_rows(preview)
            record_ids = []
            if preview.target == "health_case":
                rtype = catalogue.TYPES["health_case"]
                # one import of a person's 病案 at a time: duplicates stay out
                session.execute(select(func.pg_advisory_xact_lock(
                    func.hashtext(f"achievements:health_case:{principal.person_id}"))))
                imports.require_still_new(
                    rows, imports.existing_case_keys(session, principal.person_id), "cases")
                record_ids = records.create_drafts(
                    session, rtype=rtype, person_id=principal.person_id,
                    person_name=principal.name, values_list=[r["values"] for r in rows],
                    actor=actor, note=f"Excel导入（导入批次{preview.id}）")
            else:
                record = records.get_owned(session, preview.record_id, principal.person_id,
                                           for_update=True)
                rtype = records.record_type(record.type_code)
                mode = children.require_changeable(record, rtype)
                existing = children.rows_of(session, record.id, for_update=True)
                kind = preview.target
                imports.require_still_new(
                    rows, {children.row_key(kind, r.fields) for r in existing} - {None}, kind)
                before = children.plain(existing)
                children.add_many(session, record, kind, [r["values"] for r in rows], now=now)
                after = before + [{"fields": r["values"], "file_id": None} for r in rows]
                records.rows_changed(
                    session, record, rtype, mode, before, after, actor=actor,
                    note=f"导入{children.ROW_NAMES[kind]}{len(rows)}条（导入批次{preview.id}）")
            preview.committed_at = now
            preview.imported = len(rows)
            return dump(sc.ImportCommitResult,
                {"import_id": preview.id, "imported": len(rows),
                 "already_committed": False, "record_ids": record_ids})
