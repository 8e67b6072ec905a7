"""Read queries of the sustainability app. Aggregates run in SQL; each function
runs a fixed number of queries whatever the size of the data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Least, TruncMonth

from roles.models import Cell, Member, RoleAssignment
from sprints.calculations.capacity import FINISHED_STATUSES, NOT_COMMITTED_STATUSES
from sprints.models import Ticket
from sustainability.access import MANAGER_ROLE
from sustainability.calculations import (
    AccountInfo,
    BudgetChange,
    DayHoursRow,
    EstimateRow,
    HoursRow,
    Period,
    ReviewTicket,
    TargetChange,
    month_cover,
    month_end,
    rows_for_period,
)
from sustainability.models import (
    Account,
    AccountBudget,
    AccountsReview,
    SustainabilityTarget,
    Worklog,
)

K = TypeVar("K", bound=Hashable)

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


def _month_rows(first: date, last: date) -> list[HoursRow]:
    """Whole months ``first``..``last`` (first days): from the rollup on
    PostgreSQL, from the worklogs elsewhere. One query."""
    if not uses_rollup():
        qs = (
            Worklog.objects.filter(work_date__range=(first, month_end(last)))
            .annotate(month=TruncMonth("work_date"))
            .order_by()
            .values("month", "account_id", "member__cell_id")
            .annotate(total=Sum("seconds"), billed=Sum(BILLED))
        )
        return [
            HoursRow(r["month"], r["account_id"], r["member__cell_id"], r["total"] or 0, r["billed"] or 0)
            for r in qs
        ]
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_SQL, [first, last])
        return [
            HoursRow(month, account_id, cell_id, int(seconds), int(billed))
            for month, account_id, cell_id, seconds, billed in cursor.fetchall()
        ]


def _day_rows(edges: Iterable[Period]) -> list[DayHoursRow]:
    """Seconds per day, account and member cell on the days of ``edges``. One query."""
    q = Q(pk__in=[])
    for edge in edges:
        q |= Q(work_date__range=(edge.start, edge.end))
    qs = (
        Worklog.objects.filter(q)
        .order_by()
        .values("work_date", "account_id", "member__cell_id")
        .annotate(total=Sum("seconds"), billed=Sum(BILLED))
    )
    return [
        DayHoursRow(r["work_date"], r["account_id"], r["member__cell_id"], r["total"] or 0, r["billed"] or 0)
        for r in qs
    ]


ROLLUP_SQL = """
    SELECT month, NULLIF(account_id, 0), NULLIF(member_cell_id, 0), seconds, billed_seconds
    FROM sustainability_worklogmonth
    WHERE month BETWEEN %s AND %s AND worklogs <> 0
"""


def uses_rollup() -> bool:
    """The monthly rollup exists on PostgreSQL (kept by triggers), not on SQLite."""
    return connection.vendor == "postgresql"


def hours_rows_by_period(periods: Mapping[K, Period]) -> dict[K, list[HoursRow]]:
    """Seconds per month, account and member cell of each period, each cut to
    exactly its own days (a period starting or ending mid-month counts only
    those days). The one way every page, report and alert reads hours.

    At most two queries whatever the number of periods: the whole months of
    all of them (one range over the rollup) and the days of their partial
    edge months (one query over the worklogs).
    """
    covers = {key: month_cover(period) for key, period in periods.items()}
    wholes = [c.whole for c in covers.values() if c.whole is not None]
    month_rows = _month_rows(min(w[0] for w in wholes), max(w[1] for w in wholes)) if wholes else []
    edges = {(e.start, e.end): e for c in covers.values() for e in c.edges}
    day_rows = _day_rows(edges[k] for k in sorted(edges)) if edges else []
    return {key: rows_for_period(month_rows, day_rows, cover) for key, cover in covers.items()}


def hours_rows(period: Period) -> list[HoursRow]:
    """``hours_rows_by_period`` for one period (one or two queries)."""
    return hours_rows_by_period({0: period})[0]


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


def estimate_rows(*, sprint_numbers: list[int], cell: Cell | None = None) -> list[EstimateRow]:
    """Hours still to work per sprint, account and cell on the tickets of
    ``sprint_numbers`` (of ``cell``, or of every cell), in one query.

    The sprint commitment's rule (``sprints.selectors.capacity_inputs``): stretch
    goals are not committed; a finished ticket counts 0; a ticket counts its
    remaining estimate, or its original estimate without one; a recurring ticket
    counts its hours per sprint instead.
    """
    tickets = Ticket.objects.filter(sprint__number__in=sprint_numbers)
    tickets = tickets.filter(cell=cell) if cell is not None else tickets.filter(cell__isnull=False)
    open_ticket = ~Q(status__in=FINISHED_STATUSES)
    qs = (
        tickets.exclude(status__in=NOT_COMMITTED_STATUSES)
        .order_by()
        .values("sprint__number", "account_id", "cell_id")
        .annotate(
            estimated=Coalesce(
                Sum(
                    Coalesce("remaining_estimate_seconds", "original_estimate_seconds", Value(0)),
                    filter=open_ticket & Q(is_recurring=False),
                ),
                Value(0),
            ),
            recurring=Coalesce(
                Sum("recurring_hours_per_sprint", filter=open_ticket & Q(is_recurring=True)),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
    )
    return [
        EstimateRow(
            sprint_number=row["sprint__number"],
            account_id=row["account_id"],
            remaining_seconds=int(row["estimated"]) + int(row["recurring"] * 3600),
            cell_id=row["cell_id"],
        )
        for row in qs
    ]


def cells_by_id() -> dict[int, Cell]:
    return {c.pk: c for c in Cell.objects.order_by("name")}


def account_owners() -> dict[int, int]:
    """Account id -> the member owning it (alerted about its budget), in one query."""
    return dict(Account.objects.filter(owner__isnull=False).values_list("pk", "owner_id"))


def sustainability_managers(as_of: date) -> dict[int, int]:
    """Cell id -> the member holding its epic planning and sustainability manager
    role on ``as_of`` (the latest assignment when several overlap), in one query."""
    rows = (
        RoleAssignment.objects.filter(role__slug=MANAGER_ROLE, cell__isnull=False, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .order_by("since")
        .values_list("cell_id", "member_id")
    )
    return dict(rows)


def member_emails(member_ids: Iterable[int]) -> dict[int, str]:
    return dict(Member.objects.filter(pk__in=set(member_ids)).values_list("pk", "user__email"))


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
