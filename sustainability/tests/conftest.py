from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sustainability.tests.factories import AccountFactory, TargetFactory, hours


@pytest.fixture
def bebop_data(cell: Any, core_member: Any, other_cell: Any, outsider: Any) -> dict[str, Any]:
    """Bebop in Q1 2026: 30 h billable on ACME, 10 h on BB-INT (internal cell),
    4 h on COMMUNITY (non-cell); Falcon logs 20 h on its own client GLOBEX.
    Target 30 % since 2025. Ratio 10 / 40 = 25 %; remaining 30 x .3 / .7 - 10 = 2.86 h."""
    acme = AccountFactory(key="ACME", name="Acme", category="client", billable=True, cell=cell)
    internal = AccountFactory(
        key="BB-INT", name="Bebop internal", category="internal_cell", billable=False, cell=cell
    )
    community = AccountFactory(
        key="COMMUNITY", name="Community relations", category="internal_non_cell", billable=False
    )
    globex = AccountFactory(key="GLOBEX", name="Globex", category="client", billable=True, cell=other_cell)
    for month in (1, 2, 3):
        hours(core_member, acme, date(2026, month, 10), 10)
    hours(core_member, internal, date(2026, 2, 3), 6)
    hours(core_member, internal, date(2026, 3, 3), 4)
    hours(core_member, community, date(2026, 1, 20), 4)
    hours(outsider, globex, date(2026, 1, 5), 20)
    TargetFactory(cell=cell, max_non_billable_percent=Decimal("30"), since=date(2025, 1, 1))
    return {"acme": acme, "internal": internal, "community": community, "globex": globex}
