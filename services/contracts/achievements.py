"""What other services and the gateway may know of the achievements service.

- Code tables: record-type codes and categories (the catalogue itself, with fields and
  rules, stays in achievements; a test there keeps these tables equal to it), record
  statuses and sources with their labels, import targets.
- RPC requests: what the service loads its arguments with (``RecordCreateSchema`` …).
- RPC answers: what the service dumps its answers with and the gateway declares its
  routes with (``RecordDetail``, ``RecordPage`` …, ``AchievementTypesSchema``).
- Event data: ``review_requested`` and ``review_withdrawn`` as achievements publishes them.
"""
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate
from services.common.schemas import fields as mf

CATEGORIES = {
    'basic': '基本信息',
    'honor': '表彰考核',
    'ability': '能力条件',
    'performance': '工作业绩',
    'research': '论文著作科研',
    'aid': '对外援助',
    'health': '行业专用',
}

# record-type code → (label, category code)
RECORD_TYPES = {
    'work_history': ('工作经历', 'basic'),
    'education': ('教育经历', 'basic'),
    'continuing_education': ('继续教育', 'basic'),
    'project_award': ('项目获奖', 'honor'),
    'honor_award': ('表彰奖励', 'honor'),
    'annual_assessment': ('年度考核', 'honor'),
    'patent': ('专利著作权', 'ability'),
    'academic_post': ('学术技术兼职', 'ability'),
    'qualification': ('资质证书', 'ability'),
    'comprehensive': ('综合业绩能力', 'ability'),
    'research_project': ('科研（基金）项目', 'performance'),
    'engineering_project': ('主持参与工程技术项目', 'performance'),
    'adoption': ('成果采纳运用推广', 'performance'),
    'standard': ('制定标准', 'performance'),
    'work_summary': ('工作（技术）总结报告', 'research'),
    'paper': ('论文发表情况', 'research'),
    'book': ('著（译）作（教材）', 'research'),
    'aid': ('援助困难地区（单位）', 'aid'),
    'health_case': ('卫生-病案', 'health'),
    'health_topic': ('卫生-专题', 'health'),
    'health_paper': ('卫生-论文', 'health'),
    'health_review': ('卫生-综述', 'health'),
    'health_masterpiece': ('卫生-成果代表作', 'health'),
}


# Record statuses (审核状态) and sources (来源).
DRAFT, SUBMITTED, APPROVED, RETURNED, TERMINATED = (
    "draft", "submitted", "approved", "returned", "terminated")
STATUS_LABELS = {
    DRAFT: "编辑中",
    SUBMITTED: "审核中",
    APPROVED: "审核通过",
    RETURNED: "退回",
    TERMINATED: "终止",
}
STATUSES = tuple(STATUS_LABELS)
STATUS_CODES = list(STATUSES)
STATUS_HELP = ("draft 编辑中, submitted 审核中, approved 审核通过, returned 退回, "
               "terminated 终止")
USER, AUTO = "user", "auto"
SOURCE_LABELS = {USER: "用户申报", AUTO: "自动生成"}

# Excel import targets (业绩导入).
IMPORT_TARGETS = {"health_case": "卫生-病案", "cases": "病案列表", "references": "参考文献"}

# The review kind and subject of a record in the review engine's events.
REVIEW_KIND = "record"
SUBJECT_SERVICE = "achievements"
SUBJECT_TYPE = "record"

STATUS_FILTER = ("all",) + STATUSES
MAX_EVIDENCE = 50
MAX_BATCH = 200
MAX_ID = 2**63 - 1  # PostgreSQL bigint
ID_RANGE = validate.Range(min=1, max=MAX_ID)


# --------------------------------------------------------------------------- RPC requests

class RecordCreateSchema(BaseSchema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "业绩类别"})
    # "fields" on the wire; a schema cannot have an attribute named fields
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=list,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})
    submit = fields.Boolean(load_default=False)


class RecordUpdateSchema(BaseSchema):
    values = fields.Dict(keys=fields.String(), load_default=None, allow_none=True,
                         data_key="fields", metadata={"label": "业绩信息"})
    evidence_file_ids = fields.List(fields.Integer(validate=ID_RANGE),
                                    load_default=None, allow_none=True,
                                    validate=validate.Length(max=MAX_EVIDENCE),
                                    metadata={"label": "佐证材料"})


class RecordIdsSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH),
                             metadata={"label": "业绩记录"})


class RecordListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUS_FILTER))


