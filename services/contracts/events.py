"""The platform's events as outside systems see them: the CloudEvents 1.0 shape, the table
of event types (source, subject, data fields, each described in Chinese and English) and
the AsyncAPI 3 document generated from that table.

The table is the one description of every event type: ``docs/events.md`` lists the same
types, the AsyncAPI document (``GET /api/v1/asyncapi.json``) is built from it, and the
webhooks service refuses subscriptions to types it does not name.
"""
from services.common.messaging import CLOUDEVENTS_SOURCE_PREFIX, to_cloudevent
from services.common.schemas import BaseSchema, LenientSchema, fields, validate

__all__ = ["CLOUDEVENTS_SOURCE_PREFIX", "EVENT_SOURCES", "EVENT_TYPES", "CLOUDEVENT_ATTRIBUTES",
           "to_cloudevent", "event_type_names", "asyncapi_document"]

SPECVERSION = "1.0"
# The services whose events outside systems read (the webhooks service emits none).
EVENT_SOURCES = ("identity", "achievements", "workflow", "documents")


def f(kind, zh, en, *, props=None, items=None, enum=None, nullable=False):
    """A field: JSON type, Chinese and English description, nested fields."""
    spec = {"type": kind, "zh": zh, "en": en}
    if props:
        spec["properties"] = props
    if items:
        spec["items"] = items
    if enum:
        spec["enum"] = list(enum)
    if nullable:
        spec["nullable"] = True
    return spec


# ----------------------------------------------------------------- shared field groups

DECIDED_BY = f("object", "决定人", "who decided", props={
    "account_id": f("integer", "账号编号", "account id"),
    "name": f("string", "姓名", "name"),
})

CHAIN_STEP = f("object", "审核链中的一级", "one step of the review chain", props={
    "unit_id": f("integer", "单位编号", "unit id"),
    "unit_name": f("string", "单位名称", "unit name"),
    "unit_kind": f("string", "单位类别", "unit kind", nullable=True),
    "step_label": f("string", "审核环节名称（单位审核/主管部门审核/人社部门审核/组建单位审核）",
                    "step label", nullable=True),
})

DECLARATION_CORE = {
    "declaration_id": f("integer", "申报编号", "declaration id"),
    "person": f("object", "申报人", "the declaring person", props={
        "person_id": f("integer", "人员编号", "person id"),
        "name": f("string", "姓名", "name"),
        "id_type": f("string", "证件类型", "ID document type"),
        "id_number": f("string", "证件号码（脱敏）", "ID number, masked"),
    }),
    "unit": f("object", "申报单位（提交时的单位）", "the person's unit at submission", props={
        "unit_id": f("integer", "单位编号", "unit id"),
        "name": f("string", "单位名称", "unit name"),
    }),
    "plan": f("object", "评审计划", "the evaluation plan", props={
        "plan_id": f("integer", "计划编号", "plan id"),
        "year": f("integer", "申报年度", "declaration year"),
        "name": f("string", "计划名称", "plan name"),
        "committee": f("string", "评委会", "review committee"),
    }),
    "form": f("string", "申报方式", "declaration form",
              enum=("regular", "exceptional", "transfer")),
    "form_label": f("string", "申报方式名称（常规申报/破格申报/转评申报）", "form label"),
    "series": f("string", "职称系列", "title series"),
    "specialty": f("string", "专业", "specialty"),
    "title": f("string", "申报职称", "title declared for"),
    "level": f("string", "职称级别", "title level",
               enum=("senior", "deputy_senior", "intermediate", "junior")),
    "level_label": f("string", "级别名称（正高级/副高级/中级/初级）", "level label"),
    "status": f("string", "事件之后的申报状态（审核中/退回/审核不通过/审核通过/终止）",
                "the declaration's status after the event",
                enum=("draft", "submitted", "returned", "rejected", "approved",
                      "terminated")),
    "process_id": f("integer", "审核流程编号", "review process id", nullable=True),
    "recommendation": f("object", "单位推荐意见（未填写时为 null）",
                        "the employer's recommendation, null until saved", nullable=True,
                        props={
                            "unit_id": f("integer", "推荐单位编号", "unit id"),
                            "unit_name": f("string", "推荐单位名称", "unit name"),
                            "opinion": f("string", "推荐意见", "opinion"),
                            "occupies_post": f("string", "是否占用岗位（占用/不占用）",
                                               "whether it occupies a post", nullable=True,
                                               enum=("occupy", "not_occupy")),
                            "quota_year": f("integer", "岗位指标年度", "post quota year",
                                            nullable=True),
                            "recommended_at": f("string", "推荐时间（UTC ISO 8601）",
                                                "recommended at, UTC ISO 8601"),
                        }),
}

