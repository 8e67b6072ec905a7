"""Read queries of the roles app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from findings.models import Finding
from opencraft_ops.process_checks import CheckContext, held_roles
from roles import rotation_holders
from roles.calculations import TimeOffPeriod, tenure_label
from roles.models import (
    CONFERENCE_REQUIRED_FROM,
    Cell,
    CommitmentChangeRequest,
    CommitmentRequestStatus,
    Conference,
    ConferenceParticipation,
    Member,
    MemberQuerySet,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    RoleScope,
    TimeOff,
    WeeklyCommitment,
)
from roles.rotation_holders import RotationHold


def time_off_by_member(
    *, member_ids: Iterable[int] | None, start: date, end: date
) -> dict[int, list[TimeOffPeriod]]:
    """Time off overlapping [start, end] per member, in one query.

    ``member_ids=None`` means every member.
    """
    qs = TimeOff.objects.filter(Q(start__lte=end) & Q(end__gte=start))
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    result: dict[int, list[TimeOffPeriod]] = defaultdict(list)
    for member_id, s, e, hours in qs.values_list("member_id", "start", "end", "hours_per_day"):
        result[member_id].append(TimeOffPeriod(start=s, end=e, hours_per_day=hours))
    return dict(result)


# --- Pages ------------------------------------------------------------------


@dataclass
class HeldRole:
    """A role assignment as the pages show it, with its tenure."""

    assignment: RoleAssignment
    tenure: str
    in_transition: bool  # the outgoing holder is still helping after a handover
    handover_upcoming: bool  # a handover is recorded and has not started yet


@dataclass
class MemberRow:
    member: Member
    roles: list[HeldRole] = field(default_factory=list)
    off_today: TimeOff | None = None
    off_this_sprint: list[TimeOff] = field(default_factory=list)


@dataclass
class RotationRow:
    """A slot of the rotation schedule as the directory and member pages show it: the
    holder (``member`` is None for someone no longer active) and the slot's dates."""

    hold: RotationHold
    member: Member | None


@dataclass
class CellDirectory:
    """One cell's line of the directory: its size, who holds its management roles, what
    is missing, handovers, who is off today, and its most severe findings."""

    cell: Cell
    member_count: int
    off_today_count: int
    management: list[HeldRole]
    rotations: list[RotationRow]  # the sprint's rotation schedule (``roles.rotation_holders``)
    missing_roles: list[Role]
    handovers: list[HeldRole]
    findings: list[Finding]
    findings_count: int


@dataclass(frozen=True)
class DirectoryFilter:
    """What the directory's member list is narrowed to: words of a name, a cell (its slug,
    or ``NO_CELL`` for the people outside the cells), a role held today (its slug)."""

    q: str = ""
    cell: str = ""
    role: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.cell or self.role)


NO_CELL = "none"


@dataclass
class Directory:
    as_of: date
    sprint_start: date
    sprint_end: date
    cells: list[CellDirectory]
    company_roles: list[HeldRole]
    company_handovers: list[HeldRole]
    findings: list[Finding]
    findings_count: int
    members: list[MemberRow]  # the page of the (filtered) member list
    matching: int  # members the filter matches, on every page
    member_count: int  # active members in all
    off_today_count: int
    roles: list[Role]  # every role, for the filter
    page: Any = None  # the Paginator page of ``members``


def _held(assignment: RoleAssignment, as_of: date) -> HeldRole:
    until = assignment.until
    in_transition = bool(
        until is not None
        and assignment.transition_until is not None
        and until < as_of <= assignment.transition_until
    )
    upcoming = bool(assignment.handed_over_to_id and until is not None and until >= as_of)
    return HeldRole(
        assignment=assignment,
        tenure=tenure_label(assignment.since, as_of),
        in_transition=in_transition,
        handover_upcoming=upcoming,
    )


def _assignments_shown_on(as_of: date) -> QuerySet[RoleAssignment]:
    """Assignments held on ``as_of`` plus handed-over ones still in transition."""
    held = Q(since__lte=as_of) & (Q(until__isnull=True) | Q(until__gte=as_of))
    transition = Q(until__lt=as_of) & Q(transition_until__gte=as_of)
    return (
        RoleAssignment.objects.holdings()
        .filter(held | transition)
        .select_related("role", "cell", "member__user", "backup__user", "handed_over_to__user")
    )


