"""专家查看 (Chongqing manual 2.4.2 and 3.4.2, the 审核通过 menu): the declaration as the
review experts will see it, read-only.

What it shows is what the printouts show: the print snapshot (``snapshot.build``, the
frozen copy once submitted) for the health series' form, and the imported records as the
snapshot's ``item_entry`` draws them, with every row and item a reviewer marked deleted
left out by the printouts' own filter (``contracts.printing.visible``; manual 2.4.1: "作
删除标记的业绩材料 … 在评审表打印和专家查看界面中将不会出现"). ID and phone numbers are
masked as elsewhere for reviewers. Every file the experts see is listed with its id and
the download route (``GET /api/v1/files/{id}/download``), which the documents service
grants to the units that reviewed the applicant.

Who: admins of the units that approved the declaration in its current review and of the
levels above them that hold it now (the next level's open task); the declaration must be
in review or approved. Anybody else — the applicant, a unit that has not approved it yet,
a level it has not reached, a stranger — gets 404, as for any declaration they may not see.
"""
from sqlalchemy import select

from services.common.errors import NotFound
from services.common.logs import mask_id_number, mask_phone
from services.common.principal import UNIT_ADMIN
from services.common.time import iso
from services.contracts.printing import visible
from services.contracts.workflow.health import SECTIONS as HEALTH_SECTION_LABELS

from ...engine.models import HistoryEntry
from . import declarations as decl
from . import health_sections as hs
from . import snapshot as snap

VIEWABLE = ("submitted", "approved")
DOWNLOAD_PATH = "/api/v1/files/{}/download"
# The snapshot's row lists built one to one from the health sections' rows.
ROW_LISTS = ("study", "work", "achievements_before", "achievements", "papers")
NOT_FOUND = ("declaration.not_found", "申报记录不存在")


# --------------------------------------------------------------------------- who

def approved_steps(session, declaration):
    """The chain steps whose last word in the current review is an approval."""
    if declaration.process_id is None:
        return set()
    last = {}
    for step, action in session.execute(
            select(HistoryEntry.step_index, HistoryEntry.action)
            .where(HistoryEntry.process_id == declaration.process_id)
            .order_by(HistoryEntry.at, HistoryEntry.id)):
        if step is not None:
            last[step] = action
    return {step for step, action in last.items() if action == "approve"}


def may_view(session, actor, declaration):
    if actor is None or not actor.has(UNIT_ADMIN) or actor.unit_id is None:
        return False
    if declaration.status not in VIEWABLE:
        return False
    approved = approved_steps(session, declaration)
    if not approved:
        return False
    mine = {index for index, step in enumerate(declaration.chain or ())
            if step.get("unit_id") == actor.unit_id}
    if mine & approved:
        return True
    # a level above an approving one, holding the declaration now
    return bool(mine) and min(mine) > min(approved) \
        and decl.open_task(session, declaration, actor.unit_id) is not None


def viewable(session, actor, declaration_id):
    declaration = decl.get(session, declaration_id)
    if not may_view(session, actor, declaration):
        raise NotFound(*NOT_FOUND)
    return declaration


# --------------------------------------------------------------------------- what

def _file(file_id, *, section, label, file_name=""):
    return {"file_id": int(file_id), "file_name": file_name or "", "section": section,
            "label": label, "download_path": DOWNLOAD_PATH.format(int(file_id))}


def _ordered_items(declaration):
    labels = [s["code"] for s in declaration.plan.sections or ()]
    return sorted(declaration.items, key=lambda i: (
        labels.index(i.section) if i.section in labels else len(labels), i.section,
        i.position))