STEP_FIELDS = {
    "step_index": f("integer", "审核环节序号（从 0 开始）", "step index, from 0"),
    "step_label": f("string", "审核环节（单位审核/主管部门审核/人社部门审核/组建单位审核）",
                    "step label"),
    "unit_id": f("integer", "作出决定的单位编号", "deciding unit id"),
    "unit_name": f("string", "作出决定的单位名称", "deciding unit name"),
    "action": f("string", "操作", "action",
                enum=("approve", "return", "reject", "terminate", "recall", "undo_reject")),
    "action_label": f("string", "操作名称（通过/退回/不通过/终止/撤回/撤销不通过）",
                      "action label"),
    "opinion": f("string", "审核意见", "opinion", nullable=True),
    "outcome": f("string", "结果：forwarded 已转下一级，approved 审核通过，returned 退回，"
                           "rejected 审核不通过，terminated 终止，recalled 已撤回，"
                           "undone 已撤销不通过",
                 "outcome", enum=("forwarded", "approved", "returned", "rejected",
                                  "terminated", "recalled", "undone")),
    "final": f("boolean", "审核是否就此结束", "whether the review ends here"),
    "held": f("boolean", "单位通过后待上报（计划要求单位上报时）",
              "the unit's approval waits for its 上报 (plans with a unit gate)"),
    "decided_at": f("string", "决定时间（UTC ISO 8601）", "decided at, UTC ISO 8601"),
    "decided_by": DECIDED_BY,
}

REVIEW_REQUEST_FIELDS = {
    "kind": f("string", "审核类别：binding 人员注册审核，unit_registration 单位注册审核，"
                        "record 业绩审核", "review kind",
              enum=("binding", "unit_registration", "record")),
    "subject_service": f("string", "审核对象所属服务", "service owning the subject"),
    "subject_type": f("string", "审核对象类型", "subject type"),
    "subject_id": f("integer", "审核对象编号", "subject id"),
    "title": f("string", "待办标题", "task title"),
    "applicant_person_id": f("integer", "申请人编号", "applicant person id", nullable=True),
    "applicant_name": f("string", "申请人（或单位）名称", "applicant name"),
    "applicant_unit_id": f("integer", "申请人所在单位", "applicant's unit", nullable=True),
    "chain": f("array", "审核链", "review chain", items=CHAIN_STEP),
    "summary": f("object", "审核摘要（随类别而不同）", "summary, by kind"),
}


OBJECTION = f("object", "公示异议", "publicity objection", props={
    "objection_id": f("integer", "异议编号", "objection id"),
    "raised_on": f("string", "提出日期", "raised on"),
    "raised_by": f("string", "提出人", "raised by", nullable=True),
    "content": f("string", "异议内容", "content"),
    "handling": f("string", "处理情况", "handling", nullable=True),
    "handled_on": f("string", "处理日期", "handled on", nullable=True),
})


def _event(source, subject, zh, en, data):
    return {"source": source, "subject": subject, "zh": zh, "en": en, "data": data}


