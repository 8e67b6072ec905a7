"""One HTTP session for the integrations: timeouts, retries and clear errors.

Retry policy (from Tempo's and Atlassian's documented behaviour):

* 429 Too Many Requests: retried, waiting ``Retry-After`` seconds when the
  server sends it and otherwise an exponential back-off; never less than one
  second either way.
* 5xx and transport failures (time-outs, refused connections): retried three
  times with growing waits (5, 10 and 15 seconds by default).
  The body of a 5xx does not matter: a proxy's HTML error page is retried like JSON.
* A 2xx whose body is not JSON raises :class:`MalformedResponse` at once (never guessed at).
* Any other 4xx is never retried: it will not get better by asking again.
  401/403 raise :class:`AuthError`, whose message names the setting to fix.

This module imports no Django model; the clients pass their settings in.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

log = logging.getLogger(__name__)


MAX_MESSAGE = 400  # characters of an error's message: runs, pages and commands quote it whole
_QUERY = re.compile(r"(?P<base>(?:https?://|/)[^\s?#'\"<>]*)\?(?P<query>[^\s'\"<>]*)")


def _without_query(match: re.Match[str]) -> str:
    """The URL's base, with the punctuation that closed the sentence around it (a ``)`` the
    query did not open, a ``:`` or ``,``) given back."""
    query, tail = match.group("query"), ""
    while query and (query[-1] in ":,;." or (query[-1] == ")" and query.count(")") > query.count("("))):
        tail = query[-1] + tail
        query = query[:-1]
    return match.group("base") + tail


def short_url(url: str) -> str:
    """``url`` without its query string (a JQL or a paging token can make it hundreds of
    characters long, and it says nothing a person can act on)."""
    return url.split("?", 1)[0].split("#", 1)[0]


def short_message(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message fit for a run record or a page: URLs lose their query strings, whitespace
    is collapsed and the whole is cut at ``limit`` characters."""
    plain = " ".join(_QUERY.sub(_without_query, text).split())
    return plain if len(plain) <= limit else plain[: limit - 3] + "..."


class IntegrationError(Exception):
    """Something went wrong talking to JIRA or Tempo. The message is kept short
    (:func:`short_message`); ``url`` keeps the whole URL for the logs."""

    def __init__(self, message: str, *, service: str = "", status: int | None = None, url: str = ""):
        super().__init__(short_message(message))
        self.service = service
        self.status = status
        self.url = url


class NotConfigured(IntegrationError):
    """The service's base URL (or token) is not set: the sync is off."""


class AuthError(IntegrationError):
    """401/403: the credentials are wrong or lack a permission. Never retried."""


class RemoteError(IntegrationError):
    """The server refused the request (4xx) or kept failing (5xx) after the retries."""


class TransportError(IntegrationError):
    """Time-outs or connection failures that outlasted the retries."""


class MalformedResponse(IntegrationError):
    """The body is not the JSON document the contract promises."""


@dataclass(frozen=True)
class RetryPolicy:
    max_rate_limit_retries: int = 8
    min_rate_limit_delay: float = 1.0
    max_delay: float = 60.0
    server_error_delays: tuple[float, ...] = (5.0, 10.0, 15.0)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def rate_limit_delay(attempt: int, retry_after: float | None, policy: RetryPolicy) -> float:
    """Wait before retry number ``attempt`` (1-based) of a 429."""
    backoff = policy.min_rate_limit_delay * (2 ** (attempt - 1))
    wanted = retry_after if retry_after is not None else backoff
    return min(policy.max_delay, max(policy.min_rate_limit_delay, wanted))


class HttpSession:
    """A ``requests.Session`` with the retry policy above and JSON decoding.

    ``auth_settings`` names the settings an operator must fix on a 401/403
    (e.g. ``"TEMPO_API_TOKEN"``). ``sleep`` is injectable so tests can record
    the waits instead of spending them.
    """

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth_settings: str,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.auth_settings = auth_settings
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get(self, path_or_url: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path_or_url, params=params)

    def post(self, path_or_url: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path_or_url, params=params, json=json)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        url = self.url(path_or_url)
        rate_limited = 0
        failures = 0
        while True:
            self.requests_sent += 1
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if failures >= len(self.policy.server_error_delays):
                    raise TransportError(
                        f"{self.service}: {method} {url} failed after {failures + 1} attempts: {exc}",
                        service=self.service,
                        url=url,
                    ) from exc
                delay = min(self.policy.max_delay, self.policy.server_error_delays[failures])
                failures += 1
                log.warning(
                    "%s: %s %s: %s; retry %d in %.1fs", self.service, method, url, exc, failures, delay
                )
                self.sleep(delay)
                continue
            status = response.status_code
            if status == 429:
                rate_limited += 1
                if rate_limited > self.policy.max_rate_limit_retries:
                    raise RemoteError(
                        f"{self.service}: still rate limited (429) after {rate_limited - 1} retries of {method} {url}.",
                        service=self.service,
                        status=status,
                        url=url,
                    )
                delay = rate_limit_delay(
                    rate_limited, retry_after_seconds(response.headers.get("Retry-After")), self.policy
                )
                log.warning(
                    "%s: 429 on %s %s; retry %d in %.1fs", self.service, method, url, rate_limited, delay
                )
                self.sleep(delay)
                continue
            if status >= 500:
                if failures >= len(self.policy.server_error_delays):
                    raise RemoteError(
                        f"{self.service}: {method} {url} answered {status} after {failures + 1} attempts: "
                        f"{_error_text(response)}",
                        service=self.service,
                        status=status,
                        url=url,
                    )
                delay = min(self.policy.max_delay, self.policy.server_error_delays[failures])
                failures += 1
                log.warning(
                    "%s: %s on %s %s; retry %d in %.1fs", self.service, status, method, url, failures, delay
                )
                self.sleep(delay)
                continue
            if status in (401, 403):
                raise AuthError(
                    f"{self.service} refused the credentials ({status}) for {method} {url}: "
                    f"check {self.auth_settings}.",
                    service=self.service,
                    status=status,
                    url=url,
                )
            if status >= 400:
                raise RemoteError(
                    f"{self.service}: {method} {url} answered {status}: {_error_text(response)}",
                    service=self.service,
                    status=status,
                    url=url,
                )
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError as exc:
                # E.g. a proxy's HTML page with a 200: never guess at it, fail this request clearly.
                content_type = response.headers.get("Content-Type") or "no Content-Type"
                raise MalformedResponse(
                    f"{self.service}: {method} {url} did not answer JSON ({status}, {content_type}): "
                    f"{_plain(response.text)[:200]!r}",
                    service=self.service,
                    status=status,
                    url=url,
                ) from exc


def _plain(text: str) -> str:
    """A body as one line of text: an HTML error page (from a proxy) loses its tags."""
    return " ".join(_TAG.sub(" ", text).split())


_TAG = re.compile(r"<[^>]*>")


def _error_text(response: requests.Response) -> str:
    """The server's own error messages (Tempo ``errors``, JIRA ``errorMessages``), else the text."""
    try:
        body = response.json()
    except ValueError:
        return _plain(response.text)[:300]
    messages: list[str] = []
    if isinstance(body, dict):
        for item in body.get("errors") or []:
            if isinstance(item, dict) and "message" in item:
                messages.append(str(item["message"]))
        messages.extend(str(m) for m in body.get("errorMessages") or [])
    return "; ".join(messages) or str(body)[:300]