class UnitRecordListSchema(RecordListSchema):
    person = fields.String(load_default=None, validate=validate.Length(max=50))
    person_id = fields.Integer(load_default=None, validate=ID_RANGE)


class WithdrawSchema(LenientSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "撤回原因"})


class WithdrawalListSchema(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    status = fields.String(load_default=None,
                           validate=validate.OneOf(STATUSES + ("deleted",)))


class LockSchema(BaseSchema):
    record_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                             validate=validate.Length(min=1, max=MAX_BATCH))
    declaration_id = fields.Integer(required=True, validate=ID_RANGE)
    person_id = fields.Integer(load_default=None, allow_none=True)


class UnlockSchema(BaseSchema):
    declaration_id = fields.Integer(required=True, validate=ID_RANGE)
    record_ids = fields.List(fields.Integer(validate=ID_RANGE),
                             load_default=None, allow_none=True)


class RowSchema(BaseSchema):
    """A case row or a reference (新增)."""
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields",
                         metadata={"label": "明细信息"})
    file_id = fields.Integer(load_default=None, allow_none=True,
                             validate=ID_RANGE, metadata={"label": "附件"})


class RowUpdateSchema(BaseSchema):
    """修改: given fields replace the stored ones (null clears one); ``file_id`` given
    (even null) replaces the row's file."""
    values = fields.Dict(keys=fields.String(), data_key="fields", metadata={"label": "明细信息"})
    file_id = fields.Integer(allow_none=True, validate=ID_RANGE,
                             metadata={"label": "附件"})


class MoveSchema(BaseSchema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]),
                              metadata={"label": "方向"})


class ReasonSchema(LenientSchema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200), metadata={"label": "原因"})


class ImportRequestSchema(BaseSchema):
    target = fields.String(required=True,
                           validate=validate.OneOf(list(IMPORT_TARGETS)),
                           metadata={"label": "导入类型"})
    file_id = fields.Integer(required=True, validate=ID_RANGE,
                             metadata={"label": "导入文件"})
    record_id = fields.Integer(load_default=None, allow_none=True,
                               validate=ID_RANGE, metadata={"label": "业绩记录"})


class HoursListSchema(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    extracted = fields.Boolean(load_default=None, allow_none=True)


# --------------------------------------------------------------------------- RPC answers

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
    case_count = fields.Integer(allow_none=True, metadata={"description": "病案数量"})
    reference_count = fields.Integer(allow_none=True, metadata={"description": "文献数量"})
    person_id = fields.Integer()
    person_name = fields.String(metadata={"description": "申报人"})
    unit_id = fields.Integer(allow_none=True, metadata={"description": "提交审核的单位"})
    unit_name = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "审核意见（退回意见）"})
    locked = fields.Boolean(metadata={"description": "已被职称申报引用"})
    lock_count = fields.Integer()
    actions = fields.List(fields.String(), metadata={
        "description": "本人现在可做的操作：edit 修改, delete 删除, submit 提交, withdraw 撤回, "
                       "adjust 调整（审核通过的专题、论文、综述）"})
    revocable = fields.Boolean(metadata={"description": "单位可撤销审核"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True, metadata={"description": "申报日期"})
    decided_at = fields.String(allow_none=True, metadata={"description": "审核时间"})
    duplicate_count = fields.Integer(allow_none=True, metadata={
        "description": "业绩档案：另有几人提交了相同的业绩（重复申报提示；论文、专利、获奖、"
                       "项目等），无则为空"})
    # 业绩档案 only (the gateway adds them from the task center):
    task_id = fields.Integer(allow_none=True, metadata={
        "description": "业绩档案：本单位待审核任务编号（审核、批量审核用），无待审核任务时为空"})
    process_id = fields.Integer(allow_none=True, metadata={"description": "业绩档案：流程编号"})
    task_claimed_by = fields.Dict(allow_none=True, metadata={
        "description": "业绩档案：领取人 {account_id, name}，未领取时为空"})


class RecordPage(LenientSchema):
    items = fields.List(fields.Nested(RecordItem))
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "状态页签的数量：all 全部 及各状态（同一筛选条件，不含状态）"})
    page = fields.Integer()
    page_size = fields.Integer()
    tasks_available = fields.Boolean(metadata={
        "description": "业绩档案：任务中心是否应答（否则 task_id 均为空）"})


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


class RecordRow(LenientSchema):
    id = fields.Integer()
    position = fields.Integer(metadata={"description": "序号"})
    values = fields.Dict(attribute="fields", data_key="fields")
    file_id = fields.Integer(allow_none=True, metadata={"description": "参考文献附件"})