DIRECTORY_PAGE_SIZE = 50
# Findings listed per cell on the directory; the rest are counted and on cell health.
DIRECTORY_FINDINGS_PER_CELL = 5


def _members_matching(as_of: date, wanted: DirectoryFilter) -> MemberQuerySet:
    members = Member.objects.active(as_of)
    for word in wanted.q.split():
        members = members.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
        )
    if wanted.cell == NO_CELL:
        members = members.filter(cell__isnull=True)
    elif wanted.cell:
        members = members.filter(cell__slug=wanted.cell)
    if wanted.role:
        held = RoleAssignment.objects.holdings().filter(
            Q(until__isnull=True) | Q(until__gte=as_of),
            member=OuterRef("pk"),
            role__slug=wanted.role,
            since__lte=as_of,
        )
        members = members.filter(Exists(held))
    return members


def _findings_per_scope(findings: QuerySet[Finding]) -> tuple[list[Finding], dict[int | None, int]]:
    """The most severe ``DIRECTORY_FINDINGS_PER_CELL`` open findings of each cell, every
    cell-less one, and how many each cell has in all: one query (window functions)."""
    ranked = findings.annotate(
        rank=Window(
            RowNumber(), partition_by=[F("scope")], order_by=[F("severity").desc(), "rule", "subject", "pk"]
        ),
        in_scope=Window(Count("pk"), partition_by=[F("scope")]),
    ).filter(Q(rank__lte=DIRECTORY_FINDINGS_PER_CELL) | Q(cell_id__isnull=True))
    rows: list[Finding] = list(ranked)
    totals: dict[int | None, int] = {f.cell_id: int(getattr(f, "in_scope", 0)) for f in rows}
    return rows, totals


