"""Which cells' live state the rules page and API show to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from roles.models import Cell
from roles.permissions import AnyUser, can_view_cell, member_of, sees_every_cell


@dataclass(frozen=True)
class Scope:
    cells: list[Cell]  # the cells the user may pick
    cell: Cell | None  # the one shown, when one is
    cell_ids: frozenset[int] | None  # None: every cell
    as_of: date
    unknown: str = ""  # a cell slug asked for that does not exist


def rules_scope(user: AnyUser, slug: str) -> Scope:
    """``slug`` picks a cell (403 outside the cells the user may view); without one, the
    user's own cell, or every cell for those who see them all. Someone in no cell who cannot
    see every cell gets the findings about no cell only."""
    member = member_of(user)
    as_of = timezone.localdate()
    every = sees_every_cell(user)
    all_cells = list(Cell.objects.order_by("name"))
    cells = all_cells if every else [c for c in all_cells if member is not None and c.pk == member.cell_id]
    if slug:
        cell = next((c for c in all_cells if c.slug == slug), None)
        if cell is None:
            return Scope(cells, None, frozenset(), as_of, unknown=slug)
        if not can_view_cell(user, cell):
            raise PermissionDenied("You can only see the cells you belong to.")
        return Scope(cells, cell, frozenset({cell.pk}), as_of)
    if every:
        return Scope(cells, None, None, as_of)
    own = cells[0] if cells else None
    return Scope(cells, own, frozenset({own.pk}) if own else frozenset(), as_of)
