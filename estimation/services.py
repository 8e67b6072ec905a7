"""Every write of the estimation app: opening sessions, votes, reveals, late tickets,
decisions and closing, with the points written to the tickets and to JIRA.

Writing to JIRA is resumable and never writes a ticket twice: each item records where its
write stands. An item is marked *sending* (committed) before the request; when a run finds
an item still *sending* (the answer was lost, or the worker died), it reads the issue back
from JIRA and only writes again when JIRA does not have the points yet.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from estimation import calculations, selectors
from estimation.calculations import Rule
from estimation.models import (
    CellEstimationSettings,
    EstimationItem,
    EstimationSession,
    ItemSource,
    SessionState,
    Vote,
    WriteState,
)
from opencraft_ops import calendar
from opencraft_ops.integrations.http import IntegrationError, NotConfigured
from opencraft_ops.integrations.jira import JiraClient
from roles.models import Cell, Member
from sprints import services as sprint_services
from sprints.models import Ticket

log = logging.getLogger(__name__)


class Refused(ValidationError):
    """A request the session's state or the person's role does not allow."""


def _settings(cell: Cell) -> CellEstimationSettings:
    found = CellEstimationSettings.objects.filter(cell=cell).first()
    return found or CellEstimationSettings(cell=cell)


# --- opening ---------------------------------------------------------------------------------
@transaction.atomic
def session_open(*, cell: Cell, sprint_number: int) -> EstimationSession:
    """Opens (or finds) the cell's session for ``sprint_number`` and adds the sprint's
    unestimated tickets. Idempotent: running it again adds only tickets not in it yet."""
    sprint = sprint_services.sprint_ensure(number=sprint_number)
    config = _settings(cell)
    closes_on = calculations.closing_day(
        calendar.sprint_dates(sprint_number), week=config.close_week, weekday=config.close_weekday
    )
    session, created = EstimationSession.objects.get_or_create(
        cell=cell,
        sprint=sprint,
        defaults={
            "closes_on": closes_on,
            "rule": config.rule,
            "large_spread_steps": config.large_spread_steps,
        },
    )
    if session.state == SessionState.OPEN:
        session_refresh(session=session, source=ItemSource.OPENING if created else ItemSource.SYNC)
    return session


@transaction.atomic
def session_refresh(*, session: EstimationSession, source: str = ItemSource.SYNC) -> int:
    """Adds the unestimated tickets of the session's cell and sprint that are not in it yet
    (tickets created or moved into the sprint after opening join by themselves); returns how
    many joined. Nothing happens once the session is closing."""
    if session.state != SessionState.OPEN:
        return 0
    new = selectors.unestimated_tickets(cell_id=session.cell_id, sprint_id=session.sprint_id).exclude(
        estimation_items__session=session
    )
    items = [
        EstimationItem(session=session, ticket_id=pk, source=source)
        for pk in new.values_list("pk", flat=True)
    ]
    EstimationItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


@dataclass(frozen=True)
class BeatSummary:
    opened: int
    refreshed: int
    closed: int
    resumed: int


def sessions_tick(*, as_of: date) -> BeatSummary:
    """The beat's run: opens every cell's session for the next sprint (from the day the
    running sprint starts up to its closing day), lets late unestimated tickets join the open
    ones, closes the sessions whose closing day has passed, and resumes unfinished writes."""
    next_number = calendar.sprint_on(as_of).number + 1
    opened = refreshed = closed = 0
    for cell in Cell.objects.order_by("pk"):
        config = _settings(cell)
        closes_on = calculations.closing_day(
            calendar.sprint_dates(next_number), week=config.close_week, weekday=config.close_weekday
        )
        existing = EstimationSession.objects.filter(cell=cell, sprint__number=next_number).first()
        if existing is None and as_of <= closes_on:
            session_open(cell=cell, sprint_number=next_number)
            opened += 1
    for session in EstimationSession.objects.filter(state=SessionState.OPEN).select_related("cell"):
        if session.closes_on < as_of:
            session_close(session=session, by_user_id=None)
            closed += 1
        else:
            refreshed += session_refresh(session=session)
    resumed = 0
    for session_id in EstimationSession.objects.filter(state=SessionState.CLOSING).values_list(
        "pk", flat=True
    ):
        session_write_points_queue(session_id=session_id)
        resumed += 1
    return BeatSummary(opened=opened, refreshed=refreshed, closed=closed, resumed=resumed)


# --- tickets, votes, reveals, decisions -----------------------------------------------------
def _require_open(session: EstimationSession) -> None:
    if session.state != SessionState.OPEN:
        raise Refused("The session is closed: votes and tickets can no longer change.")


@transaction.atomic
def item_add(*, session: EstimationSession, ticket: Ticket, by: Member | None) -> EstimationItem:
    """Adds a ticket late (an epic owner's or the keeper's): a ticket of the session's cell
    and sprint that is not in the session yet."""
    _require_open(session)
    if ticket.cell_id != session.cell_id or ticket.sprint_id != session.sprint_id:
        raise Refused(f"{ticket.key} is not a ticket of {session.cell} in {session.sprint}.")
    try:
        with transaction.atomic():
            return EstimationItem.objects.create(
                session=session, ticket=ticket, source=ItemSource.ADDED, added_by=by
            )
    except IntegrityError:
        raise Refused(f"{ticket.key} is already in the session.") from None


@transaction.atomic
def vote_cast(*, item: EstimationItem, member: Member, value: str, comment: str = "") -> Vote:
    """Records (or changes) ``member``'s vote on the item's ticket."""
    _require_open(item.session)
    if member.cell_id != item.session.cell_id:
        raise Refused("Only members of the session's cell estimate its tickets.")
    try:
        canonical = calculations.normalise_vote(value)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    vote, _ = Vote.objects.update_or_create(
        item=item, member=member, defaults={"value": canonical, "comment": comment.strip()}
    )
    return vote


@transaction.atomic
def items_reveal(*, session: EstimationSession, item_ids: list[int] | None = None) -> int:
    """Reveals the votes of the given items (all of them when None); returns how many."""
    _require_open(session)
    qs = session.items.filter(revealed_at__isnull=True)
    if item_ids is not None:
        qs = qs.filter(pk__in=item_ids)
    return qs.update(revealed_at=timezone.now())


@transaction.atomic
def item_decide(*, item: EstimationItem, points: Decimal | None) -> EstimationItem:
    """The keeper's decision for a ticket (None clears it); a value on the scale."""
    _require_open(item.session)
    if points is not None:
        try:
            points = Decimal(calculations.normalise_vote(str(points)))
        except (ValueError, ArithmeticError) as exc:
            raise Refused(str(exc)) from None
    item.keeper_points = points
    item.save(update_fields=["keeper_points"])
    return item


