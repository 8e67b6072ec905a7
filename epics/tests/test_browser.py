"""The fixed-budget epic update in a real Chromium: a "no" without its
follow-up is refused with a message, then corrected and saved."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login
from epics.models import EpicUpdate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Any, name: str, value: str) -> None:
    page.check(f'input[name="{name}"][value="{value}"]')


def test_fixed_update_with_a_no_branch(
    page: Any, fixed_epic: Any, epic_owner: Any, artifacts_dir: Any
) -> None:
    login(page, "owner")
    page.goto("/epics/FIX-1/")
    page.get_by_role("link", name="Write this sprint's update").click()
    page.wait_for_url("**/epics/FIX-1/update/")

    # Follow-ups stay hidden until the answer above asks for them.
    follow_up = page.locator('[data-question="extra_hours"]')
    assert follow_up.is_hidden()
    answer(page, "fits_budget", "no")
    assert follow_up.is_visible()
    assert page.locator('[data-question="client_pays_extra"]').is_visible()
    assert page.locator('[data-question="client_approved_hours"]').is_hidden()
    answer(page, "client_pays_extra", "partly")
    assert page.locator('[data-question="client_approved_hours"]').is_visible()
    page.fill("#id_client_approved_hours", "8")
    answer(page, "client_pays_extra", "no")
    for name in (
        "fits_deadline",
        "timeline_correct",
        "description_current",
        "story_statuses_correct",
        "next_stories_ready",
    ):
        answer(page, name, "yes")
    page.get_by_role("button", name="Save the update").click()
    page.wait_for_load_state("networkidle")

    # Refused: the "no" needs the extra hours. Nothing saved, the message is on the field.
    errors = page.locator("#extra_hours-errors")
    assert errors.is_visible()
    assert "Answer this follow-up" in errors.inner_text()
    assert EpicUpdate.objects.count() == 0
    page.screenshot(path=str(artifacts_dir / "epic-update-error.png"), full_page=True)

    # The answers given so far are kept; add the missing follow-up and save.
    assert page.locator('input[name="fits_budget"][value="no"]').is_checked()
    page.fill("#id_extra_hours", "24")
    page.get_by_role("button", name="Save the update").click()
    page.wait_for_url("**/epics/updates/*/")
    assert "Epic update saved" in page.locator(".messages").inner_text()
    wiki = page.locator("#wiki").inner_text()
    assert "(x) No" in wiki and "24 h" in wiki
    update = EpicUpdate.objects.get()
    assert update.answers["fits_budget"] == "no" and update.answers["extra_hours"] == "24.00"
    assert "client_approved_hours" not in update.answers  # hidden again once "no" was chosen
    page.screenshot(path=str(artifacts_dir / "epic-update-saved.png"), full_page=True)


def test_board_to_epic_page_and_a_new_milestone(
    page: Any, cell: Any, fixed_epic: Any, monthly_epic: Any, epic_owner: Any, artifacts_dir: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.formats import date_format

    from epics.tests.factories import TicketFactory, WorklogFactory

    WorklogFactory(ticket=TicketFactory(epic=fixed_epic, remaining_estimate_seconds=7200), seconds=30 * 3600)
    login(page, "owner")
    page.goto("/")
    page.get_by_role("link", name="Epics", exact=True).click()
    page.wait_for_url(f"**/epics/cell/{cell.slug}/")
    column = page.locator("section.epic-column", has=page.get_by_role("heading", name="In Development"))
    card = column.locator('[data-epic="FIX-1"]')
    assert "30.00 / 100.00 h" in card.inner_text()
    page.screenshot(path=str(artifacts_dir / "epics-board.png"), full_page=True)
    card.get_by_role("link", name="FIX-1").click()
    page.wait_for_url("**/epics/FIX-1/")
    deadline = timezone.localdate() + timedelta(days=9)
    timeline = page.locator("#timeline")
    timeline.get_by_label("Title").fill("Beta on staging")
    timeline.get_by_label("Deadline").fill(deadline.isoformat())
    timeline.get_by_role("button", name="Add milestone").click()
    page.wait_for_url("**/epics/FIX-1/")
    assert "Beta on staging" in page.locator("#timeline").inner_text()
    assert date_format(deadline) in page.locator("dl.facts").inner_text()  # the portal's DATE_FORMAT
    page.screenshot(path=str(artifacts_dir / "epic-page.png"), full_page=True)


def test_planning_view_for_the_epic_planning_manager(
    page: Any,
    cell: Any,
    fixed_epic: Any,
    monthly_epic: Any,
    epic_owner: Any,
    epic_reviewer: Any,
    artifacts_dir: Any,
) -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from opencraft_ops import calendar
    from roles.models import Role
    from roles.tests.factories import MemberFactory, RoleAssignmentFactory, TimeOffFactory
    from sprints.calculations import thursday_w2

    role, _ = Role.objects.get_or_create(
        slug="epic-planning-sustainability-manager",
        defaults={
            "name": "Epic planning and sustainability manager",
            "purpose": "-",
            "responsibilities": "-",
            "scope": "cell",
        },
    )
    manager = MemberFactory(cell=cell, user__username="epm", user__password="correct-horse-battery")
    RoleAssignmentFactory(member=manager, role=role, cell=cell, since=date.today() - timedelta(days=30))
    today = timezone.localdate()
    due = thursday_w2(calendar.sprint_on(today))
    TimeOffFactory(member=epic_owner, start=due, end=due + timedelta(days=10))
    login(page, "epm")
    page.goto(f"/epics/cell/{cell.slug}/planning/")
    row = page.locator('tr[data-epic="FIX-1"]')
    assert "from " + epic_reviewer.name in row.inner_text()
    assert "owner away that day" in row.inner_text()
    away = page.locator(
        "section, div.card",
        has=page.get_by_role("heading", name="Away a week or more in the next two months"),
    )
    assert epic_owner.name in away.last.inner_text()
    page.screenshot(path=str(artifacts_dir / "epic-planning.png"), full_page=True)
