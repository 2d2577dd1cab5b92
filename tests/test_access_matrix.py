"""The access matrix (issue #8): every role against every resource, through the gateway,
every service real (identity, achievements, workflow, documents) over the broker, the
database and the S3 server.

One set-up builds the roles and the resources; then one table says, for each operation,
what every role must get. All rows are tried and every mismatch is reported at once.

The roles:
- ``P`` a person bound to the employer unit A, owner of the records, the files and the
  declaration; ``Q`` another person bound to A;
- ``A`` an admin of the employer A (a 事业单位), ``B`` an admin of another employer of
  the same competent department and region;
- ``dept`` the competent department (主管部门, parent of A and B), ``hr`` the HR
  department (人社部门, publisher of the plan), ``org`` the committee organiser (组建单位);
- ``ops`` an operator (the system administrator), ``sec`` a security administrator
  (accounts and their rights), ``aud`` an auditor (the audit log): MLPS level 3's three
  separate administrators; ``sys`` another government system (event feed only),
  ``anon`` no token.

The declaration was passed by A and waits, unclaimed, at the competent department: A and
the department are the units it is or was before (they download its files, A's
recommendation material and the stamped form of A's post quota); HR and the organiser
are the plan's units (they may read and print it, not yet download its material; HR
reads A's post quota and its form as the HR department of A's region).
"""
# ruff: noqa: E501 -- the matrix is a table: one aligned column per role, one row per route
import datetime as dt
import pathlib
import re
from urllib.parse import parse_qs

import eventlet

from deploy import demo
from services.common.testing import wait_for
from tests.test_declaration_flow import PASSWORD, Flow, minimal_pdf
from tests.test_recommendation_flow import unit

ROLES = ("anon", "P", "Q", "A", "B", "dept", "hr", "org", "ops", "sec", "aud", "sys")
# The reason an operator states to see personal content (at least 5 characters; 422
# ``*.reason_required`` without one); recorded in the audit log.
WHY = "核查材料真实性"
# An expected 200 whose list must be empty: the caller sees none of the others' items.
E = "200 empty"


def expand(table):
    """``(method, path, body, *one status per role)`` rows → (role, method, path, body,
    expected) checks, in the table's order (writes come after the reads they would
    change)."""
    for method, path, body, *statuses in table:
        assert len(statuses) == len(ROLES), (method, path)
        for role, expected in zip(ROLES, statuses, strict=True):
            yield role, method, path, body, expected


