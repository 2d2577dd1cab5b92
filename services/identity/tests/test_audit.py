"""The append-only audit log and the auditor, who reads it and nothing else."""
import datetime as dt
import uuid

import pytest
import sqlalchemy

from .conftest import PASSWORD, wait_for


@pytest.fixture
def auditor(idp, hefei):
    answer = idp.post("/api/v1/ops/accounts", hefei["sec"], json={
        "role": "auditor", "username": "audit1", "password": PASSWORD, "name": "审计员"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["role"] == "auditor"
    return idp.login("audit1")


def test_logins_account_changes_and_decisions_are_audited(idp, hefei, auditor):
    unit = hefei["unit"]
    person = idp.register_person(real_name="孙迪", unit_id=unit["unit_id"])
    number = person["form"]["id_number"]
    idp.http.post("/api/v1/auth/login", json={"username": number, "password": "Wrong-pass1"})
    idp.http.post("/api/v1/auth/login", json={"username": "nobody", "password": "Wrong-pass1"})
    request = person["bindings"][0]
    done = idp.decide("binding", request["binding_id"], unit["unit_id"], "approved")
    wait_for(lambda: idp.processed(done["event_id"]))
    idp.post(f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}/freeze",
             unit["admin_token"])

    answer = idp.get("/api/v1/audit-log", auditor, params={"page_size": 100})
    assert answer.status_code == 200, answer.text
    log = answer.json()
    actions = [entry["action"] for entry in log["items"]]
    for action in ("person.registered", "binding.requested", "auth.login",
                   "auth.login_failed", "binding.approved", "account.frozen",
                   "unit.registered", "unit.approved", "unit.created", "account.bootstrap"):
        assert action in actions, action
    assert log["items"][0]["action"] == "account.frozen"          # newest first
    assert log["counts"]["failure"] == 2 and log["counts"]["all"] == log["total"]
    assert number not in answer.text and person["form"]["mobile"] not in answer.text
    failed = [e for e in log["items"] if e["action"] == "auth.login_failed"]
    assert {e["detail"]["reason"] for e in failed} == {"用户名或密码错误"}
    assert failed[-1]["detail"]["username"] == number[:6] + "********" + number[-4:]
    approved = next(e for e in log["items"] if e["action"] == "binding.approved")
    assert approved["actor_name"] == "审核员" and approved["unit_id"] == unit["unit_id"]
    assert approved["action_label"] == "单位绑定审核通过"

    failures = idp.get("/api/v1/audit-log?outcome=failure", auditor).json()
    assert failures["total"] == 2
    frozen = idp.get("/api/v1/audit-log?action=account.frozen", auditor).json()
    assert frozen["total"] == 1 and frozen["items"][0]["target_id"] == str(person["account_id"])
    by_unit = idp.get(f"/api/v1/audit-log?unit_id={unit['unit_id']}&q=孙迪", auditor).json()
    assert by_unit["total"] >= 2
    paged = idp.get("/api/v1/audit-log?page=2&page_size=2", auditor).json()
    assert len(paged["items"]) == 2 and paged["total"] == log["total"]
    assert [e["id"] for e in paged["items"]] == [e["id"] for e in log["items"][2:4]]


def test_the_auditor_reads_the_log_and_nothing_else(idp, hefei, auditor):
    unit, hr = hefei["unit"], hefei["hr"]
    person = idp.register_person(unit_id=unit["unit_id"])
    assert idp.get("/api/v1/auth/me", auditor).json()["role"] == "auditor"
    forbidden = [
        idp.get("/api/v1/me/profile", auditor),
        idp.patch("/api/v1/me/profile", auditor, json={"title_name": "x"}),
        idp.post("/api/v1/me/bindings", auditor, json={"unit_id": unit["unit_id"]}),
        idp.get(f"/api/v1/persons/{person['person_id']}", auditor),
        idp.get("/api/v1/units", auditor),
        idp.get(f"/api/v1/units/{unit['unit_id']}", auditor),
        idp.patch(f"/api/v1/units/{unit['unit_id']}", auditor, json={"address": "x"}),
        idp.post("/api/v1/units", auditor, json={
            "name": "x", "kind": "employer", "nature": "organ",
            "admin": {"username": "xadmin", "password": PASSWORD, "name": "x"}}),
        idp.get(f"/api/v1/units/{unit['unit_id']}/users", auditor),
        idp.post(f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}/freeze",
                 auditor),
        idp.delete(f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}", auditor),
        idp.post(f"/api/v1/units/{hr['unit_id']}/users", auditor, json={
            "username": "sneaky", "password": PASSWORD, "name": "x"}),
        idp.post("/api/v1/ops/accounts", auditor, json={
            "role": "operator", "username": "sneaky", "password": PASSWORD, "name": "x"}),
        idp.get("/api/v1/ops/failed-events?service=identity", auditor),
    ]
    assert [answer.status_code for answer in forbidden] == [403] * len(forbidden)
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 200
    with idp.rpc() as identity:   # nothing was changed by the attempts
        reason = identity.may_submit(person["person_id"])["reason"]
        assert reason.startswith("您的工作单位绑定申请待审核")
    assert idp.scalar("SELECT count(*) FROM identity.accounts WHERE username = 'sneaky'") == 0
    # and who else may read the log
    assert idp.get("/api/v1/audit-log", person["token"]).status_code == 403
    assert idp.get("/api/v1/audit-log", unit["admin_token"]).status_code == 403
    assert idp.get("/api/v1/audit-log", hr["admin_token"]).status_code == 403
    # the operator (a system administrator) does not: audit records are the auditor's
    assert idp.get("/api/v1/audit-log", hefei["op"]).status_code == 403
    assert idp.http.get("/api/v1/audit-log").status_code == 401


