"""The organisation pages in a real Chromium."""

from __future__ import annotations

import pytest

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_open_directory_then_a_member(page, sprint_manager, newcomer, artifacts_dir):
    login(page, "sm")
    page.goto("/org/directory/")
    assert page.locator("h1").inner_text() == "Organisation directory"
    bebop = page.locator("#cell-bebop")
    assert "Sprint manager" in bebop.inner_text()
    bebop.get_by_role("link", name=newcomer.name).first.click()
    page.wait_for_url(f"**/org/members/{newcomer.pk}/")
    assert page.locator("h1").inner_text() == newcomer.name
    # The cell's sprint manager records the newcomer's time off through the form.
    page.select_option("#id_kind", "sick")
    page.fill("#id_start", "2030-03-04")
    page.fill("#id_end", "2030-03-05")
    page.get_by_role("button", name="Record time off").click()
    page.wait_for_load_state("networkidle")
    assert "Recorded sick leave" in page.locator(".messages").inner_text()
    page.screenshot(path=str(artifacts_dir / "member-page.png"), full_page=True)
