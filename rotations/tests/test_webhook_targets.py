"""Webhook targets and secrets: https to public hosts only (checked on save and
again after DNS at send time), secrets generated, shown once and masked."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.urls import reverse

from rotations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from rotations.services import webhooks
from rotations.tests.factories import make_endpoint
from rotations.webhook_urls import send_problem, url_problem

pytestmark = pytest.mark.django_db


def _form(url: str) -> dict[str, Any]:
    return {
        "name": "Chat bot",
        "url": url,
        "events": '["rotation.changed"]',
        "is_active": "on",
        "timeout_seconds": 5,
        "max_attempts": 3,
        "deliveries-TOTAL_FORMS": 0,
        "deliveries-INITIAL_FORMS": 0,
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "https only"),
        ("http://example.com/hook", "https only"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.7/hook", "not a public address"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://user:pw@example.com/hook", "no user name"),
    ],
)
def test_admin_refuses_unsafe_targets(
    client: Any, staff_user: Any, settings: Any, url: str, message: str
) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client.force_login(staff_user)
    response = client.post(reverse("admin:rotations_webhookendpoint_add"), _form(url))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_loopback_is_allowed_only_by_the_setting(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert url_problem("http://127.0.0.1:8123/hook") is None
    assert url_problem("http://10.0.0.7/hook") == "Webhooks are sent over https only."
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert "loopback" in (url_problem("https://127.0.0.1/hook") or "")
    assert url_problem("https://hooks.example.com/x") is None


def test_secret_is_generated_shown_once_then_masked(client: Any, staff_user: Any) -> None:
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:rotations_webhookendpoint_add"), _form("https://hooks.example.com/x"), follow=True
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) >= 40
    assert endpoint.secret in response.content.decode()  # shown once, after adding
    page = client.get(reverse("admin:rotations_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page and endpoint.secret[:10] + "…" in page
    old = endpoint.secret
    response = client.post(
        reverse("admin:rotations_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()


def test_short_secret_is_refused() -> None:
    endpoint = WebhookEndpoint(name="x", url="https://hooks.example.com/x", secret="x", events=[])
    with pytest.raises(Exception, match="at least 24"):
        endpoint.full_clean()


def test_target_is_checked_again_after_dns(monkeypatch: Any, settings: Any) -> None:
    """A public name that resolves to the metadata address is refused at send time;
    nothing is posted and the delivery log says why."""
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert "link-local" in (send_problem("https://hooks.example.com/x") or "")
    endpoint = make_endpoint(url="https://hooks.example.com/x", events=["duty.overdue"])
    posted: list[Any] = []
    monkeypatch.setattr(webhooks.requests, "post", lambda *a, **k: posted.append(a))
    (delivery,) = webhooks.webhook_emit(event="duty.overdue", payload={"duty": 1})
    webhooks.webhook_attempt(delivery_id=delivery.pk)
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    assert posted == [] and endpoint.deliveries.count() == 1
    assert delivery.status == DeliveryStatus.RETRYING and "Refused target" in delivery.last_error
