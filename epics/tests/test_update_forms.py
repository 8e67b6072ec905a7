"""The epic-update forms through HTTP: every conditional branch, field errors,
nothing saved on error, prefilled figures, who may write."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from epics.models import EpicUpdate, PostState
from epics.tests.answers import AD_HOC_ANSWERS_OK, FIXED_ANSWERS_OK, MONTHLY_ANSWERS_OK
from epics.tests.factories import AccountFactory, BudgetPeriodFactory, TicketFactory, WorklogFactory
from opencraft_ops import calendar
from sprints.models import Sprint

pytestmark = pytest.mark.django_db

BASE = {"FIX-1": FIXED_ANSWERS_OK, "MON-1": MONTHLY_ANSWERS_OK, "ADH-1": AD_HOC_ANSWERS_OK}


@pytest.fixture
def epics(fixed_epic: Any, monthly_epic: Any, adhoc_epic: Any) -> dict[str, Any]:
    return {"FIX-1": fixed_epic, "MON-1": monthly_epic, "ADH-1": adhoc_epic}


def post(client: Any, key: str, **changes: Any) -> Any:
    data = dict(BASE[key])
    data.update(changes)
    return client.post(f"/epics/{key}/update/", data)


VALID = [
    ("FIX-1", {}),
    ("FIX-1", {"fits_budget": "no", "extra_hours": "20", "client_pays_extra": "yes"}),
    (
        "FIX-1",
        {
            "fits_budget": "no",
            "extra_hours": "20",
            "client_pays_extra": "partly",
            "client_approved_hours": "5",
        },
    ),
    ("FIX-1", {"fits_budget": "no", "extra_hours": "20", "client_pays_extra": "no"}),
    (
        "FIX-1",
        {
            "fits_deadline": "no",
            "new_deadline_agreed": "yes",
            "new_deadline": "2031-01-15",
            "monthly_hours_needed": "12",
        },
    ),
    ("FIX-1", {"fits_deadline": "no", "new_deadline_agreed": "no", "monthly_hours_needed": "12"}),
    ("MON-1", {}),
    (
        "MON-1",
        {"fits_month": "no", "extra_hours": "6", "measures": ["scope_reduction"], "client_agreed": "yes"},
    ),
    (
        "MON-1",
        {
            "fits_month": "no",
            "extra_hours": "6",
            "measures": ["one_time_extension", "permanent_extension"],
            "client_agreed": "no",
        },
    ),
    ("MON-1", {"allocation_change": "yes", "new_monthly_hours": "55"}),
    ("ADH-1", {}),
    ("ADH-1", {"last_month_billable": "no", "non_billable_hours": "4"}),
    ("ADH-1", {"allocation_change": "yes", "new_monthly_hours": "10"}),
]


@pytest.mark.parametrize(("key", "changes"), VALID)
def test_every_branch_saves(
    client: Any, epics: dict[str, Any], epic_owner: Any, key: str, changes: dict[str, Any]
) -> None:
    client.force_login(epic_owner.user)
    response = post(client, key, **changes)
    assert response.status_code == 302
    update = EpicUpdate.objects.get(epic=epics[key])
    assert update.author == epic_owner
    assert update.budget_kind == epics[key].budget_kind
    for field, value in changes.items():
        stored = update.answers[field]
        if isinstance(value, list):
            assert sorted(stored) == sorted(value)
        else:
            assert (
                Decimal(stored) == Decimal(value) if field.endswith(("hours", "_needed")) else stored == value
            )
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "h2. Epic update --" in detail.content.decode()


INVALID = [
    ("FIX-1", {"fits_budget": "no"}, "extra_hours", "Answer this follow-up"),
    ("FIX-1", {"fits_budget": "no", "extra_hours": "10"}, "client_pays_extra", "Answer this follow-up"),
    (
        "FIX-1",
        {"fits_budget": "no", "extra_hours": "-4", "client_pays_extra": "no"},
        "extra_hours",
        "Hours cannot be negative.",
    ),
    (
        "FIX-1",
        {"fits_budget": "no", "extra_hours": "4", "client_pays_extra": "partly"},
        "client_approved_hours",
        "Answer this follow-up",
    ),
    (
        "FIX-1",
        {"fits_deadline": "no", "monthly_hours_needed": "3"},
        "new_deadline_agreed",
        "Answer this follow-up",
    ),
    (
        "FIX-1",
        {"fits_deadline": "no", "new_deadline_agreed": "yes", "monthly_hours_needed": "3"},
        "new_deadline",
        "Answer this follow-up",
    ),
    (
        "FIX-1",
        {"fits_deadline": "no", "new_deadline_agreed": "no"},
        "monthly_hours_needed",
        "Answer this follow-up",
    ),
    ("FIX-1", {"hours_used": "-1"}, "hours_used", "Hours cannot be negative."),
    ("FIX-1", {"hours_used": "many"}, "hours_used", "Enter a number"),
    ("FIX-1", {"story_statuses_correct": ""}, "story_statuses_correct", "Answer this question."),
    ("MON-1", {"fits_month": "no"}, "extra_hours", "Answer this follow-up"),
    (
        "MON-1",
        {"fits_month": "no", "extra_hours": "2", "client_agreed": "no"},
        "measures",
        "Answer this follow-up",
    ),
    (
        "MON-1",
        {"fits_month": "no", "extra_hours": "2", "measures": ["scope_reduction"]},
        "client_agreed",
        "Answer this follow-up",
    ),
    ("MON-1", {"allocation_change": "yes"}, "new_monthly_hours", "Answer this follow-up"),
    (
        "MON-1",
        {"allocation_change": "yes", "new_monthly_hours": "-5"},
        "new_monthly_hours",
        "Hours cannot be negative.",
    ),
    ("ADH-1", {"last_month_billable": "no"}, "non_billable_hours", "Answer this follow-up"),
    (
        "ADH-1",
        {"last_month_billable": "no", "non_billable_hours": "-1"},
        "non_billable_hours",
        "Hours cannot be negative.",
    ),
    ("ADH-1", {"allocation_change": "yes"}, "new_monthly_hours", "Answer this follow-up"),
]


@pytest.mark.parametrize(("key", "changes", "field", "message"), INVALID)
def test_invalid_answers_get_field_errors_and_save_nothing(
    client: Any,
    epics: dict[str, Any],
    epic_owner: Any,
    key: str,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client.force_login(epic_owner.user)
    response = post(client, key, **changes)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert f'id="{field}-errors"' in response.content.decode()
    assert not EpicUpdate.objects.exists()


def test_form_is_prefilled_with_the_portal_figures(
    client: Any, fixed_epic: Any, monthly_epic: Any, adhoc_epic: Any, epic_owner: Any
) -> None:
    today = timezone.localdate()
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic), seconds=5 * 3600)
    WorklogFactory(ticket=TicketFactory(epic=monthly_epic), seconds=3 * 3600)
    last_month = today.replace(day=1) - timedelta(days=3)
    WorklogFactory(
        ticket=TicketFactory(epic=adhoc_epic),
        seconds=4 * 3600,
        billable_seconds=3600,
        work_date=last_month,
        account=AccountFactory(billable=True),
    )
    BudgetPeriodFactory(epic=monthly_epic, hours_per_month=Decimal("40"), since=date(2020, 1, 1))
    client.force_login(epic_owner.user)
    fixed = client.get("/epics/FIX-1/update/").context["form"]
    assert fixed.initial == {"hours_used": Decimal("5.00"), "budget_hours": Decimal("100.00")}
    monthly = client.get("/epics/MON-1/update/").context["form"]
    assert monthly.initial == {"month_hours_used": Decimal("3.00"), "monthly_budget_hours": Decimal("40.00")}
    adhoc = client.get("/epics/ADH-1/update/").context["form"]
    # 4 h on a billable account of which Tempo bills 1 h (see test_epic_figures for every case).
    assert adhoc.initial["non_billable_hours"] == Decimal("3.00")
    assert adhoc.initial["non_billable_hours_known"] == Decimal("3.00")


def test_saving_again_in_the_same_sprint_edits_the_update(
    client: Any, fixed_epic: Any, epic_owner: Any
) -> None:
    client.force_login(epic_owner.user)
    post(client, "FIX-1")
    post(client, "FIX-1", notes="Client away next week")
    assert EpicUpdate.objects.count() == 1
    assert EpicUpdate.objects.get().answers["notes"] == "Client away next week"
    assert EpicUpdate.history.count() == 2
    edit = client.get("/epics/FIX-1/update/")
    assert edit.context["form"].initial["notes"] == "Client away next week"


@pytest.mark.parametrize("who", ["epic_reviewer", "epic_manager"])
def test_reviewer_and_manager_may_write(client: Any, fixed_epic: Any, who: str, request: Any) -> None:
    member = request.getfixturevalue(who)
    client.force_login(member.user)
    assert post(client, "FIX-1").status_code == 302


def test_refusals(client: Any, fixed_epic: Any, core_member: Any, outsider: Any) -> None:
    url = "/epics/FIX-1/update/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(core_member.user)  # same cell, not owner/reviewer/manager
    assert client.get(url).status_code == 403
    assert post(client, "FIX-1").status_code == 403
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403
    assert client.put(url).status_code == 405
    assert client.get("/epics/NOPE-1/update/").status_code == 404
    assert not EpicUpdate.objects.exists()


def row_counts() -> tuple[int, int, int]:
    """Sprint rows, epic updates and their history rows: what a save would write."""
    return Sprint.objects.count(), EpicUpdate.objects.count(), EpicUpdate.history.count()


def test_get_and_bad_post_write_nothing(client: Any, fixed_epic: Any, epic_owner: Any) -> None:
    # No sprint row for the current sprint yet: the form must not create it to show itself.
    assert row_counts() == (0, 0, 0)
    client.force_login(epic_owner.user)
    response = client.get("/epics/FIX-1/update/")
    assert response.status_code == 200
    current = calendar.sprint_on(timezone.localdate()).number
    assert f"FIX-1 update for Sprint {current}" in response.content.decode()
    assert row_counts() == (0, 0, 0)
    assert post(client, "FIX-1", fits_budget="no").status_code == 400
    assert post(client, "FIX-1", hours_used="-2").status_code == 400
    assert row_counts() == (0, 0, 0)
    # A valid post writes the sprint row and the update, once.
    assert post(client, "FIX-1").status_code == 302
    assert row_counts() == (1, 1, 1)
    assert Sprint.objects.get().number == current


def test_a_posted_update_is_final(client: Any, fixed_epic: Any, epic_owner: Any) -> None:
    client.force_login(epic_owner.user)
    post(client, "FIX-1")
    EpicUpdate.objects.update(post_state=PostState.POSTED, jira_comment_id="10500")
    before = row_counts()
    update = EpicUpdate.objects.get()
    response = client.get("/epics/FIX-1/update/")
    assert response.status_code == 302 and response["Location"] == f"/epics/updates/{update.pk}/"
    assert post(client, "FIX-1", notes="Too late").status_code == 302
    assert row_counts() == before and EpicUpdate.objects.get().answers["notes"] == ""