def items_and_files(declaration):
    """The imported records the printouts show (deleted ones left out), each with the
    files of its frozen copy (its evidence and its rows' files)."""
    labels = {s["code"]: s["label"] for s in declaration.plan.sections or ()}
    entries, files = [], []
    for item in _ordered_items(declaration):
        entry = snap.item_entry(declaration, item, labels)
        if not visible([entry]):
            continue
        record = decl.item_view(declaration, item)["record"] or {}
        ids = [int(i) for i in record.get("evidence_file_ids") or () if i]
        ids += [int(row["file_id"]) for row in record.get("rows") or ()
                if isinstance(row, dict) and row.get("file_id")]
        ids = list(dict.fromkeys(ids))
        entry["evidence_file_ids"] = ids
        entry["title"] = item.title
        entries.append(entry)
        files += [_file(i, section=entry["section"], label=item.title or entry["type_label"])
                  for i in ids]
    return entries, files


def _row_index(path):
    """``rows.3.evidence_file_id`` → 3 (None for a section's own file)."""
    parts = path.split(".")
    return int(parts[1]) if len(parts) > 2 and parts[0] == "rows" else None


def health_files(sections):
    """The files of the health form's sections, rows marked deleted left out."""
    names = sections.get("files") or {}
    result = []
    for code, label in HEALTH_SECTION_LABELS.items():
        content = sections.get(code)
        if not isinstance(content, dict):
            continue
        rows = content.get("rows") or []
        for file_id, _slot, path in hs.file_places(code, content):
            index = _row_index(path)
            if index is not None and index < len(rows) and rows[index].get("deleted"):
                continue
            info = names.get(str(file_id)) or names.get(file_id) or {}
            result.append(_file(file_id, section=f"health:{code}", label=label,
                                file_name=info.get("file_name") or ""))
    return result


def health_form(session, declaration, record):
    """The review form's snapshot as the experts see it (None outside the health series
    or before a form category is chosen): rows and materials marked deleted left out,
    each row with its evidence file, numbers masked, no print settings."""
    category, _type, sections, _frozen = hs.current(declaration, record)
    if record is None or not category:
        return None, []
    sections = sections or {}
    form = snap.build(session, declaration, record)
    for key in ROW_LISTS:
        raw = list(((sections.get(key) or {}).get("rows")) or [])
        if len(raw) == len(form[key]):
            for row, source in zip(form[key], raw, strict=True):
                row["evidence_file_id"] = source.get("evidence_file_id")
        form[key] = visible(form[key])
    form["workload"]["rows"] = visible(form["workload"]["rows"])
    form["summary_materials"] = visible(form["summary_materials"])
    form["other_attachments"] = visible(form["other_attachments"])
    form.pop("items", None)  # the answer's own ``items`` carry them, with their evidence
    form.pop("print_settings", None)
    person = form["person"]
    person["id_number"] = mask_id_number(person.get("id_number"))
    person["phone"] = mask_phone(person.get("phone"))
    return form, health_files(sections)


def build(session, declaration):
    """专家查看's answer."""
    record = hs.get_record(session, declaration.id) if hs.is_health(declaration) else None
    form, files = health_form(session, declaration, record)
    items, item_files = items_and_files(declaration)
    person = declaration.person or {}
    seen, listed = set(), []
    for entry in files + item_files:
        if entry["file_id"] not in seen:
            seen.add(entry["file_id"])
            listed.append(entry)
    if form is not None and form["person"].get("photo_file_id"):
        photo = int(form["person"]["photo_file_id"])
        if photo not in seen:
            listed.insert(0, _file(photo, section="health:basic", label="照片"))
    return {
        "declaration_id": declaration.id,
        "read_only": True,
        "status": declaration.status,
        "status_label": decl.status_label(declaration.status),
        "plan": decl.plan_ref(declaration.plan),
        "applicant": {
            "person_id": declaration.person_id,
            "name": declaration.person_name,
            "gender_label": person.get("gender_label"),
            "id_number": mask_id_number(person.get("id_number")),
            "unit_name": declaration.unit_name,
            "title": declaration.title,
            "specialty": declaration.specialty,
            "level_label": decl.LEVELS.get(declaration.level, declaration.level),
            "form_label": decl.FORMS.get(declaration.form, declaration.form),
            "submitted_at": iso(declaration.submitted_at),
        },
        "health_form": form,
        "items": items,
        "files": listed,
        "opinions": snap.opinions(session, declaration),
    }
