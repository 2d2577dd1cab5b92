"""The title and the keyword search text of a record, from its type's catalogue entry."""
from .. import catalogue

MAX_TITLE = 500


def _text(value):
    """A field value as searchable text; structured values (rank pairs …) give ''."""
    if value is None or isinstance(value, (dict, bool)):
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value if _text(v))
    return str(value).strip()


def title_of(record_type, values):
    """业绩名称: the catalogue's title of the values (the title field's value, composed
    for some types, e.g. 年度考核 → "2021年度考核"); '' while a draft lacks it."""
    compose = getattr(catalogue, "title_of", None)
    if compose is not None:
        return _text(compose(record_type, values or {}))[:MAX_TITLE]
    return _text((values or {}).get(record_type.title_field))[:MAX_TITLE]


def search_text(record_type, values):
    """Lower-cased title and query-field values, one per line, for ILIKE search."""
    values = values or {}
    parts = [title_of(record_type, values)]
    parts += [_text(values.get(key)) for key in record_type.query_fields]
    return "\n".join(dict.fromkeys(p for p in parts if p)).lower()


def like_terms(q):
    """ILIKE patterns for a keyword query: every whitespace-separated term must match."""
    if not q:
        return []
    terms = [t for t in q.strip().lower().split() if t][:10]
    escaped = [t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for t in terms]
    return [f"%{t}%" for t in escaped]
