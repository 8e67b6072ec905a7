"""CSV downloads of the sustainability pages: the same figures as the page, on the same data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from opencraft_ops.tests.html_tables import csv_rows, table_rows
from sustainability.tests.factories import BudgetFactory, hours

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
Q1 = {"period": "quarter", "quarter": "2026-Q1"}


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_account_budgets_csv_has_the_dashboards_figures(bebop_data: Any) -> None:
    BudgetFactory(account=bebop_data["acme"], hours=12, since=date(2025, 1, 1))
    BudgetFactory(account=bebop_data["internal"], hours=2, since=date(2025, 1, 1))
    client = client_for("core")
    page = client.get("/sustainability/cells/bebop/", Q1)
    body = page.content.decode()
    assert 'href="?period=quarter&amp;quarter=2026-Q1&amp;format=csv"' in body  # linked from the page
    shown = table_rows(body, id="accounts-table")[1:]
    rows = csv_rows(client.get("/sustainability/cells/bebop/", {**Q1, "format": "csv"}))
    assert rows[0][:4] == ["account", "name", "category", "billable hours"]
    assert len(rows) - 1 == len(shown) == 3
    for row, cells in zip(rows[1:], shown, strict=True):
        (
            key,
            _name,
            category,
            billable,
            non_billable,
            non_cell,
            budget,
            spent,
            spent_pct,
            projected,
            _,
            health,
        ) = row
        assert cells[0].startswith(key) and cells[1] == category
        assert cells[2:5] == [billable, non_billable, non_cell]
        assert cells[5] == (budget or "–")
        assert cells[6].startswith(spent) and (not spent_pct or f"({spent_pct}%)" in cells[6])
        assert cells[7].startswith(projected)
        assert cells[8] == health
    acme = next(r for r in rows if r[0] == "ACME")
    assert acme[3] == "30.00" and acme[6] == "36.00" and acme[8] == "83.3" and acme[11] == "watch"
    assert next(r for r in rows if r[0] == "BB-INT")[11] == "over budget"


def test_company_budgets_csv_needs_the_company_view(bebop_data: Any, staff_user: Any) -> None:
    assert client_for("core").get("/sustainability/company/", {"format": "csv"}).status_code == 403
    rows = csv_rows(client_for("staff").get("/sustainability/company/", {**Q1, "format": "csv"}))
    assert {r[0] for r in rows[1:]} == {"ACME", "BB-INT", "COMMUNITY", "GLOBEX"}


def test_worklogs_csv_has_every_worklog_of_the_drill_down(bebop_data: Any, core_member: Any) -> None:
    for day in range(55):  # more than one page of 50
        hours(core_member, bebop_data["acme"], date(2026, 1, 1) + timedelta(days=day), "1.5")
    client = client_for("core")
    page = client.get("/sustainability/accounts/ACME/worklogs/", Q1)
    assert "58 worklogs" in page.content.decode() and "format=csv" in page.content.decode()
    shown = table_rows(page.content.decode(), id="worklogs-table")[1:]
    rows = csv_rows(
        client.get("/sustainability/accounts/ACME/worklogs/", {**Q1, "format": "csv", "page": "2"})
    )
    assert rows[0] == ["date", "member", "ticket", "hours", "billable hours", "description", "logged at"]
    assert len(rows) - 1 == 58  # every page
    for row, cells in zip(rows[1:], shown, strict=False):  # the page's first 50, same order
        assert datetime.strptime(cells[0], "%a %d %b %Y").date() == date.fromisoformat(
            row[0]
        )  # ISO in the CSV
        assert cells[1] == row[1]
        assert Decimal(cells[3]) == Decimal(row[3]).quantize(Decimal(1))  # the page rounds to whole hours
    assert sum(Decimal(r[3]) for r in rows[1:]) == Decimal("30") + 55 * Decimal("1.5")


def test_worklogs_csv_refusals(bebop_data: Any, client: Client) -> None:
    url = "/sustainability/accounts/ACME/worklogs/"
    assert client.get(url, {"format": "csv"}).status_code == 302
    assert client_for("outsider").get(url, {"format": "csv"}).status_code == 403
    bad = client_for("core").get(url, {"format": "csv", "period": "custom", "start": "nope"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/plain")


def test_quarterly_csv_has_the_reports_figures(bebop_data: Any, cell: Any) -> None:
    client = client_for("core")
    url = f"/sustainability/{cell.slug}/quarterly/2026/1/"
    page = client.get(url)
    table = page.context["table"]
    assert 'href="?format=csv"' in page.content.decode()
    rows = csv_rows(client.get(url, {"format": "csv"}))
    by_name = {r[0]: r for r in rows[1:]}
    quarter = by_name["quarter"]
    assert quarter[4:11] == [
        str(table.quarter_only.totals.total),
        str(table.quarter_only.totals.non_cell),
        "30.00",
        "10.00",
        "25.0",
        "30.0",
        "2.86",
    ]
    assert "25.0%" in page.content.decode()  # the same ratio in the report's text
    assert by_name["entire reference period"][8] == str(table.entire.ratio_percent)
    assert by_name["top billable: ACME"][6] == "30.00"
    assert by_name["top non-billable: BB-INT"][7] == "10.00"


def test_csv_cells_cannot_start_a_formula(bebop_data: Any, core_member: Any) -> None:
    hours(core_member, bebop_data["acme"], date(2026, 2, 1), 1, description='=HYPERLINK("x")')
    rows = csv_rows(
        client_for("core").get("/sustainability/accounts/ACME/worklogs/", {**Q1, "format": "csv"})
    )
    assert '\'=HYPERLINK("x")' in [r[5] for r in rows]


def test_admin_action_downloads_the_selected_worklogs(bebop_data: Any, staff_user: Any) -> None:
    from sustainability.models import Worklog

    client = client_for("staff")
    chosen = list(Worklog.objects.filter(account=bebop_data["acme"]).order_by("work_date"))
    response = client.post(
        "/admin/sustainability/worklog/",
        {"action": "export_selected_as_csv", "_selected_action": [w.pk for w in chosen]},
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "Work date",
        "Member",
        "Ticket",
        "Account",
        "Seconds",
        "Billable seconds",
        "Created at",
    ]
    assert sorted(r[0] for r in rows[1:]) == [str(w.work_date) for w in chosen]
    assert {r[4] for r in rows[1:]} == {"36000"}
