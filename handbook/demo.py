"""Demo data for the rules issue 15 added: on top of the synced demo, each new rule gets
something that breaks it, once, while the rest of the data keeps it (idempotent; runs last).

The sprint-deadline rules (review deadline at risk, delivery at risk) need no seeding: the
synced sprint always has unfinished tickets (see "Days of the sprint" below). The others:

* the newcomers get an onboarding epic (its first-day call done), all but the last of those
  without one;
* one ticket is 50 % over its original estimate, unless the synced sprint already has one;
* one ticket of the current sprint loses its reviewer;
* one core member's ticket is newcomer-friendly: of those the sync labelled at random, the
  first keeps the label, the others lose it (with none, one gets it);
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

* the newcomers' synced worklogs say what was done (the ticket's summary, where the fake
  Tempo writes "Work on <key>"), then the first newcomer logs an hour described only as
  "onboarding" (vague);
* one unfinished ticket (current or next sprint) of the last newcomer who has one needs
  production access;
* the oldest unacknowledged epic update of this sprint is dated five days back (at least two
  working days, whatever the weekday), so its reviewer is reminded; the demo's other updates
  are acknowledged by their reviewers.

The third pass adds what the rules left needed of their own (created last, so the passes
before never pick it):

* a newcomer starts on the current sprint's first day, in the cell a member left last, with
  an onboarding epic and two 3-point tasks planned before the sprint: 6 points in the first
  week, over the week's 3 (and within the sprint's 8). Their first two weeks run from the
  sprint's first day, so this fires whatever the day;
* two To Do or In Progress tickets of the current sprint are labelled urgent: one whose
  assignee has shown no sign since the sprint started, one changed in JIRA two hours ago;
* the latest update of one open epic asks for a monthly allocation from next month just over
  what its cell has for epics, so that cell's forward plan is short in each of the next three
  months (the others keep within their hours);
* the second newcomer's worklogs of the last two weeks are rounded to whole half-hours (the
  mentor is asked to help with precise time tracking); the others' synced durations are not
  round;
* one core member's request to change their weekly hours has waited three working days for
  a decision, another's was approved (``handbook/demo_commitments.py``);
* every current cell member but one records their mid-sprint update, and their end-of-sprint
  update while it is chased (``handbook.demo_updates``): the missing update fires once from
  its due day (Tuesday of W2; the sprint's last day for the end-of-sprint one) and holds
  before.
* a conference whose talk proposals are due in two weeks and which starts in six: every
  member answers but one bound by the rule, who has neither answered nor proposed a talk
  (``handbook/demo_conference.py``).

Three more need no seeding: the roles demo has a member leave six days ago, and the sync left
them an open epic and tickets (leaver handover); the sync gives each board two clients of six,
so two clients' open epics are in two cells; the sync's members outside the cells log on every
board's tickets, a few hours of them on Community Relations, among them a project cell's.

**Days of the sprint.** Three rules look at the sprint from a given day only, so whatever the
data they fire on the demo from that day on: the review deadline at risk and the urgent
ticket's silent assignee from Monday of W2 (sprint days 7 to 14), the delivery at risk from
Friday of W2 (days 11 to 14). The seeding is the same any day; on the days before, they hold.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from epics.capacity_plan import PLAN_STATUSES, capacity_plans
from epics.models import Epic, EpicMilestone, EpicStatus, EpicUpdate
from handbook.demo_commitments import seed_commitment_requests
from handbook.demo_conference import conference_demo
from handbook.demo_updates import record_member_updates
from opencraft_ops import calendar
from roles import services as roles_services
from roles.demo import jira_account_id
from roles.models import Cell, Member, MemberType, Role, RoleAssignment, TimeOff
from sprints.calculations.deadlines import SETTLED_STATUSES
from sprints.models import PriorityCategory, Spillover, Sprint, Ticket, TicketStatus
from sprints.process_checks import STARTED_STATUSES
from sustainability.calculations.worklog_text import ROUNDED_SECONDS, mostly_rounded
from sustainability.models import Worklog
from sustainability.process_checks import URGENT_LABEL, VAGUE_LOOKBACK_DAYS

FRIENDLY = "newcomer-friendly"
OPEN = [TicketStatus.TODO, TicketStatus.IN_PROGRESS, TicketStatus.BACKLOG]
DEMO_NOTE = "Demo: handbook rules."


def _newcomers() -> list[Member]:
    """The newcomers in a cell today, with their user and cell, by username (one query):
    each pass picks "the first" or "the last" of them in this order."""
    return [
        m
        for m in Member.objects.with_type().select_related("user", "cell").order_by("user__username")
        if m.current_type == MemberType.NEWCOMER and m.cell_id is not None  # type: ignore[attr-defined]
    ]


def _onboarding_epics(today: datetime) -> int:
    newcomers = _newcomers()
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
    # The fake JIRA labels tickets newcomer-friendly at random: of those core members hold (this
    # sprint and the next, as the check reads them) one keeps the label; with none, one gets it.
    held = [
        t
        for t in Ticket.objects.filter(sprint__number__in=[current, current + 1], assignee_id__in=core_ids)
        .exclude(status__in=SETTLED_STATUSES)
        .order_by("key")
        if FRIENDLY in (t.labels or [])
    ]
    for ticket in held[1:]:
        Ticket.objects.filter(pk=ticket.pk).update(labels=[x for x in ticket.labels if x != FRIENDLY])
    if held[1:]:
        changed.append(f"{len(held) - 1} core members' tickets no longer newcomer-friendly")
    on_core = [t for t in in_sprint.filter(assignee_id__in=core_ids) if FRIENDLY not in (t.labels or [])]
    if on_core and not held:
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
    changed += _third_pass(now, today, current)
    stdout.write(f"  handbook: {epics} onboarding epic(s); {'; '.join(changed) or 'nothing to change'}\n")


def _second_pass(now: datetime, current: int) -> list[str]:
    changed: list[str] = []
    newcomers = _newcomers()
    if newcomers:
        # The fake Tempo describes every worklog as "Work on <key>", too short to say what was
        # done: the newcomers' say it (their ticket's summary), so only the one below is vague.
        synced = [
            w
            for w in Worklog.objects.filter(
                member__in=newcomers,
                ticket__isnull=False,
                description__startswith="Work on ",
                work_date__gte=min(m.joined_on for m in newcomers),
            ).select_related("ticket")
            if w.ticket is not None and w.description == f"Work on {w.ticket.key}"
        ]
        for worklog in synced:
            assert worklog.ticket is not None
            worklog.description = f"{worklog.ticket.summary} ({worklog.ticket.key})"
        Worklog.objects.bulk_update(synced, ["description"], batch_size=500)
        if synced:
            changed.append(f"{len(synced)} newcomer worklogs say what was done")
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


# The newcomer who starts this sprint (username, first and last name, time zone), and the
# two tasks planned for their first week: 6 points where the handbook allows 3.
NEW_NEWCOMER = ("yusuf", "Yusuf", "Demir", "Europe/Istanbul")
FIRST_WEEK_TASKS = [
    ("Set up the devstack and fix a first small bug", TicketStatus.IN_PROGRESS, [FRIENDLY]),
    ("Theme the course about page", TicketStatus.TODO, [FRIENDLY, "frontend"]),
]
FIRST_WEEK_POINTS = Decimal(3)


def _third_pass(now: datetime, today: date, current: int) -> list[str]:
    """The rules whose demo needs a member, a label or an ask of their own (created last, so
    the passes before never pick what this one adds)."""
    return [
        *_newcomer_first_weeks(today, current),
        *_silent_assignee(now, today, current),
        *_capacity_plan_short(today),
        *_rounded_worklogs(today),
        *seed_commitment_requests(now, today),
        *record_member_updates(today),
        *conference_demo(today),
    ]


def _rounded_worklogs(today: date) -> list[str]:
    """The second newcomer (by username; the first's vague worklog is above) logged time in
    whole half-hours over the check's last days: their durations are rounded to the nearest
    half-hour (at least one), which keeps their hours about the same. The others' synced
    durations are not round, so the rule holds for them."""
    newcomers = _newcomers()
    if len(newcomers) < 2:
        return []
    member = newcomers[1]
    start = max(today - timedelta(days=VAGUE_LOOKBACK_DAYS - 1), member.joined_on)
    recent = list(Worklog.objects.filter(member=member, work_date__range=(start, today)))
    if mostly_rounded([w.seconds for w in recent]):
        return []  # already (a second run)
    for worklog in recent:
        all_billed = worklog.billable_seconds >= worklog.seconds
        worklog.seconds = max(ROUNDED_SECONDS, round(worklog.seconds / ROUNDED_SECONDS) * ROUNDED_SECONDS)
        worklog.billable_seconds = (
            worklog.seconds if all_billed else min(worklog.billable_seconds, worklog.seconds)
        )
    Worklog.objects.bulk_update(recent, ["seconds", "billable_seconds"], batch_size=500)
    return [f"{member.name} logged {len(recent)} worklogs in whole half-hours"] if recent else []


def _newcomer_first_weeks(today: date, current: int) -> list[str]:
    """A newcomer who started on the sprint's first day, in the cell a member left last (their
    replacement), with their onboarding epic and two 3-point tasks planned before the sprint:
    6 points in the first week, within the sprint's 8 but over the week's 3. They joined on
    the sprint's first day, so they are in their first two weeks whatever the day."""
    username, first_name, last_name, tz = NEW_NEWCOMER
    sprint = Sprint.objects.filter(number=current).first()
    if sprint is None or Member.objects.filter(user__username=username).exists():
        return []
    leaver = (
        Member.objects.filter(left_on__isnull=False, cell__isnull=False).order_by("-left_on", "pk").first()
    )
    cell = leaver.cell if leaver is not None else Cell.objects.order_by("name").first()
    if cell is None:
        return []
    dates = calendar.sprint_dates(current)
    member = roles_services.member_create(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.com",
        password=f"{username}-password",
        cell=cell,
        member_type=MemberType.NEWCOMER,
        weekly_hours=Decimal(40),
        timezone=tz,
        jira_account_id=jira_account_id(username),
        joined_on=dates.start,
    )
    role = Role.objects.filter(slug="newcomer").first()
    if role is not None:
        # Should the catalog refuse it, the newcomer still counts as one by their type.
        with contextlib.suppress(ValidationError):
            roles_services.role_assign(member=member, role=role, cell=cell, since=dates.start)
    held = Q(until__isnull=True) | Q(until__gte=today)
    mentor = (
        RoleAssignment.objects.filter(held, role__slug="mentor", cell=cell, since__lte=today)
        .order_by("since", "pk")
        .first()
    )
    core = [
        m
        for m in Member.objects.with_type().filter(cell=cell, left_on__isnull=True).order_by("pk")
        if m.current_type == MemberType.CORE  # type: ignore[attr-defined]
    ]
    reviewer = mentor.member if mentor is not None else (core[0] if core else None)
    epic = _onboarding_epic(member)
    prefix = cell.jira_project_key or cell.slug.upper()
    numbers = [
        int(key.rsplit("-", 1)[1])
        for key in Ticket.objects.filter(key__startswith=f"{prefix}-").values_list("key", flat=True)
        if key.rsplit("-", 1)[1].isdigit()
    ]
    planned = datetime.combine(dates.start - timedelta(days=1), time(15, 0), tzinfo=UTC)
    for offset, (summary, status, labels) in enumerate(FIRST_WEEK_TASKS, start=1):
        Ticket.objects.create(
            key=f"{prefix}-{max(numbers, default=0) + offset}",
            summary=summary,
            issue_type="Task",
            status=status,
            cell=cell,
            assignee=member,
            reviewer=reviewer,
            story_points=FIRST_WEEK_POINTS,
            original_estimate_seconds=6 * 3600,
            remaining_estimate_seconds=6 * 3600,
            epic=epic,
            sprint=sprint,
            labels=labels,
            priority_category=PriorityCategory.NEWCOMER,
            added_to_sprint_at=planned,
            jira_updated_at=planned,
        )
    points = FIRST_WEEK_POINTS * len(FIRST_WEEK_TASKS)
    return [f"{member.name} started in {cell.name} on {dates.start} with {points} points in the first week"]


