"""The epic rules issue 15 added: each fires where the data breaks it and holds elsewhere."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from epics.models import EpicMilestone
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.tests.factories import MemberFactory
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()


def found(rule: str, cell: Any, as_of: date = TODAY) -> list[Any]:
    return run_checks(CheckContext(as_of=as_of, cell_ids=frozenset({cell.pk})), only=[rule])


def test_newcomer_without_onboarding_epic(cell, newcomer):
    other = MemberFactory(cell=cell, member_type="newcomer")
    EpicFactory(cell=cell, owner=other, title="Onboarding of Other")  # holds for them
    (finding,) = found("newcomer-no-onboarding-epic", cell)
    assert finding.subject == f"member:{newcomer.pk}:onboarding-epic"
    assert finding.role_slug == "recruitment-manager" and finding.member_id is None
    EpicFactory(cell=cell, owner=newcomer, title="Newcomer onboarding")
    assert found("newcomer-no-onboarding-epic", cell) == []


def test_core_members_need_no_onboarding_epic(cell, core_member):
    assert found("newcomer-no-onboarding-epic", cell) == []


def test_milestone_without_a_ticket_planned_before_it(cell, core_member):
    current = calendar.sprint_on(TODAY).number
    bare: Any = EpicFactory(cell=cell, owner=core_member)
    planned: Any = EpicFactory(cell=cell, owner=core_member)
    soon = EpicMilestone.objects.create(epic=bare, title="Beta", deadline=TODAY + timedelta(days=10))
    EpicMilestone.objects.create(epic=planned, title="Beta", deadline=TODAY + timedelta(days=10))
    EpicMilestone.objects.create(epic=bare, title="Later", deadline=TODAY + timedelta(days=90))  # far off
    EpicMilestone.objects.create(epic=bare, title="Done", deadline=TODAY + timedelta(days=5), done=True)
    TicketFactory(cell=cell, epic=planned, sprint=SprintFactory(number=current))
    # A ticket planned only after the deadline does not help.
    TicketFactory(cell=cell, epic=bare, sprint=SprintFactory(number=current + 5))
    (finding,) = found("epic-milestone-unplanned", cell)
    assert finding.subject == f"milestone:{soon.pk}" and finding.member_id == core_member.pk
    assert "Beta" in finding.message
