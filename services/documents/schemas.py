"""marshmallow schemas of the documents service: RPC input and output.

The gateway uses the same schemas for its /api/v1/files routes (and the OpenAPI
document), so an HTTP body and an RPC call are checked by one definition.
"""
from services.common.schemas import BaseSchema, LenientSchema, fields, validate

BUNDLE_PATTERN = r"^[A-Za-z0-9:_\-.]{1,100}$"
SUBJECT_PATTERN = r"^[A-Za-z0-9:_\-.]{1,100}$"


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


class UploadTicketSchema(BaseSchema):
    file_id = fields.Integer(required=True)
    slot = fields.String()
    method = fields.String(metadata={"example": "PUT"})
    upload_url = fields.String(required=True, metadata={"description": "预签名上传地址（PUT）"})
    expires_at = fields.String(required=True, metadata={"description": "上传地址失效时间（UTC）"})
    max_bytes = fields.Integer()
    headers = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "上传时应带的请求头"})


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
                           metadata={"label": "图片", "description": "已完成上传的图片，按页序排列"})
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
    rule = fields.String(metadata={"example": "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"})


class TemplateLinkSchema(BaseSchema):
    name = fields.String()
    file_name = fields.String()
    url = fields.String(required=True)
    expires_at = fields.String()
    expires_in = fields.Integer()


class ParseQuery(LenientSchema):
    template = fields.String(required=True,
                             validate=validate.OneOf(["cases", "medical_records", "references",
                                                      "public_hours"]),
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