EVENT_TYPES = {
    # identity ----------------------------------------------------------------------
    "identity/review_requested": _event(
        "identity", "binding:<id> | unit:<id>",
        "请求审核：人员绑定单位（人员注册审核）或单位注册审核，与申请同一事务写入",
        "A review is requested: a person's binding to a unit, or a unit's registration",
        REVIEW_REQUEST_FIELDS),
    "identity/review_withdrawn": _event(
        "identity", "binding:<id>",
        "待审核的单位绑定申请随人员删除而取消，任务中心的审核随之结束（已取消）",
        "A pending binding request ended with the deleted person; its review is cancelled",
        {**{k: REVIEW_REQUEST_FIELDS[k] for k in
            ("kind", "subject_service", "subject_type", "subject_id")},
         "reason": f("string", "取消原因（如：人员已被删除）", "why the request ended")}),
    # achievements ------------------------------------------------------------------
    "achievements/review_requested": _event(
        "achievements", "record:<id>",
        "请求审核：个人提交业绩（业绩审核）",
        "A review is requested: a person submitted an achievement record",
        REVIEW_REQUEST_FIELDS),
    "achievements/review_withdrawn": _event(
        "achievements", "record:<id>",
        "个人在单位审核前撤回了已提交的业绩，业绩回到编辑中",
        "The person withdrew a submitted record before the unit decided",
        {k: REVIEW_REQUEST_FIELDS[k] for k in
         ("kind", "subject_service", "subject_type", "subject_id")}),
    # workflow ----------------------------------------------------------------------
    "workflow/review_decided": _event(
        "workflow", "process:<id>",
        "审核任务的一次决定（通过/退回/终止/不通过）",
        "One decision of a review task (approve, return, terminate, reject)",
        {
            "process_id": f("integer", "审核流程编号", "process id"),
            **{k: REVIEW_REQUEST_FIELDS[k] for k in
               ("kind", "subject_service", "subject_type", "subject_id")},
            "step_index": STEP_FIELDS["step_index"],
            "unit_id": STEP_FIELDS["unit_id"],
            "action": STEP_FIELDS["action"],
            "opinion": STEP_FIELDS["opinion"],
            "outcome": STEP_FIELDS["outcome"],
            "final": STEP_FIELDS["final"],
            "decided_at": STEP_FIELDS["decided_at"],
            "decided_by": DECIDED_BY,
        }),
    "workflow/declaration_submitted": _event(
        "workflow", "declaration:<id>",
        "个人提交职称申报（提交），审核从用人单位开始",
        "A person submitted a declaration; the review starts at the unit",
        {**DECLARATION_CORE,
         "submitted_at": f("string", "提交时间（UTC ISO 8601）", "submitted at"),
         "resubmission": f("boolean", "退回后再次提交", "submitted again after a return"),
         "chain": f("array", "审核链", "review chain", items=CHAIN_STEP)}),
    "workflow/declaration_step_decided": _event(
        "workflow", "declaration:<id>",
        "审核链上某一级作出决定（每级每次决定一条）",
        "A level of the review chain decided (one per decision)",
        {**DECLARATION_CORE, **STEP_FIELDS}),
    "workflow/declaration_returned": _event(
        "workflow", "declaration:<id>",
        "申报被退回给个人（退回意见在 opinion）；再次提交从单位重新审核",
        "The declaration was returned to the person",
        {**DECLARATION_CORE, **STEP_FIELDS}),
    "workflow/declaration_rejected": _event(
        "workflow", "declaration:<id>",
        "审核不通过：该申报年度不能再次申报",
        "The declaration was rejected for this declaration year",
        {**DECLARATION_CORE, **STEP_FIELDS}),
    "workflow/declaration_approved": _event(
        "workflow", "declaration:<id>",
        "最后一级（评委会组建单位）审核通过",
        "The last level (the committee's organising unit) approved",
        {**DECLARATION_CORE,
         "approved_at": f("string", "通过时间（UTC ISO 8601）", "approved at"),
         "approved_by": f("object", "通过单位与人员", "approving unit and account", props={
             "unit_id": f("integer", "单位编号", "unit id"),
             "unit_name": f("string", "单位名称", "unit name"),
             "account_id": f("integer", "账号编号", "account id"),
             "name": f("string", "姓名", "name"),
         })}),
    "workflow/declaration_recalled": _event(
        "workflow", "declaration:<id>",
        "单位撤回（撤回）其已通过并转到下一级的申报：下一级的待办取消，申报回到该单位审核",
        "A unit recalled (撤回) what it had passed up: the next level's task is "
        "cancelled and the declaration is back at that unit",
        {**DECLARATION_CORE, **STEP_FIELDS,
         "was_held": f("boolean", "撤回的是待上报的通过（下一级尚无待办）",
                       "an approval held for 上报 was recalled (the next level had no task)"),
         "recalled_from": f("object", "被撤回的下一级", "the level it was taken back from",
                            props={"unit_id": f("integer", "单位编号", "unit id"),
                                   "unit_name": f("string", "单位名称", "unit name"),
                                   "step_index": f("integer", "环节序号", "step index")})}),
    "workflow/declaration_rejection_undone": _event(
        "workflow", "declaration:<id>",
        "审核单位撤销了本级的审核不通过（计划允许时，重庆 2.4.3），申报回到该级审核",
        "A level undid its own rejection (where the plan allows it); the declaration is "
        "under review at that level again",
        {**DECLARATION_CORE, **STEP_FIELDS}),
    "workflow/declaration_deleted": _event(
        "workflow", "declaration:<id>",
        "个人删除了填写中或被退回的申报（计划允许时也可删除单位尚未审核的已提交申报，审核随之结束）",
        "The person deleted a declaration being filled in or returned (or, where the plan "
        "allows it, submitted and not yet reviewed by the unit: its review ends)",
        {**DECLARATION_CORE,
         "deleted_at": f("string", "删除时间（UTC ISO 8601）", "deleted at"),
         "record_ids": f("array", "申报所含业绩编号", "records it held",
                         items=f("integer", "业绩编号", "record id"))}),
    "workflow/declaration_recommended": _event(
        "workflow", "declaration:<id>",
        "用人单位保存了单位推荐意见（每次修改都发）",
        "The employer saved its recommendation (again on every change)",
        dict(DECLARATION_CORE)),
    "workflow/publicity_recorded": _event(
        "workflow", "declaration:<id>",
        "用人单位录入公示结果（批量时每个申报一条）",
        "The employer entered the publicity result (one per declaration of a batch)",
        {**DECLARATION_CORE,
         "publicity": f("object", "公示", "publicity", props={
             "starts_on": f("string", "公示开始日期", "starts on"),
             "ends_on": f("string", "公示结束日期", "ends on"),
             "result": f("string", "公示结果（无异议/有异议）", "result", nullable=True,
                         enum=("no_objection", "objection")),
             "note": f("string", "说明", "note", nullable=True),
             "objections": f("integer", "异议数", "objections"),
             "recorded_at": f("string", "录入时间", "recorded at"),
             "recorded_by": DECIDED_BY,
         })}),
    "workflow/declaration_reported": _event(
        "workflow", "declaration:<id>",
        "用人单位上报：计划要求单位上报时，其待上报的通过转到下一级",
        "The employer's 上报 forwarded its held approval to the next unit",
        {**DECLARATION_CORE,
         "reported_at": f("string", "上报时间", "reported at"),
         "reported_by": f("object", "上报单位与人员", "reporting unit and account", props={
             "unit_id": f("integer", "单位编号", "unit id"),
             "unit_name": f("string", "单位名称", "unit name"),
             "account_id": f("integer", "账号编号", "account id"),
             "name": f("string", "姓名", "name"),
         }),
         "next_unit": f("object", "下一级单位", "next unit", props={
             "unit_id": f("integer", "单位编号", "unit id"),
             "unit_name": f("string", "单位名称", "unit name"),
         })}),
    "workflow/publicity_objection_added": _event(
        "workflow", "declaration:<id>",
        "用人单位登记公示期间的异议（可同时填写处理情况）",
        "The employer recorded an objection raised during the publicity",
        {**DECLARATION_CORE, "objection": OBJECTION}),
    "workflow/publicity_objection_handled": _event(
        "workflow", "declaration:<id>",
        "用人单位填写（或更正）异议的处理情况",
        "The employer entered (or corrected) how an objection was handled",
        {**DECLARATION_CORE, "objection": OBJECTION}),
    "workflow/declaration_personal_viewed": _event(
        "workflow", "declaration:<id>",
        "审核链以外的运维人员说明原因后查看了申报的个人信息，记入审计日志",
        "An operator (outside the review chain) viewed the declaration's personal content, "
        "with the stated reason; recorded in the audit log",
        {**DECLARATION_CORE,
         "reason": f("string", "查看原因", "reason"),
         "viewed_at": f("string", "查看时间（UTC ISO 8601）", "viewed at")}),
    "workflow/plan_published": _event(
        "workflow", "plan:<id>",
        "人社部门（或组建单位、运维）发布评审计划",
        "An evaluation plan was published",
        {
            "plan_id": f("integer", "计划编号", "plan id"),
            "year": f("integer", "申报年度", "declaration year"),
            "name": f("string", "计划名称", "plan name"),
            "committee": f("string", "评委会", "review committee"),
            "published_at": f("string", "发布时间（UTC ISO 8601）", "published at"),
            "unit_id": f("integer", "发布单位编号", "publishing unit id", nullable=True),
        }),
    "workflow/post_quota_confirmed": _event(
        "workflow", "post_quota:<id>",
        "事业单位确认岗位核准信息（确认后不可再改，推荐时据此校验职数）",
        "A public institution confirmed its post quota (fixed from then on)",
        {
            "quota_id": f("integer", "岗位核准信息编号", "quota id"),
            "unit_id": f("integer", "单位编号", "unit id"),
            "year": f("integer", "年度", "year"),
            **{level: f("integer", f"{label}岗位空缺数（不限为空）", f"{level} vacancies",
                        nullable=True)
               for level, label in (("senior", "正高级"), ("deputy_senior", "副高级"),
                                    ("intermediate", "中级"), ("junior", "初级"))},
            "form_file_id": f("integer", "盖章后的岗位核准表文件编号", "stamped form file id",
                              nullable=True),
            "confirmed_at": f("string", "确认时间（UTC ISO 8601）", "confirmed at"),
        }),
    # documents ----------------------------------------------------------------------
    "documents/file_downloaded": _event(
        "documents", "file:<id>",
        "签发了一个材料下载链接（谁、依据什么、运维人员的查看原因），记入审计日志",
        "A download link of a file was issued (who, on what ground, the operator's "
        "reason); recorded in the audit log",
        {
            "file_id": f("integer", "文件编号", "file id"),
            "file_name": f("string", "文件名", "file name"),
            "slot": f("string", "上传位置", "slot"),
            "basis": f("string", "下载依据：owner 本人，unit 本单位，reviewer 审核单位，"
                                 "operator 运维人员（须说明原因）", "ground",
                       enum=("owner", "unit", "reviewer", "operator")),
            "basis_label": f("string", "下载依据名称", "ground label"),
            "reason": f("string", "查看原因（运维人员必填）", "reason (operators)",
                        nullable=True),
            "owner_person_id": f("integer", "材料所属人员编号", "owning person id",
                                 nullable=True),
            "owner_unit_id": f("integer", "材料所属单位编号（单位的材料）", "owning unit id",
                               nullable=True),
            "attached_to": f("array", "材料所用于的对象，如 declaration:12（申报）",
                             "what the file is attached to, e.g. declaration:12",
                             items=f("string", "对象", "subject")),
        }),
    "documents/printout_made": _event(
        "documents", "declaration:<id> | file:<id>",
        "打印：生成评审表、公示表、工作量表或花名册，记入审计日志",
        "A printout was made (review form, publicity table, workload table or roster); "
        "recorded in the audit log",
        {
            "kind": f("string", "打印类别", "printout kind",
                      enum=("review_form", "publicity_table", "workload_table", "roster")),
            "kind_label": f("string", "打印类别名称（评审表/公示表/工作量表/花名册）",
                            "kind label"),
            "declaration_id": f("integer", "申报编号（花名册为空）", "declaration id",
                                nullable=True),
            "file_id": f("integer", "生成的文件编号", "generated file id"),
            "file_name": f("string", "文件名", "file name"),
            "unit_id": f("integer", "打印人的单位编号", "the printing account's unit",
                         nullable=True),
            "rows": f("integer", "花名册行数", "roster rows", nullable=True),
        }),
}

