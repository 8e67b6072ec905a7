"""Where webhooks may be sent: ``https`` URLs of public hosts only. Private,
loopback, link-local (``169.254.169.254``, the cloud metadata service),
multicast and reserved addresses are refused, when the endpoint is saved (a
literal address or ``localhost``) and again at send time after DNS resolution
(a public name may resolve to an internal address). ``WEBHOOK_ALLOW_LOOPBACK``
(tests, the demo) lets ``http``/``https`` to loopback through."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings

Resolver = Callable[[str, int], Iterable[str]]


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def address_problem(address: str, *, allow_loopback: bool) -> str | None:
    """Why ``address`` (an IP) may not receive webhooks, or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address."
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address."
    if ip.is_link_local:
        return f"{ip} is a link-local address."
    if ip.is_private or ip.is_unspecified or ip.is_multicast or ip.is_reserved or not ip.is_global:
        return f"{ip} is not a public address."
    return None


def url_problem(url: str, *, allow_loopback: bool | None = None) -> str | None:
    """Why ``url`` may not receive webhooks, judged without DNS (at save time), or None."""
    allow = _loopback_allowed() if allow_loopback is None else allow_loopback
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "Give a URL with a host name."
    if parts.username or parts.password:
        return "Put no user name or password in the URL; the signature authenticates the portal."
    loopback_name = host == "localhost" or host.endswith(".localhost")
    try:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    local = loopback_name or (literal is not None and literal.is_loopback)
    if parts.scheme != "https" and not (allow and local and parts.scheme == "http"):
        return "Webhooks are sent over https only."
    if loopback_name:
        return None if allow else f"{host} is a loopback host."
    if literal is not None:
        return address_problem(host, allow_loopback=allow)
    return None


def _resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def send_problem(url: str, *, resolve: Resolver = _resolve) -> str | None:
    """Why a webhook may not be posted to ``url`` now: the save-time rules, then every
    address its host resolves to (none may be internal), or None."""
    allow = _loopback_allowed()
    problem = url_problem(url, allow_loopback=allow)
    if problem:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = list(resolve(host, parts.port or (443 if parts.scheme == "https" else 80)))
    except (OSError, UnicodeError) as exc:
        return f"{host} does not resolve: {exc}"
    if not addresses:
        return f"{host} does not resolve."
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow)
        if problem:
            return f"{host} resolves to {problem[0].lower()}{problem[1:]}"
    return None
