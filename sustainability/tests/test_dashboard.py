"""The dashboard pages through HTTP: figures, refusals, bad input, query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sustainability.tests.factories import AccountFactory, BudgetFactory, hours, shown

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
Q1 = {"period": "quarter", "quarter": "2026-Q1"}


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_cell_dashboard_shows_ratio_target_and_remaining(bebop_data: Any) -> None:
    response = client_for("core").get("/sustainability/cells/bebop/", Q1)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-ratio="25.0"' in body
    assert "2.86 h" in body  # 30 x .3 / .7 - 10
    assert "30.0%" in body  # the target
    assert "<svg" in body and 'data-months="3"' in body
    assert "ACME" in body and "GLOBEX" not in body  # Falcon's account is not Bebop's


def test_empty_period_shows_an_undefined_ratio(bebop_data: Any) -> None:
    response = client_for("core").get("/sustainability/cells/bebop/", {"period": "month", "month": "2026-05"})
    assert response.status_code == 200
    assert 'data-ratio=""' in response.content.decode()
    assert "undefined" in response.content.decode()


def test_custom_and_sprint_and_year_and_reference_periods(bebop_data: Any) -> None:
    client = client_for("core")
    custom = client.get(
        "/sustainability/cells/bebop/", {"period": "custom", "start": "2026-02-01", "end": "2026-02-15"}
    )
    assert 'data-ratio="37.5"' in custom.content.decode()  # 6 / (10 + 6)
    for params in (
        {"period": "sprint", "sprint": "5"},
        {"period": "year", "year": "2026"},
        {"period": "reference"},
    ):
        assert client.get("/sustainability/cells/bebop/", params).status_code == 200
    year = client.get("/sustainability/cells/bebop/", {"period": "year", "year": "2026"})
    assert 'data-months="12"' in year.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"period": "month", "month": "2026-13"},
        {"period": "quarter", "quarter": "Q5"},
        {"period": "custom", "start": "2026-03-01", "end": "2026-01-01"},
        {"period": "custom", "start": "2026-03-01"},
        {"period": "nonsense"},
        {"period": "sprint", "sprint": "-3"},
    ],
)
def test_bad_period_input_shows_an_error_and_the_current_quarter(
    bebop_data: Any, params: dict[str, str]
) -> None:
    response = client_for("core").get("/sustainability/cells/bebop/", params)
    assert response.status_code == 400  # the page still renders: the form with its error
    body = response.content.decode()
    assert 'role="alert"' in body and "Showing this quarter instead." in body
    assert 'id="period-form"' in body and 'data-ratio="' in body


def test_company_dashboard_sums_cells_with_non_cell_hours_apart(bebop_data: Any, staff_user: Any) -> None:
    client = client_for("staff")
    # The handbook's ratio by default: cell hours only (10 / 60), the 4 non-cell hours in their column.
    body = client.get("/sustainability/company/", Q1).content.decode()
    assert 'data-ratio="16.7"' in body
    assert "40.0%" in body  # the default company limit
    assert '<option value="0" selected>cell hours only (handbook)</option>' in body
    assert '<td class="num">4.00</td>' in body  # non-cell hours, shown apart
    # The other variant, picked explicitly: billable 30 + 20, non-billable 10 + 4: 14 / 64 = 21.9 %.
    counted = client.get("/sustainability/company/", {**Q1, "non_cell": "1"}).content.decode()
    assert 'data-ratio="21.9"' in counted
    assert "(non-cell hours counted as non-billable)" in counted
    assert "In this variant, non-cell hours are added to the non-billable hours." in counted
    explicit = client.get("/sustainability/company/", {**Q1, "non_cell": "0"}).content.decode()
    assert 'data-ratio="16.7"' in explicit
    bad = client.get("/sustainability/company/", {**Q1, "non_cell": "yes"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_refusals(bebop_data: Any, client: Client) -> None:
    anonymous = client.get("/sustainability/cells/bebop/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    outsider = client_for("outsider")
    assert outsider.get("/sustainability/cells/bebop/").status_code == 403
    assert outsider.get("/sustainability/company/").status_code == 403
    assert client_for("core").post("/sustainability/cells/bebop/").status_code == 405
    assert client_for("core").get("/sustainability/cells/nope/").status_code == 404


def test_index_redirects_to_the_members_cell(bebop_data: Any, staff_user: Any) -> None:
    assert client_for("core").get("/sustainability/")["Location"] == "/sustainability/cells/bebop/"
    assert client_for("staff").get("/sustainability/")["Location"] == "/sustainability/company/"


def test_sustainability_manager_sees_the_company_view(bebop_data: Any, cell: Any) -> None:
    manager = MemberFactory(cell=cell, user__username="epsm")
    RoleAssignmentFactory(
        member=manager, role=Role.objects.get(slug="epic-planning-sustainability-manager"), cell=cell
    )
    assert client_for("epsm").get("/sustainability/company/").status_code == 200


def test_budget_health_in_the_accounts_table(bebop_data: Any) -> None:
    BudgetFactory(account=bebop_data["acme"], hours=12, since=date(2025, 1, 1))  # 36 h a quarter, 30 spent
    BudgetFactory(account=bebop_data["internal"], hours=2, since=date(2025, 1, 1))  # 6 h a quarter, 10 spent
    body = client_for("core").get("/sustainability/cells/bebop/", Q1).content.decode()
    assert "36.00" in body and "(83.3%)" in body and "watch" in body
    assert "over budget" in body


def test_dashboard_query_count_does_not_grow_with_rows(
    bebop_data: Any, cell: Any, core_member: Any, django_assert_num_queries: Any
) -> None:
    client = client_for("core")
    # Queries: session, user (with their member), the cell, the company-view check,
    # accounts, targets, budgets, the hours aggregate (rollup; the custom period's
    # partial months add one), the manager check.
    with django_assert_num_queries(9):
        response = client.get("/sustainability/cells/bebop/", Q1)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-ratio="25.0"' in body and body.count("/worklogs/?") == 3  # ACME, BB-INT, COMMUNITY
    for n in range(12):
        account = AccountFactory(key=f"EXTRA-{n}", cell=cell, billable=n % 2 == 0)
        BudgetFactory(account=account, hours=50)
        for day in range(3):
            hours(core_member, account, date(2026, 1, 5) + timedelta(days=day * 20), 2)
    with django_assert_num_queries(9):
        response = client.get("/sustainability/cells/bebop/", Q1)
    assert response.status_code == 200
    body = response.content.decode()
    # 12 x 6 h more: 30 + 36 billable, 10 + 36 non-billable: 46 / 112 = 41.1 %.
    assert 'data-ratio="41.1"' in body
    assert body.count("/worklogs/?") == 15
    with django_assert_num_queries(10):
        response = client.get(
            "/sustainability/cells/bebop/", {"period": "custom", "start": "2025-12-15", "end": "2026-02-10"}
        )
    assert response.status_code == 200
    # 15 Dec - 10 Feb: ACME's 10 h of 10 January and of 10 February, BB-INT's 6 h of 3 February
    # and the extras of 5 and 25 January (12 x 2 x 2 h, half billable): 10 + 10 + 24 billable,
    # 6 + 24 non-billable: 30 / 74 = 40.5 %.
    assert 'data-ratio="40.5"' in response.content.decode()


def test_worklog_drill_down_is_paginated(
    bebop_data: Any, core_member: Any, django_assert_num_queries: Any
) -> None:
    for day in range(60):
        hours(core_member, bebop_data["acme"], date(2026, 1, 1) + timedelta(days=day), 1)
    client = client_for("core")
    # Queries: session, user (with their member: cell view), account (with cell), count, page.
    with django_assert_num_queries(5):
        response = client.get("/sustainability/accounts/ACME/worklogs/", Q1)
    assert response.status_code == 200
    assert "63 worklogs" in response.content.decode()
    assert "page 1 of 2" in response.content.decode()
    second = client.get("/sustainability/accounts/ACME/worklogs/", {**Q1, "page": "2"})
    assert "page 2 of 2" in second.content.decode()


def test_worklog_drill_down_refusals(bebop_data: Any, client: Client) -> None:
    assert client.get("/sustainability/accounts/ACME/worklogs/").status_code == 302
    assert client_for("outsider").get("/sustainability/accounts/ACME/worklogs/").status_code == 403
    assert client_for("core").get("/sustainability/accounts/NOPE/worklogs/").status_code == 404
    # On a non-cell account a member sees only their own cell's worklogs.
    body = client_for("outsider").get("/sustainability/accounts/COMMUNITY/worklogs/", Q1).content.decode()
    assert "0 worklogs" in body
    assert (
        "1 worklog"
        in client_for("core").get("/sustainability/accounts/COMMUNITY/worklogs/", Q1).content.decode()
    )


def test_drill_down_resolves_the_reference_period_like_the_dashboard(
    bebop_data: Any, core_member: Any
) -> None:
    # Bebop's target measures from 2025-01-01 (the settings' default start is 2019-01-01).
    hours(core_member, bebop_data["acme"], date(2024, 6, 3), 5)  # before Bebop's reference period
    client = client_for("core")
    today = shown(date.today())
    dashboard = client.get("/sustainability/cells/bebop/", {"period": "reference"}).content.decode()
    assert f"({shown(date(2025, 1, 1))} – {today})" in dashboard
    link = "/sustainability/accounts/ACME/worklogs/?period=reference&amp;scope=bebop"
    assert link in dashboard
    followed = client.get(
        "/sustainability/accounts/ACME/worklogs/", {"period": "reference", "scope": "bebop"}
    )
    body = followed.content.decode()
    assert (
        f"Entire reference period: {shown(date(2025, 1, 1))} – {today} · 3 worklogs" in body
    )  # not the 2024 one
    assert 'name="scope" value="bebop"' in body  # the period form keeps the scope
    assert 'href="/sustainability/cells/bebop/?period=reference"' in body  # back to the same dashboard
    # Without a scope the account's cell decides; company-wide, the company's reference start.
    default = client.get("/sustainability/accounts/ACME/worklogs/", {"period": "reference"})
    assert "· 3 worklogs" in default.content.decode()
    company = client.get(
        "/sustainability/accounts/ACME/worklogs/", {"period": "reference", "scope": "company"}
    )
    assert (
        f"Entire reference period: {shown(date(2019, 1, 1))} – {today} · 4 worklogs"
        in company.content.decode()
    )
    unknown = client.get("/sustainability/accounts/ACME/worklogs/", {"period": "reference", "scope": "nope"})
    assert unknown.status_code == 400 and "Unknown scope" in unknown.content.decode()
    bad = client.get("/sustainability/accounts/ACME/worklogs/", {"period": "month", "month": "2026-13"})
    assert bad.status_code == 400 and "Enter a month as YYYY-MM" in bad.content.decode()


SCRIPT = "<script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("url", "params", "text"),
    [
        ("/sustainability/accounts/ACME/worklogs/", {"scope": SCRIPT}, "Unknown scope"),
        ("/sustainability/cells/bebop/preview/", {"format": SCRIPT}, "Unknown format"),
        ("/sustainability/bebop/quarterly/2026/1/", {"format": SCRIPT}, "Unknown format"),
        ("/sustainability/cells/bebop/accounts-review/2026-03/", {"format": SCRIPT}, "Unknown format"),
        ("/sustainability/bebop/quarterly/2026/1/", {"variant": SCRIPT}, "The variant is"),
    ],
)
def test_refused_input_is_answered_in_plain_text(bebop_data: Any, url: str, params: Any, text: str) -> None:
    """A 400 that quotes the user's input is plain text, never HTML a browser would run."""
    response = client_for("core").get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert text in response.content.decode()


