"""Plumbing shared by every service: configuration, database and migrations, events
(envelope, outbox, relay, idempotent consumers), the caller's principal, errors, RPC
and logging helpers. No domain logic lives here."""
