"""Pages of the duties app: "My work" (home), a duty, cell health, the triage and clock forms."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from duties import agenda, selectors, services
from duties.forms import ClockForm, NotesForm, TriageForm
from duties.models import ChecklistItem, DutyInstance
from duties.triage import triage
from epics.models import EpicStatus
from epics.selectors import can_edit_epic
from findings import charts as findings_charts
from findings import selectors as findings_selectors
from opencraft_ops import calendar
from opencraft_ops.process_checks import rules
from roles.clock import Window
from roles.middleware import member_zone
from roles.models import Cell, Member
from roles.permissions import can_view_cell, member_of, require_cell_view, sees_every_cell
from roles.selectors import member_check_context, next_of, time_off_ending_since
from sprints import calculations as sprint_calc
from sprints import selectors as sprint_selectors
from sprints.calculations.capacity import capacity_row
from sprints.newcomer_selectors import newcomer_overview, newcomer_since
from sprints.selectors.capacity import role_rows, time_off_rows
from sprints.selectors.my_sprint import my_sprint
from sustainability.dashboard import stored_headline

# Who completes a cell's sprint (``sprints.views.SPRINT_ROLES``).
COMPLETION_ROLES = frozenset({"sprint-manager", "sprint-planning-manager"})


def local_today(member: Member | None) -> date:
    """The member's own date (their time zone), or the portal's. For the signed-in member
    it is ``timezone.localdate()``, since ``roles.middleware`` activates the same zone."""
    zone = member_zone(member)
    return timezone.localdate(timezone.now(), zone) if zone is not None else timezone.localdate()


def _split(duties: list[DutyInstance], today: date) -> dict[str, list[DutyInstance]]:
    groups: dict[str, list[DutyInstance]] = {"overdue": [], "today": [], "upcoming": [], "done": []}
    for duty in duties:
        if duty.done_at is not None:
            groups["done"].append(duty)
        elif duty.due_on < today:
            groups["overdue"].append(duty)
        elif duty.due_on == today:
            groups["today"].append(duty)
        else:
            groups["upcoming"].append(duty)
    return groups


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The page a member lands on: their duties, roles, rotations and findings.

    Queries do not grow with the data: the member, their duties (+ checklist items),
    roles, rotations, sprint capacity (the sprints app's fixed queries), epics without
    an update, worklog totals, the stored findings for them and their freshness (no
    process check runs here: findings are evaluated by Celery, see ``findings``).
    """
    findings_selectors.ensure_fresh()
    member = member_of(request.user)
    today = local_today(member)
    context: dict[str, Any] = {"member": member, "today": today}
    if member is not None:
        duties = selectors.my_open_duties(member=member, as_of=today)
        sprint = calendar.sprint_on(today)
        # The member's name (for the capacity row) comes from the user already loaded.
        member.user = request.user  # type: ignore[assignment]
        # One read of the member's rotations and epics serves both the lists shown and the
        # sprint's capacity (which would otherwise read them again).
        rotations = selectors.my_rotations_since(member=member, start=sprint.start)
        since = newcomer_since(member)
        # A newcomer's read also brings their onboarding epic, done or not (no query of its own).
        read_epics = selectors.my_epics(
            member=member, sprint_number=sprint.number, with_onboarding=bool(since)
        )
        epics = [e for e in read_epics if e.status != EpicStatus.DONE]
        # Likewise the member's time off from the sprint's start (the sprint's, and the next
        # period away) and their role assignments during the sprint (today's, and the
        # sprint's reservations).
        time_off_read = time_off_ending_since(member_id=member.pk, start=sprint.start)
        sprint_assignments, mentor_assignments = selectors.my_assignments_during(
            member=member, start=sprint.start, end=sprint.end, with_cell_mentors=since is not None
        )
        (inputs,) = sprint_selectors.capacity_inputs(
            members=[member],
            dates=sprint,
            preloaded_rotations=[
                (r.member_id, r.kind, r.start, r.end, r.reserved_hours)
                for r in rotations
                if r.start <= sprint.end
            ],
            owned_epics={member.pk: sum(1 for e in epics if e.owner_id == member.pk)},
            preloaded_time_off=time_off_rows(time_off_read, sprint),
            preloaded_roles=role_rows(sprint_assignments, sprint),
        )
        assignments = selectors.current_of(sprint_assignments, today)
        # The roles for the findings come from the assignments already loaded (no query).
        checks = member_check_context(
            member_id=member.pk,
            as_of=today,
            assignments=assignments,
            member_cell_id=member.cell_id,
            rotations=selectors.rotation_holds(rotations),
        )
        tz = member_zone(member) or timezone.get_default_timezone()
        mine = my_sprint(member=member, dates=sprint, as_of=today, tz=tz)
        epic_update_due = sprint_calc.thursday_w2(sprint)
        updates_due = [
            e
            for e in epics
            if e.status == EpicStatus.IN_DEVELOPMENT and not e.has_update and e.owner_id == member.pk
        ]
        time_off = next_of(time_off_read, today)
        time_off_url = reverse("roles:member", args=[member.pk]) + "#record-title"
        newcomer = (
            newcomer_overview(
                member=member,
                as_of=today,
                since=since,
                with_budget=False,
                epics=read_epics,
                mentor_assignments=mentor_assignments,
            )
            if since
            else None
        )
        upcoming_rotations = [r for r in rotations if r.end >= today][:6]
        # A sprint manager's completion call (as on their board): one query a managed cell.
        managed = {a.cell for a in assignments if a.role.slug in COMPLETION_ROLES and a.cell is not None}
        completions = [
            (cell, number, sprint.number)
            for cell in sorted(managed, key=lambda c: c.name)
            if (number := sprint_selectors.sprint_to_complete(cell=cell, today=today)) is not None
        ]
        context.update(
            agenda=agenda.ordered(
                agenda.duty_items(duties, today, lambda d: reverse("duties:detail", args=[d.pk])),
                agenda.ticket_items(mine.tickets, today, sprint.end),
                agenda.review_items(mine.reviews, today, sprint_calc.wednesday_w2(sprint)),
                agenda.epic_update_items(
                    updates_due,
                    today,
                    epic_update_due,
                    lambda e: reverse("epics:epic-update-form", args=[e.key]),
                ),
                agenda.completion_items(
                    completions,
                    lambda cell, number: reverse("sprints:complete", args=[cell.slug]) + f"?sprint={number}",
                ),
                agenda.rotation_items(upcoming_rotations, today, reverse("rotations:index")),
                agenda.time_off_items(time_off, today, time_off_url),
                agenda.newcomer_items(
                    newcomer.limits if newcomer else [], reverse("sprints:newcomer", args=[member.pk])
                ),
            ),
            groups=_split(duties, today),
            duty_count=len(duties),
            assignments=assignments,
            rotations=upcoming_rotations,
            findings=findings_selectors.findings_for_member(
                member_id=member.pk, member_roles=checks.member_roles
            ),
            findings_freshness=findings_selectors.freshness(
                cell_ids=[member.cell_id] if member.cell_id else []
            ),
            can_recheck=bool(assignments) or request.user.is_staff,
            now=timezone.now(),
            sprint=sprint,
            my_sprint=mine,
            capacity=capacity_row(sprint, inputs),
            # Every epic the member owns or reviews, with whether this sprint's update is in.
            my_epics=[e for e in epics if e.status == EpicStatus.IN_DEVELOPMENT],
            other_epics=[e for e in epics if e.status != EpicStatus.IN_DEVELOPMENT],
            epics=updates_due,
            epic_update_due=epic_update_due,
            time_off=time_off,
            time_off_url=time_off_url,
            newcomer=newcomer,
            # The commitments and the sprint's time off come with the capacity inputs.
            worklogs=selectors.worklog_health(
                member=member,
                start=sprint.start,
                as_of=today,
                commitments=inputs.commitments,
                time_off=inputs.time_off,
            ),
            # The cell's ratio as its dashboard shows it for the same period (one selector).
            sustainability=(
                stored_headline(cell=member.cell, as_of=today) if member.cell is not None else None
            ),
        )
    return render(request, "duties/home.html", context)


