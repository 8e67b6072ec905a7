"""Where webhooks may be sent, and sending them there: ``https`` URLs of public hosts
only. Private, loopback, link-local (``169.254.169.254``, the cloud metadata service),
multicast and reserved addresses are refused, when the endpoint is saved (a literal
address or ``localhost``) and again at send time after DNS resolution (a public name may
resolve to an internal address). ``WEBHOOK_ALLOW_LOOPBACK`` (tests, the demo) lets
``http``/``https`` to loopback through.

:func:`pinned_post` resolves the host once, checks every address, and connects to the
address it checked: a name that answers a public address to the check and an internal
one to the connection (DNS rebinding) cannot steer the post inside. The URL's host name
still goes in the ``Host`` header, the TLS server name and the certificate check.

The rotations' webhooks and the notifications' chat webhooks both post through here, so
the module sits on the ground floor (it imports no app)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection

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


class RefusedTarget(Exception):
    """The URL, or an address its host resolves to, may not receive webhooks."""


def resolve_target(url: str, *, resolve: Resolver = _resolve) -> str:
    """Resolves ``url``'s host once and returns the address to connect to, after checking
    the URL and every address the host has; raises :class:`RefusedTarget` saying why not."""
    allow = _loopback_allowed()
    problem = url_problem(url, allow_loopback=allow)
    if problem:
        raise RefusedTarget(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = list(resolve(host, parts.port or (443 if parts.scheme == "https" else 80)))
    except (OSError, UnicodeError) as exc:
        raise RefusedTarget(f"{host} does not resolve: {exc}") from exc
    if not addresses:
        raise RefusedTarget(f"{host} does not resolve.")
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow)
        if problem:
            raise RefusedTarget(f"{host} resolves to {problem[0].lower()}{problem[1:]}")
    return addresses[0]


def send_problem(url: str, *, resolve: Resolver = _resolve) -> str | None:
    """Why a webhook may not be posted to ``url`` now (see :func:`resolve_target`), or None."""
    try:
        resolve_target(url, resolve=resolve)
    except RefusedTarget as exc:
        return str(exc)
    return None


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects every request to ``address`` whatever its URL's host resolves to now;
    the host name stays in the Host header, the TLS SNI and the certificate check."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        address = self._address

        def pinned(base: Any) -> Any:
            class Pinned(base):  # type: ignore[misc]
                def _new_conn(self) -> socket.socket:
                    # urllib3 dials ``_dns_host`` (the URL's host); dial the checked address
                    # instead, for this socket only: the Host header, the TLS server name
                    # and the certificate check keep the host name.
                    host: str = getattr(self, "_dns_host")  # noqa: B009  (private in urllib3)
                    self._dns_host = address
                    try:
                        return super()._new_conn()
                    finally:
                        self._dns_host = host

            return Pinned

        PinnedHTTP, PinnedHTTPS = pinned(HTTPConnection), pinned(HTTPSConnection)

        class PinnedHTTPPool(urllib3.HTTPConnectionPool):
            ConnectionCls = PinnedHTTP

        class PinnedHTTPSPool(urllib3.HTTPSConnectionPool):
            ConnectionCls = PinnedHTTPS

        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}


def pinned_post(url: str, *, resolve: Resolver = _resolve, **kwargs: Any) -> requests.Response:
    """``requests.post(url, **kwargs)`` to the one address :func:`resolve_target` checked
    (raises :class:`RefusedTarget` first when the target is not allowed). Redirects are not
    followed: one could point inside."""
    address = resolve_target(url, resolve=resolve)
    kwargs["allow_redirects"] = False
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: it would do its own DNS
        adapter = _PinnedAdapter(address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(url, **kwargs)
