"""Gateway operations of the achievements area (see docs/api.md, "Achievement records").

个人业绩库: a person's records of the 23 types (新增/保存/提交/修改/删除/撤回/查看), the
lists with keyword search and status tabs, 我的业绩 statistics and 撤回记录; the rows of
health records (病案列表, 参考文献: 新增/修改/删除/↑↓, 调整 of approved ones); Excel import
(preview, 正式导入); 继续教育 提取 and the operators' loading of public-course hours;
业绩档案: the records submitted to a unit admin's unit, and 撤销审核.
"""
import logging

import eventlet
from marshmallow import ValidationError, validates_schema
from nameko.exceptions import RemoteError, UnknownService
from werkzeug.wrappers import Response

from services.common.errors import AppError
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate
from services.contracts.achievements import (
    ID_RANGE,
    STATUS_CODES,
    STATUS_HELP,
    ExtractResult,
    HoursLoadResult,
    HoursPage,
    ImportCommitResult,
    ImportPreview,
    RecordBatchResult,
    RecordDetail,
    RecordPage,
    RecordStats,
    RowsPage,
    WithdrawalPage,
)
from services.contracts.return_notice import RecordReturnNoticeSchema

from ..http import route

log = logging.getLogger("gateway")

TAG = "个人业绩库"
UNIT_TAG = "业绩档案"
IMPORT_TAG = "业绩导入"
HOURS_TAG = "继续教育学时"
HISTORY_TIMEOUT = 5.0


# --------------------------------------------------------------------------- requests

class RecordCreateBody(BaseSchema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "业绩类别", "example": "work_history",
                                   "description": "业绩类型代码（GET /api/v1/achievement-types）"})
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "业绩信息",
                                   "description": "字段代码 → 值；日期 YYYY-MM-DD，排名 {rank, "
                                                  "total}"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=list, validate=validate.Length(max=50),
                                    metadata={"label": "佐证材料",
                                              "description": "已上传完成的文件编号"})
    submit = fields.Boolean(load_default=False,
                            metadata={"description": "true: 保存并提交至单位审核"})


class RecordUpdateBody(BaseSchema):
    values = fields.Dict(keys=fields.String(), load_default=None, allow_none=True,
                         data_key="fields",
                         metadata={"label": "业绩信息",
                                   "description": "给出的字段替换原值，null 清空该字段"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=None, allow_none=True,
                                    validate=validate.Length(max=50),
                                    metadata={"label": "佐证材料",
                                              "description": "给出时替换全部佐证材料"})


class RecordIdsBody(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                             validate=validate.Length(min=1, max=200),
                             metadata={"label": "业绩记录"})


class RecordWithdrawBody(BaseSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "撤回原因"})


class RecordListQuery(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40),
                         metadata={"label": "业绩类别", "description": "业绩类型代码"})
    category = fields.String(load_default=None, validate=validate.Length(max=20),
                             metadata={"label": "业绩大类"})
    status = fields.String(load_default=None, validate=validate.OneOf(["all"] + STATUS_CODES),
                           metadata={"label": "审核状态", "description": STATUS_HELP})


class UnitRecordListQuery(RecordListQuery):
    person = fields.String(load_default=None, validate=validate.Length(max=50),
                           metadata={"label": "申报人", "description": "申报人姓名（包含）"})
    person_id = fields.Integer(load_default=None, validate=ID_RANGE,
                               metadata={"label": "申报人编号"})


class WithdrawalListQuery(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40),
                         metadata={"label": "业绩类别"})
    category = fields.String(load_default=None, validate=validate.Length(max=20),
                             metadata={"label": "业绩大类"})
    status = fields.String(load_default=None,
                           validate=validate.OneOf(STATUS_CODES + ["deleted"]),
                           metadata={"label": "状态", "description":
                                     "业绩当前状态；deleted 已删除"})


class RowBody(BaseSchema):
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "明细信息", "description":
                                   "病案：admission_no 住院（门诊）号, patient_name 病人姓名, "
                                   "gender, age, group, admission_date, discharge_date, "
                                   "admission_diagnosis, discharge_diagnosis, remarks；"
                                   "参考文献：year 年度, title 文献名称"})
    file_id = fields.Integer(load_default=None, allow_none=True,
                             validate=ID_RANGE,
                             metadata={"label": "附件", "description":
                                       "参考文献的附件（已上传完成的文件编号）"})


