"""RPC entrypoints of 继续教育 提取 (mixed into AchievementsService): operators load the
continuing-education platform's public-course hours (公需课, 2021 and later); a person's
提取 turns their own into approved 继续教育 records (来源 自动生成), once."""
from services.common.errors import Conflict, Invalid
from services.common.principal import OPERATOR
from services.common.rpc import rpc
from services.common.schemas import dump, load
from services.contracts import achievements as sc

from . import catalogue
from .logic import public_hours, records


class PublicHoursRpc:

    @rpc
    def load_public_hours(self, items=None, file_id=None):
        """Operators: the export's rows ``[{id_number, name, year, hours, project,
        organizer, certificate_no, start_date, end_date}]``, or ``file_id``: the export
        file (xlsx of the documents template ``public_hours``, uploaded by the caller),
        read by the documents service. All or nothing (422 with every row's problems,
        rows numbered as in the file). Answers {received, inserted, updated, unchanged}."""
        principal = self.principal.require(OPERATOR)
        if (items is None) == (file_id is None):
            raise Invalid("request.invalid", "请提供公需课学时数据或导出文件（二选一）",
                          {"fields": {"items": "items 与 file_id 须且只能提供一项"}})
        if file_id is None:
            cleaned = public_hours.clean_items(items, records.today())
        else:
            parsed = self.documents_rpc.parse_workbook(file_id, public_hours.TEMPLATE)
            items, numbers, unreadable = public_hours.items_of_workbook(parsed)
            if not items:
                raise Invalid("hours.empty", "导入文件中没有数据，请按模板填写后再上传",
                              {"fields": {"file_id": "导入文件中没有数据"}})
            cleaned = public_hours.clean_items(items, records.today(), row_numbers=numbers,
                                               unreadable=unreadable, field="file_id")
        with self.db.transaction() as session:
            counts = public_hours.load(session, cleaned, account_id=principal.account_id,
                                       now=records.utcnow())
        return dump(sc.HoursLoadResult, {"received": len(cleaned), **counts})

    @rpc
    def list_public_hours(self, **query):
        """Operators: the loaded rows (ID numbers masked)."""
        self.principal.require(OPERATOR)
        query = load(sc.HoursListSchema, query)
        with self._snapshot() as session:
            return dump(sc.HoursPage, public_hours.page(
                session, year=query.get("year"), q=query.get("q"),
                extracted=query.get("extracted"), page=query["page"],
                page_size=query["page_size"]))

    @rpc
    def extract_public_hours(self):
        """提取: the caller's public-course hours of 2021 and later not extracted yet
        become 继续教育 records, approved, 来源 自动生成 — without unit review. A second
        提取 creates nothing."""
        principal = self._person()
        brief = self.identity_rpc.get_person_brief(principal.person_id) or {}
        id_number = public_hours.normalize_id(brief.get("id_number"))
        if not id_number or "*" in id_number:
            raise Conflict("hours.no_id_number", "未能取得本人身份证号码，无法提取公需课学时")
        binding = self._binding(principal.person_id)
        unit_id = binding.get("unit_id") if binding.get("allowed") else None
        unit_name = binding.get("unit_name") if unit_id else None
        rtype = catalogue.TYPES["continuing_education"]
        actor = self._actor(principal)
        person_name = principal.name or brief.get("name")
        with self.db.transaction() as session:
            made = []
            now = records.utcnow()
            for row in public_hours.pending_for(session, id_number):
                record = records.create_auto(
                    session, rtype=rtype, person_id=principal.person_id,
                    person_name=person_name,
                    values=public_hours.record_values(row, records.today()),
                    unit_id=unit_id, unit_name=unit_name, actor=actor,
                    note=f"从继续教育管理平台提取{row.year}年公需课学时")
                row.extracted_record_id = record.id
                row.extracted_at = now
                made.append(record)
            items = [records.detail(session, r) for r in made]
        message = (f"已提取{len(made)}条公需课学时" if made
                   else f"没有可提取的公需课学时（{public_hours.FIRST_YEAR}年及以后）")
        return dump(sc.ExtractResult, {"created": len(made), "items": items,
                                        "message": message})
