"""The security administrator (安全管理员): MLPS level 3 keeps the system, security and
audit administrators separate (docs/api.md, "Roles' rights"). The security administrator
creates the staff accounts and manages every unit's accounts; the operator (系统管理员)
no longer does either; nobody grants themselves rights; the security administrator reads
neither the audit log nor persons' files. Through the gateway and the real broker."""
from services.identity.bootstrap import main as bootstrap_main

from .conftest import PASSWORD, WUHU, wait_for


def bound_person(idp, unit, name="孙迪"):
    person = idp.register_person(real_name=name, unit_id=unit["unit_id"])
    done = idp.decide("binding", person["bindings"][0]["binding_id"], unit["unit_id"],
                      "approved")
    wait_for(lambda: idp.processed(done["event_id"]))
    return person


def staff_body(role, username):
    return {"role": role, "username": username, "password": PASSWORD, "name": username}


def test_the_bootstrap_creates_a_security_admin(idp, capsys):
    url = idp.config["DATABASE_URL"]
    argv = ["--username", "Sec", "--password", PASSWORD, "--role", "security",
            "--database-url", url]
    assert bootstrap_main(argv) == 0
    assert "security account sec" in capsys.readouterr().out
    token = idp.login("sec")
    me = idp.get("/api/v1/auth/me", token).json()
    assert me["role"] == "security" and me["roles"] == ["security"]
    assert me["name"] == "安全管理员" and me["unit_id"] is None
    labels = dict((d["code"], d["label"])
                  for d in idp.http.get("/api/v1/dictionaries").json()["account_role"])
    assert labels["security"] == "安全管理员"


def test_the_security_admin_creates_staff_accounts_and_the_operator_cannot(idp, hefei):
    created = idp.post("/api/v1/ops/accounts", hefei["sec"], json=staff_body("auditor", "aud2"))
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "auditor"
    assert idp.get("/api/v1/auth/me", idp.login("aud2")).json()["role"] == "auditor"
    for role, name in (("operator", "ops2"), ("security", "sec2")):
        answer = idp.post("/api/v1/ops/accounts", hefei["sec"], json=staff_body(role, name))
        assert answer.status_code == 201, answer.text
        assert idp.get("/api/v1/auth/me", idp.login(name)).json()["role"] == role
    entry = idp.rows("SELECT actor_role, summary FROM identity.audit_log "
                     "WHERE action = 'account.created' AND summary LIKE '%aud2'")
    assert [(e["actor_role"], e["summary"]) for e in entry] == \
        [("security", "安全管理员 创建审计人员账号 aud2")]

    # the operator (system administrator) and the auditor create no account, of any role
    for token in (hefei["op"], idp.login("aud2"), hefei["unit"]["admin_token"]):
        for role in ("operator", "security", "auditor", "system"):
            refused = idp.post("/api/v1/ops/accounts", token,
                               json=staff_body(role, f"x{role}"))
            assert refused.status_code == 403, (role, refused.text)
    assert idp.scalar("SELECT count(*) FROM identity.accounts WHERE username LIKE 'x%'") == 0


def test_nobody_grants_themselves_rights(idp, hefei):
    # the security admin cannot take its own name for another role, nor reach its own
    # (or any staff) account through a unit's users
    sec_id = idp.get("/api/v1/auth/me", hefei["sec"]).json()["account_id"]
    taken = idp.post("/api/v1/ops/accounts", hefei["sec"], json=staff_body("auditor", "SECADM"))
    assert taken.status_code == 422
    assert taken.json()["error"]["code"] == "account.username_taken", taken.text
    unit = hefei["unit"]["unit_id"]
    for method, suffix in (("post", "/freeze"), ("post", "/reset-password"), ("delete", "")):
        answer = getattr(idp, method)(f"/api/v1/units/{unit}/users/{sec_id}{suffix}",
                                      hefei["sec"])
        assert answer.status_code == 404, answer.text
    assert idp.rows("SELECT role, status FROM identity.accounts WHERE id = :i", i=sec_id) == \
        [{"role": "security", "status": "active"}]
    # a unit admin adds admins to its own unit only, and no staff
    other = idp.create_unit(hefei["op"], "hr", "芜湖市人力资源和社会保障局", region=WUHU)
    refused = idp.post(f"/api/v1/units/{other['unit_id']}/users",
                       hefei["unit"]["admin_token"],
                       json={"username": "sneaky", "password": PASSWORD, "name": "x"})
    assert refused.status_code == 403
    assert idp.scalar("SELECT count(*) FROM identity.accounts WHERE username = 'sneaky'") == 0


