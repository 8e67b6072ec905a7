"""The home page's sustainability figure: it names its period, links to the cell's
dashboard on that period, and shows the same number as that dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from conftest import PASSWORD
from sustainability.tests.factories import AccountFactory, TargetFactory, hours

pytestmark = pytest.mark.django_db


def _figure(body: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*data-ratio="([^"]*)"', body)
    assert match is not None, element_id
    return match.group(1)


@pytest.fixture
def bebop_hours(cell: Any, core_member: Any, outsider: Any) -> None:
    """Bebop's reference period starts on 1 Jan 2025 (target 30 %). Over it: 30 h billable,
    16 h internal cell work, 4 h community (non-cell), and 12 h from before the reference
    start that the reference period leaves out. A quarter-only view would differ."""
    today = date.today()
    acme = AccountFactory(key="ACME", category="client", billable=True, cell=cell)
    internal = AccountFactory(key="BB-INT", category="internal_cell", billable=False, cell=cell)
    community = AccountFactory(key="COMMUNITY", category="internal_non_cell", billable=False)
    hours(core_member, acme, date(2025, 2, 10), 20)
    hours(core_member, acme, today - timedelta(days=1), 10)
    hours(core_member, internal, date(2025, 3, 3), 10)
    hours(core_member, internal, today, 6)
    hours(core_member, community, date(2025, 4, 1), 4)
    hours(core_member, internal, date(2024, 11, 5), 12)  # before the reference start
    TargetFactory(
        cell=cell,
        max_non_billable_percent=Decimal("30"),
        since=date(2025, 1, 1),
        reference_start=date(2025, 1, 1),
    )


def test_home_figure_names_its_period_and_equals_the_dashboard(bebop_hours: Any) -> None:
    client = Client()
    assert client.login(username="core", password=PASSWORD)
    home = client.get(reverse("home")).content.decode()
    ratio = _figure(home, "home-ratio")
    assert ratio == "34.8"  # 16 / (30 + 16): the non-cell and the pre-reference hours left out
    assert f"over the entire reference period ({date_format(date(2025, 1, 1), 'DATE_FORMAT')} – " in home
    assert "the 30.0% target" in home and "above" in home
    match = re.search(r'href="([^"]+)" id="home-sustainability-link"', home)
    assert match is not None
    link = match.group(1).replace("&amp;", "&")
    assert link == "/sustainability/cells/bebop/?period=reference"
    dashboard = client.get(link).content.decode()
    assert _figure(dashboard, "ratio-value") == ratio  # the same number for the same period
    remaining = re.search(r'id="remaining-value"[^>]*>(-?[\d.]+) h<', dashboard)
    assert remaining is not None
    assert remaining.group(1) == "-3.14"  # 30 x .3 / .7 - 16
    assert "3.14 h of non-billable work over it" in home


def test_home_figure_follows_the_same_selector_for_any_data(cell: Any, core_member: Any) -> None:
    """No hours at all: both say undefined; with only a default target, both agree too."""
    client = Client()
    assert client.login(username="core", password=PASSWORD)
    home = client.get(reverse("home")).content.decode()
    assert _figure(home, "home-ratio") == ""
    assert "undefined (no hours)" in home
    dashboard = client.get("/sustainability/cells/bebop/?period=reference").content.decode()
    assert _figure(dashboard, "ratio-value") == ""


def test_no_figure_for_a_member_without_a_cell(db: Any) -> None:
    from roles.tests.factories import MemberFactory

    MemberFactory(cell=None, user__username="nocell", user__password=PASSWORD)
    client = Client()
    assert client.login(username="nocell", password=PASSWORD)
    body = client.get(reverse("home")).content.decode()
    assert 'id="home-sustainability"' not in body
