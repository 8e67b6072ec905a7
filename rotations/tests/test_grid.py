"""The calendar grid page: reading, editing, swaps, backups and schedule generation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from opencraft_ops import calendar
from roles.tests.factories import MemberFactory, TimeOffFactory
from rotations.models import RotationAssignment, RotationKind, Swap
from rotations.tests.factories import make_slot

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def grid_url(cell, **query) -> str:
    url = reverse("rotations:grid", args=[cell.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_anonymous_is_sent_to_login(client, cell) -> None:
    response = client.get(grid_url(cell))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_outsider_cannot_see_another_cell(client, cell, outsider) -> None:
    client.force_login(outsider.user)
    assert client.get(grid_url(cell)).status_code == 403


def test_unknown_cell_is_404(client, core_member) -> None:
    client.force_login(core_member.user)
    assert client.get("/rotations/no-such-cell/").status_code == 404


def test_grid_wrong_method(client, core_member) -> None:
    client.force_login(core_member.user)
    assert client.post(grid_url(core_member.cell)).status_code == 405


def test_member_sees_grid_budgets_and_coverage_read_only(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    client.force_login(crew[1].user)
    response = client.get(grid_url(cell))
    assert response.status_code == 200
    html = response.content.decode()
    assert crew[2].name in html and crew[3].name in html
    # Six full-time members: 240 h/week, 18 h/week firefighting, 9 h/week each = 18 h/sprint.
    assert "240" in html and "18 h/sprint" in html
    assert "Every working day has a firefighter present" in html
    assert "Your next rotations" not in html  # crew[1] holds none
    client.force_login(crew[2].user)
    mine = client.get(grid_url(cell)).content.decode()
    assert "Your next rotations" in mine and "Firefighter 1 (Bebop)" in mine
    client.force_login(crew[1].user)
    assert 'form="swap-form"' not in html  # members read, they do not edit
    assert "Generate a schedule" not in html


def test_index_redirects_member_to_own_cell(client, core_member) -> None:
    client.force_login(core_member.user)
    response = client.get(reverse("rotations:index"))
    assert response.status_code == 302
    assert response["Location"] == grid_url(core_member.cell)


def test_index_lists_cells_for_staff(client, staff_user, cell, other_cell) -> None:
    client.force_login(staff_user)
    response = client.get(reverse("rotations:index"))
    assert response.status_code == 200
    assert "Bebop" in response.content.decode() and "Falcon" in response.content.decode()


def test_grid_query_count_is_flat(client, crew, current_sprint, django_assert_num_queries) -> None:
    cell = crew[0].cell
    for offset in range(4):
        n = current_sprint + offset
        make_slot(member=crew[offset], sprint_number=n)
        make_slot(member=crew[offset + 1], sprint_number=n, kind=RotationKind.FIREFIGHTER_2)
        make_slot(member=crew[offset + 2], sprint_number=n, kind=RotationKind.DISCOVERY_DUTY)
        TimeOffFactory(
            member=crew[offset], start=calendar.sprint_dates(n).start, end=calendar.sprint_dates(n).start
        )
    client.force_login(crew[0].user)  # the sprint manager: forms and member pickers render too
    # session, user (with member and cell), cell, policy, sprint-manager role lookup, budget hours,
    # grid assignments; coverage: assignments, members, type periods, time off, firefighter
    # history; member choices, recent swaps, change history, the viewer's own next rotations
    # = 16, whatever the number of rows.
    with django_assert_num_queries(16):
        response = client.get(grid_url(cell))
    assert response.status_code == 200


def test_sprint_manager_changes_a_slot(client, crew, current_sprint) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:change", args=[crew[0].cell.slug, slot.pk]),
        {"member": crew[4].pk, "note": "holiday"},
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.member == crew[4]
    assert slot.history.count() == 2
    assert slot.history.first().history_user == crew[0].user


def test_change_refuses_newcomer_and_member_without_role(client, crew, newcomer, current_sprint) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    url = reverse("rotations:change", args=[crew[0].cell.slug, slot.pk])
    client.force_login(crew[1].user)  # a plain member
    assert client.post(url, {"member": crew[4].pk}).status_code == 403
    client.force_login(crew[0].user)
    response = client.post(url, {"member": newcomer.pk}, follow=True)
    assert "Only core members can be firefighter 1" in response.content.decode()
    response = client.post(url, {"member": "not-a-number"}, follow=True)
    assert "Choose a member of the cell." in response.content.decode()
    slot.refresh_from_db()
    assert slot.member == crew[2]
    assert client.get(url).status_code == 405


def test_change_refuses_outsider_member_and_other_cell_slot(client, crew, outsider, current_sprint) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    foreign = make_slot(member=outsider, sprint_number=current_sprint)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:change", args=[crew[0].cell.slug, slot.pk]), {"member": outsider.pk}, follow=True
    )
    assert "Choose a member of the cell." in response.content.decode()
    # A slot of another cell through this cell's URL.
    assert (
        client.post(
            reverse("rotations:change", args=[crew[0].cell.slug, foreign.pk]), {"member": crew[3].pk}
        ).status_code
        == 404
    )


def test_change_refuses_double_booking(client, crew, current_sprint) -> None:
    ff1 = make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:change", args=[crew[0].cell.slug, ff1.pk]), {"member": crew[3].pk}, follow=True
    )
    assert "already firefighter 2" in response.content.decode()


def test_swap_records_who_agreed_and_exchanges_members(client, crew, current_sprint) -> None:
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:swap", args=[crew[0].cell.slug]),
        {"slots": [a.pk, b.pk], "agreed_on": "2026-11-20", "agreed_by": crew[3].pk, "note": "family event"},
        follow=True,
    )
    assert response.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.member, b.member) == (crew[3], crew[2])
    swap = Swap.objects.get()
    assert (swap.first_member, swap.second_member) == (crew[2], crew[3])
    assert swap.agreed_on == date(2026, 11, 20) and swap.recorded_by == crew[0].user
    assert swap.agreed_by == crew[3]
    html = response.content.decode()
    assert "Swapped" in html and "family event" in html
    assert f"agreed by {crew[3].name} on {date_format(date(2026, 11, 20))}" in html  # the swap history
    assert f"agreed by {crew[3].name} on 2026-11-20" in a.reason  # the slot's own history


def test_swap_refuses_an_agreement_by_someone_else(client, crew, current_sprint) -> None:
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    client.force_login(crew[0].user)
    url = reverse("rotations:swap", args=[crew[0].cell.slug])
    base = {"slots": [a.pk, b.pk], "agreed_on": "2026-11-20"}
    response = client.post(url, {**base, "agreed_by": crew[4].pk}, follow=True)
    assert "The member who agreed must be" in response.content.decode()
    response = client.post(url, base, follow=True)
    assert "This field is required" in response.content.decode()
    assert not Swap.objects.exists()
    a.refresh_from_db()
    assert a.member == crew[2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"agreed_on": "2026-11-20"}, "This field is required"),
        ({"agreed_on": "not a date", "pick": 2}, "Enter a valid date"),
        ({"agreed_on": "2026-11-20", "pick": 1}, "Tick exactly two slots"),
        ({"agreed_on": "2026-11-20", "pick": 3}, "Tick exactly two slots"),
    ],
)
def test_swap_bad_input(client, crew, current_sprint, data, message) -> None:
    slots = [make_slot(member=crew[2 + i], sprint_number=current_sprint + i) for i in range(3)]
    client.force_login(crew[0].user)
    payload = {
        "agreed_on": data["agreed_on"],
        "agreed_by": crew[2].pk,
        "slots": [s.pk for s in slots[: data.get("pick", 0)]],
    }
    response = client.post(reverse("rotations:swap", args=[crew[0].cell.slug]), payload, follow=True)
    assert message in response.content.decode()
    assert not Swap.objects.exists()


def test_swap_refused_for_member_and_same_holder(client, crew, current_sprint) -> None:
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[2], sprint_number=current_sprint + 1)
    url = reverse("rotations:swap", args=[crew[0].cell.slug])
    body = {"slots": [a.pk, b.pk], "agreed_on": "2026-11-20", "agreed_by": crew[2].pk}
    client.force_login(crew[1].user)
    assert client.post(url, body).status_code == 403
    client.force_login(crew[0].user)
    response = client.post(url, body, follow=True)
    assert "same member" in response.content.decode()


def test_coverage_flags_uncovered_days_and_backup_can_be_assigned(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    first_day = s.working_days[0]
    for m in (crew[2], crew[3]):
        TimeOffFactory(member=m, start=first_day, end=first_day)
    client.force_login(crew[0].user)
    html = client.get(grid_url(cell, sprint=current_sprint)).content.decode()
    assert "1 day(s) without a firefighter present" in html
    assert f'class="uncovered" data-day="{first_day.isoformat()}"' in html
    assert "Suggested backup" in html
    response = client.post(
        reverse("rotations:backup", args=[cell.slug]),
        {"sprint": current_sprint, "member": crew[4].pk, "start": first_day, "end": first_day},
        follow=True,
    )
    assert "Every working day has a firefighter present" in response.content.decode()
    backup = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_BACKUP)
    assert backup.member == crew[4] and backup.start == backup.end == first_day
    assert backup.reserved_hours > 0


@pytest.mark.parametrize(
    ("offset_start", "offset_end", "message"),
    [(0, -1, "cannot be before"), (-3, 0, "must fall within sprint"), (0, 20, "must fall within sprint")],
)
def test_backup_bad_days(client, crew, current_sprint, offset_start, offset_end, message) -> None:
    s = calendar.sprint_dates(current_sprint)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:backup", args=[crew[0].cell.slug]),
        {
            "sprint": current_sprint,
            "member": crew[4].pk,
            "start": s.start + timedelta(days=offset_start),
            "end": s.start + timedelta(days=offset_end),
        },
        follow=True,
    )
    assert message in response.content.decode()
    assert not RotationAssignment.objects.exists()


def test_backup_refused_for_plain_member(client, crew, current_sprint) -> None:
    client.force_login(crew[1].user)
    response = client.post(reverse("rotations:backup", args=[crew[0].cell.slug]), {"sprint": current_sprint})
    assert response.status_code == 403


def test_generate_preview_then_apply_is_idempotent(client, crew, newcomer, current_sprint) -> None:
    cell = crew[0].cell
    url = reverse("rotations:generate", args=[cell.slug])
    client.force_login(crew[0].user)
    assert client.get(url).status_code == 200
    preview = client.get(url, {"first_sprint": current_sprint + 1, "sprints": 2})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "chosen because" in html and "Apply this schedule" in html
    assert not RotationAssignment.objects.exists()  # preview writes nothing
    client.post(url, {"first_sprint": current_sprint + 1, "sprints": 2})
    created = RotationAssignment.objects.count()
    # Per sprint: 2 firefighters, 2 discovery weeks, 1 ops reviewer, 2 pager shifts.
    assert created == 14
    assert not RotationAssignment.objects.filter(
        member=newcomer, kind__in=["firefighter_1", "firefighter_2"]
    ).exists()
    client.post(url, {"first_sprint": current_sprint + 1, "sprints": 2})
    assert RotationAssignment.objects.count() == created


def test_generate_bad_input_and_refusals(client, crew, outsider) -> None:
    url = reverse("rotations:generate", args=[crew[0].cell.slug])
    client.force_login(crew[0].user)
    assert client.get(url, {"first_sprint": "x", "sprints": 99}).status_code == 400
    assert client.post(url, {"first_sprint": 0, "sprints": 2}).status_code == 400
    assert client.delete(url).status_code == 405
    client.force_login(crew[1].user)
    assert client.get(url).status_code == 403
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403


def test_project_cell_shows_its_rules_and_has_no_discovery_duty(client, staff_user, current_sprint) -> None:
    from roles.tests.factories import CellFactory

    project: Any = CellFactory(
        name="Serenity",
        slug="serenity",
        kind="project",
        firefighting_rules="One firefighter per sprint, 12 h SLA.",
    )
    for i in range(3):
        MemberFactory(cell=project, member_type="core", user__username=f"s{i}")
    client.force_login(staff_user)
    html = client.get(grid_url(project)).content.decode()
    assert "Firefighting rules of Serenity" in html and "12 h SLA" in html
    assert "Discovery week 1" not in html
    assert '<th scope="col">Firefighter 2</th>' in html
    from rotations.models import FirefightingPolicy

    FirefightingPolicy.objects.create(cell=project, firefighters_per_sprint=1)
    client.post(
        reverse("rotations:generate", args=["serenity"]), {"first_sprint": current_sprint, "sprints": 1}
    )
    kinds = set(RotationAssignment.objects.values_list("kind", flat=True))
    assert RotationKind.DISCOVERY_DUTY not in kinds and RotationKind.FIREFIGHTER_1 in kinds
    assert RotationKind.FIREFIGHTER_2 not in kinds
    html = client.get(grid_url(project)).content.decode()
    assert '<th scope="col">Firefighter 2</th>' not in html
    assert "Scheduled: 1 firefighter(s) per sprint" in html


def test_swap_refused_across_rotations(client, crew, current_sprint) -> None:
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.DISCOVERY_DUTY)
    client.force_login(crew[0].user)
    response = client.post(
        reverse("rotations:swap", args=[crew[0].cell.slug]),
        {"slots": [a.pk, b.pk], "agreed_on": "2026-11-20", "agreed_by": crew[3].pk},
        follow=True,
    )
    assert "are different rotations" in response.content.decode()
    assert not Swap.objects.exists()
