"""Gateway operations of the documents area (see docs/api.md, "Files").

The gateway never carries file bytes: uploads and downloads go straight to object
storage with the short presigned URLs these operations return.
"""
from werkzeug.wrappers import Response

from services.contracts.documents import (
    DownloadLinkSchema,
    DownloadQuery,
    FileInfoSchema,
    FileListQuery,
    FileListSchema,
    FileSlotSchema,
    MergeImagesSchema,
    ParseQuery,
    TemplateLinkSchema,
    UploadRequestSchema,
    UploadTicketSchema,
    WorkbookPreviewSchema,
)

from ..http import route

TAG = "文件"


class DocumentRoutes:

    @route("POST", "/api/v1/files/uploads", summary="申请上传：返回预签名上传表单", tag=TAG,
           body=UploadRequestSchema, response=UploadTicketSchema, status=201,
           errors=(403, 413, 415, 422, 429),
           description="检查上传位置、本人是否可在此上传、文件名和扩展名（及申报的文件大小）。"
                       "在 expires_at 之前把 form.fields 原样作为表单字段、文件作为最后的 file "
                       "字段，以 multipart/form-data POST 到 form.url，再调用确认上传。签名策略"
                       "限定文件大小不超过 max_bytes，超过的文件对象存储直接拒收。同一人在同一"
                       "上传位置待完成的上传不超过该位置的文件数（429）。")
    def file_upload_request(self, ctx):
        return self.documents_rpc.request_upload(**ctx.body)

    @route("POST", "/api/v1/files/{id}/complete", summary="确认上传：检查文件", tag=TAG,
           response=FileInfoSchema, errors=(404, 409, 413, 415, 422),
           description="检查已上传的文件：大小不超过该上传位置的限制（413），内容与扩展名"
                       "相符（415），该位置的文件数及同一申报的文件合计（422/413），空文件"
                       "（422）。未通过检查的文件被删除。")
    def file_complete(self, ctx, id):
        return self.documents_rpc.complete_upload(id)

    @route("GET", "/api/v1/files", summary="我的文件", tag=TAG, query=FileListQuery,
           response=FileListSchema)
    def file_list(self, ctx):
        return self.documents_rpc.list_files(**ctx.query)

    @route("GET", "/api/v1/files/{id}", summary="文件信息", tag=TAG, response=FileInfoSchema,
           errors=(404,))
    def file_get(self, ctx, id):
        return self.documents_rpc.get_file(id)

    @route("GET", "/api/v1/files/{id}/download", summary="下载：返回5分钟内有效的预签名地址",
           tag=TAG, query=DownloadQuery, response=DownloadLinkSchema, errors=(404, 409),
           description="本人、正在审核其材料的单位的审核人员，以及填写原因（记入日志）的运维"
                       "人员或审计人员可以下载；其他人得到 404。")
    def file_download(self, ctx, id):
        return self.documents_rpc.download_link(id, reason=ctx.query["reason"])

    @route("DELETE", "/api/v1/files/{id}", summary="删除未被引用的文件", tag=TAG, status=204,
           errors=(404, 409))
    def file_delete(self, ctx, id):
        self.documents_rpc.delete_file(id)
        return Response(status=204)

    @route("POST", "/api/v1/files/merge-images", summary="多张图片合成一个A4 PDF", tag=TAG,
           body=MergeImagesSchema, response=FileInfoSchema, status=201,
           errors=(403, 404, 409, 413, 415, 422),
           description="本人已上传的图片（jpg/png/bmp）按顺序合成一个 A4 PDF（竖版，每页一张"
                       "图片），作为已上传文件存入指定的上传位置。")
    def file_merge_images(self, ctx):
        return self.documents_rpc.merge_images(**ctx.body)

    @route("GET", "/api/v1/file-slots", summary="上传位置及其规则", tag=TAG,
           response=FileSlotSchema, many=True)
    def file_slots(self, ctx):
        return self.documents_rpc.file_slots()

    @route("GET", "/api/v1/templates/{name}", summary="下载Excel模板（返回下载地址）", tag=TAG,
           response=TemplateLinkSchema, errors=(422,), path_params={"name": "string"},
           description="name: cases（病案导入模板）, medical_records（卫生-病案导入模板）, "
                       "references（参考文献导入模板）, public_hours（公需课学时导入模板，"
                       "继续教育平台导出文件）, post_quota（岗位核准表）.")
    def template_download(self, ctx, name):
        return self.documents_rpc.template_link(name)

    @route("POST", "/api/v1/files/{id}/parse", summary="预览Excel导入：逐行读取", tag=TAG,
           query=ParseQuery, response=WorkbookPreviewSchema, errors=(404, 409, 413, 415),
           description="读取已上传模板 Excel 的第一个工作表：逐行返回各列的值（日期为 ISO "
                       "格式字符串），或不能读取的原因。")
    def file_parse(self, ctx, id):
        return self.documents_rpc.parse_workbook(id, ctx.query["template"])
