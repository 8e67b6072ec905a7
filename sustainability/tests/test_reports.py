"""Report pages: the sprint preview, accounts review and quarterly update, in
Markdown and JIRA markup, copyable and downloadable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints import calendar
from sprints.models import Epic, Ticket
from sprints.services import sprint_ensure
from sustainability.models import AccountsReviewItem
from sustainability.tests.factories import hours

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
    # Queries: session, user, cell, member, accounts, the estimates, last sprint's hours.
    with django_assert_num_queries(7):
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
    assert "**21.9%**" in body  # 14 / 64 with the non-cell hours


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
    # Queries: session, user, cell, member, accounts, worklog aggregate, tickets,
    # review (none yet, so no item prefetch), manager check.
    with django_assert_num_queries(9):
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
