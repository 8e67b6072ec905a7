"""Budget and target alerts: evaluated from the data (process checks show them),
emailed once per crossing by the Celery beat task (``alerts_notify``).

* A budget crosses a threshold (``SUSTAINABILITY_BUDGET_THRESHOLDS``, percent)
  when the hours spent this month (monthly budgets) or this year (yearly
  budgets) reach that share of the budget.
* A cell is above its target when the ratio of its reference period (up to
  ``as_of``) exceeds it, and projected above when the sprint preview's ratio
  (remaining estimates of this and next sprint) does.

The reference periods are read in one aggregate from the earliest reference
start; a reference period starting mid-month counts that month whole here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from roles.models import Cell, Member, RoleAssignment
from sprints import calendar
from sprints.models import Ticket
from sustainability import calculations as calc
from sustainability import selectors
from sustainability.access import MANAGER_ROLE
from sustainability.calculations import plain
from sustainability.dashboard import default_reference_start
from sustainability.models import Account, AlertCrossing, AlertKind, BudgetKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    period_start: date
    threshold: Decimal  # percent
    value: Decimal  # percent
    message: str
    cell_id: int | None
    url: str
    recipient_ids: frozenset[int]  # members to email

    @property
    def key(self) -> tuple[str, str, date, Decimal]:
        return (self.kind, self.subject, self.period_start, self.threshold.quantize(Decimal("0.01")))


def _managers(as_of: date) -> dict[int, int]:
    """Cell id -> the member holding its epic planning and sustainability manager role."""
    rows = (
        RoleAssignment.objects.filter(role__slug=MANAGER_ROLE, cell__isnull=False, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .order_by("since")
        .values_list("cell_id", "member_id")
    )
    return dict(rows)


def _cell_url(slug: str) -> str:
    return reverse("sustainability:cell", args=[slug])


def evaluate(*, as_of: date) -> list[Alert]:
    """Every threshold crossed on ``as_of``. Queries: accounts, account owners,
    budgets, targets, cells, managers, hours of the month, of the year and of the
    reference periods (1-2 each), the estimates of this and next sprint."""
    accounts = selectors.accounts_info()
    owners = dict(Account.objects.filter(owner__isnull=False).values_list("pk", "owner_id"))
    budgets = selectors.budgets_by_account()
    targets = selectors.targets_by_cell()
    cells = {c.pk: c for c in Cell.objects.order_by("name")}
    managers = _managers(as_of)
    thresholds = [t / 100 for t in settings.SUSTAINABILITY_BUDGET_THRESHOLDS]
    alerts: list[Alert] = []

    month = calc.month_period(as_of.year, as_of.month)
    year = calc.year_period(as_of.year)
    spent: dict[str, dict[int, int]] = {}
    for kind, whole in ((BudgetKind.MONTHLY, month), (BudgetKind.YEARLY, year)):
        by_account: dict[int, int] = defaultdict(int)
        if budgets:
            for hours_row in selectors.hours_rows(calc.Period(whole.start, min(whole.end, as_of))):
                if hours_row.account_id:
                    by_account[hours_row.account_id] += hours_row.seconds
        spent[str(kind)] = by_account
    for account_id, changes in budgets.items():
        info = accounts.get(account_id)
        in_force = [c for c in changes if c.since <= as_of]
        if info is None or not in_force:
            continue
        budget_kind = str(in_force[-1].kind)
        period = month if budget_kind == BudgetKind.MONTHLY else year
        budget = calc.budget_hours(changes, period)
        if not budget:
            continue
        hours = calc.hours(spent[budget_kind].get(account_id, 0))
        fraction = hours / budget
        recipients = {r for r in (managers.get(info.cell_id or 0), owners.get(account_id)) if r}
        for threshold in calc.crossed_thresholds(fraction, thresholds):
            alerts.append(
                Alert(
                    kind=AlertKind.BUDGET,
                    subject=f"account:{info.key}",
                    period_start=period.start,
                    threshold=threshold * 100,
                    value=(fraction * 100).quantize(Decimal("0.1")),
                    message=f"{info.key} ({info.name}) has used {hours} h of its {budget} h "
                    f"{period.label} budget ({(fraction * 100).quantize(Decimal('0.1'))}%, "
                    f"threshold {plain(threshold * 100)}%).",
                    cell_id=info.cell_id,
                    url=reverse("sustainability:account-worklogs", args=[info.key]),
                    recipient_ids=frozenset(recipients),
                )
            )

    # Cells above their target over the reference period.
    references = {
        cell_id: calc.reference_period(
            targets.get(cell_id, []), as_of=as_of, default_start=default_reference_start()
        )
        for cell_id in cells
    }
    if references:
        earliest = min(p.start for p in references.values())
        rows = selectors.hours_rows(calc.Period(earliest, as_of))
        for cell_id, period in references.items():
            target = calc.target_on(targets.get(cell_id, []), as_of)
            if target is None:
                continue
            cell_totals = calc.totals_of(calc.rows_in(rows, period), accounts, cell_id)
            ratio = calc.ratio(billable=cell_totals.billable_cell, non_billable=cell_totals.non_billable_cell)
            if ratio is not None and ratio > target.fraction:
                cell = cells[cell_id]
                alerts.append(
                    Alert(
                        kind=AlertKind.TARGET,
                        subject=f"cell:{cell_id}",
                        period_start=period.start,
                        threshold=target.percent,
                        value=calc.percent(ratio) or Decimal(0),
                        message=f"{cell.name}'s sustainability ratio since {period.start} is "
                        f"{calc.percent(ratio)}%, above its {plain(target.percent)}% target.",
                        cell_id=cell_id,
                        url=_cell_url(cell.slug),
                        recipient_ids=frozenset(r for r in [managers.get(cell_id)] if r),
                    )
                )

    # Cells projected above their target by the sprint preview.
    current = calendar.sprint_on(as_of)
    estimates = (
        Ticket.objects.filter(sprint__number__in=[current.number, current.number + 1], cell__isnull=False)
        .order_by()
        .values("cell_id", "account_id")
        .annotate(remaining=Sum("remaining_estimate_seconds"))
    )
    split: dict[int, calc.Split] = defaultdict(calc.Split)
    for estimate in estimates:
        info = accounts.get(estimate["account_id"]) if estimate["account_id"] else None
        if info is None or info.category == calc.INTERNAL_NON_CELL:
            continue
        seconds = estimate["remaining"] or 0
        part = calc.Split(billable=seconds) if info.billable else calc.Split(non_billable=seconds)
        split[estimate["cell_id"]] = split[estimate["cell_id"]] + part
    for cell_id, parts in split.items():
        target = calc.target_on(targets.get(cell_id, []), as_of)
        ratio = calc.ratio(billable=Decimal(parts.billable), non_billable=Decimal(parts.non_billable))
        if target is None or ratio is None or ratio <= target.fraction or cell_id not in cells:
            continue
        cell = cells[cell_id]
        alerts.append(
            Alert(
                kind=AlertKind.PROJECTED,
                subject=f"cell:{cell_id}",
                period_start=calendar.sprint_dates(current.number).start,
                threshold=target.percent,
                value=calc.percent(ratio) or Decimal(0),
                message=f"{cell.name}'s estimates for sprints {current.number}-{current.number + 1} give a "
                f"ratio of {calc.percent(ratio)}%, above its {plain(target.percent)}% target.",
                cell_id=cell_id,
                url=reverse("sustainability:preview", args=[cell.slug]),
                recipient_ids=frozenset(r for r in [managers.get(cell_id)] if r),
            )
        )
    return alerts


@dataclass(frozen=True)
class NotifyResult:
    new: int
    emailed: int
    cleared: int


@transaction.atomic
def alerts_notify(*, as_of: date) -> NotifyResult:
    """Records each new crossing and emails its owners once; crossings that no
    longer hold in the periods evaluated are cleared so a later crossing alerts again."""
    alerts = evaluate(as_of=as_of)
    current = {a.key: a for a in alerts}
    period_starts = {a.period_start for a in alerts} | {
        as_of.replace(day=1),
        date(as_of.year, 1, 1),
        calendar.sprint_on(as_of).start,
    }
    existing = {
        (c.kind, c.subject, c.period_start, c.threshold): c
        for c in AlertCrossing.objects.select_for_update().filter(period_start__in=period_starts)
    }
    stale = [c.pk for key, c in existing.items() if key not in current]
    cleared, _ = AlertCrossing.objects.filter(pk__in=stale).delete()
    new = [a for key, a in current.items() if key not in existing]
    emails = dict(
        Member.objects.filter(pk__in={r for a in new for r in a.recipient_ids}).values_list(
            "pk", "user__email"
        )
    )
    emailed = 0
    for alert in new:
        to = sorted({emails[r] for r in alert.recipient_ids if emails.get(r)})
        crossing = AlertCrossing.objects.create(
            kind=alert.kind,
            subject=alert.subject,
            period_start=alert.period_start,
            threshold=alert.threshold,
            value=alert.value,
            message=alert.message,
            recipients=to,
        )
        if to:
            send_mail(
                subject=f"[opencraft_ops] {crossing.get_kind_display()}: {alert.subject}",
                message=f"{alert.message}\n\n{settings.PORTAL_BASE_URL}{alert.url}\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=to,
            )
            crossing.notified_at = timezone.now()
            crossing.save(update_fields=["notified_at"])
            emailed += 1
    logger.info("Sustainability alerts: %s new, %s emailed, %s cleared", len(new), emailed, cleared)
    return NotifyResult(new=len(new), emailed=emailed, cleared=cleared)
