"""The one access policy: who may sign in, which cells a role holder keeps, what
the admin site shows them, and who reads an absence's kind and note.

Everything is derived from membership dates and dated role assignments (a
backup acts for a holder who is off that day), never from hand-granted Django
permissions, so access follows a role the day it starts and ends. Pages, the
API, the admin site (``roles.admin_site``, ``roles.auth``) and the templates
(``roles_tags``) all ask here. docs/access.md holds the role-to-model table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, cast

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.utils import timezone

from roles.models import Member, RoleAssignment, RoleScope, TimeOff

AnyUser = User | AnonymousUser

SPRINT_MANAGER: Final = "sprint-manager"
EPIC_SUSTAINABILITY_MANAGER: Final = "epic-planning-sustainability-manager"
RECRUITMENT_MANAGER: Final = "recruitment-manager"

# Who reads the kind and note of a member's time off, besides the member and staff.
ABSENCE_DETAIL_ROLES: Final = frozenset({SPRINT_MANAGER, EPIC_SUSTAINABILITY_MANAGER})
# What everyone else reads instead of the kind.
AWAY: Final = "away"

ALL_ACTIONS: Final = frozenset({"view", "add", "change", "delete"})
EDIT: Final = frozenset({"view", "change"})


@dataclass(frozen=True)
class Kept:
    """One row of the role-to-model table: the roles that keep a model in the
    admin site, the path from the model to its cell (``None``: the rows belong to
    no cell, e.g. the company-wide sprints) and what those holders may do."""

    roles: frozenset[str]
    cell_path: str | None
    actions: frozenset[str]


_SM = frozenset({SPRINT_MANAGER})
_EPSM = frozenset({EPIC_SUSTAINABILITY_MANAGER})
_RM = frozenset({RECRUITMENT_MANAGER})

# Model label -> who keeps it. Staff keep every model; a model missing here is staff-only.
ADMIN_TABLE: Final[dict[str, Kept]] = {
    # The sprint manager: the sprint's tickets and spillovers, rotations, swaps, time off.
    "sprints.sprint": Kept(_SM, None, frozenset({"view"})),
    "sprints.boardsprint": Kept(_SM, "cell", frozenset({"view"})),
    "sprints.ticket": Kept(_SM, "cell", EDIT),
    "sprints.spillover": Kept(_SM, "cell", EDIT),
    "rotations.rotationassignment": Kept(_SM, "cell", ALL_ACTIONS),
    "rotations.swap": Kept(_SM, "first__cell", ALL_ACTIONS),
    "roles.timeoff": Kept(_SM | _EPSM, "member__cell", ALL_ACTIONS),
    # The epic planning and sustainability manager: epics, budgets, accounts, targets, commitments.
    "epics.epic": Kept(_EPSM, "cell", frozenset({"view", "add", "change"})),
    "epics.epicbudgetperiod": Kept(_EPSM, "epic__cell", ALL_ACTIONS),
    "epics.epicmilestone": Kept(_EPSM, "epic__cell", ALL_ACTIONS),
    "epics.epicstatuschange": Kept(_EPSM, "epic__cell", frozenset({"view"})),
    "sustainability.account": Kept(_EPSM, "cell", EDIT),
    "sustainability.accountbudget": Kept(_EPSM, "account__cell", ALL_ACTIONS),
    "sustainability.sustainabilitytarget": Kept(_EPSM, "cell", ALL_ACTIONS),
    "roles.weeklycommitment": Kept(_EPSM, "member__cell", ALL_ACTIONS),
    # The recruitment manager (company-wide): members and their type history.
    "roles.member": Kept(_RM, "cell", EDIT),
    "roles.membertypeperiod": Kept(_RM, "member__cell", ALL_ACTIONS),
}


class Everywhere:
    """The cell scope of staff and of company-wide role holders: every cell."""

    def __contains__(self, cell_id: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "EVERYWHERE"


EVERYWHERE: Final = Everywhere()
CellScope = frozenset[int] | Everywhere


# --- Membership -------------------------------------------------------------------


_UNREAD = object()


def member_of(user: AnyUser) -> Member | None:
    """The user's Member, cached on the user object for the request."""
    if not user.is_authenticated:
        return None
    # Read with the user by the session backend (``roles.auth``), or once here. Through
    # ``getattr``/``setattr`` so that ``request.user``'s lazy wrapper reaches the user.
    read = getattr(user, "_ops_member", _UNREAD)
    if read is not _UNREAD:
        return cast(Member | None, read)
    member = Member.objects.select_related("cell").filter(user_id=user.pk).first()
    setattr(user, "_ops_member", member)  # noqa: B010 (an attribute of our own on Django's user)
    return member


def membership_ended(left_on: date | None, *, as_of: date | None = None) -> bool:
    """Access ends on ``left_on`` itself: the member's last working day is the day before."""
    return left_on is not None and left_on <= (as_of or timezone.localdate())


def may_sign_in(user: AnyUser, *, as_of: date | None = None) -> bool:
    """An active user whose membership has not ended (people without a Member, such as
    the staff account, are not members and keep access)."""
    if not user.is_authenticated or not user.is_active:
        return False
    member = member_of(user)
    return member is None or not membership_ended(member.left_on, as_of=as_of)


