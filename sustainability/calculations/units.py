"""Units and the account categories the maths distinguishes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HOUR = Decimal(3600)
CENT = Decimal("0.01")
ZERO = Decimal(0)

CLIENT = "client"
INTERNAL_NON_CELL = "internal_non_cell"
INTERNAL_CELL = "internal_cell"


def hours(seconds: int | Decimal) -> Decimal:
    return (Decimal(seconds) / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 30.00 -> "30", 82.50 -> "82.5"."""
    return f"{value.normalize():f}"


def percent(fraction: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with one decimal (``None`` stays undefined)."""
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
