"""Push subscriptions on the real platform: the feed at commit, ordered signed deliveries
with retries, killing the delivery service, SSRF refusals, the subscription API."""
import collections
import time

import pytest

from services.webhooks.logic import signing

from .conftest import emit_events, system_account, wait_for

SECRET = "whsec_test_secret_0123456789"
CHAIN = ("declaration_submitted", "declaration_step_decided", "declaration_step_decided",
         "declaration_approved")
TYPES = ["declaration_submitted", "declaration_step_decided", "declaration_approved"]


def subscribe(api, token, url, types=TYPES, secret=SECRET, expect=201):
    answer = api.call("POST", "/api/v1/subscriptions", token, expect=expect,
                      json={"url": url, "event_types": types, "secret": secret})
    return answer.json()


def chains(subjects, step=0):
    """The events of each subject's review chain, interleaved across subjects."""
    items = []
    for index, type_ in enumerate(CHAIN):
        for subject in subjects:
            items.append((type_, subject, {"declaration_id": int(subject.split(":")[1]),
                                           "status": "submitted", "n": index + step}))
    return items


def check_signed(request):
    status, headers, body, event = request
    assert signing.verify(SECRET, headers["X-Signature"], body, time.time()), headers
    assert headers["X-Event-Id"] == event["id"]
    assert headers["X-Delivery-Id"]
    assert event["specversion"] == "1.0" and event["datacontenttype"] == "application/json"
    assert event["source"] == "/zhicheng/workflow" and isinstance(event["position"], int)


def test_an_event_nobody_consumes_is_in_the_gateway_feed_within_a_second(
        runner_factory, service_config, web_config, web_session, db_engine):
    """Without the webhooks service nothing inside the platform consumes declaration
    events: one committed through workflow's outbox is in the feed within a second."""
    from conftest import Platform, all_service_classes
    from tests.support import Api

    config = {**service_config, **web_config}
    runner = runner_factory(config, *[cls for cls in all_service_classes()
                                      if cls.name != "webhooks"])
    runner.start()
    platform = Platform(runner, web_session, config)
    api = Api(platform, db_engine)
    token, _ = system_account(api)

    [(event_id, committed)] = emit_events(platform, "workflow", [
        ("declaration_approved", "declaration:7", {"declaration_id": 7, "status": "approved"})])

    def in_feed():
        items = api.call("GET", "/api/v1/events", token, expect=200, params={
            "source": "workflow", "format": "cloudevents", "type": "declaration_approved"}
        ).json()
        return [e for e in items if e["id"] == event_id]

    [event] = wait_for(in_feed, timeout=1.0, interval=0.02)
    assert time.monotonic() - committed < 1.0
    assert event["specversion"] == "1.0" and event["type"] == "declaration_approved"
    assert event["source"] == "/zhicheng/workflow" and event["subject"] == "declaration:7"
    assert event["data"] == {"declaration_id": 7, "status": "approved"}
    assert event["datacontenttype"] == "application/json" and event["time"]
    assert event["position"] >= 1
    # The bus had no queue for it: done there at once, not kept for a grace period.
    note = wait_for(lambda: api.scalar(
        "SELECT last_error FROM workflow.outbox WHERE event_id = :id AND published_at "
        "IS NOT NULL", id=event_id), timeout=2.0, interval=0.02)
    assert "no queue" in note
    # The old envelope shape is still the default.
    legacy = api.call("GET", "/api/v1/events", token, expect=200,
                      params={"source": "workflow"}).json()
    assert any(e["event_id"] == event_id and e["position"] == event["position"]
               for e in legacy)
    batch = api.http.get("/api/v1/events", params={"source": "workflow"}, headers={
        **api.auth(token), "Accept": "application/cloudevents-batch+json"})
    assert batch.status_code == 200, batch.text
    assert batch.headers["Content-Type"].startswith("application/cloudevents-batch+json")
    assert batch.json()[0]["specversion"] == "1.0"


