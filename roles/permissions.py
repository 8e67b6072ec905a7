"""Who may read and write what. Used by views and the API alike.

Rules (SPEC "Safety"): every page needs a login; members read their own cell;
role holders edit what their role owns; staff edit everything.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from roles.access import member_of
from roles.models import Cell, Member, RoleAssignment

AnyUser = User | AnonymousUser


def held_role_slugs(member: Member, *, cell: Cell | None = None, as_of: date | None = None) -> set[str]:
    """Slugs of the roles ``member`` holds on ``as_of`` (in ``cell`` for cell roles)."""
    day = as_of or timezone.localdate()
    assignments = RoleAssignment.objects.filter(
        Q(member=member), Q(since__lte=day), Q(until__isnull=True) | Q(until__gte=day)
    )
    if cell is not None:
        assignments = assignments.filter(Q(cell=cell) | Q(cell__isnull=True))
    return set(assignments.values_list("role__slug", flat=True))


def holds_role(user: AnyUser, slugs: set[str] | list[str] | str, *, cell: Cell | None = None) -> bool:
    member = member_of(user)
    if member is None:
        return False
    wanted = {slugs} if isinstance(slugs, str) else set(slugs)
    return bool(held_role_slugs(member, cell=cell) & wanted)


def can_view_cell(user: AnyUser, cell: Cell | None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or cell is None:
        return True
    member = member_of(user)
    if member is None:
        return False
    if member.cell_id == cell.pk:
        return True
    # Company-wide role holders (e.g. cell supporters, CEO) see every cell.
    return (
        RoleAssignment.objects.filter(
            member=member, cell__isnull=True, role__scope="company", since__lte=timezone.localdate()
        )
        .filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
        .exists()
    )


def can_manage_cell(user: AnyUser, cell: Cell, role_slugs: set[str] | list[str]) -> bool:
    """Staff, or a holder of one of ``role_slugs`` for ``cell``."""
    return bool(user.is_authenticated and (user.is_staff or holds_role(user, set(role_slugs), cell=cell)))


def require_cell_view(user: AnyUser, cell: Cell | None) -> None:
    if not can_view_cell(user, cell):
        raise PermissionDenied("You can only see your own cell.")


def require_cell_manage(user: AnyUser, cell: Cell, role_slugs: set[str] | list[str]) -> None:
    if not can_manage_cell(user, cell, role_slugs):
        raise PermissionDenied("Only staff or the cell's role holder can change this.")


class IsStaffOrReadOnly(permissions.BasePermission):
    """Members read; staff write. Endpoints that let role holders write override
    ``has_object_permission`` or use their own permission class."""

    message = "Only staff can change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or bool(request.user.is_staff)


# Roles that own members' availability records in their cell (SPEC: commitment
# changes go through the epic planning and sustainability manager; the sprint
# manager checks rotations against time off).
COMMITMENT_OWNERS = {"epic-planning-sustainability-manager"}
TIME_OFF_OWNERS = {"epic-planning-sustainability-manager", "sprint-manager"}


def sees_every_cell(user: AnyUser) -> bool:
    """Staff and holders of a current company-wide role see every cell."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    member = member_of(user)
    if member is None:
        return False
    cache = user.__dict__
    if "_ops_sees_all" not in cache:
        day = timezone.localdate()
        cache["_ops_sees_all"] = (
            RoleAssignment.objects.filter(
                member=member, cell__isnull=True, role__scope="company", since__lte=day
            )
            .filter(Q(until__isnull=True) | Q(until__gte=day))
            .exists()
        )
    return bool(cache["_ops_sees_all"])


def visible_member_filter(user: AnyUser, prefix: str = "") -> Q:
    """A filter on members (or, with ``prefix="member__"``, on rows of a member)
    that the user may read in detail: everyone for staff and company-wide role
    holders, otherwise their own cell's members and themselves."""
    if sees_every_cell(user):
        return Q()
    member = member_of(user)
    if member is None:
        return Q(pk__in=[])
    own = Q(**{f"{prefix}pk": member.pk})
    if member.cell_id is None:
        return own
    return own | Q(**{f"{prefix}cell_id": member.cell_id})


def can_view_member(user: AnyUser, member: Member) -> bool:
    if not user.is_authenticated:
        return False
    me = member_of(user)
    if me is not None and me.pk == member.pk:
        return True
    if member.cell_id is None:
        return True  # people outside the cells (company-wide roles) serve every cell
    return sees_every_cell(user) or (me is not None and me.cell_id == member.cell_id)


def can_edit_member_record(user: AnyUser, member: Member, owners: set[str], *, allow_self: bool) -> bool:
    """Staff, the member themselves (when ``allow_self``), or a holder of one of
    ``owners`` in the member's cell."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    me = member_of(user)
    if me is None:
        return False
    if allow_self and me.pk == member.pk:
        return True
    return member.cell is not None and holds_role(user, owners, cell=member.cell)


def commitment_decider_cell_ids(user: AnyUser, *, as_of: date | None = None) -> set[int] | None:
    """The cells whose commitment change requests ``user`` decides: ``None`` for staff
    (every cell, and the members outside the cells), else the cells where they hold one
    of ``COMMITMENT_OWNERS`` on ``as_of`` (a cell-less assignment of a cell role counts in
    their own cell, as ``held_roles`` reads it). One query, none for staff."""
    if not user.is_authenticated:
        return set()
    if user.is_staff:
        return None
    me = member_of(user)
    if me is None:
        return set()
    day = as_of or timezone.localdate()
    rows = (
        RoleAssignment.objects.filter(member=me, role__slug__in=COMMITMENT_OWNERS, since__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .values_list("cell_id", flat=True)
    )
    cells = {cell_id if cell_id is not None else me.cell_id for cell_id in rows}
    return {cell_id for cell_id in cells if cell_id is not None}


def can_decide_commitment_request(user: AnyUser, member: Member) -> bool:
    """Staff, or the epic planning and sustainability manager of ``member``'s cell; never
    the member themselves (not even staff)."""
    if not user.is_authenticated:
        return False
    me = member_of(user)
    if me is not None and me.pk == member.pk:
        return False
    cells = commitment_decider_cell_ids(user)
    return cells is None or (member.cell_id is not None and member.cell_id in cells)
