"""Every read of the estimation app, with the access rules that raise 404/403.

Who is who in a session:
* a **voter** is an active member of the session's cell;
* the **keeper** is the cell's sprint planning manager (staff too);
* **co-keepers** are the cell's epic owners (the epic owner role in the cell, or the owner
  of one of the cell's epics): they add late tickets, reveal votes and give decisions.
  Closing is the keeper's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from estimation.calculations import Spread, is_newcomer_friendly, spread
from estimation.models import EstimationItem, EstimationSession, SessionState, Vote
from roles.models import Cell, Member, MemberType, RoleAssignment
from roles.permissions import AnyUser, can_view_cell, member_of, sees_every_cell
from sprints.models import Ticket

KEEPER_ROLES = frozenset({"sprint-planning-manager"})
CO_KEEPER_ROLES = frozenset({"epic-owner"})


# --- access ------------------------------------------------------------------------------
def _held_in_cell(member: Member, cell_id: int, as_of: date) -> set[str]:
    return set(
        RoleAssignment.objects.filter(member=member, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .filter(Q(cell_id=cell_id) | Q(cell__isnull=True, member__cell_id=cell_id))
        .values_list("role__slug", flat=True)
    )


@dataclass(frozen=True)
class Access:
    """What ``user`` may do in one session (worked out with two queries at most)."""

    member: Member | None
    can_vote: bool
    is_keeper: bool
    is_co_keeper: bool  # the keeper is a co-keeper too


def session_access(user: AnyUser, session: EstimationSession, *, as_of: date) -> Access:
    member = member_of(user)
    voter = bool(member is not None and member.cell_id == session.cell_id and member.is_active_on(as_of))
    if user.is_staff:
        return Access(member=member, can_vote=voter, is_keeper=True, is_co_keeper=True)
    if member is None:
        return Access(member=None, can_vote=False, is_keeper=False, is_co_keeper=False)
    held = _held_in_cell(member, session.cell_id, as_of)
    keeper = bool(held & KEEPER_ROLES)
    co_keeper = keeper or bool(held & CO_KEEPER_ROLES)
    if not co_keeper and voter:
        # Through the relation, not the Epic model: epics are moving to an app of their own.
        co_keeper = member.owned_epics.filter(cell_id=session.cell_id).exists()
    return Access(member=member, can_vote=voter, is_keeper=keeper, is_co_keeper=co_keeper)


def session_for(user: AnyUser, pk: int) -> EstimationSession:
    """The session ``pk`` (cell and sprint loaded): 404 when missing, 403 outside the cells
    ``user`` may see."""
    session = get_object_or_404(EstimationSession.objects.select_related("cell", "sprint"), pk=pk)
    if not can_view_cell(user, session.cell):
        raise PermissionDenied("This session belongs to another cell.")
    return session


def visible_sessions(user: AnyUser) -> QuerySet[EstimationSession]:
    """Sessions of the cells ``user`` may see: every cell for staff and company-wide role
    holders, their own cell otherwise. Cell and sprint loaded, ticket and vote counts annotated."""
    qs = EstimationSession.objects.select_related("cell", "sprint").annotate(
        ticket_count=Count("items", distinct=True), vote_count=Count("items__votes", distinct=True)
    )
    if sees_every_cell(user):
        return qs
    member = member_of(user)
    if member is None or member.cell_id is None:
        return qs.none()
    return qs.filter(cell_id=member.cell_id)


def open_session(*, cell: Cell, sprint_number: int) -> EstimationSession | None:
    return (
        EstimationSession.objects.select_related("cell", "sprint")
        .filter(cell=cell, sprint__number=sprint_number)
        .first()
    )


def voters(*, cell_id: int, as_of: date) -> list[Member]:
    """The members expected to vote: the cell's active members, with their user (one query)."""
    return list(
        Member.objects.active(as_of)
        .filter(cell_id=cell_id)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def unestimated_tickets(*, cell_id: int, sprint_id: int) -> QuerySet[Ticket]:
    """Tickets of the cell in the sprint that still have no story points."""
    return Ticket.objects.filter(cell_id=cell_id, sprint_id=sprint_id, story_points__isnull=True)


def addable_tickets(session: EstimationSession) -> QuerySet[Ticket]:
    """Tickets of the session's cell and sprint that are not in it yet (the late-ticket form)."""
    return Ticket.objects.filter(cell_id=session.cell_id, sprint_id=session.sprint_id).exclude(
        estimation_items__session=session
    )


# --- the session page ----------------------------------------------------------------------
@dataclass(frozen=True)
class ShownVote:
    member_id: int
    name: str
    value: str
    comment: str


@dataclass
class ItemRow:
    item: EstimationItem
    ticket: Ticket
    epic_key: str
    epic_owner_id: int | None
    newcomer_friendly: bool
    voted: int
    expected: int
    my_vote: Vote | None
    revealed: bool  # everyone voted, or a keeper revealed it
    votes: list[ShownVote] = field(default_factory=list)  # only when revealed
    spread: Spread | None = None  # only when revealed

    @property
    def key(self) -> str:
        return self.ticket.key


@dataclass(frozen=True)
class SessionPage:
    session: EstimationSession
    rows: list[ItemRow]
    voters: list[Member]
    not_voted: list[Member]  # voters with at least one ticket left to estimate
    my_remaining: int  # tickets the viewer has not estimated yet

    @property
    def newcomer_friendly_count(self) -> int:
        return sum(1 for row in self.rows if row.newcomer_friendly)


def _items(session: EstimationSession) -> list[EstimationItem]:
    return list(
        session.items.select_related("ticket__epic", "ticket__assignee__user").order_by(
            "ticket__priority_category", "ticket__key"
        )
    )


def session_page(*, session: EstimationSession, viewer: Member | None, as_of: date) -> SessionPage:
    """Everything the session page and the API show, in three queries whatever the number of
    tickets, votes and members: the items with their tickets and epics, the votes with their
    members, the cell's voters. A ticket's votes are shown once everyone expected has voted
    on it or a keeper revealed it; before that only the viewer's own vote is."""
    items = _items(session)
    votes_by_item: dict[int, list[Vote]] = defaultdict(list)
    for vote in Vote.objects.filter(item__session=session).select_related("member__user"):
        votes_by_item[vote.item_id].append(vote)
    expected_members = voters(cell_id=session.cell_id, as_of=as_of)
    expected_ids = {m.pk for m in expected_members}
    rows = []
    remaining_by_member = {m.pk: 0 for m in expected_members}
    for item in items:
        votes = votes_by_item.get(item.pk, [])
        voted_ids = {v.member_id for v in votes}
        for member_id in expected_ids - voted_ids:
            remaining_by_member[member_id] += 1
        everyone = bool(expected_ids) and expected_ids <= voted_ids
        revealed = item.revealed_at is not None or everyone or session.state != SessionState.OPEN
        ticket = item.ticket
        epic = ticket.epic
        row = ItemRow(
            item=item,
            ticket=ticket,
            epic_key=epic.key if epic else "",
            epic_owner_id=epic.owner_id if epic else None,
            newcomer_friendly=is_newcomer_friendly(list(ticket.labels or []), ticket.priority_category),
            voted=len(votes),
            expected=len(expected_ids | voted_ids),
            my_vote=next((v for v in votes if viewer is not None and v.member_id == viewer.pk), None),
            revealed=revealed,
        )
        if revealed:
            row.votes = [ShownVote(v.member_id, v.member.name, v.value, v.comment) for v in votes]
            row.spread = spread([v.value for v in votes], large_steps=session.large_spread_steps)
        rows.append(row)
    not_voted = [m for m in expected_members if remaining_by_member[m.pk]]
    my_remaining = remaining_by_member.get(viewer.pk, 0) if viewer is not None else 0
    return SessionPage(
        session=session, rows=rows, voters=expected_members, not_voted=not_voted, my_remaining=my_remaining
    )


def is_newcomer(member: Member | None, *, as_of: date) -> bool:
    return member is not None and member.type_on(as_of) == MemberType.NEWCOMER


# --- reminders (the process check and the duty) --------------------------------------------
@dataclass(frozen=True)
class Laggard:
    session_id: int
    cell_id: int
    sprint_number: int
    closes_on: date
    member_id: int
    member_name: str
    missing: int  # tickets of the session the member has not estimated


def laggards(*, as_of: date, cell_ids: Sequence[int] | None) -> list[Laggard]:
    """Members of open sessions whose reminder day (the day before closing) has come and who
    have tickets left to estimate. Three queries: the sessions with their ticket counts, the
    cells' active members, and the vote counts per member and session."""
    from datetime import timedelta

    sessions = EstimationSession.objects.filter(
        state=SessionState.OPEN, closes_on__lte=as_of + timedelta(days=1)
    ).select_related("sprint")
    if cell_ids is not None:
        sessions = sessions.filter(cell_id__in=cell_ids)
    sessions_list = list(sessions.annotate(ticket_count=Count("items")))
    if not sessions_list:
        return []
    cells = {s.cell_id for s in sessions_list}
    members = list(Member.objects.active(as_of).filter(cell_id__in=cells).select_related("user"))
    counts: dict[tuple[int, int], int] = {
        (row["item__session_id"], row["member_id"]): row["n"]
        for row in Vote.objects.filter(item__session__in=[s.pk for s in sessions_list])
        .values("item__session_id", "member_id")
        .annotate(n=Count("id"))
    }
    result = []
    for session in sessions_list:
        total = session.ticket_count  # type: ignore[attr-defined]
        for member in members:
            if member.cell_id != session.cell_id:
                continue
            missing = total - counts.get((session.pk, member.pk), 0)
            if missing > 0:
                result.append(
                    Laggard(
                        session_id=session.pk,
                        cell_id=session.cell_id,
                        sprint_number=session.sprint.number,
                        closes_on=session.closes_on,
                        member_id=member.pk,
                        member_name=member.name,
                        missing=missing,
                    )
                )
    return result


def results(session: EstimationSession) -> list[EstimationItem]:
    """The session's items with their tickets, for the results API (one query)."""
    return _items(session)
