"""Read queries of the sustainability app. Aggregates run in SQL; each function
runs a fixed number of queries whatever the size of the data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Sum, When
from django.db.models.functions import Least, TruncMonth

from roles.models import Cell
from sprints.models import Ticket
from sustainability.calculations import (
    AccountInfo,
    BudgetChange,
    EstimateRow,
    HoursRow,
    Period,
    ReviewTicket,
    TargetChange,
    month_end,
    next_month,
)
from sustainability.models import (
    Account,
    AccountBudget,
    AccountsReview,
    SustainabilityTarget,
    Worklog,
)

# The billable part of a worklog if its account is billable (see calculations).
BILLED = Case(
    When(billable_seconds__gt=0, then=Least(F("billable_seconds"), F("seconds"))),
    default=F("seconds"),
)


def accounts_info() -> dict[int, AccountInfo]:
    """Every account as plain values, in one query."""
    return {
        pk: AccountInfo(id=pk, key=key, name=name, category=category, billable=billable, cell_id=cell_id)
        for pk, key, name, category, billable, cell_id in Account.objects.values_list(
            "pk", "key", "name", "category", "billable", "cell_id"
        )
    }


def targets_by_cell() -> dict[int | None, list[TargetChange]]:
    """Target history per cell (``None``: the company limit), in one query."""
    result: dict[int | None, list[TargetChange]] = defaultdict(list)
    for cell_id, since, pct, ref in SustainabilityTarget.objects.order_by("since").values_list(
        "cell_id", "since", "max_non_billable_percent", "reference_start"
    ):
        result[cell_id].append(TargetChange(since=since, percent=pct, reference_start=ref))
    return dict(result)


def budgets_by_account() -> dict[int, list[BudgetChange]]:
    result: dict[int, list[BudgetChange]] = defaultdict(list)
    for account_id, since, kind, hours in AccountBudget.objects.order_by("since").values_list(
        "account_id", "since", "kind", "hours"
    ):
        result[account_id].append(BudgetChange(since=since, kind=kind, hours=hours))
    return dict(result)


def _full_months(period: Period) -> tuple[date, date] | None:
    """The first and last whole calendar months inside ``period``, if any."""
    first = period.start if period.start.day == 1 else next_month(period.start)
    last_end = (
        period.end if period.end == month_end(period.end) else period.end.replace(day=1) - timedelta(days=1)
    )
    last = last_end.replace(day=1)
    return (first, last) if first <= last else None


def _raw_rows(q: Q) -> list[HoursRow]:
    qs = (
        Worklog.objects.filter(q)
        .annotate(month=TruncMonth("work_date"))
        .order_by()
        .values("month", "account_id", "member__cell_id")
        .annotate(total=Sum("seconds"), billed=Sum(BILLED))
    )
    return [
        HoursRow(
            month=row["month"],
            account_id=row["account_id"],
            member_cell_id=row["member__cell_id"],
            seconds=row["total"] or 0,
            billed_seconds=row["billed"] or 0,
        )
        for row in qs
    ]


ROLLUP_SQL = """
    SELECT month, NULLIF(account_id, 0), NULLIF(member_cell_id, 0), seconds, billed_seconds
    FROM sustainability_worklogmonth
    WHERE month BETWEEN %s AND %s AND worklogs <> 0
