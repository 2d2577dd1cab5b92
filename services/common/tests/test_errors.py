"""Errors travel over RPC as themselves, details intact."""
from nameko.exceptions import deserialize, serialize

from services.common.errors import Conflict, Invalid, TooLarge


def test_error_arrives_at_the_caller_with_its_class_code_message_and_typed_details():
    error = TooLarge("file.too_large", "文件大小超过限制", {"total": 245760, "limit_mb": 10.5,
                                                    "ok": False, "missing": None,
                                                    "fields": {"file": "太大"}})
    again = deserialize(serialize(error))
    assert type(again) is TooLarge
    assert again.code == "file.too_large" and again.message == "文件大小超过限制"
    assert again.details == {"total": 245760, "limit_mb": 10.5, "ok": False, "missing": None,
                             "fields": {"file": "太大"}}
    assert again.to_dict() == error.to_dict()


def test_defaults_survive_the_trip():
    again = deserialize(serialize(Conflict()))
    assert (again.code, again.message, again.details) == (Conflict.default_code,
                                                         Conflict.default_message, {})
    assert deserialize(serialize(Invalid(details={"fields": {}}))).details == {"fields": {}}
