"""Reads for the newcomer page: first-sprint limits, trial-task goals and the onboarding
budget of one newcomer (a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from opencraft_ops import calendar
from roles.calculations import display_name
from roles.models import Member, MemberType, MemberTypePeriod, RoleAssignment
from sprints.calculations import SprintDates
from sprints.calculations.capacity import NOT_COMMITTED_STATUSES
from sprints.calculations.newcomers import (
    NewcomerTask,
    OnboardingBudget,
    TrialGoals,
    is_extended,
    point_limit,
    trial_end,
    trial_goals,
)
from sprints.models import Ticket
from sprints.selectors import portal_tz

MENTOR = "mentor"


@dataclass(frozen=True)
class SprintLimit:
    dates: SprintDates
    limit: Decimal
    points: Decimal
    tickets: list[Ticket]

    @property
    def over(self) -> bool:
        return self.points > self.limit


@dataclass(frozen=True)
class NewcomerOverview:
    member: Member
    newcomer_since: date | None  # None: not (or no longer) a newcomer
    trial_end: date | None
    extended: bool
    first_sprint: int
    limits: list[SprintLimit]
    goals: TrialGoals
    production_access: list[Ticket]
    onboarding_epic: Any  # an epics.Epic, or None
    mentors: list[Member]
    budget: OnboardingBudget | None
    hours_by_member: list[tuple[str, Decimal]]


def newcomer_since(member: Member) -> date | None:
    """Start of the member's current newcomer period, or None when they are not a newcomer."""
    periods = list(MemberTypePeriod.objects.filter(member=member).order_by("since"))
    current = None
    for period in periods:
        current = period.since if period.member_type == MemberType.NEWCOMER else None
    return current


def mentors_of(
    member: Member, epic: Any, as_of: date, assignments: Sequence[RoleAssignment] | None = None
) -> list[Member]:
    """The onboarding epic's reviewer, else the cell's mentor role holders (from
    ``assignments`` when the caller read the cell's mentor assignments with their members,
    one query otherwise)."""
    if epic is not None and epic.reviewer is not None:
        return [epic.reviewer]
    if member.cell_id is None:
        return []
    if assignments is None:
        assignments = list(
            RoleAssignment.objects.filter(role__slug=MENTOR, cell_id=member.cell_id, since__lte=as_of)
            .filter(Q(until__isnull=True) | Q(until__gte=as_of))
            .select_related("member__user", "role")
        )
    return [
        a.member
        for a in assignments
        if a.role.slug == MENTOR
        and a.cell_id == member.cell_id
        and a.member_id != member.pk
        and a.is_current_on(as_of)
    ]


def onboarding_epic_among(epics: Iterable[Any], member: Member) -> Any:
    """The member's onboarding epic among loaded epics (as the query below picks it: owned,
    "onboarding" in the title, the first made), or None."""
    mine = [e for e in epics if e.owner_id == member.pk and "onboarding" in e.title.lower()]
    return min(mine, key=lambda e: e.pk) if mine else None


def newcomer_overview(
    *,
    member: Member,
    as_of: date,
    since: date | None = None,
    with_budget: bool = True,
    epics: Sequence[Any] | None = None,
    mentor_assignments: Sequence[RoleAssignment] | None = None,
) -> NewcomerOverview:
    """``since``: the start of the member's newcomer period when the caller already read it
    (``newcomer_since``); read here otherwise. A caller that read the member's epics
    with every onboarding epic they own, done or not, and the reviewers (``duties``'
    ``my_epics(with_onboarding=True)``) passes them as ``epics``: the onboarding epic is
    taken from them. ``mentor_assignments``: the cell's mentor assignments, read by the
    caller with their members. ``with_budget=False`` leaves the onboarding budget out (two
    queries fewer; the home page does not show it)."""
    since = since or newcomer_since(member)
    start = since or member.joined_on
    first = calendar.sprint_on(max(start, calendar.epoch())).number
    last = max(calendar.sprint_on(as_of).number + 1, first)
    tickets = list(
        Ticket.objects.filter(assignee=member, sprint__number__range=(first, last))
        .select_related("sprint", "reviewer__user")
        .order_by("sprint__number", "key")
    )
    by_sprint: dict[int, list[Ticket]] = defaultdict(list)
    for t in tickets:
        assert t.sprint is not None
        by_sprint[t.sprint.number].append(t)
    limits = []
    for number in (first, first + 1):
        dates = calendar.sprint_dates(number)
        limit = point_limit(start, dates)
        if limit is not None:
            # Stretch Goals are not committed (as on the board and in the check).
            chosen = [t for t in by_sprint.get(number, []) if t.status not in NOT_COMMITTED_STATUSES]
            points = sum((t.story_points or Decimal(0) for t in chosen), Decimal(0))
            limits.append(SprintLimit(dates=dates, limit=limit, points=points, tickets=chosen))
    end = calendar.sprint_on(trial_end(start)).number if since else last
    goals = trial_goals(
        [
            NewcomerTask(
                key=t.key,
                sprint_number=t.sprint.number if t.sprint else None,
                story_points=t.story_points,
                labels=tuple(t.labels or ()),
                needs_production_access=t.needs_production_access,
                planned_on=t.added_to_sprint_at.astimezone(portal_tz()).date()
                if t.added_to_sprint_at
                else None,
            )
            for t in tickets
        ],
        first_sprint=first,
        last_sprint=max(end, last),
        first_day=start,
    )
    # The onboarding epic is read through the member's relation (the epics app sits above
    # this one and declares it), not by importing the epics app.
    if epics is not None:
        epic = onboarding_epic_among(epics, member)
    else:
        epic = (
            member.owned_epics.filter(title__icontains="onboarding")
            .select_related("reviewer__user")
            .order_by("pk")
            .first()
        )
    mentors = mentors_of(member, epic, as_of, mentor_assignments)
    budget = None
    hours_by_member: list[tuple[str, Decimal]] = []
    if epic is not None and with_budget:
        rows = list(
            Ticket.objects.filter(epic=epic, worklogs__isnull=False)
            .values_list(
                "worklogs__member_id",
                "worklogs__member__user__username",
                "worklogs__member__user__first_name",
                "worklogs__member__user__last_name",
            )
            .annotate(total=Sum("worklogs__seconds"))
            .order_by("-total")
        )
        people = {member.pk, *(m.pk for m in mentors)}
        hours = {row[0]: Decimal(row[4]) / 3600 for row in rows}
        hours_by_member = [
            (display_name(first_name, last_name, username) or "unknown member", Decimal(total) / 3600)
            for _, username, first_name, last_name, total in rows
        ]
        core = (
            Member.objects.filter(cell_id=member.cell_id or 0)
            .with_type(as_of=as_of)
            .filter(current_type=MemberType.CORE)  # type: ignore[misc]
            .aggregate(n=Count("id"))["n"]
        )
        budget = OnboardingBudget(
            newcomer_mentor_hours=sum((h for m, h in hours.items() if m in people), Decimal(0)),
            total_hours=sum(hours.values(), Decimal(0)),
            extended=bool(since) and is_extended(start, as_of),
            core_members=core or 0,
        )
    return NewcomerOverview(
        member=member,
        newcomer_since=since,
        trial_end=trial_end(since) if since else None,
        extended=bool(since) and is_extended(start, as_of),
        first_sprint=first,
        limits=limits,
        goals=goals,
        production_access=[t for t in tickets if t.needs_production_access],
        onboarding_epic=epic,
        mentors=mentors,
        budget=budget,
        hours_by_member=hours_by_member,
    )