class RowUpdateBody(BaseSchema):
    values = fields.Dict(keys=fields.String(), data_key="fields",
                         metadata={"label": "明细信息",
                                   "description": "给出的字段替换原值，null 清空该字段"})
    file_id = fields.Integer(allow_none=True, validate=ID_RANGE,
                             metadata={"label": "附件",
                                       "description": "给出时替换附件（null 删除）"})


class RowMoveBody(BaseSchema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]),
                              metadata={"label": "方向", "description": "up ↑ 上移, down ↓ 下移"})


class RevokeBody(BaseSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "撤销原因"})


class ImportBody(BaseSchema):
    target = fields.String(required=True,
                           validate=validate.OneOf(["health_case", "cases", "references"]),
                           metadata={"label": "导入类型", "description":
                                     "health_case 卫生-病案（模板 medical_records）, cases "
                                     "专题/论文的病案列表（模板 cases）, references 综述的参考文献"
                                     "（模板 references）"})
    file_id = fields.Integer(required=True, validate=ID_RANGE,
                             metadata={"label": "导入文件",
                                       "description": "已上传完成的 xlsx（上传位置 "
                                                      "import_workbook）"})
    record_id = fields.Integer(load_default=None, allow_none=True,
                               validate=ID_RANGE,
                               metadata={"label": "业绩记录",
                                         "description": "cases/references 导入到的业绩"})


class HoursItem(LenientSchema):
    id_number = fields.String(metadata={"description": "身份证号码"})
    name = fields.String(metadata={"description": "姓名"})
    year = fields.Raw(metadata={"description": "年度（2021及以后）"})
    hours = fields.Raw(metadata={"description": "学时"})
    project = fields.String(allow_none=True)
    organizer = fields.String(allow_none=True)
    certificate_no = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)


class HoursLoadBody(BaseSchema):
    items = fields.List(fields.Dict(), load_default=None,
                        validate=validate.Length(min=1, max=10000),
                        metadata={"label": "公需课学时", "description":
                                  "继续教育管理平台导出的公需课学时：[{id_number 身份证号码, "
                                  "name 姓名, year 年度, hours 学时, project, organizer, "
                                  "certificate_no, start_date, end_date}]；与 file_id 二选一"})
    file_id = fields.Integer(load_default=None, validate=ID_RANGE,
                             metadata={"label": "导出文件", "description":
                                       "已上传完成的导出文件 xlsx（上传位置 import_workbook，"
                                       "模板 GET /api/v1/templates/public_hours）；"
                                       "与 items 二选一"})

    @validates_schema
    def _one_source(self, data, **kwargs):
        if (data.get("items") is None) == (data.get("file_id") is None):
            raise ValidationError("请提供公需课学时数据（items）或导出文件（file_id），二选一",
                                  "items")


class HoursListQuery(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "年度"})
    extracted = fields.Boolean(load_default=None, allow_none=True,
                               metadata={"label": "是否已提取"})


# --------------------------------------------------------------------------- routes

class _NoHistory(Exception):
    pass


