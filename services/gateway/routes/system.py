"""Health, readiness, the API description and operator views."""
import pathlib

import eventlet
from werkzeug.wrappers import Response

from services.common.config import DOMAIN_SERVICES
from services.common.errors import Unavailable
from services.common.principal import OPERATOR, SYSTEM

from ..http import json_response, route
from ..schemas import (
    EventFeedQuery,
    EventSchema,
    FailedEventSchema,
    FailedEventsQuery,
    HealthSchema,
    ReadySchema,
)

DOCS_PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs.html"


class _NoAnswer(Exception):
    pass


class SystemRoutes:
    _openapi = None

    @route("GET", "/healthz", summary="存活检查（不访问其他服务）", tag="运维",
           auth=False, response=HealthSchema)
    def healthz(self, ctx):
        return {"status": "ok"}

    @route("GET", "/readyz", summary="就绪检查：逐一调用各服务", tag="运维", auth=False,
           response=ReadySchema, errors=(503,),
           description="每个业务服务都在 READY_TIMEOUT 秒内响应健康检查时返回 200；否则返回 "
                       "503，并列出未响应的服务。")
    def readyz(self, ctx):
        states = self.ping_services()
        down = [name for name, state in states.items() if state["status"] != "ok"]
        if not down:
            return {"status": "ok", "services": states}
        body = {
            "status": "unavailable",
            "services": states,
            "error": Unavailable(
                "service.unavailable", f"服务暂时不可用：{'、'.join(down)}",
                {"unavailable": down}).to_dict(),
        }
        return json_response(body, 503)

    def ping_services(self):
        replies, states = {}, {}
        for name in DOMAIN_SERVICES:
            try:
                replies[name] = getattr(self, f"{name}_rpc").health.call_async()
            except Unavailable:  # not running: no queue to send to
                states[name] = {"status": "unavailable", "reason": "not running"}
        deadline = eventlet.hubs.get_hub().clock() + self.ready_timeout
        for name, reply in replies.items():
            remaining = max(0.0, deadline - eventlet.hubs.get_hub().clock())
            try:
                with eventlet.Timeout(remaining, _NoAnswer()):
                    answer = reply.result()
                states[name] = {"status": "ok", "outbox": answer.get("outbox", {})}
            except _NoAnswer:
                states[name] = {"status": "unavailable",
                                "reason": f"no answer within {self.ready_timeout:g}s"}
            except Exception as exc:
                states[name] = {"status": "unavailable", "reason": str(exc)[:200]}
        return {name: states[name] for name in DOMAIN_SERVICES}

    @route("GET", "/api/v1/openapi.json", summary="OpenAPI 文档", tag="运维", auth=False)
    def openapi(self, ctx):
        from ..openapi import build_spec

        if SystemRoutes._openapi is None:
            SystemRoutes._openapi = build_spec()
        return SystemRoutes._openapi

    @route("GET", "/docs", summary="可浏览的接口文档页面", tag="运维", auth=False,
           content_type="text/html")
    def docs(self, ctx):
        return Response(DOCS_PAGE.read_bytes(), mimetype="text/html")

    @route("GET", "/api/v1/ops/failed-events", summary="事件处理失败记录（运维）", tag="运维",
           roles=(OPERATOR,), query=FailedEventsQuery, response=FailedEventSchema, many=True)
    def failed_events(self, ctx):
        proxy = getattr(self, f"{ctx.query['service']}_rpc")
        return proxy.failed_events(status=ctx.query["status"])

    @route("GET", "/api/v1/events", summary="事件回放：按发布顺序读取已发布的事件", tag="运维",
           roles=(SYSTEM, OPERATOR), query=EventFeedQuery, response=EventSchema, many=True,
           description="按提交顺序返回 source 在事件流位置 `after` 之后的事件，每个事件自提交"
                       "起即可读取；下次调用时传入最后读到的位置。`format=cloudevents`（或 "
                       "Accept: application/cloudevents-batch+json）返回 CloudEvents 1.0 "
                       "JSON，位置为扩展属性 `position`；默认为平台自己的事件格式。详见 "
                       "docs/events.md。")
    def event_feed(self, ctx):
        proxy = getattr(self, f"{ctx.query['source']}_rpc")
        accept = ctx.request.headers.get("Accept", "")
        if ctx.query["format"] == "cloudevents" or (
                ctx.query["format"] is None and "application/cloudevents-batch+json" in accept):
            items = proxy.event_feed(after=ctx.query["after"], limit=ctx.query["limit"],
                                     types=ctx.query["type"], shape="cloudevents")
            response = json_response(items)
            response.mimetype = "application/cloudevents-batch+json"
            return response
        return proxy.event_feed(after=ctx.query["after"], limit=ctx.query["limit"],
                                types=ctx.query["type"])
