"""The rotations grid in a real Chromium: swap two firefighters and see the coverage update."""

from __future__ import annotations

import pytest

from conftest import login
from opencraft_ops import calendar
from roles.tests.factories import TimeOffFactory
from rotations.models import RotationKind, Swap
from rotations.tests.factories import make_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swap_firefighters_in_the_grid_updates_coverage(page, crew, current_sprint, artifacts_dir) -> None:
    s = calendar.sprint_dates(current_sprint)
    away, other_away, fresh = crew[2], crew[3], crew[4]
    first = make_slot(member=away, sprint_number=current_sprint)
    make_slot(member=other_away, sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    later = make_slot(member=fresh, sprint_number=current_sprint + 1)
    # Both firefighters of this sprint are away its first three working days.
    for member in (away, other_away):
        TimeOffFactory(member=member, start=s.working_days[0], end=s.working_days[2])

    login(page, "sm")
    page.goto(f"/rotations/bebop/?from={current_sprint}&sprint={current_sprint}")
    summary = page.locator("#coverage-summary")
    assert summary.inner_text() == "3 day(s) without a firefighter present"
    day_one = page.locator(f'tr[data-day="{s.working_days[0].isoformat()}"]')
    assert "no firefighter present" in day_one.inner_text()
    assert "Suggested backup" in day_one.inner_text()

    page.check(f'[data-slot-id="{first.pk}"] input[type=checkbox]')
    page.check(f'[data-slot-id="{later.pk}"] input[type=checkbox]')
    page.select_option("#id_agreed_by", str(fresh.pk))
    page.fill("#id_swap_note", "Agreed on chat")
    page.get_by_role("button", name="Swap selected").click()
    page.wait_for_load_state("networkidle")

    assert f"Swapped {away.name} and {fresh.name}" in page.locator(".messages").inner_text()
    assert page.locator("#coverage-summary").inner_text() == "Every working day has a firefighter present"
    day_one = page.locator(f'tr[data-day="{s.working_days[0].isoformat()}"]')
    assert fresh.name in day_one.locator("td.present").inner_text()
    assert "covered" in day_one.inner_text()
    history = page.locator("#swaps-h + ul").inner_text()
    assert f"{away.name} ⇄ {fresh.name}" in history and f"agreed by {fresh.name}" in history
    page.screenshot(path=str(artifacts_dir / "rotations-grid.png"), full_page=True)
    swap = Swap.objects.get()
    assert swap.note == "Agreed on chat" and swap.recorded_by is not None
    assert swap.agreed_by == fresh
