"""The security-triage rule for vulnerability alerts (firefighters' duty), as a pure function.

* critical / high: create the patch task now; the firefighters start on it at once.
* medium: report it and schedule the task for the next sprint (firefighters may work ahead).
* low: report it and schedule the task for a future sprint, prioritised by the epic owner.
* unknown: report it and discuss it with the team before acting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sprints import calculations as sprint_calc


class SecuritySeverity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


SEVERITY_CHOICES = [(s.value, s.value.capitalize()) for s in SecuritySeverity]


@dataclass(frozen=True)
class TriageSchedule:
    severity: SecuritySeverity
    action: str
    who: str
    sprint_number: int | None  # the sprint the patch belongs to; None while it is discussed
    start_on: date | None  # the earliest day work starts; None while it is discussed
    firefighters_start_now: bool
    needs_discussion: bool


def triage(severity: SecuritySeverity | str, *, reported_on: date, epoch: date) -> TriageSchedule:
    """The schedule for a vulnerability of ``severity`` reported on ``reported_on``.

    ``ValueError`` for an unknown severity label (callers show it as a form error).
    """
    try:
        level = SecuritySeverity(str(severity).strip().lower())
    except ValueError as exc:
        raise ValueError(f"{severity!r} is not a severity (critical, high, medium, low, unknown).") from exc
    current = sprint_calc.sprint_on(reported_on, epoch=epoch)
    if level in (SecuritySeverity.CRITICAL, SecuritySeverity.HIGH):
        return TriageSchedule(
            level,
            "Create the patch task now and add it to the current sprint.",
            "The sprint's firefighters, starting at once.",
            current.number,
            reported_on,
            firefighters_start_now=True,
            needs_discussion=False,
        )
    if level == SecuritySeverity.MEDIUM:
        nxt = sprint_calc.sprint_dates(current.number + 1, epoch=epoch)
        return TriageSchedule(
            level,
            "Report it and create the patch task in the next sprint; firefighters with spare time may start early.",
            "The firefighters create the task; the next sprint's assignee patches it.",
            nxt.number,
            nxt.start,
            firefighters_start_now=False,
            needs_discussion=False,
        )
    if level == SecuritySeverity.LOW:
        later = sprint_calc.sprint_dates(current.number + 2, epoch=epoch)
        return TriageSchedule(
            level,
            "Report it and create a lower-priority patch task in a future sprint (not before this one).",
            "The epic owner prioritises it.",
            later.number,
            later.start,
            firefighters_start_now=False,
            needs_discussion=False,
        )
    return TriageSchedule(
        level,
        "Report it and discuss the severity with the team before doing anything else.",
        "The firefighters raise it with the team.",
        None,
        None,
        firefighters_start_now=False,
        needs_discussion=True,
    )
