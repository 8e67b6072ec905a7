"""The organisation: members, cells, the role catalog and who holds which role.

A package of three modules, every name importable from ``roles.models``:
``organisation`` (cells, members), ``records`` (a member's type history, weekly
commitments and time off) and ``assignments`` (the role catalog and role
assignments).
"""

from roles.models.assignments import Role, RoleAssignment, RoleScope
from roles.models.organisation import (
    Cell,
    CellKind,
    Member,
    MemberQuerySet,
    MemberType,
    validate_timezone,
)
from roles.models.records import MemberTypePeriod, TimeOff, TimeOffKind, WeeklyCommitment

__all__ = [
    "Cell",
    "CellKind",
    "Member",
    "MemberQuerySet",
    "MemberType",
    "MemberTypePeriod",
    "Role",
    "RoleAssignment",
    "RoleScope",
    "TimeOff",
    "TimeOffKind",
    "WeeklyCommitment",
    "validate_timezone",
]