# Types not emitted yet (their producer is planned; see docs/events.md).
PLANNED_TYPES: set[str] = set()

CLOUDEVENT_ATTRIBUTES = {
    "specversion": f("string", "CloudEvents 版本，固定为 1.0", "CloudEvents version: 1.0"),
    "id": f("string", "事件编号（UUID），订阅方据此去重", "event id (UUID); dedupe on it"),
    "source": f("string", "发布服务，/zhicheng/<服务名>", "publishing service"),
    "type": f("string", "事件类型", "event type"),
    "time": f("string", "发生时间（UTC ISO 8601）", "when it happened, UTC ISO 8601"),
    "subject": f("string", "事件对象，例如 declaration:12", "subject, e.g. declaration:12"),
    "datacontenttype": f("string", "固定为 application/json", "application/json"),
    "dataschema": f("string", "data 的描述（AsyncAPI 文档中的位置）",
                    "where data is described in the AsyncAPI document"),
    "dataversion": f("integer", "data 的版本：同一版本只增加字段",
                     "data version: within a version fields are only added"),
    "position": f("integer", "该服务事件流中的位置（按提交顺序递增、无空缺）",
                  "position in the service's feed: commit order, no gaps"),
    "actor": f("object", "引起事件的用户（系统自身时没有）", "who caused it (absent for the "
               "system itself)"),
    "data": f("object", "事件数据，见各事件类型", "event data, see each type"),
}


