"""Sprint completion in words, and when it is due: pure functions over plain values.

Each step of a run records what it did as a small dict (``CompletionStep.detail``); the
page, the status endpoint and the docs say it in one sentence made here, so the plan and
the results read the same way and never show a Python dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from opencraft_ops.sprint_dates import SprintDates, wednesday_w2

# The new sprint's first week: a manager who missed the last day still finds the link to
# the sprint that ended (until it is completed), before the current sprint's own window.
LATE_COMPLETION_DAYS = 6

STEP_LABELS: dict[str, str] = {
    "record_spillovers": "Record the spillovers",
    "create_next_jira_sprint": "Prepare the next JIRA sprint",
    "move_unfinished_tickets": "Move the unfinished tickets",
    "close_jira_sprint": "Close the sprint in JIRA",
    "start_next_jira_sprint": "Start the next sprint in JIRA",
    "open_rotations": "Fill the next sprint's rotations",
    "open_duties": "Open the next sprint's duties",
}


def completion_opens_on(s: SprintDates) -> date:
    """The first day the board calls the sprint manager to complete the sprint: Wednesday
    of week 2, when the internal review deadline falls and the wrap-up starts."""
    return wednesday_w2(s)


def sprint_to_complete(
    *, today: date, current: SprintDates, previous_done: bool, current_done: bool
) -> int | None:
    """The sprint whose completion is due on ``today``, or None.

    The previous sprint while it is not completed, in the first week of the next one (its
    manager was off on its last day); otherwise the current sprint from Wednesday of week 2
    on, until it is completed."""
    if not previous_done and today < current.start + timedelta(days=LATE_COMPLETION_DAYS):
        return current.number - 1
    if not current_done and today >= completion_opens_on(current):
        return current.number
    return None


def _keys(keys: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _day(day: date | str | None) -> str:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day:%a} {day.day} {day:%b %Y}" if day else "?"


def step_sentence(name: str, detail: Mapping[str, Any]) -> str:
    """What a finished step did (or why it did nothing), in one plain sentence.

    Reads the details the steps record today, and the shorter ones older runs recorded
    (``{'tickets': [...]}``, ``{'jira_sprint': 1006}``) without claiming a JIRA action
    they do not show."""
    if "summary" in detail:
        return str(detail["summary"])
    if "skipped" in detail:
        return f"Nothing to do: {detail['skipped']}."
    if name == "record_spillovers":
        keys = list(detail.get("tickets", []))
        if not keys:
            return "No spillover: every ticket of the sprint was finished."
        return f"Recorded {_n(len(keys), 'spillover')}: {_keys(keys)}."
    if name == "move_unfinished_tickets":
        keys = list(detail.get("tickets", []))
        to = detail.get("to_sprint")
        if not keys:
            return f"No unfinished ticket to move to sprint {to}."
        moved = int(detail.get("moved_in_jira", 0))
        jira = (
            f"; {moved} of them moved in JIRA too" if moved else " (in the portal only; JIRA was not changed)"
        )
        return f"Moved {_n(len(keys), 'unfinished ticket')} to sprint {to}{jira}: {_keys(keys)}."
    if name in {"create_next_jira_sprint", "close_jira_sprint", "start_next_jira_sprint"}:
        return "Done in the portal; this older run did not record what JIRA answered."
    if name == "open_rotations":
        return (
            f"Filled {_n(int(detail.get('created', 0)), 'rotation slot')}; "
            f"{_n(int(detail.get('unfilled', 0)), 'slot')} left without an eligible member."
        )
    if name == "open_duties":
        return f"Opened {_n(int(detail.get('created', 0)), 'duty', 'duties')} of the next sprint."
    return "Done."


@dataclass(frozen=True)
class PlanFacts:
    """What the dry run knows, as plain values (the selector fills it in)."""

    sprint_number: int
    next_number: int
    next_start: date
    spill_keys: Sequence[str]
    finished: int
    jira_reason: str  # why JIRA is left alone; "" when the JIRA steps will run
    jira_board_id: int | None
    current_jira_sprint: int | None
    next_jira_sprint: int | None
    duties_from: date


def plan_sentences(facts: PlanFacts) -> list[tuple[str, str]]:
    """(step name, what it will do) for each step, in the order the run takes them."""
    nxt = f"sprint {facts.next_number}"
    spill = list(facts.spill_keys)
    if spill:
        record = (
            f"Record {_n(len(spill), 'spillover')} (the tickets not finished): {_keys(spill)}; "
            f"{_n(facts.finished, 'ticket')} {'is' if facts.finished == 1 else 'are'} finished."
        )
        those = "that ticket" if len(spill) == 1 else f"those {len(spill)} tickets"
        move = f"Move {those} into {nxt}, where spillovers come first."
    else:
        record = f"Nothing spills over: all {_n(facts.finished, 'ticket')} of the sprint are finished."
        move = f"No ticket to move into {nxt}."
    if facts.jira_reason:
        why = f"JIRA is left alone: {facts.jira_reason}."
        create = f"Create {nxt} in the portal. {why}"
        close = f"Mark sprint {facts.sprint_number} closed in the portal. {why}"
        start = f"Mark {nxt} active in the portal. {why}"
    else:
        create = (
            f"Use JIRA sprint {facts.next_jira_sprint} for {nxt}."
            if facts.next_jira_sprint
            else f"Create {nxt} on JIRA board {facts.jira_board_id} (or reuse it if it exists)."
        )
        move += " They are moved in JIRA too."
        current = (
            f"JIRA sprint {facts.current_jira_sprint}" if facts.current_jira_sprint else "the JIRA sprint"
        )
        close = f"Close {current} (if it is still active) and mark sprint {facts.sprint_number} closed."
        start = f"Start {nxt} in JIRA (if it is not started yet)."
    return [
        ("record_spillovers", record),
        ("create_next_jira_sprint", create),
        ("move_unfinished_tickets", move),
        ("close_jira_sprint", close),
        ("start_next_jira_sprint", start),
        (
            "open_rotations",
            f"Fill the empty firefighter, discovery duty and other rotation slots of {nxt} "
            "by the fair rotation, and announce the new sprint.",
        ),
        (
            "open_duties",
            f"Open the duties of {nxt} due from {_day(facts.duties_from)} on; none due earlier "
            "(those are the daily opener's to catch up), and none twice.",
        ),
    ]
