"""Signatures and the SSRF guard, without the platform."""
import hashlib
import hmac
import importlib.util
import pathlib
import time

import pytest

from services.common.errors import Invalid
from services.webhooks.logic import signing, ssrf

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "docs" / "examples" / "subscriber.py"
_spec = importlib.util.spec_from_file_location("example_subscriber", EXAMPLE)
subscriber = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(subscriber)

NO_ALLOW = ssrf.parse_allow_list("")


def test_signature_is_hmac_sha256_over_timestamp_and_body_and_verifies():
    body = b'{"id":"1","type":"declaration_approved"}'
    now = int(time.time())
    header = signing.header(["whsec_secret_0123456789"], now, body)
    expected = hmac.new(b"whsec_secret_0123456789", f"{now}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert header == f"t={now},v1={expected}"
    assert subscriber.verify("whsec_secret_0123456789", header, body)
    assert signing.verify("whsec_secret_0123456789", header, body, now)
    # a bad secret, a changed body, an old timestamp: all refused
    assert not subscriber.verify("another-secret-0123456", header, body)
    assert not subscriber.verify("whsec_secret_0123456789", header, body + b" ")
    assert not subscriber.verify("whsec_secret_0123456789", header, body, now=now + 301)
    assert not subscriber.verify("whsec_secret_0123456789", "garbage", body)
    # during a rotation both secrets sign
    both = signing.header(["new-secret-0123456789", "old-secret-0123456789"], now, body)
    assert subscriber.verify("new-secret-0123456789", both, body)
    assert subscriber.verify("old-secret-0123456789", both, body)


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/hook",
    "https://192.168.0.10/hook", "https://172.16.5.5/hook", "https://169.254.169.254/latest",
    "https://[::1]/hook", "https://[fe80::1]/hook", "https://0.0.0.0/hook",
    "https://100.64.0.1/hook", "https://[fd00::1]/hook",
])
def test_private_loopback_and_link_local_addresses_are_refused(url):
    with pytest.raises(Invalid) as refused:
        ssrf.check_url(url, NO_ALLOW)
    assert refused.value.code == "subscription.private_address"


def test_allow_list_names_hosts_or_networks_and_plain_http_needs_it():
    allow = ssrf.parse_allow_list("127.0.0.1, 10.9.0.0/16")
    assert ssrf.check_url("http://127.0.0.1:8123/hook", allow)
    assert ssrf.check_url("https://10.9.3.4/hook", allow)
    with pytest.raises(Invalid):
        ssrf.check_url("https://10.8.3.4/hook", allow)
    with pytest.raises(Invalid) as plain:
        ssrf.check_url("http://93.184.216.34/hook", allow)
    assert plain.value.code == "subscription.https_required"
    assert ssrf.check_url("https://93.184.216.34/hook", NO_ALLOW)
    for bad in ("ftp://93.184.216.34/", "https://", "not a url",
                "https://user:pw@93.184.216.34/"):
        with pytest.raises(Invalid):
            ssrf.check_url(bad, NO_ALLOW)
