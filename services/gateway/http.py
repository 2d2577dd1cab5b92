"""How the gateway answers HTTP: one ``@route`` decorator and one error table.

``@route`` declares an operation once: method, path, schemas, who may call it. From that
declaration the gateway authenticates the caller, parses and validates the request,
calls the handler (which calls services over RPC), serialises the answer, maps errors to
statuses, and the OpenAPI document is generated (``openapi.py``).

A service dumps its answer with its contract's schema (``services/contracts``), and the
gateway passes that answer through as JSON: an answer is dumped once, and a route's
``response`` schema documents it (OpenAPI). A route whose handler builds its answer from
values that are not plain JSON may declare ``dumped=False`` to have it dumped with
``response``.

A handler is ``fn(self, ctx, **path_params)`` where ``ctx`` carries ``principal``,
``body``, ``query`` and the raw ``request``; it returns data for the response schema or
a ready :class:`werkzeug.Response`.
"""
import functools
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

import eventlet
from eventlet import wsgi as eventlet_wsgi
from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from services.common import config as cfg
from services.common import errors, logs, metrics
from services.common.schemas import dump, load

log = logging.getLogger("gateway")

# The one table from error kind to HTTP status.
STATUS = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
    errors.Invalid: 422,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.AppError: 400,
}

MAX_JSON_BODY = 1024 * 1024
# Health checks answer even when the gateway is saturated (GATEWAY_MAX_IN_FLIGHT).
UNLIMITED_PATHS = {"/healthz", "/readyz"}
BUSY_RETRY_AFTER = 1  # seconds, in the Retry-After of a saturated gateway's 503
REQUEST_ID_KEY = "request_id"  # in the worker context data (propagated with every RPC)
ROUTES = []
# Identifiers in paths are positive and fit the databases' integer keys; anything else
# names no resource (404), and never reaches a service.
MAX_ID = 2_147_483_647


def status_for(error):
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


@dataclass
class RouteSpec:
    method: str
    path: str
    summary: str
    tag: str
    body: object = None
    query: object = None
    response: object = None
    status: int = 200
    auth: bool = True
    roles: tuple = ()
    description: str = ""
    content_type: str = "application/json"
    errors: tuple = ()
    operation_id: str = ""
    many: bool = False
    path_params: dict = field(default_factory=dict)
    export: bool = False  # builds a document: EXPORT_TIMEOUT instead of RPC_TIMEOUT
    dumped: bool = True  # the service dumped the answer with the contract: pass it through

    @property
    def rule(self):
        """The werkzeug rule for the OpenAPI path: ``{id}`` → ``<int:id>``."""
        def repl(match):
            name = match.group(1)
            kind = self.path_params.get(name, "int")
            if kind == "string":
                return f"<{name}>"
            return f"<int(min=1, max={MAX_ID}):{name}>"
        return re.sub(r"\{(\w+)\}", repl, self.path)


@dataclass
class Context:
    request: object
    principal: object = None
    body: object = None
    query: object = None
    request_id: str = ""


def route(method, path, *, summary, tag, body=None, query=None, response=None, status=200,
          auth=True, roles=(), description="", content_type="application/json",
          errors=(), many=False, path_params=None, export=False, dumped=True):
    """Declare a gateway operation. ``path`` is in OpenAPI form (``/records/{id}``);
    path parameters are integers unless ``path_params`` says ``"string"``."""
    def decorator(fn):
        spec = RouteSpec(
            method=method.upper(), path=path, summary=summary, tag=tag, body=body,
            query=query, response=response, status=status, auth=auth, roles=tuple(roles),
            description=description, content_type=content_type, errors=tuple(errors),
            operation_id=fn.__name__, many=many, path_params=dict(path_params or {}),
            export=export, dumped=dumped,
        )
        ROUTES.append(spec)

        @functools.wraps(fn)
        def entry(self, request, **params):
            return dispatch(self, spec, fn, request, params)

        entry.route_spec = spec
        return JsonHttp.decorator(spec.method, spec.rule)(entry)

    return decorator


# --------------------------------------------------------------------------- server

