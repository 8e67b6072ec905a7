"""Editing from the grid: filling empty slots, removing backups, bad sprint numbers,
the pager following the firefighters, and swaps under concurrent edits."""

from __future__ import annotations

import html
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils.formats import date_format

from opencraft_ops import calendar
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.tests.factories import CellFactory, MemberFactory, TimeOffFactory
from rotations.models import FirefightingPolicy, RotationAssignment, RotationKind, Swap, WebhookDelivery
from rotations.tests.factories import make_endpoint, make_slot

pytestmark = pytest.mark.django_db


def grid(client, cell, **query) -> str:
    response = client.get(reverse("rotations:grid", args=[cell.slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def fill(client, cell, **data) -> Any:
    return client.post(reverse("rotations:fill", args=[cell.slug]), data, follow=True)


# --- Filling empty slots ------------------------------------------------------------------


def test_sprint_manager_fills_an_empty_slot_from_the_grid(
    client, crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    make_endpoint(events=["rotation.changed"])
    client.force_login(crew[0].user)
    page = grid(client, cell, **{"from": current_sprint})
    for kind in ("firefighter_1", "firefighter_2", "discovery_duty", "pager", "ops_reviewer"):
        assert f'data-empty-kind="{kind}" data-start="{s.start.isoformat()}"' in page
    second_week = s.start + timedelta(days=7)
    assert f'data-empty-kind="discovery_duty" data-start="{second_week.isoformat()}"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = fill(client, cell, kind="firefighter_1", start=s.start.isoformat(), member=crew[2].pk)
    assert (
        f"{crew[2]} is firefighter 1 from {date_format(s.start, 'DATE_FORMAT')}" in response.content.decode()
    )
    slot = RotationAssignment.objects.get(kind="firefighter_1")
    assert slot.sprint is not None and slot.sprint.number == current_sprint
    assert (slot.member, slot.start, slot.end) == (crew[2], s.start, s.end)
    assert slot.reserved_hours == 18  # six full-timers: the budget's share, as schedule generation gives
    assert slot.history.first().history_user == crew[0].user
    # The pager follows the (only) firefighter, and one webhook tells about both.
    assert list(
        RotationAssignment.objects.filter(kind="pager").order_by("start").values_list("member", flat=True)
    ) == [crew[2].pk, crew[2].pk]
    payload = WebhookDelivery.objects.get().payload["data"]
    assert payload["action"] == "created" and len(payload["pager"]) == 2
    page = response.content.decode()
    assert f'data-slot-id="{slot.pk}"' in page
    assert f'data-empty-kind="firefighter_1" data-start="{s.start.isoformat()}"' not in page
    # Discovery duty in the second duty week: the end follows from the kind.
    fill(client, cell, kind="discovery_duty", start=second_week.isoformat(), member=crew[3].pk)
    duty = RotationAssignment.objects.get(kind="discovery_duty")
    assert (duty.start, duty.end, duty.member) == (second_week, second_week + timedelta(days=6), crew[3])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "bogus"}, "Select a valid choice"),
        ({"kind": "firefighter_backup"}, "Select a valid choice"),  # backups: from the coverage
        ({"start_offset": 1}, "starts on a sprint's first day"),
        ({"kind": "discovery_duty", "start_offset": 3}, "starts on a duty week's first day"),
        ({"member": "newcomer"}, "Only core members can be firefighter 1"),
        ({"member": "outsider"}, "Select a valid choice"),
        ({"member": ""}, "This field is required"),
        ({"start": "not-a-date"}, "Enter a valid date"),
        ({"start": "1900-01-02"}, "No sprint on these dates"),
        ({"start": "9999-12-28"}, "No sprint on these dates"),
        ({"double_booked": True}, "is already firefighter 2"),
        ({"taken": True}, "already has someone"),
    ],
)
def test_fill_refuses_bad_input_with_a_message(
    client, crew, newcomer, outsider, current_sprint, data, message
) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    if data.get("double_booked"):
        make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    if data.get("taken"):
        make_slot(member=crew[3], sprint_number=current_sprint)
    before = RotationAssignment.objects.count()
    member = {"newcomer": newcomer.pk, "outsider": outsider.pk, "": ""}.get(
        data.get("member", "x"), crew[2].pk
    )
    client.force_login(crew[0].user)
    response = fill(
        client,
        cell,
        kind=data.get("kind", "firefighter_1"),
        start=data.get("start", (s.start + timedelta(days=data.get("start_offset", 0))).isoformat()),
        member=member,
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "Slot not filled" in text and message in text
    assert RotationAssignment.objects.count() == before


def test_fill_refusals(client, crew, outsider, current_sprint) -> None:
    cell = crew[0].cell
    url = reverse("rotations:fill", args=[cell.slug])
    data = {
        "kind": "firefighter_1",
        "start": calendar.sprint_dates(current_sprint).start,
        "member": crew[2].pk,
    }
    assert client.post(url, data).status_code == 302  # anonymous: to the login page
    client.force_login(crew[1].user)  # a plain member reads the grid, no fill forms
    assert "data-empty-kind" not in grid(client, cell)
    assert client.post(url, data).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url, data).status_code == 403
    client.force_login(crew[0].user)
    assert client.get(url).status_code == 405
    assert not RotationAssignment.objects.exists()


