"""Issue 15.12: the audit log is hash-chained, so that an edit or a gap shows.

Each entry stores its chain position, the previous entry's hash and a hash over its own
content. The database's owner can set the append-only trigger aside (the services' role
cannot: tests/test_audit_append_only.py); what the owner then changes is reported by the
auditor's check, ``GET /api/v1/audit-log/verify``: an edited entry, an edited entry whose
hash was recomputed (the next entry's link no longer matches), a removed entry (a gap),
and an entry written past the service (outside the chain).
"""
import pytest
from sqlalchemy import text

from services.identity.bootstrap import bootstrap
from services.identity.logic.audit_chain import entry_hash_v1
from services.identity.tests.conftest import PASSWORD
from tests.support import Api

TABLE = "identity.audit_log"


@pytest.fixture
def api(platform, db_engine):
    return Api(platform, db_engine)


@pytest.fixture
def auditor(api):
    """A few entries (registrations, logins, a failed login) and the auditor's token."""
    for name in ("李雷", "韩梅梅"):
        person = api.register_person(real_name=name)
        api.call("POST", "/api/v1/auth/login", expect=401,
                 json={"username": person["form"]["id_number"], "password": "Wrong@123"})
    bootstrap(api.config["DATABASE_URL"], "audit1", PASSWORD, "审计员", role="auditor")
    return api.login("audit1")


def as_owner(db_engine, *statements, **params):
    """Run ``statements`` as the tables' owner with the append-only trigger set aside."""
    with db_engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_log_append_only"))
        for statement in statements:
            conn.execute(text(statement), params)
        conn.execute(text(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_log_append_only"))


def verify(api, token):
    return api.call("GET", "/api/v1/audit-log/verify", token, expect=200).json()


def problems(result):
    return [(p["kind"], p["seq"]) for p in result["problems"]]


def test_an_intact_log_verifies_and_every_entry_is_chained(api, auditor, db_engine):
    result = verify(api, auditor)
    assert result["ok"] and result["problems"] == []
    with db_engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {TABLE} ORDER BY seq")).mappings().all()
    assert result["checked"] == len(rows) >= 5
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == "0" * 64
    for before, entry in zip(rows, rows[1:], strict=False):
        assert entry["prev_hash"] == before["hash"]
    assert all(entry_hash_v1(r) == r["hash"] for r in rows)
    assert result["head"] == {"seq": rows[-1]["seq"], "hash": rows[-1]["hash"]}


def test_an_entry_edited_by_the_database_owner_is_reported(api, auditor, db_engine):
    as_owner(db_engine, f"UPDATE {TABLE} SET summary = '登录', outcome = 'success' "
                        "WHERE seq = 3")
    result = verify(api, auditor)
    assert not result["ok"]
    assert problems(result) == [("edited", 3)]
    assert "第 3 条的内容与其哈希不符" in result["problems"][0]["message"]
    # The log still answers, the edit untouched (the check reports, it does not repair).
    assert api.call("GET", "/api/v1/audit-log", auditor, expect=200).json()["total"] >= 5


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(api, auditor, db_engine):
    with db_engine.connect() as conn:
        row = dict(conn.execute(text(f"SELECT * FROM {TABLE} WHERE seq = 2")).mappings().one())
    row["actor_name"] = "他人"
    as_owner(db_engine, f"UPDATE {TABLE} SET actor_name = :name, hash = :hash WHERE seq = 2",
             name="他人", hash=entry_hash_v1(row))
    assert problems(verify(api, auditor)) == [("relinked", 3)]


def test_a_removed_entry_and_one_written_past_the_service_are_reported(api, auditor,
                                                                       db_engine):
    as_owner(db_engine, f"DELETE FROM {TABLE} WHERE seq = 2")
    with db_engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {TABLE} (action, outcome, summary) "
                          "VALUES ('auth.login', 'success', '补写的一条')"))
    result = verify(api, auditor)
    kinds = problems(result)
    assert kinds[0] == ("gap", 3), kinds
    assert [k for k, _ in kinds] == ["gap", "unchained"]
    assert result["problems"][0]["message"] == "第 2 条缺失（日志被删除）"
    # Entries appended afterwards through the service continue the chain.
    api.call("POST", "/api/v1/auth/login", expect=401,
             json={"username": "nobody", "password": "Wrong@123"})
    assert problems(verify(api, auditor))[:2] == kinds


def test_the_operations_command_reports_the_same(api, auditor, db_engine, database_url,
                                                 capsys):
    from services.identity import audit_verify

    assert audit_verify.main(["--database-url", database_url]) == 0
    as_owner(db_engine, f"UPDATE {TABLE} SET detail = '{{\"username\": \"x\"}}' WHERE seq = 1")
    capsys.readouterr()
    assert audit_verify.main(["--database-url", database_url]) == 1
    out = capsys.readouterr().out
    assert '"kind": "edited"' in out and "第 1 条的内容与其哈希不符" in out


def test_the_newest_entries_removed_show_against_a_kept_head(api, auditor, db_engine,
                                                             database_url, capsys):
    from services.identity import audit_verify

    head = verify(api, auditor)["head"]          # kept elsewhere, e.g. by a daily job
    query = {"head_seq": head["seq"], "head_hash": head["hash"]}
    assert api.call("GET", "/api/v1/audit-log/verify", auditor, params=query,
                    expect=200).json()["ok"]
    # Without the kept head, removing the newest entries leaves a chain that verifies.
    as_owner(db_engine, f"DELETE FROM {TABLE} WHERE seq >= :seq", seq=head["seq"] - 1)
    assert verify(api, auditor)["ok"]
    result = api.call("GET", "/api/v1/audit-log/verify", auditor, params=query,
                      expect=200).json()
    assert problems(result) == [("truncated", head["seq"])]
    assert "最新的日志被删除" in result["problems"][0]["message"]
    capsys.readouterr()
    assert audit_verify.main(["--database-url", database_url,
                              "--head", f"{head['seq']}:{head['hash']}"]) == 1
    assert '"kind": "truncated"' in capsys.readouterr().out
    # A head with a hash the chain never had at that position is reported too; half a
    # head is refused.
    other = {"head_seq": 1, "head_hash": "0" * 64}
    assert problems(api.call("GET", "/api/v1/audit-log/verify", auditor, params=other,
                             expect=200).json()) == [("kept_mismatch", 1)]
    refused = api.call("GET", "/api/v1/audit-log/verify", auditor, expect=422,
                       params={"head_seq": 1}).json()["error"]
    assert refused["code"] == "request.invalid"
    assert "链尾序号和哈希须同时提供" in str(refused["details"])