def _get_instance(pk: int) -> DutyInstance:
    return get_object_or_404(selectors.instances_with_checklists(), pk=pk)


def _require_view(request: HttpRequest, duty: DutyInstance) -> Member | None:
    member = member_of(request.user)
    if not selectors.can_view_duty(
        user=request.user, member=member, instance=duty, as_of=local_today(member)
    ):
        raise PermissionDenied("You can only see the duties of your cell, and your own.")
    return member


@login_required
@require_GET
def duty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty = _get_instance(pk)
    member = _require_view(request, duty)
    today = local_today(member)
    can_edit = services.can_work_on(member=member, is_staff=request.user.is_staff, instance=duty, as_of=today)
    history = list(duty.history.select_related("history_user").order_by("-history_date")[:20])
    return render(
        request,
        "duties/duty_detail.html",
        {
            "duty": duty,
            "today": today,
            "can_edit": can_edit,
            # The epic update form is linked only for those who may fill it in.
            "hide_epic_form": duty.epic is not None and not can_edit_epic(request.user, duty.epic),
            "notes_form": NotesForm(initial={"notes": duty.notes}),
            "history": history,
            "names": selectors.member_names({h.assignee_id for h in history if h.assignee_id}),
        },
    )


def _back(request: HttpRequest, duty: DutyInstance) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("duties:detail", args=[duty.pk])
    return redirect(target or reverse("duties:detail", args=[duty.pk]))


