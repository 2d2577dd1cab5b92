"""Excel import (病案模板导入, 文献模板导入): the documents service reads the uploaded
template workbook into rows; here every row is checked against the catalogue's field
rules and against duplicates, so that the preview tells for each row 允许导入 or exactly
what is wrong (row number, column, Chinese message). Committing imports the allowed rows
in one transaction, once.

Targets and the documents templates they read:
* ``health_case``: 卫生-病案 records (template ``medical_records``), created as drafts
  (编辑中) of the person, to be submitted in a batch (批量提交);
* ``cases``: the 病案列表 of a 卫生-专题/卫生-论文 (template ``cases``);
* ``references``: the 参考文献 of a 卫生-综述 (template ``references``); their files are
  uploaded per reference afterwards (每一个参考文献都必须上传附件).
"""
import datetime as dt
import re

from sqlalchemy import select

from services.common.errors import Conflict, Invalid, NotFound
from services.contracts.achievements import IMPORT_TARGETS

from .. import catalogue
from ..models import ImportPreview, Record
from . import children as ch
from .fields import clean_record

OK = "允许导入"
ERROR = "error"
PREVIEW_TTL = dt.timedelta(hours=24)

# target -> (documents template, the template's column keys -> the catalogue's keys)
TARGETS = {
    "health_case": ("medical_records", {
        "case_no": "admission_no", "patient_name": "patient_name",
        "admission_date": "admission_date", "discharge_date": "discharge_date",
        "admission_diagnosis": "admission_diagnosis",
        "discharge_diagnosis": "discharge_diagnosis", "treatment_result": "outcome",
        "surgery_category": "surgery_category"}),
    "cases": ("cases", {
        "case_no": "admission_no", "patient_name": "patient_name",
        "admission_date": "admission_date", "discharge_date": "discharge_date",
        "age": "age", "gender": "gender", "admission_diagnosis": "admission_diagnosis",
        "discharge_diagnosis": "discharge_diagnosis"}),
    "references": ("references", {"year": "year", "title": "title"}),
}
TARGET_LABELS = IMPORT_TARGETS
_QUOTED = re.compile(r"^“(.+?)”")


def definition(target):
    """The catalogue entry the rows are checked against."""
    if target == "health_case":
        return catalogue.TYPES["health_case"]
    return catalogue.CHILDREN[target]


def key_kind(target):
    return "references" if target == "references" else "cases"


def _normal_title(title):
    return re.sub(r"\s+", "", str(title or "")).replace("（", "(").replace("）", ")")


def preview_rows(target, parsed, existing_keys, today):
    """Each read row with its verdict: ``{row, values, status, status_label, errors,
    message}``. ``existing_keys``: the keys (see ``children.row_key``) already entered.
    Rows holding nothing but a 序号 are left out."""
    template_name, mapping = TARGETS[target]
    defn = definition(target)
    labels = {f.key: f.label for f in defn.fields}
    title_to_key = {_normal_title(c["title"]): mapping.get(c["key"])
                    for c in parsed.get("columns") or ()}
    kind = key_kind(target)
    seen = {}
    out = []
    for parsed_row in parsed.get("rows") or ():
        raw = parsed_row.get("values") or {}
        values = {key: raw.get(column) for column, key in mapping.items()}
        if all(v is None or v == "" for v in values.values()):
            continue
        errors = []
        for part in (parsed_row.get("error") or "").split("；"):
            if not part.strip():
                continue
            match = _QUOTED.match(part.strip())
            column = title_to_key.get(_normal_title(match.group(1))) if match else None
            errors.append({"column": column, "label": labels.get(column, column),
                           "message": part.strip()})
        unreadable = {e["column"] for e in errors}
        cleaned = None
        try:
            cleaned = clean_record(
                defn, {k: v for k, v in values.items() if k not in unreadable},
                today=today, partial=False)
        except Invalid as exc:
            for column, message in ((exc.details or {}).get("fields") or {}).items():
                if column not in unreadable:
                    errors.append({"column": column, "label": labels.get(column, column),
                                   "message": message})
        key = ch.row_key(kind, cleaned or values)
        if key is not None:
            column = ch.KEY_COLUMN[kind]
            noun = "病案" if kind == "cases" else "参考文献"
            if key in existing_keys:
                errors.append({"column": column, "label": labels.get(column),
                               "message": f"与已录入的{noun}重复（{ch.KEY_TEXT[kind]}）"})
            elif key in seen:
                errors.append({"column": column, "label": labels.get(column),
                               "message": f"与第{seen[key]}行重复（{ch.KEY_TEXT[kind]}）"})
            elif not errors:
                seen[key] = parsed_row["row"]
        shown = cleaned if cleaned is not None else {k: values.get(k) for k in labels}
        out.append({
            "row": parsed_row["row"],
            "values": shown,
            "status": OK if not errors else ERROR,
            "status_label": OK if not errors else "不允许导入",
            "errors": errors,
            "message": "；".join(e["message"] for e in errors) if errors else OK,
        })
    return out