"""


def uses_rollup() -> bool:
    """The monthly rollup exists on PostgreSQL (kept by triggers), not on SQLite."""
    return connection.vendor == "postgresql"


def hours_rows(period: Period) -> list[HoursRow]:
    """Seconds per month, account and member cell within ``period``.

    On PostgreSQL whole months come from the trigger-maintained rollup and only
    the partial months at the edges from the worklog table: two queries. On
    other databases: one query over the worklogs.
    """
    months = _full_months(period) if uses_rollup() else None
    if months is None:
        return _raw_rows(Q(work_date__range=(period.start, period.end)))
    first, last = months
    rows: list[HoursRow] = []
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_SQL, [first, last])
        for month, account_id, cell_id, seconds, billed in cursor.fetchall():
            rows.append(HoursRow(month, account_id, cell_id, int(seconds), int(billed)))
    edges = Q(pk__in=[])
    if period.start < first:
        edges |= Q(work_date__gte=period.start, work_date__lt=first)
    if month_end(last) < period.end:
        edges |= Q(work_date__gt=month_end(last), work_date__lte=period.end)
    if period.start < first or month_end(last) < period.end:
        rows.extend(_raw_rows(edges))
    return rows


def cell_by_slug(slug: str) -> Cell | None:
    return Cell.objects.filter(slug=slug).first()


def worklogs_of_account(account: Account, period: Period) -> QuerySet[Worklog]:
    """An account's worklogs in ``period`` with member and ticket preloaded."""
    return (
        Worklog.objects.filter(account=account, work_date__range=(period.start, period.end))
        .select_related("member__user", "ticket")
        .order_by("-work_date", "-id")
    )


def account_spent_seconds(account_ids: list[int], period: Period) -> dict[int, int]:
    """Seconds logged per account in ``period`` (one or two queries)."""
    spent: dict[int, int] = defaultdict(int)
    wanted = set(account_ids)
    for row in hours_rows(period):
        if row.account_id in wanted:
            spent[row.account_id] += row.seconds
    return dict(spent)


def estimate_rows(*, cell: Cell, sprint_numbers: list[int]) -> list[EstimateRow]:
    """Remaining estimates per sprint and account of a cell's tickets, in one query."""
    qs = (
        Ticket.objects.filter(cell=cell, sprint__number__in=sprint_numbers)
        .order_by()
        .values("sprint__number", "account_id")
        .annotate(remaining=Sum("remaining_estimate_seconds"))
    )
    return [
        EstimateRow(
            sprint_number=row["sprint__number"],
            account_id=row["account_id"],
            remaining_seconds=row["remaining"] or 0,
        )
        for row in qs
    ]


def review_tickets(*, cell: Cell, period: Period, accounts: dict[int, AccountInfo]) -> list[ReviewTicket]:
    """Tickets of ``cell`` (or logged by its members) worked on in ``period``, with
    their account, their epic's account and the accounts their worklogs used.
    Two queries: the worklog aggregate, then the tickets."""
    logged = (
        Worklog.objects.filter(work_date__range=(period.start, period.end), ticket__isnull=False)
        .filter(Q(ticket__cell=cell) | Q(member__cell=cell))
        .order_by()
        .values("ticket_id", "account_id")
        .annotate(total=Sum("seconds"))
    )
    per_ticket: dict[int, tuple[set[int], int]] = {}
    for row in logged:
        used, total = per_ticket.get(row["ticket_id"], (set(), 0))
        if row["account_id"]:
            used.add(row["account_id"])
        per_ticket[row["ticket_id"]] = (used, total + (row["total"] or 0))
    tickets = Ticket.objects.filter(pk__in=list(per_ticket)).select_related("epic").order_by("key")
    result = []
    for ticket in tickets:
        used, total = per_ticket[ticket.pk]
        epic_account_id = ticket.epic.account_id if ticket.epic else None
        result.append(
            ReviewTicket(
                key=ticket.key,
                summary=ticket.summary,
                cell_id=ticket.cell_id,
                account=accounts.get(ticket.account_id) if ticket.account_id else None,
                epic_key=ticket.epic.key if ticket.epic else None,
                epic_account=accounts.get(epic_account_id) if epic_account_id else None,
                logged_accounts=frozenset(used),
                seconds=total,
            )
        )
    return result


def accounts_review(*, cell: Cell, month: date) -> AccountsReview | None:
    return (
        AccountsReview.objects.filter(cell=cell, month=month)
        .select_related("author__user")
        .prefetch_related("items")
        .first()
    )


def spent_hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))
