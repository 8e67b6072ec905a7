"""Process checks of the sustainability app (each runs a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from opencraft_ops.sprint_dates import monday_w2
from roles.calculations import CommitmentChange, available_hours, display_name
from roles.clock import Window, as_zone, business_time_between, is_late
from roles.models import CellKind, Member, MemberType, MemberTypePeriod, RoleAssignment, WeeklyCommitment
from roles.selectors import time_off_by_member
from sprints.models import PriorityCategory, Ticket
from sprints.process_checks import NOT_READY_STATUSES, firefighter_for, newcomers_in
from sustainability import alerts
from sustainability.access import MANAGER_ROLE
from sustainability.calculations import month_period, plain
from sustainability.calculations.worklog_text import is_rounded, mostly_rounded, vague_reason
from sustainability.models import AccountCategory, AlertKind, Worklog

LIAISON = "community-liaison"
# A member is "under their contract hours" below this share of the hours expected.
UNDER_HOURS_SHARE = Decimal("0.95")


def _lookback(context: CheckContext) -> date:
    return context.as_of - timedelta(days=settings.SUSTAINABILITY_LATE_LOOKBACK_DAYS)


def _members_in(context: CheckContext, prefix: str = "member__") -> Q:
    """The members whose findings ``context`` asks for, as a filter on ``<prefix>cell_id``:
    every member, or the members of its cells plus those without a cell (their findings
    belong to the company's scope, which an evaluation of a cell refreshes too). Keeps an
    evaluation after a write to one cell from reading every cell's worklogs."""
    if context.cell_ids is None:
        return Q()
    return Q(**{f"{prefix}cell_id__in": sorted(context.cell_ids)}) | Q(**{f"{prefix}cell_id__isnull": True})


@register(
    "sustainability-budget-threshold",
    title="An account crossed a budget threshold",
    description="Hours spent this month (or year) reached a threshold of the account's budget.",
)
def budget_threshold(context: CheckContext) -> Iterator[Finding]:
    # Queries: those of alerts.evaluate (a fixed dozen).
    for alert in alerts.evaluate(as_of=context.as_of):
        if alert.kind == AlertKind.BUDGET:
            yield Finding(
                rule="sustainability-budget-threshold",
                severity=Severity.CRITICAL if alert.threshold >= 100 else Severity.WARNING,
                message=alert.message,
                subject=f"{alert.subject}:{alert.period_start}:{plain(alert.threshold)}",
                url=alert.url,
                cell_id=alert.cell_id,
                role_slug=MANAGER_ROLE,
            )


@register(
    "sustainability-above-target",
    title="A cell is above, or projected above, its sustainability target",
    description="The reference period's ratio, or the sprint preview's, exceeds the cell's target.",
)
def above_target(context: CheckContext) -> Iterator[Finding]:
    for alert in alerts.evaluate(as_of=context.as_of):
        if alert.kind in (AlertKind.TARGET, AlertKind.PROJECTED):
            yield Finding(
                rule="sustainability-above-target",
                severity=Severity.CRITICAL if alert.kind == AlertKind.TARGET else Severity.WARNING,
                message=alert.message,
                subject=f"{alert.kind}:{alert.subject}",
                url=alert.url,
                cell_id=alert.cell_id,
                role_slug=MANAGER_ROLE,
            )


@register(
    "account-without-cell",
    title="Hours logged on a cell account that has no cell",
    description="A client or internal cell account with recent hours but no cell drops out of every "
    "cell's ratio; set its cell (the Tempo sync keeps a cell set by hand).",
)
def account_without_cell(context: CheckContext) -> Iterator[Finding]:
    # Queries: one aggregate of recent worklogs on cell-less client and internal cell accounts.
    rows = (
        Worklog.objects.filter(
            account__cell__isnull=True,
            account__category__in=[AccountCategory.CLIENT, AccountCategory.INTERNAL_CELL],
            work_date__gte=_lookback(context),
            work_date__lte=context.as_of,
        )
        .order_by()
        .values("account_id", "account__key", "account__name")
        .annotate(total=Sum("seconds"))
        .order_by("account__key")
    )
    for row in rows:
        hours = Decimal(row["total"] or 0) / 3600
        yield Finding(
            rule="account-without-cell",
            severity=Severity.WARNING,
            message=f"Account {row['account__key']} ({row['account__name']}) has {hours:.2f} h logged "
            "since the lookback started but no cell: its hours count in no cell's ratio.",
            subject=f"account:{row['account_id']}",
            url=reverse("sustainability:account-worklogs", args=[row["account__key"]]),
            role_slug=MANAGER_ROLE,
        )


@register(
    "community-account-misuse",
    title="Community relations account used by someone other than the community liaison",
    description="Only the community liaison's own tasks may use the community relations account.",
)
def community_account_misuse(context: CheckContext) -> Iterator[Finding]:
    # Queries: the liaison assignments, worklogs on the account per member and day.
    keys = settings.SUSTAINABILITY_COMMUNITY_ACCOUNT_KEYS
    if not keys:
        return
    liaisons = list(
        RoleAssignment.objects.filter(role__slug=LIAISON).values_list("member_id", "since", "until")
    )
    rows = (
        Worklog.objects.filter(
            account__key__in=keys, work_date__gte=_lookback(context), work_date__lte=context.as_of
        )
        .filter(_members_in(context))
        .order_by()
        .values(
            "member_id",
            "member__cell_id",
            "member__user__first_name",
            "member__user__last_name",
            "member__user__username",
            "work_date",
        )
        .annotate(total=Sum("seconds"))
    )
    misuse: dict[int, tuple[int | None, str, int]] = {}
    for row in rows:
        member_id, day = row["member_id"], row["work_date"]
        if member_id is None:
            continue
        if any(m == member_id and s <= day and (u is None or u >= day) for m, s, u in liaisons):
            continue
        name = display_name(
            row["member__user__first_name"], row["member__user__last_name"], row["member__user__username"]
        )
        cell_id, name, total = misuse.get(member_id, (row["member__cell_id"], name, 0))
        misuse[member_id] = (cell_id, name, total + (row["total"] or 0))
    for member_id, (cell_id, name, total) in sorted(misuse.items()):
        yield Finding(
            rule="community-account-misuse",
            severity=Severity.WARNING,
            message=f"{name} logged {Decimal(total) / 3600:.2f} h on the community relations account "
            "without being the community liaison.",
            subject=f"member:{member_id}",
            url=reverse("sustainability:account-worklogs", args=[keys[0]]),
            cell_id=cell_id,
            member_id=member_id,
        )


@register(
    "firefighter-ticket-logging",
    title="Time logged directly on the sprint-firefighter ticket",
    description="Firefighting time goes on the tickets worked on, not on the sprint's firefighter ticket.",
)
def firefighter_ticket_logging(context: CheckContext) -> Iterator[Finding]:
    # Queries: worklogs of the look-back window per ticket and member, with the ticket's key and labels.
    keys = set(settings.SUSTAINABILITY_FIREFIGHTER_TICKET_KEYS)
    label = settings.SUSTAINABILITY_FIREFIGHTER_LABEL
    rows = (
        Worklog.objects.filter(
            ticket__isnull=False, work_date__gte=_lookback(context), work_date__lte=context.as_of
        )
        .filter(
            Q(ticket__key__in=keys) | Q(ticket__labels__icontains=label) if label else Q(ticket__key__in=keys)
        )
        .filter(_members_in(context))
        .order_by()
        .values("ticket__key", "ticket__labels", "member_id", "member__cell_id", "member__user__username")
        .annotate(total=Sum("seconds"))
    )
    for row in rows:
        if row["ticket__key"] not in keys and label not in (row["ticket__labels"] or []):
            continue  # the text match found the label inside another one
        yield Finding(
            rule="firefighter-ticket-logging",
            severity=Severity.WARNING,
            message=f"{row['member__user__username']} logged {Decimal(row['total'] or 0) / 3600:.2f} h directly on "
            f"the firefighter ticket {row['ticket__key']}; log it on the tickets worked on.",
            subject=f"ticket:{row['ticket__key']}:member:{row['member_id']}",
            cell_id=row["member__cell_id"],
            member_id=row["member_id"],
        )


def work_ended_at(work_date: date, start: time | None, seconds: int, tz: str) -> datetime:
    """When the work of a worklog ended, in the member's zone (the end of the day without a start time)."""
    zone = as_zone(tz)
    if start is None:
        return datetime.combine(work_date + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(work_date, start, tzinfo=zone) + timedelta(seconds=seconds)


@register(
    "late-worklogs",
    title="Worklogs logged more than 24 hours after the work",
    description="Time is logged within 24 hours of the work, weekends (and time off) excluded.",
)
def late_worklogs(context: CheckContext) -> Iterator[Finding]:
    # Queries: worklogs created in the look-back window (with the member's zone), their members' time off.
    since = _lookback(context)
    rows = list(
        Worklog.objects.filter(
            member__isnull=False, created_at__date__gte=since, created_at__date__lte=context.as_of
        )
        .filter(_members_in(context))
        .values_list(
            "member_id",
            "member__cell_id",
            "member__user__username",
            "member__timezone",
            "work_date",
            "start_time",
            "seconds",
            "created_at",
        )
    )
    if not rows:
        return
    time_off = time_off_by_member(
        member_ids={r[0] for r in rows}, start=min(r[4] for r in rows), end=context.as_of
    )
    late: dict[int, tuple[int | None, str, int]] = {}
    for member_id, cell_id, name, tz, work_date, start, seconds, created_at in rows:
        if created_at - datetime.combine(work_date, time(0), tzinfo=created_at.tzinfo) <= timedelta(days=1):
            continue  # cannot be late: logged within a day of the work's date
        ended = work_ended_at(work_date, start, seconds, tz)
        if is_late(
            ended, created_at, window=Window.BUSINESS_DAY, tz=tz, time_off=time_off.get(member_id, [])
        ):
            _, _, count = late.get(member_id, (cell_id, name, 0))
            late[member_id] = (cell_id, name, count + 1)
    for late_id, (late_cell, late_name, count) in sorted(late.items()):
        yield Finding(
            rule="late-worklogs",
            severity=Severity.INFO,
            message=f"{late_name} logged {count} worklog{'s' if count != 1 else ''} more than 24 hours "
            "(weekends and time off excluded) after the work.",
            subject=f"member:{late_id}",
            cell_id=late_cell,
            member_id=late_id,
        )


@register(
    "under-contract-hours",
    title="Member under their contract hours last month",
    description="Hours logged last month against the weekly commitment, time off excluded "
    "(a member who logged nothing at all is the most under). Newcomers are left out: the "
    "handbook binds them to point limits and an onboarding budget, not to contract hours.",
)
def under_contract_hours(context: CheckContext) -> Iterator[Finding]:
    # Queries: active members, their commitments, their time off, their logged hours of last month.
    first = context.as_of.replace(day=1) - timedelta(days=1)
    month = month_period(first.year, first.month)
    newcomer_in_month = MemberTypePeriod.objects.filter(
        member=OuterRef("pk"), member_type=MemberType.NEWCOMER, since__lte=month.end
    ).exclude(
        # A newcomer period that a later change ended before the month began does not count.
        Exists(
            MemberTypePeriod.objects.filter(
                member=OuterRef("member"), since__gt=OuterRef("since"), since__lte=month.start
            )
        )
    )
    members = list(
        Member.objects.active(month.end)
        .filter(_members_in(context, prefix=""), joined_on__lte=month.start)
        .exclude(Exists(newcomer_in_month))
        .values_list("pk", "cell_id", "user__username")
    )
    if not members:
        return
    ids = [m[0] for m in members]
    commitments: dict[int, list[CommitmentChange]] = defaultdict(list)
    for member_id, since, hours in WeeklyCommitment.objects.filter(member_id__in=ids).values_list(
        "member_id", "since", "hours_per_week"
    ):
        commitments[member_id].append(CommitmentChange(since=since, hours_per_week=hours))
    time_off = time_off_by_member(member_ids=ids, start=month.start, end=month.end)
    logged = dict(
        Worklog.objects.filter(member_id__in=ids, work_date__range=(month.start, month.end))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("seconds"))
        .values_list("member_id", "total")
    )
    for member_id, cell_id, name in members:
        expected = available_hours(
            changes=commitments.get(member_id, []),
            periods=time_off.get(member_id, []),
            start=month.start,
            end=month.end,
        )
        hours = (Decimal(logged.get(member_id) or 0) / 3600).quantize(Decimal("0.01"))
        if expected > 0 and hours < expected * UNDER_HOURS_SHARE:
            yield Finding(
                rule="under-contract-hours",
                severity=Severity.INFO,
                message=f"{name} logged {hours} h in {month.label}, under the {expected.quantize(Decimal('0.1'))} h "
                "their commitment asks for (time off excluded).",
                subject=f"member:{member_id}:{month.start:%Y-%m}",
                cell_id=cell_id,
                member_id=member_id,
                role_slug=MANAGER_ROLE,
            )


# "More than once per month": more than this many weekends with work in the last 30 days.
WEEKEND_WORK_DAYS = 30
WEEKENDS_ALLOWED = 1


@register(
    "weekend-work",
    title="Weekend work more than once a month",
    description=f"Worklogs on more than {WEEKENDS_ALLOWED} weekend in the last {WEEKEND_WORK_DAYS} days: "
    "weekend work should stay the exception, and more points to a time-management problem.",
)
def weekend_work(context: CheckContext) -> Iterator[Finding]:
    # Queries: the weekend worklog days of the last 30 days, with the member's cell and name (1).
    start = context.as_of - timedelta(days=WEEKEND_WORK_DAYS - 1)
    # PostgreSQL's week_day: 1 = Sunday, 7 = Saturday.
    qs = Worklog.objects.filter(
        member__isnull=False, work_date__range=(start, context.as_of), work_date__week_day__in=[1, 7]
    )
    qs = qs.filter(_members_in(context))
    weekends: dict[int, set[date]] = defaultdict(set)
    about: dict[int, tuple[int | None, str]] = {}
    for member_id, cell_id, name, day in (
        qs.order_by()
        .values_list("member_id", "member__cell_id", "member__user__username", "work_date")
        .distinct()
    ):
        weekends[member_id].add(day - timedelta(days=(day.weekday() - 5) % 7))  # that weekend's Saturday
        about[member_id] = (cell_id, name)
    for member_id, saturdays in sorted(weekends.items()):
        if len(saturdays) <= WEEKENDS_ALLOWED:
            continue
        member_cell, member_name = about[member_id]
        yield Finding(
            rule="weekend-work",
            severity=Severity.INFO,
            message=f"{member_name} worked on {len(saturdays)} weekends in the last {WEEKEND_WORK_DAYS} days "
            f"(from {date_format(min(saturdays), 'SHORT_DATE_FORMAT')}); more than once a month points to a time-management problem.",
            subject=f"member:{member_id}:weekends",
            cell_id=member_cell,
            member_id=member_id,
        )


# --- Newcomers' worklog descriptions (handbook: "Newcomer") ---

VAGUE_LOOKBACK_DAYS = 14
VAGUE_EXAMPLES = 2


def _newcomer_recent_worklogs(
    context: CheckContext, field: str
) -> tuple[dict[int, Member], list[tuple[int, date, Any]]]:
    """The newcomers of the context and, oldest first, (member id, day, ``field``) of their
    worklogs of the last ``VAGUE_LOOKBACK_DAYS`` days since they became newcomers (two
    queries; none of the worklogs without newcomers)."""
    newcomers = newcomers_in(context)
    if not newcomers:
        return newcomers, []
    start = context.as_of - timedelta(days=VAGUE_LOOKBACK_DAYS - 1)
    rows = (
        Worklog.objects.filter(member_id__in=list(newcomers), work_date__range=(start, context.as_of))
        .order_by("work_date", "pk")
        .values_list("member_id", "work_date", field)
    )
    return newcomers, [
        (member_id, day, value)
        for member_id, day, value in rows
        if day >= (newcomers[member_id].newcomer_since or newcomers[member_id].joined_on)  # type: ignore[attr-defined]
    ]


@register(
    "newcomer-worklog-vague",
    title="A newcomer's worklogs are vague",
    description=f"Worklogs of the last {VAGUE_LOOKBACK_DAYS} days by a newcomer whose description is "
    "empty, shorter than four words or only generic words: the mentor asks for detailed ones.",
)
def newcomer_worklog_vague(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), their worklogs of the last 14 days since they became newcomers (1).
    newcomers, rows = _newcomer_recent_worklogs(context, "description")
    vague: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    total: dict[int, int] = defaultdict(int)
    for member_id, day, description in rows:
        total[member_id] += 1
        reason = vague_reason(description)
        if reason is not None:
            vague[member_id].append((day, description.strip(), reason))
    for member_id, items in sorted(vague.items()):
        member = newcomers[member_id]
        examples = "; ".join(
            f"{date_format(day, 'SHORT_DATE_FORMAT')} “{text[:40]}” ({reason})"
            if text
            else f"{date_format(day, 'SHORT_DATE_FORMAT')} ({reason})"
            for day, text, reason in items[:VAGUE_EXAMPLES]
        )
        yield Finding(
            rule="newcomer-worklog-vague",
            severity=Severity.INFO,
            message=f"{member.name}: {len(items)} of {total[member_id]} worklogs of the last "
            f"{VAGUE_LOOKBACK_DAYS} days do not say what was done ({examples}).",
            subject=f"member:{member_id}:vague-worklogs",
            url=reverse("sprints:member_board", args=[member.cell.slug, member_id]),  # type: ignore[union-attr]
            cell_id=member.cell_id,
            role_slug="mentor",
        )


@register(
    "newcomer-worklog-rounded",
    title="A newcomer's worklogs are mostly rounded",
    description=f"Most of a newcomer's worklogs of the last {VAGUE_LOOKBACK_DAYS} days last a whole "
    "number of half-hours (approximate, not tracked): the mentor helps with precise time tracking.",
)
def newcomer_worklog_rounded(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), their worklogs of the last 14 days since they became newcomers (1).
    newcomers, rows = _newcomer_recent_worklogs(context, "seconds")
    durations: dict[int, list[int]] = defaultdict(list)
    for member_id, _day, seconds in rows:
        durations[member_id].append(seconds)
    for member_id, logged in sorted(durations.items()):
        if not mostly_rounded(logged):
            continue
        member = newcomers[member_id]
        rounded = sum(1 for s in logged if is_rounded(s))
        yield Finding(
            rule="newcomer-worklog-rounded",
            severity=Severity.INFO,
            message=f"{member.name}: {rounded} of {len(logged)} worklogs of the last "
            f"{VAGUE_LOOKBACK_DAYS} days are whole half-hours (1 h, 2 h 30 min...), approximate "
            "rather than tracked: help them track their time precisely.",
            subject=f"member:{member_id}:rounded-worklogs",
            url=reverse("sprints:member_board", args=[member.cell.slug, member_id]),  # type: ignore[union-attr]
            cell_id=member.cell_id,
            role_slug="mentor",
        )


# --- An assignee silent on an urgent ticket (handbook: "Code reviewer") ---

SILENCE = timedelta(hours=48)
URGENT_LABEL = "urgent"


@register(
    "ticket-assignee-silent",
    title="An assignee is behind and silent on an urgent ticket",
    description="From Monday of week 2, an urgent ticket (client work, or labelled 'urgent') not yet "
    "ready for review whose assignee has shown no sign (no JIRA change, no worklog on it) for 48 "
    "working hours (weekends and their time off excluded): its reviewer asks a firefighter for help.",
)
def ticket_assignee_silent(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's not-ready tickets with their assignee's time zone and last
    # worklog on the ticket (1), the assignees' time off (1).
    dates = calendar.sprint_on(context.as_of)
    if context.as_of < monday_w2(dates):
        return
    last_worklog = (
        Worklog.objects.filter(ticket_id=OuterRef("pk"), member_id=OuterRef("assignee_id"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    qs = Ticket.objects.filter(
        sprint__number=dates.number, status__in=NOT_READY_STATUSES, assignee__isnull=False
    ).annotate(last_worklog=Subquery(last_worklog))
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    rows = [
        row
        for row in qs.order_by("key").values_list(
            "pk",
            "key",
            "status",
            "cell_id",
            "assignee_id",
            "assignee__timezone",
            "reviewer_id",
            "priority_category",
            "labels",
            "jira_updated_at",
            "added_to_sprint_at",
            "last_worklog",
        )
        if row[7] == PriorityCategory.CLIENT or URGENT_LABEL in [str(x).lower() for x in (row[8] or [])]
    ]
    if not rows:
        return
    # The reference instant: now, or the end of ``as_of`` when checking a past day.
    now = min(timezone.now(), datetime.combine(context.as_of + timedelta(days=1), time(0, 0), tzinfo=UTC))
    sprint_start = datetime.combine(dates.start, time(0, 0), tzinfo=UTC)
    time_off = time_off_by_member(member_ids={r[4] for r in rows}, start=dates.start, end=context.as_of)
    for (
        pk,
        key,
        status,
        cell_id,
        assignee_id,
        tz,
        reviewer_id,
        _cat,
        _labels,
        jira_at,
        added_at,
        worklog_at,
    ) in rows:
        signs = [t for t in (jira_at, added_at, worklog_at) if t is not None]
        last = max([sprint_start, *signs])
        silent = business_time_between(last, now, tz=tz or "UTC", time_off=time_off.get(assignee_id, []))
        if silent < SILENCE:
            continue
        message = (
            f"{key} ({status}) is urgent and behind: no JIRA change or worklog from its assignee for "
            f"{int(silent.total_seconds() // 3600)} working hours (since {date_format(last, 'SHORT_DATETIME_FORMAT')} UTC). "
            "Ask a firefighter for help."
        )
        url = f"{reverse('sprints:my_board')}?sprint={dates.number}"
        yield Finding(
            rule="ticket-assignee-silent",
            severity=Severity.WARNING,
            message=message,
            subject=f"ticket:{key}:silent",
            url=url,
            cell_id=cell_id,
            member_id=reviewer_id,
            role_slug=None if reviewer_id else firefighter_for(pk),
        )
        if reviewer_id:
            yield Finding(
                rule="ticket-assignee-silent",
                severity=Severity.WARNING,
                message=message,
                subject=f"ticket:{key}:silent:firefighter",
                url=url,
                cell_id=cell_id,
                role_slug=firefighter_for(pk),
            )


# --- Help to a project cell is logged on its budget (handbook: "Firefighter") ---

PROJECT_HELP_LOOKBACK_DAYS = 30


@register(
    "project-cell-help-account",
    title="Help to a project cell logged outside its budget",
    description=f"Worklogs of the last {PROJECT_HELP_LOOKBACK_DAYS} days by members of another cell on a "
    "project cell's tickets, on an account that is not the project cell's.",
)
def project_cell_help_account(context: CheckContext) -> Iterator[Finding]:
    # Queries: such worklogs, grouped by member and ticket (1).
    start = context.as_of - timedelta(days=PROJECT_HELP_LOOKBACK_DAYS - 1)
    qs = (
        Worklog.objects.filter(
            work_date__range=(start, context.as_of),
            ticket__cell__kind=CellKind.PROJECT,
            member__isnull=False,
        )
        .exclude(member__cell_id=F("ticket__cell_id"))
        .exclude(account__cell_id=F("ticket__cell_id"))
    )
    if context.cell_ids is not None:
        # Members outside every cell report to the company scope, evaluated with any cell.
        qs = qs.filter(Q(member__cell_id__in=context.cell_ids) | Q(member__cell_id__isnull=True))
    rows = (
        qs.order_by()
        .values_list("member_id", "member__cell_id", "ticket__key", "ticket__cell__name", "account_key")
        .annotate(seconds=Sum("seconds"))
        .order_by("member_id", "ticket__key")
    )
    for member_id, member_cell, key, project_cell, account_key, seconds in rows:
        yield Finding(
            rule="project-cell-help-account",
            severity=Severity.INFO,
            message=f"{Decimal(seconds) / 3600:.1f} h on {key} of {project_cell} are logged on "
            f"{account_key or 'no account'}: help to a project cell goes on its own budget.",
            subject=f"member:{member_id}:ticket:{key}:account",
            cell_id=member_cell,
            member_id=member_id,
        )
