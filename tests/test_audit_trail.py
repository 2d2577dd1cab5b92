"""Issue 15.12 and 15.8: one audit trail of every service, read by the auditor through the
gateway, every service real (identity, achievements, workflow, documents) over the
broker, the database and the S3 server.

The declaration of the access matrix's set-up (submitted by P, recommended and passed by
its employer A, its review form printed) leaves its whole trail in identity's audit log:
who did what to it and when, found by subject. Record decisions, downloads (with the
operator's stated reason) and printouts are there too, with actor, subject and time.
Staff outside the review chain see personal content only with a reason: the operator's
download needs one of at least five characters; the auditor reads audit records, not
persons' files.
"""
import datetime as dt

from kombu import Connection, Producer
from sqlalchemy import text

from services.common.messaging import event_exchange, published_envelope
from services.common.testing import wait_for
from tests.test_access_matrix import build
from tests.test_declaration_flow import Flow


def audit(flow, token, **query):
    return flow.get("/api/v1/audit-log", token, params={"page_size": 100, **query})


def trail(flow, token, **query):
    """The entries of a query once at least one is there, oldest first."""
    return audit(flow, token, order="oldest", **query)["items"]


def test_decisions_recommendations_downloads_and_printouts_reach_the_audit_log(
        platform, db_engine, web_config_port):
    flow = Flow(platform, db_engine)
    started = dt.datetime.now(dt.UTC)
    tokens, ids = build(flow, f"http://127.0.0.1:{web_config_port}")
    aud, ops = tokens["aud"], tokens["ops"]
    did, cert = ids["decl"], ids["cert"]
    a_admin = flow.get("/api/v1/auth/me", tokens["A"])

    # -- reasons: the operator states one (at least 5 characters); the auditor has no
    #    access to persons' files at all.
    for reason in (None, "看看", "    ", "核查 "):
        answer = flow.call("GET", f"/api/v1/files/{cert}/download", ops,
                           params={"reason": reason} if reason is not None else {})
        assert answer.status_code == 422, (reason, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "file.reason_required"
        assert error["message"] == "运维人员下载材料须说明查看原因（至少 5 个字）"
    for path in (f"/api/v1/files/{cert}", f"/api/v1/files/{cert}/download"):
        answer = flow.call("GET", path, aud, params={"reason": "审计抽查材料真实性"})
        assert answer.status_code == 404, answer.text
    flow.get(f"/api/v1/files/{cert}/download", ops, params={"reason": "核查证书真实性"})
    flow.get(f"/api/v1/files/{cert}/download", tokens["A"])

    # -- the declaration's whole trail, by subject, in the order it happened.
    wanted = {"declaration.submitted", "declaration.recommended", "declaration.approve",
              "printout.made"}
    entries = wait_for(lambda: (lambda items: items if wanted <= {e["action"] for e in items}
                                else None)(trail(flow, aud, target_type="declaration",
                                                 target_id=str(did))),
                       timeout=30, what="the declaration's trail")
    actions = [e["action"] for e in entries]
    assert actions.index("declaration.submitted") < actions.index("declaration.recommended") \
        < actions.index("declaration.approve"), actions
    by_action = {e["action"]: e for e in entries}
    decided = by_action["declaration.approve"]
    assert decided["action_label"] == "申报审核通过"
    assert decided["actor_account_id"] == a_admin["account_id"]
    assert decided["actor_name"] == a_admin["name"]
    assert decided["actor_role"] == "unit_admin"
    assert decided["actor_unit_id"] == ids["a"]
    assert decided["target_type"] == "declaration" and decided["target_id"] == str(did)
    assert started <= dt.datetime.fromisoformat(decided["at"]) <= dt.datetime.now(dt.UTC)
    assert decided["summary"].startswith("合肥市第二人民医院通过孙迪的职称申报")
    assert decided["detail"]["source"] == "workflow"
    recommended = by_action["declaration.recommended"]
    assert recommended["actor_account_id"] == a_admin["account_id"]
    assert recommended["action_label"] == "单位推荐"
    printed = by_action["printout.made"]
    assert printed["actor_role"] == "person" and printed["summary"] == "打印评审表"
    submitted = by_action["declaration.submitted"]
    assert submitted["actor_role"] == "person"
    # Every entry from an event is chained and names its event.
    assert all(e["seq"] and len(e["hash"]) == 64 and e["event_id"] for e in entries)

    # The downloads of the declaration's material are part of its trail.
    with_files = wait_for(lambda: [e for e in trail(flow, aud, target_type="declaration",
                                                    target_id=str(did))
                                   if e["action"] == "file.downloaded"] or None)
    assert {e["target_id"] for e in with_files} == {str(cert)}
    assert all(f"declaration:{did}" in e["detail"]["attached_to"] for e in with_files)

    # -- record decisions (业绩审核) and 撤销审核 by their subject.
    record = wait_for(lambda: trail(flow, aud, target_type="record",
                                    target_id=str(ids["rec_ok"]), action="record.approve"))
    assert record[0]["actor_unit_id"] == ids["a"] and record[0]["action_label"] == "业绩审核通过"

    # -- downloads: by subject (the file) and by actor, with basis and reason.
    downloads = wait_for(lambda: (lambda items: items if len(items) >= 2 else None)(
        trail(flow, aud, target_type="file", target_id=str(cert))))
    assert {e["action"] for e in downloads} == {"file.downloaded"}
    ops_me = flow.get("/api/v1/auth/me", ops)
    [by_ops] = [e for e in downloads if e["actor_account_id"] == ops_me["account_id"]]
    assert by_ops["actor_role"] == "operator"
    assert by_ops["detail"]["basis"] == "operator"
    assert by_ops["detail"]["reason"] == "核查证书真实性"
    assert by_ops["summary"] == "下载材料“主治医师资格证书.pdf”（运维人员），原因：核查证书真实性"
    assert audit(flow, aud, actor_account_id=ops_me["account_id"],
                 action="file.downloaded")["total"] == 1

    # -- the operator's view of the declaration's personal content: reason, then audited.
    refused = flow.call("GET", f"/api/v1/declarations/{did}", ops, params={"reason": "查看"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "declaration.reason_required"
    seen = flow.get(f"/api/v1/declarations/{did}", ops, params={"reason": "核查申报材料投诉"})
    assert seen["personal"]["birthplace"] == "芜湖市"
    [viewed] = wait_for(lambda: trail(flow, aud, target_type="declaration",
                                      target_id=str(did), action="declaration.personal_viewed"))
    assert viewed["actor_account_id"] == ops_me["account_id"]
    assert viewed["detail"]["reason"] == "核查申报材料投诉"
    assert viewed["summary"].endswith("原因：核查申报材料投诉")

    # -- plan publication and quota confirmation, by their subjects.
    [published] = wait_for(lambda: trail(flow, aud, target_type="plan",
                                         target_id=str(ids["plan"])))
    assert published["action"] == "plan.published"
    assert published["summary"] == f"发布评审计划：{ids['plan_name']}"
    [confirmed] = wait_for(lambda: trail(flow, aud, target_type="post_quota",
                                         target_id=str(ids["quota"])))
    assert confirmed["action"] == "post_quota.confirmed"
    assert confirmed["actor_unit_id"] == ids["a"] and confirmed["unit_id"] == ids["a"]

    # -- by unit (the unit concerned or the acting one) and by time.
    unit_actions = {e["action"] for e in audit(flow, aud, unit_id=ids["a"])["items"]}
    assert {"declaration.approve", "declaration.recommended", "file.downloaded"} <= \
        unit_actions, unit_actions
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    assert audit(flow, aud, target_type="declaration", target_id=str(did),
                 since=later)["total"] == 0

    # -- the chain holds, and only the auditor reads or checks the log.
    verified = flow.get("/api/v1/audit-log/verify", aud)
    assert verified["ok"], verified["problems"]
    assert verified["checked"] >= len(entries)
    for role in ("ops", "P", "A", "sys"):
        assert flow.call("GET", "/api/v1/audit-log", tokens[role]).status_code == 403
        assert flow.call("GET", "/api/v1/audit-log/verify", tokens[role]).status_code == 403

    # -- once per event: a copy delivered again (its handler's record forgotten, as after
    #    a crash between the two) adds no second entry: the entry is keyed by event id.
    event_id = decided["event_id"]
    handler = "audit_workflow_declaration_step_decided"
    with db_engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM workflow.outbox WHERE event_id = "
                                "CAST(:e AS uuid)"), {"e": event_id}).one()
        conn.execute(text("DELETE FROM identity.processed_events WHERE handler = :h "
                          "AND event_id = CAST(:e AS uuid)"), {"h": handler, "e": event_id})
    with Connection(platform.config["AMQP_URI"]) as connection:
        Producer(connection.channel()).publish(
            published_envelope(row), exchange=event_exchange("workflow"),
            routing_key=row.type, serializer="json", declare=[event_exchange("workflow")])
    wait_for(lambda: flow.scalar("SELECT count(*) FROM identity.processed_events WHERE "
                                 "handler = :h AND event_id = CAST(:e AS uuid)",
                                 h=handler, e=event_id) == 1, what="the copy handled")
    assert flow.scalar("SELECT count(*) FROM identity.audit_log WHERE event_id = "
                       "CAST(:e AS uuid)", e=event_id) == 1
