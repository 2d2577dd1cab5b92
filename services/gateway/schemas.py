"""Gateway-level schemas: the error shape and operational answers."""
from services.common.config import DOMAIN_SERVICES
from services.common.schemas import BaseSchema, LenientSchema, fields, validate


class ErrorBodySchema(BaseSchema):
    code = fields.String(required=True, metadata={"example": "record.not_editable"})
    message = fields.String(required=True, metadata={"example": "审核中的记录无法编辑"})
    details = fields.Dict(load_default=dict)


class ErrorSchema(BaseSchema):
    error = fields.Nested(ErrorBodySchema, required=True)


class HealthSchema(BaseSchema):
    status = fields.String(required=True)


class ServiceStateSchema(BaseSchema):
    status = fields.String(required=True, metadata={"description": "ok 或 unavailable"})
    reason = fields.String()
    outbox = fields.Dict()


class ReadySchema(BaseSchema):
    status = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceStateSchema))


class FailedEventsQuery(LenientSchema):
    service = fields.String(required=True, validate=validate.OneOf(DOMAIN_SERVICES))
    status = fields.String(load_default=None,
                           validate=validate.OneOf(["retrying", "dead", "resolved"]))


class FailedEventSchema(BaseSchema):
    handler = fields.String()
    event_id = fields.String()
    type = fields.String()
    source = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String()
    first_failed_at = fields.String()
    last_failed_at = fields.String()


class EventFeedQuery(LenientSchema):
    source = fields.String(required=True, validate=validate.OneOf(DOMAIN_SERVICES),
                           metadata={"description": "发布事件的服务，例如 workflow"})
    after = fields.Integer(load_default=0, validate=validate.Range(min=0),
                           metadata={"description": "上次读到的 position；从 0 开始"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    type = fields.List(fields.String(), load_default=None,
                       metadata={"description": "只要这些事件类型（可重复）"})
    format = fields.String(load_default=None, validate=validate.OneOf(("cloudevents",
                                                                        "envelope")),
                           metadata={"description": "cloudevents：CloudEvents 1.0 JSON（推荐；"
                                                    "也可用 Accept: application/cloudevents-"
                                                    "batch+json）；envelope：平台信封（默认）"})


class EventSchema(BaseSchema):
    position = fields.Integer(required=True)
    event_id = fields.String(required=True)
    type = fields.String(required=True)
    version = fields.Integer(required=True)
    occurred_at = fields.String(required=True)
    source = fields.String(required=True)
    subject = fields.String(required=True)
    actor = fields.Dict(allow_none=True)
    data = fields.Dict(required=True)
