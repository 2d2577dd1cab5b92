"""Time helpers every service uses: timezone-aware UTC now and ISO text."""
import datetime as dt


def utcnow():
    """Now, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def iso(value):
    """A date or datetime as ISO text; None stays None."""
    return value.isoformat() if value is not None else None
