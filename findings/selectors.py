"""Reads of the stored findings: what is open, for whom, how fresh, and its history.

Pages and the API call these instead of running the process checks: each is one or two
queries whatever the number of findings. ``ensure_fresh`` is the only exception, and only
with eager Celery (the demo and the tests, see ``findings.signals``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from findings import calculations
from findings.models import COMPANY_SCOPE, Evaluation, Finding, checked_key, scope_of
from findings.signals import flush_pending, has_pending
from opencraft_ops.process_checks import HeldRole, Severity


def ensure_fresh() -> None:
    """With eager Celery, evaluates what this thread wrote but has not committed yet (a
    test's writes never commit). Without eager Celery it does nothing: the workers do it."""
    if settings.CELERY_TASK_ALWAYS_EAGER and has_pending():
        flush_pending()


def open_findings(
    *,
    cell_ids: Iterable[int] | None = None,
    with_company: bool = True,
    rule: str | None = None,
    severity: str | None = None,
) -> QuerySet[Finding]:
    """Open episodes, most severe first; of ``cell_ids`` (and the cell-less ones when
    ``with_company``) when given."""
    qs = Finding.objects.filter(resolved_at__isnull=True)
    if cell_ids is not None:
        where = Q(cell_id__in=list(cell_ids))
        if with_company:
            where |= Q(cell_id__isnull=True)
        qs = qs.filter(where)
    if rule:
        qs = qs.filter(rule=rule)
    if severity:
        qs = qs.filter(severity=Severity[severity.upper()].value)
    return qs.order_by("-severity", "rule", "subject", "pk")


def addressed_to(*, member_id: int, member_roles: Iterable[HeldRole]) -> Q:
    """The findings for a member: naming them, or naming nobody and addressed to a role
    they hold in the finding's cell (a role held for every cell matches any cell; a
    cell-less finding matches the role anywhere) — ``CheckContext.addresses_member`` in SQL."""
    where = Q(member_id=member_id)
    for slug, cell_id in set(member_roles):
        by_role = Q(member_id__isnull=True, role_slug=slug)
        if cell_id is not None:
            by_role &= Q(cell_id=cell_id) | Q(cell_id__isnull=True)
        where |= by_role
    return where


def findings_for_member(
    *,
    member_id: int,
    member_roles: Iterable[HeldRole],
    now: datetime | None = None,
    include_snoozed: bool = False,
) -> list[Finding]:
    """Open findings for the member (one query), snoozed ones left out unless asked for."""
    now = now or timezone.now()
    qs = open_findings().filter(addressed_to(member_id=member_id, member_roles=member_roles))
    if not include_snoozed:
        qs = qs.filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
    return list(qs)


def is_addressed_to(finding: Finding, *, member_id: int, member_roles: Iterable[HeldRole]) -> bool:
    """The same test as :func:`addressed_to`, on a loaded row."""
    if finding.member_id is not None:
        return finding.member_id == member_id
    if not finding.role_slug:
        return False
    for slug, cell_id in member_roles:
        if slug == finding.role_slug and (cell_id is None or finding.cell_id in (None, cell_id)):
            return True
    return False


@dataclass(frozen=True)
class Freshness:
    checked_at: datetime | None
    now: datetime

    @property
    def label(self) -> str:
        if self.checked_at is None:
            return "not checked yet"
        return "checked " + calculations.humanize_age((self.now - self.checked_at).total_seconds())

    @property
    def seconds(self) -> float | None:
        return None if self.checked_at is None else (self.now - self.checked_at).total_seconds()


def freshness(*, cell_ids: Iterable[int] | None = None, now: datetime | None = None) -> Freshness:
    """When the findings shown were checked: the oldest evaluation among the cells' scopes
    and the company's. Read from the cache the evaluations fill (no query); on a miss, or
    for every cell (``cell_ids`` None), one query."""
    now = now or timezone.now()
    qs = Evaluation.objects.all()
    if cell_ids is not None:
        scopes = [*(scope_of(pk) for pk in cell_ids), COMPANY_SCOPE]
        cached = cache.get_many([checked_key(s) for s in scopes])
        if len(cached) == len(scopes):
            return Freshness(checked_at=min(cached.values()), now=now)
        qs = qs.filter(scope__in=scopes)
    oldest = qs.aggregate(oldest=Min("checked_at"))["oldest"]
    return Freshness(checked_at=oldest, now=now)


def last_checked(*, now: datetime | None = None) -> Freshness:
    """The newest evaluation of any scope (one query)."""
    now = now or timezone.now()
    return Freshness(checked_at=Evaluation.objects.aggregate(newest=Max("checked_at"))["newest"], now=now)


@dataclass(frozen=True)
class RuleHistory:
    rule: str
    per_month: list[int]
    resolved: int
    median_to_resolve: timedelta | None

    @property
    def median_label(self) -> str:
        return calculations.humanize_duration(self.median_to_resolve)


@dataclass(frozen=True)
class CellHistory:
    months: list[date]
    rules: list[RuleHistory]
    totals: list[int]
    median_to_resolve: timedelta | None

    @property
    def median_label(self) -> str:
        return calculations.humanize_duration(self.median_to_resolve)


def cell_history(*, cell_id: int, as_of: date, months: int = 12) -> CellHistory:
    """A cell's finding episodes per rule per month over the last ``months`` months, and
    the time from first seen to resolved (median, per rule and overall). One query."""
    window = calculations.months_back(as_of, months)
    start = timezone.make_aware(datetime.combine(window[0], datetime.min.time()))
    rows = list(
        Finding.objects.filter(cell_id=cell_id)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .values_list("rule", "first_seen", "resolved_at")
    )
    episodes = [calculations.Episode(rule, first, resolved) for rule, first, resolved in rows]
    per_rule = calculations.episodes_per_month(episodes, window)
    durations: dict[str, list[timedelta]] = defaultdict(list)
    for episode in episodes:
        if episode.resolved_at is not None:
            durations[episode.rule].append(episode.resolved_at - episode.first_seen)
    history = [
        RuleHistory(
            rule=rule,
            per_month=counts,
            resolved=len(durations[rule]),
            median_to_resolve=calculations.median_duration(durations[rule]),
        )
        for rule, counts in per_rule.items()
    ]
    totals = [sum(r.per_month[i] for r in history) for i in range(len(window))]
    every = [d for values in durations.values() for d in values]
    return CellHistory(
        months=window, rules=history, totals=totals, median_to_resolve=calculations.median_duration(every)
    )
