"""Demo data for the rules issue 15 added: on top of the synced demo, each new rule gets
something that breaks it, once, while the rest of the data keeps it (idempotent; runs last).

The sprint-deadline rules (review deadline at risk, delivery at risk) need no seeding: the
synced sprint always has unfinished tickets, and they fire from Monday (review) and Friday
(delivery) of week 2. The others:

* the newcomers get an onboarding epic (its first-day call done), all but the last of those
  without one;
* one ticket is 50 % over its original estimate, unless the synced sprint already has one;
* one ticket of the current sprint loses its reviewer, one core member's ticket is labelled
  newcomer-friendly;
* two tickets wait in Long External Review/Blocked: one untouched for three weeks, one
  updated two days ago;
* the first newcomer's onboarding epic gets a milestone in ten days with no ticket planned;
* one core member logs an hour on two recent weekends;
* one waiting ticket of the current sprint is recorded as last sprint's spillover while its
  assignee has started another ticket;
* the management role handed over most recently (in the last month) is shortened to seven
  months, so giving it up reads as early (the roles demo's handover keeps its dates
  otherwise).

Firefighters without a spare task need no seeding: the synced tickets leave some holders
with one and some without. The second pass of the rules adds:

* the first newcomer logs an hour described only as "onboarding" (vague), the others keep
  their synced descriptions;
* one unfinished ticket (current or next sprint) of the last newcomer who has one needs
  production access;
* the oldest unacknowledged epic update of this sprint is dated five days back (at least two
  working days, whatever the weekday), so its reviewer is reminded; the demo's other updates
  are acknowledged by their reviewers.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TextIO

from django.db.models import F
from django.utils import timezone

from epics.models import Epic, EpicMilestone, EpicStatus, EpicUpdate
from opencraft_ops import calendar
from roles.models import Member, MemberType, RoleAssignment
from sprints.models import Spillover, Sprint, Ticket, TicketStatus
from sprints.process_checks import STARTED_STATUSES
from sustainability.models import Worklog

FRIENDLY = "newcomer-friendly"
OPEN = [TicketStatus.TODO, TicketStatus.IN_PROGRESS, TicketStatus.BACKLOG]
DEMO_NOTE = "Demo: handbook rules."


def _onboarding_epics(today: datetime) -> int:
    newcomers = [
        m
        for m in Member.objects.with_type().select_related("user", "cell").order_by("user__username")
        if m.current_type == MemberType.NEWCOMER and m.cell_id is not None  # type: ignore[attr-defined]
    ]
    lacking = [
        n for n in newcomers if not Epic.objects.filter(owner=n, title__icontains="onboarding").exists()
    ]
    created = 0
    for newcomer in lacking[:-1]:  # the last one lacking keeps the rule firing
        epic = _onboarding_epic(newcomer)
        created += 1
        if created == 1:
            EpicMilestone.objects.create(
                epic=epic, title="Screening review", deadline=today.date() + timedelta(days=10)
            )
    return created


def _onboarding_epic(newcomer: Member) -> Epic:
    """The newcomer's onboarding epic, with its first-day call done: a timeline of its own, so
    the epics demo (when it runs again) leaves it as made here, as it leaves any shaped epic."""
    epic = Epic.objects.create(
        key=f"ONB-{newcomer.pk}",
        title=f"Onboarding: {newcomer.name}",
        cell=newcomer.cell,
        owner=newcomer,
        status=EpicStatus.ACCEPTED,
        budget_kind="none",
        budget_hours=None,
        description=DEMO_NOTE,
    )
    EpicMilestone.objects.create(
        epic=epic, title="First-day onboarding call", deadline=newcomer.joined_on, done=True
    )
    return epic


def seed(stdout: TextIO) -> None:
    now = timezone.now()
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    epics = _onboarding_epics(now)
    in_sprint = Ticket.objects.filter(sprint__number=current, status__in=OPEN).order_by("key")
    changed: list[str] = []
    if not in_sprint.filter(reviewer__isnull=True).exists():
        ticket = in_sprint.filter(reviewer__isnull=False).first()
        if ticket is not None:
            Ticket.objects.filter(pk=ticket.pk).update(reviewer=None)
            changed.append(f"{ticket.key} without reviewer")
    core_ids = [m.pk for m in Member.objects.with_type() if m.current_type == MemberType.CORE]  # type: ignore[attr-defined]
    on_core = [t for t in in_sprint.filter(assignee_id__in=core_ids) if FRIENDLY not in (t.labels or [])]
    if on_core and not any(FRIENDLY in (t.labels or []) for t in in_sprint.filter(assignee_id__in=core_ids)):
        ticket = on_core[0]
        Ticket.objects.filter(pk=ticket.pk).update(labels=[*(ticket.labels or []), FRIENDLY])
        changed.append(f"{ticket.key} newcomer-friendly on a core member")
    over = in_sprint.filter(original_estimate_seconds__gt=0).exclude(reviewer__isnull=True).last()
    already_over = in_sprint.filter(
        original_estimate_seconds__gt=0, time_spent_seconds__gt=F("original_estimate_seconds")
    ).exists()
    if over is not None and not already_over:
        Ticket.objects.filter(pk=over.pk).update(
            time_spent_seconds=(over.original_estimate_seconds or 0) * 3 // 2
        )
        changed.append(f"{over.key} over its estimate")
    if not Ticket.objects.filter(status=TicketStatus.BLOCKED).exists():
        parked = list(
            Ticket.objects.filter(status=TicketStatus.TODO, sprint__number__gt=current).order_by("key")[:2]
        )
        for ticket, days in zip(parked, (21, 2), strict=False):
            Ticket.objects.filter(pk=ticket.pk).update(
                status=TicketStatus.BLOCKED, jira_updated_at=now - timedelta(days=days)
            )
            changed.append(f"{ticket.key} blocked for {days} days")
    weekend_worker = (
        Member.objects.filter(pk__in=core_ids, left_on__isnull=True, cell__isnull=False)
        .order_by("user__username")
        .first()
    )
    if weekend_worker is not None:
        saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
        for day in (saturday, saturday - timedelta(days=14)):
            if not Worklog.objects.filter(member=weekend_worker, work_date=day).exists():
                at = datetime.combine(day, time(18, 0), tzinfo=UTC)
                Worklog.objects.create(
                    member=weekend_worker,
                    work_date=day,
                    seconds=3600,
                    description=DEMO_NOTE,
                    created_at=at,
                    updated_at=at,
                )
                changed.append(f"{weekend_worker.name} worked on {day}")
    last = Sprint.objects.filter(number=current - 1).first()
    if (
        last is not None
        and not Spillover.objects.filter(sprint=last, ticket__sprint__number=current).exists()
    ):
        busy = set(
            Ticket.objects.filter(sprint__number=current, status__in=STARTED_STATUSES).values_list(
                "assignee_id", flat=True
            )
        )
        waiting = (
            in_sprint.filter(status=TicketStatus.TODO, assignee_id__in=busy - {None}).order_by("key").first()
        )
        if waiting is not None:
            Spillover.objects.create(
                sprint=last,
                ticket=waiting,
                cell=waiting.cell,
                assignee=waiting.assignee,
                status=TicketStatus.IN_PROGRESS,
                story_points=waiting.story_points,
                explanation=DEMO_NOTE,
            )
            changed.append(f"{waiting.key} spilled over and waits")
    handed = (
        RoleAssignment.objects.filter(
            role__is_cell_management=True, until__lt=today, until__gte=today - timedelta(days=30)
        )
        .filter(member__left_on__isnull=True)
        .order_by("-until", "pk")
        .first()
    )
    if handed is not None and handed.until is not None and (handed.until - handed.since).days >= 365:
        RoleAssignment.objects.filter(pk=handed.pk).update(since=handed.until - timedelta(days=213))
        changed.append(f"{handed.role} of {handed.member.name} held seven months")
    changed += _second_pass(now, current)
    stdout.write(f"  handbook: {epics} onboarding epic(s); {'; '.join(changed) or 'nothing to change'}\n")


def _second_pass(now: datetime, current: int) -> list[str]:
    changed: list[str] = []
    newcomers = [
        m
        for m in Member.objects.with_type().select_related("user", "cell").order_by("user__username")
        if m.current_type == MemberType.NEWCOMER and m.cell_id is not None  # type: ignore[attr-defined]
    ]
    if newcomers:
        first = newcomers[0]
        day = timezone.localdate() - timedelta(days=1)
        if not Worklog.objects.filter(member=first, description="onboarding").exists():
            at = datetime.combine(day, time(18, 0), tzinfo=UTC)
            Worklog.objects.create(
                member=first,
                work_date=day,
                seconds=3600,
                description="onboarding",
                created_at=at,
                updated_at=at,
            )
            changed.append(f"{first.name} logged a vague worklog")
        # The last newcomer (by username) with unfinished work in the current or next sprint.
        unfinished = Ticket.objects.filter(
            assignee__in=newcomers, sprint__number__in=[current, current + 1]
        ).exclude(status__in=[TicketStatus.DONE, TicketStatus.DELIVERED])
        if not unfinished.filter(needs_production_access=True).exists():
            holders = set(unfinished.values_list("assignee_id", flat=True))
            last = next((m for m in reversed(newcomers) if m.pk in holders), None)
            ticket = unfinished.filter(assignee=last).order_by("key").first() if last else None
            if ticket is not None:
                Ticket.objects.filter(pk=ticket.pk).update(needs_production_access=True)
                changed.append(f"{ticket.key} needs production access")
    updates = EpicUpdate.objects.filter(
        sprint__number=current, epic__reviewer__isnull=False, reviewer_acknowledged_at__isnull=True
    ).order_by("created_at", "pk")
    waiting = updates.first()
    if waiting is not None and not EpicUpdate.objects.filter(reviewer_acknowledged_at__isnull=False).exists():
        EpicUpdate.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=5))
        for update in updates.exclude(pk=waiting.pk).select_related("epic"):
            EpicUpdate.objects.filter(pk=update.pk).update(
                reviewer_acknowledged_at=now,
                reviewer_acknowledged_by_id=update.epic.reviewer_id,
                reviewer_comment=DEMO_NOTE,
            )
        changed.append(f"the {waiting.epic.key} update waits for its reviewer")
    return changed
