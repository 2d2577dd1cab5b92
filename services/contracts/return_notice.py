"""The 一次性告知 (return notice) of a returned achievement record: the unit's return
opinion and each rule its submission fails now, in one list (FAQ 003 单位常见问题 1: 退回…
需一次性告知退回意见). A declaration's notice (services.contracts.workflow.declarations.
ReturnNoticeSchema) has the same entries plus the items reviewers marked deleted.

Answered by the achievements service's ``record_return_notice`` (GET
/api/v1/records/{id}/return-notice) and printed by the documents service (POST
/api/v1/records/{id}/printouts/return-notice)."""
from services.common.schemas import BaseSchema, fields

# kind → 类别 shown to the applicant
RECORD_NOTICE_KINDS = {"opinion": "退回意见", "rule": "不满足的提交要求"}


class RecordReturnNoticeEntry(BaseSchema):
    kind = fields.String(metadata={
        "description": "opinion 退回意见 | rule 不满足的提交要求（字段、佐证材料、病案或参考文献、"
                       "单位绑定）"})
    kind_label = fields.String(metadata={"description": "类别名称"})
    section = fields.String(allow_none=True, metadata={
        "description": "字段编码（rows 为病案列表或参考文献，evidence_file_ids 为佐证材料）"})
    section_label = fields.String(allow_none=True, metadata={"description": "字段名称"})
    item_id = fields.Integer(allow_none=True, metadata={"description": "始终为空"})
    title = fields.String(allow_none=True, metadata={"description": "退回单位或字段名称"})
    code = fields.String(allow_none=True, metadata={"description": "不满足的要求编码"})
    message = fields.String(allow_none=True, metadata={
        "description": "需要修改的内容：退回意见或该项的问题"})


class RecordReturnNoticeSchema(BaseSchema):
    record_id = fields.Integer(metadata={"description": "业绩编号"})
    type_code = fields.String(metadata={"description": "业绩类别编码"})
    type_label = fields.String(metadata={"description": "业绩类别"})
    title = fields.String(allow_none=True, metadata={"description": "业绩名称"})
    status = fields.String(metadata={"description": "状态：returned"})
    status_label = fields.String(metadata={"description": "状态名称：退回"})
    person_name = fields.String(allow_none=True, metadata={"description": "申报人"})
    returned_at = fields.String(allow_none=True, metadata={"description": "退回时间（ISO）"})
    returned_by_unit_name = fields.String(allow_none=True, metadata={"description": "退回单位"})
    step_label = fields.String(allow_none=True, metadata={"description": "退回环节：单位审核"})
    count = fields.Integer(metadata={"description": "需修改的事项数"})
    items = fields.List(fields.Nested(RecordReturnNoticeEntry), metadata={
        "description": "一次性告知的全部事项：退回意见、每个当前不满足的提交要求"})
