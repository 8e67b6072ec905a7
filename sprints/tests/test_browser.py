"""The cell sprint board in real Chromium: open it, switch sprint, explain a spillover."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

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
