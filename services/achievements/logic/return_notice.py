"""一次性告知 of a returned record: the unit's return opinion and each rule the record's
submission fails now (the field, evidence and row checks 提交 applies, and the unit
binding), in one list — the record counterpart of a declaration's return notice.
Records carry no reviewer deletion marks, so there are no marked items."""
from services.common.errors import Conflict
from services.common.time import iso
from services.contracts.achievements import RETURNED
from services.contracts.return_notice import RECORD_NOTICE_KINDS

from .. import catalogue
from . import status as st

# keys of a submission's problems that are not fields (evidence.<place>: a required place)
SECTION_LABELS = {"evidence_file_ids": "佐证材料", "evidence": "佐证材料",
                  "rows": "病案列表或参考文献", "unit": "工作单位绑定", "fields": "业绩信息"}


def require_returned(record):
    if record.status != RETURNED:
        raise Conflict("record.not_returned", "该业绩未被退回，没有退回告知",
                       {"status": record.status})


def _entry(kind, message, **fields):
    return {"kind": kind, "kind_label": RECORD_NOTICE_KINDS[kind], "section": None,
            "section_label": None, "item_id": None, "title": None, "code": None,
            "message": message, **fields}


def _flatten(message):
    """A problem as one line: lists joined, nested fields as 名称：问题."""
    if isinstance(message, dict):
        return "；".join(f"{key}：{_flatten(value)}" for key, value in message.items())
    if isinstance(message, (list, tuple)):
        return "；".join(_flatten(value) for value in message)
    return str(message)


def _label(rtype, key):
    base = str(key).split(".")[0]
    if base == "rows" and rtype is not None and rtype.children:
        return catalogue.CHILDREN[rtype.children].label
    field = rtype.field(base) if rtype is not None else None
    return field.label if field is not None else SECTION_LABELS.get(base, base)


def notice(record, rtype, problems, unbound=None):
    """The notice of a returned ``record``: ``problems`` are its submission's field
    problems now ({key: message}, as 422 record.invalid details them), ``unbound`` the
    reason it cannot be submitted to a unit (or None)."""
    require_returned(record)
    entries = []
    if record.opinion:
        entries.append(_entry("opinion", record.opinion, title=record.unit_name))
    order = {f.key: index for index, f in enumerate(rtype.fields)} if rtype else {}
    for key in sorted(problems or {}, key=lambda k: (order.get(str(k).split(".")[0],
                                                               len(order)), str(k))):
        label = _label(rtype, key)
        entries.append(_entry("rule", _flatten(problems[key]), section=str(key),
                              section_label=label, title=label, code=str(key)))
    if unbound:
        entries.append(_entry("rule", unbound, section="unit",
                              section_label=SECTION_LABELS["unit"],
                              title=SECTION_LABELS["unit"], code="record.unbound"))
    return {
        "record_id": record.id,
        "type_code": record.type_code,
        "type_label": rtype.label if rtype is not None else record.type_code,
        "title": record.title,
        "status": record.status,
        "status_label": st.label(record.status),
        "person_name": record.person_name,
        "returned_at": iso(record.decided_at),
        "returned_by_unit_name": record.unit_name,
        "step_label": "单位审核",
        "count": len(entries),
        "items": entries,
    }