def event_type_names(source=None):
    """The bare type names (``declaration_approved``), of one source or of all."""
    return sorted({key.split("/", 1)[1] for key, spec in EVENT_TYPES.items()
                   if source is None or spec["source"] == source})


# ----------------------------------------------------------------------- AsyncAPI 3

def _schema(spec):
    out = {"type": spec["type"], "description": f"{spec['zh']} / {spec['en']}"}
    if spec.get("nullable"):
        out["type"] = [spec["type"], "null"]
    if "enum" in spec:
        out["enum"] = list(spec["enum"]) + ([None] if spec.get("nullable") else [])
    if "properties" in spec:
        out["properties"] = {name: _schema(sub) for name, sub in spec["properties"].items()}
    if "items" in spec:
        out["items"] = _schema(spec["items"])
    return out


def _message_name(key):
    return key.replace("/", ".")


def asyncapi_document(server_url="/"):
    """The AsyncAPI 3.0 document: one channel per source (its feed, and the webhooks),
    one message per event type, its payload a CloudEvents 1.0 event whose ``data`` is
    described field by field in Chinese and English."""
    schemas, messages, channels, operations = {}, {}, {}, {}
    envelope_props = {name: _schema(spec) for name, spec in CLOUDEVENT_ATTRIBUTES.items()}
    for key, spec in sorted(EVENT_TYPES.items()):
        name = _message_name(key)
        type_name = key.split("/", 1)[1]
        schemas[name] = {
            "type": "object",
            "description": f"{spec['zh']} / {spec['en']}",
            "properties": {field: _schema(sub) for field, sub in spec["data"].items()},
        }
        planned = " (planned)" if key in PLANNED_TYPES else ""
        messages[name] = {
            "name": type_name,
            "title": f"{type_name} — {spec['zh']}",
            "summary": spec["en"] + planned,
            "description": f"source `{CLOUDEVENTS_SOURCE_PREFIX}{spec['source']}`, "
                           f"subject `{spec['subject']}`",
            "contentType": "application/cloudevents+json",
            "payload": {
                "type": "object",
                "required": ["specversion", "id", "source", "type", "time", "subject",
                             "datacontenttype", "data"],
                "properties": {**envelope_props,
                               "type": {"const": type_name,
                                        "description": envelope_props["type"]["description"]},
                               "data": {"$ref": f"#/components/schemas/{name}"}},
            },
            "correlationId": {"location": "$message.payload#/subject",
                              "description": "事件对象：同一对象的事件按顺序投递 / "
                                             "events of one subject are delivered in order"},
        }
    for source in sorted({spec["source"] for spec in EVENT_TYPES.values()}):
        refs = {_message_name(k): {"$ref": f"#/components/messages/{_message_name(k)}"}
                for k, spec in sorted(EVENT_TYPES.items()) if spec["source"] == source}
        channels[source] = {
            "address": f"/api/v1/events?source={source}",
            "title": f"{source} 的事件 / events of {source}",
            "description": (
                f"读取：GET /api/v1/events?source={source}&after=<position>&format="
                "cloudevents；推送：POST /api/v1/subscriptions 订阅后，以 HTTPS POST "
                "逐条投递（X-Signature 签名）。/ Read the feed in commit order, or "
                "subscribe a webhook: each event is POSTed with an X-Signature header."),
            "messages": refs,
        }
        operations[f"receive_{source}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{source}"},
            "summary": f"订阅方接收 {source} 的事件 / a subscriber receives {source} events",
            "messages": [{"$ref": f"#/channels/{source}/messages/{name}"} for name in refs],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "职称申报评审平台事件 / Professional-title platform events",
            "version": "1.0.0",
            "description": (
                "平台的全部事件，CloudEvents 1.0 JSON 格式，按服务的事件流（feed）读取或以"
                "Webhook 推送；签名：X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "
                "\"<t>.<body>\")>；去重依据事件 id。\n"
                "Every event of the platform as CloudEvents 1.0 JSON, read from each "
                "service's feed or pushed by webhooks. See docs/events.md."),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"gateway": {"host": server_url.rstrip("/") or "/",
                                "protocol": "https",
                                "description": "平台网关 / the platform's gateway"}},
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "securitySchemes": {
                "webhookSignature": {
                    "type": "httpApiKey", "name": "X-Signature", "in": "header",
                    "description": "t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>",
                },
            },
        },
    }


