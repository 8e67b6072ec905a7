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


def test_milestones_hold_when_planned_ahead_done_far_off_or_their_epic_closed(cell, core_member):
    current = calendar.sprint_on(TODAY).number
    planned: Any = EpicFactory(cell=cell, owner=core_member)
    EpicMilestone.objects.create(epic=planned, title="Beta", deadline=TODAY + timedelta(days=20))
    # A ticket in the next sprint still comes before a deadline in that sprint or later.
    TicketFactory(cell=cell, epic=planned, sprint=SprintFactory(number=current + 1))
    bare: Any = EpicFactory(cell=cell, owner=core_member)
    EpicMilestone.objects.create(epic=bare, title="Shipped", deadline=TODAY + timedelta(days=3), done=True)
    EpicMilestone.objects.create(epic=bare, title="Next quarter", deadline=TODAY + timedelta(days=60))
    EpicMilestone.objects.create(epic=bare, title="Missed", deadline=TODAY - timedelta(days=1))  # past-due's
    closed: Any = EpicFactory(cell=cell, owner=core_member, status="done")
    EpicMilestone.objects.create(epic=closed, title="Beta", deadline=TODAY + timedelta(days=10))
    assert found("epic-milestone-unplanned", cell) == []


# --- Offboarding: a leaver's work gets new owners (ep-leaver-handover) ---


def test_leaver_with_epics_rotations_and_tickets_reaches_the_epic_planning_manager(cell, core_member):
    from rotations.tests.factories import RotationAssignmentFactory

    current = calendar.sprint_on(TODAY).number
    leaver: Any = MemberFactory(cell=cell, left_on=TODAY + timedelta(days=10))
    EpicFactory(cell=cell, owner=leaver, key="LV-1")
    EpicFactory(cell=cell, owner=core_member, reviewer=leaver, key="LV-2")
    EpicFactory(cell=cell, owner=leaver, key="LV-3", status="done")  # closed: nothing to hand over
    RotationAssignmentFactory(member=leaver, sprint_number=current + 1)  # after the last day
    RotationAssignmentFactory(member=leaver, sprint_number=current - 2)  # long past
    TicketFactory(cell=cell, sprint=SprintFactory(number=current), assignee=leaver, key="LV-10")
    TicketFactory(
        cell=cell, sprint=SprintFactory(number=current), assignee=leaver, key="LV-11", status="Done"
    )
    (finding,) = found("member-leaving-handover", cell)
    assert finding.role_slug == "epic-planning-sustainability-manager" and finding.member_id is None
    assert finding.severity.label == "warning"
    assert "epics LV-1 (owner), LV-2 (reviewer); 1 rotation shift after it; tickets LV-10" in finding.message
    # After the last day it is critical.
    (late,) = found("member-leaving-handover", cell, as_of=TODAY + timedelta(days=11))
    assert late.severity.label == "critical" and "left on" in late.message


def test_leaver_holds_when_handed_over_or_not_leaving_soon(cell, core_member):
    current = calendar.sprint_on(TODAY).number
    handed: Any = MemberFactory(cell=cell, left_on=TODAY + timedelta(days=5))
    TicketFactory(cell=cell, sprint=SprintFactory(number=current - 1), assignee=handed)  # a past sprint
    later: Any = MemberFactory(cell=cell, left_on=TODAY + timedelta(days=40))  # not yet
    EpicFactory(cell=cell, owner=later)
    EpicFactory(cell=cell, owner=core_member)  # stays
    assert found("member-leaving-handover", cell) == []
    # Flagged from two weeks before the last day.
    assert len(found("member-leaving-handover", cell, as_of=TODAY + timedelta(days=26))) == 1


# --- co-single-cell ---


def test_client_epics_in_two_cells_reach_both_cells_epic_planning_managers(cell, other_cell):
    EpicFactory(cell=cell, key="CL-1", client="Acme")
    EpicFactory(cell=other_cell, key="CL-2", client="acme ")  # the same client, spelled loosely
    EpicFactory(cell=cell, key="CL-3", client="Globex")
    EpicFactory(cell=other_cell, key="CL-4", client="Globex", status="done")  # closed: holds
    (mine,) = found("client-epics-across-cells", cell)
    assert mine.role_slug == "epic-planning-sustainability-manager" and mine.cell_id == cell.pk
    assert "“acme” are in 2 cells" in mine.message and "CL-1" in mine.message and "CL-2" in mine.message
    (theirs,) = found("client-epics-across-cells", other_cell)
    assert theirs.cell_id == other_cell.pk and theirs.subject != mine.subject


def test_client_epics_in_one_cell_hold(cell, other_cell):
    EpicFactory(cell=cell, key="CL-5", client="Initech")
    EpicFactory(cell=cell, key="CL-6", client="Initech")
    EpicFactory(cell=other_cell, key="CL-7", client="")  # no client named
    EpicFactory(cell=cell, key="CL-8", client="")
    assert found("client-epics-across-cells", cell) == []