# --- Role holders -----------------------------------------------------------------


def _acting_assignments(member: Member, day: date) -> list[tuple[str, int | None, str]]:
    """(role slug, cell id, role scope) of the roles ``member`` acts in on ``day``: their
    own current assignments, plus those they back up while the holder is off (a whole
    day's time off). One query, and one more only when they back someone up."""
    current = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    rows = list(
        RoleAssignment.objects.holdings()
        .filter(current)
        .filter(Q(member=member) | Q(backup=member))
        .values_list("role__slug", "cell_id", "role__scope", "member_id")
    )
    own: list[tuple[str, int | None, str]] = [
        (slug, cell_id, scope) for slug, cell_id, scope, holder in rows if holder == member.pk
    ]
    backed = [row for row in rows if row[3] != member.pk]
    if backed:
        holders_off = set(
            TimeOff.objects.filter(
                member_id__in={r[3] for r in backed}, start__lte=day, end__gte=day, hours_per_day__isnull=True
            ).values_list("member_id", flat=True)
        )
        own += [(slug, cell_id, scope) for slug, cell_id, scope, holder in backed if holder in holders_off]
    return own


def _roles_on(user: AnyUser, day: date | None = None) -> list[tuple[str, int | None, str]]:
    if not user.is_authenticated:
        return []
    member = member_of(user)
    if member is None or membership_ended(member.left_on, as_of=day):
        return []
    when = day or timezone.localdate()
    cache: dict[date, list[tuple[str, int | None, str]]] = user.__dict__.setdefault("_ops_acting", {})
    if when not in cache:
        cache[when] = _acting_assignments(member, when)
    return cache[when]


def role_cells(
    user: AnyUser, role_slugs: frozenset[str] | set[str], *, as_of: date | None = None
) -> CellScope:
    """The cells where ``user`` acts in one of ``role_slugs`` (``EVERYWHERE`` for staff
    and for a company-wide assignment). Cached per request: one or two queries."""
    if user.is_authenticated and user.is_staff:
        return EVERYWHERE
    cells: set[int] = set()
    for slug, cell_id, scope in _roles_on(user, as_of):
        if slug not in role_slugs:
            continue
        if cell_id is None or scope == RoleScope.COMPANY:
            return EVERYWHERE
        cells.add(cell_id)
    return frozenset(cells)


def holds_any_admin_role(user: AnyUser) -> bool:
    """Whether a non-staff user keeps at least one model of the admin site today."""
    slugs = {slug for slug, _cell, _scope in _roles_on(user)}
    return any(kept.roles & slugs for kept in ADMIN_TABLE.values())


def admin_scope(user: AnyUser, model_label: str, action: str) -> CellScope:
    """The cells whose rows of ``model_label`` ``user`` may ``action`` in the admin site."""
    if user.is_authenticated and user.is_staff:
        return EVERYWHERE
    kept = ADMIN_TABLE.get(model_label)
    if kept is None or action not in kept.actions:
        return frozenset()
    cells = role_cells(user, kept.roles)
    if kept.cell_path is None and cells:
        return EVERYWHERE
    return cells


# --- Absences ---------------------------------------------------------------------


def sees_absence_detail(user: AnyUser, member: Any) -> bool:
    """Whether ``user`` reads the kind and note of ``member``'s time off: the member,
    their cell's sprint manager and epic planning and sustainability manager, staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    me = member_of(user)
    if me is not None and me.pk == getattr(member, "pk", None):
        return True
    cell_id = getattr(member, "cell_id", None)
    return cell_id is not None and cell_id in role_cells(user, ABSENCE_DETAIL_ROLES)


def absence_kind_label(user: AnyUser, time_off: TimeOff) -> str:
    """The kind as ``user`` may read it: the kind's label, or "away"."""
    if sees_absence_detail(user, time_off.member):
        return str(time_off.get_kind_display())
    return AWAY


# --- The menu's admin link ---------------------------------------------------------

_ADMIN_FLAG = "ops_admin_access"


def remember_admin_access(sender: Any, request: Any, user: AnyUser, **kwargs: Any) -> None:
    """At sign-in, notes in the session whether the user may open the admin site today,
    so every page's menu shows (or hides) its link without a query."""
    if request is not None and hasattr(request, "session"):
        request.session[_ADMIN_FLAG] = [timezone.localdate().isoformat(), _may_use_admin(user)]


def _may_use_admin(user: AnyUser) -> bool:
    return bool(user.is_active and may_sign_in(user) and (user.is_staff or holds_any_admin_role(user)))


def may_use_admin(request: Any) -> bool:
    """Whether the admin site lets ``request.user`` in (the check ``OpsAdminSite`` makes),
    read from the session note of the day, recomputed once a day."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    today = timezone.localdate().isoformat()
    noted = request.session.get(_ADMIN_FLAG)
    if isinstance(noted, list) and len(noted) == 2 and noted[0] == today:
        return bool(noted[1])
    flag = _may_use_admin(user)
    request.session[_ADMIN_FLAG] = [today, flag]
    return flag
