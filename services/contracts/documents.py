"""What other services and the gateway may know of the documents service: the RPC
request and answer schemas (files, uploads, workbooks, printouts, rosters) and the code
tables they need (file statuses and sources, slot keys, template names, roster filters).

The documents service loads its RPC arguments and dumps its answers with these schemas;
the gateway declares its /api/v1/files, templates and printouts routes with them (and
its OpenAPI document). The slots' rules themselves (extensions, sizes, counts) stay in
the documents service (``logic/slots.py``, ``GET /api/v1/file-slots``).
"""
from marshmallow import ValidationError, validates_schema

from services.common.schemas import BaseSchema, LenientSchema, fields, validate
from services.contracts.printing import (
    REVIEW_FORM_PAGES,
    PageSettingSchema,
    PrintSettingsSchema,
    PublicitySettingsSchema,
)

# ---------------------------------------------------------------- code tables
# A file's status and where its bytes came from.
PENDING = "pending"        # upload URL issued, bytes not yet checked
COMPLETED = "completed"    # checked; may be attached, downloaded
FILE_STATUSES = {PENDING: "待确认", COMPLETED: "已完成"}
UPLOAD = "upload"
MERGED = "merged"
GENERATED = "generated"
FILE_SOURCES = {UPLOAD: "上传", MERGED: "合成", GENERATED: "系统生成"}

# Slot keys other services name (an achievement type's evidence slot is its type code).
PHOTO_SLOT = "photo"                      # 个人信息 照片
POST_QUOTA_SLOT = "post_quota_form"       # 岗位核准表 (a unit's post quota)
IMAGES_SLOT = "cq_evidence_images"        # images to merge into one Chongqing PDF
IMPORT_SLOT = "import_workbook"           # Excel imports
GENERATED_SLOT = "generated"              # printouts, rosters

# Excel templates: the ones a workbook can be parsed with, and the download-only one.
PARSEABLE_TEMPLATES = {"cases": "病案导入模板", "medical_records": "卫生-病案导入模板",
                       "references": "参考文献导入模板", "public_hours": "公需课学时导入模板"}
POST_QUOTA_TEMPLATE = "post_quota"        # 岗位核准表 (download only)

# Identifiers of bundles (a declaration's files) and of the subjects files attach to.
BUNDLE_PATTERN = r"^[A-Za-z0-9:_\-.]{1,100}$"
SUBJECT_PATTERN = r"^[A-Za-z0-9:_\-.]{1,100}$"

# Declaration statuses and plan levels as workflow codes them (the roster's filters).
ROSTER_STATUSES = {"draft": "编辑中", "submitted": "审核中", "returned": "退回",
                   "approved": "审核通过", "rejected": "审核不通过", "terminated": "终止"}
ROSTER_LEVELS = {"senior": "正高级", "deputy_senior": "副高级", "intermediate": "中级",
                 "junior": "初级"}
ROSTER_SCOPES = {"unit": "本单位的申报", "level": "本级审核的申报"}


# ---------------------------------------------------------------- files
class UploadRequestSchema(BaseSchema):
    slot = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"label": "上传位置", "example": "work_history"})
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255),
                              metadata={"label": "文件名", "example": "毕业证书.pdf"})
    size = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=0),
                          metadata={"label": "文件大小", "description": "字节数（可选，提前检查）"})
    bundle = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(BUNDLE_PATTERN),
                           metadata={"label": "申报标识",
                                     "description": "同一申报（或材料包）的文件合计不超过120MB，"
                                                    "如 declaration:12",
                                     "example": "declaration:12"})


class UploadFormSchema(BaseSchema):
    url = fields.String(required=True, metadata={"description": "表单提交地址（存储桶地址）"})
    # "fields" would shadow the schema's own attribute of that name
    form_fields = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                              attribute="fields", data_key="fields",
                              metadata={"description": "表单字段（key、Content-Type、签名策略"
                                                       "等），原样提交，文件放在最后的 file 字段"})


