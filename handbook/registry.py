"""The handbook's rules as records: what each says (in our words), and what in the portal
enforces it. The records are data (``handbook.rules``); this module gives them their shape
and finds their enforcers in the registries that hold them:

* ``check``: a process check registered in ``opencraft_ops.process_checks``, by its name;
* ``duty``: a recurring duty of ``duties.catalog``, by its slug (the rule is a line of its
  checklist, or the duty itself);
* ``calculation``, ``guard`` and ``reminder``: a function (or method) by its dotted path:
  the maths the portal computes, a validation that refuses the rule's breach in a form, the
  admin or the API, a notification sent when the rule is due;
* ``manual``: the portal cannot help; the rule is listed so the list is the whole handbook.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class Kind(enum.StrEnum):
    CHECK = "check"
    DUTY = "duty"
    CALCULATION = "calculation"
    REMINDER = "reminder"
    GUARD = "guard"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.CHECK: "Process check",
    Kind.DUTY: "Duty",
    Kind.CALCULATION: "Calculation",
    Kind.REMINDER: "Reminder",
    Kind.GUARD: "Guard on a form",
    Kind.MANUAL: "Not helped by the portal",
}
# The kinds whose enforcer is a dotted path to a function.
CALLABLE_KINDS = frozenset({Kind.CALCULATION, Kind.REMINDER, Kind.GUARD})


@dataclass(frozen=True)
class HandbookRule:
    id: str
    section: str
    summary: str
    kind: Kind
    enforcer: str = ""  # empty for manual rules
    # For a manual rule: why the portal cannot check it (which data it lacks), when known.
    why_manual: str = ""

    @property
    def enforced(self) -> bool:
        return self.kind is not Kind.MANUAL


def resolve_callable(path: str) -> Callable[..., Any]:
    """The function at ``path`` (``module.func`` or ``module.Class.method``); ``ImportError``
    when there is none, ``TypeError`` when the object is not callable."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            try:
                target = getattr(target, name)
            except AttributeError as exc:
                raise ImportError(f"{path}: no {name!r}.") from exc
        if not callable(target):
            raise TypeError(f"{path} is not callable.")
        return target  # type: ignore[no-any-return]
    raise ImportError(f"{path}: no module.")


def enforcer_problems(
    rules: Iterable[HandbookRule], *, check_names: set[str], duty_slugs: set[str]
) -> list[str]:
    """Why each listed enforcer does not exist (empty when every one does)."""
    problems: list[str] = []
    for rule in rules:
        if rule.why_manual and rule.kind is not Kind.MANUAL:
            problems.append(f"{rule.id}: an enforced rule says why it is manual.")
        if rule.kind is Kind.MANUAL:
            if rule.enforcer:
                problems.append(f"{rule.id}: a manual rule names an enforcer.")
        elif rule.kind is Kind.CHECK:
            if rule.enforcer not in check_names:
                problems.append(f"{rule.id}: no process check {rule.enforcer!r}.")
        elif rule.kind is Kind.DUTY:
            if rule.enforcer not in duty_slugs:
                problems.append(f"{rule.id}: no duty {rule.enforcer!r} in the catalog.")
        else:
            try:
                resolve_callable(rule.enforcer)
            except (ImportError, TypeError) as exc:
                problems.append(f"{rule.id}: {exc}")
    return problems
