"""How JIRA's workflow statuses map to the portal's ticket and epic statuses (pure functions).

A JIRA status named like a portal status (case-insensitive; for epics the label or the value)
maps to it. Any other maps by JIRA's status category, unless an override is set (the admin's
``JiraStatus.ticket_status`` / ``epic_status``): such a status is *unknown* and reported.
An epic keeps a status set in the portal while it agrees with JIRA's category (an epic "In
Progress" in JIRA may be In Development or Delivered here, and the sync does not flip it).
"""

from __future__ import annotations

from dataclasses import dataclass

from epics.models import EpicStatus
from sprints.models import TicketStatus

TICKET_BY_CATEGORY = {
    "new": TicketStatus.TODO,
    "indeterminate": TicketStatus.IN_PROGRESS,
    "done": TicketStatus.DONE,
}
EPIC_BY_CATEGORY = {
    "new": EpicStatus.PROSPECT,
    "indeterminate": EpicStatus.IN_DEVELOPMENT,
    "done": EpicStatus.DONE,
}
EPIC_CATEGORY = {
    EpicStatus.PROSPECT: "new",
    EpicStatus.OFFER: "new",
    EpicStatus.ACCEPTED: "new",
    EpicStatus.IN_DEVELOPMENT: "indeterminate",
    EpicStatus.DELIVERED: "indeterminate",
    EpicStatus.DONE: "done",
}
# A status without a category (JIRA's "undefined") counts as work going on: it stays in the
# capacity and the review time, which is the safer mistake.
FALLBACK_CATEGORY = "indeterminate"

_TICKET_BY_NAME = {value.lower(): value for value in TicketStatus.values}
_EPIC_BY_NAME = {label.lower(): value for value, label in EpicStatus.choices} | {
    value.replace("_", " "): value for value in EpicStatus.values
}


@dataclass(frozen=True)
class Mapped:
    status: str
    how: str  # "name" | "override" | "category"

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", str(self.status))  # the plain value, not the enum member

    @property
    def known(self) -> bool:
        return self.how != "category"


def _category(category: str) -> str:
    return category if category in TICKET_BY_CATEGORY else FALLBACK_CATEGORY


def ticket_status_for(name: str, category: str, *, override: str = "") -> Mapped:
    if override:
        return Mapped(override, "override")
    by_name = _TICKET_BY_NAME.get(name.strip().lower())
    if by_name:
        return Mapped(by_name, "name")
    return Mapped(TICKET_BY_CATEGORY[_category(category)], "category")


def epic_status_for(name: str, category: str, *, override: str = "", current: str | None = None) -> Mapped:
    if override:
        return Mapped(override, "override")
    by_name = _EPIC_BY_NAME.get(name.strip().lower())
    if by_name:
        return Mapped(by_name, "name")
    wanted = _category(category)
    if current and EPIC_CATEGORY.get(current) == wanted:  # type: ignore[call-overload]
        return Mapped(current, "category")
    return Mapped(EPIC_BY_CATEGORY[wanted], "category")
