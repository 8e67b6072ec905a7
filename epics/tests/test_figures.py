"""The figures the epic pages, the API and the update forms show, worked out by
hand: last month's non-billable hours (the sustainability app's definition),
hours used including worklogs on the epic issue itself, the account's month
as context, and the fixed-budget projection (original estimate as fallback)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from epics.tests.factories import AccountFactory, EpicFactory, TicketFactory, WorklogFactory

pytestmark = pytest.mark.django_db

H = 3600


def last_month_day(today: date) -> date:
    return today.replace(day=1) - timedelta(days=2)


def figures(client: APIClient, key: str) -> dict[str, Any]:
    response = client.get(f"/api/epics/{key}/")
    assert response.status_code == 200
    result: dict[str, Any] = response.data["figures"]
    return result


def test_non_billable_last_month_follows_the_sustainability_definition(
    client: Any, adhoc_epic: Any, epic_owner: Any
) -> None:
    today = timezone.localdate()
    last = last_month_day(today)
    billable, internal = AccountFactory(billable=True), AccountFactory(billable=False, category="internal")
    adhoc_epic.jira_id = "10077"
    adhoc_epic.save()
    ticket = TicketFactory(epic=adhoc_epic)

    def log(hours: str, billable_hours: str, account: Any, day: date = last, **kw: Any) -> None:
        kw.setdefault("ticket", ticket)
        WorklogFactory(
            seconds=int(Decimal(hours) * H),
            billable_seconds=int(Decimal(billable_hours) * H),
            account=account,
            work_date=day,
            **kw,
        )

    # billable account, 3 h of which Tempo counts 2 h billable        -> 1 h non-billable
    log("3", "2", billable)
    # billable account, no Tempo figure (0): all of it is billable     -> 0 h
    log("2", "0", billable)
    # billable account, Tempo says more than logged: capped at 1 h     -> 0 h
    log("1", "5", billable)
    # non-billable account: all of it, whatever Tempo says             -> 4 h
    log("4", "4", internal)
    # no account at all: nothing can be billed                         -> 0.5 h
    log("0.5", "0.5", None)
    # on the epic issue itself (no ticket), billable account, 1 h of 1.5 -> 0.5 h
    log("1.5", "1", billable, ticket=None, jira_issue_id="10077")
    # not counted: this month, and last month on another epic's ticket
    log("10", "0", internal, day=today)
    log("7", "0", internal, ticket=TicketFactory(epic=EpicFactory(cell=adhoc_epic.cell)))
    # 1 + 0 + 0 + 4 + 0.5 + 0.5 = 6 h (seconds - billable_seconds would give 3 h).
    client.force_login(epic_owner.user)
    form = client.get("/epics/ADH-1/update/").context["form"]
    assert form.initial["non_billable_hours_known"] == Decimal("6.00")
    assert form.initial["non_billable_hours"] == Decimal("6.00")
    api = APIClient()
    api.force_authenticate(epic_owner.user)
    assert figures(api, "ADH-1")["last_month_non_billable"] == "6.00"
    # Hours used: everything on the epic and its tickets, this month's 10 h included.
    assert figures(api, "ADH-1")["hours_used"] == "22.00"


def test_worklogs_on_the_epic_issue_count_as_hours_used(
    client: Any, fixed_epic: Any, core_member: Any
) -> None:
    today = timezone.localdate()
    fixed_epic.jira_id = "10001"
    fixed_epic.save()
    other = EpicFactory(cell=fixed_epic.cell, key="OTH-1", jira_id="10002")
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic), seconds=5 * H, work_date=today)
    WorklogFactory(ticket=None, jira_issue_id="10001", seconds=2 * H, work_date=today)
    WorklogFactory(ticket=None, jira_issue_id="10001", seconds=H, work_date=last_month_day(today))
    # Not this epic's: another epic's issue, an issue we do not know, a manual log.
    WorklogFactory(ticket=None, jira_issue_id="10002", seconds=9 * H, work_date=today)
    WorklogFactory(ticket=None, jira_issue_id="99999", seconds=9 * H, work_date=today)
    WorklogFactory(ticket=None, jira_issue_id="", seconds=9 * H, work_date=today)
    client.force_login(core_member.user)
    board = client.get(f"/epics/cell/{fixed_epic.cell.slug}/")
    rows = {r.epic.key: r for c in board.context["columns"] for r in c.rows}
    assert rows["FIX-1"].figures.hours_used == Decimal("8.00")
    assert rows["FIX-1"].figures.month_hours == Decimal("7.00")
    assert rows[other.key].figures.hours_used == Decimal("9.00")
    page = client.get("/epics/FIX-1/").context["d"]
    assert [m["hours"] for m in page.hours_per_month] == [Decimal("7.00"), Decimal("1.00")]


def test_epic_page_shows_the_accounts_month_as_context(
    client: Any, monthly_epic: Any, core_member: Any
) -> None:
    today = timezone.localdate()
    account = AccountFactory(key="ACME-DEV")
    monthly_epic.account = account
    monthly_epic.save()
    sibling = EpicFactory(cell=monthly_epic.cell, account=account)
    WorklogFactory(ticket=TicketFactory(epic=monthly_epic), account=account, seconds=3 * H, work_date=today)
    WorklogFactory(ticket=TicketFactory(epic=sibling), account=account, seconds=5 * H, work_date=today)
    WorklogFactory(ticket=None, account=account, seconds=H // 2, work_date=today)
    # Not counted: last month, and another account.
    WorklogFactory(ticket=None, account=account, seconds=40 * H, work_date=last_month_day(today))
    WorklogFactory(ticket=None, account=AccountFactory(), seconds=40 * H, work_date=today)
    client.force_login(core_member.user)
    response = client.get("/epics/MON-1/")
    d = response.context["d"]
    assert d.row.figures.month_hours == Decimal("3.00")
    assert (d.account.account, d.account.month_hours) == (account, Decimal("8.50"))
    assert "account ACME-DEV: 8.50 h this month" in response.content.decode()
    # An epic without an account shows no such line.
    monthly_epic.account = None
    monthly_epic.save()
    response = client.get("/epics/MON-1/")
    assert response.context["d"].account is None
    assert "data-account-hours" not in response.content.decode()


def test_fixed_projection_falls_back_on_the_original_estimate(
    client: Any, fixed_epic: Any, epic_owner: Any
) -> None:
    fixed_epic.budget_hours = Decimal("85")
    fixed_epic.save()
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic), seconds=60 * H)
    tickets = [
        # (status, original h, remaining h) -> counted
        ("In Progress", 30, 10),  # remaining estimate: 10
        ("To Do", 20, None),  # no remaining estimate: original, 20
        ("Backlog", None, None),  # no estimate at all: 0
        ("Code Review", 8, 0),  # remaining 0 is an estimate: 0
        ("Stretch Goals", 5, None),  # still work of the epic: 5
        ("Done", 40, 50),  # finished: 0
        ("Deployed & Delivered", 40, None),  # finished: 0
    ]
    for i, (status, original, remaining) in enumerate(tickets):
        TicketFactory(
            epic=fixed_epic,
            key=f"P-{i}",
            status=status,
            original_estimate_seconds=original * H if original is not None else None,
            remaining_estimate_seconds=remaining * H if remaining is not None else None,
        )
    # 10 + 20 + 5 = 35 h left; 60 + 35 = 95 h projected against 85 h.
    api = APIClient()
    api.force_authenticate(epic_owner.user)
    fig = figures(api, "FIX-1")
    assert (fig["remaining_estimate"], fig["projected_hours"]) == ("35.00", "95.00")
    assert (fig["budget_health"], fig["budget_note"]) == ("bad", "Projected over budget")
    client.force_login(epic_owner.user)
    page = client.get("/epics/FIX-1/").context["d"]
    left = {t.key: t.left_hours for t in page.tickets if t.key.startswith("P-")}
    assert left == {
        "P-0": Decimal("10.00"),
        "P-1": Decimal("20.00"),
        "P-2": Decimal("0.00"),
        "P-3": Decimal("0.00"),
        "P-4": Decimal("5.00"),
        "P-5": Decimal("0.00"),
        "P-6": Decimal("0.00"),
    }
