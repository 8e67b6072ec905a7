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
    # Narrow the member list to the cell and the newcomer's first name, then open them.
    page.select_option("#id_cell", "bebop")
    page.fill("#id_q", newcomer.user.first_name)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/org/directory/?*")
    members = page.locator(".members-table tbody")
    assert newcomer.name in members.inner_text()
    assert "match" in page.locator("#members-count").inner_text()
    page.screenshot(path=str(artifacts_dir / "directory-filtered.png"), full_page=True)
    members.get_by_role("link", name=newcomer.name).first.click()
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