# ----------------------------------------------------------- subscriptions (webhooks)


UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class SubscriptionCreate(BaseSchema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000),
                        metadata={"label": "接收地址",
                                  "description": "HTTPS 接收地址（运维放行的主机可用 http）"})
    event_types = fields.List(
        fields.String(validate=validate.Length(min=1, max=150)), required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"label": "事件类型",
                  "description": "事件类型，如 declaration_approved；workflow/"
                                 "declaration_approved 限定来源；* 表示全部"})
    secret = fields.String(load_default=None, validate=validate.Length(min=16, max=200),
                           metadata={"label": "签名密钥",
                                     "description": "签名密钥（至少 16 个字符）；不填则由平台生成"})
    description = fields.String(load_default=None, validate=validate.Length(max=200),
                                metadata={"label": "说明"})


class RotateSecret(BaseSchema):
    secret = fields.String(load_default=None, validate=validate.Length(min=16, max=200),
                           metadata={"label": "签名密钥",
                                     "description": "新密钥；不填则由平台生成。旧密钥在 24 小时内"
                                                    "仍同时签名（第二个 v1）"})


class Redeliver(BaseSchema):
    event_id = fields.String(required=True, validate=validate.Regexp(UUID_PATTERN),
                             metadata={"label": "事件编号"})


