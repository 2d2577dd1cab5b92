"""Logging that never writes a full ID number or mobile number.

Every service's LOGGING config uses :class:`MaskingFormatter`; the same masks serve the
lists and exports that show a person to somebody else.
"""
import logging
import re

ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
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


def mask_text(text):
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingFormatter(logging.Formatter):
    def format(self, record):
        return mask_text(super().format(record))
