"""When members' written sprint updates are due (pure functions: pass ``as_of``).

The handbook asks every member for a mid-sprint update (text) and an end-of-sprint update
(video) in the cell's Sprint Updates thread, and the sprint manager confirms they are all
in; it names no day for the members. So:

* the mid-sprint update is due on the day the sprint manager's mid-sprint duty is due
  (``sprint-manager-mid-sprint`` in ``duties/catalog.py``: Tuesday of W2), and is missing
  from that day until the sprint ends;
* the end-of-sprint update is due on the sprint's last day (Monday of W3), and is missing
  from that day until two working days into the next sprint (its Wednesday, when the sprint
  manager's wrap-up duty is due).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opencraft_ops.sprint_dates import TUESDAY, SprintDates, sprint_dates, sprint_on

MID, END = "mid", "end"  # sprints.models.UpdateKind's values
KIND_LABELS = {MID: "mid-sprint update", END: "end-of-sprint update"}
# Working days of the next sprint during which a missing end-of-sprint update is still chased.
END_GRACE_WORKING_DAYS = 2


def mid_update_due(s: SprintDates) -> date:
    """Tuesday of W2: the sprint manager's mid-sprint duty day."""
    return s.week_day(2, TUESDAY)


def end_update_due(s: SprintDates) -> date:
    """The sprint's last day (Monday of W3)."""
    return s.end


def end_update_chased_until(s: SprintDates, *, epoch: date) -> date:
    """The last day a missing end-of-sprint update of ``s`` is chased: the second working day
    of the next sprint."""
    return sprint_dates(s.number + 1, epoch=epoch).working_days[END_GRACE_WORKING_DAYS - 1]


@dataclass(frozen=True)
class UpdateWindow:
    """An update of ``kind`` for sprint ``number`` is due on ``due`` and chased until ``until``."""

    kind: str
    number: int
    due: date
    until: date


def open_windows(as_of: date, *, epoch: date) -> list[UpdateWindow]:
    """The updates being chased on ``as_of``: the current sprint's mid-sprint update from its
    due day, its end-of-sprint update on its last day, and the previous sprint's end-of-sprint
    update in the next sprint's first working days."""
    if as_of < epoch:
        return []
    s = sprint_on(as_of, epoch=epoch)
    windows = []
    if mid_update_due(s) <= as_of <= s.end:
        windows.append(UpdateWindow(MID, s.number, mid_update_due(s), s.end))
    if as_of == end_update_due(s):
        windows.append(UpdateWindow(END, s.number, s.end, end_update_chased_until(s, epoch=epoch)))
    if s.number > 1:
        previous = sprint_dates(s.number - 1, epoch=epoch)
        until = end_update_chased_until(previous, epoch=epoch)
        if as_of <= until:
            windows.append(UpdateWindow(END, previous.number, end_update_due(previous), until))
    return windows
