"""专家查看 (Chongqing manual 2.4.2 and 3.4.2): the answer of
``workflow.declaration_expert_view`` / ``GET /api/v1/declarations/{id}/expert-view``."""
from services.common.schemas import BaseSchema, fields
from services.contracts.printing import ItemColumnSchema, OpinionSchema

from .declarations import DeclarationPlanRef


class ExpertFileSchema(BaseSchema):
    file_id = fields.Integer(metadata={"description": "文件编号"})
    file_name = fields.String(metadata={
        "description": "文件名（业绩佐证材料为空，可由文件信息接口查询）"})
    section = fields.String(metadata={
        "description": "所在栏目：申报业绩的栏目名称，或评审表栏目 health:<栏目>"})
    label = fields.String(metadata={"description": "材料名称：业绩名称或评审表栏目名称"})
    download_path = fields.String(metadata={
        "description": "下载接口（GET，返回5分钟内有效的下载地址）：/api/v1/files/{id}/download"})


class ExpertItemSchema(BaseSchema):
    record_id = fields.Raw(allow_none=True, metadata={"description": "业绩记录编号"})
    type_code = fields.String(metadata={"description": "业绩类型代码"})
    type_label = fields.String(metadata={"description": "业绩类型"})
    section = fields.String(metadata={"description": "申报业绩栏目"})
    title = fields.String(allow_none=True, metadata={"description": "业绩名称"})
    columns = fields.List(fields.Nested(ItemColumnSchema), metadata={
        "description": "与评审表打印相同的列（名称、值）"})
    evidence_file_ids = fields.List(fields.Integer(), metadata={
        "description": "佐证材料及病案、参考文献附件的文件编号（可下载）"})


class ExpertApplicantSchema(BaseSchema):
    person_id = fields.Integer()
    name = fields.String(metadata={"description": "姓名"})
    gender_label = fields.String(allow_none=True, metadata={"description": "性别"})
    id_number = fields.String(allow_none=True, metadata={"description": "证件号码（脱敏）"})
    unit_name = fields.String(allow_none=True, metadata={"description": "工作单位"})
    title = fields.String(allow_none=True, metadata={"description": "申报职称"})
    specialty = fields.String(allow_none=True, metadata={"description": "申报专业"})
    level_label = fields.String(allow_none=True, metadata={"description": "评审级别"})
    form_label = fields.String(allow_none=True, metadata={"description": "申报形式"})
    submitted_at = fields.String(allow_none=True, metadata={"description": "提交时间"})


class ExpertViewSchema(BaseSchema):
    declaration_id = fields.Integer()
    read_only = fields.Boolean(metadata={"description": "只读（专家查看不可修改），恒为 true"})
    status = fields.String()
    status_label = fields.String()
    plan = fields.Nested(DeclarationPlanRef)
    applicant = fields.Nested(ExpertApplicantSchema)
    health_form = fields.Dict(allow_none=True, metadata={
        "description": "卫生系列评审表的内容（与评审表打印相同的快照结构，见 docs/printing.md）："
                       "标记删除的行和材料不出现，各行附 evidence_file_id，证件号码和电话脱敏；"
                       "其他系列或尚未选择填报表格类别时为空"})
    items = fields.List(fields.Nested(ExpertItemSchema), metadata={
        "description": "申报业绩：标记删除的业绩不出现（与评审表打印相同）"})
    files = fields.List(fields.Nested(ExpertFileSchema), metadata={
        "description": "专家可查看的全部材料（评审表各栏目附件、照片、业绩佐证材料），"
                       "逐个可下载"})
    opinions = fields.List(fields.Nested(OpinionSchema), metadata={
        "description": "各级审核意见（本轮审核中已通过的单位）"})