@login_required
@require_POST
def item_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """Ticks or unticks one checklist item (``ticked`` = 1 or 0). Answers static/js/duties.js's
    fetch (it sends ``HX-Request: true``) with the duty's card, a plain form post with a redirect
    back. No htmx library: the one in-place update is a few lines of our own JavaScript."""
    item = get_object_or_404(ChecklistItem.objects.select_related("duty"), pk=pk)
    member = member_of(request.user)
    ticked = request.POST.get("ticked")
    if ticked not in ("0", "1"):
        return HttpResponse("Say ticked=1 or ticked=0.", status=400)
    services.checklist_item_tick(
        item=item, member=member, is_staff=request.user.is_staff, ticked=ticked == "1", at=timezone.now()
    )
    duty = _get_instance(item.duty_id)
    if request.headers.get("HX-Request") == "true":
        return render(
            request, "duties/_duty_card.html", {"duty": duty, "today": local_today(member), "editable": True}
        )
    if duty.done_at is not None:
        messages.success(request, f"“{duty.definition.title}” is done.")
    return _back(request, duty)


@login_required
@require_POST
def duty_complete(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(DutyInstance, pk=pk)
    member = member_of(request.user)
    form = NotesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Notes are limited to 10,000 characters; nothing was changed.")
        return _back(request, duty)
    notes = form.cleaned_data["notes"] if "notes" in request.POST else None
    services.duty_instance_complete(
        instance=duty, member=member, is_staff=request.user.is_staff, at=timezone.now(), notes=notes
    )
    messages.success(request, "Duty marked as done.")
    return _back(request, duty)


@login_required
@require_POST
def duty_notes(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(DutyInstance, pk=pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Notes are limited to 10,000 characters; nothing was changed.")
        return _back(request, duty)
    try:
        services.duty_instance_update_notes(
            instance=duty,
            member=member_of(request.user),
            is_staff=request.user.is_staff,
            notes=form.cleaned_data["notes"],
            at=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _back(request, duty)
    messages.success(request, "Notes saved.")
    return _back(request, duty)


@login_required
@require_GET
def cell_health(request: HttpRequest) -> HttpResponse:
    """Every finding of a cell grouped by rule and owner, its trend per sprint, and duty
    completion per role over the last three sprints. ``?cell=<slug>``; defaults to your cell."""
    member = member_of(request.user)
    slug = request.GET.get("cell") or (member.cell.slug if member and member.cell else "")
    cells = list(Cell.objects.order_by("name"))
    cell = next((c for c in cells if c.slug == slug), None)
    if cell is None:
        if slug:
            return render(request, "duties/cell_health.html", {"cells": cells, "unknown": slug}, status=404)
        return render(request, "duties/cell_health.html", {"cells": cells})
    require_cell_view(request.user, cell)
    today = local_today(member)
    findings_selectors.ensure_fresh()
    findings = list(findings_selectors.open_findings(cell_ids=[cell.pk]))
    history = findings_selectors.cell_history(cell_id=cell.pk, as_of=today)
    owners = selectors.member_names({f.member_id for f in findings if f.member_id is not None})
    titles = {rule.slug: rule.title for rule in rules()}
    grouped: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        owner = (
            owners.get(finding.member_id or 0) or (finding.role_slug or "").replace("-", " ") or "Unassigned"
        )
        grouped[finding.rule][owner].append(finding)
    current = calendar.sprint_on(today)
    start = calendar.sprint_dates(max(1, current.number - 2)).start
    trend = selectors.finding_trend(cell=cell)
    peak = max((row["total"] for row in trend), default=0)
    return render(
        request,
        "duties/cell_health.html",
        {
            "cells": cells if sees_every_cell(request.user) else [c for c in cells if c.pk == cell.pk],
            "cell": cell,
            "today": today,
            "finding_count": len(findings),
            "findings_freshness": findings_selectors.freshness(cell_ids=[cell.pk]),
            "can_recheck": request.user.is_staff or (member is not None and member.cell_id == cell.pk),
            "now": timezone.now(),
            "history": history,
            "history_chart": mark_safe(
                findings_charts.history_svg(
                    months=history.months,
                    series=[(r.rule, r.per_month) for r in history.rules],
                    title=f"Findings per month in {cell.name}",
                )
            ),
            "groups": [
                {"rule": rule, "title": titles.get(rule, rule), "owners": sorted(owners_map.items())}
                for rule, owners_map in sorted(grouped.items())
            ],
            "trend": trend,
            "trend_peak": peak,
            "completion": selectors.completion_by_role(cell=cell, start=start, as_of=today),
            "completion_since": start,
            "duties": selectors.cell_duties(
                cell=cell, start=today - timedelta(days=14), end=today + timedelta(days=7)
            ),
        },
    )


@login_required
@require_GET
def triage_form(request: HttpRequest) -> HttpResponse:
    """The security-triage rule: severity in, schedule out (GET, nothing is stored)."""
    schedule = None
    form = TriageForm(request.GET or None)
    if form.is_valid():
        schedule = triage(
            form.cleaned_data["severity"],
            reported_on=form.cleaned_data["reported_on"],
            epoch=calendar.epoch(),
        )
    sprint = calendar.sprint_dates(schedule.sprint_number) if schedule and schedule.sprint_number else None
    return render(
        request,
        "duties/triage.html",
        {"form": form, "schedule": schedule, "sprint": sprint},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def clock_form(request: HttpRequest) -> HttpResponse:
    """When a member owes a reply: member, ping time and window in, due instant out."""
    form = ClockForm(request.GET or None)
    due: datetime | None = None
    if form.is_valid():
        target: Member = form.cleaned_data["member"]
        if not can_view_cell(request.user, target.cell):
            raise PermissionDenied("You can only look up members of your own cell.")
        try:
            due = selectors.member_reply_due(
                member=target,
                pinged_at=form.cleaned_data["pinged_at"],
                window=Window(form.cleaned_data["window"]),
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "duties/clock.html",
        {
            "form": form,
            "due": due,
            # Formatted here: the template's date filter would convert to the viewer's zone,
            # and the answer is in the pinged member's.
            "due_text": formats.date_format(due, "DATETIME_FORMAT") if due else "",
            "due_iso": due.isoformat() if due else "",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_POST
def digest_toggle(request: HttpRequest) -> HttpResponse:
    """Opt in or out of one's own daily digest (``email_digest`` = 1 or 0)."""
    member = member_of(request.user)
    value = request.POST.get("email_digest")
    if member is None:
        raise PermissionDenied("Your account is not linked to a member.")
    if value not in ("0", "1"):
        return HttpResponse("Say email_digest=1 or email_digest=0.", status=400)
    services.member_digest_set(member=member, enabled=value == "1")
    messages.success(request, "Daily email turned on." if value == "1" else "Daily email turned off.")
    return redirect("home")
