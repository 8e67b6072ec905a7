"""The CSV download of the rotation schedule: the grid's slots, one a line, in the order
and columns the page shows them (opencraft_ops.csv_export)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from opencraft_ops.csv_export import Cell
from rotations.models import RotationAssignment, RotationKind
from rotations.selectors import GridColumns, GridSlot, SprintRow

SCHEDULE_HEADER = ["sprint", "rotation", "start", "end", "member", "reserved hours", "set by hand"]


def _line(number: int, kind: str, start: object, end: object, a: RotationAssignment | None) -> list[Cell]:
    return [
        number,
        RotationKind(kind).label,
        start,  # type: ignore[list-item]
        end,  # type: ignore[list-item]
        a.member.name if a else "",
        a.reserved_hours if a else None,
        a.set_by_hand if a else None,
    ]


def schedule_rows(rows: Iterable[SprintRow], columns: GridColumns) -> Iterator[Sequence[Cell]]:
    """Every slot of the displayed columns, empty ones with no member."""
    for row in rows:
        slots: list[GridSlot] = list(row.firefighters[: columns.firefighters])
        for slot in slots:
            yield _line(row.number, slot.kind, slot.start, slot.end, slot.assignment)
        if columns.backups:
            for b in row.backups:
                yield _line(row.number, b.kind, b.start, b.end, b)
        more: list[GridSlot] = []
        if columns.discovery:
            more += row.discovery
        if columns.pager:
            more += row.pager
        if columns.ops_reviewer:
            more.append(row.ops_reviewer)
        for slot in more:
            yield _line(row.number, slot.kind, slot.start, slot.end, slot.assignment)
