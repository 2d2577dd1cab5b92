"""Time helpers every service uses: timezone-aware UTC now and ISO text."""
import datetime as dt


def utcnow():
    """Now, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def iso(value):
    """A date or datetime as ISO text; None stays None."""
    return value.isoformat() if value is not None else None


BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")   # China has no DST


def beijing_text(value):
    """A moment as users read it in documents: Beijing time to the minute,
    ``2026-12-06T23:17:19.379374+00:00`` → ``2026-12-07 07:17``.

    Takes a timezone-aware datetime or its ISO text; a date (or date text) is printed as
    the date; None or "" gives ""; text that is not a time is returned unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) <= 10:
            return parsed.date().isoformat()
        value = parsed
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
