"""Which endpoints a subscription may name: no private, loopback, link-local (or other
non-public) address, unless the operator's allow-list (``WEBHOOK_ALLOW_HOSTS``) names
the host or the address. The host is resolved and every address it resolves to is
checked, when the subscription is made and again before each delivery."""
import ipaddress
import socket
from urllib.parse import urlsplit

from services.common.errors import Invalid


def parse_allow_list(value):
    """``"127.0.0.1, hooks.internal, 10.1.0.0/16"`` → (hostnames, networks)."""
    hosts, networks = set(), []
    for item in (value or "").replace(";", ",").split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.rstrip("."))
    return frozenset(hosts), tuple(networks)


def _public(address):
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _allowed(host, address, allow):
    hosts, networks = allow
    return host in hosts or any(address in network for network in networks)


def resolve(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Invalid("subscription.unresolvable", "接收地址的主机名无法解析",
                      {"host": host, "reason": str(exc)}) from None
    return sorted({ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}, key=str)


def check_url(url, allow):
    """The URL if a subscription may deliver to it; Invalid (422) otherwise."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid("subscription.bad_url", "接收地址应为 https:// 开头的完整网址",
                      {"url": url})
    if parts.username or parts.password:
        raise Invalid("subscription.bad_url", "接收地址中不能包含用户名或密码", {"url": url})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Invalid("subscription.bad_url", "接收地址的端口有误", {"url": url}) from None
    addresses = resolve(host, port)
    if not addresses:
        raise Invalid("subscription.unresolvable", "接收地址的主机名无法解析", {"host": host})
    refused = [str(a) for a in addresses if not _public(a) and not _allowed(host, a, allow)]
    if refused:
        raise Invalid("subscription.private_address",
                      "接收地址指向内网、本机或链路本地地址，不允许订阅（运维可在"
                      " WEBHOOK_ALLOW_HOSTS 中放行）", {"host": host, "addresses": refused})
    allow_listed = all(_allowed(host, a, allow) for a in addresses)
    if parts.scheme == "http" and not allow_listed:
        raise Invalid("subscription.https_required", "接收地址必须使用 https", {"url": url})
    return url
