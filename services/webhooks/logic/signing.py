"""The signature of a delivery, as Stripe does it: ``X-Signature: t=<unix>,v1=<hex>``,
the hex being HMAC-SHA256 with the subscription's secret over ``"<t>.<body>"``. While a
rotated-out secret is still valid, a second ``v1=`` signs with it."""
import hashlib
import hmac
import secrets as _secrets


def new_secret():
    return "whsec_" + _secrets.token_urlsafe(32)


def signature(secret, timestamp, body):
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secrets, timestamp, body):
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in secrets if secret]
    return ",".join(parts)


def verify(secret, header_value, body, now, tolerance=300):
    """True when one ``v1`` of the header is ``secret``'s signature of ``body`` and the
    timestamp is within ``tolerance`` seconds of ``now`` (the receivers' side)."""
    try:
        items = [item.split("=", 1) for item in header_value.split(",")]
        timestamp = int(next(value for key, value in items if key.strip() == "t"))
    except (StopIteration, ValueError, AttributeError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(key.strip() == "v1" and hmac.compare_digest(value.strip(), expected)
               for key, value in items)
