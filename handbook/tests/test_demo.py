"""The handbook demo breaks each new rule once on top of the synced data and keeps it
elsewhere; it is idempotent and fine with an empty database."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from handbook import demo
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.factories import SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db

SEEDED = [
    "newcomer-no-onboarding-epic",
    "epic-milestone-unplanned",
    "sprint-ticket-no-reviewer",
    "sprint-core-on-newcomer-friendly",
    "sprint-ticket-over-estimate",
    "sprint-blocked-ticket-stale",
    "weekend-work",
    "role-given-up-early",
    "sprint-spillover-not-prioritised",
]


def test_empty_database():
    out = io.StringIO()
    demo.seed(out)
    assert "handbook: 0 onboarding epic(s); nothing to change" in out.getvalue()


def test_each_new_rule_fires_once_and_holds_elsewhere(cell: Any, core_member: Any) -> None:
    today = date.today()
    current = calendar.sprint_on(today).number
    newcomers = [MemberFactory(cell=cell, member_type="newcomer") for _ in range(3)]
    reviewer = MemberFactory(cell=cell)
    sprint, later = SprintFactory(number=current), SprintFactory(number=current + 2)
    SprintFactory(number=current - 1)
    for n in range(4):
        TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=reviewer, time_spent_seconds=n)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=reviewer, status="In Progress")
    for n in range(3):
        TicketFactory(cell=cell, sprint=later, assignee=newcomers[n], reviewer=reviewer)
    # A sprint manager handed over five days ago after two years; and one long ago.
    RoleAssignmentFactory(
        member=reviewer,
        role=Role.objects.get(slug="sprint-manager"),
        cell=cell,
        since=today - timedelta(days=730),
        until=today - timedelta(days=5),
    )
    RoleAssignmentFactory(
        member=reviewer,
        role=Role.objects.get(slug="sprint-planning-manager"),
        cell=cell,
        since=today - timedelta(days=900),
        until=today - timedelta(days=400),
    )
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent: nothing more breaks
    context = CheckContext(as_of=today, cell_ids=frozenset({cell.pk}))
    counts = Counter(f.rule for f in run_checks(context, only=SEEDED))
    assert counts == dict.fromkeys(SEEDED, 1)


SECOND_PASS = ["newcomer-worklog-vague", "newcomer-production-access", "epic-update-unacknowledged"]


def test_second_pass_rules_fire_once_and_hold_elsewhere(cell: Any, core_member: Any) -> None:
    from epics import services as epic_services
    from epics.models import EpicUpdate
    from epics.tests.answers import FIXED_ANSWERS_OK
    from sprints.tests.factories import EpicFactory

    today = date.today()
    current = calendar.sprint_on(today).number
    newcomers = [MemberFactory(cell=cell, member_type="newcomer") for _ in range(3)]
    nxt = SprintFactory(number=current + 1)
    for newcomer in newcomers:
        TicketFactory(cell=cell, sprint=nxt, assignee=newcomer, reviewer=core_member)
    reviewer = MemberFactory(cell=cell)
    for n in range(2):
        epic: Any = EpicFactory(
            cell=cell,
            key=f"DEMO-{n}",
            owner=core_member,
            reviewer=reviewer,
            budget_kind="fixed",
            budget_hours=100,
        )
        epic_services.epic_update_save(
            epic=epic, sprint_number=current, author=core_member, answers=FIXED_ANSWERS_OK
        )
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent
    counts = Counter(
        f.rule for f in run_checks(CheckContext(as_of=today, cell_ids=frozenset({cell.pk})), only=SECOND_PASS)
    )
    assert counts == dict.fromkeys(SECOND_PASS, 1)
    assert EpicUpdate.objects.filter(reviewer_acknowledged_at__isnull=False).count() == 1
