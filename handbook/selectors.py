"""The handbook rules with their live state: findings open now, when each check last fired
(``duties.FindingSnapshot``), duties open now. A fixed number of queries: those of the
process checks, one for the snapshots, one for the duties, one for the duty titles."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max
from django.urls import reverse

from duties.models import DutyDefinition, DutyInstance, FindingSnapshot
from handbook.registry import HandbookRule, Kind
from handbook.rules import RULES
from opencraft_ops.process_checks import CheckContext, rules, run_checks
from roles.models import Cell


@dataclass(frozen=True)
class RuleState:
    rule: HandbookRule
    enforcer_title: str  # the check's or duty's title; empty for functions and manual rules
    open_findings: int | None  # None: not a process check
    last_fired: date | None
    open_duties: int | None  # None: not a duty
    findings_url: str


@dataclass(frozen=True)
class Section:
    title: str
    states: list[RuleState]

    @property
    def enforced(self) -> int:
        return sum(1 for s in self.states if s.rule.enforced)


def rule_states(*, cell: Cell | None, cell_ids: frozenset[int] | None, as_of: date) -> list[RuleState]:
    """Every rule, in the handbook's order, with its state in ``cell_ids`` (None: every cell;
    findings about no cell always count). ``cell`` (when one cell is shown) names the findings
    page the check rules link to."""
    found = Counter(f.rule for f in run_checks(CheckContext(as_of=as_of, cell_ids=cell_ids)))
    check_titles = {r.slug: r.title for r in rules()}
    snapshots = FindingSnapshot.objects.filter(count__gt=0)
    duties = DutyInstance.objects.filter(done_at__isnull=True, opens_on__lte=as_of)
    if cell_ids is not None:
        snapshots = snapshots.filter(cell_id__in=cell_ids)
        duties = duties.filter(cell_id__in=cell_ids)
    last = dict(snapshots.values("rule").annotate(last=Max("day")).values_list("rule", "last"))
    open_duties = dict(
        duties.values("definition__slug").annotate(n=Count("id")).values_list("definition__slug", "n")
    )
    duty_titles = dict(DutyDefinition.objects.values_list("slug", "title"))
    health = reverse("duties:health")
    states: list[RuleState] = []
    for rule in RULES:
        if rule.kind is Kind.CHECK:
            count = found.get(rule.enforcer, 0)
            fired = as_of if count else last.get(rule.enforcer)
            url = f"{health}?cell={cell.slug}#rule-{rule.enforcer}" if cell is not None else health
            states.append(RuleState(rule, check_titles.get(rule.enforcer, ""), count, fired, None, url))
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
    return states


def by_section(states: list[RuleState]) -> list[Section]:
    sections: dict[str, list[RuleState]] = {}
    for state in states:
        sections.setdefault(state.rule.section, []).append(state)
    return [Section(title, items) for title, items in sections.items()]
