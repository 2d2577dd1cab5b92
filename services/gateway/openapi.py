"""The OpenAPI document, generated from the ``@route`` declarations and their schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .http import MAX_ID, ROUTES, STATUS
from .schemas import ErrorSchema

ERROR_DESCRIPTIONS = {
    400: "请求格式有误", 401: "未登录或登录已失效", 403: "没有权限", 404: "不存在",
    409: "当前状态不允许此操作", 413: "内容过大", 415: "类型不支持", 422: "内容校验未通过",
    429: "请求过于频繁", 503: "服务暂时不可用",
}


def _schema_name(schema):
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


def build_spec(version="1.0.0"):
    spec = APISpec(
        title="职称申报评审平台 API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "JSON over HTTP. Errors always have the shape "
                             "{\"error\": {\"code\", \"message\", \"details\"}}."},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths = {}
    for route in ROUTES:
        operation = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "tags": [route.tag],
            "responses": {},
        }
        if route.description:
            operation["description"] = route.description
        if route.auth:
            operation["security"] = [{"bearer": []}]
        parameters = [
            {"in": "path", "name": name, "required": True,
             "schema": ({"type": "string"} if route.path_params.get(name) == "string"
                        else {"type": "integer", "minimum": 1, "maximum": MAX_ID})}
            for name in re.findall(r"\{(\w+)\}", route.path)
        ]
        if route.query is not None:
            parameters.append({"in": "query", "schema": route.query})
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": route.body}},
            }
        success = {"description": "成功"}
        if route.response is not None:
            schema = route.response
            content_schema = {"type": "array", "items": schema} if route.many else schema
            success["content"] = {route.content_type: {"schema": content_schema}}
        elif route.content_type != "application/json":
            success["content"] = {route.content_type: {"schema": {"type": "string"}}}
        operation["responses"][str(route.status)] = success
        statuses = set(route.errors)
        if route.auth:
            statuses |= {401}
        if route.roles:
            statuses |= {403}
        if route.body is not None or route.query is not None:
            statuses |= {400, 422}
        if route.body is not None:
            statuses |= {413, 415}
        for status in sorted(statuses):
            operation["responses"][str(status)] = {
                "description": ERROR_DESCRIPTIONS.get(status, "错误"),
                "content": {"application/json": {"schema": "Error"}},
            }
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        if not operation.get("description"):
            operation["description"] = route.summary
        if route.query is not None:
            _describe_query(route.query, operation.get("parameters", []))
    return document


# Query parameters most list operations share, described once.
COMMON_QUERY = {
    "q": "关键字（模糊查询）",
    "page": "页码，从 1 开始",
    "page_size": "每页条数",
    "status": "按状态筛选",
    "limit": "最多返回条数",
    "year": "年度",
    "series": "职称系列，如 卫生技术人员",
    "slot": "上传位置，如 work_history",
    "bundle": "申报标识（同一申报或材料包），如 declaration:12",
    "service": "服务名，如 workflow",
}


def _describe_query(schema, parameters):
    """Each query parameter's description from its field's ``metadata`` (``description``,
    else ``label``), or the shared table: front-end developers read them in Chinese."""
    instance = schema() if isinstance(schema, type) else schema
    by_key = {(f.data_key or name): f for name, f in instance.fields.items()}
    for parameter in parameters:
        if parameter.get("in") != "query" or parameter.get("description"):
            continue
        field = by_key.get(parameter["name"])
        metadata = field.metadata if field is not None else {}
        label, text = metadata.get("label"), metadata.get("description")
        description = (f"{label}：{text}" if label and text and label not in text
                       else text or label or COMMON_QUERY.get(parameter["name"]))
        if description:
            parameter["description"] = description


assert set(ERROR_DESCRIPTIONS) >= set(STATUS.values()) - {500}
