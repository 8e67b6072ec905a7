"""Budget figures of epics, read from the worklogs and tickets in grouped aggregates (selectors
of ``epic_selectors``, which re-exports them).

"Hours used" of an epic means the hours of the worklogs logged on its tickets and on the
epic issue itself; the account's hours are not used, because one client account usually
carries several epics. Each figure is one grouped query, whatever the number of epics.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from epics import calculations as calc
from epics.models import Epic
from sprints.calculations.capacity import FINISHED_STATUSES
from sprints.models import Ticket
from sustainability.models import Worklog
from sustainability.selectors import BILLED

# The billable part of a worklog (the sustainability app's definition,
# ``sustainability.selectors.BILLED``) counts only on a billable account.
BILLED_IF_BILLABLE = Case(
    When(account__billable=True, then=BILLED),
    default=Value(0),
    output_field=IntegerField(),
)


def epic_worklog_parts(
    *, cell_id: int | None = None, epic_ids: Iterable[int] | None = None
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The worklogs of the epics, in two parts each annotated with ``epic_ref``
    (the epic's id): those on the epics' tickets, and those logged straight on
    an epic issue.

    The sync keeps epics out of the ticket table, so a worklog on an epic issue
    has no ticket, only its JIRA issue id, which is the epic's ``jira_id``. The
    two parts are read separately (each can use the worklog's ticket index; one
    ``OR`` over both would scan the whole worklog table) and combined with
    ``UNION ALL`` by ``grouped_worklogs``, so it stays one query.
    """
    epics = Epic.objects.order_by()
    if cell_id is not None:
        epics = epics.filter(cell_id=cell_id)
    if epic_ids is not None:
        epics = epics.filter(pk__in=list(epic_ids))
    on_tickets = Worklog.objects.filter(ticket__epic_id__in=epics.values("pk")).annotate(
        epic_ref=F("ticket__epic_id")
    )
    epic_issue = Epic.objects.filter(jira_id=OuterRef("jira_issue_id")).order_by().values("pk")[:1]
    on_epic_issues = Worklog.objects.filter(
        ticket__isnull=True,
        jira_issue_id__in=epics.exclude(jira_id=None).exclude(jira_id="").values("jira_id"),
    ).annotate(epic_ref=Subquery(epic_issue))
    return on_tickets, on_epic_issues


def grouped_worklogs(
    parts: tuple[QuerySet[Any], QuerySet[Any]], group_by: tuple[str, ...], **sums: Sum
) -> dict[tuple[Any, ...], dict[str, int]]:
    """``sums`` (seconds) of the worklogs of both ``parts`` per ``group_by``
    value, in ONE query (the two grouped parts joined by ``UNION ALL``, then
    added up here: a group may appear once in each part)."""
    on_tickets, on_epic_issues = (
        part.values(*group_by).order_by().annotate(**sums).values(*group_by, *sums) for part in parts
    )
    totals: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in on_tickets.union(on_epic_issues, all=True):
        key = tuple(row[name] for name in group_by)
        total = totals.setdefault(key, dict.fromkeys(sums, 0))
        for name in sums:
            total[name] += row[name] or 0
    return totals


def epic_figures(
    *, as_of: date, cell_id: int | None = None, epic_ids: Iterable[int] | None = None
) -> dict[int, calc.EpicFigures]:
    """Hours used, this month's hours and last month's non-billable hours per
    epic, in ONE grouped query over the worklogs of the epics' tickets and of
    the epic issues themselves (``epic_worklog_parts``).

    Non-billable follows the sustainability app: on a billable account, what is
    left once the billable part (Tempo's billable seconds capped at the seconds,
    or all the seconds when Tempo gave none) is taken off; on a non-billable
    account, or with no account, all of it.
    """
    first, last_month = calc.month_start(as_of), calc.previous_month(as_of)
    totals = grouped_worklogs(
        epic_worklog_parts(cell_id=cell_id, epic_ids=epic_ids),
        ("epic_ref",),
        total=Sum("seconds"),
        month=Sum("seconds", filter=Q(work_date__gte=first, work_date__lte=as_of)),
        non_billable=Sum(
            F("seconds") - BILLED_IF_BILLABLE,
            filter=Q(work_date__gte=last_month[0], work_date__lte=last_month[1]),
            output_field=IntegerField(),
        ),
    )
    return {
        epic_id: calc.EpicFigures(
            hours_used=calc.seconds_to_hours(row["total"]),
            month_hours=calc.seconds_to_hours(row["month"]),
            last_month_non_billable=calc.seconds_to_hours(row["non_billable"]),
        )
        for (epic_id,), row in totals.items()
    }


# What is left to do on a ticket: its remaining estimate, else its original
# estimate (the sprint capacity rule), and nothing once it is finished.
LEFT_SECONDS = Case(
    When(status__in=FINISHED_STATUSES, then=Value(0)),
    default=Coalesce(F("remaining_estimate_seconds"), F("original_estimate_seconds"), Value(0)),
    output_field=IntegerField(),
)


def epic_remaining_estimates(
    *, cell_id: int | None = None, epic_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """Work left on the epics' tickets (hours), in one grouped query: the
    remaining estimate of each unfinished ticket, or its original estimate when
    it has no remaining one; finished tickets count 0."""
    tickets = Ticket.objects.filter(epic__isnull=False).exclude(status__in=FINISHED_STATUSES)
    if cell_id is not None:
        tickets = tickets.filter(epic__cell_id=cell_id)
    if epic_ids is not None:
        tickets = tickets.filter(epic_id__in=list(epic_ids))
    rows = tickets.values("epic_id").order_by().annotate(seconds=Sum(LEFT_SECONDS))
    return {row["epic_id"]: calc.seconds_to_hours(row["seconds"]) for row in rows}


def figures_with_estimates(
    figures: dict[int, calc.EpicFigures], remaining: dict[int, Decimal], epic_id: int
) -> calc.EpicFigures:
    base = figures.get(epic_id, calc.EpicFigures())
    return calc.EpicFigures(
        hours_used=base.hours_used,
        month_hours=base.month_hours,
        last_month_non_billable=base.last_month_non_billable,
        remaining_estimate=remaining.get(epic_id, Decimal("0.00")),
    )
