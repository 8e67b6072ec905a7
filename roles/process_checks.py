"""Process checks over the organisation (each runs a fixed number of queries)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from roles import rotation_holders
from roles.access import EPIC_SUSTAINABILITY_MANAGER
from roles.calculations import CONFERENCE_ANSWER_LEAD, CONFERENCE_TALK_LEAD, workdays
from roles.models import (
    CONFERENCE_REQUIRED_FROM,
    Cell,
    CommitmentChangeRequest,
    CommitmentRequestStatus,
    Conference,
    ConferenceParticipation,
    Member,
    Role,
    RoleAssignment,
)

CELL_SUPPORTER = "cell-supporter"
CEO = "ceo"
EPIC_PLANNING_MANAGER = "epic-planning-sustainability-manager"


def _current(context: CheckContext) -> QuerySet[RoleAssignment]:
    """Assignments held on the day; rows of rotation roles are not holders (the schedule is)."""
    day = context.as_of
    qs = RoleAssignment.objects.holdings().filter(
        Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    )
    return qs


def _in_scope(qs: QuerySet[RoleAssignment], context: CheckContext) -> QuerySet[RoleAssignment]:
    if context.cell_ids is None:
        return qs
    return qs.filter(Q(cell_id__in=context.cell_ids) | Q(cell__isnull=True))


def _directory_url(cell_slug: str | None = None) -> str:
    url = reverse("roles:directory")
    return f"{url}#cell-{cell_slug}" if cell_slug else url


def _member_url(member_id: int) -> str:
    return reverse("roles:member", args=[member_id])


@register(
    "cell-missing-management-role",
    title="A cell is missing a management role",
    description="Every cell needs a sprint planning manager, a sprint manager and an epic planning "
    "and sustainability manager.",
)
def cell_missing_management_role(context: CheckContext) -> Iterator[Finding]:
    # Queries: cells, management roles, (cell, role) pairs held today.
    cells = Cell.objects.order_by("name")
    if context.cell_ids is not None:
        cells = cells.filter(pk__in=context.cell_ids)
    roles = list(Role.objects.filter(is_cell_management=True).order_by("sort_order"))
    held = set(
        _current(context)
        .filter(role__is_cell_management=True, cell__isnull=False)
        .values_list("cell_id", "role_id")
    )
    for cell in cells:
        for role in roles:
            if (cell.pk, role.pk) not in held:
                yield Finding(
                    rule="cell-missing-management-role",
                    severity=Severity.CRITICAL,
                    message=f"{cell.name} has no {role.name.lower()}.",
                    subject=f"cell:{cell.pk}:role:{role.slug}",
                    url=_directory_url(cell.slug),
                    cell_id=cell.pk,
                    role_slug=CELL_SUPPORTER,
                )


@register(
    "cell-supporter-holds-all-management",
    title="A cell supporter holds all of a cell's management roles",
    description="A cell supporter may hold some of a cell's management roles, never all of them.",
)
def cell_supporter_holds_all(context: CheckContext) -> Iterator[Finding]:
    # Queries: the number of management roles; one grouped query of the
    # management roles each current cell supporter holds per cell.
    total = Role.objects.filter(is_cell_management=True).count()
    if total == 0:
        return
    supporters = _current(context).filter(role__slug=CELL_SUPPORTER).values("member_id")
    rows = (
        _in_scope(_current(context), context)
        .filter(role__is_cell_management=True, cell__isnull=False, member_id__in=supporters)
        .values("cell_id", "cell__name", "cell__slug", "member_id", "member__user__username")
        .annotate(held=Count("role_id", distinct=True))
        .filter(held__gte=total)
        .order_by("cell__name")
    )
    for row in rows:
        yield Finding(
            rule="cell-supporter-holds-all-management",
            severity=Severity.WARNING,
            message=f"A cell supporter ({row['member__user__username']}) holds all {total} management "
            f"roles of {row['cell__name']}; offer at least one back to the cell.",
            subject=f"cell:{row['cell_id']}:supporter:{row['member_id']}",
            url=_directory_url(row["cell__slug"]),
            cell_id=row["cell_id"],
            member_id=row["member_id"],
        )


@register(
    "role-short-of-backups",
    title="A role is short of its backups",
    description="Roles that need a backup (e.g. the recruitment manager) have one named who is still here.",
)
def role_short_of_backups(context: CheckContext) -> Iterator[Finding]:
    # Queries: one, current assignments of roles that need backups, with holder and backup.
    day = context.as_of
    rows = (
        _in_scope(_current(context), context)
        .filter(role__backups_required__gt=0)
        .filter(Q(backup__isnull=True) | Q(backup__left_on__lt=day))
        .select_related("role", "cell", "member__user")
        .order_by("role__sort_order", "pk")
    )
    for assignment in rows:
        where = f" in {assignment.cell.name}" if assignment.cell_id and assignment.cell else ""
        yield Finding(
            rule="role-short-of-backups",
            severity=Severity.WARNING,
            message=f"{assignment.member.name} holds {assignment.role.name.lower()}{where} without a backup "
            f"(needs {assignment.role.backups_required}).",
            subject=f"assignment:{assignment.pk}",
            url=_member_url(assignment.member_id),
            cell_id=assignment.cell_id,
            member_id=assignment.member_id,
            role_slug=assignment.role.slug,
        )


@register(
    "assignment-holder-left",
    title="A role is held by someone who has left",
    description="An assignment is still open, or the rotation schedule still names someone "
    "as ops reviewer or on the pager, although they have left the team.",
)
def assignment_holder_left(context: CheckContext) -> Iterator[Finding]:
    # Queries: two, current assignments whose member left before today; today's rotation slots.
    day = context.as_of
    # Rotation roles: who holds them is the schedule's answer. Core-only slots (firefighters,
    # discovery duty) are reported by rotations' own "rotation-ineligible-holder" check.
    for hold in rotation_holders.holds(start=day, end=day, cell_ids=context.cell_ids):
        if hold.core_only or hold.member_left_on is None or hold.member_left_on >= day:
            continue
        yield Finding(
            rule="assignment-holder-left",
            severity=Severity.CRITICAL,
            message=f"{hold.member_name} left on {date_format(hold.member_left_on, 'DATE_FORMAT')} but the rotation schedule "
            f"still names them {hold.label.lower()} until {date_format(hold.end, 'SHORT_DATE_FORMAT')}; give the slot to someone else.",
            subject=f"rotation:{hold.role_slug}:{hold.cell_id}:{hold.member_id}:{hold.start}",
            url=_member_url(hold.member_id),
            cell_id=hold.cell_id,
            role_slug=CELL_SUPPORTER if hold.cell_id else CEO,
        )
    rows = (
        _in_scope(_current(context), context)
        .filter(member__left_on__lt=day)
        .select_related("role", "cell", "member__user")
        .order_by("role__sort_order", "pk")
    )
    for assignment in rows:
        where = f" in {assignment.cell.name}" if assignment.cell_id and assignment.cell else ""
        left_on = assignment.member.left_on or context.as_of  # the query reads leavers only
        yield Finding(
            rule="assignment-holder-left",
            severity=Severity.CRITICAL,
            message=f"{assignment.member.name} left on {date_format(left_on, 'DATE_FORMAT')} but still holds "
            f"{assignment.role.name.lower()}{where}; hand it over or end it.",
            subject=f"assignment:{assignment.pk}",
            url=_member_url(assignment.member_id),
            cell_id=assignment.cell_id,
            role_slug=CELL_SUPPORTER if assignment.cell_id else CEO,
        )


# A role held for less than this was given up early; ends older than RECENT_DAYS are history.
ROLE_MIN_DAYS = 365
RECENT_DAYS = 30


@register(
    "role-given-up-early",
    title="A cell management role was given up within a year",
    description="Role assignments are meant to last: hold a role at least a year before "
    f"dropping it. Flags management roles ended in the last {RECENT_DAYS} days after less than a "
    "year, unless the holder left the team within a month of it.",
)
def role_given_up_early(context: CheckContext) -> Iterator[Finding]:
    # Queries: one, the recently ended short management assignments.
    day = context.as_of
    rows = (
        _in_scope(RoleAssignment.objects.holdings(), context)
        .filter(role__is_cell_management=True, until__lt=day, until__gte=day - timedelta(days=RECENT_DAYS))
        .filter(until__lt=F("since") + timedelta(days=ROLE_MIN_DAYS))
        .filter(  # leaving the team (within a month of the role's end) is reason enough
            Q(member__left_on__isnull=True) | Q(member__left_on__gt=F("until") + timedelta(days=RECENT_DAYS))
        )
        .select_related("role", "cell", "member__user")
        .order_by("until", "pk")
    )
    for assignment in rows:
        assert assignment.until is not None
        months = (assignment.until - assignment.since).days // 30
        yield Finding(
            rule="role-given-up-early",
            severity=Severity.INFO,
            message=f"{assignment.member.name} gave up {assignment.role.name.lower()} on {date_format(assignment.until, 'DATE_FORMAT')} "
            f"after about {months} month{'s' if months != 1 else ''}; roles are meant to be held a year.",
            subject=f"assignment:{assignment.pk}:early",
            url=_member_url(assignment.member_id),
            cell_id=assignment.cell_id,
            member_id=assignment.member_id,
        )


# A request to change weekly hours is decided within this many working days.
COMMITMENT_REQUEST_WORKDAYS = 2


def commitment_request_waited(requested_on: date, as_of: date) -> int:
    """Working days (Monday to Friday) a request made on ``requested_on`` has waited by
    ``as_of``: the days after the request, ``as_of`` included."""
    return len(workdays(requested_on + timedelta(days=1), as_of))


@register(
    "commitment-request-waiting",
    title="A request to change weekly hours waits for a decision",
    description="The epic planning and sustainability manager handles the cell members' requests to "
    f"change their weekly hours: one still pending after {COMMITMENT_REQUEST_WORKDAYS} working days "
    "is reported to them.",
)
def commitment_request_waiting(context: CheckContext) -> Iterator[Finding]:
    # Queries: one, the pending requests of cell members, with the member.
    rows = (
        CommitmentChangeRequest.objects.filter(
            status=CommitmentRequestStatus.PENDING, member__cell__isnull=False
        )
        .select_related("member__user")
        .order_by("requested_at", "pk")
    )
    if context.cell_ids is not None:
        rows = rows.filter(member__cell_id__in=context.cell_ids)
    url = reverse("roles:commitment-requests")
    for change_request in rows:
        requested_on = timezone.localtime(change_request.requested_at).date()
        waited = commitment_request_waited(requested_on, context.as_of)
        if waited <= COMMITMENT_REQUEST_WORKDAYS:
            continue
        yield Finding(
            rule="commitment-request-waiting",
            severity=Severity.WARNING,
            message=f"{change_request.member.name} asked to work "
            f"{floatformat(change_request.hours_per_week, '-2')} hours a week from "
            f"{date_format(change_request.since, 'DATE_FORMAT')}; the request has waited {waited} working days "
            "for a decision.",
            subject=f"commitment-request:{change_request.pk}",
            url=f"{url}#request-{change_request.pk}",
            cell_id=change_request.member.cell_id,
            role_slug=EPIC_PLANNING_MANAGER,
        )


# --- The yearly conference (handbook, "What is expected from everyone") ---


def _conference_members(context: CheckContext) -> list[Member]:
    """The members the conference binds, active on the day, in scope (one query): those who
    joined on or after ``CONFERENCE_REQUIRED_FROM``, whatever their type (newcomers too:
    the handbook binds every team member; a newcomer in trial may give it as their reason)."""
    members = (
        Member.objects.active(context.as_of)
        .filter(joined_on__gte=CONFERENCE_REQUIRED_FROM)
        .select_related("user", "cell")
        .order_by("pk")
    )
    if context.cell_ids is not None:
        members = members.filter(Q(cell_id__in=context.cell_ids) | Q(cell__isnull=True))
    return list(members)


def _conference_answers(
    conferences: list[Conference], members: list[Member]
) -> dict[tuple[int, int], ConferenceParticipation]:
    """Answers by (conference, member), in one query."""
    rows = ConferenceParticipation.objects.filter(
        conference__in=[c.pk for c in conferences], member_id__in=[m.pk for m in members]
    )
    return {(p.conference_id, p.member_id): p for p in rows}


def _bound_to(conference: Conference, member: Member) -> bool:
    """Still in the team when the conference starts (a leaver is not asked)."""
    return member.left_on is None or member.left_on >= conference.starts_on


def _conference_url(cell_slug: str | None = None) -> str:
    url = reverse("roles:conference")
    return f"{url}#cell-{cell_slug}" if cell_slug else url


@register(
    "conference-talk-missing",
    title="A member has no talk for the conference",
    description="Everyone who joined on or after 31 July 2018 submits a talk proposal for the yearly Open "
    "edX conference, or co-presents one with someone else from OpenCraft. Asked in the four weeks before "
    "proposals are due, of those attending or who have not answered (the excused are not asked).",
)
def conference_talk_missing(context: CheckContext) -> Iterator[Finding]:
    # Queries: conferences whose proposals are due in the next four weeks (none: stop);
    # the bound members in scope; their answers.
    day = context.as_of
    conferences = list(
        Conference.objects.filter(proposals_due_on__gte=day, proposals_due_on__lte=day + CONFERENCE_TALK_LEAD)
    )
    if not conferences:
        return
    members = _conference_members(context)
    answers = _conference_answers(conferences, members)
    for conference in conferences:
        due = date_format(conference.proposals_due_on, "DATE_FORMAT")
        for member in members:
            answer = answers.get((conference.pk, member.pk))
            if not _bound_to(conference, member) or (
                answer is not None and (not answer.attending or answer.has_talk)
            ):
                continue
            declined = answer is not None and answer.talk_status == "declined"
            ask = (
                "your talk was declined: name who from OpenCraft you co-present with"
                if declined
                else "propose a talk, or name who from OpenCraft you co-present with"
            )
            yield Finding(
                rule="conference-talk-missing",
                severity=Severity.WARNING,
                message=f"{conference.name}: talk proposals are due on {due}; {member.name}, {ask}.",
                subject=f"conference:{conference.pk}:member:{member.pk}:talk",
                url=f"{_member_url(member.pk)}#conference",
                cell_id=member.cell_id,
                member_id=member.pk,
            )


@register(
    "conference-attendance-unanswered",
    title="A member has not said whether they attend the conference",
    description="Everyone who joined on or after 31 July 2018 attends the yearly Open edX conference unless "
    "exceptional and important personal circumstances prevent it. From eight weeks before it starts until "
    "it ends: a member who has not answered is asked to; a member not attending without a reason is "
    "raised with their cell's epic planning and sustainability manager.",
)
def conference_attendance_unanswered(context: CheckContext) -> Iterator[Finding]:
    # Queries: conferences starting in the next eight weeks or under way (none: stop);
    # the bound members in scope; their answers.
    day = context.as_of
    conferences = list(
        Conference.objects.filter(starts_on__lte=day + CONFERENCE_ANSWER_LEAD, ends_on__gte=day)
    )
    if not conferences:
        return
    members = _conference_members(context)
    answers = _conference_answers(conferences, members)
    for conference in conferences:
        starts = date_format(conference.starts_on, "DATE_FORMAT")
        for member in members:
            if not _bound_to(conference, member):
                continue
            answer = answers.get((conference.pk, member.pk))
            if answer is None:
                yield Finding(
                    rule="conference-attendance-unanswered",
                    severity=Severity.WARNING,
                    message=f"{conference.name} starts on {starts}: {member.name}, say whether you attend "
                    "(on your page).",
                    subject=f"conference:{conference.pk}:member:{member.pk}",
                    url=f"{_member_url(member.pk)}#conference",
                    cell_id=member.cell_id,
                    member_id=member.pk,
                )
            elif not answer.attending and not answer.excused:
                yield Finding(
                    rule="conference-attendance-unanswered",
                    severity=Severity.WARNING,
                    message=f"{member.name} does not attend {conference.name} ({starts}) and gave no reason; "
                    "only exceptional and important personal circumstances excuse it.",
                    subject=f"conference:{conference.pk}:member:{member.pk}:unexcused",
                    url=_conference_url(member.cell.slug if member.cell else None),
                    cell_id=member.cell_id,
                    role_slug=EPIC_SUSTAINABILITY_MANAGER if member.cell_id else CEO,
                )