def test_a_receiver_down_then_failing_then_up_gets_every_event_in_order_per_subject(
        platform, api, receiver):
    token, _ = system_account(api)
    sub = subscribe(api, token, receiver.url)  # the receiver is not listening yet
    subjects = [f"declaration:{n}" for n in (11, 12, 13)]
    emitted = emit_events(platform, "workflow", chains(subjects))
    order = [event_id for event_id, _ in emitted]
    subject_of = {event_id: item[1] for (event_id, _), item in
                  zip(emitted, chains(subjects), strict=True)}

    def failed_attempts():
        return api.scalar("SELECT count(*) FROM webhooks.attempts WHERE succeeded = false")

    wait_for(lambda: failed_attempts() >= 6, timeout=15)  # refused connections, retried
    receiver.mode = "fail"
    receiver.start()
    wait_for(lambda: len(receiver.requests) >= 6, timeout=15)  # answered 500, retried
    assert not receiver.delivered()
    receiver.mode = "ok"
    wait_for(lambda: {r[3]["id"] for r in receiver.delivered()} == set(order), timeout=30)

    for request in receiver.requests:
        check_signed(request)
        assert request[3]["id"] in subject_of  # nothing but the emitted events
    # Per subject, every request (failed or not) follows the chain's order: a failing
    # event holds back the later events of its subject.
    by_subject = collections.defaultdict(list)
    for status, _, _, event in receiver.requests:
        by_subject[event["subject"]].append((order.index(event["id"]), status))
    for subject in subjects:
        indexes = [index for index, _ in by_subject[subject]]
        assert indexes == sorted(indexes), (subject, by_subject[subject])
        delivered = [index for index, status in by_subject[subject] if status == 200]
        assert list(dict.fromkeys(delivered)) == order_indexes(order, subject_of, subject)
    # Duplicates only with the same event id: one delivery id per event id.
    delivery_event = {}
    for _, headers, _, event in receiver.requests:
        assert delivery_event.setdefault(headers["X-Delivery-Id"], event["id"]) == event["id"]
    # The owner reads the delivery log: attempts, statuses and response times (a delivery
    # is marked once its answer is back, a moment after the receiver has the request).
    def settled():
        log = api.call("GET", f"/api/v1/subscriptions/{sub['id']}/deliveries", token,
                       expect=200).json()
        return log if all(d["status"] != "pending" for d in log) else None

    log = wait_for(settled, timeout=15)
    assert {d["event_id"] for d in log} == set(order)
    assert all(d["status"] == "delivered" for d in log)
    heads = {order[index] for index in range(len(subjects))}  # each chain's first event
    assert all(d["attempts"] >= 2 for d in log if d["event_id"] in heads)
    attempts = [a for d in log for a in d["attempt_log"]]
    assert {a["status_code"] for a in attempts} >= {None, 500, 200}
    assert all(a["response_ms"] is not None for a in attempts)
    assert api.call("GET", f"/api/v1/subscriptions/{sub['id']}", token,
                    expect=200).json()["failing_since"] is None


def of(receiver, subscription):
    """What ``subscription`` received with 200."""
    return [r for r in receiver.delivered()
            if r[1]["X-Subscription-Id"] == str(subscription["id"])]


def order_indexes(order, subject_of, subject):
    return [index for index, event_id in enumerate(order) if subject_of[event_id] == subject]


def test_a_failing_subject_does_not_hold_back_other_subjects(platform, api, receiver):
    token, _ = system_account(api)
    receiver.fail_subjects = {"declaration:21"}
    receiver.start()
    subscribe(api, token, receiver.url)
    emitted = emit_events(platform, "workflow", chains(["declaration:21", "declaration:22"]))
    wait_for(lambda: len({r[3]["id"] for r in receiver.delivered()}) == 4, timeout=15)
    assert {r[3]["subject"] for r in receiver.delivered()} == {"declaration:22"}
    first = emitted[0][0]  # declaration:21's first event keeps failing, alone
    assert {r[3]["id"] for r in receiver.requests
            if r[3]["subject"] == "declaration:21"} == {first}
    receiver.fail_subjects = set()
    wait_for(lambda: len({r[3]["id"] for r in receiver.delivered()}) == 8, timeout=15)