def test_the_database_refuses_to_change_or_remove_entries(idp, hefei):
    assert idp.scalar("SELECT count(*) FROM identity.audit_log") > 0
    for statement in ("UPDATE identity.audit_log SET summary = 'x'",
                      "DELETE FROM identity.audit_log"):
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"), \
                idp.db.begin() as conn:
            conn.exec_driver_sql(statement)
    assert idp.scalar("SELECT count(*) FROM identity.audit_log WHERE summary = 'x'") == 0


def test_security_admins_create_system_accounts_for_the_event_feed(idp, hefei):
    created = idp.post("/api/v1/ops/accounts", hefei["sec"], json={
        "role": "system", "username": "ahrss-system", "password": PASSWORD,
        "name": "省人社厅业务系统"})
    assert created.status_code == 201, created.text
    token = idp.login("ahrss-system")
    assert idp.get("/api/v1/auth/me", token).json()["roles"] == ["system"]
    feed = idp.get("/api/v1/events?source=identity", token)
    assert feed.status_code == 200, feed.text
    assert {e["type"] for e in feed.json()} >= {"review_requested"}
    assert idp.get("/api/v1/me/profile", token).status_code == 403
    assert idp.get("/api/v1/audit-log", token).status_code == 403
    by_admin = idp.post("/api/v1/ops/accounts", hefei["unit"]["admin_token"], json={
        "role": "system", "username": "sneaky-system", "password": PASSWORD, "name": "x"})
    assert by_admin.status_code == 403


def test_an_id_number_typed_with_a_letter_around_it_is_masked(idp, hefei, auditor):
    number = "540102199604163797"
    for typed in (number + "q", "x" + number, number + "1"):
        idp.http.post("/api/v1/auth/login", json={"username": typed, "password": "Wrong-pass1"})
    answer = idp.get("/api/v1/audit-log?action=auth.login_failed", auditor)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 3
    assert number not in answer.text and number[6:14] not in answer.text
    usernames = {e["detail"]["username"] for e in answer.json()["items"]}
    masked = number[:6] + "********" + number[-4:]
    assert usernames == {masked + "q", "x" + masked, masked + "1"}


def test_of_achievements_review_requests_only_revocations_reach_the_audit_log(
        idp, hefei, auditor):
    """撤销审核 is audited; a plain submission's request is acknowledged unseen (its
    top-level ``revoked`` is false: no transaction, nothing recorded); a request from
    before the flag existed is decided by its summary."""
    unit_id = hefei["unit"]["unit_id"]

    def request(record_id, revoked, flagged=True):
        summary = {"record_id": record_id, "title": f"业绩{record_id}"}
        if revoked:
            summary.update(revoked=True, note="单位撤销审核，重新审核：复核")
        data = {"kind": "record", "subject_service": "achievements", "subject_type": "record",
                "subject_id": record_id, "title": f"工作经历·业绩{record_id}",
                "applicant_person_id": 5, "applicant_name": "孙迪",
                "applicant_unit_id": unit_id,
                "chain": [{"unit_id": unit_id, "unit_name": "单位"}], "summary": summary}
        if flagged:
            data["revoked"] = revoked
        envelope = {"event_id": str(uuid.uuid4()), "type": "review_requested", "version": 1,
                    "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
                    "source": "achievements", "subject": f"record:{record_id}",
                    "actor": {"account_id": 77, "unit_id": unit_id, "name": "审核员"},
                    "data": data}
        idp._dispatch("achievements", "review_requested", envelope)
        return envelope["event_id"]

    plain = request(701, False)           # one queue, in order: seen before the others
    revoked = request(702, True)
    legacy = request(703, True, flagged=False)    # summary.revoked only
    handler = "audit_achievements_review_requested"
    wait_for(lambda: idp.processed(revoked, handler) and idp.processed(legacy, handler))
    assert idp.processed(plain, handler) == 0

    entries = idp.get("/api/v1/audit-log", auditor,
                      params={"action": "record.revoked", "page_size": 10}).json()["items"]
    assert sorted(e["target_id"] for e in entries) == ["702", "703"]
    assert {e["event_id"] for e in entries} == {revoked, legacy}
    assert entries[0]["summary"] == "撤销审核：业绩703（单位撤销审核，重新审核：复核）"