def _silent_assignee(now: datetime, today: date, current: int) -> list[str]:
    """Two To Do or In Progress tickets of the current sprint, each a core member's with a
    reviewer still in the team (and no spillover), become urgent: the first has had no sign
    since the sprint started (no JIRA change, no worklog on it by its assignee, who has no time
    off this sprint), the second changed in JIRA two hours ago. The check reads them from
    Monday of W2 on only."""
    in_sprint = Ticket.objects.filter(sprint__number=current)
    if any(URGENT_LABEL in (labels or []) for labels in in_sprint.values_list("labels", flat=True)):
        return []
    dates = calendar.sprint_dates(current)
    started = datetime.combine(dates.start, time(0, 0), tzinfo=UTC)
    core = {
        m.pk
        for m in Member.objects.with_type().filter(left_on__isnull=True)
        if m.current_type == MemberType.CORE  # type: ignore[attr-defined]
    }
    away = set(
        TimeOff.objects.filter(start__lte=today, end__gte=dates.start).values_list("member_id", flat=True)
    )
    worked = set(
        Worklog.objects.filter(ticket__sprint__number=current, updated_at__gte=started).values_list(
            "ticket_id", "member_id"
        )
    )
    urgent_kind = in_sprint.filter(
        status__in=[TicketStatus.TODO, TicketStatus.IN_PROGRESS],
        reviewer__isnull=False,
        reviewer__left_on__isnull=True,
        assignee_id__in=core,
        spillovers__isnull=True,  # a spillover is the spillover rule's example
    ).order_by("key")
    silent = next(
        (
            t
            for t in urgent_kind.filter(
                Q(jira_updated_at__isnull=True) | Q(jira_updated_at__lt=started)
            ).filter(Q(added_to_sprint_at__isnull=True) | Q(added_to_sprint_at__lt=started))
            if t.assignee_id not in away
            and (t.pk, t.assignee_id) not in worked
            and FRIENDLY not in (t.labels or [])
        ),
        None,
    )
    if silent is None:
        return []
    busy = next((t for t in urgent_kind.exclude(pk=silent.pk) if FRIENDLY not in (t.labels or [])), None)
    Ticket.objects.filter(pk=silent.pk).update(labels=[*(silent.labels or []), URGENT_LABEL])
    changed = [f"{silent.key} urgent and silent"]
    if busy is not None:
        Ticket.objects.filter(pk=busy.pk).update(
            labels=[*(busy.labels or []), URGENT_LABEL], jira_updated_at=now - timedelta(hours=2)
        )
        changed.append(f"{busy.key} urgent, changed in JIRA two hours ago")
    return changed


