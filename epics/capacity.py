"""What epics reserve in the sprint capacity (the epic owner's time): read by the sprint
board's capacity selectors through ``sprints.reservations`` (registered in
``EpicsConfig.ready``). Plain SQL like the board's other hot reads."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from epics.models import EpicStatus
from sprints.selectors.sql import fetch, placeholders


@lru_cache(maxsize=64)
def _epics_sql(n: int) -> str:
    return (
        f"SELECT owner_id, COUNT(*) FROM epics_epic WHERE owner_id IN ({placeholders(n)}) "
        f"AND status <> '{EpicStatus.DONE.value}' GROUP BY owner_id"
    )


def epics_owned(ids: Sequence[int]) -> dict[int, int]:
    """Per owner: epics not done."""
    return {member_id: int(n) for member_id, n in fetch(_epics_sql(len(ids)), ids)}
