"""Who holds a rotation role (firefighter, discovery duty, ops reviewer, pager) on a day.

One truth per fact: the rotation schedule (app ``rotations``) is the only answer. The
catalog's rotation roles (``RoleScope.ROTATION``) describe the duty; they carry no holders
of their own (``RoleAssignment.clean`` refuses them). ``rotations`` sits above ``roles`` in
the layers, so it registers its reader here in ``RotationsConfig.ready`` and every page of
``roles`` and of the apps above it asks through this module. With no reader registered
nobody holds a rotation (an empty answer, never an error).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Longest range one call may ask about (pages ask for a sprint or two; the API refuses more).
MAX_DAYS = 92


@dataclass(frozen=True)
class RotationHold:
    """One slot of the schedule: ``member_id`` holds ``role_slug`` in ``cell_id`` from
    ``start`` to ``end`` (inclusive). ``role_slug`` is the catalog role's slug where the
    catalog has one (``firefighter-1``, ``discovery-duty``...), else the kind's own
    (``firefighter-backup``, ``pager``)."""

    cell_id: int | None
    role_slug: str
    label: str
    member_id: int
    member_name: str
    member_left_on: date | None
    start: date
    end: date
    core_only: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days(self, start: date, end: date) -> list[date]:
        """The days of ``start..end`` this slot covers."""
        first, last = max(self.start, start), min(self.end, end)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# (cell ids or None for all, member ids or None for all, start, end) -> the slots overlapping.
Reader = Callable[[Sequence[int] | None, Sequence[int] | None, date, date], list[RotationHold]]


def _nobody(
    cell_ids: Sequence[int] | None, member_ids: Sequence[int] | None, start: date, end: date
) -> list[RotationHold]:
    return []


@dataclass
class _Registry:
    reader: Reader = _nobody
    # Rotation kind -> role slug, in the schedule's own order (for ordering rows on pages).
    order: tuple[str, ...] = ()


_registry = _Registry()


def register_reader(reader: Reader, *, order: Iterable[str] = ()) -> None:
    """Called by the rotations app: how to read the schedule, and the order of its slugs."""
    _registry.reader = reader
    _registry.order = tuple(order)


def registered() -> bool:
    return _registry.reader is not _nobody


def is_rotation_slug(slug: str) -> bool:
    """Whether the schedule answers for ``slug`` (a rotation role or kind it registered)."""
    return slug in _registry.order


def slug_rank(slug: str) -> int:
    """Position of ``slug`` in the schedule's order (unknown slugs last)."""
    return _registry.order.index(slug) if slug in _registry.order else len(_registry.order)


def holds(
    *,
    start: date,
    end: date,
    cell_ids: Iterable[int] | None = None,
    member_ids: Iterable[int] | None = None,
) -> list[RotationHold]:
    """The schedule's slots overlapping ``start..end`` (one query), by start, role and name.

    ``cell_ids`` / ``member_ids`` narrow the answer; ``None`` means every cell / member.
    """
    if end < start:
        raise ValueError("The end of the range comes before its start.")
    cells = None if cell_ids is None else list(cell_ids)
    members = None if member_ids is None else list(member_ids)
    if cells == [] or members == []:
        return []
    rows = _registry.reader(cells, members, start, end)
    return sorted(rows, key=lambda h: (h.start, slug_rank(h.role_slug), h.member_name, h.member_id))


def holders(
    cell_ids: Iterable[int] | None, start: date, end: date
) -> dict[tuple[int | None, str, date], list[int]]:
    """``{(cell id, role slug, day): [member ids]}`` for every day of ``start..end`` that
    has someone on a rotation (one query)."""
    result: dict[tuple[int | None, str, date], list[int]] = defaultdict(list)
    for hold in holds(start=start, end=end, cell_ids=cell_ids):
        for day in hold.days(start, end):
            result[(hold.cell_id, hold.role_slug, day)].append(hold.member_id)
    return dict(result)


def held_on(rows: Iterable[RotationHold], day: date) -> list[RotationHold]:
    """The slots of ``rows`` that cover ``day``."""
    return [h for h in rows if h.covers(day)]
