"""Gateway operations of the achievements area (see docs/api.md, "Achievement records").

个人业绩库: a person's records of the 23 types (新增/保存/提交/修改/删除/撤回/查看), the
lists with keyword search and status tabs, 我的业绩 statistics and 撤回记录; 业绩档案: the
records submitted to a unit admin's unit.
"""
import logging

import eventlet
from nameko.exceptions import RemoteError, UnknownService
from werkzeug.wrappers import Response

from services.common.errors import AppError
from services.common.principal import PERSON, UNIT_ADMIN
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

from ..http import route

log = logging.getLogger("gateway")

TAG = "个人业绩库"
UNIT_TAG = "业绩档案"
STATUS_CODES = ["draft", "submitted", "approved", "returned", "terminated"]
STATUS_HELP = ("draft 编辑中, submitted 审核中, approved 审核通过, returned 退回, "
               "terminated 终止")
HISTORY_TIMEOUT = 5.0


# --------------------------------------------------------------------------- requests

class RecordCreateBody(BaseSchema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "业绩类别", "example": "work_history",
                                   "description": "业绩类型代码（GET /api/v1/achievement-types）"})
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "业绩信息",
                                   "description": "字段代码 → 值；日期 YYYY-MM-DD，排名 {rank, total}"})
    evidence_file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
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
    evidence_file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                                    load_default=None, allow_none=True,
                                    validate=validate.Length(max=50),
                                    metadata={"label": "佐证材料",
                                              "description": "给出时替换全部佐证材料"})


class RecordIdsBody(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
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
    person_id = fields.Integer(load_default=None, validate=validate.Range(min=1),
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


# --------------------------------------------------------------------------- answers

class RecordItem(LenientSchema):
    id = fields.Integer()
    type = fields.String(metadata={"description": "业绩类型代码"})
    type_label = fields.String(metadata={"example": "工作经历"})
    category = fields.String()
    category_label = fields.String(metadata={"example": "基本信息"})
    title = fields.String(metadata={"description": "业绩名称"})
    columns = fields.Dict(metadata={"description": "该类型列表列的字段值（字段代码 → 值）"})
    status = fields.String(metadata={"description": STATUS_HELP})
    status_label = fields.String(metadata={"example": "审核中"})
    source = fields.String(metadata={"description": "user 用户申报, auto 自动生成"})
    source_label = fields.String(metadata={"example": "用户申报"})
    person_id = fields.Integer()
    person_name = fields.String(metadata={"description": "申报人"})
    unit_id = fields.Integer(allow_none=True, metadata={"description": "提交审核的单位"})
    unit_name = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "审核意见（退回意见）"})
    locked = fields.Boolean(metadata={"description": "已被职称申报引用"})
    lock_count = fields.Integer()
    actions = fields.List(fields.String(), metadata={
        "description": "本人现在可做的操作：edit 修改, delete 删除, submit 提交, withdraw 撤回"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True, metadata={"description": "申报日期"})
    decided_at = fields.String(allow_none=True, metadata={"description": "审核时间"})


class RecordPage(LenientSchema):
    items = fields.List(fields.Nested(RecordItem))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "状态页签的数量：all 全部 及各状态（同一筛选条件，不含状态）"})
    page = fields.Integer()
    page_size = fields.Integer()


class RecordDisplayField(LenientSchema):
    key = fields.String()
    label = fields.String()
    kind = fields.String()
    unit = fields.String()
    value = fields.Raw(allow_none=True)


class RecordTrailEntry(LenientSchema):
    action = fields.String(metadata={"description": "created, saved, submitted, approved, "
                                                    "returned, terminated, withdrawn, "
                                                    "decision_ignored"})
    action_label = fields.String()
    status_from = fields.String(allow_none=True)
    status_to = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    account_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    process_id = fields.Integer(allow_none=True)
    at = fields.String()


class RecordHistoryEntry(LenientSchema):
    process_id = fields.Integer()
    step_index = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.String()
    opinion = fields.String(allow_none=True)
    at = fields.String()


class RecordDetail(RecordItem):
    values = fields.Dict(attribute="fields", data_key="fields",
                         metadata={"description": "全部字段值（字段代码 → 值）"})
    display = fields.List(fields.Nested(RecordDisplayField),
                          metadata={"description": "按类型字段顺序的标签与值"})
    evidence_file_ids = fields.List(fields.Integer())
    evidence_required = fields.Boolean()
    children = fields.String(allow_none=True, metadata={"description": "明细类型（病案、参考文献）"})
    trail = fields.List(fields.Nested(RecordTrailEntry),
                        metadata={"description": "本服务记录的操作经过"})
    history = fields.List(fields.Nested(RecordHistoryEntry),
                          metadata={"description": "审核流程（workflow 的审核历史）"})
    history_available = fields.Boolean(metadata={"description": "审核流程是否取到"})


class RecordBatchResult(LenientSchema):
    submitted = fields.List(fields.Integer())
    items = fields.List(fields.Nested(RecordDetail))


class RecordCategoryStats(LenientSchema):
    code = fields.String()
    label = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class RecordTypeStats(LenientSchema):
    code = fields.String()
    label = fields.String()
    category = fields.String(allow_none=True)
    health_only = fields.Boolean()
    total = fields.Integer(metadata={"description": "全部"})
    approved = fields.Integer(metadata={"description": "审核通过"})