def test_killing_the_delivery_service_mid_delivery_loses_nothing(
        platform, api, receiver, runner_factory):
    from services.webhooks.service import WebhooksService

    token, _ = system_account(api)
    receiver.mode = "hang"
    receiver.start()
    subscribe(api, token, receiver.url)
    emitted = emit_events(platform, "workflow", chains(["declaration:31"]))
    wait_for(lambda: receiver.requests, timeout=10)  # the first POST is in flight
    # The attempt committed before the POST started.
    assert api.scalar("SELECT count(*) FROM webhooks.attempts WHERE finished_at IS NULL") == 1
    platform.container("webhooks").kill()
    receiver.mode = "ok"
    receiver.released.set()
    runner_factory(platform.config, WebhooksService).start()
    wait_for(lambda: {r[3]["id"] for r in receiver.delivered()}
             == {event_id for event_id, _ in emitted}, timeout=30)
    by_subject = [r[3]["id"] for r in receiver.delivered()]
    order = [event_id for event_id, _ in emitted]
    firsts = list(dict.fromkeys(by_subject))
    assert firsts == order  # in order, once each (plus at most the same id again)
    assert all(event_id in order for event_id in by_subject)


def test_private_addresses_are_refused_unless_allow_listed(api, platform, receiver):
    token, _ = system_account(api)
    for url in ("https://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data",
                "https://[::1]/hook", "http://192.168.1.4/hook", "https://127.0.0.2/hook"):
        refused = subscribe(api, token, url, expect=422)
        assert refused["error"]["code"] == "subscription.private_address", url
    plain = subscribe(api, token, "http://93.184.216.34/hook", expect=422)
    assert plain["error"]["code"] == "subscription.https_required"
    unknown = subscribe(api, token, receiver.url, types=["no_such_event"], expect=422)
    assert unknown["error"]["code"] == "subscription.unknown_event_type"
    made = subscribe(api, token, receiver.url)  # 127.0.0.1 is allow-listed in the tests
    assert made["secret"] == SECRET and made["status"] == "active"
    assert api.scalar("SELECT count(*) FROM webhooks.subscriptions") == 1


def test_subscription_api_pause_resume_rotate_redeliver_replay_delete(
        platform, api, receiver):
    token, operator = system_account(api)
    other, _ = system_account(api)
    receiver.start()
    assert api.call("POST", "/api/v1/subscriptions", operator,
                    json={"url": receiver.url, "event_types": TYPES}).status_code == 403
    sub = subscribe(api, token, receiver.url, secret=None)
    assert sub["secret"].startswith("whsec_")
    generated = sub["secret"]
    path = f"/api/v1/subscriptions/{sub['id']}"
    assert "secret" not in api.call("GET", path, token, expect=200).json()
    assert [s["id"] for s in api.call("GET", "/api/v1/subscriptions", token,
                                      expect=200).json()] == [sub["id"]]
    assert api.call("GET", "/api/v1/subscriptions", other, expect=200).json() == []
    api.call("GET", path, other, expect=404)

    api.call("POST", f"{path}/pause", token, expect=200)
    # a second, active subscription shows when deliveries have been made
    witness = subscribe(api, other, receiver.url)
    emitted = emit_events(platform, "workflow", chains(["declaration:41"])[:2])
    wait_for(lambda: len(of(receiver, witness)) == 2)
    assert of(receiver, sub) == []  # the paused one stays silent
    assert api.call("POST", f"{path}/resume", token, expect=200).json()["status"] == "active"
    wait_for(lambda: len(of(receiver, sub)) == 2)
    api.call("DELETE", f"/api/v1/subscriptions/{witness['id']}", other, expect=200)
    assert all(signing.verify(generated, r[1]["X-Signature"], r[2], time.time())
               for r in of(receiver, sub))

    rotated = api.call("POST", f"{path}/rotate-secret", token, expect=200,
                       json={"secret": SECRET}).json()
    assert rotated["secret"] == SECRET
    first = emitted[0][0]
    again = api.call("POST", f"{path}/redeliver", token, expect=202,
                     json={"event_id": first}).json()
    wait_for(lambda: len(of(receiver, sub)) == 3)
    copy = of(receiver, sub)[-1]
    assert copy[3]["id"] == first and copy[1]["X-Delivery-Id"] == again["delivery_id"]
    assert copy[1]["X-Delivery-Id"] != of(receiver, sub)[0][1]["X-Delivery-Id"]
    assert signing.verify(SECRET, copy[1]["X-Signature"], copy[2], time.time())
    assert signing.verify(generated, copy[1]["X-Signature"], copy[2], time.time())  # grace

    position = of(receiver, sub)[0][3]["position"]
    replayed = api.call("POST", f"{path}/replay", token, expect=202,
                        json={"source": "workflow", "after": position}).json()
    assert replayed["replayed"] == 1
    wait_for(lambda: len(of(receiver, sub)) == 4)
    assert of(receiver, sub)[-1][3]["id"] == emitted[1][0]
    log = api.call("GET", f"{path}/deliveries", token, expect=200).json()
    assert sorted(d["reason"] for d in log) == ["event", "event", "redelivery", "replay"]

    listed = api.call("GET", "/api/v1/ops/subscriptions", operator, expect=200).json()
    assert [s["id"] for s in listed] == [sub["id"]]
    api.call("GET", "/api/v1/ops/subscriptions", token, expect=403)
    api.call("DELETE", path, other, expect=404)
    api.call("DELETE", path, token, expect=200)
    api.call("GET", path, token, expect=404)


