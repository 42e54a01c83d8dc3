"""The client's address, the one every rule that counts or records clients uses (sign-in and export throttles,
the security log, the notices of credential changes).

It is the connection's peer (REMOTE_ADDR) unless that peer is a reverse proxy the operator named in
ACCORD_TRUSTED_PROXIES (addresses or networks). Only then is X-Forwarded-For read, right to left, skipping
the operator's own proxies: the first address not trusted is the client. What a client writes into the header
itself is to the left of what the proxies appended, so it is never taken; from an untrusted peer the header is
ignored altogether.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_LENGTH = 64  # SecurityEvent.address


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.1`, `192.168.0.0/16`, `::1`… as networks; ValueError naming the entry that is neither."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"ACCORD_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "ACCORD_TRUSTED_PROXIES", ()) or ()))


def _address(text: str) -> Address | None:
    """An address as a proxy writes it: bare, `[v6]` or with a port (`1.2.3.4:5678`, `[::1]:80`)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client behind `peer`, given the X-Forwarded-For it sent and the trusted proxies."""
    if not _trusted(_address(peer), networks):
        return peer
    client = peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # not what a proxy writes: stop at the last hop a trusted proxy vouched for
        client = str(address)
        if not _trusted(address, networks):
            break
    return client


def client_address(request: Any) -> str:
    """The client's address for `request` (worked out once per request)."""
    if request is None:
        return ""
    known = getattr(request, "_accord_client_address", None)
    if known is not None:
        return str(known)
    meta = request.META
    networks = trusted_networks()
    peer = str(meta.get("REMOTE_ADDR") or "")
    address = resolve(peer, str(meta.get("HTTP_X_FORWARDED_FOR") or ""), networks) if networks else peer
    address = address[:MAX_LENGTH]
    with contextlib.suppress(AttributeError):  # a request object that takes no attributes: work it out each time
        request._accord_client_address = address
    return address
