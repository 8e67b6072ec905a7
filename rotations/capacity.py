"""What rotations reserve in the sprint capacity: read by the sprint board's capacity
selectors through ``sprints.reservations`` (registered in ``RotationsConfig.ready``).

Plain SQL like the board's other hot reads (``sprints.selectors.sql``): the board runs it on
every view for every member of the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sprints.selectors.sql import as_date, as_decimal, fetch, placeholders


@lru_cache(maxsize=64)
def _rotations_sql(n: int) -> str:
    return (
        'SELECT member_id, kind, start, "end", reserved_hours FROM rotations_rotationassignment '
        f'WHERE member_id IN ({placeholders(n)}) AND start <= %s AND "end" >= %s'
    )


def rotations_reserved(
    ids: Sequence[int], start: date, end: date
) -> list[tuple[int, str, date, date, Decimal]]:
    """(member id, kind, start, end, reserved hours) of rotations overlapping ``start..end``."""
    return [
        (member_id, kind, as_date(first) or start, as_date(last) or end, as_decimal(hours))
        for member_id, kind, first, last, hours in fetch(_rotations_sql(len(ids)), [*ids, end, start])
    ]