def test_policy_decides_which_slots_exist_in_the_grid(client, staff_user, current_sprint) -> None:
    project: Any = CellFactory(name="Serenity", slug="serenity", kind="project")
    members: list[Any] = [
        MemberFactory(cell=project, member_type="core", user__username=f"s{i}") for i in range(3)
    ]
    FirefightingPolicy.objects.create(
        cell=project, firefighters_per_sprint=1, ops_reviewer=False, pager=False
    )
    start = calendar.sprint_dates(current_sprint).start
    client.force_login(staff_user)
    page = grid(client, project, **{"from": current_sprint})
    assert 'data-empty-kind="firefighter_1"' in page
    for kind in ("firefighter_2", "discovery_duty", "pager", "ops_reviewer"):
        assert f'data-empty-kind="{kind}"' not in page
    assert '<th scope="col">Pager week 1</th>' not in page and '<th scope="col">Ops reviewer</th>' not in page
    assert "no ops reviewer" in page
    response = fill(client, project, kind="ops_reviewer", start=start.isoformat(), member=members[0].pk)
    assert "has no ops reviewer (its firefighting policy)" in response.content.decode()
    response = fill(client, project, kind="firefighter_2", start=start.isoformat(), member=members[0].pk)
    assert "1 firefighter(s) per sprint" in response.content.decode()
    fill(client, project, kind="firefighter_1", start=start.isoformat(), member=members[0].pk)
    # One firefighter, and no pager shifts derived from them.
    assert list(RotationAssignment.objects.values_list("kind", flat=True)) == ["firefighter_1"]


# --- Removing backups ----------------------------------------------------------------------


def test_sprint_manager_removes_a_backup_from_the_grid(
    client, crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint)
    day = s.working_days[0]
    TimeOffFactory(member=crew[2], start=day, end=day)
    backup = make_slot(
        member=crew[4], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_BACKUP, start=day, end=day
    )
    make_endpoint(events=["rotation.changed"])
    client.force_login(crew[0].user)
    url = reverse("rotations:remove", args=[cell.slug, backup.pk])
    page = grid(client, cell, **{"from": current_sprint, "sprint": current_sprint})
    assert f'action="{url}"' in page
    assert "Every working day has a firefighter present" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url, {"next_query": f"from={current_sprint}&sprint={current_sprint}"}, follow=True
        )
    assert not RotationAssignment.objects.filter(pk=backup.pk).exists()
    page = response.content.decode()
    assert "Removed: Backup firefighter" in page and "1 day(s) without a firefighter present" in page
    payload = WebhookDelivery.objects.get().payload["data"]
    assert payload["action"] == "deleted" and payload["rotations"][0]["id"] == backup.pk


