"""Every write of the roles app. Keyword-only, typed, atomic.

Each service validates the object it writes with ``full_clean()`` (field
validators, the model's ``clean()`` and its database constraints checked in
Python), so a form, the admin and the API all get the same field errors before
anything is saved, and bad input changes nothing. A write that still loses a
race with another request to a database constraint is refused the same way
(``roles.integrity.save_or_refuse``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from roles.integrity import save_or_refuse
from roles.models import (
    Cell,
    CommitmentChangeRequest,
    CommitmentRequestStatus,
    Conference,
    ConferenceParticipation,
    Member,
    MemberType,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    TimeOff,
    TimeOffKind,
    WeeklyCommitment,
)


@transaction.atomic
def member_create(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    cell: Cell | None,
    member_type: str = MemberType.NEWCOMER,
    weekly_hours: Decimal = Decimal("40"),
    timezone: str = "UTC",
    jira_account_id: str | None = None,
    joined_on: date,
) -> Member:
    """A user and its member, with a first type period and a first commitment
    from the day they join."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    save_or_refuse(user)
    member = Member(
        user=user, cell=cell, timezone=timezone, jira_account_id=jira_account_id or None, joined_on=joined_on
    )
    member.full_clean()
    save_or_refuse(member)
    member_type_change(member=member, member_type=member_type, since=joined_on)
    commitment_change(member=member, hours_per_week=weekly_hours, since=joined_on)
    return member


@transaction.atomic
def member_update(*, member: Member, **fields: object) -> Member:
    """Changes the member's own fields (cell, timezone, JIRA account, dates...)."""
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    save_or_refuse(member)
    return member


@transaction.atomic
def member_type_change(*, member: Member, member_type: str, since: date, note: str = "") -> MemberTypePeriod:
    """Records that ``member`` is of ``member_type`` from ``since`` on."""
    period = MemberTypePeriod(member=member, member_type=member_type, since=since, note=note)
    period.full_clean()
    save_or_refuse(period)
    return period


@transaction.atomic
def commitment_change(
    *, member: Member, hours_per_week: Decimal, since: date, note: str = ""
) -> WeeklyCommitment:
    """Records a new weekly commitment from ``since`` on (history is kept)."""
    commitment = WeeklyCommitment(member=member, hours_per_week=hours_per_week, since=since, note=note)
    commitment.full_clean()
    save_or_refuse(commitment)
    return commitment


# --- Requests to change a weekly commitment (decided by the cell's epic planning and
# sustainability manager, or staff: ``roles.permissions.can_decide_commitment_request``) ---


@transaction.atomic
def commitment_request_create(
    *, member: Member, hours_per_week: Decimal, since: date, reason: str = ""
) -> CommitmentChangeRequest:
    """The member asks to work ``hours_per_week`` from ``since`` on (today or later; one
    pending request at a time)."""
    change_request = CommitmentChangeRequest(
        member=member, hours_per_week=hours_per_week, since=since, reason=reason
    )
    change_request.full_clean()
    save_or_refuse(change_request)
    return change_request


def _pending_locked(change_request: CommitmentChangeRequest) -> CommitmentChangeRequest:
    """The request read again under a row lock, refused unless still pending: of two
    decisions (or a decision and a withdrawal) racing, the second sees the first's."""
    locked = (
        CommitmentChangeRequest.objects.select_for_update().select_related("member").get(pk=change_request.pk)
    )
    if not locked.is_pending:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def commitment_request_withdraw(
    *, change_request: CommitmentChangeRequest, member: Member
) -> CommitmentChangeRequest:
    """The member takes back their own pending request."""
    if change_request.member_id != member.pk:
        raise PermissionDenied("Only the member who asked can withdraw the request.")
    locked = _pending_locked(change_request)
    locked.status = CommitmentRequestStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.full_clean()
    save_or_refuse(locked)
    return locked


def _decide(
    change_request: CommitmentChangeRequest, *, decided_by: Member | None, status: str, note: str
) -> CommitmentChangeRequest:
    if decided_by is not None and decided_by.pk == change_request.member_id:
        raise PermissionDenied("You cannot decide your own request; your cell's manager or staff does.")
    locked = _pending_locked(change_request)
    locked.status = status
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.full_clean()
    save_or_refuse(locked)
    return locked


@transaction.atomic
def commitment_request_approve(
    *, change_request: CommitmentChangeRequest, decided_by: Member | None, note: str = ""
) -> WeeklyCommitment:
    """Approves the request and records its commitment from the request's ``since`` through
    ``commitment_change`` (the same checks as any commitment: a day already taken refuses
    it, and nothing is saved). ``decided_by`` is None for a staff account without a member;
    callers check who may decide (``roles.permissions.can_decide_commitment_request``)."""
    decided = _decide(
        change_request, decided_by=decided_by, status=CommitmentRequestStatus.APPROVED, note=note
    )
    return commitment_change(
        member=decided.member,
        hours_per_week=decided.hours_per_week,
        since=decided.since,
        note=f"Approved request of {timezone.localdate(decided.requested_at)}"[:255],
    )


@transaction.atomic
def commitment_request_decline(
    *, change_request: CommitmentChangeRequest, decided_by: Member | None, note: str
) -> CommitmentChangeRequest:
    """Declines the request, saying why (the note is required)."""
    if not note.strip():
        raise ValidationError({"decision_note": "Say why the request is declined."})
    return _decide(
        change_request, decided_by=decided_by, status=CommitmentRequestStatus.DECLINED, note=note.strip()
    )


