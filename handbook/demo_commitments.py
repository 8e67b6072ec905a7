"""Demo data for "commitment-request-waiting" (the handbook demo's third pass calls it): one
core member's request to change their weekly hours has waited three working days for their
cell's epic planning and sustainability manager, so the check fires once; another core
member's request was approved, so it holds for them. Idempotent: a member who already has a
request of the kind keeps it.

The approved request changes the hours only four months ahead, past every horizon the other
rules look at (next sprint's capacity, the three months of the capacity plan, the past
months of the contract hours), so the rest of the demo reads the same.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from roles import services as roles_services
from roles.models import CommitmentChangeRequest, Member, MemberType, RoleAssignment
from roles.permissions import COMMITMENT_OWNERS
from roles.process_checks import COMMITMENT_REQUEST_WORKDAYS, commitment_request_waited

# The approved change starts this far ahead (then on the next Monday).
APPROVED_AHEAD_DAYS = 120


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _waiting_since(today: date) -> date:
    """The latest day a request made on it has waited one working day more than the check allows."""
    day = today - timedelta(days=1)
    while commitment_request_waited(day, today) <= COMMITMENT_REQUEST_WORKDAYS:
        day -= timedelta(days=1)
    return day


def _current_hours(member: Member, today: date) -> Decimal:
    latest = member.commitments.filter(since__lte=today).order_by("-since").first()
    return latest.hours_per_week if latest else Decimal(40)


def seed_commitment_requests(now: datetime, today: date) -> list[str]:
    managers = RoleAssignment.objects.filter(role__slug__in=COMMITMENT_OWNERS, since__lte=today).exclude(
        until__lt=today
    )
    core = [
        m
        for m in Member.objects.active(today)
        .with_type(today)
        .filter(cell__isnull=False)
        .exclude(pk__in=managers.values("member_id"))
        .select_related("user", "cell")
        .order_by("user__username")
        if m.current_type == MemberType.CORE  # type: ignore[attr-defined]
    ]
    if len(core) < 2:
        return []
    waiting, approved = core[0], core[1]
    changed: list[str] = []
    if not CommitmentChangeRequest.objects.filter(member=waiting).exists():
        hours = max(Decimal(0), _current_hours(waiting, today) - 8)
        asked = roles_services.commitment_request_create(
            member=waiting,
            hours_per_week=hours,
            since=_next_monday(today + timedelta(days=7)),
            reason="Evening classes twice a week this term.",
        )
        requested_at = timezone.make_aware(
            datetime.combine(_waiting_since(today), now.time().replace(microsecond=0))
        )
        CommitmentChangeRequest.objects.filter(pk=asked.pk).update(requested_at=requested_at)
        changed.append(f"{waiting.name} asked to change their weekly hours three working days ago")
    if not CommitmentChangeRequest.objects.filter(member=approved).exists():
        hours = min(Decimal(80), _current_hours(approved, today) + 4)
        asked = roles_services.commitment_request_create(
            member=approved,
            hours_per_week=hours,
            since=_next_monday(today + timedelta(days=APPROVED_AHEAD_DAYS)),
            reason="Back to more hours once the studies end.",
        )
        decider = managers.filter(cell=approved.cell).select_related("member").order_by("since").first()
        roles_services.commitment_request_approve(
            change_request=asked,
            decided_by=decider.member if decider else None,
            note="Fine by the epic plan.",
        )
        changed.append(f"{approved.name}'s request to change their weekly hours approved")
    return changed