def test_remove_refusals(client, crew, outsider, current_sprint) -> None:
    s = calendar.sprint_dates(current_sprint)
    day = s.working_days[0]
    backup = make_slot(
        member=crew[4], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_BACKUP, start=day, end=day
    )
    foreign = make_slot(member=outsider, sprint_number=current_sprint)
    url = reverse("rotations:remove", args=[crew[0].cell.slug, backup.pk])
    assert client.post(url).status_code == 302  # anonymous
    client.force_login(crew[1].user)
    assert f'action="{url}"' not in grid(client, crew[0].cell, sprint=current_sprint)
    assert client.post(url).status_code == 403
    client.force_login(crew[0].user)
    assert client.get(url).status_code == 405
    assert client.post(reverse("rotations:remove", args=[crew[0].cell.slug, foreign.pk])).status_code == 404
    assert client.post(reverse("rotations:remove", args=[crew[0].cell.slug, 999999])).status_code == 404
    assert RotationAssignment.objects.count() == 2


# --- Sprint numbers out of range ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first_row", "coverage"),
    [
        ({"from": MAX_SPRINT_NUMBER}, MAX_SPRINT_NUMBER - 3, MAX_SPRINT_NUMBER - 3),
        ({"from": "9" * 40}, MAX_SPRINT_NUMBER - 3, MAX_SPRINT_NUMBER - 3),
        ({"from": "9" * 5000}, "current", "current"),  # not even an int Python parses: ignored
        ({"from": 1, "sprint": 10**12}, 1, MAX_SPRINT_NUMBER),
        ({"from": -4, "sprint": "x"}, "current", "current"),
    ],
)
def test_grid_clamps_sprint_numbers(client, crew, current_sprint, query, first_row, coverage) -> None:
    client.force_login(crew[0].user)
    page = grid(client, crew[0].cell, **query)
    first_row = current_sprint if first_row == "current" else first_row
    coverage = current_sprint if coverage == "current" else coverage
    assert f'data-sprint="{first_row}"' in page and f'data-sprint="{first_row + 3}"' in page
    assert f"Coverage of sprint {coverage} " in page
    assert f"?from={MAX_SPRINT_NUMBER - 3 + 1}" not in page  # "Later" never leads past the calendar


@pytest.mark.parametrize(
    ("first", "count", "message"),
    [
        (MAX_SPRINT_NUMBER, 3, "go past the last sprint number"),
        (MAX_SPRINT_NUMBER - 1, 12, "generate at most 2"),
        (MAX_SPRINT_NUMBER + 1, 1, "less than or equal to 9999"),
        ("9" * 30, 1, "less than or equal to 9999"),
    ],
)
def test_generate_past_the_last_sprint_is_400_with_a_message(client, crew, first, count, message) -> None:
    url = reverse("rotations:generate", args=[crew[0].cell.slug])
    client.force_login(crew[0].user)
    for response in (
        client.get(url, {"first_sprint": first, "sprints": count}),
        client.post(url, {"first_sprint": first, "sprints": count}),
    ):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not RotationAssignment.objects.exists()


def test_generate_up_to_the_last_sprint_works(client, crew) -> None:
    url = reverse("rotations:generate", args=[crew[0].cell.slug])
    client.force_login(crew[0].user)
    response = client.get(url, {"first_sprint": MAX_SPRINT_NUMBER - 1, "sprints": 2})
    assert response.status_code == 200 and "chosen because" in response.content.decode()


