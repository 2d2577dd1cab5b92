"""RPC requests and answers are transient on the real broker: non-persistent, not
confirmed, over a non-durable reply queue consumed without acknowledgements; an absent
service still answers 503."""
import amqp.channel
import pytest
from nameko.extensions import Entrypoint
from nameko.testing.services import entrypoint_hook

from services.common.errors import Unavailable
from services.common.rpc import ServiceRpc, rpc
from services.common.testing import wait_for


class Trigger(Entrypoint):
    """Fired only by ``entrypoint_hook``."""


class Echo:
    name = "echo"

    @rpc
    def echo(self, value):
        return value


class Caller:
    name = "caller"
    echo_rpc = ServiceRpc("echo")
    absent_rpc = ServiceRpc("nowhere")

    @Trigger.decorator
    def call(self, value):
        return self.echo_rpc.echo(value)

    @Trigger.decorator
    def call_absent(self):
        return self.absent_rpc.anything()


@pytest.fixture
def published(monkeypatch):
    """Every basic.publish of this process: routing key, delivery mode, mandatory flag
    and whether the channel was in confirm mode."""
    seen = []
    original = amqp.channel.Channel._basic_publish

    def spy(self, msg, exchange="", routing_key="", mandatory=False, *args, **kwargs):
        seen.append({"routing_key": routing_key, "exchange": exchange,
                     "delivery_mode": msg.properties.get("delivery_mode"),
                     "mandatory": mandatory, "confirm": self._confirm_selected})
        return original(self, msg, exchange, routing_key, mandatory, *args, **kwargs)

    # ``basic_publish`` is ``_basic_publish`` on a channel without confirms; a channel in
    # confirm mode has its own ``basic_publish`` (``basic_publish_confirm``), which calls
    # ``_basic_publish``.
    monkeypatch.setattr(amqp.channel.Channel, "_basic_publish", spy)
    monkeypatch.setattr(amqp.channel.Channel, "basic_publish", spy)
    return seen


@pytest.fixture
def services(container_factory, rabbit_config):
    config = {**rabbit_config, "SERIALIZER": "json"}
    echo = container_factory(Echo, config)
    caller = container_factory(Caller, config)
    echo.start()
    caller.start()
    return echo, caller


def test_requests_and_answers_are_neither_persistent_nor_confirmed(
        services, published, rabbit_manager, rabbit_config):
    _, caller = services
    vhost = rabbit_config["vhost"]
    # A queue of our own that receives a copy of every echo request, as the broker has it.
    rabbit_manager.create_queue(vhost, "spy", durable=False)
    rabbit_manager.create_queue_binding(vhost, "nameko-rpc", "spy", "echo.echo")

    with entrypoint_hook(caller, "call") as call:
        for i in range(5):
            assert call({"i": i}) == {"i": i}

    requests = [p for p in published if p["routing_key"] == "echo.echo"]
    answers = [p for p in published if p["exchange"] == "nameko-rpc"
               and p["routing_key"] != "echo.echo"]
    assert len(requests) == 5 and len(answers) == 5
    assert all(p["delivery_mode"] == 1 for p in requests + answers)
    assert not any(p["confirm"] for p in answers)
    # The first request to a service checks that its queue exists (mandatory, confirmed:
    # how an absent service is told apart); every later one is neither.
    assert requests[0]["mandatory"] and requests[0]["confirm"]
    assert not any(p["mandatory"] or p["confirm"] for p in requests[1:])

    copies = rabbit_manager._post("queues", vhost, "spy", "get", json={
        "count": 10, "ackmode": "ack_requeue_false", "encoding": "auto"})
    assert len(copies) == 5
    assert {m["properties"]["delivery_mode"] for m in copies} == {1}

    queues = {q["name"]: q for q in rabbit_manager.get_queues(vhost)}
    reply_queues = [q for name, q in queues.items() if name.startswith("rpc.reply-caller-")]
    assert reply_queues and not any(q["durable"] for q in reply_queues)
    assert all(q["arguments"].get("x-expires") for q in reply_queues)
    assert queues["rpc-echo"]["durable"]  # the service's request queue outlives it
    # Replies are consumed without acknowledgements; requests still need theirs. (The
    # management API lists consumers from its statistics, a moment after they start.)
    def consumers():
        found = {c["queue"]["name"]: c for c in rabbit_manager._get("consumers", vhost)}
        return found if "rpc-echo" in found and any(
            name.startswith("rpc.reply-caller-") for name in found) else None

    found = wait_for(consumers, what="the consumers in the management API")
    replies = [c for name, c in found.items() if name.startswith("rpc.reply-caller-")]
    assert not any(c["ack_required"] for c in replies)
    assert found["rpc-echo"]["ack_required"]


def test_an_absent_service_answers_unavailable(services):
    _, caller = services
    with entrypoint_hook(caller, "call_absent") as call, pytest.raises(Unavailable):
        call()
    # and the proxy still works for the service that is there
    with entrypoint_hook(caller, "call") as call:
        assert call("still here") == "still here"