class AchievementRoutes:

    def _record_history(self, record_id):
        """The record's review history from workflow; (entries, available)."""
        try:
            reply = self.workflow_rpc.history.call_async("achievements", "record", record_id)
            with eventlet.Timeout(HISTORY_TIMEOUT, _NoHistory()):
                return list(reply.result() or []), True
        except (UnknownService, RemoteError, AppError, _NoHistory) as exc:
            log.warning("review history of record %s unavailable: %s", record_id, exc)
            return [], False

    def _with_history(self, detail):
        detail["history"], detail["history_available"] = self._record_history(detail["id"])
        return detail

    def _with_tasks(self, page):
        """业绩档案 rows with the caller's unit's open task of each (``task_id``,
        ``process_id``, ``task_claimed_by``: null when the record waits for no decision
        of this unit), so that 审核 and 批量审核 need no look-up (FAQ 003 单位常见问题 4).
        ``tasks_available`` is false when the task center did not answer."""
        items = page.get("items") or []
        waiting = [item["id"] for item in items if item.get("status") == "submitted"]
        found, available = [], True
        if waiting:
            try:
                reply = self.workflow_rpc.subject_tasks.call_async(
                    "achievements", "record", waiting)
                with eventlet.Timeout(HISTORY_TIMEOUT, _NoHistory()):
                    found = list(reply.result() or [])
            except (UnknownService, RemoteError, AppError, _NoHistory) as exc:
                log.warning("open tasks of 业绩档案 rows unavailable: %s", exc)
                available = False
        by_record = {str(t["subject_id"]): t for t in found}
        for item in items:
            task = by_record.get(str(item["id"]))
            item["task_id"] = task["task_id"] if task else None
            item["process_id"] = task["process_id"] if task else None
            item["task_claimed_by"] = task["claimed_by"] if task else None
        page["tasks_available"] = available
        return page

    @route("POST", "/api/v1/records", summary="新增业绩（保存或保存并提交）", tag=TAG,
           roles=(PERSON,), body=RecordCreateBody, response=RecordDetail, status=201,
           errors=(404, 409, 503),
           description="保存为编辑中的业绩（检查格式，不检查必填项）。submit=true 时完整校验"
                       "后提交至绑定的工作单位审核；不能提交时（未绑定工作单位或绑定未审核"
                       "通过：409 record.unbound；内容有误：422 record.invalid）什么也不保存。")
    def create_record(self, ctx):
        body = ctx.body
        detail = self.achievements_rpc.create_record(
            type=body["type"], fields=body["values"],
            evidence_file_ids=body["evidence_file_ids"], submit=body["submit"])
        detail["history"], detail["history_available"] = [], True
        return detail

    @route("GET", "/api/v1/records", summary="我的业绩列表（查询、状态页签、分页）", tag=TAG,
           roles=(PERSON,), query=RecordListQuery, response=RecordPage,
           description="关键字（q）模糊查询该类型的查询字段和标题；counts 为同一筛选条件下"
                       "各状态页签的数量。")
    def list_records(self, ctx):
        return self.achievements_rpc.list_records(**ctx.query)

    @route("GET", "/api/v1/records/stats", summary="我的业绩统计（环形图、菜单数量）", tag=TAG,
           roles=(PERSON,), response=RecordStats)
    def record_stats(self, ctx):
        return self.achievements_rpc.record_stats()

    @route("GET", "/api/v1/records/{id}", summary="查看业绩（详情与审核流程）", tag=TAG,
           roles=(PERSON, UNIT_ADMIN), response=RecordDetail, errors=(404,),
           description="本人，或业绩提交至的单位的管理员可以查看。")
    def get_record(self, ctx, id):
        return self._with_history(self.achievements_rpc.get_record(id))

    @route("PATCH", "/api/v1/records/{id}", summary="修改业绩（编辑中或退回的记录）", tag=TAG,
           roles=(PERSON,), body=RecordUpdateBody, response=RecordDetail,
           errors=(404, 409))
    def update_record(self, ctx, id):
        detail = self.achievements_rpc.update_record(
            id, fields=ctx.body["values"], evidence_file_ids=ctx.body["evidence_file_ids"])
        return self._with_history(detail)

    @route("DELETE", "/api/v1/records/{id}", summary="删除业绩（编辑中或退回的记录）", tag=TAG,
           roles=(PERSON,), status=204, errors=(404, 409))
    def delete_record(self, ctx, id):
        self.achievements_rpc.delete_record(id)
        return Response(status=204)

    @route("POST", "/api/v1/records/{id}/submit", summary="提交业绩至单位审核", tag=TAG,
           roles=(PERSON,), response=RecordDetail, errors=(404, 409, 503),
           description="须已绑定工作单位并审核通过（否则 409 record.unbound，附原因），各字段"
                       "和佐证材料须填写正确（否则 422 record.invalid）。")
    def submit_record(self, ctx, id):
        return self._with_history(self.achievements_rpc.submit_record(id))

    @route("POST", "/api/v1/records/submit", summary="批量提交业绩（如卫生-病案）", tag=TAG,
           roles=(PERSON,), body=RecordIdsBody, response=RecordBatchResult,
           errors=(404, 409, 503),
           description="全部提交或全部不提交：不能提交时 details.records 列出每条不能提交的"
                       "业绩及原因。")
    def submit_records(self, ctx):
        result = self.achievements_rpc.submit_records(ctx.body["record_ids"])
        for detail in result["items"]:
            detail["history"], detail["history_available"] = [], True
        return result

    @route("GET", "/api/v1/records/{id}/return-notice", summary="业绩退回告知（一次性告知）",
           tag=TAG, roles=(PERSON,), response=RecordReturnNoticeSchema, errors=(404, 409),
           description="被单位退回的业绩需修改的全部事项，一次列出：退回意见，以及再次提交时"
                       "当前不满足的每项要求（字段、佐证材料、病案或参考文献、单位绑定）。"
                       "只有本人可查看；未被退回时 409 record.not_returned。打印见 POST "
                       "/records/{id}/printouts/return-notice。")
    def record_return_notice(self, ctx, id):
        return self.achievements_rpc.record_return_notice(id)

    @route("POST", "/api/v1/records/{id}/withdraw", summary="撤回业绩", tag=TAG,
           roles=(PERSON,), body=RecordWithdrawBody, response=RecordDetail,
           errors=(404, 409),
           description="单位尚未审核的已提交业绩，或未被申报引用的审核通过业绩，可以撤回"
                       "（否则 409 record.locked）：业绩回到编辑中，并列入撤回记录。")
    def withdraw_record(self, ctx, id):
        detail = self.achievements_rpc.withdraw_record(id, reason=ctx.body["reason"])
        return self._with_history(detail)

    @route("GET", "/api/v1/withdrawals", summary="撤回记录", tag=TAG, roles=(PERSON,),
           query=WithdrawalListQuery, response=WithdrawalPage)
    def list_withdrawals(self, ctx):
        return self.achievements_rpc.list_withdrawals(**ctx.query)

    @route("GET", "/api/v1/unit/records", summary="业绩档案：提交至本单位的业绩", tag=UNIT_TAG,
           roles=(UNIT_ADMIN,), query=UnitRecordListQuery, response=RecordPage,
           description="提交至本单位的业绩（不含编辑中的），附申报人；q 也按申报人姓名查询。"
                       "等待本单位审核的业绩带 task_id（待办任务，用于审核或批量审核）、"
                       "process_id 和 task_claimed_by。")
    def list_unit_records(self, ctx):
        return self._with_tasks(self.achievements_rpc.list_unit_records(**ctx.query))

    @route("GET", "/api/v1/unit/records/stats", summary="业绩档案统计（菜单数量）",
           tag=UNIT_TAG, roles=(UNIT_ADMIN,), response=RecordStats)
    def unit_record_stats(self, ctx):
        return self.achievements_rpc.unit_record_stats()

    # ------------------------------------------------------------------ rows (病案列表, 参考文献)

    @route("GET", "/api/v1/records/{id}/rows", summary="病案列表或参考文献", tag=TAG,
           roles=(PERSON, UNIT_ADMIN), response=RowsPage, errors=(404, 409))
    def list_record_rows(self, ctx, id):
        return self.achievements_rpc.list_rows(id)

    @route("POST", "/api/v1/records/{id}/rows", summary="新增病案或参考文献（含调整）", tag=TAG,
           roles=(PERSON,), body=RowBody, response=RecordDetail, status=201,
           errors=(404, 409),
           description="业绩为编辑中或退回时可添加；对审核通过的卫生-专题/论文/综述为调整："
                       "不重新审核，记入操作记录，使其不再满足规则时拒绝（422 "
                       "record.rows_rule）。参考文献的文件附在该参考文献上。")
    def add_record_row(self, ctx, id):
        detail = self.achievements_rpc.add_row(id, fields=ctx.body["values"],
                                               file_id=ctx.body["file_id"])
        return self._with_history(detail)

    @route("PATCH", "/api/v1/records/{id}/rows/{row_id}", summary="修改病案或参考文献（含调整）",
           tag=TAG, roles=(PERSON,), body=RowUpdateBody, response=RecordDetail,
           errors=(404, 409))
    def update_record_row(self, ctx, id, row_id):
        changes = {}
        if "values" in ctx.body:
            changes["fields"] = ctx.body["values"]
        if "file_id" in ctx.body:
            changes["file_id"] = ctx.body["file_id"]
        return self._with_history(self.achievements_rpc.update_row(id, row_id, **changes))

    @route("DELETE", "/api/v1/records/{id}/rows/{row_id}", summary="删除病案或参考文献（含调整）",
           tag=TAG, roles=(PERSON,), response=RecordDetail, errors=(404, 409))
    def delete_record_row(self, ctx, id, row_id):
        return self._with_history(self.achievements_rpc.delete_row(id, row_id))

    @route("POST", "/api/v1/records/{id}/rows/{row_id}/move", summary="调整排序（↑ ↓）",
           tag=TAG, roles=(PERSON,), body=RowMoveBody, response=RecordDetail,
           errors=(404, 409))
    def move_record_row(self, ctx, id, row_id):
        return self._with_history(
            self.achievements_rpc.move_row(id, row_id, ctx.body["direction"]))

    # ------------------------------------------------------------------ Excel import

    @route("POST", "/api/v1/imports", summary="Excel导入预览（逐行：允许导入或错误原因）",
           tag=IMPORT_TAG, roles=(PERSON,), body=ImportBody, response=ImportPreview,
           status=201, errors=(404, 409, 413, 415),
           description="先下载模板（GET /api/v1/templates/{name}），上传填好的 Excel（上传"
                       "位置 import_workbook），再预览：每一行显示允许导入，或逐列列出问题"
                       "（含文件内重复及与已有数据重复）。正式导入前不导入任何数据。")
    def preview_import(self, ctx):
        return self.achievements_rpc.preview_import(
            ctx.body["target"], ctx.body["file_id"], record_id=ctx.body["record_id"])

    @route("GET", "/api/v1/imports/{id}", summary="Excel导入预览（再次查看）", tag=IMPORT_TAG,
           roles=(PERSON,), response=ImportPreview, errors=(404,))
    def get_import(self, ctx, id):
        return self.achievements_rpc.get_import(id)

    @route("POST", "/api/v1/imports/{id}/commit", summary="正式导入（导入允许导入的行）",
           tag=IMPORT_TAG, roles=(PERSON,), response=ImportCommitResult, errors=(404, 409),
           description="在一个事务中导入预览中允许导入的行。再次提交不会重复导入"
                       "（already_committed=true）。")
    def commit_import(self, ctx, id):
        return self.achievements_rpc.commit_import(id)

    # ------------------------------------------------------------------ 继续教育 提取

    @route("POST", "/api/v1/records/extract", summary="提取公需课学时（继续教育，自动生成）",
           tag=TAG, roles=(PERSON,), response=ExtractResult, errors=(409, 503),
           description="从继续教育平台导入的本人 2021 年及以后的公需课学时，生成审核通过的"
                       "继续教育业绩（来源：自动生成，无需单位审核）。再次提取不会重复生成。")
    def extract_public_hours(self, ctx):
        result = self.achievements_rpc.extract_public_hours()
        for detail in result["items"]:
            detail["history"], detail["history_available"] = [], True
        return result

    @route("POST", "/api/v1/continuing-education/hours", summary="导入继续教育平台公需课学时",
           tag=HOURS_TAG, roles=(OPERATOR,), body=HoursLoadBody, response=HoursLoadResult,
           errors=(404, 409, 413, 415),
           description="运维人员导入继续教育平台导出的公需课学时（2021 年及以后）：以 JSON "
                       "items 提交，或下载模板 public_hours、上传填好的 Excel（上传位置 "
                       "import_workbook）后提交 {file_id}，由文件服务读取。全部导入或全部"
                       "不导入：有误时 422 hours.invalid，details.rows 为 [{row, column, "
                       "label, message}]（行号与 Excel 一致）。")
    def load_public_hours(self, ctx):
        return self.achievements_rpc.load_public_hours(items=ctx.body["items"],
                                                       file_id=ctx.body["file_id"])

    @route("GET", "/api/v1/continuing-education/hours", summary="已导入的公需课学时",
           tag=HOURS_TAG, roles=(OPERATOR,), query=HoursListQuery, response=HoursPage)
    def list_public_hours(self, ctx):
        return self.achievements_rpc.list_public_hours(**ctx.query)

    # ------------------------------------------------------------------ 撤销审核

    @route("POST", "/api/v1/unit/records/{id}/revoke", summary="撤销审核（退回已审核通过的业绩）",
           tag=UNIT_TAG, roles=(UNIT_ADMIN,), body=RevokeBody, response=RecordDetail,
           errors=(404, 409),
           description="审核通过该业绩的单位的管理员撤销审核通过（已被申报引用或来源为自动"
                       "生成的不可撤销）：业绩回到审核中，单位任务中心生成新的待审核任务，"
                       "可填写审核意见退回。")
    def revoke_record(self, ctx, id):
        return self._with_history(
            self.achievements_rpc.revoke_approval(id, reason=ctx.body["reason"]))
