"""Outgoing webhooks resolve their host once, refuse internal addresses (loopback only
when ``WEBHOOK_ALLOW_LOOPBACK``), and connect to the address they checked: a second DNS
answer (rebinding) never decides where the post goes."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from notifications.tests.receiver import chat_receiver
from opencraft_ops.webhook_targets import RefusedTarget, pinned_post, resolve_target

real_getaddrinfo = socket.getaddrinfo


def _answers(monkeypatch: Any, table: dict[str, list[list[str]]]) -> list[str]:
    """Fakes DNS: each lookup of a name in ``table`` pops its next answer; IP literals
    resolve as themselves; any other name fails. Returns the names looked up."""
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in table:
            asked.append(name)
            answer = table[name].pop(0) if len(table[name]) > 1 else table[name][0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answer]
        try:
            socket.inet_pton(socket.AF_INET, name)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, f"no such name: {name}") from None
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_the_post_goes_to_the_address_checked_not_a_second_answer(monkeypatch: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    with chat_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        # The first answer is the receiver on loopback (allowed here); every later one is
        # a private address that would swallow the post if the connection asked again.
        asked = _answers(monkeypatch, {"localhost": [["127.0.0.1"], ["10.255.255.1"]]})
        response = pinned_post(f"http://localhost:{port}/hooks/abc", json={"text": "hello"}, timeout=5)
    assert response.status_code == 200
    assert receiver.bodies == [{"text": "hello"}]
    assert asked == ["localhost"]  # resolved once
    assert receiver.hosts == [f"localhost:{port}"]  # the name, not the address, in Host


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (["10.1.2.3"], "not a public address"),
        (["93.184.216.34", "192.168.0.7"], "not a public address"),  # one bad address is enough
        (["169.254.169.254"], "link-local"),
        (["127.0.0.1"], "loopback"),
    ],
)
def test_internal_addresses_are_refused_before_connecting(
    monkeypatch: Any, settings: Any, answer: list[str], reason: str
) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    _answers(monkeypatch, {"hooks.example.com": [answer]})
    with pytest.raises(RefusedTarget, match=reason):
        pinned_post("https://hooks.example.com/x", json={}, timeout=1)


def test_loopback_needs_the_setting(monkeypatch: Any, settings: Any) -> None:
    _answers(monkeypatch, {"localhost": [["127.0.0.1"]]})
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert resolve_target("http://localhost:8000/x") == "127.0.0.1"
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(RefusedTarget, match=r"https only|loopback"):
        resolve_target("http://localhost:8000/x")
    with pytest.raises(RefusedTarget, match="does not resolve"):
        resolve_target("https://nowhere.invalid/x")


@pytest.mark.django_db
def test_a_chat_webhook_to_an_internal_address_is_refused_and_retried(
    monkeypatch: Any, settings: Any, core_member: Any
) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from notifications.models import ChatWebhook, Notification, Status
    from notifications.services import notification_attempt, notify

    settings.WEBHOOK_ALLOW_LOOPBACK = False
    for bad in ["ftp://chat.example.com/x", "https://169.254.169.254/latest", "http://chat.example.com/x"]:
        with pytest.raises(ValidationError):
            ChatWebhook(name="x", url=bad, member=core_member).full_clean()
    hook = ChatWebhook(name="DM", url="https://chat.example.com/hooks/x", member=core_member)
    hook.full_clean()
    hook.save()
    # Saved while it was public; the name now points inside.
    _answers(monkeypatch, {"chat.example.com": [["10.0.0.8"]]})
    now = timezone.now()
    notify(
        kind="finding", key="k:1", member_ids=[core_member.pk], cell_id=None, subject="s", text="t", now=now
    )
    chat = Notification.objects.get(channel="chat")
    assert notification_attempt(notification_id=chat.pk, now=now) == Status.RETRYING
    chat.refresh_from_db()
    assert "RefusedTarget" in chat.last_error and "10.0.0.8 is not a public address" in chat.last_error