# --- The period control (issue 14) and bad period input (issue 18) ---------------------------

AS_OF = date(2026, 3, 18)  # a Wednesday in Q1 2026


@pytest.mark.parametrize(
    ("kind", "start", "end", "label"),
    [
        ("this-month", date(2026, 3, 1), date(2026, 3, 31), "This month (March 2026)"),
        ("this-quarter", date(2026, 1, 1), date(2026, 3, 31), "This quarter (Q1 2026)"),
        ("year-to-date", date(2026, 1, 1), AS_OF, "Year to date (2026)"),
        ("last-12-months", date(2025, 3, 19), AS_OF, "Last 12 months"),
        ("reference", date(2025, 1, 1), AS_OF, "Entire reference period"),
    ],
)
def test_presets_resolve_to_their_dates(kind: str, start: date, end: date, label: str) -> None:
    from sustainability import calculations as calc
    from sustainability.dashboard import PeriodChoice, resolve_period

    targets = [
        calc.TargetChange(since=date(2025, 1, 1), percent=Decimal(30), reference_start=date(2025, 1, 1))
    ]
    period = resolve_period(PeriodChoice(kind), targets=targets, as_of=AS_OF)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_sprint_presets_are_this_and_the_previous_sprint() -> None:
    from opencraft_ops import calendar
    from sustainability.dashboard import PeriodChoice, resolve_period

    current = calendar.sprint_on(AS_OF)
    this = resolve_period(PeriodChoice("this-sprint"), targets=[], as_of=AS_OF)
    last = resolve_period(PeriodChoice("last-sprint"), targets=[], as_of=AS_OF)
    assert (this.start, this.end) == (current.start, current.end)
    assert this.label == f"This sprint (Sprint {current.number})"
    assert last.end == current.start - timedelta(days=1)  # the sprint right before, back to back
    assert (last.end - last.start).days == 13
    assert last.label == f"Last sprint (Sprint {current.number - 1})"


