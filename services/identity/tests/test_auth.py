"""Login, lockout, sessions and tokens through the gateway."""
import datetime as dt

import jwt

from .conftest import PASSWORD


def login(idp, username, password):
    return idp.http.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_unknown_user_and_wrong_password_get_the_same_answer(idp):
    person = idp.register_person()
    wrong = login(idp, person["form"]["id_number"], "Wrong-pass1")
    unknown = login(idp, "11010519491231002X", "Wrong-pass1")
    unknown_name = login(idp, "nobody", PASSWORD)
    for answer in (wrong, unknown, unknown_name):
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "auth.bad_credentials"
        assert answer.json()["error"]["message"] == "用户名或密码错误"
    assert wrong.json() == unknown.json() == unknown_name.json()


def test_five_failures_lock_the_account_for_fifteen_minutes(idp):
    person = idp.register_person()
    number = person["form"]["id_number"]
    for _ in range(5):
        assert login(idp, number, "Wrong-pass1").status_code == 401
    locked = login(idp, number, PASSWORD)           # the sixth, with the right password
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "auth.locked"
    assert locked.json()["error"]["message"] == "登录失败次数过多，账号已锁定，请 15 分钟后再试"
    # (error details cross RPC as strings: nameko's exception serialisation)
    assert 0 < int(locked.json()["error"]["details"]["retry_after_seconds"]) <= 15 * 60
    by_mobile = login(idp, person["form"]["mobile"], PASSWORD)   # same account, other name
    assert by_mobile.status_code == 429

    # the lock expires: move it into the past instead of waiting 15 minutes
    with idp.db.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE identity.login_throttle SET locked_until = now() - interval '1 second'")
    assert login(idp, number, PASSWORD).status_code == 200
    # a success resets the count: four more failures do not lock
    for _ in range(4):
        assert login(idp, number, "Wrong-pass1").status_code == 401
    assert login(idp, number, PASSWORD).status_code == 200


def test_unknown_names_are_locked_the_same_way(idp):
    for _ in range(5):
        assert login(idp, "ghost", "Wrong-pass1").status_code == 401
    assert login(idp, "ghost", "Wrong-pass1").status_code == 429


def test_logout_invalidates_the_token_at_once(idp):
    person = idp.register_person()
    token = person["token"]
    other = idp.login(person["form"]["mobile"])
    assert idp.get("/api/v1/auth/me", token).status_code == 200
    out = idp.post("/api/v1/auth/logout", token)
    assert out.status_code == 204
    again = idp.get("/api/v1/me/profile", token)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "auth.invalid_token"
    assert idp.get("/api/v1/me/profile", other).status_code == 200   # other sessions live on


def test_tokens_need_the_secret_and_a_live_session(idp):
    person = idp.register_person()
    claims = jwt.decode(person["token"], options={"verify_signature": False})
    forged = jwt.encode({**claims, "sub": "1"}, "another-secret-" + "y" * 32, algorithm="HS256")
    assert idp.get("/api/v1/auth/me", forged).status_code == 401
    assert idp.get("/api/v1/auth/me", "garbage").status_code == 401
    unknown_session = jwt.encode(
        {**claims, "sid": "0" * 32}, idp.config["TOKEN_SECRET"], algorithm="HS256")
    assert idp.get("/api/v1/auth/me", unknown_session).status_code == 401
    expired = jwt.encode(
        {**claims, "exp": int((dt.datetime.now(dt.UTC)
                               - dt.timedelta(minutes=1)).timestamp())},
        idp.config["TOKEN_SECRET"], algorithm="HS256")
    assert idp.get("/api/v1/auth/me", expired).status_code == 401
    assert idp.get("/api/v1/auth/me", person["token"]).status_code == 200


def test_password_change_ends_other_sessions(idp):
    person = idp.register_person()
    token = person["token"]
    other = idp.login(person["form"]["mobile"])
    wrong = idp.post("/api/v1/me/password", token,
                     json={"old_password": "Nope-1234", "new_password": "N3w-passw0rd"})
    assert wrong.status_code == 422 and wrong.json()["error"]["message"] == "原密码错误"
    weak = idp.post("/api/v1/me/password", token,
                    json={"old_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "account.weak_password"
    done = idp.post("/api/v1/me/password", token,
                    json={"old_password": PASSWORD, "new_password": "N3w-passw0rd"})
    assert done.status_code == 204
    assert idp.get("/api/v1/auth/me", token).status_code == 200
    assert idp.get("/api/v1/auth/me", other).status_code == 401
    assert login(idp, person["form"]["id_number"], PASSWORD).status_code == 401
    assert login(idp, person["form"]["id_number"], "N3w-passw0rd").status_code == 200


def test_me_describes_the_principal(idp, hefei):
    admin = idp.get("/api/v1/auth/me", hefei["unit"]["admin_token"]).json()
    assert admin["role"] == "unit_admin" and admin["roles"] == ["unit_admin"]
    assert admin["unit"]["unit_id"] == hefei["unit"]["unit_id"]
    assert admin["unit"]["kind_label"] == "用人单位"
    op = idp.get("/api/v1/auth/me", hefei["op"]).json()
    assert op["role"] == "operator" and op["unit_id"] is None


def test_authenticate_rpc_answers_the_contract_principal(idp, hefei):
    person = idp.register_person()
    with idp.rpc() as identity:
        assert identity.authenticate("garbage") is None
        principal = identity.authenticate(hefei["unit"]["admin_token"])
        assert principal["roles"] == ["unit_admin"]
        assert principal["unit_id"] == hefei["unit"]["unit_id"]
        assert principal["extra"] == {"unit_kind": "employer"}
        assert principal["session_id"]
        hr = identity.authenticate(hefei["hr"]["admin_token"])
        assert hr["extra"] == {"unit_kind": "hr"}
        mine = identity.authenticate(person["token"])
        assert mine["roles"] == ["person"] and mine["person_id"] == person["person_id"]
        assert mine["unit_id"] is None
        assert set(mine) == {"account_id", "roles", "unit_id", "person_id", "name",
                             "session_id", "extra"}


def test_gateway_activity_is_recorded_newest_first_for_many_sessions_at_once(idp, db_engine):
    """A gateway's batch of last requests: every session's newest time is kept, an older
    report never moves it back, an unknown session id is ignored."""
    from sqlalchemy.orm import Session

    from services.identity.logic import feed

    tokens = [idp.register_person()["token"] for _ in range(3)]
    sids = [jwt.decode(t, options={"verify_signature": False})["sid"] for t in tokens]
    # a day ahead: no report of a real request (now) can be newer than these
    base = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0).timestamp()

    def record(seen):
        with Session(db_engine) as session, session.begin():
            return feed.record_activity(session, seen)

    def last_seen():
        with db_engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, last_seen_at FROM identity.sessions WHERE id = ANY(%(ids)s)",
                {"ids": sids}).all()
        return {sid: at.timestamp() if at else None for sid, at in rows}

    assert record({sids[0]: base + 10, sids[1]: base + 20, "no-such-session": base}) == 3
    assert record({sids[0]: base + 5, sids[1]: base + 30}) == 2  # sids[0]: an older report
    assert last_seen() == {sids[0]: base + 10, sids[1]: base + 30, sids[2]: None}
