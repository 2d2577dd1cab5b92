"""Duplicate claims (issue 16.16): the same achievement claimed by several persons.

Each record of a type below carries a normalized key (``records.duplicate_key``, indexed)
computed from the fields that identify the achievement itself, whoever claims it:

* ``paper`` (论文发表情况, 卫生-论文): same title and same ISSN (论文发表情况's ISSN, or a
  卫生-论文's 期刊号 written as an ISSN); without an ISSN, same title and same journal
  (发布刊物 / 刊物名称);
* ``patent`` (专利著作权): same 专利（著作权）号 (spaces, dots, dashes, a leading ZL ignored);
* ``award`` (项目获奖): same 项目名称 and same 获奖名称;
* ``project`` (科研（基金）项目): same 项目名称 and same 来源（委托单位）;
* ``engineering`` (主持参与工程技术项目): same 项目名称 and same 项目类别;
* ``standard`` (制定标准): same 标准编号;
* ``book`` (著（译）作（教材）): same ISBN; without one, same name and same 出版单位.

Text is normalized (NFKC, case folded, only letters and digits kept) so that spacing,
full-width characters and punctuation do not hide a duplicate; the key is the kind and
the SHA-256 of the normalized parts. A record counts as a claim while it is submitted to
a unit or approved (drafts are private, returned and terminated ones are not claimed now);
one lookup by the key finds the other persons' claims.
"""
import hashlib
import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from services.common.logs import mask_name

from .. import catalogue
from ..models import Record
from . import status as st

CLAIMING = (st.SUBMITTED, st.APPROVED)
MAX_CLAIMANTS = 50
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")

BASIS = {
    "paper": "论文题目与刊物（ISSN）相同",
    "patent": "专利（著作权）号相同",
    "award": "项目名称与获奖名称相同",
    "project": "项目名称与来源（委托单位）相同",
    "engineering": "项目名称与项目类别相同",
    "standard": "标准编号相同",
    "book": "著作的标准书号（或名称与出版单位）相同",
}


def normalize(value):
    """Letters and digits of ``value``, NFKC, case folded ('' for nothing)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return _NOT_WORD.sub("", text)


def _issn(value):
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    text = re.sub(r"^ISSN\s*:?\s*", "", text).replace(" ", "")
    match = _ISSN.match(text)
    return f"{match.group(1)}-{match.group(2)}" if match else ""


def _patent_no(value):
    text = normalize(value)
    return text[2:] if text.startswith("zl") else text


def _paper(values, title_key, issn, journal):
    title = normalize(values.get(title_key))
    if not title:
        return None
    if issn:
        return ("issn", title, issn)
    journal = normalize(journal)
    return ("journal", title, journal) if journal else None


def _both(*parts):
    parts = tuple(normalize(p) for p in parts)
    return parts if all(parts) else None


PARTS = {
    "paper": ("paper", lambda v: _paper(v, "title", _issn(v.get("issn")), v.get("journal"))),
    "health_paper": ("paper", lambda v: _paper(v, "title", _issn(v.get("journal_no")),
                                               v.get("journal_name"))),
    "patent": ("patent", lambda v: (_patent_no(v.get("patent_no")),)
               if _patent_no(v.get("patent_no")) else None),
    "project_award": ("award", lambda v: _both(v.get("project_name"), v.get("award_name"))),
    "research_project": ("project", lambda v: _both(v.get("name"), v.get("source_unit"))),
    "engineering_project": ("engineering", lambda v: _both(v.get("name"), v.get("category"))),
    "standard": ("standard", lambda v: (normalize(v.get("standard_no")),)
                 if normalize(v.get("standard_no")) else None),
    "book": ("book", lambda v: ("isbn", normalize(v.get("isbn"))) if normalize(v.get("isbn"))
             else (("name",) + _both(v.get("name"), v.get("publisher"))
                   if _both(v.get("name"), v.get("publisher")) else None)),
}


def key_of(type_code, values):
    """The record's duplicate key (``<kind>:<sha256>``), or None when its type has none
    or the identifying fields are not filled in yet."""
    entry = PARTS.get(type_code)
    if entry is None:
        return None
    kind, parts_of = entry
    parts = parts_of(values or {})
    if not parts:
        return None
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{kind}:{digest}"


def basis_of(key):
    return BASIS.get((key or "").split(":", 1)[0])


# --------------------------------------------------------------------------- lookups

def claims(session, record):
    """The other persons' claims of the record's achievement (one indexed query),
    oldest first."""
    if not record.duplicate_key:
        return []
    return session.execute(
        select(Record).where(Record.duplicate_key == record.duplicate_key,
                             Record.person_id != record.person_id,
                             Record.status.in_(CLAIMING))
        .order_by(Record.submitted_at, Record.id).limit(MAX_CLAIMANTS + 1)
    ).scalars().all()


def count_of(record):
    """The number of other persons claiming the achievement of ``record`` (the Record
    entity or an alias in the enclosing query), as a column: a correlated subquery over
    the key index, 0 for a record without a key."""
    other = aliased(Record)
    return (select(func.count(func.distinct(other.person_id)))
            .where(other.duplicate_key == record.duplicate_key,
                   other.person_id != record.person_id, other.status.in_(CLAIMING))
            .correlate(record).scalar_subquery())


def _ranking(values):
    value = (values or {}).get("ranking")
    if isinstance(value, dict) and value.get("rank"):
        return f"{value['rank']}/{value['total']}" if value.get("total") else str(value["rank"])
    return None


def claimant(other, viewer_unit_id):
    """One claimant as a unit sees it: its own staff in full (with the record, which it
    may open); a person of another unit by the masked name and that unit's name."""
    own = viewer_unit_id is not None and other.unit_id == viewer_unit_id
    return {
        "person_name": other.person_name if own else mask_name(other.person_name),
        "masked": not own,
        "unit_name": other.unit_name,
        "same_unit": own,
        "record_id": other.id if own else None,
        "type_label": None,
        "status": other.status,
        "status_label": st.label(other.status),
        "ranking": _ranking(other.fields),
        "submitted_at": other.submitted_at.isoformat() if other.submitted_at else None,
    }


def view(session, record, *, viewer_unit_id=None, owner=False):
    """重复申报提示 of a record: how many other persons claim the same achievement, on
    what basis, and (for a unit) who, masked as the unit may see them. The owner learns
    the number only. None when nobody else claims it."""
    found = claims(session, record)
    if not found:
        return None
    persons = {}
    for other in found[:MAX_CLAIMANTS]:
        persons.setdefault(other.person_id, other)
    count = len(persons)
    listed = []
    if not owner:
        for other in persons.values():
            entry = claimant(other, viewer_unit_id)
            rtype = catalogue.TYPES.get(other.type_code)
            entry["type_label"] = rtype.label if rtype else other.type_code
            listed.append(entry)
    basis = basis_of(record.duplicate_key)
    return {"count": count, "basis": basis, "claimants": listed,
            "message": f"另有 {count} 人提交了相同的业绩（{basis}），请核实是否重复申报"}


def warnings(view_):
    """The applicant's warnings at submission (the submission still succeeds)."""
    if not view_:
        return []
    return [{"code": "record.duplicate_claim",
             "message": f"已有 {view_['count']} 人提交了相同的业绩（{view_['basis']}），"
                        "提交成功；如为合作成果请确认个人排名填写无误，审核单位将核实",
             "count": view_["count"]}]
