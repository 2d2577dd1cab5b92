"""The error base every service raises.

An error has a stable ``code`` (``record.not_editable``), a Chinese ``message`` that a
user reads, and optional ``details``. Each subclass is one kind of failure; the gateway
maps the kind to an HTTP status with one table (``services.gateway.http.STATUS``).

The classes are registered with Nameko so that an error raised in a service arrives at
the RPC caller as the same class with the same arguments.
"""
import json

from nameko.exceptions import deserialize_to_instance


class AppError(Exception):
    default_code = "error"
    default_message = "请求无法处理"

    def __init__(self, code=None, message=None, details=None):
        code = code or self.default_code
        message = message or self.default_message
        if isinstance(details, str):  # as it arrives over RPC, see below
            details = json.loads(details)
        details = details or {}
        # Nameko stringifies every non-string value of an exception's args on the way to
        # the caller; carried as JSON, details keep their numbers, booleans and nulls.
        super().__init__(code, message, json.dumps(details, ensure_ascii=False, default=str))
        self.code = code
        self.message = message
        self.details = details

    def __str__(self):
        return f"{self.code}: {self.message}"

    def to_dict(self):
        return {"code": self.code, "message": self.message, "details": self.details}


@deserialize_to_instance
class BadRequest(AppError):
    default_code = "request.bad"
    default_message = "请求格式有误"


@deserialize_to_instance
class Invalid(AppError):
    default_code = "request.invalid"
    default_message = "提交的内容有误，请检查后重试"


@deserialize_to_instance
class Unauthenticated(AppError):
    default_code = "auth.required"
    default_message = "请先登录"


@deserialize_to_instance
class Forbidden(AppError):
    default_code = "auth.forbidden"
    default_message = "没有权限执行此操作"


@deserialize_to_instance
class NotFound(AppError):
    default_code = "not_found"
    default_message = "记录不存在"


@deserialize_to_instance
class Conflict(AppError):
    default_code = "conflict"
    default_message = "当前状态不允许此操作"


@deserialize_to_instance
class TooLarge(AppError):
    default_code = "request.too_large"
    default_message = "文件或请求内容过大"


@deserialize_to_instance
class UnsupportedType(AppError):
    default_code = "request.unsupported_type"
    default_message = "不支持的文件类型"


@deserialize_to_instance
class TooManyRequests(AppError):
    default_code = "request.too_many"
    default_message = "请求过于频繁，请稍后再试"


@deserialize_to_instance
class Unavailable(AppError):
    default_code = "service.unavailable"
    default_message = "服务暂时不可用，请稍后再试"


# deserialize_to_instance registers a class for the remote side; AppError itself too,
# so that a bare AppError raised anywhere is not turned into a RemoteError.
deserialize_to_instance(AppError)