def columns(target):
    _template, mapping = TARGETS[target]
    labels = {f.key: f.label for f in definition(target).fields}
    return [{"key": key, "label": labels[key]} for key in mapping.values()]


# --------------------------------------------------------------------------- storage

def existing_case_keys(session, person_id):
    """Keys of the person's 卫生-病案 records (any status)."""
    rows = session.execute(
        select(Record.fields["admission_no"].astext, Record.fields["admission_date"].astext)
        .where(Record.person_id == person_id, Record.type_code == "health_case")).all()
    return {ch.row_key("cases", {"admission_no": no, "admission_date": day})
            for no, day in rows} - {None}


def existing_row_keys(session, record_id, kind):
    return {ch.row_key(kind, r.fields) for r in ch.rows_of(session, record_id)} - {None}


def store(session, *, target, record_id, file_id, principal, rows, now):
    allowed = sum(1 for r in rows if r["status"] == OK)
    preview = ImportPreview(
        target=target, record_id=record_id, file_id=file_id,
        account_id=principal.account_id, person_id=principal.person_id, rows=rows,
        allowed=allowed, refused=len(rows) - allowed, created_at=now)
    session.add(preview)
    session.flush()
    return preview


def load_preview(session, import_id, principal, *, for_update=False):
    if not (0 < import_id < 2**63):
        raise NotFound("import.not_found", "导入记录不存在")
    query = select(ImportPreview).where(ImportPreview.id == import_id)
    if for_update:
        query = query.with_for_update()
    preview = session.execute(query).scalar_one_or_none()
    if preview is None or preview.account_id != principal.account_id:
        raise NotFound("import.not_found", "导入记录不存在")
    return preview


def require_committable(preview, now):
    if preview.created_at < now - PREVIEW_TTL:
        raise Conflict("import.expired", "导入预览已过期，请重新上传文件")
    if preview.allowed == 0:
        raise Conflict("import.nothing", "没有允许导入的数据，请修改后重新上传")


def allowed_rows(preview):
    return [r for r in preview.rows if r["status"] == OK]


def require_still_new(rows, existing_keys, kind):
    """Rows that became duplicates after the preview (entered meanwhile): 409, nothing
    imported."""
    stale = [r["row"] for r in rows if ch.row_key(kind, r["values"]) in existing_keys]
    if stale:
        raise Conflict("import.stale", "预览后已录入了相同的数据，请重新上传文件预览",
                       {"rows": stale})


def view(preview):
    return {
        "import_id": preview.id,
        "target": preview.target,
        "target_label": TARGET_LABELS.get(preview.target, preview.target),
        "record_id": preview.record_id,
        "file_id": preview.file_id,
        "columns": columns(preview.target),
        "rows": preview.rows,
        "total": len(preview.rows),
        "allowed": preview.allowed,
        "refused": preview.refused,
        "committed": preview.committed_at is not None,
        "committed_at": preview.committed_at.isoformat() if preview.committed_at else None,
        "imported": preview.imported,
        "created_at": preview.created_at.isoformat() if preview.created_at else None,
    }
