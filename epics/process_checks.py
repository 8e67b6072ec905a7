"""Process checks over epics. Each rule runs a fixed number of queries (listed
in its comment), whatever the number of epics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from epics import calculations as calc
from epics.capacity_plan import capacity_plans
from epics.models import BudgetKind, Epic, EpicBudgetPeriod, EpicMilestone, EpicStatus, EpicUpdate
from epics.selectors import EPIC_MANAGER_ROLE, epic_figures, epic_remaining_estimates
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from roles.clock import add_business_time
from roles.models import Member, MemberType, RoleAssignment
from roles.selectors import time_off_by_member
from rotations.models import RotationAssignment
from sprints.calculations import thursday_w2
from sprints.calculations.newcomers import OnboardingBudget, is_extended
from sprints.models import Ticket
from sprints.process_checks import newcomers_in
from sustainability.models import Worklog

OPEN_STATUSES = [EpicStatus.ACCEPTED, EpicStatus.IN_DEVELOPMENT, EpicStatus.DELIVERED]


def _epics(context: CheckContext) -> QuerySet[Epic]:
    qs = Epic.objects.select_related("owner__user", "reviewer__user")
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    return qs


def _url(epic: Epic) -> str:
    return reverse("epics:epic", args=[epic.key])


def _owner_finding(epic: Epic, *, rule: str, severity: Severity, message: str, subject: str) -> Finding:
    """A finding for the epic's owner, or for the cell's epic planning manager when it has none."""
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        subject=subject,
        url=_url(epic),
        cell_id=epic.cell_id,
        member_id=epic.owner_id,
        role_slug=None if epic.owner_id else EPIC_MANAGER_ROLE,
    )


def _due_day(as_of: date) -> tuple[int, date]:
    sprint = calendar.sprint_on(as_of)
    return sprint.number, thursday_w2(sprint)


def _without_update(context: CheckContext, sprint_number: int) -> list[Epic]:
    return list(
        _epics(context)
        .filter(status=EpicStatus.IN_DEVELOPMENT)
        .annotate(
            has_update=Exists(EpicUpdate.objects.filter(epic=OuterRef("pk"), sprint__number=sprint_number))
        )
        .filter(has_update=False)
        .order_by("key")
    )


@register(
    "epic-update-missing",
    title="An in-development epic has no update this sprint",
    description="Every In Development epic gets an update each sprint, due on Thursday of W2, "
    "from its owner (its reviewer when the owner is off that day).",
)
def epic_update_missing(context: CheckContext) -> Iterator[Finding]:
    # Queries: in-development epics without this sprint's update, their owners' time off.
    number, due_day = _due_day(context.as_of)
    if context.as_of <= due_day:
        return
    epics = _without_update(context, number)
    owners = {e.owner_id for e in epics if e.owner_id}
    off = time_off_by_member(member_ids=owners, start=due_day, end=due_day) if owners else {}
    for epic in epics:
        author = calc.update_author(
            owner_id=epic.owner_id,
            reviewer_id=epic.reviewer_id,
            owner_periods=off.get(epic.owner_id or 0, []),
            due_day=due_day,
        )
        yield Finding(
            rule="epic-update-missing",
            severity=Severity.WARNING,
            message=f"{epic.key} ({epic.title}) has no epic update for sprint {number}; it was due {date_format(due_day, 'SHORT_DATE_FORMAT')}.",
            subject=f"epic:{epic.key}:sprint:{number}",
            url=_url(epic),
            cell_id=epic.cell_id,
            member_id=author,
            role_slug=None if author else EPIC_MANAGER_ROLE,
        )


@register(
    "epic-update-due",
    title="An epic update is due this week",
    description="From Monday of W2 until Thursday of W2, a reminder to whoever owes the update of "
    "each In Development epic that has none yet.",
)
def epic_update_due(context: CheckContext) -> Iterator[Finding]:
    # Queries: in-development epics without this sprint's update, their owners' time off.
    number, due_day = _due_day(context.as_of)
    if not due_day - timedelta(days=3) <= context.as_of <= due_day:
        return
    epics = _without_update(context, number)
    owners = {e.owner_id for e in epics if e.owner_id}
    off = time_off_by_member(member_ids=owners, start=due_day, end=due_day) if owners else {}
    for epic in epics:
        author = calc.update_author(
            owner_id=epic.owner_id,
            reviewer_id=epic.reviewer_id,
            owner_periods=off.get(epic.owner_id or 0, []),
            due_day=due_day,
        )
        if author is None:
            continue  # reported by epic-update-nobody-available
        yield Finding(
            rule="epic-update-due",
            severity=Severity.INFO,
            message=f"Post the sprint {number} update of {epic.key} ({epic.title}) by {date_format(due_day, 'SHORT_DATE_FORMAT')}.",
            subject=f"epic:{epic.key}:sprint:{number}:due",
            url=reverse("epics:epic-update-form", args=[epic.key]),
            cell_id=epic.cell_id,
            member_id=author,
        )


@register(
    "epic-past-due-date",
    title="An epic's due date has passed",
    description="A milestone of the epic's timeline is past its deadline and not done: the timeline "
    "and the due date need revising.",
)
def epic_past_due_date(context: CheckContext) -> Iterator[Finding]:
    # Queries: open epics with the oldest missed deadline as a subquery.
    oldest = (
        EpicMilestone.objects.filter(epic=OuterRef("pk"), done=False, deadline__lt=context.as_of)
        .values("epic")
        .annotate(first=Min("deadline"))
        .values("first")
    )
    epics = (
        _epics(context)
        .exclude(status=EpicStatus.DONE)
        .annotate(missed=Subquery(oldest))
        .filter(missed__isnull=False)
        .order_by("key")
    )
    for epic in epics:
        missed: date = epic.missed  # type: ignore[attr-defined]
        yield _owner_finding(
            epic,
            rule="epic-past-due-date",
            severity=Severity.WARNING,
            message=f"{epic.key} ({epic.title}) missed a deadline on {date_format(missed, 'DATE_FORMAT')}: update its timeline.",
            subject=f"epic:{epic.key}:due:{missed.isoformat()}",
        )


@register(
    "epic-fixed-over-budget",
    title="A fixed-budget epic is over, or projected over, its budget",
    description="Hours logged on the epic and its tickets plus the work left on its unfinished tickets "
    "(remaining estimate, else original estimate) exceed the fixed budget.",
)
def epic_fixed_over_budget(context: CheckContext) -> Iterator[Finding]:
    # Queries: open fixed-budget epics, the worklog aggregate, the remaining-estimate aggregate.
    epics = list(
        _epics(context)
        .filter(budget_kind=BudgetKind.FIXED, budget_hours__isnull=False, status__in=OPEN_STATUSES)
        .order_by("key")
    )
    if not epics:
        return
    ids = [e.pk for e in epics]
    figures = epic_figures(as_of=context.as_of, epic_ids=ids)
    remaining = epic_remaining_estimates(epic_ids=ids)
    for epic in epics:
        base = figures.get(epic.pk, calc.EpicFigures())
        fig = calc.EpicFigures(
            hours_used=base.hours_used, remaining_estimate=remaining.get(epic.pk, base.remaining_estimate)
        )
        health = calc.budget_health(
            kind=epic.budget_kind,
            figures=fig,
            budget_hours=epic.budget_hours,
            monthly_budget=None,
            as_of=context.as_of,
        )
        if health.level is not calc.Health.BAD:
            continue
        over = fig.hours_used > (epic.budget_hours or 0)
        yield _owner_finding(
            epic,
            rule="epic-fixed-over-budget",
            severity=Severity.CRITICAL if over else Severity.WARNING,
            message=f"{epic.key} ({epic.title}): {fig.hours_used} h used"
            f"{'' if over else f' + {fig.remaining_estimate} h remaining'} of a {epic.budget_hours} h budget.",
            subject=f"epic:{epic.key}:budget",
        )


@register(
    "epic-monthly-over-budget",
    title="A monthly-budget epic is over this month's budget",
    description="Hours logged this month on the epic and its tickets exceed the monthly budget in force.",
)
def epic_monthly_over_budget(context: CheckContext) -> Iterator[Finding]:
    # Queries: monthly epics with the budget in force as a subquery, the worklog aggregate.
    budget = (
        EpicBudgetPeriod.objects.filter(epic=OuterRef("pk"), since__lte=context.as_of)
        .order_by("-since")
        .values("hours_per_month")[:1]
    )
    epics = list(
        _epics(context)
        .filter(budget_kind=BudgetKind.MONTHLY)
        .exclude(status=EpicStatus.DONE)
        .annotate(monthly_budget=Subquery(budget))
        .filter(monthly_budget__isnull=False)
        .order_by("key")
    )
    if not epics:
        return
    figures = epic_figures(as_of=context.as_of, epic_ids=[e.pk for e in epics])
    for epic in epics:
        limit = epic.monthly_budget  # type: ignore[attr-defined]
        used = figures.get(epic.pk, calc.EpicFigures()).month_hours
        if used <= limit:
            continue
        yield _owner_finding(
            epic,
            rule="epic-monthly-over-budget",
            severity=Severity.CRITICAL,
            message=f"{epic.key} ({epic.title}): {used} h logged this month for a {limit} h monthly budget.",
            subject=f"epic:{epic.key}:month:{context.as_of:%Y-%m}",
        )


@register(
    "epic-update-nobody-available",
    title="Nobody can post an epic's update this sprint",
    description="The epic's owner is off on Thursday of W2 (or there is no owner) and the epic has no "
    "reviewer to stand in.",
)
def epic_update_nobody_available(context: CheckContext) -> Iterator[Finding]:
    # Queries: in-development epics without this sprint's update, their owners' time off.
    number, due_day = _due_day(context.as_of)
    epics = [e for e in _without_update(context, number) if e.reviewer_id is None]
    owners = {e.owner_id for e in epics if e.owner_id}
    off = time_off_by_member(member_ids=owners, start=due_day, end=due_day) if owners else {}
    for epic in epics:
        author = calc.update_author(
            owner_id=epic.owner_id,
            reviewer_id=None,
            owner_periods=off.get(epic.owner_id or 0, []),
            due_day=due_day,
        )
        if author is not None:
            continue
        who = f"its owner {epic.owner} is off that day" if epic.owner_id else "it has no owner"
        yield Finding(
            rule="epic-update-nobody-available",
            severity=Severity.WARNING,
            message=f"{epic.key} ({epic.title}): the update is due {date_format(due_day, 'SHORT_DATE_FORMAT')} but {who} "
            "and it has no reviewer.",
            subject=f"epic:{epic.key}:sprint:{number}:nobody",
            url=_url(epic),
            cell_id=epic.cell_id,
            member_id=None,
            role_slug=EPIC_MANAGER_ROLE,
        )


@register(
    "sprint-onboarding-budget-over",
    title="An onboarding budget is over its caps",
    description="Newcomer and mentor under 80 h (130 h extended trial), 195 h in all with the core "
    "team's review hours kept aside.",
)
def onboarding_budget_over(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers with the start of their newcomer period (1), their onboarding epics
    # (1), worklog sums (1), core members per cell (1), mentors per cell (1). The mentor is
    # the epic's reviewer, else the cell's mentors, as on the newcomer page.
    newcomers = newcomers_in(context)
    epics = list(
        Epic.objects.filter(owner_id__in=list(newcomers), title__icontains="onboarding").order_by("pk")
    )
    hours: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
    for epic_id, member_id, seconds in (
        Worklog.objects.filter(ticket__epic__in=epics)
        .values_list("ticket__epic_id", "member_id")
        .annotate(total=Sum("seconds"))
    ):
        hours[epic_id][member_id] = Decimal(seconds) / 3600
    core = dict(
        Member.objects.with_type(as_of=context.as_of)
        .filter(current_type=MemberType.CORE, cell__isnull=False)  # type: ignore[misc]
        .values("cell_id")
        .annotate(n=Count("id"))
        .values_list("cell_id", "n")
    )
    mentors: dict[int | None, set[int]] = defaultdict(set)
    for cell_id, member_id in (
        RoleAssignment.objects.filter(role__slug="mentor", since__lte=context.as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=context.as_of))
        .values_list("cell_id", "member_id")
    ):
        mentors[cell_id].add(member_id)
    seen: set[int] = set()
    for epic in epics:
        owner_id = epic.owner_id
        if owner_id is None or owner_id in seen:  # the page reads a newcomer's first onboarding epic
            continue
        seen.add(owner_id)
        owner = newcomers[owner_id]
        by_member = hours.get(epic.pk, {})
        people = {owner.pk} | (
            {epic.reviewer_id} if epic.reviewer_id else mentors[owner.cell_id] - {owner.pk}
        )
        budget = OnboardingBudget(
            newcomer_mentor_hours=sum((h for m, h in by_member.items() if m in people), Decimal(0)),
            total_hours=sum(by_member.values(), Decimal(0)),
            extended=is_extended(owner.newcomer_since or owner.joined_on, context.as_of),  # type: ignore[attr-defined]
            core_members=core.get(owner.cell_id or 0, 0),
        )
        if budget.over:
            yield Finding(
                rule="sprint-onboarding-budget-over",
                severity=Severity.CRITICAL,
                message=f"{epic.key}: {budget.newcomer_mentor_hours:.1f} h by {owner.name} and their mentor "
                f"(cap {budget.trial_cap} h), {budget.total_hours:.1f} h in all (cap 195 h, "
                f"{budget.review_reserve} h kept for reviews).",
                subject=f"epic:{epic.key}:onboarding",
                url=reverse("epics:epic", args=[epic.key]),
                cell_id=owner.cell_id,
                member_id=owner.pk,
                role_slug="mentor",
            )


@register(
    "newcomer-no-onboarding-epic",
    title="A newcomer has no onboarding epic",
    description="The recruitment manager creates each newcomer's onboarding epic (owned by the "
    "newcomer, 'onboarding' in its title), where the onboarding budget is tracked.",
)
def newcomer_no_onboarding_epic(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), the owners of onboarding epics among them (1).
    newcomers = newcomers_in(context)
    owning = set(
        Epic.objects.filter(owner_id__in=list(newcomers), title__icontains="onboarding").values_list(
            "owner_id", flat=True
        )
    )
    for member_id, member in sorted(newcomers.items()):
        if member_id in owning:
            continue
        yield Finding(
            rule="newcomer-no-onboarding-epic",
            severity=Severity.WARNING,
            message=f"{member.name} is a newcomer without an onboarding epic: create it, owned by them, "
            "with their onboarding tasks.",
            subject=f"member:{member_id}:onboarding-epic",
            url=reverse("epics:epic-board", args=[member.cell.slug]),  # type: ignore[union-attr]
            cell_id=member.cell_id,
            role_slug="recruitment-manager",
        )


# Milestones due within this many days need a ticket planned in a sprint before them.
MILESTONE_HORIZON_DAYS = 28


@register(
    "epic-milestone-unplanned",
    title="A milestone has no ticket planned before its deadline",
    description="An open milestone due in the next four weeks with no ticket of its epic in the "
    "current sprint or a later one ending by the deadline: create the tickets and place them in "
    "the sprints well ahead of it.",
)
def milestone_unplanned(context: CheckContext) -> Iterator[Finding]:
    # Queries: open milestones due soon with their epic (1), the epics' planned sprints (1).
    current = calendar.sprint_on(context.as_of).number
    epics = _epics(context).filter(status__in=OPEN_STATUSES)
    milestones = list(
        EpicMilestone.objects.filter(
            epic__in=epics,
            done=False,
            deadline__gte=context.as_of,
            deadline__lte=context.as_of + timedelta(days=MILESTONE_HORIZON_DAYS),
        )
        .select_related("epic")
        .order_by("deadline", "pk")
    )
    planned: dict[int, set[int]] = defaultdict(set)
    for epic_id, number in (
        Ticket.objects.filter(epic_id__in={m.epic_id for m in milestones}, sprint__number__gte=current)
        .values_list("epic_id", "sprint__number")
        .distinct()
    ):
        planned[epic_id].add(number)
    for milestone in milestones:
        last = calendar.sprint_on(milestone.deadline).number
        if any(current <= n <= last for n in planned[milestone.epic_id]):
            continue
        yield _owner_finding(
            milestone.epic,
            rule="epic-milestone-unplanned",
            severity=Severity.WARNING,
            message=f"{milestone.epic.key}: milestone “{milestone.title}” is due on {date_format(milestone.deadline, 'DATE_FORMAT')} "
            f"and no ticket of the epic is planned in sprints {current} to {last}.",
            subject=f"milestone:{milestone.pk}",
        )


# --- Offboarding: a leaver's work gets new owners (handbook: "Epic planning") ---

LEAVER_AHEAD_DAYS = 14  # flagged from two weeks before the last day
LEAVER_BEHIND_DAYS = 60  # and for two months after it
LEAVER_TICKET_DONE = ("Done", "Deployed & Delivered")


@register(
    "member-leaving-handover",
    title="A leaver still owns epics, rotations or sprint tickets",
    description=f"From {LEAVER_AHEAD_DAYS} days before a member's last day: open epics they own or "
    "review, rotation shifts after their last day and unfinished tickets of the current or a later "
    "sprint need new owners (their roles are checked by assignment-holder-left).",
)
def member_leaving_handover(context: CheckContext) -> Iterator[Finding]:
    # Queries: members leaving soon or gone lately (1), their open epics (1), their rotation
    # shifts after their last day (1), their unfinished tickets from the current sprint on (1).
    leavers_qs = Member.objects.filter(
        left_on__range=(
            context.as_of - timedelta(days=LEAVER_BEHIND_DAYS),
            context.as_of + timedelta(days=LEAVER_AHEAD_DAYS),
        )
    ).select_related("user")
    if context.cell_ids is not None:
        leavers_qs = leavers_qs.filter(cell_id__in=context.cell_ids)
    leavers = {m.pk: m for m in leavers_qs}
    if not leavers:
        return
    ids = list(leavers)
    epics: dict[int, list[str]] = defaultdict(list)
    for key, owner_id, reviewer_id in (
        Epic.objects.filter(Q(owner_id__in=ids) | Q(reviewer_id__in=ids), status__in=OPEN_STATUSES)
        .order_by("key")
        .values_list("key", "owner_id", "reviewer_id")
    ):
        for member_id, as_what in ((owner_id, "owner"), (reviewer_id, "reviewer")):
            if member_id in leavers:
                epics[member_id].append(f"{key} ({as_what})")
    shifts: dict[int, int] = dict(
        RotationAssignment.objects.filter(member_id__in=ids, end__gt=F("member__left_on"))
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    current = calendar.sprint_on(context.as_of).number
    tickets: dict[int, list[str]] = defaultdict(list)
    for member_id, key in (
        Ticket.objects.filter(assignee_id__in=ids, sprint__number__gte=current)
        .exclude(status__in=LEAVER_TICKET_DONE)
        .order_by("key")
        .values_list("assignee_id", "key")
    ):
        tickets[member_id].append(key)
    for member_id, member in sorted(leavers.items()):
        parts = []
        if epics[member_id]:
            parts.append(f"epics {', '.join(epics[member_id])}")
        n_shifts = shifts.get(member_id, 0)
        if n_shifts:
            parts.append(f"{n_shifts} rotation shift{'s' if n_shifts != 1 else ''} after it")
        if tickets[member_id]:
            parts.append(
                f"tickets {', '.join(tickets[member_id][:5])}{' …' if len(tickets[member_id]) > 5 else ''}"
            )
        if not parts:
            continue
        gone = member.left_on is not None and member.left_on < context.as_of
        left_on = member.left_on or context.as_of  # the query reads leavers only
        yield Finding(
            rule="member-leaving-handover",
            severity=Severity.CRITICAL if gone else Severity.WARNING,
            message=f"{member.name} {'left' if gone else 'leaves'} on {date_format(left_on, 'DATE_FORMAT')} and still has "
            f"{'; '.join(parts)}: give them new owners.",
            subject=f"member:{member_id}:leaving:{member.left_on}",
            url=reverse("roles:member", args=[member.pk]),
            cell_id=member.cell_id,
            role_slug=EPIC_MANAGER_ROLE,
        )


# --- The epic reviewer reads each update (handbook: "Epic reviewer") ---

ACK_WITHIN = timedelta(hours=48)  # two working days of the reviewer's


@register(
    "epic-update-unacknowledged",
    title="An epic update waits for its reviewer",
    description="An epic update of this sprint or the last that its epic's reviewer has not acknowledged "
    "within two working days (weekends and their time off excluded).",
)
def epic_update_unacknowledged(context: CheckContext) -> Iterator[Finding]:
    # Queries: unacknowledged updates of the current and previous sprint with their epic's
    # reviewer (1), the reviewers' time off (1).
    current = calendar.sprint_on(context.as_of)
    qs = (
        EpicUpdate.objects.filter(
            sprint__number__in=[current.number - 1, current.number],
            reviewer_acknowledged_at__isnull=True,
            epic__reviewer__isnull=False,
        )
        .exclude(author_id=F("epic__reviewer_id"))  # the reviewer wrote it (the owner was away)
        .select_related("epic", "sprint", "epic__reviewer__user")
        .order_by("epic__key", "sprint__number")
    )
    if context.cell_ids is not None:
        qs = qs.filter(epic__cell_id__in=context.cell_ids)
    updates = list(qs)
    if not updates:
        return
    reviewers = {u.epic.reviewer_id for u in updates if u.epic.reviewer_id is not None}
    time_off = time_off_by_member(
        member_ids=reviewers, start=calendar.sprint_dates(current.number - 1).start, end=context.as_of
    )
    end_of_day = datetime.combine(context.as_of + timedelta(days=1), time(0, 0), tzinfo=UTC)
    now = min(timezone.now(), end_of_day)
    for update in updates:
        reviewer = update.epic.reviewer
        assert reviewer is not None
        due = add_business_time(
            update.created_at,
            ACK_WITHIN,
            tz=reviewer.timezone or "UTC",
            time_off=time_off.get(reviewer.pk, []),
        )
        if due > now:
            continue
        yield Finding(
            rule="epic-update-unacknowledged",
            severity=Severity.INFO,
            message=f"{reviewer.name} has not acknowledged the {update.epic.key} update for sprint "
            f"{update.sprint.number} (due {date_format(due, 'SHORT_DATETIME_FORMAT')}).",
            subject=f"epic-update:{update.pk}:acknowledgement",
            url=reverse("epics:epic-update", args=[update.pk]),
            cell_id=update.epic.cell_id,
            member_id=reviewer.pk,
        )


# --- The forward capacity plan (handbook: "Epic planning") ---


@register(
    "cell-capacity-plan-short",
    title="A cell's open epics ask for more hours than it has in a coming month",
    description="The monthly hours the open epics ask for (latest epic update, else monthly budget) "
    "against the members' hours in each of the next three months (commitments less time off, "
    "joiners and leavers counted, less the firefighting and discovery shares).",
)
def cell_capacity_plan_short(context: CheckContext) -> Iterator[Finding]:
    # Queries: those of epics.capacity_plan.capacity_plans (six, for every cell).
    for plan in capacity_plans(as_of=context.as_of, cell_ids=context.cell_ids):
        for month in plan.short_months:
            yield Finding(
                rule="cell-capacity-plan-short",
                severity=Severity.WARNING,
                message=f"{plan.cell.name}'s open epics ask for {month.demand:.0f} h in {month.start:%B %Y}; "
                f"the cell has {month.available:.0f} h for epics then ({-month.balance:.0f} h short): adjust "
                "the allocations or the recruitment pace.",
                subject=f"cell:{plan.cell.pk}:plan:{month.start:%Y-%m}",
                url=reverse("epics:epic-planning", args=[plan.cell.slug]) + "#capacity-plan",
                cell_id=plan.cell.pk,
                role_slug=EPIC_MANAGER_ROLE,
            )


# --- A client's epics stay in one cell (handbook: "Client owner") ---


@register(
    "client-epics-across-cells",
    title="A client's open epics are spread over several cells",
    description="All the epics of a client are done within one cell, the client owner's.",
)
def client_epics_across_cells(context: CheckContext) -> Iterator[Finding]:
    # Queries: the open epics that name a client, with their cell (1). The finding is about
    # the client, not one cell: it is for the epic planning managers of the cells involved.
    by_client: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    names: dict[int, tuple[str, str]] = {}
    for client, cell_id, cell_name, cell_slug, key in (
        Epic.objects.filter(status__in=OPEN_STATUSES, cell__isnull=False)
        .exclude(client="")
        .order_by("client", "cell__name", "key")
        .values_list("client", "cell_id", "cell__name", "cell__slug", "key")
    ):
        by_client[client.strip().casefold()][cell_id].append(key)
        names[cell_id] = (cell_name, cell_slug)
    for client_key, cells in sorted(by_client.items()):
        if len(cells) < 2:
            continue
        spread = "; ".join(f"{names[c][0]}: {', '.join(keys)}" for c, keys in cells.items())
        for cell_id in cells:
            if not context.includes_cell(cell_id):
                continue
            yield Finding(
                rule="client-epics-across-cells",
                severity=Severity.INFO,
                message=f"The open epics of client “{client_key}” are in {len(cells)} cells ({spread}): "
                "they belong in the client owner's cell.",
                subject=f"client:{client_key}:cell:{cell_id}",
                url=reverse("epics:epic-planning", args=[names[cell_id][1]]),
                cell_id=cell_id,
                role_slug=EPIC_MANAGER_ROLE,
            )