class RecordStats(LenientSchema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "all 全部, draft 编辑中, submitted 审核中, approved 审核通过, "
                       "returned 退回, terminated 终止"})
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    categories = fields.List(fields.Nested(RecordCategoryStats))
    types = fields.List(fields.Nested(RecordTypeStats))


class WithdrawalItem(LenientSchema):
    id = fields.Integer()
    record_id = fields.Integer()
    type = fields.String()
    type_label = fields.String(metadata={"description": "业绩类别"})
    category = fields.String(allow_none=True)
    title = fields.String(metadata={"description": "业绩名称"})
    requested_at = fields.String(metadata={"description": "申请时间"})
    previous_status = fields.String()
    previous_status_label = fields.String(metadata={"description": "撤回前状态"})
    handling = fields.String()
    handling_label = fields.String(metadata={"description": "处理情况", "example": "已撤回"})
    status = fields.String()
    status_label = fields.String(metadata={"description": "状态（业绩当前状态）"})
    reason = fields.String(allow_none=True)


class WithdrawalPage(LenientSchema):
    items = fields.List(fields.Nested(WithdrawalItem))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


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

    @route("POST", "/api/v1/records", summary="新增业绩（保存或保存并提交）", tag=TAG,
           roles=(PERSON,), body=RecordCreateBody, response=RecordDetail, status=201,
           errors=(404, 409, 503),
           description="Saves a draft (编辑中; formats checked, required marks not). With "
                       "submit=true the record is validated fully and submitted to the "
                       "bound unit; when that is refused (no approved binding: 409 "
                       "record.unbound; invalid: 422 record.invalid) nothing is saved.")
    def create_record(self, ctx):
        body = ctx.body
        detail = self.achievements_rpc.create_record(
            type=body["type"], fields=body["values"],
            evidence_file_ids=body["evidence_file_ids"], submit=body["submit"])
        detail["history"], detail["history_available"] = [], True
        return detail

    @route("GET", "/api/v1/records", summary="我的业绩列表（查询、状态页签、分页）", tag=TAG,
           roles=(PERSON,), query=RecordListQuery, response=RecordPage,
           description="Keyword search (q) over the type's query fields and title; counts "
                       "are the status tabs for the same filter.")
    def list_records(self, ctx):
        return self.achievements_rpc.list_records(**ctx.query)

    @route("GET", "/api/v1/records/stats", summary="我的业绩统计（环形图、菜单数量）", tag=TAG,
           roles=(PERSON,), response=RecordStats)
    def record_stats(self, ctx):
        return self.achievements_rpc.record_stats()

    @route("GET", "/api/v1/records/{id}", summary="查看业绩（详情与审核流程）", tag=TAG,
           roles=(PERSON, UNIT_ADMIN), response=RecordDetail, errors=(404,),
           description="The owner, or an admin of the unit the record was submitted to.")
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
           description="Needs an approved unit binding (409 record.unbound with the reason) "
                       "and every field and the evidence valid (422 record.invalid).")
    def submit_record(self, ctx, id):
        return self._with_history(self.achievements_rpc.submit_record(id))

    @route("POST", "/api/v1/records/submit", summary="批量提交业绩（如卫生-病案）", tag=TAG,
           roles=(PERSON,), body=RecordIdsBody, response=RecordBatchResult,
           errors=(404, 409, 503),
           description="All or nothing: details.records names each refused record.")
    def submit_records(self, ctx):
        result = self.achievements_rpc.submit_records(ctx.body["record_ids"])
        for detail in result["items"]:
            detail["history"], detail["history_available"] = [], True
        return result

    @route("POST", "/api/v1/records/{id}/withdraw", summary="撤回业绩", tag=TAG,
           roles=(PERSON,), body=RecordWithdrawBody, response=RecordDetail,
           errors=(404, 409),
           description="A submitted record the unit has not decided, or an approved one no "
                       "declaration imported (409 record.locked otherwise), goes back to "
                       "编辑中 and is listed in 撤回记录.")
    def withdraw_record(self, ctx, id):
        detail = self.achievements_rpc.withdraw_record(id, reason=ctx.body["reason"])
        return self._with_history(detail)

    @route("GET", "/api/v1/withdrawals", summary="撤回记录", tag=TAG, roles=(PERSON,),
           query=WithdrawalListQuery, response=WithdrawalPage)
    def list_withdrawals(self, ctx):
        return self.achievements_rpc.list_withdrawals(**ctx.query)

    @route("GET", "/api/v1/unit/records", summary="业绩档案：提交至本单位的业绩", tag=UNIT_TAG,
           roles=(UNIT_ADMIN,), query=UnitRecordListQuery, response=RecordPage,
           description="Records submitted to the caller's unit (drafts excluded), with "
                       "申报人; q also matches the 申报人 name.")
    def list_unit_records(self, ctx):
        return self.achievements_rpc.list_unit_records(**ctx.query)

    @route("GET", "/api/v1/unit/records/stats", summary="业绩档案统计（菜单数量）",
           tag=UNIT_TAG, roles=(UNIT_ADMIN,), response=RecordStats)
    def unit_record_stats(self, ctx):
        return self.achievements_rpc.unit_record_stats()