def directory(
    *,
    as_of: date,
    sprint_start: date,
    sprint_end: date,
    findings: QuerySet[Finding],
    wanted: DirectoryFilter | None = None,
    page_number: int | str | None = 1,
    cells: list[Cell] | None = None,
    roles: list[Role] | None = None,
) -> Directory:
    """The directory page: one line per cell and one page of the (filtered) member list,
    in eleven queries whatever the size of the organisation: cells, the member counts per
    cell (active and off today), the count and the page of the matching members (with
    type and commitment), the assignments shown (the page's members', the management and
    company-wide roles, handovers), the page's time off during the sprint, the roles, the sprint's rotation slots and their holders, and
    the open findings (a few per cell, with their count). ``cells`` and ``roles``, when
    the caller has them (ordered by name, and by sort order and name), save two."""
    wanted = wanted or DirectoryFilter()
    if cells is None:
        cells = list(Cell.objects.order_by("name"))
    off_today = TimeOff.objects.filter(member=OuterRef("pk"), start__lte=as_of, end__gte=as_of)
    counts = {
        row["cell_id"]: (row["n"], row["off"])
        for row in Member.objects.active(as_of)
        .order_by()
        .values("cell_id")
        .annotate(n=Count("pk"), off=Count("pk", filter=Q(Exists(off_today))))
    }
    paginator = Paginator(
        _members_matching(as_of, wanted)
        .with_type(as_of)
        .with_commitment(as_of)
        .select_related("user", "cell")
        .order_by("user__first_name", "user__last_name", "user__username", "pk"),
        DIRECTORY_PAGE_SIZE,
    )
    page = paginator.get_page(page_number)
    rows = {m.pk: MemberRow(member=m) for m in page.object_list}
    if roles is None:
        roles = list(Role.objects.order_by("sort_order", "name"))
    management = [role for role in roles if role.is_cell_management]

    shown = _assignments_shown_on(as_of).filter(
        Q(member_id__in=list(rows))
        | Q(role__is_cell_management=True)
        | Q(cell__isnull=True)
        | Q(handed_over_to__isnull=False)
        | Q(until__lt=as_of)
    )
    assignments = list(shown.order_by("role__sort_order", "role__name", "since"))
    if rows:
        absences = TimeOff.objects.filter(
            member_id__in=list(rows), start__lte=sprint_end, end__gte=sprint_start
        ).order_by("start")
        for time_off in absences:
            row = rows[time_off.member_id]
            row.off_this_sprint.append(time_off)
            if time_off.start <= as_of <= time_off.end:
                row.off_today = time_off

    held_by_cell: dict[int | None, list[HeldRole]] = defaultdict(list)
    handovers: dict[int | None, list[HeldRole]] = defaultdict(list)
    for assignment in assignments:
        held = _held(assignment, as_of)
        if assignment.member_id in rows and not held.in_transition:
            rows[assignment.member_id].roles.append(held)
        if held.in_transition or held.handover_upcoming:
            handovers[assignment.cell_id].append(held)
        if not held.in_transition and (assignment.cell_id is None or assignment.role.is_cell_management):
            held_by_cell[assignment.cell_id].append(held)

    # The sprint's rotation slots, grouped by rotation (firefighter 1, 2, backup, discovery
    # duty...) then by date, with their holders' names (two queries).
    holds = sorted(
        rotation_holders.holds(start=sprint_start, end=sprint_end),
        key=lambda h: (rotation_holders.slug_rank(h.role_slug), h.start),
    )
    holders = Member.objects.active(as_of).select_related("user").in_bulk({h.member_id for h in holds})
    rotations: dict[int | None, list[RotationRow]] = defaultdict(list)
    for hold in holds:
        rotations[hold.cell_id].append(RotationRow(hold=hold, member=holders.get(hold.member_id)))

    shown_findings, findings_totals = _findings_per_scope(findings)
    findings_by_cell: dict[int | None, list[Finding]] = defaultdict(list)
    for finding in shown_findings:
        findings_by_cell[finding.cell_id].append(finding)

    result: list[CellDirectory] = []
    for cell in cells:
        held_here = held_by_cell[cell.pk]
        held_ids = {h.assignment.role_id for h in held_here}
        member_count, off_count = counts.get(cell.pk, (0, 0))
        result.append(
            CellDirectory(
                cell=cell,
                member_count=member_count,
                off_today_count=off_count,
                management=held_here,
                rotations=rotations[cell.pk],
                missing_roles=[role for role in management if role.pk not in held_ids],
                handovers=handovers[cell.pk],
                findings=findings_by_cell[cell.pk],
                findings_count=findings_totals.get(cell.pk, 0),
            )
        )
    return Directory(
        as_of=as_of,
        sprint_start=sprint_start,
        sprint_end=sprint_end,
        cells=result,
        company_roles=held_by_cell[None],
        company_handovers=handovers[None],
        findings=findings_by_cell[None],
        findings_count=sum(findings_totals.values()),
        members=list(rows.values()),
        matching=paginator.count,
        member_count=sum(n for n, _ in counts.values()),
        off_today_count=sum(off for _, off in counts.values()),
        roles=roles,
        page=page,
    )


@dataclass
class MemberPage:
    member: Member
    roles: list[HeldRole]
    rotations: list[RotationHold]
    past_roles: list[RoleAssignment]
    backing_up: list[RoleAssignment]
    commitments: list[WeeklyCommitment]
    type_periods: list[MemberTypePeriod]
    time_off: list[TimeOff]


# How far ahead the member page lists a member's rotations (this sprint and the next).
ROTATIONS_AHEAD_DAYS = 27


def member_page(*, member_id: int, as_of: date) -> MemberPage:
    """The member page in seven queries: the member (with user, cell, type and
    commitment), their assignments (rotation roles left out), their rotation slots from
    today for four weeks (the schedule), the assignments they back up, commitments, type
    history and time off."""
    member = get_object_or_404(
        Member.objects.with_type(as_of).with_commitment(as_of).select_related("user", "cell"), pk=member_id
    )
    assignments = list(
        RoleAssignment.objects.holdings()
        .filter(member=member)
        .select_related("role", "cell", "backup__user", "handed_over_to__user")
        .order_by("-since")
    )
    current = [a for a in assignments if a.is_current_on(as_of)]
    past = [a for a in assignments if not a.is_current_on(as_of) and a.since < as_of]
    upcoming = [a for a in assignments if a.since > as_of]
    backing_up = list(
        RoleAssignment.objects.holdings()
        .filter(backup=member)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .select_related("role", "cell", "member__user")
        .order_by("role__sort_order")
    )
    return MemberPage(
        member=member,
        roles=[_held(a, as_of) for a in [*upcoming, *current]],
        rotations=rotation_holders.holds(
            start=as_of, end=as_of + timedelta(days=ROTATIONS_AHEAD_DAYS), member_ids=[member.pk]
        ),
        past_roles=past,
        backing_up=backing_up,
        commitments=list(WeeklyCommitment.objects.filter(member=member).order_by("-since")),
        type_periods=list(MemberTypePeriod.objects.filter(member=member).order_by("-since")),
        time_off=list(TimeOff.objects.filter(member=member).order_by("-start")),
    )