class UploadTicketSchema(BaseSchema):
    file_id = fields.Integer(required=True)
    slot = fields.String()
    method = fields.String(metadata={"example": "POST"})
    expires_at = fields.String(required=True, metadata={"description": "上传表单失效时间（UTC）"})
    max_bytes = fields.Integer()
    form = fields.Nested(UploadFormSchema, required=True,
                         metadata={"description": "表单上传（POST multipart/form-data）：签名策略"
                                                  "限定对象名、文件类型和文件大小（1 至 "
                                                  "max_bytes 字节），由对象存储执行"})


class FileInfoSchema(BaseSchema):
    id = fields.Integer(required=True)
    slot = fields.String()
    slot_label = fields.String()
    bundle = fields.String(allow_none=True)
    file_name = fields.String()
    extension = fields.String()
    content_type = fields.String()
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending（待确认）或 completed（已完成）"})
    source = fields.String(metadata={"description": "upload、merged 或 generated"})
    attached = fields.Boolean()
    owner_person_id = fields.Integer(allow_none=True)
    owner_unit_id = fields.Integer(allow_none=True)
    created_at = fields.String()
    completed_at = fields.String(allow_none=True)


class FileListSchema(BaseSchema):
    items = fields.List(fields.Nested(FileInfoSchema))
    total = fields.Integer()


class FileListQuery(LenientSchema):
    slot = fields.String(load_default=None, validate=validate.Length(max=64))
    bundle = fields.String(load_default=None, validate=validate.Regexp(BUNDLE_PATTERN))
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "completed"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class DownloadQuery(LenientSchema):
    reason = fields.String(load_default=None, validate=validate.Length(max=500),
                           metadata={"label": "查看原因",
                                     "description": "运维、审计人员下载时必填，记入日志"})


class DownloadLinkSchema(BaseSchema):
    url = fields.String(required=True, metadata={"description": "预签名下载地址，最长5分钟有效"})
    expires_at = fields.String(required=True)
    expires_in = fields.Integer()
    file_name = fields.String()


class MergeImagesSchema(BaseSchema):
    file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(min=1, max=200),
                           metadata={"label": "图片",
                                     "description": "已完成上传的图片，按页序排列"})
    slot = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"label": "上传位置", "example": "cq_degree"})
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255),
                              metadata={"label": "文件名", "example": "学历学位证书.pdf"})
    bundle = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(BUNDLE_PATTERN),
                           metadata={"label": "申报标识"})


class FileSlotSchema(BaseSchema):
    key = fields.String()
    form = fields.String()
    label = fields.String()
    extensions = fields.List(fields.String())
    max_size_mb = fields.Float()
    max_bytes = fields.Integer()
    max_files = fields.Integer()
    uploader = fields.String(metadata={"description": "person、unit、any 或 system"})
    region = fields.String()
    source = fields.String()
    transient = fields.Boolean()
    rule = fields.String(metadata={
        "example": "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"})


class TemplateLinkSchema(BaseSchema):
    name = fields.String()
    file_name = fields.String()
    url = fields.String(required=True)
    expires_at = fields.String()
    expires_in = fields.Integer()


class ParseQuery(LenientSchema):
    template = fields.String(required=True, validate=validate.OneOf(list(PARSEABLE_TEMPLATES)),
                             metadata={"label": "模板"})


class WorkbookColumnSchema(BaseSchema):
    key = fields.String()
    title = fields.String()


class WorkbookRowSchema(BaseSchema):
    row = fields.Integer(metadata={"description": "Excel 行号"})
    values = fields.Dict(metadata={"description": "按列键的取值，日期为 ISO 字符串"})
    error = fields.String(allow_none=True, metadata={"description": "无法读取的原因"})


class WorkbookPreviewSchema(BaseSchema):
    template = fields.String()
    title = fields.String()
    columns = fields.List(fields.Nested(WorkbookColumnSchema))
    rows = fields.List(fields.Nested(WorkbookRowSchema))
    total = fields.Integer()
    readable = fields.Integer()
    unreadable = fields.Integer()