# --- closing ---------------------------------------------------------------------------------
@transaction.atomic
def session_close(
    *, session: EstimationSession, by_user_id: int | None, rule: str | None = None
) -> EstimationSession:
    """Closes the session: each ticket gets the points of the rule, recorded with the votes,
    set on the ticket, and queued for JIRA. Closing a session that is already closing resumes
    its writes (never writing a ticket twice); closing a closed one changes nothing."""
    locked = EstimationSession.objects.select_for_update().get(pk=session.pk)
    if locked.state != SessionState.OPEN:
        if locked.state == SessionState.CLOSING:
            session_write_points_queue(session_id=locked.pk)
        return locked
    if rule is not None:
        try:
            locked.rule = Rule(rule).value
        except ValueError:
            raise Refused(f"Unknown rule {rule!r}.") from None
    chosen = Rule(locked.rule)
    items = list(locked.items.select_related("ticket").prefetch_related("votes__member__user"))
    pending = 0
    for item in items:
        votes = list(item.votes.all())
        item.votes_record = [
            {"member_id": v.member_id, "member": v.member.name, "value": v.value, "comment": v.comment}
            for v in votes
        ]
        result = calculations.outcome(
            chosen,
            [v.value for v in votes],
            keeper_points=item.keeper_points,
            large_steps=locked.large_spread_steps,
        )
        ticket = item.ticket
        if ticket.story_points is not None:
            # Estimated elsewhere while the session ran (in JIRA, by the sync): left as it is.
            item.final_points = None
            item.outcome = f"already estimated ({ticket.story_points.normalize()}); left as it is"
            item.write_state = WriteState.NONE
        else:
            item.final_points = result.points
            item.outcome = result.reason
            item.write_state = WriteState.PENDING if result.points is not None else WriteState.NONE
        if item.final_points is not None:
            Ticket.objects.filter(pk=ticket.pk).update(
                story_points=item.final_points, updated_at=timezone.now()
            )
            pending += 1
    EstimationItem.objects.bulk_update(items, ["votes_record", "final_points", "outcome", "write_state"])
    locked.state = SessionState.CLOSING if pending else SessionState.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by_id = by_user_id
    locked.save(update_fields=["state", "closed_at", "closed_by", "rule"])
    if pending:
        session_write_points_queue(session_id=locked.pk)
    return locked


def session_write_points_queue(*, session_id: int) -> None:
    """Queues the JIRA writes once the current transaction commits."""
    from estimation import tasks

    transaction.on_commit(lambda: tasks.write_points.delay(session_id))


def _jira() -> JiraClient | None:
    from opencraft_ops.integrations.config import jira_client, jira_configured

    return jira_client() if jira_configured() else None


