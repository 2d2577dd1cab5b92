"""RPC entrypoints of the rows under health records (mixed into AchievementsService):
病案列表 of 卫生-专题/卫生-论文 and 参考文献 of 卫生-综述 — 新增, 修改, 删除, ↑↓ — while the
record is editable, and as 调整 of an approved record (no new review; in the trail).

A reference's file is attached in the documents service to the row
(achievements/reference/<row id>) when the row is saved, and detached when it is
replaced or the row deleted."""
import logging

from services.common.errors import Conflict, Invalid, NotFound
from services.common.principal import PERSON, UNIT_ADMIN
from services.common.rpc import rpc
from services.common.schemas import dump, load
from services.contracts import achievements as sc

from .logic import children, records

log = logging.getLogger(__name__)


class RowsRpc:

    def _row_target(self, session, record_id, person_id, *, for_update=False):
        record = records.get_owned(session, record_id, person_id, for_update=for_update)
        rtype = records.record_type(record.type_code)
        mode = children.require_changeable(record, rtype)
        return record, rtype, mode

    @staticmethod
    def _check_file(child, file_id):
        if file_id and not child.evidence_slot:
            raise Invalid("record.row_file_not_allowed", f"{child.label}无需上传附件",
                          {"fields": {"file_id": f"{child.label}无需上传附件"}})

    def _release_row_file(self, file_id, row_id):
        """Best effort, after a failed save: the file stays the person's."""
        try:
            self._detach([file_id], row_id, "reference")
        except Exception:  # noqa: BLE001 - the failure that matters is re-raised
            log.warning("could not detach file %s from row %s", file_id, row_id)

    @rpc
    def list_rows(self, record_id):
        """The record's rows in order: its owner, or an admin of its unit."""
        principal = self.principal.require(PERSON, UNIT_ADMIN)
        with self._snapshot() as session:
            record = records.get_record(session, record_id)
            own = principal.has(PERSON) and record.person_id == principal.person_id
            unit = principal.has(UNIT_ADMIN) and records.visible_to_unit(record,
                                                                         principal.unit_id)
            if not (own or unit):
                raise NotFound("record.not_found", "业绩记录不存在")
            rtype = records.record_type(record.type_code)
            child = children.child_type(rtype)
            rows = children.rows_of(session, record.id)
            plain = children.plain(rows)
            return dump(sc.RowsPage, {
                "record_id": record.id, "kind": child.code, "label": child.label,
                "items": [children.row_dict(r) for r in rows],
                "summary": children.metrics(rtype, plain, records.today()),
                "problem": children.rule_problem(rtype, record.fields, plain,
                                                 records.today()),
                "rule": children.rule_json(rtype),
            })

    @rpc
    def add_row(self, record_id, fields=None, file_id=None):
        """新增 a case row or a reference (with its file)."""
        principal = self._person()
        data = load(sc.RowSchema, {"fields": fields or {}, "file_id": file_id})
        with self.db.read() as session:
            _record, rtype, _mode = self._row_target(session, record_id, principal.person_id)
        child = children.child_type(rtype)
        self._check_file(child, data["file_id"])
        values = children.clean_row(child, data["values"], records.today())
        row_id = None
        if data["file_id"]:
            with self.db.transaction() as session:
                row_id = children.next_row_id(session)
            self._attach([data["file_id"]], row_id, "reference")
        try:
            with self.db.transaction() as session:
                record, rtype, mode = self._row_target(session, record_id,
                                                       principal.person_id, for_update=True)
                rows = children.rows_of(session, record.id, for_update=True)
                children.require_unique(child.code, rows, values)
                before = children.plain(rows)
                children.add(session, record, child.code, values, data["file_id"],
                             row_id=row_id, now=records.utcnow())
                after = before + [{"fields": values, "file_id": data["file_id"]}]
                records.rows_changed(
                    session, record, rtype, mode, before, after, actor=self._actor(principal),
                    note=f"新增{children.ROW_NAMES[child.code]}："
                         f"{children.describe_row(child.code, values)}")
                return dump(sc.RecordDetail, records.detail(session, record))
        except Exception:
            if row_id is not None:
                self._release_row_file(data["file_id"], row_id)
            raise

    @rpc
    def update_row(self, record_id, row_id, **changes):
        """修改 a row: given fields replace the stored ones (null clears one); a given
        ``file_id`` (even null) replaces the row's file."""
        principal = self._person()
        data = load(sc.RowUpdateSchema, changes)
        with self.db.read() as session:
            record, rtype, _mode = self._row_target(session, record_id, principal.person_id)
            row = children.get_row(children.rows_of(session, record.id), row_id)
            merged = {**(row.fields or {}), **(data.get("values") or {})}
            merged = {k: v for k, v in merged.items() if v is not None}
            old_file = row.file_id
        child = children.child_type(rtype)
        new_file = data.get("file_id", old_file)
        self._check_file(child, new_file)
        values = children.clean_row(child, merged, records.today())
        attached_now = new_file is not None and new_file != old_file
        if attached_now:
            self._attach([new_file], row_id, "reference")
        try:
            if old_file is not None and old_file != new_file:
                self._detach([old_file], row_id, "reference")  # before the transaction
            with self.db.transaction() as session:
                record, rtype, mode = self._row_target(session, record_id,
                                                       principal.person_id, for_update=True)
                rows = children.rows_of(session, record.id, for_update=True)
                row = children.get_row(rows, row_id)
                if row.file_id != old_file:
                    raise Conflict("record.changed", "记录已被修改，请刷新后重试")
                children.require_unique(child.code, rows, values, except_id=row.id)
                before = children.plain(rows)
                row.fields = values
                row.file_id = new_file
                row.updated_at = records.utcnow()
                records.rows_changed(
                    session, record, rtype, mode, before, children.plain(rows),
                    actor=self._actor(principal),
                    note=f"修改{children.ROW_NAMES[child.code]}："
                         f"{children.describe_row(child.code, values)}")
                return dump(sc.RecordDetail, records.detail(session, record))
        except Exception:
            if attached_now:
                self._release_row_file(new_file, row_id)
            raise

    @rpc
    def delete_row(self, record_id, row_id):
        """删除 a row; its file is detached."""
        principal = self._person()
        with self.db.read() as session:
            record, _rtype, _mode = self._row_target(session, record_id, principal.person_id)
            file_id = children.get_row(children.rows_of(session, record.id), row_id).file_id
        if file_id is not None:  # the file is released before the transaction
            self._detach([file_id], row_id, "reference")
        with self.db.transaction() as session:
            record, rtype, mode = self._row_target(session, record_id, principal.person_id,
                                                   for_update=True)
            rows = children.rows_of(session, record.id, for_update=True)
            row = children.get_row(rows, row_id)
            if row.file_id != file_id:
                raise Conflict("record.changed", "记录已被修改，请刷新后重试")
            before = children.plain(rows)
            rows.remove(row)
            session.delete(row)
            children.renumber(rows)
            records.rows_changed(
                session, record, rtype, mode, before, children.plain(rows),
                actor=self._actor(principal),
                note=f"删除{children.ROW_NAMES[row.kind]}："
                     f"{children.describe_row(row.kind, row.fields)}")
            return dump(sc.RecordDetail, records.detail(session, record))

    @rpc
    def move_row(self, record_id, row_id, direction):
        """↑ / ↓: the row changes places with its neighbour."""
        principal = self._person()
        data = load(sc.MoveSchema, {"direction": direction})
        with self.db.transaction() as session:
            record, rtype, mode = self._row_target(session, record_id, principal.person_id,
                                                   for_update=True)
            rows = children.rows_of(session, record.id, for_update=True)
            row = children.get_row(rows, row_id)
            before = children.plain(rows)
            children.move(rows, row, data["direction"])
            records.rows_changed(
                session, record, rtype, mode, before, children.plain(rows),
                actor=self._actor(principal),
                note=f"调整排序：{children.describe_row(row.kind, row.fields)}"
                     f"{'上移' if data['direction'] == 'up' else '下移'}")
            return dump(sc.RecordDetail, records.detail(session, record))
