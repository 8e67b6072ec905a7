"""The organisation: members, cells, the role catalog and who holds which role.

A package of four modules, every name importable from ``roles.models``:
``organisation`` (cells, members), ``records`` (a member's type history, weekly
commitments and time off), ``assignments`` (the role catalog and role
assignments) and ``conference`` (the yearly conference and members' answers).
"""

from roles.models.assignments import (
    ROTATION_ROLE_REFUSED,
    Role,
    RoleAssignment,
    RoleAssignmentQuerySet,
    RoleScope,
)
from roles.models.conference import (
    CONFERENCE_REQUIRED_FROM,
    Conference,
    ConferenceParticipation,
    TalkStatus,
    conference_required,
)
from roles.models.organisation import (
    Cell,
    CellKind,
    Member,
    MemberQuerySet,
    MemberType,
    validate_timezone,
)
from roles.models.records import (
    CommitmentChangeRequest,
    CommitmentRequestStatus,
    MemberTypePeriod,
    TimeOff,
    TimeOffKind,
    WeeklyCommitment,
)


def _expose_history_models() -> None:
    """django-simple-history names the package (``roles``) as the module of a
    history model whose model lives in a submodule, where it cannot be
    imported from. Keep them where they were before the split,
    ``roles.models.Historical<Model>``, so tools that import models by module
    (e.g. ``manage.py shell``) and pickles find them."""
    namespace = globals()
    for model in (Cell, Member, MemberTypePeriod, WeeklyCommitment, TimeOff, Role, RoleAssignment):
        history = model.history.model  # type: ignore[attr-defined]
        history.__module__ = __name__
        namespace[history.__name__] = history


_expose_history_models()

__all__ = [
    "CONFERENCE_REQUIRED_FROM",
    "ROTATION_ROLE_REFUSED",
    "Cell",
    "CellKind",
    "CommitmentChangeRequest",
    "CommitmentRequestStatus",
    "Conference",
    "ConferenceParticipation",
    "Member",
    "MemberQuerySet",
    "MemberType",
    "MemberTypePeriod",
    "Role",
    "RoleAssignment",
    "RoleAssignmentQuerySet",
    "RoleScope",
    "TalkStatus",
    "TimeOff",
    "TimeOffKind",
    "WeeklyCommitment",
    "conference_required",
    "validate_timezone",
]
