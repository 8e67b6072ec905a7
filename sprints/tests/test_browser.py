"""The cell sprint board in real Chromium: open it, switch sprint, explain a spillover."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from conftest import login
from opencraft_ops import calendar
from sprints.models import Spillover
from sprints.tests.factories import SpilloverFactory, SprintFactory, TicketFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_board_switch_sprint_and_explain_spillover(page: Any, core_member: Any) -> None:
    current = calendar.sprint_on(date.today()).number
    sprint: Any = SprintFactory(number=current)
    previous: Any = SprintFactory(number=current - 1)
    TicketFactory(key="SE-501", cell=core_member.cell, sprint=sprint, assignee=core_member)
    spill: Any = SpilloverFactory(
        sprint=previous, ticket__key="SE-400", ticket__cell=core_member.cell, ticket__assignee=core_member
    )
    login(page, "core")
    page.goto(f"/sprints/{core_member.cell.slug}/board/")
    page.get_by_role("heading", name=f"Bebop · Sprint {current}").wait_for()
    assert core_member.name in page.locator("[data-testid=capacity]").inner_text()

    page.select_option("#id_sprint", str(current + 1))  # submits the picker
    page.get_by_role("heading", name=f"Bebop · Sprint {current + 1}").wait_for()
    assert f"sprint={current + 1}" in page.url

    page.goto(f"/sprints/{core_member.cell.slug}/wrap-up/?sprint={previous.number}")
    page.get_by_role("link", name="Explain").click()
    page.get_by_label("Explanation").fill("The client's staging server was down for three days.")
    page.get_by_role("button", name="Save explanation").click()
    page.get_by_text("Explanation saved for SE-400").wait_for()
    assert "staging server was down" in page.locator("[data-testid=spillovers]").inner_text()
    assert Spillover.objects.get(pk=spill.pk).explanation.startswith("The client's staging server")


def _home_duties(page: Any) -> tuple[set[str], list[str]]:
    """(overdue duty ids, every listed duty id) on the viewer's home page."""
    page.goto("/")
    page.get_by_role("heading", name="My duties").wait_for()
    cards = page.locator("article[data-duty]")
    listed = [cards.nth(i).get_attribute("data-duty") or "" for i in range(cards.count())]
    overdue = page.locator("article[data-duty]").filter(has=page.locator(".badge", has_text="Overdue"))
    return {overdue.nth(i).get_attribute("data-duty") or "" for i in range(overdue.count())}, listed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sprint_manager_completes_the_sprint_on_the_demo_data(
    page: Any, clock: Any, settings: Any, artifacts_dir: Any
) -> None:
    """The sprint manager's journey (issue 14): board, call to action, the plan in words, the
    run with live progress, the results, and a home with no new overdue duty."""
    settings.JIRA_BASE_URL = ""  # as the demo portal: no JIRA connection
    ending = calendar.sprint_on(date.today())
    clock(ending.end)  # the sprint's last day
    call_command("demo_data", stdout=io.StringIO())
    nxt = calendar.sprint_dates(ending.number + 1)
    login(page, "demo", "demo-password")  # the demo user is Bebop's sprint manager
    overdue_before, listed = _home_duties(page)
    assert len(listed) == len(set(listed))

    page.goto("/sprints/bebop/board/")
    cta = page.locator("[data-testid=completion-cta]")
    assert (
        f"Sprint {ending.number} ends on {ending.end:%a} {ending.end.day} {ending.end:%b}."
        in cta.inner_text()
    )
    page.screenshot(path=str(artifacts_dir / "completion-board.png"))
    cta.get_by_role("link", name=f"Complete sprint {ending.number}").click()

    page.get_by_role("heading", name=f"Bebop · complete Sprint {ending.number}").wait_for()
    plan = page.locator("[data-testid=plan]").inner_text()
    assert "spillover" in plan and "Record " in plan
    assert "JIRA is left alone: the portal has no JIRA connection (JIRA_BASE_URL is not set)." in plan
    assert (
        f"Open the duties of sprint {nxt.number} due from {nxt.start:%a} {nxt.start.day} {nxt.start:%b %Y} on"
        in plan
    )
    assert "{" not in plan
    progress = page.locator("[data-testid=progress]")
    assert progress.is_hidden()  # nothing started yet
    page.screenshot(path=str(artifacts_dir / "completion-plan.png"), full_page=True)

    url = page.url
    page.get_by_role("button", name=f"Complete Sprint {ending.number}").click()
    progress.wait_for(state="visible")  # the script shows the progress while the run goes
    page.locator("[data-testid=progress-state]", has_text="Done").wait_for(timeout=60_000)
    assert page.url == url  # updated in place, no reload
    assert "7 of 7 steps done" in progress.inner_text()
    steps = progress.locator("li[data-step]")
    assert steps.count() == 7
    assert all(steps.nth(i).get_attribute("data-status") == "done" for i in range(7))
    results = progress.inner_text()
    assert f"spillover(s) of Sprint {ending.number}:" in results
    assert f"into Sprint {nxt.number} in the portal" in results
    assert f"Marked Sprint {ending.number} closed in the portal; JIRA left alone" in results
    assert "Closed JIRA sprint" not in results and "{" not in results
    assert f"of Bebop due from {nxt.start:%a} {nxt.start.day} {nxt.start:%b}" in results
    assert "none is due earlier and none is open twice" in results
    assert "by the fair rotation" in results
    page.screenshot(path=str(artifacts_dir / "completion-done.png"), full_page=True)

    page.reload()  # the finished page says so, and offers no second run
    assert (
        f"Sprint {ending.number} is completed for Bebop." in page.locator("[data-testid=plan]").inner_text()
    )
    assert page.get_by_role("button", name=f"Complete Sprint {ending.number}").count() == 0

    overdue_after, listed = _home_duties(page)
    assert overdue_after <= overdue_before  # the completion made nothing overdue
    assert len(listed) == len(set(listed))  # and no duty is listed twice
