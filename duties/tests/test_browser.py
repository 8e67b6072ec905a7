"""The duties pages in a real Chromium."""

from __future__ import annotations

import pytest

from conftest import login
from duties.models import DutyInstance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sprint_manager_ticks_the_wrap_up_and_sees_it_done_on_cell_health(page, wrap_up, artifacts_dir):
    login(page, "sm")
    page.goto("/")
    card = page.locator(f"#duty-{wrap_up.pk}")
    assert "Sprint wrap-up" in card.inner_text()
    assert "Due today" in card.inner_text()
    total = card.locator("button.tick").count()
    assert total == 4
    for index in range(total):
        # Each tick swaps the card in place (fetch); re-query the card every time.
        card = page.locator(f"#duty-{wrap_up.pk}")
        button = card.locator('button.tick[aria-pressed="false"]').first
        button.click()
        page.wait_for_function(
            "([id, n]) => document.querySelectorAll(`#duty-${id} button.tick[aria-pressed=true]`).length === n",
            arg=[wrap_up.pk, index + 1],
        )
    card = page.locator(f"#duty-{wrap_up.pk}")
    assert card.locator(".badge").inner_text() == "Done"
    assert DutyInstance.objects.get(pk=wrap_up.pk).done_at is not None
    page.screenshot(path=str(artifacts_dir / "duties-home.png"), full_page=True)

    page.get_by_role("link", name="Cell health").first.click()
    page.wait_for_url("**/duties/health/")
    row = page.locator(f"#health-duty-{wrap_up.pk}")
    assert "Sprint wrap-up" in row.inner_text()
    assert "Done" in row.inner_text()
    completion = page.locator("section", has=page.get_by_role("heading", name="Duties done per role"))
    assert "Sprint manager" in completion.inner_text()
    page.screenshot(path=str(artifacts_dir / "duties-cell-health.png"), full_page=True)


def test_ticking_works_without_javascript(browser, live_server, wrap_up):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, "sm")
        page.goto("/")
        page.locator(f"#duty-{wrap_up.pk} button.tick").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(f'#duty-{wrap_up.pk} button.tick[aria-pressed="true"]').count() == 1
    finally:
        context.close()
