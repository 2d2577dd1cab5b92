"""Gateway operations for the documents reviewers print (评审表, 公示表, 花名册, 工作量)
(see docs/api.md, "Printouts").

The documents service renders and stores each printout as a file of the caller and
answers a short download link; workflow decides who may print which declaration and
keeps the print settings.
"""
from services.common.principal import UNIT_ADMIN
from services.common.schemas import dump
from services.contracts.documents import (
    PrintoutLinkSchema,
    PrintSettingsSavedSchema,
    PrintSettingsUpdateSchema,
    PublicityPrintSchema,
    ReviewFormPrintSchema,
    RosterFilterSchema,
    RosterLinkSchema,
)

from ..http import route

TAG = "打印输出"
WHO = ("申报人本人、申报曾到达或正在到达的审核单位、评审计划的人社部门和组建单位可打印；"
       "其他人 404。")


class PrintingRoutes:

    @route("POST", "/api/v1/declarations/{id}/printouts/review-form",
           summary="打印评审表（PDF，返回下载地址）", tag=TAG, body=ReviewFormPrintSchema,
           response=PrintoutLinkSchema, status=201, errors=(403, 404, 422), export=True,
           description="A4 评审表：封面及各部分，照片，标记删除的业绩不出现；到达最高一级审核通过前"
                       "每页有“草稿”水印。按已保存的评审表格式设置打印，settings "
                       "仅对本次打印逐项覆盖。"
                       "生成的文件属于调用者，下载地址5分钟内有效。" + WHO +
                       "422 print.layout_failed：某格内容一页排不下（details.page）。")
    def printout_review_form(self, ctx, id):
        return self.documents_rpc.print_review_form(id, settings=ctx.body["settings"])

    @route("POST", "/api/v1/declarations/{id}/printouts/publicity-table",
           summary="打印公示表（一张A3，PDF，返回下载地址）", tag=TAG, body=PublicityPrintSchema,
           response=PrintoutLinkSchema, status=201, errors=(403, 404, 422), export=True,
           description="公示表只能打印在一张A3纸上（横向）；只显示勾选公示且未标记删除的行。"
                       "内容超出一页时 422 publicity.too_long，message 为“公示表内容超出一页，"
                       "请精简「…」”，details.section 为应精简的部分（study、work、workload、"
                       "achievements、papers），details.label 为其名称；不生成文件。" + WHO)
    def printout_publicity_table(self, ctx, id):
        return self.documents_rpc.print_publicity_table(id, settings=ctx.body["settings"])

    @route("POST", "/api/v1/declarations/{id}/printouts/workload-table",
           summary="下载工作量表（PDF，打印后签字盖章）", tag=TAG, response=PrintoutLinkSchema,
           status=201, errors=(403, 404, 422), export=True,
           description="任现职以来的工作量（近5年），带申报人签字、单位负责人审核签字、日期和单位"
                       "盖章栏；签字盖章后扫描上传（cq_workload）。" + WHO)
    def printout_workload_table(self, ctx, id):
        return self.documents_rpc.print_workload_table(id)

    @route("POST", "/api/v1/declarations/{id}/printouts/return-notice",
           summary="打印退回告知（一次性告知，PDF，返回下载地址）", tag=TAG,
           response=PrintoutLinkSchema, status=201, errors=(403, 404, 409), export=True,
           description="被退回申报需修改的全部事项（同 GET /declarations/{id}/return-notice）："
                       "退回意见、每个被标记删除的业绩或填报行及原因、每个当前不满足的申报条件，"
                       "退回时间为北京时间。只有申报人本人可打印；未被退回时 409 "
                       "declaration.not_returned。生成的文件属于调用者，下载地址5分钟内有效。")
    def printout_return_notice(self, ctx, id):
        return self.documents_rpc.print_return_notice(id)

    @route("POST", "/api/v1/records/{id}/printouts/return-notice",
           summary="打印业绩退回告知（一次性告知，PDF，返回下载地址）", tag=TAG,
           response=PrintoutLinkSchema, status=201, errors=(403, 404, 409), export=True,
           description="被单位退回的业绩需修改的全部事项（同 GET /records/{id}/return-notice）："
                       "退回意见、再次提交时当前不满足的每项要求，退回时间为北京时间。只有本人可"
                       "打印；未被退回时 409 record.not_returned。生成的文件属于调用者，下载地址"
                       "5分钟内有效。")
    def printout_record_return_notice(self, ctx, id):
        return self.documents_rpc.print_record_return_notice(id)

    @route("POST", "/api/v1/rosters", summary="导出花名册（Excel，返回下载地址）", tag=TAG,
           roles=(UNIT_ADMIN,), body=RosterFilterSchema, response=RosterLinkSchema,
           status=201, errors=(403, 413), export=True,
           description="按申报列表的查询条件导出：scope=unit 本单位的申报，scope=level 本级审核的"
                       "申报；status、level、plan_id、specialty、name 不填则不限。"
                       "证件号码和联系电话"
                       "脱敏。表头冻结并带筛选。超过 Excel 单表行数 413 roster.too_many_rows。")
    def roster_export(self, ctx):
        return self.documents_rpc.export_roster(ctx.body)

    @route("PUT", "/api/v1/declarations/{id}/print-settings",
           summary="保存评审表、公示表格式设置", tag=TAG, body=PrintSettingsUpdateSchema,
           response=PrintSettingsSavedSchema, errors=(403, 404, 409),
           description="review_form：评审表每一页的字体大小（6–20）、空白行数（0–60）、行高"
                       "（10–120）；publicity：公示表字体大小（5–14）及各部分空白行数。提交的部分"
                       "整体替换已保存的该部分，未提交的部分不变；此后打印即按此设置。")
    def print_settings_save(self, ctx, id):
        return self.workflow_rpc.save_print_settings(
            id, dump(PrintSettingsUpdateSchema, ctx.body))
