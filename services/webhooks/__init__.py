"""Push subscriptions (webhooks): outside systems register HTTPS endpoints and receive
the platform's events, signed, in order per subject, retried for at least a day."""
