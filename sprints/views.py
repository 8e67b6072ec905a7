"""Pages of the sprints app: the cell sprint board, a member's board, injections,
the spillover wrap-up and explanations."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencraft_ops import calendar
from opencraft_ops.csv_export import csv_query, csv_response, wants_csv
from opencraft_ops.responses import bad_request
from roles.models import Cell, Member
from roles.permissions import can_manage_cell, member_of, require_cell_manage, require_cell_view
from sprints import exports, newcomer_selectors, selectors, services, tasks
from sprints.forms import MemberSprintUpdateForm, SpilloverExplanationForm, SprintChoiceForm
from sprints.models import Ticket, UpdateKind

SPRINT_ROLES = {"sprint-manager", "sprint-planning-manager"}

log = logging.getLogger(__name__)


def _sprint_number(request: HttpRequest, default: int) -> int | None:
    form = SprintChoiceForm(request.GET)
    if not form.is_valid():
        return None
    return form.cleaned_data["sprint"] or default


def _bad_sprint() -> HttpResponse:
    return bad_request(f"The sprint must be a sprint number from 1 to {calendar.MAX_SPRINT_NUMBER}.")


def _sprint_choices(current: int, selected: int) -> list[tuple[int, str]]:
    numbers = sorted({current - 1, current, current + 1, selected} - {0})
    names = {current - 1: "previous", current: "current", current + 1: "next"}
    return [(n, f"Sprint {n}" + (f" ({names[n]})" if n in names else "")) for n in numbers]


@login_required
@require_GET
def my_board(request: HttpRequest) -> HttpResponse:
    """The board of the viewer's own cell (the navigation entry)."""
    member = member_of(request.user)
    if member is None or member.cell is None:
        cells = Cell.objects.order_by("name") if request.user.is_staff else Cell.objects.none()
        return render(request, "sprints/no_cell.html", {"cells": cells})
    return redirect("sprints:board", cell_slug=member.cell.slug)


@login_required
@require_GET
def board(request: HttpRequest, cell_slug: str) -> HttpResponse:
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_view(request.user, cell)
    current, _ = selectors.sprint_numbers_around(timezone.localdate())
    number = _sprint_number(request, current)
    if number is None:
        return _bad_sprint()
    data = selectors.board(cell=cell, sprint_number=number)
    if wants_csv(request):
        return csv_response(
            filename=f"capacity-{cell.slug}-sprint-{number}",
            header=exports.CAPACITY_HEADER,
            rows=exports.capacity_rows(data),
        )
    context = {
        "csv_url": csv_query(request.GET),
        "cell": cell,
        "board": data,
        "sprint_number": number,
        "current": current,
        "choices": _sprint_choices(current, number),
        "viewer": member_of(request.user),
        "cutoff_day": selectors.cutoff_day(),
        # The members' written updates, for the sprint manager (one query for all of them).
        "update_lines": selectors.update_lines(
            members=[(item.row.member_id, item.row.name) for item in data.rows], sprint_number=number
        ),
    }
    # Only the injections' Accept buttons and the completion call to action need the viewer's
    # roles: no role lookup when neither shows, one when either does.
    due = selectors.sprint_to_complete(cell=cell, today=timezone.localdate())
    manages = (bool(data.injections) or due is not None) and can_manage_cell(request.user, cell, SPRINT_ROLES)
    context["can_manage"] = manages and bool(data.injections)
    context["completion_due"] = _completion_due(due) if manages else None
    return render(request, "sprints/board.html", context)


def _completion_due(number: int | None) -> dict[str, object] | None:
    """The board's call to action for the sprint manager (and staff) in a sprint's last days:
    the sprint to complete and its last day."""
    if number is None:
        return None
    dates = calendar.sprint_dates(number)
    return {"number": number, "end": dates.end, "over": timezone.localdate() > dates.end}


@login_required
@require_GET
def member_board(request: HttpRequest, cell_slug: str, member_id: int) -> HttpResponse:
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_view(request.user, cell)
    member = get_object_or_404(Member.objects.select_related("user"), pk=member_id, cell=cell)
    current, _ = selectors.sprint_numbers_around(timezone.localdate())
    number = _sprint_number(request, current)
    if number is None:
        return _bad_sprint()
    viewer = member_of(request.user)
    (updates,) = selectors.update_lines(members=[(member.pk, member.name)], sprint_number=number)
    context = {
        "cell": cell,
        "member": member,
        "updates": updates,
        # The member records their own updates, for the current sprint or the one just ended.
        "can_record": viewer is not None and viewer.pk == member.pk and number in (current, current - 1),
        "kinds": UpdateKind.choices,
        "row": selectors.member_capacity(member=member, sprint_number=number),
        "rows": selectors.member_ticket_rows(member=member, sprint_number=number),
        "dates": calendar.sprint_dates(number),
        "sprint_number": number,
        "choices": _sprint_choices(current, number),
    }
    return render(request, "sprints/member_board.html", context)