@dataclass(frozen=True)
class WriteSummary:
    written: int
    confirmed: int  # found already written in JIRA after a lost answer: not sent again
    skipped: int
    failed: int
    busy: bool = False  # another run was writing this session's points: this one did nothing


WRITE_LEASE_SECONDS = 300


def session_write_points(*, session_id: int, client: JiraClient | None = None) -> WriteSummary:
    """Writes the closed session's pending points to JIRA, one ticket at a time; resumable.
    Raises ``IntegrationError`` on a failure worth retrying (the task retries), after
    recording it; an issue missing in JIRA is marked failed and the rest carry on.

    One run per session at a time (a lease in the cache, renewed per ticket): a second run
    started meanwhile (the beat, a keeper's retry) returns at once instead of reading back a
    ticket whose request is still in flight and writing it again."""
    key = f"estimation:write-points:{session_id}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, WRITE_LEASE_SECONDS):
        return WriteSummary(written=0, confirmed=0, skipped=0, failed=0, busy=True)
    try:
        return _write_points(
            session_id=session_id, client=client, renew=lambda: cache.touch(key, WRITE_LEASE_SECONDS)
        )
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def _write_points(*, session_id: int, client: JiraClient | None, renew: Callable[[], object]) -> WriteSummary:
    ids = list(
        EstimationItem.objects.filter(
            session_id=session_id, write_state__in=[WriteState.PENDING, WriteState.SENDING]
        ).values_list("pk", flat=True)
    )
    if client is None and ids:
        try:
            client = _jira()
        except NotConfigured:
            client = None
    written = confirmed = skipped = failed = 0
    for item_id in ids:
        renew()
        outcome = _write_item(item_id=item_id, client=client, session_id=session_id)
        written += outcome == "written"
        confirmed += outcome == "confirmed"
        skipped += outcome == "skipped"
        failed += outcome == "failed"
    _finish_if_done(session_id)
    return WriteSummary(written=written, confirmed=confirmed, skipped=skipped, failed=failed)


def _write_item(*, item_id: int, client: JiraClient | None, session_id: int) -> str:
    with transaction.atomic():
        item = EstimationItem.objects.select_for_update().select_related("ticket").get(pk=item_id)
        if item.write_state not in (WriteState.PENDING, WriteState.SENDING):
            return "done"
        if client is None:
            item.write_state = WriteState.SKIPPED
            item.last_error = "JIRA is off (JIRA_BASE_URL is not set): the points are only in the portal."
            item.save(update_fields=["write_state", "last_error"])
            return "skipped"
        key = item.ticket.key
        points = item.final_points
        if item.write_state == WriteState.SENDING:
            # A previous attempt may have reached JIRA: look before writing again.
            try:
                remote = client.issue(key)
            except IntegrationError as exc:
                _note_error(item, exc, session_id)
                raise
            if remote is None:
                return _mark_failed(item, f"{key} no longer exists in JIRA.")
            if remote.story_points is not None and points is not None and remote.story_points == points:
                _mark_written(item)
                return "confirmed"
        item.write_state = WriteState.SENDING
        item.write_attempts += 1
        item.save(update_fields=["write_state", "write_attempts"])
    # Committed as *sending* before the request: a lost answer leaves the trace to look at.
    try:
        client.set_story_points(key, points)
    except IntegrationError as exc:
        status = getattr(exc, "status", None)
        if status == 404:
            return _mark_failed(item, f"{key} no longer exists in JIRA.")
        _note_error(item, exc, session_id)
        raise
    _mark_written(item)
    return "written"


def _mark_written(item: EstimationItem) -> None:
    EstimationItem.objects.filter(pk=item.pk).update(
        write_state=WriteState.WRITTEN, written_at=timezone.now(), last_error=""
    )


def _mark_failed(item: EstimationItem, error: str) -> str:
    EstimationItem.objects.filter(pk=item.pk).update(write_state=WriteState.FAILED, last_error=error)
    return "failed"


def _note_error(item: EstimationItem, exc: Exception, session_id: int) -> None:
    EstimationItem.objects.filter(pk=item.pk).update(last_error=str(exc)[:1000])
    EstimationSession.objects.filter(pk=session_id).update(last_error=str(exc)[:1000])


def _finish_if_done(session_id: int) -> None:
    left = EstimationItem.objects.filter(
        session_id=session_id, write_state__in=[WriteState.PENDING, WriteState.SENDING]
    ).exists()
    if not left:
        EstimationSession.objects.filter(pk=session_id, state=SessionState.CLOSING).update(
            state=SessionState.CLOSED, last_error=""
        )


def session_note_failure(*, session_id: int, error: str) -> None:
    """After the last retry: the session stays *closing* (the next beat run or the keeper's
    close resumes it), with the error shown."""
    EstimationSession.objects.filter(pk=session_id).update(last_error=error[:1000])
