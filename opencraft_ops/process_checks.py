"""The registry of process checks: rules evaluated over the data that say
where the handbook's process is slipping.

Each app declares its rules in its own ``process_checks.py`` with
``@register(...)``; this module only collects and runs them. A rule receives a
``CheckContext`` and returns findings. Rules must run a constant number of
queries whatever the size of the data (aggregate in SQL, preload relations),
because the cell dashboard and the API run all of them on every request.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.module_loading import autodiscover_modules


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One thing that needs someone's attention.

    ``subject`` identifies what the finding is about (e.g. ``"ticket:SE-12"``)
    so the same finding can be recognised from one run to the next.
    """

    rule: str
    severity: Severity
    message: str
    subject: str
    url: str = ""
    cell_id: int | None = None
    member_id: int | None = None  # who should act, when known
    role_slug: str | None = None  # or which role should act


@dataclass(frozen=True)
class CheckContext:
    as_of: date
    cell_ids: frozenset[int] | None = None  # None: every cell
    member_id: int | None = None  # restrict to findings addressed to this member, when set

    def includes_cell(self, cell_id: int | None) -> bool:
        return self.cell_ids is None or cell_id in self.cell_ids


RuleFunc = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    slug: str
    title: str
    description: str
    func: RuleFunc = field(compare=False)


_REGISTRY: dict[str, Rule] = {}
_discovered = False


def register(slug: str, *, title: str, description: str = "") -> Callable[[RuleFunc], RuleFunc]:
    def decorator(func: RuleFunc) -> RuleFunc:
        if slug in _REGISTRY and _REGISTRY[slug].func is not func:
            raise ValueError(f"Process check {slug!r} is registered twice.")
        _REGISTRY[slug] = Rule(slug=slug, title=title, description=description, func=func)
        return func

    return decorator


def rules() -> list[Rule]:
    global _discovered
    if not _discovered:
        autodiscover_modules("process_checks")
        _discovered = True
    return sorted(_REGISTRY.values(), key=lambda rule: rule.slug)


def run_checks(context: CheckContext, *, only: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of every rule (or of the rules named in ``only``), most severe first."""
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for rule in rules():
        if wanted is not None and rule.slug not in wanted:
            continue
        for finding in rule.func(context):
            if not context.includes_cell(finding.cell_id) and finding.cell_id is not None:
                continue
            if context.member_id is not None and finding.member_id != context.member_id:
                continue
            findings.append(finding)
    findings.sort(key=lambda f: (-f.severity, f.rule, f.subject))
    return findings
