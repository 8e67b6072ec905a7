"""Targets with history, and the reference period measured against them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sustainability.calculations.periods import Period


@dataclass(frozen=True)
class TargetChange:
    since: date
    percent: Decimal
    reference_start: date

    @property
    def fraction(self) -> Decimal:
        return self.percent / 100


def target_on(changes: Sequence[TargetChange], day: date) -> TargetChange | None:
    current = None
    for change in sorted(changes, key=lambda c: c.since):
        if change.since <= day:
            current = change
    return current


def reference_period(targets: Sequence[TargetChange], *, as_of: date, default_start: date) -> Period:
    """From the reference start of the target in force on ``as_of`` to ``as_of``."""
    target = target_on(targets, as_of)
    start = target.reference_start if target else default_start
    start = min(start, as_of)
    return Period(start, as_of, "Reference period")
