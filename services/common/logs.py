"""Logging that never writes a full ID number or mobile number.

Every log record is masked when it is made (:func:`install`, run when the ``services``
package is imported, so in every service process and in tests): whatever handler
receives it (the console, an operator's log shipper, an error tracker) sees
``340104********1234``, also in third-party records such as SQLAlchemy's statement
parameters and rows, Nameko's RPC replies or the web server's access log with its query
string. Every service's LOGGING config also uses :class:`MaskingFormatter`; the same
masks serve the lists and exports that show a person to somebody else.
"""
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Mapping

from eventlet.corolocal import local

# An 18-character ID number wherever it stands, also glued to letters or other digits
# (``540102199604163797q``, ``abc540102199604163797``): six region digits, a birth date
# (18xx-20xx, month 01-12, day 01-31) and three digits plus a check digit or X. No word
# boundaries are required; the birth date keeps unrelated long digit runs (timestamps,
# hashes, order numbers) mostly unmasked, and masking one by chance only hides digits.
ID_NUMBER = re.compile(
    r"([1-9][0-9]{5})((?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))"
    r"([0-9]{3}[0-9Xx])"
)
MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")


def mask_id_number(value):
    """``110105199001010021`` → ``110105********0021``; other lengths keep 2+2."""
    if not value:
        return value
    value = str(value)
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_phone(value):
    """``13812341234`` → ``138****1234``."""
    if not value:
        return value
    value = str(value)
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_name(value):
    """A person's name shown to somebody who may not see it in full: the first
    character kept (the surname), the rest starred: ``张三`` → ``张*``, ``欧阳娜娜`` →
    ``欧***``."""
    if not value:
        return value
    value = str(value).strip()
    if len(value) <= 1:
        return "*"
    return value[0] + "*" * min(len(value) - 1, 10)


def mask_text(text):
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


# The request being handled by this green thread: its request id and caller's account.
_context = local()
SERVICE_IN_FORMAT = re.compile(r"%\(levelname\)s (\w+) %\(name\)s")


def bind(request_id=None, account_id=None):
    """Attach the request id and/or account id to this green thread's log records."""
    if request_id is not None:
        _context.request_id = request_id
    if account_id is not None:
        _context.account_id = account_id


def clear():
    _context.__dict__.clear()


def current():
    return (getattr(_context, "request_id", None), getattr(_context, "account_id", None))


class MaskingFormatter(logging.Formatter):
    """The services' formatter: masked text, or with ``LOG_FORMAT=json`` one JSON object
    per record on one line (time, level, service, logger, message, request_id,
    account_id, exception), masked the same way. The service's name is the word between
    the level and the logger in the configured format (``services/<name>/config.yml``)
    or ``service=`` when given."""

    def __init__(self, fmt=None, datefmt=None, style="%", validate=True, *, service=None,
                 json_lines=None):
        super().__init__(fmt, datefmt, style, validate)
        found = SERVICE_IN_FORMAT.search(fmt or "")
        self.service = service or (found.group(1) if found else "")
        if json_lines is None:
            json_lines = os.environ.get("LOG_FORMAT", "").strip().lower() == "json"
        self.json_lines = json_lines

    def format(self, record):
        if not self.json_lines:
            return mask_text(super().format(record))
        request_id, account_id = current()
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
            "request_id": request_id,
            "account_id": account_id,
        }
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _masked(value):
    """``value`` itself, or its text masked when that text holds a number to mask."""
    if value is None or isinstance(value, (int, float)):  # numbers keep %d working
        return value
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # a repr that fails is the handler's problem, as before
        return value
    masked = mask_text(text)
    return value if masked == text else masked


def _masking_factory(make_record):
    def factory(*args, **kwargs):
        record = make_record(*args, **kwargs)
        record.msg = _masked(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_masked(arg) for arg in record.args)
        return record
    factory.masks_numbers = True
    return factory


def install():
    """Mask every log record of this process when it is made (once)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_numbers", False):
        logging.setLogRecordFactory(_masking_factory(current))
