"""Epic pages: the cell's epics board, the epic page, the update form, the
rendered update and the epic planning view."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from epics import selectors as sel
from epics import services as svc
from epics.capacity_plan import capacity_plans
from epics.forms import (
    BoardFilterForm,
    BudgetKindForm,
    BudgetPeriodForm,
    MilestoneForm,
    TransitionForm,
    initial_answers,
    update_form_class,
)
from epics.models import EpicMilestone, PostState
from roles.models import Cell
from roles.permissions import can_view_cell, member_of
from sprints.calculations import thursday_w2


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
@require_GET
def epics_index(request: HttpRequest) -> HttpResponse:
    """The member's own cell board, or the list of cells to pick from."""
    member = member_of(request.user)
    if member is not None and member.cell_id is not None:
        return redirect("epics:epic-board", slug=member.cell.slug)  # type: ignore[union-attr]
    cells = [c for c in Cell.objects.order_by("name") if can_view_cell(request.user, c)]
    return render(request, "epics/index.html", {"cells": cells})


@login_required
@require_GET
def epic_board(request: HttpRequest, slug: str) -> HttpResponse:
    cell = sel.cell_get(slug=slug, user=request.user)
    members = [(m.pk, m.name) for m in sel.cell_members(cell)]
    form = BoardFilterForm(request.GET or None, members=members)
    filters = sel.BoardFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = sel.BoardFilters(
            owner_id=data["owner"], budget_kind=data["budget_kind"], health=data["health"], search=data["q"]
        )
    today = timezone.localdate()
    rows = sel.epic_rows(as_of=today, cell=cell, filters=filters)
    return render(
        request,
        "epics/board.html",
        {"cell": cell, "columns": sel.board_columns(rows), "form": form, "count": len(rows), "today": today},
    )


@login_required
@require_GET
def epic_planning(request: HttpRequest, slug: str) -> HttpResponse:
    cell = sel.cell_get(slug=slug, user=request.user)
    today = timezone.localdate()
    sprint = sel.current_sprint(today)
    rows = sel.epic_rows(as_of=today, cell=cell, with_responsible=True)
    return render(
        request,
        "epics/planning.html",
        {
            "cell": cell,
            "rows": rows,
            "sprint": sprint,
            "due_day": thursday_w2(sprint),
            "away": sel.availability_notes(cell=cell, as_of=today),
            "window": sel.availability_window(today),
            # The manager reviews the status changes since the previous sprint started.
            "changes": sel.recent_status_changes(cell=cell, since=sprint.start - timedelta(days=14)),
            "plan": capacity_plans(as_of=today, cells=[cell])[0],
            "today": today,
        },
    )


@login_required
@require_GET
def epic_page(request: HttpRequest, key: str) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    today = timezone.localdate()
    detail = sel.epic_detail(epic=epic, as_of=today)
    can_edit = sel.can_edit_epic(request.user, epic)
    return render(
        request,
        "epics/epic.html",
        {
            "epic": epic,
            "d": detail,
            "can_edit": can_edit,
            "transition_form": TransitionForm(current=epic.status),
            "milestone_form": MilestoneForm(),
            "budget_form": BudgetPeriodForm(initial={"since": today.replace(day=1)}),
            "kind_form": BudgetKindForm(
                initial={"budget_kind": epic.budget_kind, "budget_hours": epic.budget_hours}
            ),
            "today": today,
        },
    )


