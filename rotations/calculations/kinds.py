"""Rotation kinds, their fairness groups and shared constants."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
WEEKS_PER_SPRINT = 2
HOURS_PER_DAY = Decimal(8)

FIREFIGHTER_1 = "firefighter_1"
FIREFIGHTER_2 = "firefighter_2"
FIREFIGHTER_BACKUP = "firefighter_backup"
DISCOVERY_DUTY = "discovery_duty"
OPS_REVIEWER = "ops_reviewer"
PAGER = "pager"
FIREFIGHTER_KINDS = frozenset({FIREFIGHTER_1, FIREFIGHTER_2, FIREFIGHTER_BACKUP})

# Kinds that share one fairness queue: both firefighter slots draw from the same turn order.
GROUP_OF_KIND = {
    FIREFIGHTER_1: "firefighter",
    FIREFIGHTER_2: "firefighter",
    FIREFIGHTER_BACKUP: "firefighter",
    DISCOVERY_DUTY: "discovery",
    OPS_REVIEWER: "ops_reviewer",
    PAGER: "pager",
}
GROUP_LABEL = {
    "firefighter": "firefighter",
    "discovery": "discovery duty",
    "ops_reviewer": "ops reviewer",
    "pager": "pager",
}


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
