"""The finding and the duty that remind members who have not estimated by the day before closing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from duties.catalog import DUTY_CATALOG
from duties.models import DutyDefinition
from estimation import services
from estimation.models import EstimationItem, EstimationSession
from opencraft_ops.process_checks import CheckContext, run_checks

pytestmark = pytest.mark.django_db
RULE = "estimation-not-estimated"


def _findings(as_of: Any, **kwargs: Any) -> list[Any]:
    return run_checks(CheckContext(as_of=as_of, **kwargs), only=[RULE])


def test_members_who_have_not_estimated_are_found_from_the_day_before_closing(
    session: Any, core_member: Any, keeper: Any, other_cell: Any, django_assert_max_num_queries: Any
) -> None:
    closes_on = EstimationSession.objects.get(pk=session.pk).closes_on
    for item in EstimationItem.objects.select_related("session").filter(session=session):
        services.vote_cast(item=item, member=keeper, value="3")
    services.vote_cast(
        item=EstimationItem.objects.select_related("session").get(session=session, ticket__key="SE-1"),
        member=core_member,
        value="2",
    )

    assert _findings(closes_on - timedelta(days=2)) == []
    with django_assert_max_num_queries(3):  # due sessions, their cells' members, vote counts
        findings = _findings(closes_on - timedelta(days=1))
    assert [(f.member_id, f.cell_id) for f in findings] == [(core_member.pk, session.cell_id)]
    assert "1 ticket(s)" in findings[0].message
    assert findings[0].url == reverse("estimation:session", args=[session.pk])
    assert _findings(closes_on - timedelta(days=1), cell_ids=frozenset({other_cell.pk})) == []
    # Once they have estimated every ticket, nothing is found.
    services.vote_cast(
        item=EstimationItem.objects.select_related("session").get(session=session, ticket__key="SE-2"),
        member=core_member,
        value="?",
    )
    assert _findings(closes_on) == []


def test_the_sprint_planning_manager_has_a_duty_the_day_before_closing() -> None:
    entry = next(e for e in DUTY_CATALOG if e["slug"] == "estimation-session-reminder")
    assert (entry["role"], entry["sprint_week"], entry["weekday"]) == ("sprint-planning-manager", 2, 3)
    definition = DutyDefinition.objects.get(slug="estimation-session-reminder")  # loaded by the migration
    assert definition.role.slug == "sprint-planning-manager" and len(definition.checklist_items) == 4
    definition.full_clean()