class AttachSchema(BaseSchema):
    file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(min=1, max=100))
    subject_service = fields.String(required=True, validate=validate.Regexp(SUBJECT_PATTERN))
    subject_type = fields.String(required=True, validate=validate.Regexp(SUBJECT_PATTERN))
    subject_id = fields.String(required=True, validate=validate.Regexp(SUBJECT_PATTERN))


# ---------------------------------------------------------------- printouts and rosters

def _review_form_pages(**kwargs):
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(tuple(REVIEW_FORM_PAGES))),
        values=fields.Nested(PageSettingSchema), **kwargs)


_PAGES_TEXT = "；".join(f"{key} {label}" for key, label in REVIEW_FORM_PAGES.items())


class ReviewFormPrintSchema(BaseSchema):
    settings = _review_form_pages(
        load_default=None, allow_none=True,
        metadata={"label": "评审表格式设置（仅本次打印）",
                  "description": "按页设置 {页: {font_size 6–20, blank_rows 0–60, "
                                 f"row_height 10–120}}}}，逐项覆盖已保存的设置；页：{_PAGES_TEXT}"})


class PublicityPrintSchema(BaseSchema):
    settings = fields.Nested(
        PublicitySettingsSchema, load_default=None, allow_none=True,
        metadata={"label": "公示表格式设置（仅本次打印）",
                  "description": "{font_size 5–14, sections: {study|work|workload|achievements|"
                                 "papers|basic: {blank_rows 0–60, font_size}}}，"
                                 "逐项覆盖已保存的设置"})


class PrintSettingsUpdateSchema(BaseSchema):
    """The print settings saved with a declaration: each part given replaces that part."""
    review_form = _review_form_pages(metadata={"label": "评审表格式设置",
                                               "description": f"按页设置；页：{_PAGES_TEXT}"})
    publicity = fields.Nested(PublicitySettingsSchema, metadata={"label": "公示表格式设置"})

    @validates_schema
    def _something_given(self, data, **kwargs):
        if "review_form" not in data and "publicity" not in data:
            raise ValidationError(
                "请提交评审表格式设置（review_form）或公示表格式设置（publicity）")


class PrintSettingsSavedSchema(BaseSchema):
    declaration_id = fields.Integer()
    print_settings = fields.Nested(PrintSettingsSchema)


class PrintoutLinkSchema(BaseSchema):
    file_id = fields.Integer(required=True, metadata={"description": "生成的文件（仅本人可下载）"})
    file_name = fields.String(metadata={"example": "评审表-张健.pdf"})
    url = fields.String(required=True, metadata={"description": "预签名下载地址，最长5分钟有效"})
    expires_at = fields.String(required=True)
    expires_in = fields.Integer()


class RosterLinkSchema(PrintoutLinkSchema):
    rows = fields.Integer(metadata={"description": "花名册的人数（行数）"})


def _choice(values, label):
    return fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(list(values)),
        metadata={"label": label,
                  "description": "、".join(f"{k} {v}" for k, v in values.items())})


class RosterFilterSchema(BaseSchema):
    """The filters of the declarations list a roster is exported from; none = all."""
    scope = fields.String(required=True, validate=validate.OneOf(list(ROSTER_SCOPES)),
                          metadata={"label": "范围", "description": "unit 本单位的申报（申报人属于"
                                    "本单位），level 本级审核的申报（到达本单位审核的申报）"})
    status = _choice(ROSTER_STATUSES, "申报状态")
    level = _choice(ROSTER_LEVELS, "评审级别")
    plan_id = fields.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(min=1), metadata={"label": "评审计划"})
    specialty = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=100),
                              metadata={"label": "申报专业", "description": "包含该文字"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50),
                         metadata={"label": "姓名", "description": "包含该文字"})