def member_check_context(
    *,
    member_id: int,
    as_of: date,
    assignments: Iterable[Any] | None = None,
    member_cell_id: int | None = None,
    rotations: Iterable[RotationHold] | None = None,
) -> CheckContext:
    """The context of "findings addressed to this member": their id and the roles they hold
    on ``as_of``: their assignments (rotation roles left out) and the rotations the schedule
    gives them that day (``roles.rotation_holders``), loaded in two queries; or in none when
    the caller already has the member's current ``assignments`` (role loaded) and their
    ``rotations`` around ``as_of`` and passes them with ``member_cell_id``."""
    rows: list[tuple[str, str, int | None, int | None]]
    if assignments is None:
        rows = list(
            RoleAssignment.objects.holdings()
            .filter(member_id=member_id, since__lte=as_of)
            .filter(Q(until__isnull=True) | Q(until__gte=as_of))
            .values_list("role__slug", "role__scope", "cell_id", "member__cell_id")
        )
        member_cell_id = rows[0][3] if rows else member_cell_id
    else:
        rows = [
            (a.role.slug, a.role.scope, a.cell_id, member_cell_id)
            for a in assignments
            if a.role.scope != RoleScope.ROTATION
        ]
    if rotations is None:
        rotations = rotation_holders.holds(start=as_of, end=as_of, member_ids=[member_id])
    rows += [
        (h.role_slug, RoleScope.ROTATION, h.cell_id, member_cell_id)
        for h in rotation_holders.held_on(rotations, as_of)
    ]
    return CheckContext(as_of=as_of, member_id=member_id, member_roles=held_roles(rows))


def time_off_ending_since(*, member_id: int, start: date) -> list[TimeOff]:
    """The member's periods away ending on or after ``start``, by start (one query): a
    sprint's time off and the next period away from a single read (``next_of``)."""
    return list(TimeOff.objects.filter(member_id=member_id, end__gte=start).order_by("start"))


def next_of(periods: Iterable[TimeOff], as_of: date) -> TimeOff | None:
    """The member's current or next period away among loaded periods (by start)."""
    return next((p for p in periods if p.end >= as_of), None)


# --- Requests to change a weekly commitment ---

# How long the deciders' page keeps showing decided requests.
DECIDED_SHOWN_DAYS = 90
# How many of their own decided requests a member's page shows.
OWN_DECIDED_SHOWN = 3


def _with_current_hours(
    qs: QuerySet[CommitmentChangeRequest], as_of: date
) -> QuerySet[CommitmentChangeRequest]:
    """Annotates ``current_hours``: the member's commitment in force on ``as_of`` (a subquery)."""
    current = (
        WeeklyCommitment.objects.filter(member_id=OuterRef("member_id"), since__lte=as_of)
        .order_by("-since")
        .values("hours_per_week")[:1]
    )
    return qs.annotate(current_hours=Subquery(current))


@dataclass
class CommitmentRequests:
    pending: list[CommitmentChangeRequest]
    decided: list[CommitmentChangeRequest]


