"""marshmallow base for every service: Chinese validation messages and ISO travel.

Users read validation errors, so marshmallow's built-in English messages are replaced
here, once, for the whole platform. Schemas subclass :class:`BaseSchema`.
"""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

_FIELD_MESSAGES = {
    fields.Field: {
        "required": "此项为必填项",
        "null": "此项不能为空",
        "validator_failed": "取值无效",
    },
    fields.String: {"invalid": "请输入文本", "invalid_utf8": "文本编码有误"},
    fields.Integer: {"invalid": "请输入整数", "too_large": "数值过大"},
    fields.Number: {"invalid": "请输入数字", "too_large": "数值过大"},
    fields.Decimal: {"special": "请输入有效的数字"},
    fields.Boolean: {"invalid": "请输入是或否"},
    fields.Date: {"invalid": "日期格式有误，应为 YYYY-MM-DD", "format": "日期格式有误"},
    fields.DateTime: {"invalid": "时间格式有误", "invalid_awareness": "时间格式有误",
                      "format": "时间格式有误"},
    fields.Email: {"invalid": "电子邮箱格式有误"},
    fields.List: {"invalid": "请输入列表"},
    fields.Dict: {"invalid": "请输入对象"},
    fields.Nested: {"type": "请输入对象"},
    fields.UUID: {"invalid_uuid": "编号格式有误"},
}
for _cls, _messages in _FIELD_MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}

validate.Length.message_min = "长度不能少于 {min} 个字符"
validate.Length.message_max = "长度不能超过 {max} 个字符"
validate.Length.message_all = "长度应在 {min} 到 {max} 个字符之间"
validate.Length.message_equal = "长度应为 {equal} 个字符"
# A list's length counts items (项), not characters.
_LIST_LENGTH_MESSAGES = {
    validate.Length.message_min: "不能少于 {min} 项",
    validate.Length.message_max: "不能超过 {max} 项",
    validate.Length.message_all: "应有 {min} 到 {max} 项",
    validate.Length.message_equal: "应有 {equal} 项",
}
_length_format_error = validate.Length._format_error


def _length_message(self, value, message):
    if not isinstance(value, str | bytes):
        message = _LIST_LENGTH_MESSAGES.get(message, message)
    return _length_format_error(self, value, message)


validate.Length._format_error = _length_message
validate.Range.message_min = "应{min_op} {{min}}"
validate.Range.message_max = "应{max_op} {{max}}"
validate.Range.message_all = "应{min_op} {{min}} 且{max_op} {{max}}"
validate.Range.message_gte = "大于或等于"
validate.Range.message_gt = "大于"
validate.Range.message_lte = "小于或等于"
validate.Range.message_lt = "小于"
validate.OneOf.default_message = "取值必须是以下之一：{choices}"
validate.Regexp.default_message = "格式有误"
validate.Email.default_message = "电子邮箱格式有误"


# Two limits every input obeys, whatever the schema: integers fit the databases' integer
# columns, and text carries no NUL character (PostgreSQL cannot store it). Without these,
# such input would reach a service and fail there as a server error instead of a 422.
MAX_INT = 2_147_483_647
_integer_validated = fields.Integer._validated
_string_deserialize = fields.String._deserialize


def _integer_in_range(self, value):
    value = _integer_validated(self, value)
    if value is not None and abs(value) > MAX_INT:
        raise self.make_error("too_large")
    return value


def _string_without_nul(self, value, attr, data, **kwargs):
    value = _string_deserialize(self, value, attr, data, **kwargs)
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("文本中不能含有空字符")
    return value


fields.Integer._validated = _integer_in_range
fields.String._deserialize = _string_without_nul


class BaseSchema(Schema):
    """Unknown fields are refused: a typo in a field name is an error, not silence."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不支持的字段", "type": "请求内容应为 JSON 对象"}


class LenientSchema(BaseSchema):
    """For query strings and data from other systems, where extra keys are ignored."""

    class Meta:
        unknown = EXCLUDE


class PageQuery(LenientSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


def flatten_errors(messages, prefix=""):
    """``{"a": {"b": ["x"]}}`` → ``{"a.b": ["x"]}``, for error details."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten_errors(value, name))
            else:
                flat[name] = value if isinstance(value, list) else [value]
    else:
        flat[prefix or "_schema"] = messages if isinstance(messages, list) else [messages]
    return flat


__all__ = ["BaseSchema", "LenientSchema", "PageQuery", "ValidationError", "fields", "load",
           "validate", "flatten_errors"]


_INSTANCES = {}


def instance(schema):
    """One instance per schema class, kept: building a schema costs more than most
    loads and dumps (its fields are copied and bound), and loading or dumping changes
    nothing in it."""
    if not isinstance(schema, type):
        return schema
    found = _INSTANCES.get(schema)
    if found is None:
        found = _INSTANCES[schema] = schema()
    return found


def dump(schema, data, many=False):
    """``data`` as the answer ``schema`` (a class, or an instance with options)."""
    return instance(schema).dump(data, many=many)


def load(schema, data, code="request.invalid"):
    """``schema.load(data)``, turning a ValidationError into :class:`Invalid` (422)
    with each field's Chinese messages in ``details.fields``."""
    from .errors import Invalid

    schema = instance(schema)
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        fields_ = flatten_errors(exc.messages)
        first_field, first_messages = next(iter(fields_.items()))
        label = _label(schema, first_field)
        message = f"提交的内容有误：{label}{first_messages[0]}"
        raise Invalid(code, message, {"fields": fields_}) from exc


def _label(schema, dotted):
    """A field's Chinese label (``metadata={"label": ...}``) for messages, if it has one."""
    name = dotted.split(".")[0]
    field = schema.fields.get(name) if hasattr(schema, "fields") else None
    label = field.metadata.get("label") if field is not None else None
    return f"{label}：" if label else (f"{name}：" if name != "_schema" else "")


def require_id(value, field="id"):
    """An id argument of an RPC: a positive integer (not a bool), else 422 编号格式有误."""
    from .errors import Invalid

    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("request.invalid", "编号格式有误", {"fields": {field: ["编号格式有误"]}})
    return value
