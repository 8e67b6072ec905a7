"""Rotation pages: the calendar grid with coverage, edits, schedule generation and calendar feeds."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencraft_ops import calendar
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from opencraft_ops.csv_export import csv_query, csv_response, wants_csv
from roles.models import Cell
from roles.permissions import can_manage_cell, can_view_cell, member_of
from rotations import exports, selectors
from rotations.forms import BackupForm, ChangeSlotForm, FillSlotForm, GenerateForm, SwapForm
from rotations.models import CalendarFeed, RotationAssignment, RotationKind
from rotations.services import editing, feeds, rules, schedule

GRID_SPRINTS = 4


def _day(day: date) -> str:
    """A day as the portal writes it in messages (its one format)."""
    return date_format(day, "DATE_FORMAT")


def _manage(request: HttpRequest, cell: Cell) -> bool:
    return can_manage_cell(request.user, cell, selectors.SPRINT_MANAGER_ROLES)


def _require_manage(request: HttpRequest, cell: Cell) -> None:
    if not _manage(request, cell):
        raise PermissionDenied("Only staff or the cell's sprint manager can change rotations.")


# The grid shows GRID_SPRINTS sprints from ?from=, which must all exist in the calendar.
MAX_GRID_FROM = MAX_SPRINT_NUMBER - GRID_SPRINTS + 1


def _int_param(request: HttpRequest, name: str, default: int, *, maximum: int = MAX_SPRINT_NUMBER) -> int:
    """A sprint number from the query string: the default when missing or not a positive
    number, at most ``maximum`` (navigation links never lead to a page that cannot exist)."""
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return min(default, maximum)
    return min(value if value >= 1 else default, maximum)


def _grid_url(cell: Cell, request: HttpRequest) -> str:
    query = request.POST.get("next_query", "")
    url = reverse("rotations:grid", args=[cell.slug])
    return f"{url}?{query}" if query and "\n" not in query else url


def _refused(request: HttpRequest, cell: Cell, what: str, form: forms.Form) -> HttpResponse:
    """Back to the grid with the form's errors, e.g. "Swap not recorded: ..."."""
    errors = [str(e) for errs in form.errors.values() for e in errs]
    messages.error(request, f"{what}: " + " ".join(errors))
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    member = member_of(request.user)
    cells = [c for c in Cell.objects.order_by("name") if can_view_cell(request.user, c)]
    if member is not None and member.cell_id and len(cells) == 1:
        return redirect("rotations:grid", member.cell.slug)  # type: ignore[union-attr]
    return render(request, "rotations/index.html", {"cells": cells, "member": member})


@login_required
@require_GET
def grid(request: HttpRequest, slug: str) -> HttpResponse:
    cell = selectors.cell_for_view(request.user, slug)
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    first = _int_param(request, "from", current, maximum=MAX_GRID_FROM)
    coverage_sprint = _int_param(request, "sprint", first)
    policy = selectors.policy_for(cell)
    manage = _manage(request, cell)
    rows = selectors.grid_rows(cell, first_sprint=first, count=GRID_SPRINTS, today=today)
    columns = selectors.grid_columns(policy, rows)
    if wants_csv(request):
        return csv_response(
            filename=f"rotations-{cell.slug}-sprints-{first}-{first + GRID_SPRINTS - 1}",
            header=exports.SCHEDULE_HEADER,
            rows=exports.schedule_rows(rows, columns),
        )
    context = {
        "csv_url": csv_query(request.GET),
        "cell": cell,
        "policy": policy,
        "budget": selectors.cell_budget(cell, as_of=today, policy=policy),
        "rows": rows,
        "columns": columns,
        "coverage": selectors.sprint_coverage(cell, sprint_number=coverage_sprint),
        "coverage_dates": calendar.sprint_dates(coverage_sprint),
        "current": current,
        "first": first,
        "prev_first": max(first - GRID_SPRINTS, 1),
        "next_first": min(first + GRID_SPRINTS, MAX_GRID_FROM),
        "can_manage": manage,
        "members": selectors.member_choices(cell, as_of=today) if manage else [],
        "swaps": selectors.recent_swaps(cell),
        "changes": selectors.assignment_history(cell),
        "today": today,
        "query": request.GET.urlencode(),
        "mine": selectors.member_upcoming_rotations(me, as_of=today)
        if (me := member_of(request.user))
        else [],
    }
    return render(request, "rotations/grid.html", context)


