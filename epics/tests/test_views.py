"""Epics board, epic page, planning view, status changes, milestones and budgets through HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from epics.models import EpicBudgetPeriod, EpicMilestone, EpicStatusChange
from epics.tests.answers import MONTHLY_ANSWERS_OK
from epics.tests.factories import (
    AccountFactory,
    BudgetPeriodFactory,
    EpicFactory,
    MilestoneFactory,
    TicketFactory,
    WorklogFactory,
)
from opencraft_ops import calendar
from roles.tests.factories import MemberFactory, TimeOffFactory
from sprints.calculations import thursday_w2

pytestmark = pytest.mark.django_db


def make_epics(cell: Any, owner: Any, n: int, tickets_per_epic: int = 2) -> list[Any]:
    epics = []
    statuses = ["prospect", "offer", "accepted", "in_development", "delivered", "done"]
    for i in range(n):
        epic = EpicFactory(
            cell=cell,
            owner=owner,
            reviewer=owner,
            status=statuses[i % 6],
            budget_kind=["fixed", "monthly", "none"][i % 3],
        )
        MilestoneFactory(epic=epic, deadline=timezone.localdate() + timedelta(days=10 + i))
        for _ in range(tickets_per_epic):
            WorklogFactory(ticket=TicketFactory(epic=epic, remaining_estimate_seconds=3600), seconds=1800)
        epics.append(epic)
    return epics


def test_board_columns_figures_and_filters(
    client: Any, cell: Any, fixed_epic: Any, monthly_epic: Any, epic_owner: Any, core_member: Any
) -> None:
    ticket = TicketFactory(epic=fixed_epic, remaining_estimate_seconds=10 * 3600)
    WorklogFactory(ticket=ticket, seconds=30 * 3600)
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic), seconds=12 * 3600)
    MilestoneFactory(epic=fixed_epic, deadline=timezone.localdate() + timedelta(days=30), title="Beta")
    MilestoneFactory(epic=fixed_epic, deadline=timezone.localdate() + timedelta(days=5), title="Demo")
    MilestoneFactory(epic=fixed_epic, deadline=timezone.localdate() - timedelta(days=5), title="Missed one")
    EpicFactory(cell=cell, key="DONE-1", status="done")
    client.force_login(core_member.user)
    response = client.get(f"/epics/cell/{cell.slug}/")
    assert response.status_code == 200
    columns = {c.status: c for c in response.context["columns"]}
    assert [r.epic.key for r in columns["in_development"].rows] == ["FIX-1", "MON-1"]
    assert [r.epic.key for r in columns["done"].rows] == ["DONE-1"]
    row = columns["in_development"].rows[0]
    assert row.figures.hours_used == Decimal("42.00")
    assert row.budget.used == Decimal("42.00") and row.budget.budget == Decimal("100")
    assert row.due == timezone.localdate() + timedelta(days=5)
    assert row.oldest_overdue == timezone.localdate() - timedelta(days=5)
    html = response.content.decode()
    assert "42.00 / 100.00 h" in html and "missed" in html
    filtered = client.get(f"/epics/cell/{cell.slug}/", {"budget_kind": "monthly"})
    assert [r.epic.key for c in filtered.context["columns"] for r in c.rows] == ["MON-1"]
    filtered = client.get(f"/epics/cell/{cell.slug}/", {"q": "done-"})
    assert [r.epic.key for c in filtered.context["columns"] for r in c.rows] == ["DONE-1"]
    filtered = client.get(f"/epics/cell/{cell.slug}/", {"owner": epic_owner.pk, "health": "update-missing"})
    assert [r.epic.key for c in filtered.context["columns"] for r in c.rows] == ["FIX-1", "MON-1"]
    bad = client.get(f"/epics/cell/{cell.slug}/", {"owner": "abc"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_board_query_count_is_constant(
    client: Any, cell: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(epic_owner.user)
    url = f"/epics/cell/{cell.slug}/"
    make_epics(cell, epic_owner, 3)
    # session, user (with member: can_view_cell), cell, members for the owner filter,
    # epics with subqueries, worklog aggregate, remaining-estimate aggregate.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    make_epics(cell, epic_owner, 12, tickets_per_epic=4)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["count"] == 15


def test_board_refusals(client: Any, cell: Any, outsider: Any) -> None:
    url = f"/epics/cell/{cell.slug}/"
    assert client.get(url).status_code == 302
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403
    assert client.get("/epics/cell/nowhere/").status_code == 404
    assert client.post(url).status_code == 405


def test_index_redirects_to_own_cell_and_lists_cells_for_staff(
    client: Any, cell: Any, core_member: Any, staff_user: Any
) -> None:
    client.force_login(core_member.user)
    assert client.get("/epics/")["Location"] == f"/epics/cell/{cell.slug}/"
    client.force_login(staff_user)
    response = client.get("/epics/")
    assert response.status_code == 200 and cell in response.context["cells"]


def test_epic_page(client: Any, fixed_epic: Any, core_member: Any, outsider: Any) -> None:
    today = timezone.localdate()
    fixed_epic.account = AccountFactory(key="ACME", billable=True)
    fixed_epic.save()
    WorklogFactory(
        ticket=TicketFactory(epic=fixed_epic, key="T-1"),
        seconds=7200,
        billable_seconds=3600,
        work_date=today,
        account=fixed_epic.account,
    )
    WorklogFactory(
        ticket=TicketFactory(epic=fixed_epic, key="T-2"),
        seconds=3600,
        work_date=today.replace(day=1) - timedelta(days=1),
    )
    MilestoneFactory(epic=fixed_epic, title="Kick-off", deadline=today + timedelta(days=3))
    client.force_login(core_member.user)
    response = client.get("/epics/FIX-1/")
    assert response.status_code == 200
    d = response.context["d"]
    assert [m["hours"] for m in d.hours_per_month] == [Decimal("2.00"), Decimal("1.00")]
    # Billable as the sustainability app counts it: T-1 is on a billable account
    # (1 h of its 2 h billable); T-2 has no account, so none of it is.
    assert [m["billable"] for m in d.hours_per_month] == [Decimal("1.00"), Decimal("0.00")]
    assert {t.key for t in d.tickets} == {"T-1", "T-2"}
    assert d.row.due == today + timedelta(days=3)
    assert response.context["can_edit"] is False
    html = response.content.decode()
    assert "Kick-off" in html and "Change status" not in html
    client.force_login(outsider.user)
    assert client.get("/epics/FIX-1/").status_code == 403
    assert client.get("/epics/NOPE/").status_code == 404
    assert client.post("/epics/FIX-1/").status_code == 405


def fill_epic_page(epic: Any, owner: Any, n: int) -> None:
    """``n`` of everything the epic page lists: milestones, tickets with worklogs
    in ``n`` different months (and one on the epic issue), monthly budgets,
    status changes and sprint updates."""
    from epics import services
    from epics.models import EpicUpdate

    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    start = EpicUpdate.objects.filter(epic=epic).count()
    for i in range(n):
        MilestoneFactory(epic=epic, deadline=today + timedelta(days=5 + 20 * i))
        ticket = TicketFactory(
            epic=epic, assignee=owner, reviewer=owner, remaining_estimate_seconds=3600 * (i + 1)
        )
        for month in range(n):
            WorklogFactory(ticket=ticket, account=epic.account, work_date=today - timedelta(days=31 * month))
        BudgetPeriodFactory(epic=epic, since=today - timedelta(days=400 + 31 * (i + start)))
        EpicStatusChange.objects.create(epic=epic, from_status="accepted", to_status="in_development")
        services.epic_update_save(
            epic=epic, sprint_number=current - start - i, author=owner, answers=MONTHLY_ANSWERS_OK
        )
    WorklogFactory(ticket=None, jira_issue_id=epic.jira_id, account=epic.account, work_date=today)


def test_epic_page_query_count_is_constant(
    client: Any, monthly_epic: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    monthly_epic.jira_id = "10042"
    monthly_epic.account = AccountFactory(key="ACME")
    monthly_epic.save()
    client.force_login(epic_owner.user)
    url = "/epics/MON-1/"
    fill_epic_page(monthly_epic, epic_owner, 2)
    # session, user (with member: read once for viewing and editing), the epic (cell,
    # account, owner, reviewer), the epic row (epic with subqueries), its worklog
    # aggregate (tickets and epic issue), its estimate aggregate, the owner's time
    # off, tickets, milestones, budget periods, status changes, updates, hours
    # per month, the account's month.
    with django_assert_num_queries(14):
        small = client.get(url)
    assert small.status_code == 200 and len(small.context["d"].tickets) == 2
    fill_epic_page(monthly_epic, epic_owner, 6)
    with django_assert_num_queries(14):
        large = client.get(url)
    d = large.context["d"]
    assert (len(d.milestones), len(d.tickets), len(d.updates), len(d.status_changes)) == (8, 8, 8, 8)
    assert len(d.budget_periods) == 8 and len(d.hours_per_month) >= 6
    # 2 x 2 + 6 x 6 worklogs on the tickets and one on the epic issue per fill.
    assert d.row.figures.hours_used == Decimal("42.00")


def test_status_transition_recorded(client: Any, fixed_epic: Any, epic_owner: Any) -> None:
    client.force_login(epic_owner.user)
    response = client.post("/epics/FIX-1/status/", {"to_status": "delivered", "note": "Shipped to QA"})
    assert response.status_code == 302
    fixed_epic.refresh_from_db()
    assert fixed_epic.status == "delivered"
    change = EpicStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "in_development",
        "delivered",
        epic_owner.user,
        "Shipped to QA",
    )
    # Not allowed from Delivered: nothing changes.
    client.post("/epics/FIX-1/status/", {"to_status": "prospect"})
    fixed_epic.refresh_from_db()
    assert fixed_epic.status == "delivered" and EpicStatusChange.objects.count() == 1


def test_status_transition_refusals(client: Any, fixed_epic: Any, core_member: Any) -> None:
    url = "/epics/FIX-1/status/"
    assert client.post(url, {"to_status": "delivered"}).status_code == 302  # to login
    client.force_login(core_member.user)
    assert client.post(url, {"to_status": "delivered"}).status_code == 403
    assert client.get(url).status_code == 405
    fixed_epic.refresh_from_db()
    assert fixed_epic.status == "in_development" and not EpicStatusChange.objects.exists()


def test_milestones_and_due_date(client: Any, fixed_epic: Any, epic_manager: Any, core_member: Any) -> None:
    today = timezone.localdate()
    client.force_login(epic_manager.user)
    client.post(
        "/epics/FIX-1/milestones/",
        {"title": "Beta", "deadline": (today + timedelta(days=9)).isoformat()},
    )
    client.post(
        "/epics/FIX-1/milestones/",
        {"title": "Launch", "deadline": (today + timedelta(days=40)).isoformat()},
    )
    client.post("/epics/FIX-1/milestones/", {"title": "", "deadline": "soon"})
    assert EpicMilestone.objects.count() == 2
    page = client.get("/epics/FIX-1/")
    assert page.context["d"].row.due == today + timedelta(days=9)
    beta = EpicMilestone.objects.get(title="Beta")
    client.post(f"/epics/FIX-1/milestones/{beta.pk}/")
    beta.refresh_from_db()
    assert beta.done
    assert client.get("/epics/FIX-1/").context["d"].row.due == today + timedelta(days=40)
    client.post(f"/epics/FIX-1/milestones/{beta.pk}/", {"action": "delete"})
    assert not EpicMilestone.objects.filter(pk=beta.pk).exists()
    client.force_login(core_member.user)
    launch = EpicMilestone.objects.get()
    assert client.post(f"/epics/FIX-1/milestones/{launch.pk}/", {"action": "delete"}).status_code == 403
    assert (
        client.post("/epics/FIX-1/milestones/", {"title": "X", "deadline": today.isoformat()}).status_code
        == 403
    )
    assert EpicMilestone.objects.count() == 1


def test_monthly_budget_history(client: Any, monthly_epic: Any, epic_owner: Any, core_member: Any) -> None:
    client.force_login(epic_owner.user)
    client.post("/epics/MON-1/budget/", {"hours_per_month": "40", "since": "2026-01-01"})
    client.post("/epics/MON-1/budget/", {"hours_per_month": "-5", "since": "2026-02-01"})
    client.post("/epics/MON-1/budget/", {"hours_per_month": "60", "since": "2026-06-01"})
    assert list(EpicBudgetPeriod.objects.values_list("hours_per_month", flat=True)) == [
        Decimal("40"),
        Decimal("60"),
    ]
    client.force_login(core_member.user)
    assert (
        client.post("/epics/MON-1/budget/", {"hours_per_month": "1", "since": "2026-03-01"}).status_code
        == 403
    )


def test_planning_view(
    client: Any,
    cell: Any,
    fixed_epic: Any,
    monthly_epic: Any,
    epic_manager: Any,
    epic_owner: Any,
    epic_reviewer: Any,
    outsider: Any,
    django_assert_num_queries: Any,
) -> None:
    today = timezone.localdate()
    due = thursday_w2(calendar.sprint_on(today))
    TimeOffFactory(member=epic_owner, start=due, end=due)
    away = MemberFactory(cell=cell, user__first_name="Away", user__last_name="Person")
    TimeOffFactory(member=away, start=today + timedelta(days=7), end=today + timedelta(days=20))
    client.force_login(epic_manager.user)
    from epics import services

    services.epic_transition(
        epic=monthly_epic, to_status="offer", by=epic_manager.user, note="Waiting on the client"
    )
    # session, user (with member), cell, epics, worklog and estimate aggregates,
    # owners' time off, cell members, their time off, recent status changes; the forward
    # capacity plan: open epics' updates, budget periods, members, commitments, time off (5).
    with django_assert_num_queries(15):
        response = client.get(f"/epics/cell/{cell.slug}/planning/")
    rows = response.context["rows"]
    assert {r.epic.key: r.update_state for r in rows} == {"FIX-1": "missing", "MON-1": "not needed"}
    assert all(r.responsible == epic_reviewer and r.owner_off_on_due_day for r in rows)
    assert [(c.epic.key, c.to_status) for c in response.context["changes"]] == [("MON-1", "offer")]
    assert "Waiting on the client" in response.content.decode()
    assert [n.member for n in response.context["away"]] == [away]
    assert "Away Person" in response.content.decode()
    client.force_login(outsider.user)
    assert client.get(f"/epics/cell/{cell.slug}/planning/").status_code == 403


def test_planning_view_availability_notes(client: Any, cell: Any, other_cell: Any, epic_manager: Any) -> None:
    from epics.calculations import months_later

    today = timezone.localdate()
    window_end = months_later(today, 2)

    def away(name: str, start: Any, end: Any, **kw: Any) -> Any:
        member = MemberFactory(cell=kw.pop("cell", cell), user__first_name=name, user__last_name="X")
        TimeOffFactory(member=member, start=start, end=end, **kw)
        return member

    week = away("Week", today + timedelta(days=7), today + timedelta(days=13))  # 5 workdays
    away("Four", today + timedelta(days=7), today + timedelta(days=10))  # at most 4 workdays
    away("Half", today + timedelta(days=7), today + timedelta(days=20), hours_per_day=Decimal("4"))
    away("Later", window_end + timedelta(days=1), window_end + timedelta(days=14))
    away("Edge", window_end - timedelta(days=2), window_end + timedelta(days=20))  # 3 days inside
    away("Elsewhere", today + timedelta(days=7), today + timedelta(days=20), cell=other_cell)
    client.force_login(epic_manager.user)
    response = client.get(f"/epics/cell/{cell.slug}/planning/")
    assert response.status_code == 200
    assert [n.member for n in response.context["away"]] == [week]
    assert response.context["away"][0].workdays_off == 5
    html = response.content.decode()
    assert "Week X: 5 working days off" in html
    assert f"to {date_format(window_end)}" in html
    for name in ("Four X", "Half X", "Later X", "Edge X", "Elsewhere X"):
        assert name not in html


def test_board_with_100_epics_and_5000_tickets(
    client: Any, cell: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    from datetime import UTC, datetime

    from epics.models import Epic
    from sprints.models import Ticket
    from sustainability.models import Worklog

    epics = Epic.objects.bulk_create(
        Epic(
            key=f"BIG-{i}",
            title=f"Epic {i}",
            cell=cell,
            owner=epic_owner,
            status="in_development",
            budget_kind="fixed",
            budget_hours=Decimal("100"),
        )
        for i in range(100)
    )
    tickets = Ticket.objects.bulk_create(
        Ticket(key=f"BT-{i}", summary="t", cell=cell, epic=epics[i % 100], remaining_estimate_seconds=600)
        for i in range(5000)
    )
    now = datetime.now(UTC)
    Worklog.objects.bulk_create(
        Worklog(
            ticket=tickets[i], work_date=timezone.localdate(), seconds=3600, created_at=now, updated_at=now
        )
        for i in range(5000)
    )
    client.force_login(epic_owner.user)
    # session, user (with member: can_view_cell), cell, members for the owner filter,
    # epics with subqueries, ONE worklog aggregate, remaining-estimate aggregate.
    with django_assert_num_queries(7) as captured:
        response = client.get(f"/epics/cell/{cell.slug}/")
    worklog_queries = [q for q in captured.captured_queries if "sustainability_worklog" in q["sql"]]
    assert len(worklog_queries) == 1
    rows = response.context["columns"][3].rows
    assert len(rows) == 100
    assert all(r.figures.hours_used == Decimal("50.00") for r in rows)
    assert all(r.figures.remaining_estimate == Decimal("8.33") for r in rows)


def test_external_status_changes_are_recorded_without_the_graph(fixed_epic: Any) -> None:
    from epics import services

    change = services.epic_status_record_external(epic=fixed_epic, to_status="prospect")
    assert change is not None and (change.from_status, change.to_status, change.changed_by) == (
        "in_development",
        "prospect",
        None,
    )
    assert services.epic_status_record_external(epic=fixed_epic, to_status="prospect") is None
    assert EpicStatusChange.objects.count() == 1


def test_budget_kind_and_fixed_hours(
    client: Any, fixed_epic: Any, epic_manager: Any, core_member: Any
) -> None:
    url = "/epics/FIX-1/budget-kind/"
    client.force_login(epic_manager.user)
    client.post(url, {"budget_kind": "fixed", "budget_hours": "250"})
    fixed_epic.refresh_from_db()
    assert fixed_epic.budget_hours == Decimal("250")
    client.post(url, {"budget_kind": "fixed", "budget_hours": ""})  # a fixed budget needs hours
    client.post(url, {"budget_kind": "fixed", "budget_hours": "-5"})
    client.post(url, {"budget_kind": "weekly", "budget_hours": "5"})
    fixed_epic.refresh_from_db()
    assert (fixed_epic.budget_kind, fixed_epic.budget_hours) == ("fixed", Decimal("250"))
    client.post(url, {"budget_kind": "monthly", "budget_hours": "99"})
    fixed_epic.refresh_from_db()
    assert (fixed_epic.budget_kind, fixed_epic.budget_hours) == ("monthly", None)
    client.force_login(core_member.user)
    assert client.post(url, {"budget_kind": "none"}).status_code == 403
    assert client.get(url).status_code == 405
    fixed_epic.refresh_from_db()
    assert fixed_epic.budget_kind == "monthly"
