"""Who may see and change what in the sustainability app (views and API alike)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from roles.models import Cell, RoleAssignment
from roles.permissions import AnyUser, can_manage_cell, can_view_cell, member_of, require_cell_view

MANAGER_ROLE = "epic-planning-sustainability-manager"
__all__ = ["MANAGER_ROLE", "can_view_cell", "can_view_company", "require_company_view"]


def can_view_company(user: AnyUser) -> bool:
    """Staff, holders of a company-wide role, and every cell's epic planning and
    sustainability manager see the company-wide figures."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    member = member_of(user)
    if member is None:
        return False
    today = timezone.localdate()
    return (
        RoleAssignment.objects.filter(member=member, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(Q(role__scope="company") | Q(role__slug=MANAGER_ROLE))
        .exists()
    )


def require_company_view(user: AnyUser) -> None:
    if not can_view_company(user):
        raise PermissionDenied("Only staff and sustainability managers see the company-wide figures.")


def require_scope_view(user: AnyUser, cell: Cell | None) -> None:
    if cell is None:
        require_company_view(user)
    else:
        require_cell_view(user, cell)


def can_manage_sustainability(user: AnyUser, cell: Cell) -> bool:
    return can_manage_cell(user, cell, {MANAGER_ROLE})


def require_manage_sustainability(user: AnyUser, cell: Cell) -> None:
    if not can_manage_sustainability(user, cell):
        raise PermissionDenied(
            "Only staff or the cell's epic planning and sustainability manager can change this."
        )
