"""The client's address behind trusted proxies.

The peer's address (``remote_addr``) is the client's unless the peer is one of the
proxies named in ``TRUSTED_PROXIES`` (the Ingress): then ``X-Forwarded-For`` is read from
the right, skipping trusted proxies, and the first address that is not one is the
client's. Addresses a client writes into the header itself stand left of what the proxies
appended and are never reached unless every proxy on the way is trusted.
"""
import ipaddress


def parse_networks(value):
    networks = []
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return tuple(networks)


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request, networks):
    peer = request.remote_addr
    if not networks or not peer or not _trusted(peer, networks):
        return peer
    forwarded = [part.strip() for part in
                 ",".join(request.headers.getlist("X-Forwarded-For")).split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # a malformed entry: fall back to the proxy itself
    return forwarded[0] if forwarded else peer
