"""Anything that can publish on the broker cannot act as a user or as a service: the
principal and the calling service in AMQP headers count only when signed with
PRINCIPAL_KEY (services/common/principal.py), and the RPCs meant for declarations
(``lock_records``/``unlock_records``) refuse users, however signed."""
import json
import uuid

import pytest
from kombu import Connection, Exchange, Producer, Queue

from services.common.principal import Principal
from services.common.testing import signed as signed_context

from .support import PRINCIPALS


def _principal(token):
    return Principal(**{**PRINCIPALS[token], "roles": tuple(PRINCIPALS[token]["roles"])})


def _raw_call(config, method, kwargs, headers):
    """Publish one RPC request on Nameko's exchange by hand and read its reply."""
    replies = []
    with Connection(config["AMQP_URI"]) as conn:
        channel = conn.channel()
        reply_to = f"forged-{uuid.uuid4().hex}"
        queue = Queue(reply_to, exchange=Exchange("nameko-rpc", type="topic", durable=True),
                      routing_key=reply_to, auto_delete=True, channel=channel)
        queue.declare()
        consumer = conn.Consumer(queue, callbacks=[lambda body, msg: (replies.append(body),
                                                                      msg.ack())],
                                 accept=["json"])
        with consumer:
            Producer(channel).publish(
                {"args": [], "kwargs": kwargs}, exchange="nameko-rpc", serializer="json",
                routing_key=f"achievements.{method}", reply_to=reply_to,
                correlation_id=uuid.uuid4().hex, headers=headers)
            while not replies:
                conn.drain_events(timeout=20)  # raises on timeout: the test fails
    reply = replies[0]
    return json.loads(reply) if isinstance(reply, str) else reply


def test_a_raw_publish_with_forged_headers_is_anonymous_and_refused(ach):
    person = _principal("p1")
    forged = {"nameko.principal": person.to_json(), "nameko.caller_service": "workflow"}
    answer = _raw_call(ach.config, "unlock_records",
                       {"record_ids": None, "declaration_id": 9101}, forged)
    assert answer["result"] is None
    assert answer["error"]["exc_type"] == "Forbidden"
    # a user RPC with the forged principal alone: anonymous
    answer = _raw_call(ach.config, "get_record", {"record_id": 1},
                       {"nameko.principal": person.to_json()})
    assert answer["error"]["exc_type"] == "Unauthenticated"
    # the same principal, signed as the gateway signs it, reaches the service
    answer = _raw_call(ach.config, "get_record", {"record_id": 1},
                       {f"nameko.{k}": v for k, v in signed_context(person).items()})
    assert answer["error"]["exc_type"] != "Unauthenticated"


def test_a_user_calling_a_service_only_rpc_is_refused(ach):
    from nameko.standalone.rpc import ServiceRpcProxy

    for context in (signed_context(_principal("p1")),
                    signed_context(_principal("p1"), service="gateway")):
        with ServiceRpcProxy("achievements", ach.config, context_data=context) as proxy:
            for call in (lambda a: a.unlock_records(None, 9101),
                         lambda a: a.lock_records([1], 9101, person_id=77)):
                with pytest.raises(Exception) as refused:  # noqa: B017 - remote error class
                    call(proxy)
                assert getattr(refused.value, "code", None) == "auth.forbidden"
