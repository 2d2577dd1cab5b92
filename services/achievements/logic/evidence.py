"""A record's evidence against its type's upload places (``catalogue.EVIDENCE``).

A record takes only files uploaded to its own type's places: a 工作经历 record does not
take a paper's .docx or an engineering project's 30 MB PDF, whatever their size or type
(the documents service checked them against the place they were uploaded to, not against
this record). At 提交 every place the catalogue marks required must hold a file: 论文发表情况
needs its 刊物封面、目录、正文 (“论文发表情况”), not only the optional 论文查重附件; 卫生-专题
needs its 查重文档附件. A reference (参考文献) takes only its own place's file.

The documents service describes the files (``describe_files``: the caller's own files
with their slot); files it does not know are left to ``attach``, which refuses them.
Plain functions: no Nameko, no HTTP.
"""
from .. import catalogue
from .children import NONTEMPLATE_MESSAGE

FIELD = "evidence_file_ids"
REQUIRED_KEY = "evidence.{code}"     # one problem per upload place, by its catalogue code

# slot code -> (type label, place label): where a slot is shown, in the catalogue's words
_PLACES = {s.code: (t.label, s.label)
           for t in catalogue.TYPES.values() for s in catalogue.EVIDENCE[t.code]}
_PLACES.update({c.evidence_slot: (catalogue.TYPES[code].label, "参考文献附件")
                for code, c in ((t.code, catalogue.CHILDREN[t.children])
                                for t in catalogue.TYPES.values() if t.children)
                if c.evidence_slot})

# The places a reference's file comes from (每一个参考文献都必须上传附件).
REFERENCE_SLOTS = sorted({c.evidence_slot for c in catalogue.CHILDREN.values()
                          if c.evidence_slot})


def allowed_slots(rtype):
    """The slot codes a record of ``rtype`` takes files from (none for 卫生-病案)."""
    return [s.code for s in catalogue.EVIDENCE[rtype.code]]


def place(file):
    """Where a described file was uploaded, as the user saw it."""
    known = _PLACES.get(file.get("slot"))
    if known:
        return f"{known[0]}的“{known[1]}”"
    return f"“{file.get('slot_label') or file.get('slot')}”"


def foreign_message(rtype, files):
    names = "、".join(f"“{f.get('file_name')}”（上传于{place(f)}）" for f in files)
    if not allowed_slots(rtype):
        return f"{names}不能作为“{rtype.label}”的材料：“{rtype.label}”无需上传附件"
    return f"{names}不是“{rtype.label}”的材料，请在本页的上传位置重新上传"


def _condition_met(slot, values):
    if not slot.required_when:
        return True
    field, wanted = slot.required_when
    return (values or {}).get(field) is wanted or (
        wanted is False and (values or {}).get(field) in (None, False))


def problems(rtype, values, evidence_ids, files):
    """What keeps the evidence from being submitted, by field: files of other places
    (``evidence_file_ids``), and each required place left empty (``evidence.<code>``,
    请上传“查重文档附件”). ``files``: the documents service's description of the
    caller's files (``describe_files``). Places are checked only when every file is
    described (an unknown file is refused by ``attach``). Without any file, the type's
    own place is reported by the record's check (请上传佐证材料) and the 非模板录入附件 by
    ``children.submission_problems``; the other required places here."""
    ids = list(dict.fromkeys(evidence_ids or ()))
    slots = catalogue.EVIDENCE[rtype.code]
    if not ids:
        return {REQUIRED_KEY.format(code=slot.code): f"请上传“{slot.label}”"
                for index, slot in enumerate(slots)
                if index and slot.required and not slot.required_when}
    described = {f["id"]: f for f in files or () if f.get("id") in ids}
    allowed = set(allowed_slots(rtype))
    out = {}
    foreign = [described[i] for i in ids if i in described
               and described[i].get("slot") not in allowed]
    if foreign:
        out[FIELD] = foreign_message(rtype, foreign)
    if len(described) < len(ids):
        return out
    present = {f.get("slot") for f in described.values()}
    for slot in slots:
        if slot.code in present:
            continue
        if slot.required_when:
            if _condition_met(slot, values):
                out.setdefault(FIELD, NONTEMPLATE_MESSAGE)
        elif slot.required:
            out[REQUIRED_KEY.format(code=slot.code)] = f"请上传“{slot.label}”"
    return out