class RowsSummary(LenientSchema):
    total = fields.Integer(metadata={"description": "数量"})
    recent = fields.Integer(metadata={"description": "近5年的病案 / 近3年的文献"})
    with_file = fields.Integer(metadata={"description": "已上传附件的数量"})


class RecordHistoryEntry(LenientSchema):
    process_id = fields.Integer()
    step_index = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    account_id = fields.Integer(allow_none=True)
    account_name = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.String()
    outcome = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    at = fields.String()


class DuplicateClaimant(LenientSchema):
    """Another person claiming the same achievement, as the viewing unit may see them."""
    person_name = fields.String(metadata={
        "description": "申报人：本单位人员显示全名，其他单位人员只显示姓氏（如 张*）"})
    masked = fields.Boolean(metadata={"description": "姓名是否已脱敏"})
    unit_name = fields.String(allow_none=True, metadata={"description": "提交审核的单位"})
    same_unit = fields.Boolean(metadata={"description": "是否本单位人员"})
    record_id = fields.Integer(allow_none=True, metadata={
        "description": "该业绩记录编号（仅本单位人员的记录，可查看）"})
    type_label = fields.String(metadata={"description": "业绩类型"})
    status = fields.String(metadata={"description": "submitted 审核中 | approved 审核通过"})
    status_label = fields.String()
    ranking = fields.String(allow_none=True, metadata={"description": "其填报的个人排名，如 1/5"})
    submitted_at = fields.String(allow_none=True, metadata={"description": "申报日期"})


class DuplicateClaims(LenientSchema):
    """重复申报提示: the same achievement claimed by other persons."""
    count = fields.Integer(metadata={"description": "另有几人提交了相同的业绩"})
    basis = fields.String(metadata={"description": "判定依据，如 论文题目与刊物（ISSN）相同"})
    message = fields.String(metadata={"description": "提示语"})
    claimants = fields.List(fields.Nested(DuplicateClaimant), metadata={
        "description": "其他申报人（审核单位可见，姓名按单位可见范围脱敏；本人查看时为空）"})


class SubmitWarning(LenientSchema):
    code = fields.String(metadata={"description": "record.duplicate_claim 重复申报提示"})
    message = fields.String()
    count = fields.Integer(allow_none=True)


class RecordDetail(RecordItem):
    duplicates = fields.Nested(DuplicateClaims, allow_none=True, metadata={
        "description": "重复申报提示：另有他人提交了相同的业绩时给出，否则为空"})
    warnings = fields.List(fields.Nested(SubmitWarning), metadata={
        "description": "提交时的提示（提交仍然成功），如 record.duplicate_claim 重复申报"})
    values = fields.Dict(attribute="fields", data_key="fields",
                         metadata={"description": "全部字段值（字段代码 → 值）"})
    display = fields.List(fields.Nested(RecordDisplayField),
                          metadata={"description": "按类型字段顺序的标签与值"})
    evidence_file_ids = fields.List(fields.Integer())
    evidence_required = fields.Boolean()
    children = fields.String(allow_none=True,
                             metadata={"description": "明细类型（病案、参考文献）"})
    rows = fields.List(fields.Nested(RecordRow),
                       metadata={"description": "病案列表或参考文献，按序号"})
    rows_label = fields.String(metadata={"example": "病案列表"})
    rows_rule = fields.Dict(allow_none=True, metadata={"description": "提交的数量要求"})
    rows_summary = fields.Nested(RowsSummary, allow_none=True)
    rows_problem = fields.String(allow_none=True, metadata={"description": "尚不满足的要求"})
    trail = fields.List(fields.Nested(RecordTrailEntry),
                        metadata={"description": "本服务记录的操作经过"})
    history = fields.List(fields.Nested(RecordHistoryEntry),
                          metadata={"description": "审核流程（workflow 的审核历史）"})
    history_available = fields.Boolean(metadata={"description": "审核流程是否取到"})


class RowsPage(LenientSchema):
    record_id = fields.Integer()
    kind = fields.String(metadata={"description": "cases 病案, references 参考文献"})
    label = fields.String()
    items = fields.List(fields.Nested(RecordRow))
    summary = fields.Nested(RowsSummary)
    problem = fields.String(allow_none=True)
    rule = fields.Dict(allow_none=True)


class ImportRowError(LenientSchema):
    column = fields.String(allow_none=True, metadata={"description": "字段代码"})
    label = fields.String(allow_none=True, metadata={"description": "列名"})
    message = fields.String()


