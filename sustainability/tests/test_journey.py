"""Journey of the epic planning and sustainability manager in real Chromium (issue 14):
their home names the cell's ratio and its period; the link opens the dashboard on the
same period with the same number; a preset, then a custom range; the ratio and the
remaining hours are defined on the page; a bad range is answered with a form error."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import login
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sustainability.tests.factories import hours, shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="epsm", user__password=PASSWORD)
    RoleAssignmentFactory(
        member=member,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=cell,
        since=date(2025, 1, 1),
    )
    return member


def test_manager_reads_the_dashboard_from_home(
    page: Any, bebop_data: Any, core_member: Any, manager: Any, artifacts_dir: Path
) -> None:
    # This month: 8 h billable and 2 h internal on top of Q1 2026's hours (bebop_data).
    today = date.today()
    hours(core_member, bebop_data["acme"], today.replace(day=1), 8)
    hours(core_member, bebop_data["internal"], today.replace(day=1), 2)

    login(page, "epsm")
    figure = page.locator("#home-sustainability")
    # Reference period (from 1 Jan 2025): (10 + 2) / (30 + 8 + 10 + 2) = 24.0 %, within 30 %.
    assert page.locator("#home-ratio").inner_text() == "24.0%"
    text = " ".join(figure.inner_text().split())
    assert f"over the entire reference period ({shown(date(2025, 1, 1))} – {shown(today)})" in text
    assert "within the 30.0% target" in text
    page.screenshot(path=str(artifacts_dir / "journey-sustainability-home.png"), full_page=True)

    # From home's figure to the dashboard: the same period, the same number.
    page.locator("#home-sustainability-link").click()
    page.wait_for_url("**/sustainability/cells/bebop/?period=reference")
    ratio = page.locator("#ratio-value")
    assert ratio.inner_text() == "24.0%"
    assert page.locator("#figures-title").inner_text().startswith("Entire reference period")
    assert page.locator("#period-form select[name=period]").input_value() == "reference"

    # The ratio and the remaining hours are defined in plain words, with the target used.
    definitions = page.locator("#definitions").inner_text()
    assert "non-billable cell hours ÷ (billable cell hours + non-billable cell hours)" in definitions
    assert "Non-cell hours" in definitions and "count in the total hours but not in the ratio" in definitions
    assert "billable × T ÷ (1 − T) − non-billable (here T = 30.0%)" in definitions
    assert "Negative means the ratio is already above the target" in definitions
    # 38 x .3 / .7 - 12 = 4.29 h still available.
    assert page.locator("#remaining-value").inner_text() == "4.29 h"

    # A preset: this month alone, 2 / 10 = 20.0 %.
    custom_range = page.locator("#custom-range")
    assert custom_range.is_hidden()  # the dates show only for a custom range
    page.select_option("#id_period", "this-month")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=this-month**")
    assert page.locator("#figures-title").inner_text().startswith(f"This month ({today:%B %Y})")
    assert ratio.inner_text() == "20.0%"

    # A custom range: February 2026 alone, 6 / (10 + 6) = 37.5 %, above the target.
    page.select_option("#id_period", "custom")
    assert custom_range.is_visible()
    page.fill("#id_start", "2026-02-01")
    page.fill("#id_end", "2026-02-28")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=custom**")
    assert " ".join(page.locator("#figures-title").inner_text().split()) == (
        f"Custom range ({shown(date(2026, 2, 1))} – {shown(date(2026, 2, 28))})"
    )
    assert ratio.inner_text() == "37.5%"
    assert "above target" in page.locator(".figures").inner_text()
    # 10 x .3 / .7 - 6 = -1.71: over the target by that much non-billable work.
    assert page.locator("#remaining-value").inner_text() == "-1.71 h"
    assert "over the target" in page.locator(".figures").inner_text()
    page.screenshot(path=str(artifacts_dir / "journey-sustainability-custom.png"), full_page=True)

    # A range that ends before it starts: a form error, not a crash, and the dates kept.
    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert").inner_text()
    assert "The end date cannot be before the start date." in alert
    assert page.locator("#id_start").input_value() == "2026-03-01"

    # Back home: the figure still matches the dashboard it links to.
    page.goto("/")
    page.locator("#home-sustainability-link").click()
    page.wait_for_url("**period=reference")
    assert ratio.inner_text() == "24.0%"
