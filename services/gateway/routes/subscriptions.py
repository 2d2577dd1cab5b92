"""Push subscriptions (webhooks) for other government systems, the CloudEvents feed and
the AsyncAPI document of every event (see docs/events.md)."""
import pathlib

from werkzeug.wrappers import Response

from services.common.principal import OPERATOR, SYSTEM
from services.contracts import events as ev

from ..http import route

TAG = "事件订阅"
ASYNCAPI_PAGE = pathlib.Path(__file__).resolve().parent.parent / "asyncapi.html"


class SubscriptionRoutes:
    _asyncapi = None

    @route("POST", "/api/v1/subscriptions", summary="创建推送订阅（Webhook）", tag=TAG,
           roles=(SYSTEM,), body=ev.SubscriptionCreate, response=ev.SubscriptionSchema,
           status=201, errors=(422,), dumped=True,
           description="登记推送地址（HTTPS；只有运维在 WEBHOOK_ALLOW_HOSTS 中允许的主机可用 "
                       "http）、事件类型和签名密钥（不填时自动生成，只返回这一次）。解析到"
                       "内网、回环或链路本地地址的推送地址被拒绝（422 "
                       "subscription.private_address），已在允许列表中的除外。")
    def subscription_create(self, ctx):
        return self.webhooks_rpc.create_subscription(ctx.body)

    @route("GET", "/api/v1/subscriptions", summary="我的推送订阅", tag=TAG,
           roles=(SYSTEM,), query=ev.SubscriptionQuery, response=ev.SubscriptionSchema,
           many=True, dumped=True)
    def subscription_list(self, ctx):
        return self.webhooks_rpc.list_subscriptions(ctx.query)

    @route("GET", "/api/v1/ops/subscriptions",
           summary="全部推送订阅（运维；status=paused 看被暂停的）", tag=TAG,
           roles=(OPERATOR,), query=ev.SubscriptionQuery,
           response=ev.SubscriptionSchema, many=True, dumped=True,
           description="运维人员查看全部推送订阅；投递失败超过 WEBHOOK_GIVE_UP_AFTER 而被暂停"
                       "的订阅，paused_reason 为 `failing`。")
    def subscription_list_all(self, ctx):
        return self.webhooks_rpc.list_subscriptions(ctx.query, everyone=True)

    @route("GET", "/api/v1/subscriptions/{id}", summary="推送订阅详情", tag=TAG,
           roles=(SYSTEM, OPERATOR), response=ev.SubscriptionSchema, errors=(404,),
           dumped=True)
    def subscription_get(self, ctx, id):
        return self.webhooks_rpc.get_subscription(id)

    @route("POST", "/api/v1/subscriptions/{id}/pause", summary="暂停推送订阅", tag=TAG,
           roles=(SYSTEM, OPERATOR), response=ev.SubscriptionSchema, errors=(404,),
           dumped=True)
    def subscription_pause(self, ctx, id):
        return self.webhooks_rpc.pause_subscription(id)

    @route("POST", "/api/v1/subscriptions/{id}/resume", summary="恢复推送订阅", tag=TAG,
           roles=(SYSTEM, OPERATOR), response=ev.SubscriptionSchema, errors=(404,),
           dumped=True, description="恢复后，等待中的投递立即按顺序投递。")
    def subscription_resume(self, ctx, id):
        return self.webhooks_rpc.resume_subscription(id)

    @route("DELETE", "/api/v1/subscriptions/{id}", summary="删除推送订阅", tag=TAG,
           roles=(SYSTEM,), errors=(404,))
    def subscription_delete(self, ctx, id):
        return self.webhooks_rpc.delete_subscription(id)

    @route("POST", "/api/v1/subscriptions/{id}/rotate-secret", summary="更换签名密钥", tag=TAG,
           roles=(SYSTEM,), body=ev.RotateSecret, response=ev.SubscriptionSchema,
           errors=(404,), dumped=True,
           description="更换后 24 小时内旧密钥仍同时签名（第二个 v1）。")
    def subscription_rotate_secret(self, ctx, id):
        return self.webhooks_rpc.rotate_secret(id, ctx.body)

    @route("GET", "/api/v1/subscriptions/{id}/deliveries",
           summary="投递记录（尝试、状态、响应时间）", tag=TAG,
           roles=(SYSTEM, OPERATOR), query=ev.DeliveryQuery,
           response=ev.DeliverySchema, many=True, errors=(404,), dumped=True)
    def subscription_deliveries(self, ctx, id):
        return self.webhooks_rpc.list_deliveries(id, ctx.query)

    @route("POST", "/api/v1/subscriptions/{id}/redeliver", summary="重新投递一个事件", tag=TAG,
           roles=(SYSTEM,), body=ev.Redeliver, status=202, errors=(404,))
    def subscription_redeliver(self, ctx, id):
        return self.webhooks_rpc.redeliver(id, ctx.body)

    @route("POST", "/api/v1/subscriptions/{id}/replay", summary="从事件流位置回放", tag=TAG,
           roles=(SYSTEM,), body=ev.Replay, status=202, errors=(404,),
           description="按事件流顺序，重新投递 `source` 中事件流位置 `after` 之后、属于该订阅"
                       "事件类型的每个事件。")
    def subscription_replay(self, ctx, id):
        return self.webhooks_rpc.replay(id, ctx.body)

    @route("GET", "/api/v1/asyncapi.json", summary="AsyncAPI 3 事件文档", tag="运维",
           auth=False)
    def asyncapi(self, ctx):
        if SubscriptionRoutes._asyncapi is None:
            SubscriptionRoutes._asyncapi = ev.asyncapi_document()
        return SubscriptionRoutes._asyncapi

    @route("GET", "/events-docs", summary="可浏览的事件文档页面", tag="运维", auth=False,
           content_type="text/html")
    def asyncapi_page(self, ctx):
        return Response(ASYNCAPI_PAGE.read_bytes(), mimetype="text/html")
