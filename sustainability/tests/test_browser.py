"""The sustainability dashboard in real Chromium: change the period, the chart and the ratio follow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_period_change_updates_chart_and_ratio(
    page: Any, bebop_data: Any, artifacts_dir: Path
) -> None:
    login(page, "core")
    page.goto("/sustainability/cells/bebop/?period=quarter&quarter=2026-Q1")
    page.get_by_role("heading", name="Sustainability: Bebop").wait_for()
    ratio = page.locator("#ratio-value")
    assert ratio.get_attribute("data-ratio") == "25.0"
    assert page.locator("#ratio-chart svg g.month").count() == 3
    assert page.locator("#ratio-chart svg polyline.ratio").count() == 1

    page.select_option("#id_period", "custom")
    page.fill("#id_start", "2026-02-01")
    page.fill("#id_end", "2026-02-28")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=custom**")
    # February alone: 10 h billable, 6 h internal: 6 / 16 = 37.5 %, above the 30 % target.
    assert ratio.get_attribute("data-ratio") == "37.5"
    assert "above target" in page.locator(".figures").inner_text()
    assert page.locator("#ratio-chart svg g.month").count() == 1
    assert page.locator("#ratio-chart svg").get_attribute("data-months") == "1"
    page.screenshot(path=str(artifacts_dir / "sustainability-dashboard.png"), full_page=True)
    assert (artifacts_dir / "sustainability-dashboard.png").stat().st_size > 0