def test_the_security_admin_freezes_a_unit_user_and_the_operator_cannot(idp, hefei):
    unit = hefei["unit"]
    person = bound_person(idp, unit)
    base = f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}"
    op, sec = hefei["op"], hefei["sec"]

    refused = [idp.get(f"/api/v1/units/{unit['unit_id']}/users", op),
               idp.get(base, op),
               idp.patch(base, op, json={"email": "x@example.com"}),
               idp.post(f"{base}/freeze", op),
               idp.post(f"{base}/unfreeze", op),
               idp.post(f"{base}/reset-password", op),
               idp.delete(base, op),
               idp.post(f"/api/v1/units/{unit['unit_id']}/users", op,
                        json={"username": "opadmin", "password": PASSWORD, "name": "x"})]
    assert [a.status_code for a in refused] == [403] * len(refused)
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 200

    frozen = idp.post(f"{base}/freeze", sec)
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["status"] == "frozen"
    assert frozen.json()["profile"] is None          # the account, not the person's file
    assert idp.get("/api/v1/me/profile", person["token"]).status_code == 401
    [entry] = idp.rows("SELECT actor_role, target_id FROM identity.audit_log "
                       "WHERE action = 'account.frozen'")
    assert entry == {"actor_role": "security", "target_id": str(person["account_id"])}
    assert idp.post(f"{base}/unfreeze", sec).json()["status"] == "active"
    reset = idp.post(f"{base}/reset-password", sec, json={})
    assert reset.status_code == 200 and reset.json()["temporary_password"]
    assert idp.login(person["form"]["id_number"], reset.json()["temporary_password"])
    # a person's profile is the unit's to edit, not the security admin's
    assert idp.patch(base, sec, json={"email": "x@example.com"}).status_code == 403
    added = idp.post(f"/api/v1/units/{unit['unit_id']}/users", sec,
                     json={"username": "secadmin", "password": PASSWORD, "name": "赵六"})
    assert added.status_code == 201, added.text
    assert idp.delete(base, sec).status_code == 204
    assert idp.get(base, sec).status_code == 404


def test_the_security_admin_reads_no_audit_record_nor_persons_files(idp, hefei):
    unit = hefei["unit"]
    person = bound_person(idp, unit)
    sec = hefei["sec"]
    refused = [idp.get("/api/v1/audit-log", sec),
               idp.get("/api/v1/audit-log/verify", sec),
               idp.get(f"/api/v1/persons/{person['person_id']}", sec),
               idp.get(f"/api/v1/persons/{person['person_id']}", sec,
                       params={"reason": "核查单位人员信息"}),
               idp.get("/api/v1/me/profile", sec),
               idp.post("/api/v1/units", sec, json={
                   "name": "x", "kind": "employer", "nature": "organ",
                   "admin": {"username": "xadmin", "password": PASSWORD, "name": "x"}}),
               idp.patch(f"/api/v1/units/{unit['unit_id']}", sec, json={"address": "x"}),
               idp.get("/api/v1/ops/failed-events?service=identity", sec)]
    assert [a.status_code for a in refused] == [403] * len(refused)
    detail = idp.get(f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}", sec)
    assert detail.status_code == 200 and detail.json()["profile"] is None
    assert person["form"]["id_number"] not in detail.text
    assert idp.scalar("SELECT count(*) FROM identity.audit_log "
                      "WHERE action = 'person.viewed'") == 0
    # the unit's own admin still sees the (masked) profile
    own = idp.get(f"/api/v1/units/{unit['unit_id']}/users/{person['account_id']}",
                  unit["admin_token"])
    assert own.json()["profile"]["person_id"] == person["person_id"]
