"""Declares the durable queues of every event handler of every service, as Nameko would
when the service starts. Run at deployment (``python -m services.common.topology``) so
that an event published before a consumer has ever started is queued for it, not
returned to the relay, and every consumer gets it even if others were up first.

External systems get their own durable queues the same way (see docs/events.md).
"""
import importlib
import inspect
import os
import sys

from kombu import Connection, Queue
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from .messaging import event_exchange

SERVICE_CLASSES = {
    "identity": "services.identity.service:IdentityService",
    "achievements": "services.achievements.service:AchievementsService",
    "workflow": "services.workflow.service:WorkflowService",
    "documents": "services.documents.service:DocumentsService",
    "webhooks": "services.webhooks.service:WebhooksService",
}


def load_class(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def handler_queues(service_cls):
    """``(queue, exchange_source)`` for each event handler of ``service_cls``; none for a
    service whose queues the service declares itself (``declares_own_queues``)."""
    if getattr(service_cls, "declares_own_queues", False):
        return []
    queues = []
    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if not isinstance(entrypoint, EventHandler):
                continue
            source, event_type = entrypoint.source_service, entrypoint.event_type
            name = f"evt-{source}-{event_type}--{service_cls.name}.{method_name}"
            queues.append(Queue(name, exchange=event_exchange(source),
                                routing_key=event_type, durable=True, auto_delete=False,
                                exclusive=False))
    return queues


def declare(amqp_uri, extra_queues=()):
    declared = []
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        for path in SERVICE_CLASSES.values():
            for queue in handler_queues(load_class(path)):
                queue(channel).declare()
                declared.append(queue.name)
        for queue in extra_queues:
            queue(channel).declare()
            declared.append(queue.name)
    return declared


def main():
    uri = os.environ.get("AMQP_URI")
    if not uri:
        raise SystemExit("AMQP_URI is missing: set the environment variable AMQP_URI")
    declared = declare(uri)
    print(f"declared {len(declared)} event queues")
    for name in declared:
        print(f"  {name}")


if __name__ == "__main__":
    sys.exit(main())
