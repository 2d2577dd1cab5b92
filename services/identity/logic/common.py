"""Small helpers shared by the identity rules: time, ISO strings, paging."""
import datetime as dt

from sqlalchemy import func, select


def utcnow():
    return dt.datetime.now(dt.UTC)


def iso(value):
    """ISO string of a date or datetime; None stays None."""
    return value.isoformat() if value is not None else None


def clean(value):
    """Strip a text value; empty text becomes None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def page(session, query, page_no, page_size, order_by):
    """``(rows, total)`` of a select, one page of it."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())
                            ).scalar_one()
    rows = session.execute(
        query.order_by(*order_by).limit(page_size).offset((page_no - 1) * page_size)
    ).all()
    return rows, total


def like_pattern(text):
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