class ImportRow(LenientSchema):
    row = fields.Integer(metadata={"description": "Excel 行号"})
    values = fields.Dict()
    status = fields.String(metadata={"description": "允许导入 或 error"})
    status_label = fields.String(metadata={"example": "允许导入"})
    errors = fields.List(fields.Nested(ImportRowError))
    message = fields.String()


class ImportColumn(LenientSchema):
    key = fields.String()
    label = fields.String()


class ImportPreview(LenientSchema):
    import_id = fields.Integer()
    target = fields.String()
    target_label = fields.String()
    record_id = fields.Integer(allow_none=True)
    file_id = fields.Integer()
    columns = fields.List(fields.Nested(ImportColumn))
    rows = fields.List(fields.Nested(ImportRow))
    total = fields.Integer()
    allowed = fields.Integer(metadata={"description": "允许导入的行数"})
    refused = fields.Integer(metadata={"description": "不允许导入的行数"})
    committed = fields.Boolean()
    committed_at = fields.String(allow_none=True)
    imported = fields.Integer(allow_none=True)
    created_at = fields.String()


class ImportCommitResult(LenientSchema):
    import_id = fields.Integer()
    imported = fields.Integer(metadata={"description": "导入的行数"})
    already_committed = fields.Boolean(metadata={"description": "此前已正式导入，本次未再导入"})
    record_ids = fields.List(fields.Integer(), metadata={"description": "新建的卫生-病案记录"})


class ExtractResult(LenientSchema):
    created = fields.Integer(metadata={"description": "新建的继续教育记录数"})
    message = fields.String()
    items = fields.List(fields.Nested(RecordDetail))


class HoursLoadResult(LenientSchema):
    received = fields.Integer()
    inserted = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer(metadata={"description": "未变化或已提取（保持不变）"})


class HoursRow(LenientSchema):
    id = fields.Integer()
    id_number = fields.String(metadata={"description": "身份证号码（脱敏）"})
    name = fields.String()
    year = fields.Integer()
    hours = fields.String()
    project = fields.String(allow_none=True)
    organizer = fields.String(allow_none=True)
    certificate_no = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    loaded_at = fields.String()
    extracted = fields.Boolean()
    extracted_at = fields.String(allow_none=True)


class HoursPage(LenientSchema):
    items = fields.List(fields.Nested(HoursRow))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class RecordDeleted(LenientSchema):
    id = fields.Integer()
    deleted = fields.Boolean()


class UnlockResult(LenientSchema):
    """``unlock_records``: the records the declaration no longer holds."""
    declaration_id = fields.Integer()
    record_ids = fields.List(fields.Integer())


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


# ------------------------------------------------------------ the catalogue (RPC catalogue)

class CatalogueUploadRuleSchema(BaseSchema):
    extensions = mf.List(mf.String(), metadata={"example": ["png", "jpg", "pdf"]})
    max_mb = mf.Float(metadata={"example": 2})
    max_files = mf.Integer(metadata={"example": 5})


class CatalogueSlotSchema(BaseSchema):
    code = mf.String(required=True,
                     metadata={"description": "佐证材料槽位编码（主槽位 = 类型编码）"})
    label = mf.String(required=True)
    required = mf.Boolean(required=True)
    required_when = mf.Dict(allow_none=True,
                                metadata={"description": "{field, equals}：该字段取此值时必传"})
    rule_text = mf.String(allow_none=True,
                              metadata={"description": "种子手册中的上传要求原文（展示用）；"
                                                       "实际规则以文件服务为准"})
    rule = mf.Nested(CatalogueUploadRuleSchema, allow_none=True)
    note = mf.String()


class CatalogueFieldSchema(BaseSchema):
    key = mf.String(required=True)
    label = mf.String(required=True)
    kind = mf.String(required=True, metadata={
        "description": "text | textarea | date | month | year | int | decimal | select | "
                       "multiselect | bool | rank（个人排名/参与人数，值为 {rank, total}，显示为 "
                       "1/7） | unit（由绑定单位自动带出）"})
    required = mf.Boolean(required=True)
    options = mf.List(mf.String())
    max_length = mf.Integer(allow_none=True)
    min = mf.Raw(allow_none=True)
    max = mf.Raw(allow_none=True, metadata={"description": "日期、年度为 today 时不能晚于今天"})
    unit = mf.String(metadata={"example": "万元"})
    help = mf.String()
    places = mf.Integer(allow_none=True, metadata={"description": "小数位数"})
    format = mf.String(metadata={"description": "issn | isbn | url，按校验位/格式检查"})


