"""The session wrapper's retry policy, against the fake Tempo on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opencraft_ops.integrations.fakes import Fault
from opencraft_ops.integrations.http import (
    AuthError,
    HttpSession,
    MalformedResponse,
    RemoteError,
    RetryPolicy,
    TransportError,
    rate_limit_delay,
    retry_after_seconds,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("Wed, 25 Nov 2026 10:00:30 GMT", 30.0),
        ("Wed, 25 Nov 2026 09:00:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_retry_after_seconds(header, expected):
    assert retry_after_seconds(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 1.0),  # no header: at least one second
        (2, None, 2.0),
        (3, None, 4.0),
        (10, None, 60.0),  # capped
        (1, 0.0, 1.0),  # "Retry-After: 0" still waits a second
        (1, 7.0, 7.0),  # the header wins over the back-off
        (1, 500.0, 60.0),
    ],
)
def test_rate_limit_delay(attempt, retry_after, expected):
    assert rate_limit_delay(attempt, retry_after, RetryPolicy()) == expected


def session(fake_tempo, sleeps, **kwargs) -> HttpSession:
    return HttpSession(
        service="Tempo",
        base_url=fake_tempo.url,
        headers={"Authorization": f"Bearer {fake_tempo.app.token}"},
        auth_settings="TEMPO_API_TOKEN",
        sleep=sleeps,
        **kwargs,
    )


def test_429_honours_retry_after(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", status=429, retry_after="3", times=2))
    body = session(fake_tempo, sleeps).get("accounts")
    assert body["results"] == []
    assert sleeps == [3.0, 3.0]
    assert fake_tempo.server.requests["GET /4/accounts"] == 3


def test_429_without_retry_after_backs_off_from_one_second(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", status=429, times=3))
    session(fake_tempo, sleeps).get("accounts")
    assert sleeps == [1.0, 2.0, 4.0]


def test_5xx_retried_three_times_then_fails(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", status=500, times=10))
    with pytest.raises(RemoteError, match="500 after 4 attempts"):
        session(fake_tempo, sleeps).get("accounts")
    assert sleeps == [5.0, 10.0, 15.0]
    assert fake_tempo.server.requests["GET /4/accounts"] == 4


def test_5xx_waits_are_capped_by_the_longest_delay_setting(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", status=502, times=2))
    session(fake_tempo, sleeps, policy=RetryPolicy(max_delay=7.0)).get("accounts")
    assert sleeps == [5.0, 7.0]  # 5 s, then 10 s capped at 7


def test_503_then_success(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", status=503, times=2))
    assert session(fake_tempo, sleeps).get("accounts")["metadata"]["count"] == 0
    assert sleeps == [5.0, 10.0]


def test_other_4xx_never_retried(fake_tempo, sleeps):
    http = session(fake_tempo, sleeps)
    with pytest.raises(RemoteError, match="404: No endpoint"):
        http.get("nowhere")
    assert sleeps == []
    assert fake_tempo.server.requests["GET /4/nowhere"] == 1


def test_400_carries_the_servers_message(fake_tempo, sleeps):
    with pytest.raises(RemoteError, match="limit must be between"):
        session(fake_tempo, sleeps).get("worklogs", params={"limit": 0})


def test_401_fails_fast_naming_the_setting(fake_tempo, sleeps):
    http = HttpSession(
        service="Tempo",
        base_url=fake_tempo.url,
        headers={"Authorization": "Bearer wrong"},
        auth_settings="TEMPO_API_TOKEN",
        sleep=sleeps,
    )
    with pytest.raises(AuthError, match="check TEMPO_API_TOKEN") as info:
        http.get("accounts")
    assert info.value.status == 401
    assert sleeps == []


def test_slow_answer_times_out_and_is_retried(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", delay=1.0, times=1))
    body = session(fake_tempo, sleeps, timeout=0.3).get("accounts")
    assert body["metadata"]["count"] == 0
    assert sleeps == [5.0]


def test_time_outs_exhaust_the_retries(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", delay=0.6, times=4))
    with pytest.raises(TransportError, match="failed after 4 attempts"):
        session(fake_tempo, sleeps, timeout=0.2).get("accounts")


def test_body_that_is_not_json(fake_tempo, sleeps):
    fake_tempo.faults.add(Fault(path="/4/accounts", malformed_json=True))
    with pytest.raises(MalformedResponse, match="did not answer JSON"):
        session(fake_tempo, sleeps).get("accounts")


def test_proxy_html_page_with_a_200_fails_at_once_naming_what_came(fake_tempo, sleeps):
    fake_tempo.app.proxy_faults.add(Fault(path="/4/accounts", status=200))
    with pytest.raises(MalformedResponse) as info:
        session(fake_tempo, sleeps).get("accounts")
    assert "did not answer JSON (200, text/html)" in str(info.value) and "200 OK" in str(info.value)
    assert "<html>" not in str(info.value) and info.value.status == 200
    assert sleeps == [] and fake_tempo.server.requests["GET /4/accounts"] == 1


def test_proxy_html_5xx_is_retried_like_any_5xx(fake_tempo, sleeps):
    fake_tempo.app.proxy_faults.add(Fault(path="/4/accounts", status=502, times=2))
    body = session(fake_tempo, sleeps).get("accounts")
    assert body["metadata"]["count"] == 0
    assert sleeps == [5.0, 10.0] and fake_tempo.server.requests["GET /4/accounts"] == 3


def test_proxy_html_5xx_that_persists_fails_with_its_text(fake_tempo, sleeps):
    fake_tempo.app.proxy_faults.add(Fault(path="/4/accounts", status=502, times=10))
    with pytest.raises(RemoteError, match="answered 502 after 4 attempts: 502 Bad Gateway") as info:
        session(fake_tempo, sleeps).get("accounts")
    assert "<" not in str(info.value) and info.value.status == 502


def test_unreachable_server(sleeps):
    http = HttpSession(
        service="Tempo", base_url="http://127.0.0.1:9", auth_settings="TEMPO_API_TOKEN", sleep=sleeps
    )
    with pytest.raises(TransportError):
        http.get("accounts")
    assert sleeps == [5.0, 10.0, 15.0]