@pytest.mark.parametrize("sprint", [MAX_SPRINT_NUMBER + 1, "1" * 30, 0])
def test_backup_for_an_impossible_sprint_is_refused_with_a_message(client, crew, sprint) -> None:
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:backup", args=[crew[0].cell.slug]),
        {"sprint": sprint, "member": crew[4].pk, "start": "2026-01-06", "end": "2026-01-06"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Backup not assigned" in response.content.decode()
    assert not RotationAssignment.objects.exists()


# --- The pager follows the firefighters -------------------------------------------------------


def _pager(sprint_number: int) -> list[int]:
    start = calendar.sprint_dates(sprint_number).start
    return list(
        RotationAssignment.objects.filter(
            kind=RotationKind.PAGER, start__gte=start, start__lte=start + timedelta(days=13)
        )
        .order_by("start")
        .values_list("member", flat=True)
    )


def test_pager_follows_a_changed_and_a_swapped_firefighter(
    client, crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    cell = crew[0].cell
    n, m = current_sprint, current_sprint + 1
    slots = {}
    for number, (ff1, ff2) in ((n, (crew[2], crew[3])), (m, (crew[4], crew[5]))):
        start = calendar.sprint_dates(number).start
        slots[number] = (
            make_slot(member=ff1, sprint_number=number),
            make_slot(member=ff2, sprint_number=number, kind=RotationKind.FIREFIGHTER_2),
        )
        make_slot(member=ff1, sprint_number=number, kind=RotationKind.PAGER, start=start, reserved_hours=0)
        make_slot(
            member=ff2,
            sprint_number=number,
            kind=RotationKind.PAGER,
            start=start + timedelta(7),
            reserved_hours=0,
        )
    make_endpoint(events=["rotation.changed"])
    client.force_login(crew[0].user)
    # Firefighter 1 of sprint n changes hands: the first week's pager goes with it.
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("rotations:change", args=[cell.slug, slots[n][0].pk]), {"member": crew[1].pk})
    assert _pager(n) == [crew[1].pk, crew[3].pk]
    assert _pager(m) == [crew[4].pk, crew[5].pk]
    changed = WebhookDelivery.objects.get().payload["data"]
    assert [p["member_id"] for p in changed["pager"]] == [crew[1].pk]
    # Firefighter 2 of sprint n swaps with firefighter 1 of sprint m: both sprints' pagers follow.
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("rotations:swap", args=[cell.slug]),
            {"slots": [slots[n][1].pk, slots[m][0].pk], "agreed_on": "2026-11-20", "agreed_by": crew[4].pk},
        )
    assert Swap.objects.count() == 1
    assert _pager(n) == [crew[1].pk, crew[4].pk]
    assert _pager(m) == [crew[3].pk, crew[5].pk]
    reason = RotationAssignment.objects.get(kind="pager", start=calendar.sprint_dates(m).start).reason
    assert "follows the firefighters" in reason


def test_pager_goes_to_the_other_firefighter_when_one_is_away(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    ff1 = make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    TimeOffFactory(member=crew[1], start=s.start, end=s.start + timedelta(days=6))  # away week 1
    client.force_login(crew[0].user)
    client.post(reverse("rotations:change", args=[cell.slug, ff1.pk]), {"member": crew[1].pk})
    assert _pager(current_sprint) == [crew[3].pk, crew[3].pk]
    week1 = RotationAssignment.objects.get(kind="pager", start=s.start)
    assert f"because {crew[1].name} is away most of week 1" in week1.reason
    # Removing firefighter 2 too leaves nobody for week 1: that shift goes.
    ff2 = RotationAssignment.objects.get(kind="firefighter_2")
    client.post(reverse("rotations:remove", args=[cell.slug, ff2.pk]))
    assert _pager(current_sprint) == [crew[1].pk]


# --- Swaps under concurrent edits ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_swap_waits_for_a_concurrent_edit_and_swaps_what_it_committed(client, crew, current_sprint) -> None:
    """Another editor holds the first slot (and has given it to crew[4]) while the swap is
    posted: the swap waits for the row lock, then swaps crew[4], not the stale crew[2]."""
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    locked, release = threading.Event(), threading.Event()
    result: dict[str, Any] = {}

    def other_editor() -> None:
        try:
            with transaction.atomic():
                row = RotationAssignment.objects.select_for_update().get(pk=a.pk)
                row.member = crew[4]
                row.save(update_fields=["member"])
                locked.set()
                release.wait(20)
        finally:
            connection.close()

    def post_swap() -> None:
        try:
            result["response"] = client.post(
                reverse("rotations:swap", args=[crew[0].cell.slug]),
                {"slots": [a.pk, b.pk], "agreed_on": "2026-11-20", "agreed_by": crew[3].pk},
            )
        finally:
            connection.close()

    client.force_login(crew[0].user)
    editor = threading.Thread(target=other_editor)
    editor.start()
    swapper = threading.Thread(target=post_swap)
    try:
        assert locked.wait(20)
        swapper.start()
        swapper.join(1.0)
        assert swapper.is_alive()  # waiting on the lock
    finally:
        release.set()
        editor.join(20)
        if swapper.is_alive() or not result:
            swapper.join(20)
    assert result["response"].status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.member, b.member) == (crew[3], crew[4])  # the concurrent edit was swapped, not lost
    swap = Swap.objects.get()
    assert (swap.first_member, swap.second_member, swap.agreed_by) == (crew[4], crew[3], crew[3])