def matrix(r):
    """The table. ``r`` holds the ids of the resources built by ``build``."""
    return [
        # method, path, body,                                anon   P    Q    A    B  dept   hr  org  ops  sec  aud  sys
        # -- public routes
        ("GET", "/healthz", None,                             200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        ("GET", "/api/v1/units/search", None,                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        ("GET", "/api/v1/dictionaries", None,                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        # -- the person P
        ("GET", f"/api/v1/persons/{r['p']}", None,            401, 200, 404, 200, 404, 404, 404, 404, 422, 403, 403, 403),
        ("GET", f"/api/v1/persons/{r['p']}?reason={WHY}", None,
                                                              401, 200, 404, 200, 404, 404, 404, 404, 200, 403, 403, 403),
        ("GET", "/api/v1/me/profile", None,                   401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("GET", f"/api/v1/units/{r['a']}/users/{r['p_acc']}", None,
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
        ("PATCH", f"/api/v1/units/{r['a']}/users/{r['p_acc']}", {"email": "p@example.com"},
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403),
        ("GET", f"/api/v1/units/{r['a']}/users", None,        401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
        # -- the binding request of W (pending at A) and its task
        ("GET", f"/api/v1/persons/{r['w']}?reason={WHY}", None,
                                                              401, 404, 404, 200, 404, 404, 404, 404, 200, 403, 403, 403),
        ("GET", f"/api/v1/units/{r['a']}/users/{r['w_acc']}", None,
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
        ("GET", f"/api/v1/tasks/{r['w_task']}", None,         401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        ("GET", f"/api/v1/processes/{r['w_proc']}/history", None,
                                                              401, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404),
        ("POST", f"/api/v1/tasks/{r['w_task']}/claim", None,  401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        # -- records: one submitted (审核中), one approved
        ("GET", f"/api/v1/records/{r['rec_sub']}", None,      401, 200, 404, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        ("GET", f"/api/v1/records/{r['rec_ok']}", None,       401, 200, 404, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        ("GET", "/api/v1/records", None,                      401, 200,   E, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("GET", "/api/v1/unit/records", None,                 401, 403, 403, 200,   E,   E,   E,   E, 403, 403, 403, 403),
        ("PATCH", f"/api/v1/records/{r['rec_sub']}", {"fields": {"position": "主治医师"}},
                                                              401, 409, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("DELETE", f"/api/v1/records/{r['rec_ok']}", None,    401, 409, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("POST", f"/api/v1/unit/records/{r['rec_ok']}/revoke", {"reason": "复核"},
                                                              401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        # -- the review task of a record at A
        ("GET", f"/api/v1/tasks/{r['rec_task']}", None,       401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        ("GET", f"/api/v1/processes/{r['rec_proc']}/history", None,
                                                              401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404),
        ("GET", "/api/v1/tasks?box=unclaimed&kind=record", None,
                                                              401, 403, 403, 200,   E,   E,   E,   E, 403, 403, 403, 403),
        ("POST", f"/api/v1/tasks/{r['rec_task']}/claim", None,
                                                              401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        ("POST", f"/api/v1/tasks/{r['rec_task']}/decision", {"action": "approve", "opinion": "同意"},
                                                              401, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403),
        # -- P's evidence (the title certificate of the declaration)
        ("GET", f"/api/v1/files/{r['cert']}", None,           401, 200, 404, 200, 404, 200, 404, 404, 200, 404, 404, 404),
        ("GET", f"/api/v1/files/{r['cert']}/download", None,  401, 200, 404, 200, 404, 200, 404, 404, 422, 404, 404, 404),
        ("GET", f"/api/v1/files/{r['cert']}/download?reason=核查", None,
                                                              401, 200, 404, 200, 404, 200, 404, 404, 422, 404, 404, 404),
        ("GET", f"/api/v1/files/{r['cert']}/download?reason={WHY}", None,
                                                              401, 200, 404, 200, 404, 200, 404, 404, 200, 404, 404, 404),
        ("GET", "/api/v1/files", None,                        401, 200,   E, 200,   E,   E,   E,   E,   E,     E,   E,   E),
        ("DELETE", f"/api/v1/files/{r['cert']}", None,        401, 409, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        # -- the declaration, passed by A, waiting at the competent department
        ("GET", f"/api/v1/declarations/{r['decl']}", None,    401, 200, 404, 200, 404, 200, 200, 200, 422, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}?reason={WHY}", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}/health", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 422, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}/health?reason={WHY}", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}/progress", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}/history", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404),
        ("GET", f"/api/v1/declarations/{r['decl']}/recommendation", None,
                                                              401, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404),
        ("GET", "/api/v1/declarations", None,                 401, 200,   E, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("GET", "/api/v1/unit/declarations", None,            401, 403, 403, 200,   E, 200, 200, 200, 200, 403, 403, 403),
        ("PATCH", f"/api/v1/declarations/{r['decl']}/personal", {"birthplace": "芜湖市"},
                                                              401, 409, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        ("PUT", f"/api/v1/declarations/{r['decl']}/recommendation", r["recommendation"],
                                                              401, 403, 403, 409, 404, 403, 403, 403, 403, 403, 403, 403),
        ("PUT", f"/api/v1/declarations/{r['decl']}/publicity", r["publicity"],
                                                              401, 403, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403),
        ("POST", f"/api/v1/declarations/{r['decl']}/items/{r['item']}/mark", {"deleted": False},
                                                              401, 403, 403, 409, 404, 200, 409, 409, 403, 403, 403, 403),
        # the recommendation's material and the quota's stamped form, uploaded by A
        ("GET", f"/api/v1/files/{r['rec_file']}/download?reason={WHY}", None,
                                                              401, 404, 404, 200, 404, 200, 404, 404, 200, 404, 404, 404),
        ("GET", f"/api/v1/files/{r['quota_form']}/download?reason={WHY}", None,
                                                              401, 404, 404, 200, 404, 200, 200, 404, 200, 404, 404, 404),
        # -- the declaration's task at the competent department
        ("GET", f"/api/v1/tasks/{r['decl_task']}", None,      401, 403, 403, 404, 404, 200, 404, 404, 403, 403, 403, 403),
        ("POST", f"/api/v1/tasks/{r['decl_task']}/claim", None,
                                                              401, 403, 403, 404, 404, 200, 404, 404, 403, 403, 403, 403),
        # once the department claimed it, A can no longer recall it
        ("POST", f"/api/v1/declarations/{r['decl']}/recall", None,
                                                              401, 403, 403, 409, 404, 409, 409, 409, 403, 403, 403, 403),
        # -- the printout: P's review form (评审表)
        ("GET", f"/api/v1/files/{r['printout']}/download?reason={WHY}", None,
                                                              401, 200, 404, 200, 404, 200, 404, 404, 200, 404, 404, 404),
        ("POST", f"/api/v1/declarations/{r['decl']}/printouts/review-form", {},
                                                              401, 201, 404, 201, 404, 201, 201, 201, 404, 404, 404, 404),
        # -- the plan, published by HR
        ("GET", f"/api/v1/plans/{r['plan']}", None,           401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403),
        ("GET", "/api/v1/plans", None,                        401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403),
        ("PATCH", f"/api/v1/plans/{r['plan']}", {"name": r["plan_name"]},
                                                              401, 403, 403, 404, 404, 404, 200, 404, 200, 403, 403, 403),
        # -- A's post quota (confirmed)
        ("GET", f"/api/v1/unit/post-quotas/{r['quota']}", None,
                                                              401, 403, 403, 200, 404, 404, 200, 404, 200, 403, 403, 403),
        ("GET", f"/api/v1/unit/post-quotas?unit_id={r['a']}", None,
                                                              401, 403, 403, 200, 404, 404, 200, 404, 200, 403, 403, 403),
        ("PATCH", f"/api/v1/unit/post-quotas/{r['quota']}", {"junior": None},
                                                              401, 403, 403, 409, 404, 404, 404, 404, 403, 403, 403, 403),
        # -- operations: event feed, audit log, failed events
        ("GET", "/api/v1/events?source=workflow", None,       401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200),
        ("GET", "/api/v1/audit-log", None,                    401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
        ("GET", "/api/v1/audit-log/verify", None,             401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
        ("GET", "/api/v1/ops/failed-events?service=workflow", None,
                                                              401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
        # -- accounts and their rights: the security administrator's (and a unit's own admins')
        ("POST", "/api/v1/ops/accounts", {"role": "auditor", "username": "auditor2", "password": PASSWORD, "name": "审计员"},
                                                              401, 403, 403, 403, 403, 403, 403, 403, 403, 201, 403, 403),
        ("POST", f"/api/v1/units/{r['a']}/users/{r['w_acc']}/freeze", None,
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
        ("POST", f"/api/v1/units/{r['a']}/users/{r['w_acc']}/unfreeze", None,
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
        ("POST", f"/api/v1/units/{r['a']}/users/{r['w_acc']}/reset-password", {},
                                                              401, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403),
    ]


# ------------------------------------------------------------------ the rights table
# docs/api.md "Roles' rights" states the roles' rights in one table; it must say what the
# matrix above asserts through the gateway (and the matrix is checked against the
# platform by test_every_role_gets_what_it_may_and_nothing_more).

API_MD = pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md"
DOC_ROLES = {"P": "P", "A": "A", "HR": "hr", "运维": "ops", "安全": "sec", "审计": "aud",
             "外部系统": "sys"}
REFUSED = (401, 403, 404)


class _AnyIds(dict):
    """Stand-in resource ids: the matrix's statuses do not depend on them."""
    def __missing__(self, key):
        return 7


def rights_table():
    """``[(right, [routes], {matrix role: cell})]`` read from docs/api.md."""
    text = API_MD.read_text(encoding="utf-8")
    body = text.split("<!-- rights-table -->", 1)[1].split("<!-- /rights-table -->", 1)[0]
    lines = [line for line in body.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        named = dict(zip(header, cells, strict=True))
        routes = re.findall(r"`([A-Z]+ [^`]+)`", named["routes"])
        rows.append((named["right"], routes,
                     {DOC_ROLES[col]: named[col] for col in DOC_ROLES}))
    return rows


def route_of(method, path):
    """``GET /api/v1/files/{id}/download`` and whether a valid reason was stated."""
    path, _, query = path.partition("?")
    reason = parse_qs(query).get("reason", [""])[0]
    template = "/".join("{id}" if part.isdigit() else part for part in path.split("/"))
    return f"{method} {template}", len(reason.strip()) >= 5


def allowed(status):
    return status not in (*REFUSED, 422, E)


def test_the_rights_table_of_docs_api_md_is_what_the_matrix_asserts():
    rows = [(route_of(method, path), statuses)
            for method, path, _body, *statuses in matrix(_AnyIds())]
    mismatches = []
    documented = set()
    for right, routes, cells in rights_table():
        for route in routes:
            documented.add(route)
            tried = [(reason, dict(zip(ROLES, statuses, strict=True)))
                     for (template, reason), statuses in rows if template == route]
            if not tried:
                mismatches.append(f"{route} ({right}): not in the access matrix")
                continue
            for role, cell in cells.items():
                plain = [got[role] for reason, got in tried if not reason]
                reasoned = [got[role] for reason, got in tried if reason]
                if cell == "✓":  # a reason is neither needed nor in the way
                    ok = any(allowed(s) for s in plain + reasoned) and 422 not in plain
                elif cell == "—":
                    ok = all(s in REFUSED or s == E for s in plain + reasoned)
                elif cell == "原因":
                    ok = bool(plain) and all(s == 422 for s in plain) \
                        and any(allowed(s) for s in reasoned)
                else:
                    ok = False
                if not ok:
                    mismatches.append(f"{route} ({right}), {role}: the table says {cell!r}, "
                                      f"the matrix {plain} / with a reason {reasoned}")
    undocumented = sorted({template for (template, _), _ in rows} - documented)
    mismatches += [f"{route}: in the matrix, not in the rights table" for route in undocumented]
    assert not mismatches, "\n" + "\n".join(mismatches)


def staff(flow, sec, role, username):
    flow.post("/api/v1/ops/accounts", sec, {"username": username, "password": PASSWORD,
                                            "name": username, "role": role}, status=201)
    return flow.login(username)


def me(flow, token):
    return flow.get("/api/v1/auth/me", token)


def build(flow, url):
    """Every role and every resource; answers (tokens by role, resource ids)."""
    ops = flow.operator()
    sec = flow.security()
    aud = staff(flow, sec, "auditor", "auditor1")
    sys_ = staff(flow, sec, "system", "hrss")
    hr = unit(flow, ops, "hr", "合肥市人力资源和社会保障局")
    org = unit(flow, ops, "organiser", "合肥市卫生系列高级职称评审委员会办公室")
    dept = unit(flow, hr["token"], "competent", "合肥市卫生健康委员会", parent=hr)
    a = unit(flow, hr["token"], "employer", "合肥市第二人民医院", "institution", parent=dept)
    b = unit(flow, hr["token"], "employer", "合肥市第三人民医院", "institution", parent=dept)

    p, q, w = flow.person("孙迪"), flow.person("秦程"), flow.person("吴康")
    for person in (p, q):
        flow.bind(person, a)
        person["token"] = flow.login(person["id_number"])  # the principal carries the unit
    # W asks A to bind them: a pending binding request, a task at A.
    flow.post("/api/v1/me/bindings", w["token"], {"unit_id": a["unit_id"],
                                                   "note": "本单位新入职医师"}, status=201)
    [w_task] = wait_for(lambda: flow.unclaimed(a, "binding"))

    # P's records: one imported by the declaration, one approved, one waiting at A.
    rec_decl = flow.approved_record(p, a, "合肥市第二人民医院")
    rec_ok = flow.approved_record(p, a, "合肥市第一人民医院", start="2010-08-01",
                                  end="2012-07-31")
    rec_sub = flow.post("/api/v1/records", p["token"], {
        "type": "work_history", "submit": True,
        "fields": {"unit_name": "合肥市第四人民医院", "start_date": "2008-08-01",
                   "end_date": "2010-07-31", "specialty": "内科",
                   "position": "住院医师"}}, status=201)["id"]
    rec_task = wait_for(lambda: next((t for t in flow.unclaimed(a, "record")
                                      if "合肥市第四人民医院" in t["title"]), None))

    # A's confirmed post quota with its stamped form.
    year = dt.date.today().year
    quota_form = flow.upload(a["token"], "post_quota_form", "岗位核准表.pdf", minimal_pdf())
    quota = flow.post("/api/v1/unit/post-quotas", a["token"], {
        "year": year, "senior": None, "deputy_senior": 2, "intermediate": 5, "junior": None,
        "form_file_id": quota_form, "confirm": True}, status=201)

    # HR's plan; P declares with the certificate as evidence and submits.
    on = dt.date.today()
    plan = flow.post("/api/v1/plans", hr["token"], {
        "year": year, "name": f"{year}年度合肥市卫生系列高级职称评审",
        "committee": "合肥市卫生系列高级职称评审委员会", "level": "deputy_senior",
        "forms": ["regular"], "starts_on": (on - dt.timedelta(days=5)).isoformat(),
        "ends_on": (on + dt.timedelta(days=30)).isoformat(),
        "scope": [{"series": "卫生技术人员", "specialties": ["心血管内科"],
                   "titles": ["副主任医师"]}],
        "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                      "min": 1, "max": 2, "required": True}],
        "organiser_unit_id": org["unit_id"]}, status=201)
    plan = flow.post(f"/api/v1/plans/{plan['id']}/publish", hr["token"])
    did = flow.post("/api/v1/declarations", p["token"], {
        "plan_id": plan["id"], "form": "regular", "series": "卫生技术人员",
        "specialty": "心血管内科", "title": "副主任医师", "pledge_accepted": True},
        status=201)["id"]
    cert = flow.upload(p["token"], "qualification", "主治医师资格证书.pdf", minimal_pdf())
    flow.ok(flow.call("PATCH", f"/api/v1/declarations/{did}/personal", p["token"], json={
        "former_name": "无", "birthplace": "芜湖市", "work_years": 14, "specialty_years": 14}))
    flow.ok(flow.call("PUT", f"/api/v1/declarations/{did}/titles", p["token"], json={
        "titles": [{"cert_no": "皖卫2016-0001", "work_unit": "合肥市第二人民医院",
                    "series": "卫生技术人员", "specialty": "心血管内科", "qualification": "主治医师",
                    "obtain_method": "评审", "evidence_file_ids": [cert]}]}))
    imported = flow.post(f"/api/v1/declarations/{did}/sections/work/items", p["token"],
                         {"record_ids": [rec_decl]}, status=201)
    [item] = [i["id"] for i in imported["section"]["items"]]
    # The health-series review form (评审表) sections, filled as the demo data does.
    mobile = flow.get("/api/v1/me/profile", p["token"])["mobile"]
    demo._fill_health(demo.Client(url), p["token"], did, mobile)
    flow.post(f"/api/v1/declarations/{did}/submit", p["token"])

    # A recommends (occupying a post, with a scanned opinion) and passes it up.
    rec_file = flow.upload(a["token"], "rec_opinion", "单位推荐意见.pdf", minimal_pdf())
    recommendation = {"opinion": "同意推荐。", "occupies_post": "occupy",
                      "material_file_ids": [rec_file]}
    flow.ok(flow.call("PUT", f"/api/v1/declarations/{did}/recommendation", a["token"],
                      json=recommendation))
    flow.decide(a, did)
    decl_task = wait_for(lambda: flow.task_of(dept, did))

    # P prints the review form (评审表).
    printout = flow.post(f"/api/v1/declarations/{did}/printouts/review-form", p["token"],
                         {}, status=201)["file_id"]

    tokens = {"anon": None, "P": p["token"], "Q": q["token"], "A": a["token"],
              "B": b["token"], "dept": dept["token"], "hr": hr["token"], "org": org["token"],
              "ops": ops, "sec": sec, "aud": aud, "sys": sys_}
    w_task_detail = flow.get(f"/api/v1/tasks/{w_task['id']}", a["token"])
    rec_task_detail = flow.get(f"/api/v1/tasks/{rec_task['id']}", a["token"])
    ids = {
        "a": a["unit_id"], "p": p["person_id"], "p_acc": me(flow, p["token"])["account_id"],
        "w": w["person_id"], "w_acc": me(flow, w["token"])["account_id"],
        "w_task": w_task["id"], "w_proc": w_task_detail["process_id"],
        "rec_sub": rec_sub, "rec_ok": rec_ok, "rec_task": rec_task["id"],
        "rec_proc": rec_task_detail["process_id"],
        "cert": cert, "decl": did, "item": item, "decl_task": decl_task,
        "rec_file": rec_file, "quota_form": quota_form, "printout": printout,
        "plan": plan["id"], "plan_name": plan["name"], "quota": quota["id"],
        "recommendation": recommendation,
        "publicity": {"starts_on": (on - dt.timedelta(days=7)).isoformat(),
                      "ends_on": (on - dt.timedelta(days=1)).isoformat(),
                      "result": "no_objection", "note": "公示期满无异议"},
    }
    return tokens, ids


def verdict(answer, expected):
    """None when ``answer`` is what the row expects, else what it got (with the error
    code when there is one)."""
    if expected == E and answer.status_code == 200:
        body = answer.json()
        items = body if isinstance(body, list) else body.get("items")
        return None if items == [] else f"200 with {len(items or [])} item(s)"
    if answer.status_code == (200 if expected == E else expected):
        return None
    try:
        code = answer.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = ""
    return f"{answer.status_code} {code}".strip()


def test_every_role_gets_what_it_may_and_nothing_more(platform, db_engine, web_config_port):
    flow = Flow(platform, db_engine)
    tokens, ids = build(flow, f"http://127.0.0.1:{web_config_port}")

    def check(case):
        role, method, path, body, expected = case
        answer = flow.call(method, path, tokens[role],
                           **({"json": body} if body is not None else {}))
        got = verdict(answer, expected)
        return None if got is None else \
            f"{role:5} {method:6} {path}: expected {expected}, got {got}"

    # Reads of one row run side by side; writes one after the other, in the table's order.
    pool = eventlet.GreenPool(len(ROLES))
    mismatches = []
    for row in matrix(ids):
        cases = list(expand([row]))
        results = pool.imap(check, cases) if row[0] == "GET" else map(check, cases)
        mismatches += [m for m in results if m]
    assert not mismatches, "\n" + "\n".join(mismatches)