class JsonWsgiApp(WsgiApp):
    """Nameko's WSGI app, answering unknown paths and methods in the error shape, and
    refusing requests beyond GATEWAY_MAX_IN_FLIGHT at once."""

    in_flight = 0  # requests of this instance being handled (health checks aside)

    def __call__(self, environ, start_response):
        # Prometheus (services/common/metrics.py), for scrapers that reach the pod itself:
        # through the Ingress or any proxy (X-Forwarded-For) it is a path like any other.
        if environ.get("PATH_INFO") == "/metrics" and "HTTP_X_FORWARDED_FOR" not in environ:
            return metrics.wsgi_app(self.server.container)(environ, start_response)
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            code = exc.code or 404
            if code == 405 and _beyond_max_id(adapter, environ):
                code = 404
            if code == 405:
                error = errors.AppError("request.method_not_allowed", "不支持的请求方法")
            else:
                error = errors.NotFound("route.not_found", "接口不存在")
            response = error_response(error)
            response.status_code = code
            return response(environ, start_response)
        request.path_values = values
        if environ.get("PATH_INFO") in UNLIMITED_PATHS:
            return provider.handle_request(request)(environ, start_response)
        # Bounded queueing: past the limit a request is refused at once (503, Retry-After)
        # before it is authenticated or reaches any service, instead of waiting for a
        # worker and the RPC timeout.
        if self.in_flight >= self.max_in_flight:
            response = error_response(errors.Unavailable("service.busy", "系统繁忙，请稍后再试"))
            response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response(environ, start_response)
        self.in_flight += 1
        try:
            return provider.handle_request(request)(environ, start_response)
        finally:
            self.in_flight -= 1

    @functools.cached_property
    def max_in_flight(self):
        return cfg.as_int(self.server.container.config, "GATEWAY_MAX_IN_FLIGHT")


# The longest request line (method, path and query) the gateway reads: long enough for
# any query the schemas accept to reach them (a 2,000-character Chinese ``q`` is 18 KB
# percent-encoded, and answers the schema's 422); longer lines answer 414 in the error
# shape. eventlet's own 414 has an empty body and is a module constant it reads per
# request, so it is replaced here.
MAX_REQUEST_LINE = 64 * 1024
_URI_TOO_LONG = json.dumps(
    {"error": {"code": "request.uri_too_long", "message": "请求地址过长", "details": {}}},
    ensure_ascii=False, separators=(",", ":")).encode()
eventlet_wsgi.RESPONSE_414 = (
    b"HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\n"
    b"Content-Type: application/json\r\n"
    + f"Content-Length: {len(_URI_TOO_LONG)}\r\n\r\n".encode() + _URI_TOO_LONG)


def _beyond_max_id(adapter, environ):
    """Whether a path answered 405 holds a number above MAX_ID where a rule takes an id:
    it names no resource, whatever the method (404), rather than a wrong method."""
    path = environ.get("PATH_INFO") or "/"
    fixed = re.sub(r"(?<=/)\d+(?=/|$)",
                   lambda m: "1" if int(m.group()) > MAX_ID else m.group(), path)
    if fixed == path:
        return False
    try:
        adapter.match(path_info=fixed, method=environ.get("REQUEST_METHOD"))
    except MethodNotAllowed:
        return True  # the path exists with an id in range; its id is what is wrong
    except HTTPException:
        return False
    return True


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=HttpOnlyProtocol, debug=False):
        """Nameko's, reading request lines up to MAX_REQUEST_LINE."""
        return eventlet_wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol,
                                    debug=debug, log=logging.getLogger("nameko.web.server"),
                                    url_length_limit=MAX_REQUEST_LINE)

    def context_data_from_headers(self, request):
        """A request id of each request's own, which its RPCs carry to the services (their
        log lines name it) and which answers as X-Request-Id."""
        request.environ[REQUEST_ID_KEY] = uuid.uuid4().hex[:12]
        return {REQUEST_ID_KEY: request.environ[REQUEST_ID_KEY]}


class JsonHttp(HttpRequestHandler):
    server = JsonWebServer()

    def handle_request(self, request):
        """Nameko's, counted and timed by route template and status for /metrics."""
        started = time.perf_counter()
        response = super().handle_request(request)
        spec = getattr(getattr(self.container.service_cls, self.method_name, None),
                       "route_spec", None)
        metrics.observe_http(self.container, self.method, spec.path if spec else self.url,
                             response.status_code, time.perf_counter() - started)
        return response


# --------------------------------------------------------------------------- responses

def json_response(payload, status=200, headers=None):
    return Response(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str),
        status=status, mimetype="application/json", headers=headers,
    )


def error_response(error, request_id=""):
    status = status_for(error)
    body = {"error": error.to_dict()}
    if request_id:
        body["error"]["details"] = {**body["error"]["details"], "request_id": request_id}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return json_response(body, status, headers)


# --------------------------------------------------------------------------- requests