def _capacity_plan_short(today: date) -> list[str]:
    """When no cell's forward plan is short: the latest update of one open epic asks for a
    bigger monthly allocation from next month, just over what its cell has for epics in each
    of the next three months (the epic whose cell needs the smallest ask, so the figure stays
    plausible). Every other cell's plan keeps within its hours."""
    plans = {plan.cell.pk: plan for plan in capacity_plans(as_of=today)}
    if any(plan.short_months for plan in plans.values()):
        return []
    latest: dict[int, EpicUpdate] = {}
    for update in (
        EpicUpdate.objects.filter(epic__status__in=PLAN_STATUSES, epic__cell__isnull=False)
        .select_related("epic")
        .order_by("epic_id", "-sprint__number", "-pk")
    ):
        latest.setdefault(update.epic_id, update)
    best: tuple[tuple[int, str], EpicUpdate] | None = None
    for update in latest.values():
        plan = plans.get(update.epic.cell_id or 0)
        if plan is None or not plan.months or "allocation_change" not in (update.answers or {}):
            continue
        most = max(month.available for month in plan.months)
        own = sum((d.hours_per_month for d in plan.epics if d.key == update.epic.key), Decimal(0))
        room = most - (plan.months[0].demand - own)
        if most <= 0 or room < 0:
            continue
        asked = (int(room) // 10 + 1) * 10  # just over the busiest month's hours
        if best is None or (asked, update.epic.key) < best[0]:
            best = ((asked, update.epic.key), update)
    if best is None:
        return []
    (asked, key), update = best
    answers = {**(update.answers or {}), "allocation_change": "yes", "new_monthly_hours": str(asked)}
    EpicUpdate.objects.filter(pk=update.pk).update(answers=answers)
    return [f"the {key} update asks for {asked} h a month from next month"]
