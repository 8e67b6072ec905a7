"""The epics REST API: epics with figures and transitions, milestones, monthly
budgets, updates (validated, 400 with field messages), the OpenAPI schema."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from epics.models import EpicBudgetPeriod, EpicMilestone, EpicStatusChange, EpicUpdate, PostState
from epics.tests.answers import FIXED_ANSWERS_OK, MONTHLY_ANSWERS_OK
from epics.tests.factories import EpicFactory, MilestoneFactory, TicketFactory, WorklogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_epics_list_with_figures_in_constant_queries(
    api: APIClient,
    cell: Any,
    other_cell: Any,
    fixed_epic: Any,
    epic_owner: Any,
    django_assert_num_queries: Any,
) -> None:
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic, remaining_estimate_seconds=3600), seconds=7200)
    MilestoneFactory(epic=fixed_epic, deadline=timezone.localdate() + timedelta(days=4))
    EpicFactory(cell=other_cell, key="OTHER-1")
    api.force_authenticate(epic_owner.user)
    # member, count, epics page with subqueries, worklog aggregate, estimate aggregate.
    with django_assert_num_queries(5):
        response = api.get("/api/epics/")
    assert response.status_code == 200
    assert [e["key"] for e in response.data["results"]] == ["FIX-1"]
    figures = response.data["results"][0]["figures"]
    assert figures["hours_used"] == "2.00" and figures["remaining_estimate"] == "1.00"
    assert figures["due_date"] == (timezone.localdate() + timedelta(days=4)).isoformat()
    assert figures["update_this_sprint"] == "missing"
    for i in range(8):
        epic = EpicFactory(cell=cell, key=f"MORE-{i}")
        WorklogFactory(ticket=TicketFactory(epic=epic), seconds=3600)
    api.force_authenticate(type(epic_owner.user).objects.get(pk=epic_owner.user.pk))  # no cached member
    with django_assert_num_queries(5):
        assert len(api.get("/api/epics/").data["results"]) == 9
    assert api.get("/api/epics/", {"status": "done"}).data["results"] == []
    detail = api.get("/api/epics/FIX-1/")
    assert detail.status_code == 200 and detail.data["figures"]["hours_used"] == "2.00"
    assert api.get("/api/epics/OTHER-1/").status_code == 404


def test_epics_api_refusals(api: APIClient, fixed_epic: Any, core_member: Any) -> None:
    # Token authentication comes first, so an anonymous caller gets 401 with a challenge.
    response = api.get("/api/epics/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    api.force_authenticate(core_member.user)
    # Epics are writable through the API, but only by staff and the cell's epic manager.
    new = {"key": "NEW-1", "title": "New", "cell": fixed_epic.cell.slug}
    assert api.post("/api/epics/", new, format="json").status_code == 403
    assert api.post("/api/epics/FIX-1/transition/", {"to_status": "delivered"}).status_code == 403
    fixed_epic.refresh_from_db()
    assert fixed_epic.status == "in_development"


def test_transition(api: APIClient, fixed_epic: Any, epic_owner: Any) -> None:
    api.force_authenticate(epic_owner.user)
    response = api.post(
        "/api/epics/FIX-1/transition/", {"to_status": "delivered", "note": "QA"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "delivered"
    bad = api.post("/api/epics/FIX-1/transition/", {"to_status": "prospect"}, format="json")
    assert bad.status_code == 400 and "cannot go from" in bad.data["to_status"][0]
    unknown = api.post("/api/epics/FIX-1/transition/", {"to_status": "archived"}, format="json")
    assert unknown.status_code == 400 and "to_status" in unknown.data
    assert EpicStatusChange.objects.count() == 1
    changes = api.get("/api/epics/FIX-1/status-changes/")
    assert [(c["from_status"], c["to_status"]) for c in changes.data] == [("in_development", "delivered")]


def test_budget_action(api: APIClient, fixed_epic: Any, epic_owner: Any, core_member: Any) -> None:
    api.force_authenticate(epic_owner.user)
    ok = api.post("/api/epics/FIX-1/budget/", {"budget_kind": "fixed", "budget_hours": "300"}, format="json")
    assert ok.status_code == 200 and ok.data["budget_hours"] == "300.00"
    missing = api.post("/api/epics/FIX-1/budget/", {"budget_kind": "fixed"}, format="json")
    assert missing.status_code == 400 and "needs its number of hours" in missing.data["budget_hours"][0]
    negative = api.post(
        "/api/epics/FIX-1/budget/", {"budget_kind": "fixed", "budget_hours": "-1"}, format="json"
    )
    assert negative.status_code == 400 and "budget_hours" in negative.data
    api.force_authenticate(core_member.user)
    assert api.post("/api/epics/FIX-1/budget/", {"budget_kind": "none"}, format="json").status_code == 403
    fixed_epic.refresh_from_db()
    assert (fixed_epic.budget_kind, fixed_epic.budget_hours) == ("fixed", Decimal("300"))


def test_milestones(
    api: APIClient, fixed_epic: Any, epic_owner: Any, core_member: Any, outsider: Any
) -> None:
    api.force_authenticate(epic_owner.user)
    deadline = (timezone.localdate() + timedelta(days=8)).isoformat()
    created = api.post(
        "/api/epic-milestones/", {"epic": "FIX-1", "title": "Beta", "deadline": deadline}, format="json"
    )
    assert created.status_code == 201
    assert api.get("/api/epics/FIX-1/").data["figures"]["due_date"] == deadline
    bad = api.post("/api/epic-milestones/", {"epic": "FIX-1", "title": "", "deadline": "soon"}, format="json")
    assert bad.status_code == 400 and {"title", "deadline"} <= set(bad.data)
    pk = created.data["id"]
    assert api.patch(f"/api/epic-milestones/{pk}/", {"done": True}, format="json").data["done"] is True
    api.force_authenticate(core_member.user)
    assert api.get("/api/epic-milestones/").data["count"] == 1
    assert api.patch(f"/api/epic-milestones/{pk}/", {"done": False}, format="json").status_code == 403
    assert (
        api.post(
            "/api/epic-milestones/", {"epic": "FIX-1", "title": "X", "deadline": deadline}, format="json"
        ).status_code
        == 403
    )
    api.force_authenticate(outsider.user)
    assert api.get("/api/epic-milestones/").data["count"] == 0
    assert api.delete(f"/api/epic-milestones/{pk}/").status_code == 404
    assert EpicMilestone.objects.get().done is True


def test_budget_periods(api: APIClient, monthly_epic: Any, fixed_epic: Any, epic_owner: Any) -> None:
    api.force_authenticate(epic_owner.user)
    ok = api.post(
        "/api/epic-budget-periods/",
        {"epic": "MON-1", "hours_per_month": "40", "since": "2026-01-01"},
        format="json",
    )
    assert ok.status_code == 201
    negative = api.post(
        "/api/epic-budget-periods/",
        {"epic": "MON-1", "hours_per_month": "-1", "since": "2026-02-01"},
        format="json",
    )
    assert negative.status_code == 400 and "hours_per_month" in negative.data
    fixed = api.post(
        "/api/epic-budget-periods/",
        {"epic": "FIX-1", "hours_per_month": "10", "since": "2026-02-01"},
        format="json",
    )
    assert fixed.status_code == 400 and "monthly budget" in fixed.data["epic"]
    assert list(EpicBudgetPeriod.objects.values_list("hours_per_month", flat=True)) == [Decimal("40")]


def test_update_create_validation_and_post(
    api: APIClient,
    fixed_epic: Any,
    monthly_epic: Any,
    epic_owner: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api.force_authenticate(epic_owner.user)
    bad = dict(FIXED_ANSWERS_OK, fits_budget="no", hours_used="-3")
    response = api.post("/api/epic-updates/", {"epic": "FIX-1", "answers": bad}, format="json")
    assert response.status_code == 400
    assert response.data["answers"]["hours_used"] == ["Hours cannot be negative."]
    assert "follow-up" in response.data["answers"]["extra_hours"][0]
    assert "follow-up" in response.data["answers"]["client_pays_extra"][0]
    wrong_kind = api.post("/api/epic-updates/", {"epic": "MON-1", "answers": FIXED_ANSWERS_OK}, format="json")
    assert wrong_kind.status_code == 400 and "Not a question" in wrong_kind.data["non_field_errors"][0]
    assert api.post("/api/epic-updates/", {"epic": "NOPE", "answers": {}}, format="json").status_code == 400
    assert not EpicUpdate.objects.exists()
    created = api.post("/api/epic-updates/", {"epic": "MON-1", "answers": MONTHLY_ANSWERS_OK}, format="json")
    assert created.status_code == 201
    assert created.data["budget_kind"] == "monthly" and created.data["wiki_markup"].startswith(
        "h2. Epic update"
    )
    assert created.data["answers"]["month_hours_used"] == "12.00"
    settings.JIRA_BASE_URL = ""  # JIRA off: the post is recorded as failed with the reason
    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post(f"/api/epic-updates/{created.data['id']}/post/")
    assert posted.status_code == 202 and posted.data["post_state"] == PostState.QUEUED
    # Once committed the task ran (eagerly) and gave up at once without a JIRA to talk to.
    update = EpicUpdate.objects.get()
    assert update.post_state == PostState.FAILED and update.post_error


def test_update_refusals(api: APIClient, fixed_epic: Any, core_member: Any, outsider: Any) -> None:
    assert (
        api.post(
            "/api/epic-updates/", {"epic": "FIX-1", "answers": FIXED_ANSWERS_OK}, format="json"
        ).status_code
        == 401
    )
    api.force_authenticate(core_member.user)
    assert (
        api.post(
            "/api/epic-updates/", {"epic": "FIX-1", "answers": FIXED_ANSWERS_OK}, format="json"
        ).status_code
        == 403
    )
    assert api.put("/api/epic-updates/1/", {}, format="json").status_code == 405
    assert not EpicUpdate.objects.exists()


def test_questions(api: APIClient, core_member: Any) -> None:
    api.force_authenticate(core_member.user)
    response = api.get("/api/epic-updates/questions/", {"budget_kind": "fixed"})
    assert response.status_code == 200
    extra = next(q for q in response.data if q["key"] == "extra_hours")
    assert extra["follows_up"] == "fits_budget" and extra["when"] == ["no"]
    assert api.get("/api/epic-updates/questions/", {"budget_kind": "weekly"}).status_code == 400


def test_schema_lists_the_epic_endpoints(api: APIClient, staff_user: Any) -> None:
    api.force_authenticate(staff_user)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/epics/",
        "/api/epics/{key}/transition/",
        "/api/epic-milestones/",
        "/api/epic-budget-periods/",
        "/api/epic-updates/",
        "/api/epic-updates/{id}/post/",
        "/api/epic-updates/questions/",
    ]:
        assert path in paths, path


def api_row_counts() -> tuple[int, int, int]:
    from sprints.models import Sprint

    return Sprint.objects.count(), EpicUpdate.objects.count(), EpicUpdate.history.count()


def test_update_create_writes_nothing_on_bad_input(api: APIClient, fixed_epic: Any, epic_owner: Any) -> None:
    api.force_authenticate(epic_owner.user)
    assert api_row_counts() == (0, 0, 0)
    bad = dict(FIXED_ANSWERS_OK, fits_budget="no")
    # For the current sprint (by default) and for a sprint with no row yet.
    assert api.post("/api/epic-updates/", {"epic": "FIX-1", "answers": bad}, format="json").status_code == 400
    response = api.post("/api/epic-updates/", {"epic": "FIX-1", "sprint": 900, "answers": bad}, format="json")
    assert response.status_code == 400 and "extra_hours" in response.data["answers"]
    out_of_range = api.post(
        "/api/epic-updates/", {"epic": "FIX-1", "sprint": 0, "answers": FIXED_ANSWERS_OK}, format="json"
    )
    assert out_of_range.status_code == 400 and "sprint" in out_of_range.data
    assert api_row_counts() == (0, 0, 0)
    created = api.post(
        "/api/epic-updates/", {"epic": "FIX-1", "sprint": 900, "answers": FIXED_ANSWERS_OK}, format="json"
    )
    assert created.status_code == 201 and created.data["sprint"] == 900
    assert api_row_counts() == (1, 1, 1)
    # Posted updates are final: a valid replacement is refused and changes nothing.
    EpicUpdate.objects.update(post_state=PostState.POSTED, jira_comment_id="10600")
    again = api.post(
        "/api/epic-updates/",
        {"epic": "FIX-1", "sprint": 900, "answers": dict(FIXED_ANSWERS_OK, notes="Late change")},
        format="json",
    )
    assert again.status_code == 400 and "already posted" in again.data["non_field_errors"][0]
    assert api_row_counts() == (1, 1, 1) and EpicUpdate.objects.get().answers["notes"] == ""


def fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)


def test_milestones_list_in_constant_queries(
    api: APIClient, cell: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    for i in range(3):
        MilestoneFactory(epic=EpicFactory(cell=cell, key=f"MS-{i}"))
    # member (visible cells), count, the page of milestones with their epic.
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        assert api.get("/api/epic-milestones/").data["count"] == 3
    for i in range(3, 12):
        MilestoneFactory(epic=EpicFactory(cell=cell, key=f"MS-{i}"))
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        response = api.get("/api/epic-milestones/")
    assert response.data["count"] == 12
    assert {m["epic"] for m in response.data["results"]} == {f"MS-{i}" for i in range(12)}


def test_budget_periods_list_in_constant_queries(
    api: APIClient, cell: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    from epics.tests.factories import BudgetPeriodFactory

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            epic = EpicFactory(cell=cell, key=f"BP-{i}", budget_kind="monthly", budget_hours=None)
            BudgetPeriodFactory(epic=epic, since=timezone.localdate().replace(day=1) - timedelta(days=40))
            BudgetPeriodFactory(epic=epic)

    add(0, 2)
    # member (visible cells), count, the page of periods with their epic.
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        assert api.get("/api/epic-budget-periods/").data["count"] == 4
    add(2, 8)
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        response = api.get("/api/epic-budget-periods/")
    assert response.data["count"] == 16
    assert response.data["results"][0]["epic"] == "BP-0"


def test_updates_list_in_constant_queries(
    api: APIClient, cell: Any, epic_owner: Any, django_assert_num_queries: Any
) -> None:
    from epics import services
    from opencraft_ops import calendar

    current = calendar.sprint_on(timezone.localdate()).number

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            epic: Any = EpicFactory(cell=cell, key=f"UP-{i}", budget_kind="monthly", budget_hours=None)
            for back in range(2):
                services.epic_update_save(
                    epic=epic, sprint_number=current - back, author=epic_owner, answers=MONTHLY_ANSWERS_OK
                )

    add(0, 2)
    # member (visible cells), count, the page of updates with epic, sprint and
    # author (the wiki markup is rendered from them, no query per update).
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        assert api.get("/api/epic-updates/").data["count"] == 4
    add(2, 8)
    api.force_authenticate(fresh(epic_owner.user))  # as a request loads it: no cached member
    with django_assert_num_queries(3):
        response = api.get("/api/epic-updates/")
    assert response.data["count"] == 16
    first = response.data["results"][0]
    assert first["sprint"] == current and first["wiki_markup"].startswith("h2. Epic update")


def test_epics_are_written_by_those_who_keep_them(
    api: APIClient, cell: Any, core_member: Any, staff_user: Any
) -> None:
    from roles.models import Role
    from roles.tests.factories import MemberFactory, RoleAssignmentFactory

    body = {"key": "NEW-1", "title": "New work", "cell": cell.slug, "owner": core_member.pk}
    api.force_authenticate(core_member.user)
    assert api.post("/api/epics/", body, format="json").status_code == 403
    manager: Any = MemberFactory(cell=cell, member_type="core")
    RoleAssignmentFactory(
        member=manager,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=cell,
        since=date(2020, 1, 1),
    )
    api.force_authenticate(manager.user)
    created = api.post("/api/epics/", body, format="json")
    assert created.status_code == 201 and created.json()["owner"] == core_member.pk
    assert api.post("/api/epics/", {**body, "title": ""}, format="json").status_code == 400
    # The owner changes the description; status moves only through transition/.
    api.force_authenticate(core_member.user)
    changed = api.patch("/api/epics/NEW-1/", {"description": "Scope agreed"}, format="json")
    assert changed.status_code == 200 and changed.json()["description"] == "Scope agreed"
    refused = api.patch("/api/epics/NEW-1/", {"status": "delivered"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()