def bearer_token(request):
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def parse_json(request):
    if request.content_length and request.content_length > MAX_JSON_BODY:
        raise errors.TooLarge("request.too_large", "请求内容过大（不超过 1MB）")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BODY:
        raise errors.TooLarge("request.too_large", "请求内容过大（不超过 1MB）")
    if not raw.strip():
        return {}
    mimetype = (request.mimetype or "").lower()
    if mimetype != "application/json":
        raise errors.UnsupportedType("request.content_type",
                                     "请求内容须为 JSON（application/json）")
    try:
        body = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError):
        raise errors.BadRequest("request.bad_json", "请求内容不是有效的 JSON") from None
    check_text(body)
    return body


# No request the platform defines nests deeper than this; deeper bodies are refused
# before any schema or service sees them (json.loads itself fails far deeper, with a
# RecursionError, which answers the same).
MAX_JSON_DEPTH = 32
# A lone UTF-16 surrogate (``"\ud800"`` in JSON) decodes to a str that cannot be encoded
# as UTF-8 (PostgreSQL, logs); NUL cannot be stored in PostgreSQL text.
_BAD_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _too_deep():
    return errors.BadRequest("request.too_deep",
                             f"请求内容嵌套层数过多（不超过 {MAX_JSON_DEPTH} 层）")


def check_text(value, path="", depth=0):
    """Every string of a parsed JSON body, keys included and at any depth: no NUL, no
    lone surrogate (422 request.bad_text naming where); and no nesting deeper than
    MAX_JSON_DEPTH (400 request.too_deep)."""
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            field_ = path or "_schema"
            message = "文本中不能含有空字符或无效字符"
            raise errors.Invalid("request.bad_text", f"提交的内容有误：{field_}：{message}",
                                 {"fields": {field_: [message]}})
        return
    if not isinstance(value, dict | list):
        return
    if depth >= MAX_JSON_DEPTH:
        raise _too_deep()
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and _BAD_TEXT.search(key):
            check_text(key, path or "_schema", depth)
        check_text(item, name, depth + 1)


def query_dict(request, schema):
    """Query parameters: lists for List fields, single values otherwise."""
    from marshmallow import fields as mfields

    instance = schema() if isinstance(schema, type) else schema
    data = {}
    for key in request.args:
        target = instance.fields.get(key)
        values = request.args.getlist(key)
        data[key] = values if isinstance(target, mfields.List) else values[-1]
    return data


def dispatch(service, spec, fn, request, params):
    request_id = request.environ.get(REQUEST_ID_KEY) or uuid.uuid4().hex[:12]
    logs.bind(request_id=request_id)  # JSON log lines carry it (services/common/logs.py)
    started = time.monotonic()
    ctx = Context(request=request, request_id=request_id)
    try:
        token = bearer_token(request)
        if spec.auth or token:
            ctx.principal = service.authenticate(token) if token else None
            if ctx.principal is not None:
                logs.bind(account_id=ctx.principal.account_id)
            if spec.auth and ctx.principal is None:
                raise errors.Unauthenticated("auth.required", "请先登录")
        if spec.roles:
            ctx.principal.require(*spec.roles)
        if spec.query is not None:
            ctx.query = load(spec.query, query_dict(request, spec.query))
        if spec.body is not None:
            ctx.body = load(spec.body, parse_json(request))
        timeout = service.export_timeout if spec.export else service.rpc_timeout
        with eventlet.Timeout(timeout, errors.Unavailable()):
            result = fn(service, ctx, **params)
        if isinstance(result, Response):
            response = result
        else:
            payload = result
            if spec.response is not None and not spec.dumped:
                payload = dump(spec.response, result, many=spec.many)
            response = json_response(payload, spec.status)
    except errors.Unavailable as exc:  # a service not running or not answering in time
        log.error("request %s: %s %s: %s", request_id, spec.method, spec.path,
                  exc.__cause__ or "timed out")
        response = error_response(exc, request_id)
    except errors.AppError as exc:
        response = error_response(exc)
    except RemoteError as exc:
        log.error("request %s: %s %s: remote failure %s", request_id, spec.method,
                  spec.path, exc)
        response = error_response(
            errors.AppError("internal", "服务器内部错误，请稍后重试"), request_id)
        response.status_code = 500
    except Exception:
        log.exception("request %s: %s %s failed", request_id, spec.method, spec.path)
        response = error_response(
            errors.AppError("internal", "服务器内部错误，请稍后重试"), request_id)
        response.status_code = 500
    response.headers["X-Request-Id"] = request_id
    log.info("%s %s -> %s (%.0f ms) account=%s", spec.method, request.path,
             response.status_code, (time.monotonic() - started) * 1000,
             ctx.principal.account_id if ctx.principal else "-")
    return response
