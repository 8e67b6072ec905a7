"""The rotations admin: list pages with filters and history, constant queries, actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rotations.models import CalendarFeed, DeliveryStatus, RotationKind, WebhookDelivery
from rotations.services import feeds
from rotations.tests.factories import make_endpoint, make_slot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "rotationassignment",
        "swap",
        "firefightingpolicy",
        "calendarfeed",
        "webhookendpoint",
        "webhookdelivery",
    ],
)
def test_changelists_load(client, staff_user, name) -> None:
    client.force_login(staff_user)
    assert client.get(reverse(f"admin:rotations_{name}_changelist")).status_code == 200


def test_rotation_changelist_filters_history_and_flat_queries(
    client, staff_user, crew, current_sprint, django_assert_num_queries
) -> None:
    for offset in range(4):
        make_slot(member=crew[offset], sprint_number=current_sprint + offset)
        make_slot(
            member=crew[offset + 1], sprint_number=current_sprint + offset, kind=RotationKind.FIREFIGHTER_2
        )
    client.force_login(staff_user)
    url = reverse("admin:rotations_rotationassignment_changelist")
    # session, user, filter choices (cells, sprints), filtered count, total count, page rows
    # with member/user/cell/sprint joined, date hierarchy (range, years) = 9 for any number of rows.
    with django_assert_num_queries(9):
        response = client.get(url, {"kind__exact": "firefighter_2"})
    assert response.status_code == 200
    assert "4 rotation assignments" in response.content.decode()
    slot = make_slot(member=crew[5], sprint_number=current_sprint + 9)
    history = client.get(reverse("admin:rotations_rotationassignment_history", args=[slot.pk]))
    assert history.status_code == 200


def test_admin_actions_revoke_feeds_and_redeliver(client, staff_user, crew) -> None:
    feed, _ = feeds.feed_create(owner=crew[1].user, member=crew[1])
    client.force_login(staff_user)
    client.post(
        reverse("admin:rotations_calendarfeed_changelist"),
        {"action": "revoke", "_selected_action": [feed.pk]},
    )
    assert CalendarFeed.objects.get().revoked_at is not None
    endpoint = make_endpoint(is_active=False)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="duty.overdue", payload={"x": 1}, status=DeliveryStatus.FAILED, attempts=3
    )
    client.post(
        reverse("admin:rotations_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0


def test_members_cannot_use_the_admin(client, crew) -> None:
    client.force_login(crew[0].user)
    response = client.get(reverse("admin:rotations_rotationassignment_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("events", "ok"),
    [('["rotation.changed", "sprint.started"]', True), ('["nope"]', False), ('"rotation.changed"', False)],
)
def test_endpoint_events_are_validated(client, staff_user, events, ok) -> None:
    from rotations.models import WebhookEndpoint

    client.force_login(staff_user)
    response = client.post(
        reverse("admin:rotations_webhookendpoint_add"),
        {
            "name": "Chat bot",
            "url": "https://example.com/hook",
            "secret": "x" * 20,
            "events": events,
            "is_active": "on",
            "timeout_seconds": 5,
            "max_attempts": 3,
            "deliveries-TOTAL_FORMS": 0,
            "deliveries-INITIAL_FORMS": 0,
        },
    )
    assert WebhookEndpoint.objects.exists() is ok
    if not ok:
        assert response.status_code == 200 and "event" in response.content.decode().lower()