class CatalogueColumnSchema(BaseSchema):
    label = mf.String(required=True)
    fields = mf.List(mf.String(), metadata={"description": "该列显示的字段"})
    system = mf.String(allow_none=True, metadata={
        "description": "系统列：status 审核状态、submitted_at 申报日期、source 来源、"
                       "case_count 病案数量、reference_count 文献数量、decided_at 审核时间"})


class CatalogueChildSchema(BaseSchema):
    code = mf.String(required=True, metadata={"description": "cases | references"})
    label = mf.String(required=True)
    fields = mf.List(mf.Nested(CatalogueFieldSchema))
    list_columns = mf.List(mf.String())
    template_columns = mf.List(mf.String(), metadata={"description": "导入模板的列"})
    evidence_slot = mf.String(allow_none=True)
    evidence_required = mf.Boolean()
    rules = mf.List(mf.Dict())


class CatalogueTypeSchema(BaseSchema):
    code = mf.String(required=True, metadata={"example": "work_history"})
    label = mf.String(required=True, metadata={"example": "工作经历"})
    category = mf.String(required=True, metadata={"example": "basic"})
    category_label = mf.String(metadata={"example": "基本信息"})
    title_field = mf.String(metadata={"description": "作为业绩名称显示的字段"})
    fields = mf.List(mf.Nested(CatalogueFieldSchema))
    list_columns = mf.List(mf.String(), metadata={"description": "列表显示的字段（手册顺序）"})
    columns = mf.List(mf.Nested(CatalogueColumnSchema),
                          metadata={"description": "列表表头（手册顺序，含系统列）"})
    query_fields = mf.List(mf.String(), metadata={"description": "可查询的字段"})
    query_hint = mf.String(metadata={"example": "请输入单位名称、从事专业、担任职务进行查询"})
    evidence_slot = mf.String(allow_none=True)
    evidence_required = mf.Boolean()
    evidence = mf.List(mf.Nested(CatalogueSlotSchema))
    rules = mf.List(mf.Dict(), metadata={
        "description": "字段间规则：date_range、required_unless（至今/长期有效）、required_if、"
                       "not_future_if、within_years、children（病案/参考文献数量）"})
    health_only = mf.Boolean()
    children = mf.String(allow_none=True)
    features = mf.Dict(keys=mf.String(), values=mf.Boolean(), metadata={
        "description": "列表页的其他操作：extract 提取、template_import 模板下载/导入、"
                       "batch_submit 批量提交、adjust 调整、withdraw_approved 撤回审核通过的记录"})


class CatalogueCategorySchema(BaseSchema):
    code = mf.String(required=True, metadata={"example": "basic"})
    label = mf.String(required=True, metadata={"example": "基本信息"})
    types = mf.List(mf.String())


class CatalogueWithdrawalLogSchema(BaseSchema):
    label = mf.String()
    columns = mf.List(mf.Nested(CatalogueColumnSchema))
    query = mf.List(mf.String())
    query_hint = mf.String()


class AchievementTypesSchema(BaseSchema):
    title_series = mf.String(allow_none=True)
    categories = mf.List(mf.Nested(CatalogueCategorySchema))
    types = mf.List(mf.Nested(CatalogueTypeSchema))
    children = mf.List(mf.Nested(CatalogueChildSchema))
    system_columns = mf.Dict(keys=mf.String(), values=mf.String())
    sources = mf.Dict(keys=mf.String(), values=mf.String(),
                          metadata={"example": {"user": "用户申报", "auto": "自动生成"}})
    withdrawal_log = mf.Nested(CatalogueWithdrawalLogSchema,
                               metadata={"description": "撤回记录的列表与查询项"})


# --------------------------------------------------------------------------- events

class ReviewRequestedSchema(BaseSchema):
    """``review_requested`` data (the lead's review-engine contract)."""
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    title = fields.String(required=True)
    applicant_person_id = fields.Integer(allow_none=True)
    applicant_name = fields.String()
    applicant_unit_id = fields.Integer(allow_none=True)
    chain = fields.List(fields.Dict(), required=True)
    summary = fields.Dict()
    # 撤销审核 (as ``summary.revoked``), at the top so that a consumer's ``when`` can take
    # only these (identity's audit log) and acknowledge plain submissions unseen
    revoked = fields.Boolean()


class ReviewWithdrawnSchema(BaseSchema):
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