@transaction.atomic
def time_off_record(
    *,
    member: Member,
    start: date,
    end: date,
    kind: str = TimeOffKind.VACATION,
    hours_per_day: Decimal | None = None,
    note: str = "",
) -> TimeOff:
    """Records time off; refuses periods that end before they start or overlap
    time off already recorded."""
    time_off = TimeOff(member=member, start=start, end=end, kind=kind, hours_per_day=hours_per_day, note=note)
    time_off.full_clean()
    save_or_refuse(time_off)
    return time_off


@transaction.atomic
def member_record_update(
    *, record: TimeOff | WeeklyCommitment | MemberTypePeriod, **fields: object
) -> TimeOff | WeeklyCommitment | MemberTypePeriod:
    """Changes a member's dated record (time off, a commitment, a type period)
    with the same checks as recording it."""
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    save_or_refuse(record)
    return record


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    time_off.delete()


@transaction.atomic
def role_assign(
    *,
    member: Member,
    role: Role,
    cell: Cell | None = None,
    since: date,
    until: date | None = None,
    backup: Member | None = None,
    note: str = "",
) -> RoleAssignment:
    """Gives ``role`` to ``member`` (in ``cell`` for cell roles).

    Refuses a second holder of an exclusive role over the same dates in the
    same cell, cell roles without a cell, company roles with one,
    generalist-only roles in project cells and core-only roles for members who
    are not core.
    """
    assignment = RoleAssignment(
        member=member, role=role, cell=cell, since=since, until=until, backup=backup, note=note
    )
    assignment.full_clean()
    save_or_refuse(assignment)
    return assignment


@transaction.atomic
def role_assignment_update(*, assignment: RoleAssignment, **fields: object) -> RoleAssignment:
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    save_or_refuse(assignment)
    return assignment


@transaction.atomic
def role_assignment_end(*, assignment: RoleAssignment, until: date) -> RoleAssignment:
    return role_assignment_update(assignment=assignment, until=until)


@transaction.atomic
def role_assignment_handover(
    *,
    assignment: RoleAssignment,
    to_member: Member,
    starts_on: date,
    transition_until: date | None = None,
    note: str = "",
) -> RoleAssignment:
    """Hands ``assignment`` over to ``to_member``, who holds the role from
    ``starts_on``. The outgoing holder's assignment ends the day before and
    they keep helping until ``transition_until`` (by default two weeks).

    Returns the replacement's new assignment.
    """
    if to_member.pk == assignment.member_id:
        raise ValidationError({"to_member": "A role is handed over to someone else."})
    if starts_on <= assignment.since:
        raise ValidationError(
            {
                "starts_on": f"The handover must start after the current holder's start ({date_format(assignment.since, 'DATE_FORMAT')})."
            }
        )
    if assignment.until is not None and starts_on > assignment.until + timedelta(days=1):
        raise ValidationError(
            {
                "starts_on": f"The current assignment already ends on {date_format(assignment.until, 'DATE_FORMAT')}; assign the role instead."
            }
        )
    until = starts_on - timedelta(days=1)
    transition = transition_until if transition_until is not None else until + timedelta(days=14)
    if transition < until:
        raise ValidationError({"transition_until": "The transition cannot end before the handover starts."})
    assignment.until = until
    assignment.handed_over_to = to_member
    assignment.transition_until = transition
    assignment.full_clean()
    save_or_refuse(assignment)
    backup = assignment.backup if assignment.backup_id != to_member.pk else None
    return role_assign(
        member=to_member,
        role=assignment.role,
        cell=assignment.cell,
        since=starts_on,
        backup=backup,
        note=note or f"Handed over by {assignment.member}.",
    )


@dataclass(frozen=True)
class LeaversAccessEnded:
    members: int
    sessions: int
    tokens: int


@transaction.atomic
def leavers_access_end(*, as_of: date) -> LeaversAccessEnded:
    """Ends the sessions and deletes the API tokens of every member whose membership
    ended on or before ``as_of`` (the authentication checks refuse them anyway; this
    leaves nothing behind to reuse if they were reinstated by mistake and removed again)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    user_ids = set(Member.objects.filter(left_on__lte=as_of).values_list("user_id", flat=True))
    if not user_ids:
        return LeaversAccessEnded(members=0, sessions=0, tokens=0)
    wanted = {str(pk) for pk in user_ids}
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    sessions, _ = Session.objects.filter(pk__in=stale).delete()
    tokens, _ = Token.objects.filter(user_id__in=user_ids).delete()
    return LeaversAccessEnded(members=len(user_ids), sessions=sessions, tokens=tokens)


@transaction.atomic
def conference_participation_save(
    *,
    conference: Conference,
    member: Member,
    attending: bool,
    excused_reason: str = "",
    talk_title: str = "",
    talk_status: str = "none",
    co_presenting_with: str = "",
) -> ConferenceParticipation:
    """Records (or changes) a member's answer to a conference: attending or not, the
    circumstances that excuse them, their talk and who they co-present with. Refuses a talk
    status without a title and an excused member who says they attend."""
    participation = ConferenceParticipation.objects.select_for_update().filter(
        conference=conference, member=member
    ).first() or ConferenceParticipation(conference=conference, member=member)
    participation.attending = attending
    participation.excused_reason = excused_reason.strip()
    participation.talk_title = talk_title.strip()
    participation.talk_status = talk_status
    participation.co_presenting_with = co_presenting_with.strip()
    participation.full_clean()
    save_or_refuse(participation)
    return participation
