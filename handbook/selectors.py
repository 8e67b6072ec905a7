"""The handbook rules with their live state, read from the stored findings
(``findings.selectors``): no process check runs while the page renders.

A fixed number of queries whatever the number of members, cells and findings: one
aggregate over the findings (open episodes and the last time each rule was seen, per
rule), one over ``duties.FindingSnapshot`` (the days before findings were stored), one for
the open duties, one for the duty titles, and the freshness of the findings (none when
the evaluations' cache answers, else one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from duties.models import DutyDefinition, DutyInstance, FindingSnapshot
from findings import selectors as findings_selectors
from findings.models import Finding
from handbook.registry import HandbookRule, Kind
from handbook.rules import RULES
from opencraft_ops.process_checks import rules
from roles.models import Cell


@dataclass(frozen=True)
class RuleState:
    rule: HandbookRule
    enforcer_title: str  # the check's or duty's title; empty for functions and manual rules
    open_findings: int | None  # None: not a process check
    last_fired: date | None
    open_duties: int | None  # None: not a duty
    findings_url: str
    checked_at: datetime | None = None  # when the stored findings were last evaluated (checks only)


@dataclass(frozen=True)
class Section:
    title: str
    states: list[RuleState]

    @property
    def enforced(self) -> int:
        return sum(1 for s in self.states if s.rule.enforced)


@dataclass(frozen=True)
class RulesView:
    states: list[RuleState]
    freshness: findings_selectors.Freshness


def findings_by_rule(*, cell_ids: frozenset[int] | None) -> dict[str, tuple[int, datetime | None]]:
    """Per rule: its open episodes in ``cell_ids`` (None: every cell; findings about no cell
    always count) and when an episode was last seen, open or resolved. One query."""
    qs = Finding.objects.all()
    if cell_ids is not None:
        qs = qs.filter(Q(cell_id__in=list(cell_ids)) | Q(cell_id__isnull=True))
    rows = qs.values("rule").annotate(
        open=Count("id", filter=Q(resolved_at__isnull=True)), last=Max("last_seen")
    )
    return {row["rule"]: (row["open"], row["last"]) for row in rows}


def rule_states(*, cell: Cell | None, cell_ids: frozenset[int] | None, as_of: date) -> RulesView:
    """Every rule, in the handbook's order, with its state in ``cell_ids`` (None: every cell;
    findings about no cell always count), and how fresh the findings are. ``cell`` (when one
    cell is shown) names the findings page the check rules link to."""
    findings_selectors.ensure_fresh()
    found = findings_by_rule(cell_ids=cell_ids)
    fresh = findings_selectors.freshness(cell_ids=cell_ids)
    check_titles = {r.slug: r.title for r in rules()}
    snapshots = FindingSnapshot.objects.filter(count__gt=0)
    duties = DutyInstance.objects.filter(done_at__isnull=True, opens_on__lte=as_of)
    if cell_ids is not None:
        snapshots = snapshots.filter(cell_id__in=cell_ids)
        duties = duties.filter(cell_id__in=cell_ids)
    snapped = dict(snapshots.values("rule").annotate(last=Max("day")).values_list("rule", "last"))
    open_duties = dict(
        duties.values("definition__slug").annotate(n=Count("id")).values_list("definition__slug", "n")
    )
    duty_titles = dict(DutyDefinition.objects.values_list("slug", "title"))
    health = reverse("duties:health")
    states: list[RuleState] = []
    for rule in RULES:
        if rule.kind is Kind.CHECK:
            count, seen = found.get(rule.enforcer, (0, None))
            fired = max(
                (d for d in (timezone.localdate(seen) if seen else None, snapped.get(rule.enforcer)) if d),
                default=None,
            )
            url = f"{health}?cell={cell.slug}#rule-{rule.enforcer}" if cell is not None else health
            states.append(
                RuleState(
                    rule, check_titles.get(rule.enforcer, ""), count, fired, None, url, fresh.checked_at
                )
            )
        elif rule.kind is Kind.DUTY:
            states.append(
                RuleState(
                    rule,
                    duty_titles.get(rule.enforcer, ""),
                    None,
                    None,
                    open_duties.get(rule.enforcer, 0),
                    "",
                )
            )
        else:
            states.append(RuleState(rule, "", None, None, None, ""))
    return RulesView(states=states, freshness=fresh)


def by_section(states: list[RuleState]) -> list[Section]:
    sections: dict[str, list[RuleState]] = {}
    for state in states:
        sections.setdefault(state.rule.section, []).append(state)
    return [Section(title, items) for title, items in sections.items()]
