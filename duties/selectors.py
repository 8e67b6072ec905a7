"""Read queries of the duties app. Each function runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum

from duties.calculations import (
    ROTATION_KINDS,
    AssignmentData,
    CellData,
    DefinitionData,
    EpicData,
    NewcomerData,
    PlanningData,
    RotationData,
    newcomer_periods,
)
from duties.models import TOTAL_RULE, ChecklistItem, DutyDefinition, DutyInstance, FindingSnapshot
from roles import rotation_holders
from roles.calculations import CommitmentChange, TimeOffPeriod, available_hours
from roles.clock import MAX_SEARCH_DAYS, Window, reply_due
from roles.models import Cell, Member, MemberTypePeriod, RoleAssignment, WeeklyCommitment
from roles.permissions import AnyUser, can_view_cell, sees_every_cell
from roles.rotation_holders import RotationHold
from roles.selectors import time_off_by_member
from rotations.holders import ROLE_SLUG_OF_KIND, as_hold
from rotations.models import RotationAssignment
from sprints.newcomer_selectors import MENTOR as MENTOR_ROLE


def _epics() -> list[EpicData]:
    """Epics in development with an owner (each owes an update every sprint), and the epics
    of open duties (so a reassignment still finds them); one query."""
    from epics.models import Epic, EpicStatus

    open_duty_epics = DutyInstance.objects.filter(done_at__isnull=True, epic__isnull=False).values("epic_id")
    rows = (
        Epic.objects.filter(
            Q(status=EpicStatus.IN_DEVELOPMENT, owner__isnull=False) | Q(pk__in=open_duty_epics)
        )
        .order_by()
        .values_list("pk", "cell_id", "owner__cell_id", "owner_id", "reviewer_id", "status")
    )
    return [
        EpicData(
            id=pk,
            cell_id=cell_id if cell_id is not None else owner_cell_id,
            owner_id=owner_id,
            reviewer_id=reviewer_id,
            in_development=status == EpicStatus.IN_DEVELOPMENT,
        )
        for pk, cell_id, owner_cell_id, owner_id, reviewer_id, status in rows
    ]


def planning_data(*, start: date, end: date) -> PlanningData:
    """Everything the opener needs for duties due in [start, end], in eight queries:
    definitions, cells, role assignments, rotations, newcomer type periods, member cells,
    time off, epics (in development, or with an open duty)."""
    definitions = [
        DefinitionData(
            id=d.pk,
            role_id=d.role_id,
            role_slug=d.role.slug,
            role_scope=d.role.scope,
            generalist_only=d.role.generalist_only,
            cadence=d.as_cadence(),
            assignee_rule=d.assignee_rule,
            in_force_from=d.in_force_from,
        )
        for d in DutyDefinition.objects.filter(active=True).select_related("role")
    ]
    cells = [
        CellData(id=pk, is_generalist=kind == "generalist")
        for pk, kind in Cell.objects.values_list("pk", "kind")
    ]
    assignments = [
        AssignmentData(member_id=m, role_id=r, cell_id=c, since=s, until=u, backup_id=b)
        for m, r, c, s, u, b in RoleAssignment.objects.filter(
            Q(since__lte=end) & (Q(until__isnull=True) | Q(until__gte=start))
        ).values_list("member_id", "role_id", "cell_id", "since", "until", "backup_id")
    ]
    rotations = [
        RotationData(kind=k, cell_id=c, member_id=m, start=s, end=e)
        for k, c, m, s, e in RotationAssignment.objects.filter(start__lte=end, end__gte=start).values_list(
            "kind", "cell_id", "member_id", "start", "end"
        )
    ]
    rows = list(
        MemberTypePeriod.objects.filter(
            member__in=MemberTypePeriod.objects.filter(member_type="newcomer").values("member_id")
        ).values_list("member_id", "member_type", "since", "member__left_on", "member__cell_id")
    )
    left_on = {r[0]: r[3] for r in rows}
    newcomer_cells = {r[0]: r[4] for r in rows}
    newcomers = [
        NewcomerData(member_id=m, cell_id=newcomer_cells[m], joined_on=first, trial_end=last)
        for m, first, last in newcomer_periods([(r[0], r[1], r[2]) for r in rows], left_on)
        if first <= end and last >= start - timedelta(days=14)
    ]
    member_cells = dict(Member.objects.values_list("pk", "cell_id"))
    return PlanningData(
        epics=_epics(),
        definitions=definitions,
        cells=cells,
        assignments=assignments,
        rotations=rotations,
        newcomers=newcomers,
        member_cells=member_cells,
        time_off=time_off_by_member(member_ids=None, start=start, end=end),
    )


def instances_with_checklists() -> QuerySet[DutyInstance]:
    """Instances with their definition, role, cell, assignee, epic and ordered items (one extra query)."""
    return DutyInstance.objects.select_related(
        "definition__role", "cell", "assignee__user", "subject_member__user", "done_by__user", "epic"
    ).prefetch_related(
        Prefetch(
            "items", queryset=ChecklistItem.objects.select_related("ticked_by__user").order_by("position")
        )
    )


def _current_role_assignments(*, member: Member, as_of: date) -> QuerySet[RoleAssignment]:
    """Assignments current on ``as_of`` that ``member`` holds or backs up (rotation roles left
    out: the rotation schedule says who holds those)."""
    return (
        RoleAssignment.objects.holdings()
        .filter(since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .filter(Q(member=member) | Q(backup=member))
    )


def holds_duty_role(*, member: Member, instance: DutyInstance, as_of: date) -> bool:
    """Whether ``member`` holds or backs up the duty's role where the duty is (its cell, or a
    cell-less assignment of a member of that cell; for a duty with no cell, a cell-less
    assignment), so may stand in for the assignee; one query."""
    qs = _current_role_assignments(member=member, as_of=as_of).filter(role_id=instance.definition.role_id)
    if instance.cell_id is None:
        return qs.filter(cell__isnull=True).exists()
    if qs.filter(
        Q(cell_id=instance.cell_id) | Q(cell__isnull=True, member__cell_id=instance.cell_id)
    ).exists():
        return True
    # A rotation role: whoever the schedule has on it (or on one of its backup slots) that day.
    kinds = ROTATION_KINDS.get(instance.definition.role.slug)
    if kinds is None:
        return False
    slugs = {ROLE_SLUG_OF_KIND.get(kind, kind) for kind in (kinds[0], *kinds[1])}
    slots = rotation_holders.holds(
        start=as_of, end=as_of, member_ids=[member.pk], cell_ids=[instance.cell_id]
    )
    return any(slot.role_slug in slugs for slot in slots)


def is_party_to(*, member: Member, instance: DutyInstance) -> bool:
    """The assignee, the member the duty is about, or the owner/reviewer of its epic (no query
    when the epic is loaded)."""
    if member.pk in (instance.assignee_id, instance.subject_member_id):
        return True
    epic = instance.epic if instance.epic_id else None
    return epic is not None and member.pk in (epic.owner_id, epic.reviewer_id)


def can_view_duty(*, user: AnyUser, member: Member | None, instance: DutyInstance, as_of: date) -> bool:
    """Staff, the people the duty concerns (``is_party_to``), the members of its cell (and those
    who may see every cell); a duty with no cell only to staff, those concerned and the holders
    and backups of its role."""
    if user.is_staff:
        return True
    if member is not None and is_party_to(member=member, instance=instance):
        return True
    if instance.cell_id is None:
        return member is not None and holds_duty_role(member=member, instance=instance, as_of=as_of)
    return can_view_cell(user, instance.cell)


def visible_duties(user: AnyUser, *, as_of: date) -> Q | None:
    """The filter of the duties ``user`` may read, as ``can_view_duty`` decides one by one
    (None: every duty). No query of its own: the roles are a subquery."""
    if user.is_staff:
        return None
    from roles.permissions import member_of

    member = member_of(user)
    if member is None:
        return Q(pk__in=[])
    stand_in_roles = _current_role_assignments(member=member, as_of=as_of).filter(cell__isnull=True)
    own = (
        Q(assignee=member)
        | Q(subject_member=member)
        | Q(epic__owner=member)
        | Q(epic__reviewer=member)
        | Q(cell__isnull=True, definition__role_id__in=stand_in_roles.values("role_id"))
    )
    if sees_every_cell(user):
        return own | Q(cell__isnull=False)
    if member.cell_id is not None:  # never "cell IS NULL" for a member outside the cells
        return own | Q(cell_id=member.cell_id)
    return own


def my_open_duties(*, member: Member, as_of: date) -> list[DutyInstance]:
    """Open duties assigned to ``member`` that have opened, plus those done today; two queries."""
    return list(
        instances_with_checklists()
        .filter(assignee=member, opens_on__lte=as_of)
        .filter(Q(done_at__isnull=True) | Q(done_at__date=as_of))
        .order_by("done_at", "due_on", "definition__sort_order")
    )


def my_assignments_during(
    *, member: Member, start: date, end: date, with_cell_mentors: bool = False
) -> tuple[list[RoleAssignment], list[RoleAssignment]]:
    """The member's role assignments overlapping [start, end] (a sprint), rotation roles left
    out (``holdings``: who holds them is the rotation schedule's answer), in one query: the
    home page takes both the roles held today (``current_of``) and the sprint's role
    reservations from them. With
    ``with_cell_mentors`` (a newcomer's home), the same query also brings the mentor
    assignments of the member's cell, with their members: returned second."""
    where = Q(member=member)
    if with_cell_mentors and member.cell_id is not None:
        where |= Q(role__slug=MENTOR_ROLE, cell_id=member.cell_id)
    rows = list(
        RoleAssignment.objects.holdings()
        .filter(where, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .select_related("role", "cell", "backup__user", "member__user")
        .order_by("role__sort_order", "since")
    )
    mine = [a for a in rows if a.member_id == member.pk]
    mentors = [a for a in rows if a.role.slug == MENTOR_ROLE]
    return mine, mentors


def current_of(assignments: Iterable[RoleAssignment], as_of: date) -> list[RoleAssignment]:
    """The loaded assignments held on ``as_of``."""
    return [a for a in assignments if a.is_current_on(as_of)]


def my_rotations_since(*, member: Member, start: date) -> list[RotationAssignment]:
    """The member's rotations ending on or after ``start`` (a sprint's first day), by start,
    with their cell (one query): the home page takes both its upcoming rotations and the
    sprint's reservations for the capacity from them."""
    return list(
        RotationAssignment.objects.filter(member=member, end__gte=start)
        .select_related("cell")
        .order_by("start")
    )


def rotation_holds(rotations: Iterable[RotationAssignment]) -> list[RotationHold]:
    """Loaded rotations as ``roles.rotation_holders`` slots (no query): the findings addressed
    to a firefighter or discovery duty reach who the schedule names."""
    return [as_hold(r) for r in rotations]


def my_epics(*, member: Member, sprint_number: int, with_onboarding: bool = False) -> list[Any]:
    """Epics the member owns or reviews that are not done, each marked ``has_update`` for
    the sprint (one query): the home page counts the owned ones for the capacity and lists
    the in-development ones without an update. ``with_onboarding`` adds the onboarding
    epics the member owns even when done (a newcomer's home finds theirs among them)."""
    from epics.models import Epic, EpicStatus, EpicUpdate

    has_update = EpicUpdate.objects.filter(epic=OuterRef("pk"), sprint__number=sprint_number)
    done = Q(status=EpicStatus.DONE)
    if with_onboarding:
        done &= ~Q(owner=member, title__icontains="onboarding")
    return list(
        Epic.objects.filter(Q(owner=member) | Q(reviewer=member))
        .exclude(done)
        .annotate(has_update=Exists(has_update))
        .select_related("cell", "reviewer__user")
        .order_by("key")
    )


def cell_duties(*, cell: Cell, start: date, end: date) -> list[DutyInstance]:
    """The cell's duties due in [start, end] (the cell's own and its members'), two queries."""
    return list(
        instances_with_checklists()
        .filter(Q(cell=cell) | Q(assignee__cell=cell), due_on__range=(start, end))
        .order_by("-due_on", "definition__sort_order")
    )


@dataclass(frozen=True)
class RoleCompletion:
    role_name: str
    total: int
    done: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return None if self.total == 0 else self.done / self.total

    @property
    def percent(self) -> int | None:
        return None if self.total == 0 else round(100 * self.done / self.total)


def completion_by_role(*, cell: Cell, start: date, as_of: date) -> list[RoleCompletion]:
    """Duties of the cell due from ``start`` per role: how many, done, done on time (one query).
    A duty counts once it is done or its due date has passed: one due today and still open
    is not late yet, so it does not lower the rate."""
    rows = (
        DutyInstance.objects.filter(Q(cell=cell) | Q(assignee__cell=cell), due_on__range=(start, as_of))
        .filter(Q(done_at__isnull=False) | Q(due_on__lt=as_of))
        .values("definition__role__name", "definition__role__sort_order")
        .annotate(
            total=Count("pk", distinct=True),
            done=Count("pk", filter=Q(done_at__isnull=False), distinct=True),
            on_time=Count("pk", filter=Q(done_at__date__lte=F("due_on")), distinct=True),
        )
        .order_by("definition__role__sort_order")
    )
    return [
        RoleCompletion(
            role_name=r["definition__role__name"], total=r["total"], done=r["done"], on_time=r["on_time"]
        )
        for r in rows
    ]


def finding_trend(*, cell: Cell, sprints: int = 6) -> list[dict[str, Any]]:
    """Findings per sprint from the daily snapshots: per sprint, the counts of its latest
    snapshot day, per rule (one query). Most recent sprint last."""
    rows = (
        FindingSnapshot.objects.filter(cell=cell)
        .order_by("-sprint_number", "-day")
        .values_list("sprint_number", "day", "rule", "count")
    )
    latest_day: dict[int, date] = {}
    per_sprint: dict[int, dict[str, int]] = defaultdict(dict)
    for number, day, rule, count in rows:
        if number not in latest_day:
            if len(latest_day) >= sprints:
                break
            latest_day[number] = day
        if day == latest_day[number]:
            per_sprint[number][rule] = count
    result = []
    for n in sorted(latest_day):
        by_rule = {rule: count for rule, count in sorted(per_sprint[n].items()) if rule != TOTAL_RULE}
        total = per_sprint[n].get(TOTAL_RULE, sum(by_rule.values()))
        result.append({"sprint": n, "total": total, "by_rule": by_rule})
    return result


def member_names(member_ids: set[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    return {m.pk: m.name for m in Member.objects.filter(pk__in=member_ids).select_related("user")}


def open_instances_for_reassign(*, since: date) -> QuerySet[DutyInstance]:
    return DutyInstance.objects.filter(done_at__isnull=True, due_on__gte=since).select_related(
        "definition__role"
    )


def member_reply_due(*, member: Member, pinged_at: datetime, window: Window) -> datetime:
    """When ``member`` owes a reply if pinged at ``pinged_at`` (their zone and time off; one query).
    A client email runs on the client SLA of the member's cell (preload ``cell``)."""
    first = pinged_at.date() - timedelta(days=1)
    periods = time_off_by_member(
        member_ids=[member.pk], start=first, end=first + timedelta(days=MAX_SEARCH_DAYS)
    )
    sla = member.cell.client_sla_hours if member.cell is not None else None
    return reply_due(
        pinged_at, window=window, tz=member.timezone, time_off=periods.get(member.pk, []), sla_hours=sla
    )


def epics_needing_update(*, member: Member, sprint_number: int) -> list[Any]:
    """In-development epics the member owns (or reviews) with no update for the sprint (one query)."""
    from epics.models import Epic, EpicStatus, EpicUpdate

    has_update = EpicUpdate.objects.filter(epic=OuterRef("pk"), sprint__number=sprint_number)
    return list(
        Epic.objects.filter(Q(owner=member) | Q(reviewer=member), status=EpicStatus.IN_DEVELOPMENT)
        .annotate(has_update=Exists(has_update))
        .filter(has_update=False)
        .select_related("cell")
        .order_by("key")
    )


@dataclass(frozen=True)
class WorklogHealth:
    since: date
    logged_hours: Decimal
    expected_hours: Decimal
    last_work_date: date | None

    @property
    def ratio_percent(self) -> int | None:
        if self.expected_hours <= 0:
            return None
        return round(100 * self.logged_hours / self.expected_hours)

    @property
    def behind(self) -> bool:
        return self.expected_hours > 0 and self.logged_hours < self.expected_hours * Decimal("0.8")


def worklog_health(
    *,
    member: Member,
    start: date,
    as_of: date,
    commitments: Sequence[CommitmentChange] | None = None,
    time_off: Sequence[TimeOffPeriod] | None = None,
) -> WorklogHealth:
    """Hours the member logged in [start, as_of] against their commitment less time off
    (three queries: worklogs aggregate, commitments, time off; one when the caller passes
    the member's ``commitments`` and a ``time_off`` covering [start, as_of], e.g. from the
    sprint's capacity inputs)."""
    from sustainability.models import Worklog

    totals = Worklog.objects.filter(member=member, work_date__lte=as_of).aggregate(
        seconds=Sum("seconds", filter=Q(work_date__gte=start)), last=Max("work_date")
    )
    last = totals["last"]
    changes = (
        list(commitments)
        if commitments is not None
        else [
            CommitmentChange(since=s, hours_per_week=h)
            for s, h in WeeklyCommitment.objects.filter(member=member).values_list("since", "hours_per_week")
        ]
    )
    periods = (
        list(time_off)
        if time_off is not None
        else time_off_by_member(member_ids=[member.pk], start=start, end=as_of).get(member.pk, [])
    )
    expected = available_hours(changes=changes, periods=periods, start=start, end=as_of)
    logged = (Decimal(totals["seconds"] or 0) / Decimal(3600)).quantize(Decimal("0.01"))
    return WorklogHealth(
        since=start,
        logged_hours=logged,
        expected_hours=expected.quantize(Decimal("0.01")),
        last_work_date=last,
    )
