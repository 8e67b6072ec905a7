"""The layout in a real Chromium (issue 14): for each persona, every page of the menu and
the detail pages they lead to (a member, an epic, the epic board, a cell's sprint board,
the rotation schedule, the sustainability dashboard, the API docs) fit a 390 px phone
without scrolling the page sideways (wide tables scroll inside their card) and show
everything at 1440 px (no table cut, nothing to scroll inside); and exactly one menu
item is current.

Each page is loaded once and measured at both widths (resizing the viewport lays the page
out again). The organisation is built with factories, with long names and time zones, an
epic with tickets and every rotation kind, so the wide tables are there.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import PASSWORD
from opencraft_ops import calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1440)
# Containers that scroll (or clip) their content, other than visually hidden labels.
CLIPPED = """() => [...document.querySelectorAll('main *')].filter(e => {
  if (e.closest('.visually-hidden')) return false;
  const s = getComputedStyle(e);
  return ['auto', 'scroll', 'hidden'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
}).map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth}`)"""
MENU_LINKS = "els => els.map(e => e.getAttribute('href'))"
# The menu's own entries that lead out of the portal's pages.
NOT_PAGES = ("/admin/", "/logout/")


PERSONAS = {"core": "developer", "newcomer": "newcomer", "sm": "sprint manager", "staff": "staff"}


def build_org() -> dict[str, Any]:
    """The personas in Bebop and what their pages show, in one transaction: the findings
    of its writes are evaluated once, on commit, instead of after every row."""
    from django.contrib.auth import get_user_model

    from epics.tests.factories import EpicFactory, MilestoneFactory, TicketFactory
    from roles.models import Member, Role
    from roles.tests.factories import CellFactory, MemberFactory, RoleAssignmentFactory
    from rotations.models import RotationKind
    from rotations.tests.factories import make_slot
    from sprints.services import sprint_ensure
    from sustainability.tests.factories import AccountFactory, hours

    today = timezone.localdate()
    with transaction.atomic():
        cell = CellFactory(name="Bebop", slug="bebop")
        zones = {"core": "America/Argentina/Buenos_Aires", "newcomer": "Asia/Kolkata", "sm": "Europe/Berlin"}
        people: dict[str, Member] = {
            username: MemberFactory.create(
                cell=cell,
                member_type="newcomer" if username == "newcomer" else "core",
                joined_on=today - timedelta(days=10 if username == "newcomer" else 800),
                timezone=zone,
                user__username=username,
                user__password=PASSWORD,
            )
            for username, zone in zones.items()
        }
        RoleAssignmentFactory(
            member=people["sm"],
            role=Role.objects.get(slug="sprint-manager"),
            cell=cell,
            since=today - timedelta(days=400),
        )
        get_user_model().objects.create_user(
            username="staff", password=PASSWORD, is_staff=True, is_superuser=True
        )
        long_named = MemberFactory(
            cell=cell,
            timezone="America/Argentina/ComodRivadavia",
            user__first_name="Maximiliano Alejandro",
            user__last_name="Fernández-Castellanos",
        )
        number = calendar.sprint_on(today).number
        for n in (number, number + 1):
            sprint_ensure(number=n)
            start = calendar.sprint_dates(n).start
            make_slot(member=long_named, sprint_number=n, reserved_hours=Decimal("15"))
            make_slot(member=people["sm"], sprint_number=n, kind=RotationKind.FIREFIGHTER_2)
            for week in (0, 7):
                for kind in (RotationKind.DISCOVERY_DUTY, RotationKind.PAGER):
                    make_slot(
                        member=people["core"], sprint_number=n, kind=kind, start=start + timedelta(days=week)
                    )
            make_slot(member=long_named, sprint_number=n, kind=RotationKind.OPS_REVIEWER)
        epic = EpicFactory(
            key="BB-1",
            cell=cell,
            owner=people["core"],
            reviewer=long_named,
            title="Harmony Learning: a rather long epic title that has to wrap inside its card on a phone",
        )
        MilestoneFactory(epic=epic, deadline=today + timedelta(days=20), title="Deliver the first milestone")
        sprint = sprint_ensure(number=number)
        for i in range(3):
            TicketFactory(
                epic=epic,
                sprint=sprint,
                assignee=people["core"],
                reviewer=long_named,
                summary=f"Ticket {i} with a summary long enough to wrap on a phone screen",
                story_points=Decimal("3"),
            )
        account = AccountFactory(key="ACME-LONG-ACCOUNT-KEY", name="Acme Corporation International Holdings")
        for day in range(1, 10):
            hours(people["core"], account, today - timedelta(days=day), 6)
    return {"epic": epic, "member": long_named}


def _measure(page: Any, path: str, *, menu: bool) -> list[str]:
    """The problems of the page open in ``page`` at both widths."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            problems.append(f"{path} at {width}px scrolls sideways: {scroll} > {inner}")
        if width >= 1440 and (clipped := page.evaluate(CLIPPED)):
            problems.append(f"{path} at {width}px cuts {clipped[:3]}")
    if menu:
        current = page.locator('header nav a[aria-current="page"]').all_inner_texts()
        if len(current) != 1:
            problems.append(f"{path}: current menu items {current}")
    return problems


def test_every_menu_page_fits_390_and_1440_with_one_current_item(
    browser: Any, live_server: Any, artifacts_dir: Any, monkeypatch: Any
) -> None:
    started = time.monotonic()
    org = build_org()
    built = time.monotonic() - started
    # The findings were evaluated once, at the data's commit. Pages that write as they open
    # (logging in, opening the day's duties) would each run a whole evaluation again under
    # eager Celery: seconds a page, and nothing a layout depends on.
    monkeypatch.setattr("findings.tasks.request_evaluation", lambda tokens: None)
    problems: list[str] = []
    opened = 0
    for username, persona in PERSONAS.items():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            links = page.eval_on_selector_all("header nav a", MENU_LINKS)
            menu = [h for h in links if not h.startswith(NOT_PAGES)]
            assert len(menu) >= 9, f"{persona}: the menu lost its pages: {menu}"
            assert ("/sync/" in menu) is (username == "staff"), f"{persona}: the sync page is for staff only"
            details = [
                f"/org/members/{org['member'].pk}/",
                f"/epics/{org['epic'].key}/",
                "/epics/cell/bebop/",
                "/sprints/bebop/board/",
                "/rotations/bebop/",
                "/sustainability/cells/bebop/",
            ]
            for path in dict.fromkeys(menu + details):
                page.set_viewport_size({"width": 1440, "height": 900})
                response = page.goto(path)
                assert response is not None and response.status == 200, (
                    f"{persona}: {path} answered {response}"
                )
                opened += 1
                docs = path.startswith("/api/")
                if docs:  # Swagger UI: no portal menu, but a way back to the portal
                    assert page.get_by_role("link", name="← Back to the portal").get_attribute("href") == "/"
                problems += [f"{persona}: {p}" for p in _measure(page, path, menu=not docs)]
            if username == "sm":
                page.goto("/rotations/bebop/")
                page.screenshot(path=str(artifacts_dir / "layout-rotations-1440.png"), full_page=True)
        finally:
            context.close()
    assert problems == []
    print(
        f"layout: data in {built:.1f}s, {opened} pages at {len(WIDTHS)} widths in {time.monotonic() - started:.1f}s"
    )