class Replay(BaseSchema):
    source = fields.String(required=True, validate=validate.OneOf(EVENT_SOURCES),
                           metadata={"label": "事件来源"})
    after = fields.Integer(required=True, validate=validate.Range(min=0),
                           metadata={"label": "事件流位置",
                                     "description": "从该位置之后（不含）重新投递"})


class DeliveryQuery(LenientSchema):
    status = fields.String(load_default=None,
                           validate=validate.OneOf(("pending", "delivered", "cancelled")))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class SubscriptionQuery(LenientSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "paused")))


class SubscriptionSchema(BaseSchema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String(allow_none=True)
    event_types = fields.List(fields.String())
    status = fields.String(metadata={"description": "active 生效 / paused 已暂停"})
    paused_reason = fields.String(allow_none=True,
                                  metadata={"description": "owner 订阅方暂停 / failing 持续失败"
                                                           "超过 WEBHOOK_GIVE_UP_AFTER 被暂停"})
    paused_at = fields.String(allow_none=True)
    failing_since = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    owner_account_id = fields.Integer()
    owner_name = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    secret = fields.String(metadata={"description": "仅在创建和更换密钥时返回一次"})


class AttemptSchema(BaseSchema):
    number = fields.Integer()
    started_at = fields.String()
    finished_at = fields.String(allow_none=True)
    status_code = fields.Integer(allow_none=True)
    response_ms = fields.Integer(allow_none=True)
    succeeded = fields.Boolean(allow_none=True)
    error = fields.String(allow_none=True)


class DeliverySchema(BaseSchema):
    delivery_id = fields.String()
    event_id = fields.String()
    type = fields.String()
    subject = fields.String()
    source = fields.String()
    position = fields.Integer()
    reason = fields.String(metadata={"description": "event 首次 / redelivery 重新投递 / "
                                                    "replay 回放"})
    status = fields.String(metadata={"description": "pending 待投递 / delivered 已送达 / "
                                                    "cancelled 已取消"})
    attempts = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_response_ms = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema))
