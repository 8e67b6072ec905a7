"""The duties pages in a real Chromium."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import login
from duties.models import DutyInstance
from duties.services import duty_instances_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opened_wrap_up(sprint_manager: Any) -> DutyInstance | None:
    """The sprint manager's latest wrap-up already due (today or before), opened by the opener
    as the hourly task would (with the cell's other duties of the catch-up window).

    Already due, whatever today's sprint day: the wrap-up falls due on Wednesday of W1 and
    opens the day before, and on that Tuesday the one just opened does not count on cell
    health yet. Wrap-ups are two weeks apart, so the one picked fell due at most 13 days
    ago: inside the health page's duty list (14 days back) and completion (3 sprints back)."""
    today = date.today()
    duty_instances_open(as_of=today)
    return (
        DutyInstance.objects.filter(
            definition__slug="sprint-manager-wrap-up", assignee=sprint_manager, due_on__lte=today
        )
        .order_by("-due_on")
        .first()
    )


def _completion_row(page: Any) -> dict[str, str]:
    page.goto("/duties/health/")
    cells = page.locator("#completion-sprint-manager td").all_inner_texts()
    if not cells:
        return {}
    return dict(zip(("role", "due", "done", "on_time", "rate"), (c.strip() for c in cells), strict=True))


def test_sprint_manager_ticks_the_wrap_up_and_sees_it_done_on_cell_health(
    page, opened_wrap_up, artifacts_dir
):
    duty = opened_wrap_up
    assert duty is not None and duty.done_at is None
    login(page, "sm")
    before = _completion_row(page)

    page.goto("/")
    card = page.locator(f"#duty-{duty.pk}")
    assert "Sprint wrap-up" in card.inner_text()
    total = card.locator("button.tick").count()
    assert total == duty.items.count() == 4
    for index in range(total):
        # Each tick swaps the card in place (fetch); re-query the card every time.
        card = page.locator(f"#duty-{duty.pk}")
        card.locator('button.tick[aria-pressed="false"]').first.click()
        page.wait_for_function(
            "([id, n]) => document.querySelectorAll(`#duty-${id} button.tick[aria-pressed=true]`).length === n",
            arg=[duty.pk, index + 1],
        )
    card = page.locator(f"#duty-{duty.pk}")
    assert card.locator(".badge").inner_text() == "Done"
    duty.refresh_from_db()
    assert duty.done_at is not None and duty.done_by.user.username == "sm"
    page.screenshot(path=str(artifacts_dir / "duties-home.png"), full_page=True)

    page.get_by_role("link", name="Cell health").first.click()
    page.wait_for_url("**/duties/health/")
    row = page.locator(f"#health-duty-{duty.pk}")
    assert "Sprint wrap-up" in row.inner_text() and "Done" in row.inner_text()
    assert "4/4 ticked" in row.inner_text()
    after = _completion_row(page)
    # One more sprint manager duty done; the rate moves with it (the wrap-up counted as due
    # already if it was late, or joins the count now that it is done, when due today).
    assert int(after["done"]) == int(before.get("done", "0")) + 1
    assert after["rate"] != before.get("rate")
    page.screenshot(path=str(artifacts_dir / "duties-cell-health.png"), full_page=True)


def test_ticking_works_without_javascript(browser, live_server, opened_wrap_up):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, "sm")
        page.goto("/")
        page.locator(f"#duty-{opened_wrap_up.pk} button.tick").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(f'#duty-{opened_wrap_up.pk} button.tick[aria-pressed="true"]').count() == 1
    finally:
        context.close()
