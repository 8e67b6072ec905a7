"""Journey of the epic planning and sustainability manager in real Chromium (issue 14):
from their home to an epic of their cell, its monthly-budget update form filled in (with
the "no" branch and its follow-ups), then the update recorded on the epic's page."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login
from epics.models import EpicUpdate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Any, name: str, value: str) -> None:
    page.check(f'input[name="{name}"][value="{value}"]')


def test_manager_fills_a_monthly_epic_update_and_sees_it_recorded(
    page: Any, monthly_epic: Any, epic_manager: Any, sprint: Any, artifacts_dir: Any
) -> None:
    login(page, "epm")
    page.goto("/epics/MON-1/")
    status = page.locator("main").inner_text()
    assert "This sprint's update is due" in status  # nothing written yet
    page.get_by_role("link", name="Write this sprint's update").click()
    page.wait_for_url("**/epics/MON-1/update/")
    assert "Dynamic scope / monthly budget" in page.locator("main").inner_text()

    # No monthly budget is recorded for the epic, so the author gives it.
    page.fill("#id_monthly_budget_hours", "40")
    # The month does not fit: the follow-ups appear and are answered.
    assert page.locator('[data-question="extra_hours"]').is_hidden()
    answer(page, "fits_month", "no")
    page.fill("#id_extra_hours", "12")
    page.check('input[name="measures"][value="one_time_extension"]')
    answer(page, "client_agreed", "yes")
    answer(page, "allocation_change", "yes")
    page.fill("#id_new_monthly_hours", "60")
    for name in ("description_current", "story_statuses_correct", "next_stories_ready"):
        answer(page, name, "yes")
    answer(page, "timeline_correct", "na")  # no deadlines on a monthly-budget epic
    page.fill("#id_this_sprint", "Course catalogue search")
    page.fill("#id_next_up", "Catalogue filters")
    page.fill("#id_notes", "Client asked for the overrun in writing")
    page.get_by_role("button", name="Save the update").click()
    page.wait_for_load_state("networkidle")
    refused = [(e.get_attribute("id"), e.inner_text()) for e in page.locator("[id$='-errors']").all()]
    assert [r for r in refused if r[1].strip()] == []  # nothing refused
    page.wait_for_url("**/epics/updates/*/")

    # Recorded: the confirmation, the rendered update, and the stored answers.
    assert "Epic update saved" in page.locator(".messages").inner_text()
    wiki = page.locator("#wiki").inner_text()
    assert "12 h" in wiki and "Course catalogue search" in wiki and "60 h" in wiki
    update = EpicUpdate.objects.get()
    assert update.epic.key == "MON-1" and update.author_id == epic_manager.pk
    assert update.answers["fits_month"] == "no" and update.answers["extra_hours"] == "12.00"
    assert update.answers["measures"] == ["one_time_extension"]
    page.screenshot(path=str(artifacts_dir / "journey-epic-update-saved.png"), full_page=True)

    # The epic's page now links this sprint's update and lists it with its author.
    page.goto("/epics/MON-1/")
    main = page.locator("main").inner_text()
    assert "This sprint's update: see it." in main
    assert f"by {epic_manager}" in main
