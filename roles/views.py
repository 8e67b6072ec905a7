"""Pages of the organisation: the directory and a member's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from findings import selectors as findings_selectors
from opencraft_ops.calendar import sprint_on
from roles import selectors, services
from roles.forms import DirectoryFilterForm, TimeOffForm, apply_validation_error
from roles.models import Cell, Member, Role
from roles.permissions import (
    TIME_OFF_OWNERS,
    can_edit_member_record,
    can_view_member,
    member_of,
    sees_every_cell,
)


def _viewer(request: HttpRequest) -> dict[str, object]:
    """What the ``member_link`` tag needs to know about the viewer (two queries, cached)."""
    me = member_of(request.user)
    return {"viewer_cell_id": me.cell_id if me else None, "sees_all": sees_every_cell(request.user)}


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The whole organisation: a line per cell (management roles, what is missing, who is
    off, findings) and the members, a page at a time, filtered by name, cell or role."""
    today = timezone.localdate()
    sprint = sprint_on(today)
    # Stored findings (findings.selectors): no process check runs here.
    findings_selectors.ensure_fresh()
    cells = list(Cell.objects.order_by("name"))
    roles = list(Role.objects.order_by("sort_order", "name"))
    form = DirectoryFilterForm(
        request.GET or None,
        cells=[(c.slug, c.name) for c in cells],
        roles=[(r.slug, r.name) for r in roles],
    )
    wanted = selectors.DirectoryFilter()
    status = 200
    if form.is_bound:
        if form.is_valid():
            wanted = selectors.DirectoryFilter(**form.cleaned_data)
        else:
            status = 400
    data = selectors.directory(
        as_of=today,
        sprint_start=sprint.start,
        sprint_end=sprint.end,
        findings=findings_selectors.open_findings(),
        wanted=wanted,
        page_number=request.GET.get("page", 1),
        cells=cells,
        roles=roles,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "roles/directory.html",
        {
            "directory": data,
            "sprint": sprint,
            "form": form,
            "wanted": wanted,
            "query": query.urlencode(),
            "findings_freshness": findings_selectors.freshness(cell_ids=[e.cell.pk for e in data.cells]),
            **_viewer(request),
        },
        status=status,
    )


def _member_page(
    request: HttpRequest, member_id: int, form: TimeOffForm | None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    page = selectors.member_page(member_id=member_id, as_of=today)
    if not can_view_member(request.user, page.member):
        raise PermissionDenied("You can only see the members of your own cell.")
    can_record = can_edit_member_record(request.user, page.member, TIME_OFF_OWNERS, allow_self=True)
    if can_record and form is None:
        form = TimeOffForm()
    return render(
        request,
        "roles/member.html",
        {
            "page": page,
            "member": page.member,
            "form": form if can_record else None,
            "today": today,
            **_viewer(request),
        },
        status=status,
    )


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_page(request, pk, None)


@login_required
@require_POST
def member_time_off_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Records time off for a member: the member themselves, their cell's sprint
    manager or epic planning and sustainability manager, or staff."""
    member = get_object_or_404(Member.objects.select_related("cell", "user"), pk=pk)
    if not can_edit_member_record(request.user, member, TIME_OFF_OWNERS, allow_self=True):
        raise PermissionDenied("Only the member, their cell's managers or staff can record this time off.")
    form = TimeOffForm(request.POST)
    if form.is_valid():
        try:
            time_off = services.time_off_record(member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"Recorded {time_off.get_kind_display().lower()} from {time_off.start} to {time_off.end}.",
            )
            return redirect("roles:member", pk=member.pk)
    return _member_page(request, member.pk, form, status=400)
