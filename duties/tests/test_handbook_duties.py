"""The recurring duties that keep handbook rules (``handbook/rules.py``, kind ``duty``): each
opens for the role holder when it falls due, with the checklist line that carries the rule
(it "fires"), and opens neither before its day nor for a member without the role (it "holds").

Sprint 207 runs from Tuesday 24 November to Monday 7 December 2026: W2 is 30 Nov - 4 Dec.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from duties.models import DutyDefinition, DutyInstance
from duties.services import duty_instances_open
from duties.tests.factories import make_member
from roles.models import Role, RoleAssignment
from roles.tests.factories import CellFactory, RoleAssignmentFactory
from rotations.models import RotationAssignment

pytestmark = pytest.mark.django_db

LONG_AGO = date(2024, 1, 1)
SPRINT_START, SPRINT_END = date(2026, 11, 24), date(2026, 12, 7)

# (duty slug, role, the day it opens, the day it is due, a checklist line the rule lives in).
HANDBOOK_DUTIES = [
    # Community liaison: weekly priorities, 24 h acknowledgements, two-week internal tickets.
    (
        "community-liaison-weekly",
        "community-liaison",
        date(2026, 12, 2),  # two days before Friday 4 December
        date(2026, 12, 4),
        "acknowledged within 24 hours",
    ),
    # The biweekly contributors' meetup: once a sprint, Wednesday of W2.
    (
        "community-liaison-contributors-meetup",
        "community-liaison",
        date(2026, 11, 27),
        date(2026, 12, 2),
        "Schedule the meetup and announce it",
    ),
    # The monthly hangout: before the 25th (Thursday 24 December), open from the 1st.
    (
        "community-liaison-monthly-hangout",
        "community-liaison",
        date(2026, 12, 1),
        date(2026, 12, 24),
        "Attend the hangout",
    ),
    # Recruitment manager: trial results against the interview selection, core-member reviews.
    (
        "recruitment-manager-monthly",
        "recruitment-manager",
        date(2026, 12, 1),
        date(2026, 12, 9),
        "Compare recent trial results with the interview selection",
    ),
    # Client owner: the monthly budget projected to the end of the upcoming sprint, each sprint.
    (
        "client-owner-budget-review",
        "client-owner",
        date(2026, 12, 2),
        date(2026, 12, 4),
        "projected to the end of the upcoming sprint",
    ),
    # Core contributor: 20 h a month against the hours logged on contribution work.
    (
        "core-contributor-monthly",
        "core-contributor",
        date(2026, 12, 1),
        date(2026, 12, 4),
        "with the 20 h goal",
    ),
    # Sprint manager: per-member mid-sprint updates (Tuesday of W2) ...
    (
        "sprint-manager-mid-sprint",
        "sprint-manager",
        date(2026, 11, 30),
        date(2026, 12, 1),
        "every member of the cell has posted a written mid-sprint update",
    ),
    # ... and at the wrap-up (Wednesday of W1), end-of-sprint updates and delivered tickets to Done.
    (
        "sprint-manager-wrap-up",
        "sprint-manager",
        date(2026, 11, 24),
        date(2026, 11, 25),
        "Move delivered tickets to Done",
    ),
    # Sprint planning manager: the cell's social chat is scheduled (Monday of W3).
    (
        "sprint-planning-preparation",
        "sprint-planning-manager",
        date(2026, 12, 3),
        date(2026, 12, 7),
        "social chat is scheduled",
    ),
    # Epic planning and sustainability manager: commitment change requests (Friday of W2).
    (
        "epic-planning-checklist",
        "epic-planning-sustainability-manager",
        date(2026, 12, 2),
        date(2026, 12, 4),
        "Handle requests to change weekly hour commitments",
    ),
]


def only(*slugs: str) -> None:
    DutyDefinition.objects.exclude(slug__in=slugs).update(active=False)


def opened(as_of: date) -> list[DutyInstance]:
    duty_instances_open(as_of=as_of, lookback_days=0)
    return list(DutyInstance.objects.select_related("definition", "assignee").order_by("due_on", "pk"))


@pytest.fixture
def bebop(db: Any) -> Any:
    return CellFactory(name="Bebop", slug="bebop")


def _holder(cell: Any, role_slug: str, **kwargs: Any) -> Any:
    member = make_member(cell=cell, joined_on=LONG_AGO)
    RoleAssignmentFactory(member=member, role=Role.objects.get(slug=role_slug), since=LONG_AGO, **kwargs)
    return member


@pytest.mark.parametrize(("slug", "role", "opens_on", "due_on", "line"), HANDBOOK_DUTIES)
def test_the_duty_opens_for_the_holder_when_due(bebop, slug, role, opens_on, due_on, line):
    only(slug)
    holder = _holder(bebop, role)
    (duty,) = opened(opens_on)
    assert (duty.definition.slug, duty.due_on, duty.opens_on) == (slug, due_on, opens_on)
    assert (duty.assignee, duty.assigned_as) == (holder, "holder")
    assert any(line in text for text in duty.items.values_list("text", flat=True))


@pytest.mark.parametrize(("slug", "role", "opens_on", "due_on", "line"), HANDBOOK_DUTIES)
def test_the_duty_holds_before_its_day_and_for_members_without_the_role(
    bebop, slug, role, opens_on, due_on, line
):
    only(slug)
    bystander = make_member(cell=bebop, joined_on=LONG_AGO)
    # Nobody holds the role: a per-holder duty does not open; a cell's duty opens for nobody
    # (duty-unassigned flags it), never for a member who does not hold the role.
    vacant = [] if Role.objects.get(slug=role).scope != "cell" else [(None, "nobody")]
    assert [(d.assignee, d.assigned_as) for d in opened(opens_on)] == vacant
    assert not DutyInstance.objects.filter(assignee=bystander).exists()
    DutyInstance.objects.all().delete()
    # Held, but the day before it opens: nothing yet.
    _holder(bebop, role)
    assert opened(opens_on - timedelta(days=1)) == []
    # Held until before it fell due: not theirs, nor anyone else's.
    RoleAssignment.objects.filter(role__slug=role).update(until=opens_on - timedelta(days=1))
    assert [(d.assignee, d.assigned_as) for d in opened(opens_on)] == vacant


def test_the_community_liaisons_meetup_is_biweekly_and_the_hangout_monthly(bebop):
    only("community-liaison-contributors-meetup", "community-liaison-monthly-hangout")
    liaison = _holder(bebop, "community-liaison")
    duty_instances_open(as_of=date(2027, 1, 31), lookback_days=65)  # from Fri 27 Nov
    rows = sorted(DutyInstance.objects.values_list("definition__slug", "due_on", "assignee"))
    assert rows == [
        ("community-liaison-contributors-meetup", date(2026, 12, 2), liaison.pk),
        ("community-liaison-contributors-meetup", date(2026, 12, 16), liaison.pk),
        ("community-liaison-contributors-meetup", date(2026, 12, 30), liaison.pk),
        ("community-liaison-contributors-meetup", date(2027, 1, 13), liaison.pk),
        ("community-liaison-contributors-meetup", date(2027, 1, 27), liaison.pk),
        ("community-liaison-monthly-hangout", date(2026, 12, 24), liaison.pk),
        ("community-liaison-monthly-hangout", date(2027, 1, 22), liaison.pk),  # the 24th is a Sunday
    ]


# --- Rotation duties: the ops reviewer's week and discovery duty's week ---


@pytest.mark.parametrize(
    ("slug", "kind", "opens_on", "due_on", "line"),
    [
        ("ops-reviewer-weekly", "ops_reviewer", date(2026, 12, 3), date(2026, 12, 4), "pager alerts"),
        (
            "discovery-duty-week",
            "discovery_duty",
            date(2026, 11, 30),
            date(2026, 11, 30),
            "Leave a spare task in Stretch Goals or next sprint",
        ),
    ],
)
def test_a_rotation_duty_opens_for_whoever_is_on_the_rotation_and_nobody_else(
    bebop, slug, kind, opens_on, due_on, line
):
    only(slug)
    on_duty = make_member(cell=bebop, joined_on=LONG_AGO)
    bystander = make_member(cell=bebop, joined_on=LONG_AGO)
    # Before the rotation is scheduled the cell's duty is nobody's (duty-unassigned flags it).
    (vacant,) = opened(opens_on)
    assert (vacant.assignee, vacant.assigned_as) == (None, "nobody")
    DutyInstance.objects.all().delete()
    RotationAssignment.objects.create(
        kind=kind, cell=bebop, member=on_duty, start=SPRINT_START, end=SPRINT_END
    )
    assert opened(opens_on - timedelta(days=1)) == []
    (duty,) = opened(opens_on)
    assert (duty.definition.slug, duty.due_on, duty.assignee, duty.assigned_as) == (
        slug,
        due_on,
        on_duty,
        "holder",
    )
    assert any(line in text for text in duty.items.values_list("text", flat=True))
    assert not DutyInstance.objects.filter(assignee=bystander).exists()


def test_discovery_duty_opens_in_generalist_cells_only(bebop):
    only("discovery-duty-week")
    project: Any = CellFactory(name="Serenity", slug="serenity", kind="project")
    for cell in (bebop, project):
        RotationAssignment.objects.create(
            kind="discovery_duty",
            cell=cell,
            member=make_member(cell=cell, joined_on=LONG_AGO),
            start=SPRINT_START,
            end=SPRINT_END,
        )
    assert [d.cell_id for d in opened(date(2026, 11, 30))] == [bebop.pk]


# --- The epic owner's next-sprint stories: one per epic in development ---


def test_next_sprint_stories_open_per_epic_in_development_for_its_owner(bebop):
    from sprints.tests.factories import EpicFactory

    only("epic-owner-next-sprint-stories")
    owner = make_member(cell=bebop, joined_on=LONG_AGO)
    bystander = make_member(cell=bebop, joined_on=LONG_AGO)
    epic: Any = EpicFactory(key="BB-1", cell=bebop, owner=owner)
    EpicFactory(key="BB-2", cell=bebop, owner=bystander, status="done")  # finished: holds
    EpicFactory(key="BB-3", cell=bebop, owner=None)  # nobody owns it: holds
    friday_w2 = date(2026, 12, 4)
    assert opened(friday_w2 - timedelta(days=2)) == []  # opens on Thursday of W2
    (duty,) = opened(friday_w2 - timedelta(days=1))
    assert (duty.epic_id, duty.due_on, duty.assignee, duty.assigned_as) == (
        epic.pk,
        friday_w2,
        owner,
        "holder",
    )
    assert any("Find a reviewer" in text for text in duty.items.values_list("text", flat=True))
