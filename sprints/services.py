"""Writes of the sprints app."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone

from opencraft_ops import calendar
from opencraft_ops.integrations.config import jira_client, jira_configured
from opencraft_ops.integrations.jira import JiraClient
from roles.models import Cell, Member
from sprints import selectors
from sprints.models import (
    BoardSprint,
    BoardSprintState,
    CompletionState,
    CompletionStep,
    MemberSprintUpdate,
    Spillover,
    Sprint,
    SprintCompletion,
    Ticket,
    UpdateKind,
)

log = logging.getLogger(__name__)


@transaction.atomic
def sprint_ensure(*, number: int) -> Sprint:
    """The Sprint row for ``number``, created from the calendar when missing."""
    dates = calendar.sprint_dates(number)
    sprint, _ = Sprint.objects.get_or_create(
        number=number, defaults={"start": dates.start, "end": dates.end, "name": f"Sprint {number}"}
    )
    return sprint


@transaction.atomic
def ticket_record_sprint_entry(
    *, ticket: Ticket, previous_sprint_id: int | None, given: bool = False
) -> None:
    """After a ticket is saved from the admin or the API: when it entered a sprint (created
    into one, or moved into another), record when, so an entry after the cutoff day shows as
    an injection; a move also clears an acceptance given in the old sprint. A value of
    ``added_to_sprint_at`` given with the change (``given``) is kept. The JIRA sync records
    its own entries."""
    if given or ticket.sprint_id is None or ticket.sprint_id == previous_sprint_id:
        return
    ticket.added_to_sprint_at = timezone.now()
    fields = ["added_to_sprint_at", "updated_at"]
    if previous_sprint_id is not None:
        ticket.injection_accepted = False
        fields.append("injection_accepted")
    ticket.save(update_fields=fields)


@transaction.atomic
def ticket_accept_injection(*, ticket: Ticket) -> Ticket:
    """Accepts a ticket injected after the cutoff day into its sprint."""
    if not selectors.ticket_is_injection(ticket):
        raise ValidationError(f"{ticket.key} was not added after its sprint's cutoff day.")
    if not ticket.injection_accepted:
        ticket.injection_accepted = True
        ticket.save(update_fields=["injection_accepted", "updated_at"])
    return ticket


@transaction.atomic
def spillover_explain(*, spillover: Spillover, explanation: str, by_user_id: int | None) -> Spillover:
    text = explanation.strip()
    if not text:
        raise ValidationError({"explanation": "Say why the ticket spilled over."})
    spillover.explanation = text
    spillover.explained_by_id = by_user_id
    spillover.explained_at = timezone.now()
    spillover.save(update_fields=["explanation", "explained_by", "explained_at"])
    return spillover


@transaction.atomic
def spillovers_record(*, cell: Cell, sprint: Sprint) -> list[Spillover]:
    """One Spillover per unfinished ticket of the cell's sprint. Idempotent: tickets
    already recorded keep their record (and explanation)."""
    tickets = selectors.unfinished_tickets(cell=cell, sprint_number=sprint.number)
    existing = set(
        Spillover.objects.filter(sprint=sprint, ticket__in=tickets).values_list("ticket_id", flat=True)
    )
    Spillover.objects.bulk_create(
        [
            Spillover(
                sprint=sprint,
                ticket=t,
                cell=cell,
                assignee_id=t.assignee_id,
                status=t.status,
                story_points=t.story_points,
            )
            for t in tickets
            if t.pk not in existing
        ],
        ignore_conflicts=True,
    )
    return list(Spillover.objects.filter(sprint=sprint, cell=cell).select_related("ticket"))


# --- Sprint completion ---------------------------------------------------------------------
# A completion runs named steps in order. Each finished step is recorded (CompletionStep,
# in the same transaction as its local writes), so a re-run after a failure skips what is
# done. A step may still have been carried out in JIRA without being recorded (the answer
# was lost, or the worker died), so each JIRA step first finds out what JIRA already has:
# the next sprint is looked up by name before it is created, a sprint is read before it is
# closed or started (JIRA refuses to close a closed sprint or start an active one) and
# moving issues to a sprint they are in changes nothing. One run per cell at a time: a run
# holds a lease in the cache (Redis in production) for its whole length, so a double POST or
# a redelivered task is refused instead of running the steps twice side by side.

COMPLETION_STEPS = (
    "record_spillovers",
    "create_next_jira_sprint",
    "move_unfinished_tickets",
    "close_jira_sprint",
    "start_next_jira_sprint",
    "open_rotations",
    "open_duties",
)
# Steps that apps above sprints provide (rotations fill the next sprint's slots, duties open
# its duties): they register a function(cell=..., sprint=next sprint) -> dict with
# ``register_completion_step`` in their AppConfig.ready. A step nobody registered is
# recorded as skipped.
_REGISTERED_STEPS: dict[str, Callable[..., dict[str, Any]]] = {}
# A run renews its lease before every step; a worker that died lets it lapse after this long.
COMPLETION_LEASE_SECONDS = 15 * 60


class CompletionRefused(ValidationError):
    pass


class CompletionBusy(CompletionRefused):
    """Another run of a completion of the same cell holds the lease."""


def _lease_key(cell_id: int) -> str:
    return f"sprint-completion:cell:{cell_id}"


def completion_running(*, cell: Cell) -> bool:
    """Whether a completion run of the cell holds its lease right now."""
    return cache.get(_lease_key(cell.pk)) is not None


def _lease_hold(key: str, token: str) -> bool:
    """Whether the lease ``key`` is still this run's (``token``), extending it for another full
    term if so. Read, extend, read again: a lapsed lease never comes back with the same token, so
    finding the token after the extension means the lease was ours throughout and the extension
    went to it (the first read spares touching another run's lease in the usual case)."""
    return cache.get(key) == token and cache.touch(key, COMPLETION_LEASE_SECONDS) and cache.get(key) == token


@contextmanager
def completion_lease(completion: SprintCompletion) -> Iterator[Callable[[], None]]:
    """Holds the cell's completion lease for a run; yields ``renew`` (call it between steps).

    ``cache.add`` is atomic, so of two runs started together only one gets it. ``renew`` raises
    ``CompletionBusy`` when the lease is gone or another run's (a step outlasted the lease): the
    run stops before its next step, and a re-run resumes from the recorded steps.

    Leaving releases the lease only while it is still this run's. Django's cache has no
    compare-and-delete, so the token is confirmed (and the lease extended by a full term) right
    before the delete: another run can only take the lease, and lose it to our delete, if more
    than ``COMPLETION_LEASE_SECONDS`` pass between that check and the delete (a frozen process).
    """
    key = _lease_key(completion.cell_id)
    token = uuid.uuid4().hex
    if not cache.add(key, token, COMPLETION_LEASE_SECONDS):
        raise CompletionBusy(
            f"A completion of {completion.cell}'s sprint is already running; this one was not "
            f"started. Wait for it to finish (a stuck run's lock lapses after "
            f"{COMPLETION_LEASE_SECONDS // 60} minutes), then re-run it if it failed."
        )

    def renew() -> None:
        if not _lease_hold(key, token):
            raise CompletionBusy(
                f"This completion run of {completion.cell}'s sprint lost its lease (a step took "
                f"longer than {COMPLETION_LEASE_SECONDS // 60} minutes, and another run may have "
                "taken over), so it stopped before its next step. Re-run the completion to resume "
                "from the steps already done."
            )

    try:
        yield renew
    finally:
        if _lease_hold(key, token):
            cache.delete(key)


def _board_sprint(*, cell: Cell, sprint: Sprint) -> BoardSprint:
    board_sprint, _ = BoardSprint.objects.get_or_create(
        sprint=sprint, cell=cell, defaults={"name": f"{cell.name} {sprint.name or sprint}"}
    )
    return board_sprint


def _jira() -> JiraClient | None:
    return jira_client() if jira_configured() else None


def jira_skip_reason(cell: Cell) -> str:
    """Why the completion leaves JIRA alone for ``cell`` ("" when it talks to JIRA): the plan
    and every JIRA step give the same reason."""
    if not jira_configured():
        return "the portal has no JIRA connection (JIRA_BASE_URL is not set)"
    if cell.jira_board_id is None:
        return f"{cell} has no JIRA board"
    return ""


def _keys(tickets: list[str]) -> str:
    shown = ", ".join(tickets[:12])
    return shown + (f" and {len(tickets) - 12} more" if len(tickets) > 12 else "")


def _step_record_spillovers(completion: SprintCompletion) -> dict[str, Any]:
    spillovers = spillovers_record(cell=completion.cell, sprint=completion.sprint)
    keys = sorted(s.ticket.key for s in spillovers)
    summary = (
        f"Recorded {len(keys)} spillover(s) of {completion.sprint}: {_keys(keys)}."
        if keys
        else f"No spillover: every ticket of {completion.sprint} was finished."
    )
    return {"tickets": keys, "summary": summary}


def _step_create_next_jira_sprint(completion: SprintCompletion) -> dict[str, Any]:
    cell, nxt = completion.cell, sprint_ensure(number=completion.sprint.number + 1)
    board_sprint = _board_sprint(cell=cell, sprint=nxt)
    reason = jira_skip_reason(cell)
    client = _jira()
    if reason or client is None or cell.jira_board_id is None:
        return {"jira": "skipped", "summary": f"Created {nxt} in the portal; JIRA left alone: {reason}."}
    created = False
    if board_sprint.jira_id is None:
        existing, _ = client.sprints(cell.jira_board_id, states="future,active")
        match = next((s for s in existing if s.name == board_sprint.name), None)
        if match is None:
            dates = calendar.sprint_dates(nxt.number)
            match = client.create_sprint(
                name=board_sprint.name, board_id=cell.jira_board_id, start=dates.start, end=dates.end
            )
            created = True
        board_sprint.jira_id = match.id
        board_sprint.save(update_fields=["jira_id"])
    did = "Created" if created else "Found"
    return {
        "jira_sprint": board_sprint.jira_id,
        "name": board_sprint.name,
        "summary": f"{did} JIRA sprint {board_sprint.jira_id} ({board_sprint.name}) for {nxt}.",
    }


def _step_move_unfinished_tickets(completion: SprintCompletion) -> dict[str, Any]:
    nxt = sprint_ensure(number=completion.sprint.number + 1)
    spilled = list(
        Ticket.objects.filter(
            spillovers__sprint=completion.sprint, spillovers__cell=completion.cell
        ).order_by("key")
    )
    keys = [t.key for t in spilled]
    board_sprint = _board_sprint(cell=completion.cell, sprint=nxt)
    reason = jira_skip_reason(completion.cell)
    client = _jira()
    moved_in_jira = 0
    if not reason and client is not None and board_sprint.jira_id is not None and keys:
        moved_in_jira = client.move_issues_to_sprint(board_sprint.jira_id, keys)
    # Spillovers are not injections in the next sprint: they entered it when it started.
    start = datetime.combine(nxt.start, time(0, 0), tzinfo=selectors.portal_tz())
    Ticket.objects.filter(pk__in=[t.pk for t in spilled]).update(
        sprint=nxt, added_to_sprint_at=start, updated_at=timezone.now()
    )
    if not keys:
        summary = f"No unfinished ticket to move into {nxt}."
    elif reason:
        summary = f"Moved {len(keys)} ticket(s) into {nxt} in the portal ({_keys(keys)}); JIRA left alone: {reason}."
    else:
        summary = f"Moved {len(keys)} ticket(s) into {nxt} ({_keys(keys)}); JIRA moved {moved_in_jira}."
    return {"tickets": keys, "moved_in_jira": moved_in_jira, "to_sprint": nxt.number, "summary": summary}


def _step_close_jira_sprint(completion: SprintCompletion) -> dict[str, Any]:
    board_sprint = _board_sprint(cell=completion.cell, sprint=completion.sprint)
    reason = jira_skip_reason(completion.cell)
    client = _jira()
    detail: dict[str, Any] = {"jira_sprint": board_sprint.jira_id}
    sprint = completion.sprint
    if reason or client is None:
        detail["summary"] = f"Marked {sprint} closed in the portal; JIRA left alone: {reason}."
    elif board_sprint.jira_id is None:
        detail["summary"] = f"Marked {sprint} closed in the portal; it has no JIRA sprint to close."
    else:
        state = client.sprint(board_sprint.jira_id).state
        if state == "active":
            client.close_sprint(board_sprint.jira_id)
            detail["summary"] = f"Closed JIRA sprint {board_sprint.jira_id} and marked {sprint} closed."
        elif state == "closed":
            # An earlier attempt closed it; its answer was lost.
            detail["already"] = "closed in JIRA"
            detail["summary"] = (
                f"JIRA sprint {board_sprint.jira_id} was already closed; marked {sprint} closed."
            )
        else:
            detail["left"] = "the JIRA sprint was never started, so JIRA cannot close it"
            detail["summary"] = (
                f"Marked {sprint} closed; JIRA sprint {board_sprint.jira_id} was never started, "
                "so JIRA cannot close it."
            )
    board_sprint.state = BoardSprintState.CLOSED
    board_sprint.save(update_fields=["state"])
    return detail


def _step_start_next_jira_sprint(completion: SprintCompletion) -> dict[str, Any]:
    nxt = sprint_ensure(number=completion.sprint.number + 1)
    board_sprint = _board_sprint(cell=completion.cell, sprint=nxt)
    reason = jira_skip_reason(completion.cell)
    client = _jira()
    detail: dict[str, Any] = {"jira_sprint": board_sprint.jira_id}
    if reason or client is None:
        detail["summary"] = f"Marked {nxt} active in the portal; JIRA left alone: {reason}."
    elif board_sprint.jira_id is None:
        detail["summary"] = f"Marked {nxt} active in the portal; it has no JIRA sprint to start."
    else:
        state = client.sprint(board_sprint.jira_id).state
        if state == "future":
            dates = calendar.sprint_dates(nxt.number)
            client.start_sprint(board_sprint.jira_id, start=dates.start, end=dates.end)
            detail["summary"] = f"Started JIRA sprint {board_sprint.jira_id} and marked {nxt} active."
        else:
            detail["already"] = f"{state} in JIRA"  # started earlier (its answer was lost) or by hand
            detail["summary"] = (
                f"JIRA sprint {board_sprint.jira_id} was already {state}; marked {nxt} active."
            )
    board_sprint.state = BoardSprintState.ACTIVE
    board_sprint.save(update_fields=["state"])
    return detail


def register_completion_step(name: str, func: Callable[..., dict[str, Any]]) -> None:
    """Provides step ``name`` of ``COMPLETION_STEPS``: ``func(cell=..., sprint=...)`` is
    called with the sprint that follows the completed one and returns what it did."""
    if name not in COMPLETION_STEPS:
        raise ValueError(f"{name!r} is not a sprint completion step ({', '.join(COMPLETION_STEPS)})")
    _REGISTERED_STEPS[name] = func


def _registered_step(name: str) -> Callable[[SprintCompletion], dict[str, Any]]:
    def step(completion: SprintCompletion) -> dict[str, Any]:
        func = _REGISTERED_STEPS.get(name)
        if func is None:
            return {"summary": f"Nothing done: no installed app provides the {name.replace('_', ' ')} step."}
        nxt = sprint_ensure(number=completion.sprint.number + 1)
        result = func(cell=completion.cell, sprint=nxt)
        return result if isinstance(result, dict) else {"result": str(result)}

    return step


STEP_FUNCTIONS: dict[str, Callable[[SprintCompletion], dict[str, Any]]] = {
    "record_spillovers": _step_record_spillovers,
    "create_next_jira_sprint": _step_create_next_jira_sprint,
    "move_unfinished_tickets": _step_move_unfinished_tickets,
    "close_jira_sprint": _step_close_jira_sprint,
    "start_next_jira_sprint": _step_start_next_jira_sprint,
    "open_rotations": _registered_step("open_rotations"),
    "open_duties": _registered_step("open_duties"),
}


@transaction.atomic
def sprint_completion_request(
    *, cell: Cell, sprint: Sprint, user_id: int | None, as_of: date
) -> SprintCompletion:
    """Creates (or returns) the completion of the cell's sprint, ready to run.

    Refused before the sprint's last day, once it is done, and while a run of it is going."""
    if as_of < sprint.end:
        raise CompletionRefused(
            f"{sprint} ends on {formats.date_format(sprint.end)}; complete it on or after that day."
        )
    completion, _ = SprintCompletion.objects.get_or_create(
        sprint=sprint, cell=cell, defaults={"requested_by_id": user_id}
    )
    if completion.state == CompletionState.DONE:
        raise CompletionRefused(f"{sprint} is already completed for {cell}.")
    if completion.state == CompletionState.RUNNING and completion_running(cell=cell):
        raise CompletionBusy(
            f"The completion of {sprint} for {cell} is running now (attempt {completion.attempts}); "
            "wait for it to finish before running it again."
        )
    return completion


def sprint_completion_run(*, completion_id: int) -> SprintCompletion:
    """Runs the steps not done yet, in order, each in its own transaction, holding the cell's
    completion lease throughout (``CompletionBusy`` if another run holds it). On a failure
    the completion is marked failed with the error and the exception propagates."""
    completion = SprintCompletion.objects.select_related("sprint", "cell").get(pk=completion_id)
    if completion.state == CompletionState.DONE:
        return completion
    with completion_lease(completion) as renew:
        with transaction.atomic():
            completion = (
                SprintCompletion.objects.select_for_update()
                .select_related("sprint", "cell")
                .get(pk=completion_id)
            )
            if completion.state == CompletionState.DONE:
                return completion
            completion.state = CompletionState.RUNNING
            completion.attempts += 1
            completion.last_error = ""
            completion.save(update_fields=["state", "attempts", "last_error"])
        done = set(completion.steps.values_list("name", flat=True))
        for name in COMPLETION_STEPS:
            if name in done:
                continue
            renew()
            try:
                with transaction.atomic():
                    detail = STEP_FUNCTIONS[name](completion)
                    CompletionStep.objects.create(completion=completion, name=name, detail=detail)
            except Exception as exc:
                SprintCompletion.objects.filter(pk=completion.pk).update(
                    state=CompletionState.FAILED, last_error=f"{name}: {exc}"[:2000]
                )
                log.warning("Sprint completion %s failed at %s: %s", completion.pk, name, exc)
                raise
        with transaction.atomic():
            completion.state = CompletionState.DONE
            completion.finished_at = timezone.now()
            completion.save(update_fields=["state", "finished_at"])
            Sprint.objects.filter(pk=completion.sprint_id, completed_at__isnull=True).update(
                completed_at=completion.finished_at
            )
    return completion


def sprint_completion_not_run(*, completion_id: int, error: str) -> None:
    """Records that a requested run could not start (the broker refused the task): the
    completion shows as failed with the reason, ready to re-run. A run that failed on a step has
    recorded its own error already, and is left as it is."""
    SprintCompletion.objects.filter(pk=completion_id, state=CompletionState.PLANNED).update(
        state=CompletionState.FAILED, last_error=f"The run could not be queued: {error}"[:2000]
    )


# --- Members' written sprint updates ---------------------------------------------------------

_http_link = URLValidator(
    schemes=["http", "https"], message="The link must be an http:// or https:// address (the forum post)."
)


@transaction.atomic
def member_sprint_update_record(
    *, member: Member, kind: str, sprint_number: int, as_of: date, link: str = "", note: str = ""
) -> MemberSprintUpdate:
    """Records that ``member`` posted their ``kind`` update (mid-sprint or end-of-sprint) for
    sprint ``sprint_number``: the current sprint on ``as_of`` or the one that just ended.
    Recording it again keeps when it was first posted and replaces the link and the note."""
    if kind not in UpdateKind.values:
        raise ValidationError({"kind": "Say which update: the mid-sprint or the end-of-sprint one."})
    current = calendar.sprint_on(as_of).number
    if sprint_number not in (current, current - 1):
        raise ValidationError(
            {
                "sprint": f"Updates are recorded for the current sprint ({current}) or the one that "
                f"just ended ({current - 1}), not sprint {sprint_number}."
            }
        )
    if member.cell_id is None or not member.is_active_on(as_of):
        raise ValidationError("Only current members of a cell record sprint updates.")
    link, note = link.strip(), note.strip()
    if link:
        try:
            _http_link(link)
        except ValidationError as exc:
            raise ValidationError({"link": exc.messages}) from exc
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    sprint = sprint_ensure(number=sprint_number)
    update, _ = MemberSprintUpdate.objects.update_or_create(
        member=member,
        sprint=sprint,
        kind=kind,
        defaults={"link": link, "note": note},
        create_defaults={"link": link, "note": note, "posted_at": timezone.now()},
    )
    return update
