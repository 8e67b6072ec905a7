"""The registry of process checks: rules evaluated over the data that say
where the handbook's process is slipping.

Each app declares its rules in its own ``process_checks.py`` with
``@register(...)``; this module only collects and runs them. A rule receives a
``CheckContext`` and returns findings. Rules must run a constant number of
queries whatever the size of the data (aggregate in SQL, preload relations),
because the cell dashboard and the API run all of them on every request.

A finding is addressed to a member (``member_id``) or, when nobody in particular
should act, to a role (``role_slug``, in the finding's cell). "Findings for me"
(``roles.selectors.member_check_context``) keeps both: the member's own, and the role-addressed
ones of a role they hold there.
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


# A role a member holds, and where: (role slug, cell id), the cell None for "every cell".
HeldRole = tuple[str, int | None]


@dataclass(frozen=True)
class CheckContext:
    as_of: date
    cell_ids: frozenset[int] | None = None  # None: every cell
    member_id: int | None = None  # restrict to findings addressed to this member, when set
    # The roles ``member_id`` holds on ``as_of`` (see ``held_roles``): findings addressed to
    # one of these roles, and to nobody in particular, are theirs too.
    member_roles: frozenset[HeldRole] = frozenset()

    def includes_cell(self, cell_id: int | None) -> bool:
        return self.cell_ids is None or cell_id in self.cell_ids

    def addresses_member(self, finding: Finding) -> bool:
        """Whether ``finding`` is for ``member_id`` (always, when no member is set): named
        in it, or it names nobody and its role is one they hold in its cell. A role held
        for every cell matches any cell; a finding about no cell matches the role anywhere."""
        if self.member_id is None:
            return True
        if finding.member_id is not None:
            return finding.member_id == self.member_id
        if finding.role_slug is None:
            return False
        if (finding.role_slug, None) in self.member_roles:
            return True
        if finding.cell_id is None:
            return any(slug == finding.role_slug for slug, _ in self.member_roles)
        return (finding.role_slug, finding.cell_id) in self.member_roles


def held_roles(rows: Iterable[tuple[str, str, int | None, int | None]]) -> frozenset[HeldRole]:
    """(role slug, cell) pairs from current assignments given as (role slug, role scope,
    assignment cell, member's cell). An assignment without a cell is held for every cell
    when the role is company-wide, and in the member's own cell otherwise (a cell-less
    mentor or epic owner acts in their cell, as the duties opener assumes)."""
    held: set[HeldRole] = set()
    for slug, scope, cell_id, member_cell_id in rows:
        if cell_id is not None:
            held.add((slug, cell_id))
        elif scope == "company" or member_cell_id is None:
            held.add((slug, None))
        else:
            held.add((slug, member_cell_id))
    return frozenset(held)


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
            if not context.addresses_member(finding):
                continue
            findings.append(finding)
    findings.sort(key=lambda f: (-f.severity, f.rule, f.subject))
    return findings
