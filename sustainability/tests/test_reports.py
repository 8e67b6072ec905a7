"""Report pages: the sprint preview, accounts review and quarterly update, in
Markdown and JIRA markup, copyable and downloadable."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from epics.models import Epic
from opencraft_ops import calendar
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.models import Ticket
from sprints.services import sprint_ensure
from sustainability.models import AccountsReviewItem
from sustainability.tests.factories import hours, sprint_estimates

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="epsm")
    RoleAssignmentFactory(
        member=member, role=Role.objects.get(slug="epic-planning-sustainability-manager"), cell=cell
    )
    return member


def test_sprint_preview(bebop_data: Any, cell: Any, core_member: Any, django_assert_num_queries: Any) -> None:
    today = timezone.localdate()
    current = calendar.sprint_on(today)
    this, following = sprint_ensure(number=current.number), sprint_ensure(number=current.number + 1)
    acme, internal = bebop_data["acme"], bebop_data["internal"]
    for key, sprint, account, h in [
        ("BB-1", this, acme, 10),
        ("BB-2", this, internal, 5),
        ("BB-3", following, acme, 20),
        ("BB-4", following, internal, 5),
    ]:
        Ticket.objects.create(
            key=key,
            summary=key,
            cell=cell,
            sprint=sprint,
            account=account,
            remaining_estimate_seconds=h * 3600,
        )
    last = calendar.sprint_dates(current.number - 1)
    hours(core_member, acme, last.start, 7)
    hours(core_member, internal, last.start + timedelta(days=1), 3)  # last sprint: 30 %
    client = client_for("core")
    # Queries: session, user (with member), cell, accounts, the estimates, last sprint's hours.
    with django_assert_num_queries(6):
        response = client.get(f"/sustainability/cells/{cell.slug}/preview/")
    body = response.content.decode()
    assert f"Sustainability preview for Sprint {current.number + 1} (Bebop)" in body
    assert "10h (left this sprint) + 20h (next sprint) = 30h" in body
    assert "5h (left this sprint) + 5h (next sprint) = 10h" in body
    assert "**25.0%**, lower than last sprint." in body  # Markdown
    assert "*25.0%*, lower than last sprint." in body  # JIRA
    assert "{{non-billable / (billable + non-billable)}}" in body
    assert 'data-copy-target="report-markdown"' in body
    download = client.get(f"/sustainability/cells/{cell.slug}/preview/", {"format": "jira", "download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.decode().startswith(f"h4. Sustainability preview for Sprint {current.number + 1}")
    assert client.get(f"/sustainability/cells/{cell.slug}/preview/", {"format": "pdf"}).status_code == 400


def test_preview_refusals(bebop_data: Any, cell: Any, client: Client) -> None:
    assert client.get(f"/sustainability/cells/{cell.slug}/preview/").status_code == 302
    assert client_for("outsider").get(f"/sustainability/cells/{cell.slug}/preview/").status_code == 403
    assert client_for("core").post(f"/sustainability/cells/{cell.slug}/preview/").status_code == 405


def test_quarterly_update_within_and_above(bebop_data: Any, cell: Any) -> None:
    client = client_for("core")
    url = f"/sustainability/{cell.slug}/quarterly/2026/1/"
    body = client.get(url).content.decode()
    assert "# Bebop - April 2026 (Q1 2026 update)" in body
    assert "The sustainability ratio for the period 2025-01-01 -- 2026-03-31 is **25.0%**." in body
    assert "**Acme**: 30h" in body
    assert "**Bebop internal**: 10h" in body
    above = client.get(url, {"variant": "above", "format": "jira", "download": "1"}).content.decode()
    assert above.startswith("h1. Bebop - April 2026 (Q1 2026 update)")
    assert "||Total hours||Non-cell hours||Billable cell hours||Non-billable cell hours||" in above
    assert "|44|4|30|10|*25.0%* (max 30.0%)|*2.86*|" in above
    assert "h2. Plans for improving sustainability" in above
    assert client.get(url, {"variant": "sideways"}).status_code == 400
    assert client.get(f"/sustainability/{cell.slug}/quarterly/2026/5/").status_code == 404


def test_quarterly_company_needs_company_view(bebop_data: Any, staff_user: Any) -> None:
    assert client_for("core").get("/sustainability/company/quarterly/2026/1/").status_code == 403
    body = client_for("staff").get("/sustainability/company/quarterly/2026/1/").content.decode()
    assert "# OpenCraft - April 2026 (Q1 2026 update)" in body
    assert "**16.7%**" in body  # 10 / 60: the handbook's ratio over cell hours
    counted = client_for("staff").get("/sustainability/company/quarterly/2026/1/", {"non_cell": "1"})
    assert "**21.9%**" in counted.content.decode()  # 14 / 64 with the non-cell hours, when asked
    assert "<strong>non-cell hours counted as non-billable</strong>" in counted.content.decode()
    assert "<strong>cell hours only (handbook)</strong>" in body
    bad = client_for("staff").get("/sustainability/company/quarterly/2026/1/", {"non_cell": "all"})
    assert bad.status_code == 400


def test_quarterly_links_keep_the_chosen_counting_and_template(bebop_data: Any, staff_user: Any) -> None:
    url = "/sustainability/company/quarterly/2026/1/"
    page = client_for("staff").get(url, {"non_cell": "1", "variant": "above"})
    links = set(re.findall(r'href="(\?[^"]*)"', page.content.decode()))
    assert "?non_cell=1&amp;variant=within" in links  # the other template, same counting
    assert "?non_cell=1&amp;variant=above&amp;format=csv" in links
    assert "?non_cell=0&amp;variant=above" in links  # the other counting, same template
    assert "?non_cell=1&amp;variant=above&amp;format=markdown&amp;download=1" in links
    download = client_for("staff").get(
        url, {"non_cell": "1", "variant": "above", "format": "markdown", "download": "1"}
    )
    assert "21.9%" in download.content.decode()  # the download counts as the page did


def test_accounts_review_flags_suspects_and_records_items(
    bebop_data: Any, cell: Any, core_member: Any, manager: Any, django_assert_num_queries: Any
) -> None:
    acme, internal = bebop_data["acme"], bebop_data["internal"]
    epic = Epic.objects.create(key="BB-E1", title="Client epic", cell=cell, account=acme)
    suspect = Ticket.objects.create(key="BB-10", summary="Upgrade", cell=cell, account=internal, epic=epic)
    fine = Ticket.objects.create(key="BB-11", summary="Theme", cell=cell, account=acme, epic=epic)
    hours(core_member, internal, date(2026, 2, 9), 2, ticket=suspect)
    hours(core_member, acme, date(2026, 2, 9), 3, ticket=fine)
    url = f"/sustainability/cells/{cell.slug}/accounts-review/2026-02/"
    client = client_for("epsm")
    # Queries: session, user (with member), cell, accounts, worklog aggregate, tickets,
    # review (none yet, so no item prefetch), manager check.
    with django_assert_num_queries(8):
        body = client.get(url).content.decode()
    assert "Accounts review for February 2026 (Bebop)" in body
    assert (
        "BB-10 (BB-INT, 2h): Upgrade. **Suspect**: account BB-INT (internal_cell) differs in category" in body
    )
    assert "BB-11 (ACME, 3h): Theme." in body
    response = client.post(
        url,
        {
            "kind": "change",
            "category": "internal_cell",
            "ticket_key": "bb-10",
            "previous_account_key": "BB-INT",
            "new_account_key": "ACME",
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {"kind": "question", "category": "client", "ticket_key": "BB-11", "text": "Is the theme billable?"},
    )
    assert AccountsReviewItem.objects.count() == 2
    body = client.get(url).content.decode()
    assert "BB-10: Changed account from BB-INT to ACME." in body
    assert "BB-11: Is the theme billable?" in body
    bad = client.post(url, {"kind": "change", "category": "client", "ticket_key": "BB-12"})
    assert bad.status_code == 400 and AccountsReviewItem.objects.count() == 2
    assert (
        client_for("core")
        .post(url, {"kind": "question", "category": "client", "ticket_key": "X", "text": "?"})
        .status_code
        == 403
    )
    assert client_for("outsider").get(url).status_code == 403
    assert client.get(f"/sustainability/cells/{cell.slug}/accounts-review/2026-14/").status_code == 404
    latest = client.get(f"/sustainability/cells/{cell.slug}/accounts-review/")
    assert latest.status_code == 302 and "/accounts-review/" in latest["Location"]


def test_sprint_preview_counts_estimates_like_the_sprint_commitment(bebop_data: Any, cell: Any) -> None:
    current = calendar.sprint_on(timezone.localdate())
    sprint_estimates(cell, bebop_data, current.number)  # the table of counted hours is there
    body = client_for("core").get(f"/sustainability/cells/{cell.slug}/preview/").content.decode()
    assert (
        "Total number of billable hours estimated: 10h (left this sprint) + 20h (next sprint) = 30h" in body
    )
    assert "non-billable cell hours estimated: 6h (left this sprint) + 2.5h (next sprint) = 8.5h" in body
    assert "**22.1%**" in body  # 8.5 / 38.5


def test_quarterly_above_target_compares_with_the_last_update(
    bebop_data: Any, cell: Any, core_member: Any
) -> None:
    # Q4 2025: 20 h billable, 5 h internal: 20.0 %. The reference period from 2025-01-01
    # was then 20 / 5: 20.0 %; at the end of Q1 2026 it is 50 / 15: 23.1 % (Q1 alone 25.0 %).
    hours(core_member, bebop_data["acme"], date(2025, 11, 10), 20)
    hours(core_member, bebop_data["internal"], date(2025, 11, 12), 5)
    client = client_for("core")
    url = f"/sustainability/{cell.slug}/quarterly/2026/1/"
    body = client.get(url, {"variant": "above", "format": "markdown", "download": "1"}).content.decode()
    assert "## Previous updates" in body
    assert (
        "Where Bebop's budgets stood at the end of Q4 2025 is in the sustainability update of January 2026"
        in body
    )
    assert (
        "At that time Bebop had a sustainability ratio of **20.0%** for the 2025 reference period "
        "(2025-01-01 to 2025-12-31)." in body
    )
    assert (
        "for the entire reference period (2025-01-01 to 2026-03-31) is **23.1%** "
        "(an increase of 3.1 percentage points since the last update)." in body
    )
    assert "| 69 | 4 | 50 | 15 | **23.1%** (max 30.0%) | **6.43** |" in body  # 50 x .3 / .7 - 15
    assert (
        "The sustainability ratio for the previous quarter (Q4 2025) was **20.0%**, so Q1 brought a "
        "noticeable increase of 5.0 percentage points in the share of non-billable cell hours." in body
    )
    api = client.get(
        "/api/sustainability/quarterly/", {"cell": "bebop", "year": "2026", "quarter": "1"}
    ).json()
    assert api["previous_reference_period"]["ratio_percent"] == "20.0"
    assert api["reference_change_percent_points"] == "3.1"
    assert api["change_percent_points"] == "5.0"


def test_quarterly_above_target_says_no_change(bebop_data: Any, cell: Any, core_member: Any) -> None:
    # Q4 2025: 15 h billable, 5 h internal: 25.0 %, like Q1 2026 (30 / 10) and the whole
    # reference period at both ends (15 / 5, then 45 / 15).
    hours(core_member, bebop_data["acme"], date(2025, 11, 10), 15)
    hours(core_member, bebop_data["internal"], date(2025, 11, 12), 5)
    url = f"/sustainability/{cell.slug}/quarterly/2026/1/"
    body = (
        client_for("core").get(url, {"variant": "above", "format": "jira", "download": "1"}).content.decode()
    )
    assert "is *25.0%* (no change since the last update)." in body
    assert "was *25.0%*, so Q1 brought no change in the share of non-billable cell hours." in body
    assert "decrease" not in body and "increase" not in body