@login_required
@require_POST
def change_slot(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    assignment = get_object_or_404(
        RotationAssignment.objects.select_related("member__user", "cell"), pk=pk, cell=cell
    )
    form = ChangeSlotForm(request.POST, cell=cell)
    if not form.is_valid():
        messages.error(request, "Choose a member of the cell.")
        return HttpResponseRedirect(_grid_url(cell, request))
    try:
        editing.rotation_change(
            assignment=assignment,
            member=form.cleaned_data["member"],
            user=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{assignment.get_kind_display()} is now {assignment.member}.")
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_POST
def fill_slot(request: HttpRequest, slug: str) -> HttpResponse:
    """Give an empty slot of the grid a holder (the same rules as the API and the admin)."""
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    form = FillSlotForm(request.POST, cell=cell)
    if not form.is_valid():
        return _refused(request, cell, "Slot not filled", form)
    data = form.cleaned_data
    try:
        assignment = editing.rotation_create(
            kind=data["kind"],
            cell=cell,
            member=data["member"],
            start=data["start"],
            end=rules.slot_end(data["kind"], data["start"]),
            note=data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "Slot not filled: " + " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{assignment.member} is {assignment.get_kind_display().lower()} from {_day(assignment.start)}.",
        )
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_POST
def remove_slot(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a slot of the cell, e.g. a backup firefighter no longer needed."""
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    assignment = get_object_or_404(
        RotationAssignment.objects.select_related("member__user", "cell", "sprint"), pk=pk, cell=cell
    )
    label = f"{assignment.get_kind_display()} {assignment.member} ({_day(assignment.start)} – {_day(assignment.end)})"
    handed_back = assignment.kind == RotationKind.PAGER and assignment.set_by_hand
    try:
        editing.rotation_delete(assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = (
            f"{assignment.get_kind_display()} from {_day(assignment.start)} follows the firefighters again."
        )
        messages.success(request, done if handed_back else f"Removed: {label}.")
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_POST
def swap(request: HttpRequest, slug: str) -> HttpResponse:
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    form = SwapForm(request.POST, cell=cell)
    if not form.is_valid():
        return _refused(request, cell, "Swap not recorded", form)
    first, second = form.cleaned_data["slots"]
    try:
        record = editing.rotation_swap(
            first=first,
            second=second,
            agreed_on=form.cleaned_data["agreed_on"],
            agreed_by=form.cleaned_data["agreed_by"],
            user=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "Swap not recorded: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Swapped {record.first_member} and {record.second_member}.")
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_POST
def backup(request: HttpRequest, slug: str) -> HttpResponse:
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    form = BackupForm(request.POST, cell=cell)
    if not form.is_valid():
        return _refused(request, cell, "Backup not assigned", form)
    data = form.cleaned_data
    try:
        editing.rotation_backup_assign(
            cell=cell,
            sprint_number=data["sprint"],
            member=data["member"],
            start=data["start"],
            end=data["end"],
            note=data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "Backup not assigned: " + " ".join(exc.messages))
    else:
        messages.success(
            request, f"{data['member']} is backup firefighter from {data['start']} to {data['end']}."
        )
    return HttpResponseRedirect(_grid_url(cell, request))


@login_required
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    cell = selectors.cell_for_view(request.user, slug)
    _require_manage(request, cell)
    current = calendar.sprint_on(timezone.localdate()).number
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = GenerateForm(data, initial={"first_sprint": current + 1, "sprints": 3})
    plan = None
    if form.is_bound and form.is_valid():
        first, count = form.cleaned_data["first_sprint"], form.cleaned_data["sprints"]
        if request.method == "POST":
            result = schedule.schedule_apply(cell=cell, first_sprint=first, sprints=count)
            messages.success(
                request,
                f"Schedule applied: {len(result.created)} new slot(s), {len(result.plan.unfilled)} left empty.",
            )
            return redirect(f"{reverse('rotations:grid', args=[cell.slug])}?from={first}")
        plan = schedule.schedule_preview(cell=cell, first_sprint=first, sprints=count)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "rotations/generate.html", {"cell": cell, "form": form, "plan": plan}, status=status
    )


# --- Calendar feeds ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feed_list(request: HttpRequest) -> HttpResponse:
    member = member_of(request.user)
    new_url = None
    if request.method == "POST":
        target = request.POST.get("target", "")
        if target == "me" and member is not None:
            _, token = feeds.feed_create(owner=request.user, member=member)  # type: ignore[arg-type]
        elif target.startswith("cell:"):
            cell = Cell.objects.filter(slug=target[5:]).first()
            if cell is None or not can_view_cell(request.user, cell):
                messages.error(request, "You can only subscribe to your own cell's calendar.")
                return redirect("rotations:feeds")
            _, token = feeds.feed_create(owner=request.user, cell=cell)  # type: ignore[arg-type]
        else:
            messages.error(request, "Choose whose calendar to subscribe to.")
            return redirect("rotations:feeds")
        new_url = request.build_absolute_uri(reverse("rotations:ical", args=[token]))
    my_feeds = CalendarFeed.objects.filter(owner_id=request.user.pk).select_related("member__user", "cell")
    cells = [c for c in Cell.objects.order_by("name") if can_view_cell(request.user, c)]
    return render(
        request,
        "rotations/feeds.html",
        {"feeds": my_feeds, "cells": cells, "member": member, "new_url": new_url},
        status=201 if new_url else 200,
    )


def _own_feed(request: HttpRequest, pk: int) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(
        Q(pk=pk) & (Q(owner_id=request.user.pk) if not request.user.is_staff else Q())
    ).first()
    if feed is None:
        raise Http404("No such calendar feed.")
    return feed


@login_required
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feeds.feed_revoke(feed=_own_feed(request, pk))
    messages.success(request, "The calendar URL no longer works.")
    return redirect("rotations:feeds")


@login_required
@require_POST
def feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    old = _own_feed(request, pk)
    if old.revoked_at is not None:
        messages.error(request, "This feed was revoked; create a new one.")
        return redirect("rotations:feeds")
    _, token = feeds.feed_regenerate(feed=old)
    url = request.build_absolute_uri(reverse("rotations:ical", args=[token]))
    messages.success(request, f"New calendar URL (the old one stopped working): {url}")
    return redirect("rotations:feeds")


@require_GET
def ical(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design: calendar clients cannot log in, the secret token is the key."""
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404("Unknown or revoked calendar.")
    now = timezone.now()
    problem = feeds.feed_access_problem(feed, today=timezone.localdate())
    if problem:
        # Gone for good: calendar clients stop polling a 410.
        return HttpResponse(
            f"This calendar feed no longer works. {problem}\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    name = f"Rotations of {feed.member.name}" if feed.member else f"{feed.cell} rotations"
    body = feeds.render_calendar(
        name=name,
        assignments=feeds.feed_assignments(feed, today=now.date()),
        stamp=now,
        base_url=request.build_absolute_uri("/"),
    )
    feeds.feed_touch(feed=feed, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rotations.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