def test_twelve_months_from_a_leap_day() -> None:
    from sustainability import calculations as calc

    assert calc.year_before(date(2028, 2, 29)) == date(2027, 3, 1)
    assert calc.year_before(date(2026, 1, 1)) == date(2025, 1, 2)


def test_the_period_control_offers_presets_and_a_custom_range(bebop_data: Any) -> None:
    body = client_for("core").get("/sustainability/cells/bebop/").content.decode()
    for label in (
        "This sprint",
        "Last sprint",
        "This month",
        "This quarter",
        "Year to date",
        "Last 12 months",
        "Entire reference period",
        "Custom range",
    ):
        assert f">{label}</option>" in body
    assert '<option value="this-quarter" selected>' in body  # the default
    assert 'type="date" name="start"' in body and 'type="date" name="end"' in body
    # The seven fields shown at once are gone: no sprint, month, quarter or year input.
    for old in ('name="sprint"', 'name="month"', 'name="quarter"', 'name="year"'):
        assert old not in body
    # The ratio and remaining hours are defined on the page.
    assert "non-billable cell hours ÷ (billable cell hours + non-billable cell hours)" in body
    assert "billable × T ÷ (1 − T) − non-billable (here T = 30.0%)" in body


@pytest.mark.parametrize(
    "kind", ["this-sprint", "last-sprint", "this-month", "this-quarter", "year-to-date", "last-12-months"]
)
def test_every_preset_shows_its_title(bebop_data: Any, kind: str) -> None:
    response = client_for("core").get("/sustainability/cells/bebop/", {"period": kind})
    assert response.status_code == 200
    title = kind.replace("-", " ").capitalize()  # "Last 12 months", "Year to date"
    assert f'<h2 id="figures-title">{title}' in response.content.decode()
    assert f'<option value="{kind}" selected>' in response.content.decode()