@login_required
@require_POST
def epic_transition(request: HttpRequest, key: str) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    form = TransitionForm(request.POST, current=epic.status)
    if not form.is_valid():
        messages.error(request, "Pick one of the statuses this epic can move to.")
        return redirect("epics:epic", key=epic.key)
    try:
        svc.epic_transition(
            epic=epic,
            to_status=form.cleaned_data["to_status"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, f"{epic.key} is now {epic.get_status_display()}.")
    return redirect("epics:epic", key=epic.key)


@login_required
@require_POST
def epic_milestone_add(request: HttpRequest, key: str) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        svc.epic_milestone_create(epic=epic, **form.cleaned_data)
        messages.success(request, "Milestone added.")
    else:
        messages.error(request, "A milestone needs a title and a valid deadline.")
    return redirect("epics:epic", key=epic.key)


@login_required
@require_POST
def epic_milestone_toggle(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    milestone = get_object_or_404(EpicMilestone, pk=pk, epic=epic)
    if request.POST.get("action") == "delete":
        svc.epic_milestone_delete(milestone=milestone)
        messages.success(request, "Milestone removed.")
    else:
        svc.epic_milestone_set_done(milestone=milestone, done=not milestone.done)
    return redirect("epics:epic", key=epic.key)


@login_required
@require_POST
def epic_budget_kind(request: HttpRequest, key: str) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    form = BudgetKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a budget kind and give hours of zero or more.")
        return redirect("epics:epic", key=epic.key)
    try:
        svc.epic_budget_kind_set(epic=epic, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, "Budget saved.")
    return redirect("epics:epic", key=epic.key)


@login_required
@require_POST
def epic_budget_add(request: HttpRequest, key: str) -> HttpResponse:
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    form = BudgetPeriodForm(request.POST)
    if form.is_valid():
        svc.epic_budget_set(epic=epic, **form.cleaned_data)
        messages.success(request, "Monthly budget recorded.")
    else:
        messages.error(request, "Give a number of hours (zero or more) and a start date.")
    return redirect("epics:epic", key=epic.key)


@login_required
@require_http_methods(["GET", "POST"])
def epic_update_form(request: HttpRequest, key: str) -> HttpResponse:
    """This sprint's update of the epic: prefilled with the portal's figures, or the saved answers.

    A GET only reads; a POST writes (the sprint row and the update) only when
    every answer is valid.
    """
    epic = sel.epic_get(key=key, user=request.user)
    sel.require_epic_edit(request.user, epic)
    today = timezone.localdate()
    sprint_dates = sel.current_sprint(today)
    existing = sel.sprint_update(epic=epic, sprint_number=sprint_dates.number)
    if existing is not None and existing.post_state in (PostState.POSTED, PostState.QUEUED):
        messages.info(request, "This sprint's update is already sent to JIRA.")
        return redirect("epics:epic-update", pk=existing.pk)
    form_class = update_form_class(epic.budget_kind)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                update = svc.epic_update_save(
                    epic=epic,
                    sprint_number=sprint_dates.number,
                    author=member_of(request.user),
                    answers=form.answers,
                )
            except ValidationError as exc:
                form.add_error(None, _errors_text(exc))
            else:
                messages.success(request, "Epic update saved. Check it below, then post it to JIRA.")
                return redirect("epics:epic-update", pk=update.pk)
        status = 400
    else:
        figures = sel.prefill_figures(epic=epic, as_of=today)
        form = form_class(
            initial=initial_answers(epic.budget_kind, figures, existing.answers if existing else None)
        )
        status = 200
    return render(
        request,
        "epics/update_form.html",
        {
            "epic": epic,
            "form": form,
            "sprint_label": str(existing.sprint) if existing else f"Sprint {sprint_dates.number}",
            "due_day": thursday_w2(sprint_dates),
            "existing": existing,
        },
        status=status,
    )


@login_required
@require_GET
def epic_update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = sel.update_get(pk=pk, user=request.user)
    return render(
        request,
        "epics/update.html",
        {
            "update": update,
            "epic": update.epic,
            "wiki": svc.update_text(update, wiki=True),
            "markdown": svc.update_text(update, wiki=False),
            "can_edit": sel.can_edit_epic(request.user, update.epic),
            "is_reviewer": (me := member_of(request.user)) is not None and me.pk == update.epic.reviewer_id,
        },
    )


@login_required
@require_POST
def epic_update_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """The epic's reviewer acknowledges the update, with an optional comment."""
    update = sel.update_get(pk=pk, user=request.user)
    try:
        svc.epic_update_acknowledge(
            update=update, by=member_of(request.user), comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("epics:epic-update", pk=update.pk)
    messages.success(request, "Acknowledged: the owner sees that you read this update.")
    return redirect("epics:epic-update", pk=update.pk)


@login_required
@require_POST
def epic_update_post(request: HttpRequest, pk: int) -> HttpResponse:
    update = sel.update_get(pk=pk, user=request.user)
    if not sel.can_edit_epic(request.user, update.epic):
        raise PermissionDenied(
            "Only the epic's owner or reviewer, the cell's epic planning manager or staff can post it."
        )
    if svc.epic_update_queue_post(update=update):
        messages.success(request, "The update is queued for JIRA; this page shows when it is posted.")
    else:
        messages.info(request, "This update is already posted or on its way to JIRA.")
    return redirect("epics:epic-update", pk=update.pk)
