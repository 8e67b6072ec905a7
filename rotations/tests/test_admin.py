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
    # crew[1] holds no role; the sprint manager (crew[0]) keeps the cell's rotations there
    # (roles/tests/test_admin_roles.py).
    client.force_login(crew[1].user)
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


# --- Editing rotations in the admin goes through the same rules and services ------------------


def _add(client, **data):
    return client.post(reverse("admin:rotations_rotationassignment_add"), {"note": "", **data})


def _slot_data(cell, member, sprint_number: int, kind: str = "firefighter_1") -> dict:
    from opencraft_ops import calendar

    dates = calendar.sprint_dates(sprint_number)
    return {"kind": kind, "cell": cell.pk, "member": member.pk, "start": dates.start, "end": dates.end}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member": "newcomer"}, "Only core members can be firefighter 1"),
        ({"member": "outsider"}, "is not a member of Bebop"),
        ({"start_offset": 2}, "starts on a sprint&#x27;s first day"),
        ({"kind": "discovery_duty"}, "lasts one duty week"),
        ({"double_booked": True}, "is already firefighter 2"),
        ({"taken": True}, "This slot already has someone"),
        ({"policy": True}, "1 firefighter(s) per sprint"),
    ],
)
def test_admin_add_refuses_what_the_rules_refuse(
    client, staff_user, crew, newcomer, outsider, current_sprint, change, message
) -> None:
    from datetime import timedelta

    from rotations.models import FirefightingPolicy, RotationAssignment

    data = _slot_data(crew[0].cell, crew[2], current_sprint)
    if change.get("member"):
        data["member"] = {"newcomer": newcomer, "outsider": outsider}[change["member"]].pk
    if change.get("start_offset"):
        data["start"] += timedelta(days=change["start_offset"])
    if change.get("kind"):
        data["kind"] = change["kind"]
    if change.get("double_booked"):
        make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    if change.get("taken"):
        make_slot(member=crew[3], sprint_number=current_sprint)
    if change.get("policy"):
        FirefightingPolicy.objects.create(cell=crew[0].cell, firefighters_per_sprint=1)
        data["kind"] = "firefighter_2"
    before = RotationAssignment.objects.count()
    client.force_login(staff_user)
    response = _add(client, **data)
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    assert RotationAssignment.objects.count() == before


def test_admin_add_change_delete_go_through_the_services(
    client, staff_user, crew, newcomer, current_sprint, django_capture_on_commit_callbacks
) -> None:
    from rotations.models import RotationAssignment, WebhookDelivery

    make_endpoint(events=["rotation.changed"])
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = _add(client, **_slot_data(crew[0].cell, crew[2], current_sprint))
    assert response.status_code == 302, response.content.decode()[:2000]
    slot = RotationAssignment.objects.get(kind="firefighter_1")
    assert slot.member == crew[2] and slot.sprint is not None and slot.sprint.number == current_sprint
    # Left empty: the cell's budget. Seven full-timers (six core and the newcomer): 21 h/week
    # of firefighting, 10.5 h/week for each of the two, 21 h per sprint.
    assert slot.reserved_hours == 21
    assert slot.history.first().history_user == staff_user
    pager = RotationAssignment.objects.filter(kind="pager").order_by("start")
    assert [p.member for p in pager] == [crew[2], crew[2]]  # the pager follows
    created = WebhookDelivery.objects.get()
    assert created.payload["data"]["action"] == "created"

    url = reverse("admin:rotations_rotationassignment_change", args=[slot.pk])
    form = {"member": newcomer.pk, "reserved_hours": "21.00", "note": ""}
    response = client.post(url, form)
    assert (
        response.status_code == 200 and "Only core members can be firefighter 1" in response.content.decode()
    )
    # Period, kind and cell are read-only on a slot: posting them changes nothing.
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {**form, "member": crew[3].pk, "start": "2030-01-01", "kind": "pager"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.member, slot.kind, slot.start.isoformat() != "2030-01-01") == (
        crew[3],
        "firefighter_1",
        True,
    )
    assert [p.member for p in pager.all()] == [crew[3], crew[3]]
    changed = WebhookDelivery.objects.exclude(pk=created.pk).get()
    assert changed.payload["data"]["action"] == "changed"
    assert changed.payload["data"]["previous_member_id"] == crew[2].pk

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("admin:rotations_rotationassignment_delete", args=[slot.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not RotationAssignment.objects.exists()  # the pager went with its firefighter
    deleted = WebhookDelivery.objects.order_by("-created_at", "-pk")[0]
    assert deleted.payload["data"]["action"] == "deleted"
    assert {p["kind"] for p in deleted.payload["data"]["pager_removed"]} == {"pager"}


def test_admin_bulk_delete_goes_through_the_service(
    client, staff_user, crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    from rotations.models import RotationAssignment, WebhookDelivery

    slots = [make_slot(member=crew[2 + i], sprint_number=current_sprint + i) for i in range(2)]
    make_endpoint(events=["rotation.changed"])
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("admin:rotations_rotationassignment_changelist"),
            {"action": "delete_selected", "_selected_action": [s.pk for s in slots], "post": "yes"},
        )
    assert response.status_code == 302
    assert not RotationAssignment.objects.exists()
    assert sorted(d.payload["data"]["rotations"][0]["id"] for d in WebhookDelivery.objects.all()) == sorted(
        s.pk for s in slots
    )


def test_swaps_are_not_added_in_the_admin(client, staff_user, crew, current_sprint) -> None:
    """A swap record made there would not move anyone: swaps are recorded from the grid or the API."""
    from rotations.services import editing

    first = make_slot(member=crew[2], sprint_number=current_sprint)
    second = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    swap = editing.rotation_swap(first=first, second=second, agreed_on=first.start, agreed_by=crew[2])
    client.force_login(staff_user)
    assert client.get(reverse("admin:rotations_swap_add")).status_code == 403
    changelist = client.get(reverse("admin:rotations_swap_changelist")).content.decode()
    assert crew[2].name in changelist  # agreed by, in the list
    page = client.get(reverse("admin:rotations_swap_change", args=[swap.pk])).content.decode()
    assert 'name="first"' not in page and 'name="note"' in page
