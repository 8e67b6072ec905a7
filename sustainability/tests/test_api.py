"""The sustainability REST API: reads, writes by role, refusals, query counts, schema."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sustainability.models import AccountBudget, SustainabilityTarget
from sustainability.tests.factories import AccountFactory, BudgetFactory, hours

pytestmark = pytest.mark.django_db


def api(username: str | None = None) -> APIClient:
    client = APIClient()
    if username:
        assert client.login(username=username, password="correct-horse-battery")
    return client


@pytest.fixture
def manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="epsm")
    RoleAssignmentFactory(
        member=member, role=Role.objects.get(slug="epic-planning-sustainability-manager"), cell=cell
    )
    return member


def test_accounts_read_and_staff_write(
    bebop_data: Any, staff_user: Any, django_assert_num_queries: Any
) -> None:
    client = api("core")
    for n in range(5):
        AccountFactory(key=f"MORE-{n}")
    # Queries: session, user, count, page (cell preloaded).
    with django_assert_num_queries(4):
        response = client.get("/api/sustainability/accounts/")
    assert response.status_code == 200 and response.json()["count"] == 9
    assert (
        client.post(
            "/api/sustainability/accounts/", {"key": "X", "name": "X", "category": "client"}
        ).status_code
        == 403
    )
    staff = api("staff")
    created = staff.post(
        "/api/sustainability/accounts/", {"key": "X", "name": "X", "category": "client", "cell": "bebop"}
    )
    assert created.status_code == 201 and created.json()["cell"] == "bebop"
    bad = staff.post("/api/sustainability/accounts/", {"key": "Y", "name": "Y", "category": "charity"})
    assert bad.status_code == 400 and "category" in bad.json()
    assert api().get("/api/sustainability/accounts/").status_code in (401, 403)


def test_budgets_written_by_the_cells_manager(bebop_data: Any, manager: Any, staff_user: Any) -> None:
    client = api("epsm")
    ok = client.post(
        "/api/sustainability/budgets/",
        {"account": "ACME", "kind": "monthly", "hours": "40", "since": "2026-01-01"},
    )
    assert ok.status_code == 201
    foreign = client.post(
        "/api/sustainability/budgets/", {"account": "GLOBEX", "hours": "40", "since": "2026-01-01"}
    )
    assert foreign.status_code == 403
    negative = client.post(
        "/api/sustainability/budgets/", {"account": "ACME", "hours": "-1", "since": "2026-02-01"}
    )
    assert negative.status_code == 400
    duplicate = client.post(
        "/api/sustainability/budgets/", {"account": "ACME", "hours": "10", "since": "2026-01-01"}
    )
    assert duplicate.status_code == 400
    assert (
        api("core")
        .post("/api/sustainability/budgets/", {"account": "ACME", "hours": "1", "since": "2026-03-01"})
        .status_code
        == 403
    )
    budget = AccountBudget.objects.get()
    assert client.patch(f"/api/sustainability/budgets/{budget.pk}/", {"hours": "45"}).status_code == 200
    assert budget.history.count() == 2  # created, then changed
    globex_budget: AccountBudget = BudgetFactory(account=bebop_data["globex"])  # type: ignore[assignment]
    assert client.patch(f"/api/sustainability/budgets/{globex_budget.pk}/", {"hours": "1"}).status_code == 403
    assert api("staff").delete(f"/api/sustainability/budgets/{globex_budget.pk}/").status_code == 204


def test_targets_and_company_limit(bebop_data: Any, manager: Any, staff_user: Any) -> None:
    client = api("epsm")
    unlocked = client.post(
        "/api/sustainability/targets/",
        {
            "cell": "bebop",
            "max_non_billable_percent": "35",
            "since": "2026-06-01",
            "reference_start": "2025-01-01",
        },
    )
    assert unlocked.status_code == 201
    same_day = client.post(
        "/api/sustainability/targets/",
        {
            "cell": "bebop",
            "max_non_billable_percent": "36",
            "since": "2026-06-01",
            "reference_start": "2025-01-01",
        },
    )
    assert same_day.status_code == 400
    assert same_day.json() == {"non_field_errors": ["This cell already has a target starting that day."]}
    company = {"max_non_billable_percent": "45", "since": "2026-01-01", "reference_start": "2024-01-01"}
    assert client.post("/api/sustainability/targets/", company).status_code == 403
    assert api("staff").post("/api/sustainability/targets/", company).status_code == 201
    backwards = {
        "cell": "bebop",
        "max_non_billable_percent": "35",
        "since": "2026-07-01",
        "reference_start": "2026-08-01",
    }
    refused = client.post("/api/sustainability/targets/", backwards)
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["The reference period must start on or before the target."]
    }
    target = SustainabilityTarget.objects.get(cell__slug="bebop", since=date(2026, 6, 1))
    moved = client.patch(f"/api/sustainability/targets/{target.pk}/", {"reference_start": "2026-07-01"})
    assert moved.status_code == 400 and "non_field_errors" in moved.json()  # the same rule on an update
    target.refresh_from_db()
    assert target.reference_start == date(2025, 1, 1)  # nothing half-saved
    too_high = {
        "cell": "bebop",
        "max_non_billable_percent": "100",
        "since": "2026-07-01",
        "reference_start": "2026-01-01",
    }
    assert client.post("/api/sustainability/targets/", too_high).status_code == 400
    assert SustainabilityTarget.objects.filter(cell__isnull=True).count() == 1


def test_worklogs_are_scoped_to_the_users_cell(
    bebop_data: Any, core_member: Any, staff_user: Any, django_assert_num_queries: Any
) -> None:
    for day in range(1, 8):
        hours(core_member, bebop_data["acme"], date(2026, 4, day), 1)
    client = api("core")
    # Queries: session, user (with member), company-role check, count, page (joined).
    with django_assert_num_queries(5):
        response = client.get("/api/sustainability/worklogs/")
    assert response.json()["count"] == 13  # Bebop's 6 + 7; not Falcon's GLOBEX worklog
    assert api("outsider").get("/api/sustainability/worklogs/").json()["count"] == 1
    assert api("staff").get("/api/sustainability/worklogs/").json()["count"] == 14
    filtered = client.get(
        "/api/sustainability/worklogs/", {"work_date__gte": "2026-04-01", "account__key": "ACME"}
    )
    assert filtered.json()["count"] == 7
    assert client.post("/api/sustainability/worklogs/", {}).status_code == 405


def test_figures_endpoint(bebop_data: Any, staff_user: Any, django_assert_num_queries: Any) -> None:
    client = api("core")
    # Queries: session, user (with member), cell, accounts, targets, budgets, hours.
    with django_assert_num_queries(7):
        response = client.get(
            "/api/sustainability/figures/", {"cell": "bebop", "period": "quarter", "quarter": "2026-Q1"}
        )
    body = response.json()
    assert body["figures"]["ratio_percent"] == "25.0"
    assert body["figures"]["remaining_non_billable_hours"] == "2.86"
    assert [m["month"] for m in body["months"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    empty = client.get(
        "/api/sustainability/figures/", {"cell": "bebop", "period": "month", "month": "2026-06"}
    ).json()
    assert empty["figures"]["ratio_percent"] is None and empty["figures"]["state"] == "undefined"
    assert (
        client.get(
            "/api/sustainability/figures/", {"cell": "bebop", "period": "month", "month": "June"}
        ).status_code
        == 400
    )
    assert client.get("/api/sustainability/figures/", {}).status_code == 400
    assert client.get("/api/sustainability/figures/", {"cell": "nope"}).status_code == 404
    assert client.get("/api/sustainability/figures/", {"cell": "company"}).status_code == 403
    assert api("outsider").get("/api/sustainability/figures/", {"cell": "bebop"}).status_code == 403
    company = api("staff").get(
        "/api/sustainability/figures/", {"cell": "company", "period": "quarter", "quarter": "2026-Q1"}
    )
    # The handbook's ratio by default: cell hours only (10 / 60), the 4 non-cell hours apart.
    assert company.json()["figures"]["ratio_percent"] == "16.7"
    assert company.json()["figures"]["non_cell_hours"] == "4.00"
    counted = api("staff").get(
        "/api/sustainability/figures/",
        {"cell": "company", "period": "quarter", "quarter": "2026-Q1", "non_cell": "true"},
    )
    assert counted.json()["figures"]["ratio_percent"] == "21.9"  # 14 / 64, the variant asked for


def test_quarterly_and_preview_endpoints(bebop_data: Any) -> None:
    client = api("core")
    table = client.get(
        "/api/sustainability/quarterly/", {"cell": "bebop", "year": "2026", "quarter": "1"}
    ).json()
    assert table["quarter_only"]["ratio_percent"] == "25.0"
    assert table["top_billable"][0]["account"] == "ACME"
    assert table["previous_quarter"]["ratio_percent"] is None
    assert (
        client.get(
            "/api/sustainability/quarterly/", {"cell": "bebop", "year": "2026", "quarter": "7"}
        ).status_code
        == 400
    )
    preview = client.get("/api/sustainability/preview/", {"cell": "bebop"})
    assert preview.status_code == 200 and preview.json()["ratio_percent"] is None
    assert client.get("/api/sustainability/preview/", {"cell": "company"}).status_code == 403


def test_schema_lists_the_sustainability_api(staff_user: Any) -> None:
    schema = api("staff").get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/sustainability/accounts/",
        "/api/sustainability/budgets/",
        "/api/sustainability/targets/",
        "/api/sustainability/worklogs/",
        "/api/sustainability/figures/",
        "/api/sustainability/quarterly/",
        "/api/sustainability/preview/",
    ):
        assert path in schema["paths"], path