@pytest.mark.webhook_config(WEBHOOK_GIVE_UP_AFTER=1.5)
def test_a_subscription_failing_longer_than_the_limit_is_paused_for_operators(
        platform, api, receiver):
    token, operator = system_account(api)
    sub = subscribe(api, token, receiver.url)  # never listening
    emit_events(platform, "workflow", chains(["declaration:51"])[:1])
    paused = wait_for(lambda: [s for s in api.call(
        "GET", "/api/v1/ops/subscriptions", operator, expect=200,
        params={"status": "paused"}).json() if s["id"] == sub["id"]], timeout=15)
    assert paused[0]["paused_reason"] == "failing" and paused[0]["failing_since"]
    attempts = api.scalar("SELECT count(*) FROM webhooks.attempts")  # all are sub's so far
    # Nothing is attempted while paused: a working subscription gets a later event first.
    receiver.start()
    witness = subscribe(api, token, receiver.url)
    emit_events(platform, "workflow", chains(["declaration:52"])[:1])
    wait_for(lambda: of(receiver, witness), timeout=10)
    assert api.scalar("SELECT count(*) FROM webhooks.attempts WHERE delivery_id IN (SELECT id"
                      " FROM webhooks.deliveries WHERE subscription_id = :s)",
                      s=sub["id"]) == attempts
    assert of(receiver, sub) == []
    # The waiting delivery is kept, and goes once the owner resumes.
    api.call("POST", f"/api/v1/subscriptions/{sub['id']}/resume", token, expect=200)
    wait_for(lambda: of(receiver, sub), timeout=10)


def test_asyncapi_document_describes_every_event_type_in_chinese_and_english(platform, api):
    from services.contracts.events import EVENT_TYPES

    doc = api.call("GET", "/api/v1/asyncapi.json", expect=200).json()
    assert doc["asyncapi"].startswith("3.")
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == {key.split("/")[1] for key in EVENT_TYPES}

    def described(schema, where):
        text_ = schema.get("description", "")
        assert " / " in text_ and any("\u4e00" <= ch <= "\u9fff" for ch in text_), where
        for name, sub in schema.get("properties", {}).items():
            described(sub, f"{where}.{name}")
        if "items" in schema:
            described(schema["items"], f"{where}[]")

    for name, schema in doc["components"]["schemas"].items():
        described(schema, name)
    for name, message in doc["components"]["messages"].items():
        for attr, sub in message["payload"]["properties"].items():
            if attr != "data":
                described(sub, f"{name}.{attr}")
    page = api.call("GET", "/events-docs", expect=200)
    assert "asyncapi.json" in page.text