def commitment_requests_to_decide(
    *, cell_ids: Iterable[int] | None, as_of: date, decided_since: Any
) -> CommitmentRequests:
    """The requests of the members of ``cell_ids`` (every member for ``None``): the pending
    ones, oldest first, with each member's current hours, and those decided (or withdrawn)
    since ``decided_since``, newest first. Two queries, whatever the number of requests."""
    qs = CommitmentChangeRequest.objects.select_related("member__user", "member__cell")
    if cell_ids is not None:
        qs = qs.filter(member__cell_id__in=list(cell_ids))
    pending = _with_current_hours(qs.filter(status=CommitmentRequestStatus.PENDING), as_of)
    decided = (
        qs.exclude(status=CommitmentRequestStatus.PENDING)
        .filter(decided_at__gte=decided_since)
        .select_related("decided_by__user")
        .order_by("-decided_at", "-pk")
    )
    return CommitmentRequests(pending=list(pending.order_by("requested_at", "pk")), decided=list(decided))


def own_commitment_requests(*, member_id: int) -> CommitmentRequests:
    """A member's pending request (at most one) and their last few decided ones, in one query."""
    rows = list(
        CommitmentChangeRequest.objects.filter(member_id=member_id)
        .select_related("decided_by__user")
        .order_by("-requested_at", "-pk")[: OWN_DECIDED_SHOWN + 1]
    )
    pending = [r for r in rows if r.is_pending]
    return CommitmentRequests(
        pending=pending, decided=[r for r in rows if not r.is_pending][:OWN_DECIDED_SHOWN]
    )


def conference_upcoming(*, as_of: date) -> Conference | None:
    """The current or next conference (one query): the first not over on ``as_of``."""
    return Conference.objects.filter(ends_on__gte=as_of).order_by("starts_on").first()


@dataclass(frozen=True)
class ConferenceCard:
    """A member's answer to the current or next conference, for their own page."""

    conference: Conference
    participation: ConferenceParticipation | None  # None: not answered yet
    required: bool  # False: joined before the exemption day, encouraged only


def member_conference(*, member: Member, as_of: date) -> ConferenceCard | None:
    """The member's card for the current or next conference (two queries), or None when
    no conference is recorded ahead."""
    conference = conference_upcoming(as_of=as_of)
    if conference is None:
        return None
    participation = ConferenceParticipation.objects.filter(conference=conference, member=member).first()
    return ConferenceCard(
        conference=conference,
        participation=participation,
        required=member.joined_on >= CONFERENCE_REQUIRED_FROM,
    )


@dataclass(frozen=True)
class ConferenceAnswer:
    member: Member
    participation: ConferenceParticipation | None
    required: bool


@dataclass(frozen=True)
class CellConferenceAnswers:
    cell: Cell | None  # None: the members outside the cells
    answers: list[ConferenceAnswer]

    @property
    def unanswered(self) -> int:
        return sum(1 for a in self.answers if a.participation is None)


def conference_answers(
    *, conference: Conference, cell_ids: Iterable[int] | None, as_of: date
) -> list[CellConferenceAnswers]:
    """The answers of each cell's active members to ``conference``, a cell at a time (three
    queries whatever the number of members: cells, members with their user, answers).
    ``cell_ids=None`` means every cell and the members outside the cells."""
    cells = Cell.objects.order_by("name")
    members = (
        Member.objects.active(as_of)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    if cell_ids is not None:
        wanted = list(cell_ids)
        cells = cells.filter(pk__in=wanted)
        members = members.filter(cell_id__in=wanted)
    answers = {
        p.member_id: p
        for p in ConferenceParticipation.objects.filter(conference=conference, member__in=members)
    }
    by_cell: dict[int | None, list[ConferenceAnswer]] = defaultdict(list)
    for member in members:
        by_cell[member.cell_id].append(
            ConferenceAnswer(
                member=member,
                participation=answers.get(member.pk),
                required=member.joined_on >= CONFERENCE_REQUIRED_FROM,
            )
        )
    result = [CellConferenceAnswers(cell=cell, answers=by_cell.get(cell.pk, [])) for cell in cells]
    if cell_ids is None and by_cell.get(None):
        result.append(CellConferenceAnswers(cell=None, answers=by_cell[None]))
    return result


def cells_held(*, member: Member, role_slug: str, as_of: date) -> set[int]:
    """The cells where ``member`` holds ``role_slug`` on ``as_of`` (one query)."""
    return set(
        RoleAssignment.objects.holdings()
        .filter(member=member, role__slug=role_slug, cell__isnull=False, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .values_list("cell_id", flat=True)
    )
