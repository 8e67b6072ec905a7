"""Process checks of the estimation app."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.formats import date_format

from estimation import selectors
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register


@register(
    "estimation-not-estimated",
    title="A member has not estimated the next sprint's tickets",
    description="From the day before the estimation session closes, each member of the cell "
    "who still has tickets of the session to estimate is reminded.",
)
def not_estimated(context: CheckContext) -> Iterator[Finding]:
    # Queries: the due open sessions with their ticket counts (1), the cells' active members (1),
    # the vote counts per member and session (1); none when no session is due.
    cells = None if context.cell_ids is None else sorted(context.cell_ids)
    for lag in selectors.laggards(as_of=context.as_of, cell_ids=cells):
        yield Finding(
            rule="estimation-not-estimated",
            severity=Severity.WARNING,
            message=f"{lag.member_name} has {lag.missing} ticket(s) of sprint {lag.sprint_number} left to "
            f"estimate; the session closes at the end of {date_format(lag.closes_on, 'SHORT_DATE_FORMAT')}.",
            subject=f"estimation:{lag.session_id}:member:{lag.member_id}",
            url=reverse("estimation:session", args=[lag.session_id]),
            cell_id=lag.cell_id,
            member_id=lag.member_id,
        )
