"""A member asks to change their weekly hours and answers for the conference on their page; their
cell's epic planning and sustainability manager approves the request and reads the answers, in
a real Chromium."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from conftest import PASSWORD, login
from roles.models import Conference, Role, WeeklyCommitment
from roles.tests.factories import MemberFactory, RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_for_fewer_hours_answer_the_conference_and_the_manager_approves(
    page: Any, browser: Any, live_server: Any, core_member: Any, cell: Any, artifacts_dir: Any
) -> None:
    today = date.today()
    manager = MemberFactory(cell=cell, member_type="core", user__username="epsm", user__password=PASSWORD)
    RoleAssignmentFactory(
        member=manager, role=Role.objects.get(slug="epic-planning-sustainability-manager"), cell=cell
    )
    Conference.objects.create(
        year=(today + timedelta(days=40)).year,
        name="Open edX Conference",
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=43),
        proposals_due_on=today + timedelta(days=14),
    )
    since = today + timedelta(days=10)

    login(page, "core")
    page.goto(f"/org/members/{core_member.pk}/")
    page.fill("#id_hours_per_week", "32")
    page.fill("#id_since", since.isoformat())
    page.fill("#id_reason", "Evening classes this term.")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_load_state("networkidle")
    assert "Asked to work 32 hours a week" in page.locator(".messages").inner_text()
    assert "waiting for a decision" in page.inner_text("body")
    page.check("#id_attending_0")
    page.fill("#id_talk_title", "Theming without tears")
    page.select_option("#id_talk_status", "proposed")
    page.get_by_role("button", name="Save my answer").click()
    page.wait_for_load_state("networkidle")
    assert "Saved your answer for Open edX Conference" in page.locator(".messages").inner_text()
    page.screenshot(path=str(artifacts_dir / "member-asks-and-answers.png"), full_page=True)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        login(other, "epsm")
        other.goto("/org/commitment-requests/")
        row = other.locator("tr", has_text=core_member.name)
        assert "Evening classes this term." in row.inner_text()
        row.get_by_role("button", name="Approve").click()
        other.wait_for_load_state("networkidle")
        assert "Approved" in other.locator(".messages").inner_text()
        other.screenshot(path=str(artifacts_dir / "manager-approved.png"), full_page=True)
        other.goto("/org/conference/")
        assert "Theming without tears" in other.locator("tr", has_text=core_member.name).inner_text()
    finally:
        context.close()
    assert WeeklyCommitment.objects.filter(
        member=core_member, since=since, hours_per_week=Decimal(32)
    ).exists()
    page.goto(f"/org/members/{core_member.pk}/")
    assert "approved" in page.inner_text("body")