@login_required
@require_POST
def record_update(request: HttpRequest, cell_slug: str, member_id: int) -> HttpResponse:
    """A member records that they posted their mid-sprint or end-of-sprint update."""
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_view(request.user, cell)
    member = get_object_or_404(Member.objects.select_related("user"), pk=member_id, cell=cell)
    viewer = member_of(request.user)
    if viewer is None or viewer.pk != member.pk:
        raise PermissionDenied("Members record their own sprint updates.")
    form = MemberSprintUpdateForm(request.POST)
    if not form.is_valid():
        return bad_request(
            "Give the update (mid or end), the sprint number, and optionally a link and a note."
        )
    data = form.cleaned_data
    try:
        update = services.member_sprint_update_record(
            member=member,
            kind=data["kind"],
            sprint_number=data["sprint"],
            as_of=timezone.localdate(),
            link=data["link"],
            note=data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Recorded: your {update.get_kind_display().lower()} for sprint {data['sprint']}."
        )
    return redirect(f"{reverse('sprints:member_board', args=[cell.slug, member.pk])}?sprint={data['sprint']}")


@login_required
@require_POST
def accept_injection(request: HttpRequest, cell_slug: str, key: str) -> HttpResponse:
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_manage(request.user, cell, SPRINT_ROLES)
    ticket = get_object_or_404(Ticket.objects.select_related("sprint"), key=key, cell=cell)
    try:
        services.ticket_accept_injection(ticket=ticket)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{ticket.key} is accepted into {ticket.sprint}.")
    number = ticket.sprint.number if ticket.sprint else ""
    return redirect(f"{reverse('sprints:board', args=[cell.slug])}?sprint={number}")


@login_required
@require_GET
def wrap_up(request: HttpRequest, cell_slug: str) -> HttpResponse:
    """The sprint manager's wrap-up: spillovers and explanations, and clean members."""
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_view(request.user, cell)
    current, _ = selectors.sprint_numbers_around(timezone.localdate())
    number = _sprint_number(request, max(current - 1, 1))
    if number is None:
        return _bad_sprint()
    wrap = selectors.wrap_up(cell=cell, sprint_number=number)
    if wants_csv(request):
        return csv_response(
            filename=f"spillovers-{cell.slug}-sprint-{number}",
            header=exports.SPILLOVER_HEADER,
            rows=exports.spillover_rows(wrap.spillovers),
        )
    context = {
        "csv_url": csv_query(request.GET),
        "cell": cell,
        "wrap": wrap,
        "sprint_number": number,
        "choices": _sprint_choices(current, number),
        "viewer": member_of(request.user),
        "can_manage": can_manage_cell(request.user, cell, SPRINT_ROLES),
    }
    return render(request, "sprints/wrap_up.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def explain_spillover(request: HttpRequest, pk: int) -> HttpResponse:
    spillover = selectors.spillover_for_explanation(pk)
    viewer = member_of(request.user)
    is_assignee = viewer is not None and spillover.assignee_id == viewer.pk
    cell = spillover.cell
    manages = cell is not None and can_manage_cell(request.user, cell, SPRINT_ROLES)
    if not (is_assignee or manages or request.user.is_staff):
        raise PermissionDenied("Only the assignee or the cell's sprint manager can explain a spillover.")
    form = SpilloverExplanationForm(request.POST or None, instance=spillover)
    if request.method == "POST" and form.is_valid():
        services.spillover_explain(
            spillover=spillover, explanation=form.cleaned_data["explanation"], by_user_id=request.user.pk
        )
        messages.success(request, f"Explanation saved for {spillover.ticket.key}.")
        if cell is None:
            return redirect("sprints:my_board")
        return redirect(f"{reverse('sprints:wrap_up', args=[cell.slug])}?sprint={spillover.sprint.number}")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "sprints/spillover_form.html", {"spillover": spillover, "form": form}, status=status
    )


