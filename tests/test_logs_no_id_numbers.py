"""Issue 8: full ID numbers never appear in logs.

A realistic flow runs in this process with every service real (a person registers with an
18-digit resident ID number, logs in with it, mistypes the password, a unit admin looks
the person up by the number, binding, an approved record, a declaration submitted) while
every log record of every logger is captured at DEBUG: nameko, kombu, the gateway's and
the web server's access logs, SQLAlchemy, the services' own loggers. No record may carry
the full number: not its message, not its arguments, not its traceback. Masked forms
(340104********1234) are what logs may show.

The services' logging configuration masks what it writes (services.common.logs), but a
record reaches every handler there is (an operator's log shipper, an error tracker), so
the records themselves must be clean.
"""
import contextlib
import datetime as dt
import logging

import pytest

from tests.test_declaration_flow import PASSWORD, Flow, minimal_pdf


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger at DEBUG, including loggers that set their own level
    or do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    detached = []
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if logger.level > logging.DEBUG:
            caplog.set_level(logging.DEBUG, logger=name)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def text_of(record):
    """Everything a handler could write of a record: the message with its arguments, the
    raw arguments, the exception and stack."""
    parts = [str(record.msg), repr(record.args)]
    with contextlib.suppress(Exception):  # a broken format string is not this test's concern
        parts.append(record.getMessage())
    formatter = logging.Formatter()
    if record.exc_info:
        parts.append(formatter.formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def leaks(records, number):
    """The distinct ``logger: message template`` of the records that carry ``number``
    (either case of X)."""
    wanted = {number, number.lower(), number.upper()}
    return sorted({f"{r.name}: {str(r.msg)[:200]}" for r in records
                   if any(w in text_of(r) for w in wanted)})


def test_no_log_record_carries_a_full_id_number(all_logs, platform, db_engine):
    flow = Flow(platform, db_engine)
    ops = flow.operator()
    hr = flow.unit(ops, "hr", "合肥市人力资源和社会保障局")
    organiser = flow.unit(ops, "organiser", "合肥市中小学教师高级职称评审委员会办公室")
    edu = flow.unit(hr["token"], "competent", "合肥市教育局", parent=hr)
    school = flow.unit(hr["token"], "employer", "合肥市第一中学", parent=edu)

    # Registers with the 18-digit number, logs in with it, mistypes the password.
    person = flow.person("孙迪")
    number = person["id_number"]
    assert len(number) == 18
    assert flow.call("POST", "/api/v1/auth/login",
                     json={"username": number, "password": "Wrong@123"}).status_code == 401
    # The same number registered again is refused.
    again = flow.call("POST", "/api/v1/persons/register", json={
        "real_name": "冒名", "id_type": "resident_id", "id_number": number,
        "mobile": "13955550000", "password": PASSWORD, "title_series": "health"})
    assert 400 <= again.status_code < 500, again.text
    # The unit admin looks the person up by the number (a query string in the URL).
    found = flow.get(f"/api/v1/units/{school['unit_id']}/users", school["token"],
                     params={"q": number})
    assert found["total"] == 0 or found["items"][0]["id_number"] != number

    # Binding, an approved record, the profile and a declaration submitted.
    flow.bind(person, school)
    person["token"] = flow.login(number)
    record_id = flow.approved_record(person, school, "合肥市第八中学")
    profile = flow.get("/api/v1/me/profile", person["token"])
    assert profile["id_number"] == number   # the person sees their own number
    year = dt.date.today().year
    on = dt.date.today()
    plan = flow.post("/api/v1/plans", hr["token"], {
        "year": year, "name": f"{year}年度合肥市中小学教师系列高级职称评审",
        "committee": "合肥市中小学教师系列高级职称评审委员会", "level": "deputy_senior",
        "forms": ["regular"], "starts_on": (on - dt.timedelta(days=5)).isoformat(),
        "ends_on": (on + dt.timedelta(days=30)).isoformat(),
        "scope": [{"series": "中小学教师", "specialties": ["中学语文"],
                   "titles": ["高级教师"]}],
        "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                      "min": 1, "max": 2, "required": True}],
        "organiser_unit_id": organiser["unit_id"]}, status=201)
    flow.post(f"/api/v1/plans/{plan['id']}/publish", hr["token"])
    did = flow.ok(flow.declare(person, plan), 201)["id"]
    certificate = flow.upload(person["token"], "qualification", "一级教师资格证书.pdf",
                              minimal_pdf())
    flow.ok(flow.call("PATCH", f"/api/v1/declarations/{did}/personal", person["token"],
                      json={"former_name": "无", "birthplace": "芜湖市", "work_years": 14,
                            "specialty_years": 14}))
    flow.ok(flow.call("PUT", f"/api/v1/declarations/{did}/titles", person["token"], json={
        "titles": [{"cert_no": "皖中教一2016-0001", "work_unit": "合肥市第一中学",
                    "series": "中小学教师", "specialty": "中学语文", "qualification": "一级教师",
                    "obtain_method": "评审", "evidence_file_ids": [certificate]}]}))
    flow.post(f"/api/v1/declarations/{did}/sections/work/items", person["token"],
              {"record_ids": [record_id]}, status=201)
    flow.post(f"/api/v1/declarations/{did}/submit", person["token"])
    # The unit reads the declaration and the person's details (masked for it).
    flow.get(f"/api/v1/declarations/{did}", school["token"])
    flow.get(f"/api/v1/persons/{person['person_id']}", school["token"])

    records = all_logs.records
    # The capture saw the whole platform at work, down to DEBUG.
    names = {r.name.split(".")[0] for r in records}
    assert {"nameko", "gateway", "services"} <= names, names
    assert any(r.levelno == logging.DEBUG for r in records)
    found_leaks = leaks(records, number)
    assert found_leaks == [], "\n".join(found_leaks)
