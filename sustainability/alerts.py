"""Budget and target alerts: evaluated from the data (process checks show them),
emailed once per crossing by the Celery beat task (``alerts_notify``).

* A budget crosses a threshold (``SUSTAINABILITY_BUDGET_THRESHOLDS``, percent)
  when the hours spent this month (monthly budgets) or this year (yearly
  budgets) reach that share of the budget.
* A cell is above its target when the ratio of its reference period (up to
  ``as_of``) exceeds it, and projected above when the sprint preview's ratio
  (the estimates left in this and next sprint) does.

The hours come from ``selectors.hours_rows_by_period``, like the dashboard's: a
reference period starting mid-month counts only its own days of that month.
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
from django.urls import reverse
from django.utils import timezone

from sustainability import calculations as calc
from sustainability import selectors
from sustainability.calculations import plain
from sustainability.dashboard import default_reference_start, preview_of, preview_sprints
from sustainability.models import AlertCrossing, AlertKind, BudgetKind

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
        return crossing_key(self.kind, self.subject, self.period_start, self.threshold)


def crossing_key(
    kind: str, subject: str, period_start: date, threshold: Decimal
) -> tuple[str, str, date, Decimal]:
    return (str(kind), subject, period_start, threshold.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Evaluation:
    """The crossings found on ``as_of`` and the periods looked at to find them:
    ``(kind, subject, period start)``, the subject ``None`` when every subject
    of the kind was looked at over that period (every cell's estimates this sprint)."""

    alerts: list[Alert]
    periods: frozenset[tuple[str, str | None, date]]

    def looked_at(self, kind: str, subject: str, period_start: date) -> bool:
        return bool({(str(kind), None, period_start), (str(kind), subject, period_start)} & self.periods)


def evaluate(*, as_of: date) -> list[Alert]:
    """Every threshold crossed on ``as_of`` (see ``evaluation``)."""
    return evaluation(as_of=as_of).alerts


def evaluation(*, as_of: date) -> Evaluation:
    """Every threshold crossed on ``as_of``, and the periods evaluated. Queries
    (fixed, whatever the data): accounts, account owners, budgets, targets,
    cells, managers, the hours of this month, this year and every cell's
    reference period (one or two together), the estimates of this and next sprint."""
    accounts = selectors.accounts_info()
    owners = selectors.account_owners()
    budgets = selectors.budgets_by_account()
    targets = selectors.targets_by_cell()
    cells = selectors.cells_by_id()
    managers = selectors.sustainability_managers(as_of)
    thresholds = [t / 100 for t in settings.SUSTAINABILITY_BUDGET_THRESHOLDS]
    alerts: list[Alert] = []

    month = calc.month_period(as_of.year, as_of.month)
    year = calc.year_period(as_of.year)
    in_force = {cell_id: calc.target_on(targets.get(cell_id, []), as_of) for cell_id in cells}
    references = {
        cell_id: calc.reference_period(
            targets.get(cell_id, []), as_of=as_of, default_start=default_reference_start()
        )
        for cell_id, target in in_force.items()
        if target is not None
    }
    periods: dict[object, calc.Period] = {
        BudgetKind.MONTHLY: calc.Period(month.start, as_of),
        BudgetKind.YEARLY: calc.Period(year.start, as_of),
    }
    periods.update({("reference", cell_id): period for cell_id, period in references.items()})
    rows = selectors.hours_rows_by_period(periods)
    current, following = preview_sprints(as_of)
    # The periods looked at (what a crossing not found again may be cleared in):
    # each account's budget period, each cell's reference period, every cell's
    # estimates over this sprint.
    looked_at: set[tuple[str, str | None, date]] = {(str(AlertKind.PROJECTED), None, current.start)}
    looked_at.update((str(AlertKind.TARGET), f"cell:{c}", p.start) for c, p in references.items())

    spent: dict[str, dict[int, int]] = {}
    for kind in (BudgetKind.MONTHLY, BudgetKind.YEARLY):
        by_account: dict[int, int] = defaultdict(int)
        for hours_row in rows[kind]:
            if hours_row.account_id:
                by_account[hours_row.account_id] += hours_row.seconds
        spent[str(kind)] = by_account
    for account_id, info in accounts.items():
        changes = budgets.get(account_id, [])
        started = [c for c in changes if c.since <= as_of]
        subject = f"account:{info.key}"
        if not started:  # no budget in force: nothing crossed, this month or this year
            looked_at.update((str(AlertKind.BUDGET), subject, p.start) for p in (month, year))
            continue
        budget_kind = str(started[-1].kind)
        period = month if budget_kind == BudgetKind.MONTHLY else year
        looked_at.add((str(AlertKind.BUDGET), subject, period.start))
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
                    subject=subject,
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

    # Cells above their target over the reference period (the dashboard's figures).
    for cell_id, period in references.items():
        target = in_force[cell_id]
        assert target is not None
        cell_totals = calc.totals_of(rows[("reference", cell_id)], accounts, cell_id)
        fig = calc.figures(period=period, totals=cell_totals, target=target.fraction)
        if fig.above_target:
            cell = cells[cell_id]
            alerts.append(
                Alert(
                    kind=AlertKind.TARGET,
                    subject=f"cell:{cell_id}",
                    period_start=period.start,
                    threshold=target.percent,
                    value=fig.ratio_percent or Decimal(0),
                    message=f"{cell.name}'s sustainability ratio over the entire reference period "
                    f"({period.start} – {period.end}) is {fig.ratio_percent}%, above its "
                    f"{plain(target.percent)}% target.",
                    cell_id=cell_id,
                    # The dashboard on the same period shows the same figure.
                    url=f"{reverse('sustainability:cell', args=[cell.slug])}?period=reference",
                    recipient_ids=frozenset(r for r in [managers.get(cell_id)] if r),
                )
            )

    # Cells projected above their target by the sprint preview (the report's figures).
    estimates: dict[int, list[calc.EstimateRow]] = defaultdict(list)
    for estimate in selectors.estimate_rows(sprint_numbers=[current.number, following.number]):
        if estimate.cell_id is not None:
            estimates[estimate.cell_id].append(estimate)
    for cell_id, cell_estimates in estimates.items():
        target = in_force.get(cell_id)
        if target is None:
            continue
        preview = preview_of(
            current=current, following=following, estimates=cell_estimates, accounts=accounts
        )
        if preview.ratio is None or preview.ratio <= target.fraction:
            continue
        cell = cells[cell_id]
        alerts.append(
            Alert(
                kind=AlertKind.PROJECTED,
                subject=f"cell:{cell_id}",
                period_start=current.start,
                threshold=target.percent,
                value=preview.ratio_percent or Decimal(0),
                message=f"{cell.name}'s estimates for sprints {current.number}-{following.number} give a "
                f"ratio of {preview.ratio_percent}%, above its {plain(target.percent)}% target.",
                cell_id=cell_id,
                url=reverse("sustainability:preview", args=[cell.slug]),
                recipient_ids=frozenset(r for r in [managers.get(cell_id)] if r),
            )
        )
    return Evaluation(alerts=alerts, periods=frozenset(looked_at))


@dataclass(frozen=True)
class RecordResult:
    new: int
    cleared: int


@transaction.atomic
def alerts_record(*, as_of: date) -> RecordResult:
    """Records every new crossing (not yet notified) and clears the open ones
    that no longer hold, matched on kind, subject, period and threshold: a
    crossing cleared and crossed again is a new crossing, alerted again.

    Only this evaluation's periods are cleared, and only crossings last seen on
    ``as_of`` or before: a replay of a past day (``send_alerts(as_of=...)``)
    neither clears another period's crossings nor ones a later day found, which
    the next run would otherwise record and email again. Each crossing still
    found is marked seen on ``as_of``."""
    found = evaluation(as_of=as_of)
    alerts = {a.key: a for a in found.alerts}
    open_crossings = {
        crossing_key(c.kind, c.subject, c.period_start, c.threshold): c
        for c in AlertCrossing.objects.select_for_update().filter(cleared_at__isnull=True)
    }
    stale = [
        c.pk
        for key, c in open_crossings.items()
        if key not in alerts and c.seen_on <= as_of and found.looked_at(c.kind, c.subject, c.period_start)
    ]
    cleared = AlertCrossing.objects.filter(pk__in=stale).update(cleared_at=timezone.now()) if stale else 0
    seen = [c.pk for key, c in open_crossings.items() if key in alerts and c.seen_on < as_of]
    if seen:
        AlertCrossing.objects.filter(pk__in=seen).update(seen_on=as_of)
    new = [a for key, a in alerts.items() if key not in open_crossings]
    emails = selectors.member_emails(r for a in new for r in a.recipient_ids)
    AlertCrossing.objects.bulk_create(
        AlertCrossing(
            kind=alert.kind,
            subject=alert.subject,
            period_start=alert.period_start,
            threshold=alert.threshold,
            value=alert.value,
            message=alert.message,
            url=alert.url,
            recipients=sorted({emails[r] for r in alert.recipient_ids if emails.get(r)}),
            seen_on=as_of,
        )
        for alert in new
    )
    return RecordResult(new=len(new), cleared=cleared)


def alert_send(*, crossing_id: int) -> bool:
    """Emails one recorded crossing unless it was already emailed (or cleared)
    and marks it notified in the same transaction: a failure leaves it to the
    next attempt, a success is never repeated. The row lock keeps two runs from
    sending the same email."""
    with transaction.atomic():
        crossing = (
            AlertCrossing.objects.select_for_update()
            .filter(pk=crossing_id, notified_at__isnull=True, cleared_at__isnull=True)
            .first()
        )
        if crossing is None or not crossing.recipients:
            return False
        send_mail(
            subject=f"[opencraft_ops] {crossing.get_kind_display()}: {crossing.subject}",
            message=f"{crossing.message}\n\n{settings.PORTAL_BASE_URL}{crossing.url}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=list(crossing.recipients),
        )
        crossing.notified_at = timezone.now()
        crossing.save(update_fields=["notified_at"])
    return True


@dataclass(frozen=True)
class NotifyResult:
    new: int
    emailed: int
    cleared: int


def alerts_notify(*, as_of: date) -> NotifyResult:
    """Records the crossings of ``as_of`` (committed first), then emails every
    open crossing not emailed yet, each in its own transaction. When an email
    fails the exception propagates (the task retries); the retry records nothing
    new and sends only the emails still missing."""
    recorded = alerts_record(as_of=as_of)
    pending = [
        pk
        for pk, recipients in AlertCrossing.objects.filter(cleared_at__isnull=True, notified_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "recipients")
        if recipients
    ]
    emailed = 0
    for crossing_id in pending:
        emailed += alert_send(crossing_id=crossing_id)
    logger.info(
        "Sustainability alerts: %s new, %s emailed, %s cleared", recorded.new, emailed, recorded.cleared
    )
    return NotifyResult(new=recorded.new, emailed=emailed, cleared=recorded.cleared)