def _completion_number(request: HttpRequest, cell: Cell) -> int | None:
    """The sprint the completion page is about: the one asked for, else the one ending (or
    just ended and not completed yet), else the current sprint."""
    today = timezone.localdate()
    current, _ = selectors.sprint_numbers_around(today)
    due = selectors.sprint_to_complete(cell=cell, today=today) if not request.GET.get("sprint") else None
    return _sprint_number(request, due or current)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, cell_slug: str) -> HttpResponse:
    """Sprint completion: GET shows the plan (dry run) and, once started, the live progress;
    POST queues the resumable task (the page's script posts with ``Accept: application/json``
    and polls ``complete_status`` meanwhile; without script, a redirect back here)."""
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_manage(request.user, cell, SPRINT_ROLES)
    current, _ = selectors.sprint_numbers_around(timezone.localdate())
    number = _completion_number(request, cell)
    if number is None:
        return _bad_sprint()
    status = 200
    if request.method == "POST":
        try:
            # A refused request leaves nothing behind, not even the sprint's row.
            with transaction.atomic():
                sprint = services.sprint_ensure(number=number)
                completion = services.sprint_completion_request(
                    cell=cell, sprint=sprint, user_id=request.user.pk, as_of=timezone.localdate()
                )
        except services.CompletionRefused as exc:
            if _wants_json(request):
                return JsonResponse({"error": " ".join(exc.messages)}, status=400)
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            transaction.on_commit(lambda: _start_run(completion.pk))
            if _wants_json(request):
                # With Celery eager the task has run by now; with a worker it is queued.
                return JsonResponse({"queued": True, "status_url": _status_url(cell, number)}, status=202)
            messages.success(request, f"Completing {sprint} for {cell}: the steps run in the background.")
            return redirect(f"{reverse('sprints:complete', args=[cell.slug])}?sprint={number}")
    plan = selectors.completion_plan(cell=cell, sprint_number=number)
    context = {
        "cell": cell,
        "plan": plan,
        "sprint_number": number,
        "choices": _sprint_choices(current, number),
        "progress": selectors.completion_progress(plan.completion, sprint_number=number),
        "status_url": _status_url(cell, number),
        "can_run": timezone.localdate() >= calendar.sprint_dates(number).end,
    }
    return render(request, "sprints/complete.html", context, status=status)


def _start_run(completion_id: int) -> None:
    """Queues the run. A failure here must not become an error page: with Celery eager the run
    itself failed (its step recorded the error, the page shows it and offers the re-run); with
    a worker the broker refused the task, which is recorded the same way."""
    try:
        tasks.complete_sprint.delay(completion_id)
    except Exception as exc:  # recorded on the completion and shown on the page
        log.warning("Sprint completion %s did not run: %s", completion_id, exc)
        services.sprint_completion_not_run(completion_id=completion_id, error=str(exc))


def _status_url(cell: Cell, number: int) -> str:
    return f"{reverse('sprints:complete_status', args=[cell.slug])}?sprint={number}"


@login_required
@require_GET
def complete_status(request: HttpRequest, cell_slug: str) -> HttpResponse:
    """The live progress of a completion, as JSON (polled by the completion page)."""
    cell = selectors.cell_by_slug(cell_slug)
    require_cell_manage(request.user, cell, SPRINT_ROLES)
    form = SprintChoiceForm(request.GET)
    if not form.is_valid() or not form.cleaned_data["sprint"]:
        return JsonResponse(
            {"error": f"Give the sprint as ?sprint=<number from 1 to {calendar.MAX_SPRINT_NUMBER}>."},
            status=400,
        )
    response = JsonResponse(selectors.completion_status(cell=cell, sprint_number=form.cleaned_data["sprint"]))
    response["Cache-Control"] = "no-store"
    return response


NEWCOMER_VIEWERS = {"mentor", "recruitment-manager", "sprint-manager", "sprint-planning-manager"}


@login_required
@require_GET
def newcomer(request: HttpRequest, member_id: int) -> HttpResponse:
    """A newcomer's guard rails, for the newcomer, their mentor and the cell's role holders."""
    member = get_object_or_404(Member.objects.select_related("user", "cell"), pk=member_id)
    overview = newcomer_selectors.newcomer_overview(member=member, as_of=timezone.localdate())
    viewer = member_of(request.user)
    allowed = (
        request.user.is_staff
        or (viewer is not None and (viewer.pk == member.pk or viewer.pk in {m.pk for m in overview.mentors}))
        or (member.cell is not None and can_manage_cell(request.user, member.cell, NEWCOMER_VIEWERS))
    )
    if not allowed:
        raise PermissionDenied("Only the newcomer, their mentor and the cell's role holders see this page.")
    return render(request, "sprints/newcomer.html", {"o": overview, "member": member})
