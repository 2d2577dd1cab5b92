"""Every one of the 23 record types through the gateway (issue #5, first "Done when"):
create with valid values generated from the catalogue's own field metadata, edit, submit,
approve in the unit's task center, list with the status tabs, keyword search over a
query field, and the view with its history. Health types get their rows first (专题: 10
recent case rows entered by template; 论文: 1; 综述: 20 references, 12 of the last 3
years, each with its file) through the row routes; they belong to the doctor (卫生技术人员)."""
import datetime as dt
from decimal import Decimal

import pytest

from services.achievements import catalogue as cat

from .support import UNIT_A, UNIT_NAMES, FakeDocuments

TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=400)          # within 5 years: a recent case row too
NONSENSE = "查无此词QXZ"

# Only where a rule needs it: the health records are entered by template (with rows).
OVERRIDES = {
    "health_topic": {"template_entry": True},
    "health_paper": {"template_entry": True},
}
ROWS = {"health_topic": 10, "health_paper": 1, "health_review": 20}


def value_for(f, n=1):
    """A valid value of field ``f`` from its metadata (kind, format, options, limits):
    texts filled to their length limit, numbers at their upper bound, the first option,
    dates in the past (so every date range holds and case rows are recent)."""
    if f.format == "issn":
        return "1234-5679"
    if f.format == "isbn":
        return "978-7-111-21382-6"
    if f.format == "url":
        return f"https://kns.cnki.net/kcms/detail/{n}"
    kind = f.kind
    if kind in ("text", "textarea"):
        return (f"{f.label}{n}" + "测" * f.max_length)[:f.max_length]
    if kind == "date":
        return PAST.isoformat()
    if kind == "month":
        return PAST.isoformat()[:7]
    if kind == "year":
        return TODAY.year - 1
    if kind == "int":
        return f.max if isinstance(f.max, int) else max(f.min or 0, 1)
    if kind == "decimal":
        return str(f.max)
    if kind == "select":
        return f.options[0]
    if kind == "multiselect":
        return list(f.options)
    if kind == "bool":
        return False
    if kind == "rank":
        return {"rank": 1, "total": f.max}
    raise AssertionError(f"no value for kind {kind}")


def values_of(definition, n=1, **over):
    """Every field of a type or a child row, except those the system fills (考核单位)."""
    return {**{f.key: value_for(f, n) for f in definition.fields if f.kind != "unit"},
            **over}


def stored(f, value):
    """A value as the service answers it (decimals with their places, ISBN compact)."""
    if f.kind == "decimal":
        return Decimal(value)
    if f.format == "isbn":
        return value.replace("-", "")
    return value


def edited_field(t):
    """The field the test edits: a plain text query field, else any plain text field,
    else a select (年度考核 has no text field a person types)."""
    texts = [f for f in t.fields if f.kind in ("text", "textarea") and not f.format]
    return ([f for f in texts if f.key in t.query_fields] or texts
            or [f for f in t.fields if f.kind == "select"])[0]


def add_rows(ach, token, t, record_id):
    child = cat.CHILDREN[t.children]
    detail = None
    for n in range(1, ROWS[t.code] + 1):
        row = values_of(child, n)
        body = {"fields": row}
        if t.children == "references":
            # 12 of the last 3 years, 8 older; each with its file
            row["year"] = TODAY.year - (1 if n <= 12 else 6)
            body["file_id"] = 9000 + n
        detail = ach.ok(ach.call(token, "POST", f"/api/v1/records/{record_id}/rows",
                                 json=body), 201)
    assert len(detail["rows"]) == ROWS[t.code]
    assert detail["rows_problem"] is None
    return detail


@pytest.mark.parametrize("code", list(cat.TYPES))
def test_every_type_is_created_edited_submitted_approved_listed_found_and_viewed(ach, code):
    t = cat.TYPES[code]
    token = "doc" if t.health_only else "p1"
    fields = values_of(t, **OVERRIDES.get(code, {}))
    evidence = [7000] if cat.EVIDENCE[code] else None

    # 新增 (保存): a draft holding every value as given
    draft = ach.new(token, code, fields, evidence=evidence)
    assert (draft["type"], draft["type_label"]) == (code, t.label)
    assert draft["status"] == "draft" and draft["source_label"] == "用户申报"
    defs = {f.key: f for f in t.fields}
    for key, value in fields.items():
        assert stored(defs[key], draft["fields"][key]) == stored(defs[key], value), key
    if t.children:
        add_rows(ach, token, t, draft["id"])

    # 修改: a text field changes and the view shows it
    field = edited_field(t)
    new_value = (f"已修改{t.label}"[:field.max_length] if field.kind != "select"
                 else field.options[1])
    ach.ok(ach.edit(token, draft["id"], {field.key: new_value}))
    view = ach.record(token, draft["id"])
    assert view["fields"][field.key] == new_value
    shown = {d["key"]: d for d in view["display"]}
    assert shown[field.key]["label"] == field.label
    assert shown[field.key]["value"] == new_value
    assert view["title"] == cat.title_of(t, view["fields"])

    # 提交 to the bound unit
    submitted = ach.ok(ach.submit(token, draft["id"]))
    assert submitted["status_label"] == "审核中"
    assert (submitted["unit_id"], submitted["unit_name"]) == (UNIT_A, UNIT_NAMES[UNIT_A])
    if evidence:
        assert (evidence, "achievements", "record", draft["id"]) in FakeDocuments.calls
    page = ach.records(token, type=code)
    assert page["counts"] == {"all": 1, "draft": 0, "submitted": 1, "approved": 0,
                              "returned": 0, "terminated": 0}

    # 审核通过 by the unit admin in the task center
    approved = ach.decide(draft["id"], "approve", "同意", owner=token)
    assert approved["status"] == "approved" and approved["status_label"] == "审核通过"

    # the list with its tabs; the approved tab holds it
    page = ach.records(token, type=code)
    assert page["total"] == 1
    assert page["counts"] == {"all": 1, "draft": 0, "submitted": 0, "approved": 1,
                              "returned": 0, "terminated": 0}
    [item] = page["items"]
    assert item["id"] == draft["id"] and item["status_label"] == "审核通过"
    if field.key in t.list_columns:
        assert item["columns"][field.key] == new_value
    assert [i["id"] for i in ach.records(token, type=code, status="approved")["items"]] \
        == [draft["id"]]
    assert ach.records(token, type=code, status="returned")["items"] == []

    # keyword search over one of the type's query fields
    key = field.key if field.key in t.query_fields else t.query_fields[0]
    keyword = str(view["fields"][key])
    found = ach.records(token, type=code, q=keyword)
    assert [i["id"] for i in found["items"]] == [draft["id"]], (key, keyword)
    assert ach.records(token, type=code, q=NONSENSE)["total"] == 0

    # 查看: details and history
    view = ach.record(token, draft["id"])
    assert view["fields"][field.key] == new_value
    trail = [e["action_label"] for e in view["trail"]]
    assert trail[0] == "新增" and trail[-2:] == ["提交", "审核通过"]
    assert view["history_available"] is True
    history = [(h["action"], h["action_label"]) for h in view["history"]]
    assert history == [("submit", "提交"), ("approve", "通过")]
    decision = view["history"][-1]
    assert (decision["unit_name"], decision["account_name"], decision["opinion"]) == (
        UNIT_NAMES[UNIT_A], "王敏", "同意")
    if t.children:
        assert len(view["rows"]) == ROWS[code]