def test_a_legacy_link_keeps_working_and_keeps_its_value(bebop_data: Any) -> None:
    body = client_for("core").get("/sustainability/cells/bebop/", Q1).content.decode()
    assert 'data-ratio="25.0"' in body
    assert '<option value="quarter" selected>Quarter</option>' in body
    assert '<input type="hidden" name="quarter" value="2026-Q1">' in body


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"period": "custom", "start": "2026-03-01", "end": "2026-01-01"}, "cannot be before the start"),
        ({"period": "custom", "start": "yesterday", "end": "2026-01-01"}, "From: Enter the start as a date"),
        ({"period": "custom", "start": "2026-01-01", "end": "2026-02-30"}, "To: Enter the end as a date"),
        (
            {"period": "custom", "start": "0001-01-01", "end": "0001-01-02"},
            "between 2000-01-01 and 2100-12-31",
        ),
        (
            {"period": "custom", "start": "2026-01-01", "end": "9999-12-31"},
            "between 2000-01-01 and 2100-12-31",
        ),
        ({"period": "custom", "start": "2000-01-01", "end": "2099-12-31"}, "ten years at most"),
        ({"period": "custom", "end": "2026-01-01"}, "needs a start and an end date"),
        ({"period": "last-century"}, "Select a valid choice"),
    ],
)
def test_bad_custom_ranges_get_a_form_error_never_a_500(
    bebop_data: Any, staff_user: Any, params: dict[str, str], text: str
) -> None:
    for client, url in (
        (client_for("core"), "/sustainability/cells/bebop/"),
        (client_for("staff"), "/sustainability/company/"),
        (client_for("core"), "/sustainability/accounts/ACME/worklogs/"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert 'role="alert"' in body and text in body, url
    api = client_for("core").get("/api/sustainability/figures/", {"cell": "bebop", **params})
    assert api.status_code == 400
    assert set(api.json()) & {"period", "start", "end", "non_field_errors", "__all__"}


def test_hours_outside_every_cell_are_shown_apart(bebop_data: Any, core_member: Any, staff_user: Any) -> None:
    # A client account synced without a cell: Bebop's member logs 5 h on it in February.
    orphan = AccountFactory(key="ORPHAN", name="No cell yet", category="client", billable=True, cell=None)
    hours(core_member, orphan, date(2026, 2, 12), 5)
    cell_body = client_for("core").get("/sustainability/cells/bebop/", Q1).content.decode()
    assert '<td class="num" id="outside-cells">5.00</td>' in cell_body
    assert 'data-ratio="25.0"' in cell_body  # no cell's ratio counts them: still 10 / 40
    assert "No cell's ratio counts them (they are not in the figures above)" in cell_body
    company = client_for("staff").get("/sustainability/company/", Q1).content.decode()
    assert '<td class="num" id="outside-cells">5.00</td>' in company
    assert 'data-ratio="15.4"' in company  # the company counts them: 10 / (30 + 20 + 5 + 10)
    other = client_for("outsider").get("/sustainability/cells/falcon/", Q1).content.decode()
    assert '<td class="num" id="outside-cells">0.00</td>' in other  # logged by Bebop's member
