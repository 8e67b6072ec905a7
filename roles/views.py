"""Pages of the organisation: the directory, a member's page and the requests to change
weekly commitments."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from findings import selectors as findings_selectors
from opencraft_ops.calendar import sprint_on
from roles import selectors, services
from roles.access import EPIC_SUSTAINABILITY_MANAGER
from roles.forms import (
    CommitmentDecisionForm,
    CommitmentRequestForm,
    ConferenceParticipationForm,
    DirectoryFilterForm,
    TimeOffForm,
    apply_validation_error,
)
from roles.models import Cell, CommitmentChangeRequest, Member, Role
from roles.permissions import (
    COMMITMENT_OWNERS,
    TIME_OFF_OWNERS,
    can_decide_commitment_request,
    can_edit_member_record,
    can_view_member,
    commitment_decider_cell_ids,
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
    request: HttpRequest,
    member_id: int,
    form: TimeOffForm | None,
    status: int = 200,
    request_form: CommitmentRequestForm | None = None,
    conference_form: ConferenceParticipationForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    page = selectors.member_page(member_id=member_id, as_of=today)
    if not can_view_member(request.user, page.member):
        raise PermissionDenied("You can only see the members of your own cell.")
    can_record = can_edit_member_record(request.user, page.member, TIME_OFF_OWNERS, allow_self=True)
    if can_record and form is None:
        form = TimeOffForm()
    me = member_of(request.user)
    own = me is not None and me.pk == page.member.pk
    # Their own page: their request to change their hours (one query), and a link to the
    # requests they decide when their roles (already loaded) say so.
    own_requests = selectors.own_commitment_requests(member_id=page.member.pk) if own else None
    if own and request_form is None:
        request_form = CommitmentRequestForm()
    decides = request.user.is_staff or (
        own
        and any(
            held.assignment.role.slug in COMMITMENT_OWNERS and held.assignment.is_current_on(today)
            for held in page.roles
        )
    )
    # The conference card is the member's own (their reasons are personal): two queries, for them only.
    conference = None
    if page.member.user_id == request.user.pk:
        conference = selectors.member_conference(member=page.member, as_of=today)
        if conference is not None and conference_form is None:
            conference_form = ConferenceParticipationForm.for_answer(conference.participation)
    return render(
        request,
        "roles/member.html",
        {
            "page": page,
            "member": page.member,
            "form": form if can_record else None,
            "conference": conference,
            "conference_form": conference_form if conference is not None else None,
            "today": today,
            "own_requests": own_requests,
            "request_form": request_form if own else None,
            "decides_commitments": decides,
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
                f"Recorded {time_off.get_kind_display().lower()} from "
                f"{date_format(time_off.start, 'DATE_FORMAT')} to {date_format(time_off.end, 'DATE_FORMAT')}.",
            )
            return redirect("roles:member", pk=member.pk)
    return _member_page(request, member.pk, form, status=400)


@login_required
@require_POST
def member_commitment_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The member asks to change their own weekly hours (nobody asks for someone else)."""
    member = get_object_or_404(Member.objects.select_related("cell", "user"), pk=pk)
    me = member_of(request.user)
    if me is None or me.pk != member.pk:
        raise PermissionDenied("Only the member can ask to change their weekly hours.")
    form = CommitmentRequestForm(request.POST)
    if form.is_valid():
        try:
            asked = services.commitment_request_create(member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"Asked to work {floatformat(asked.hours_per_week, '-2')} hours a week from "
                f"{date_format(asked.since, 'DATE_FORMAT')}; "
                "your cell's epic planning and sustainability manager decides.",
            )
            return redirect("roles:member", pk=member.pk)
    return _member_page(request, member.pk, None, status=400, request_form=form)


@login_required
@require_POST
def commitment_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(CommitmentChangeRequest, pk=pk)
    me = member_of(request.user)
    if me is None or me.pk != change_request.member_id:
        raise PermissionDenied("Only the member who asked can withdraw the request.")
    try:
        services.commitment_request_withdraw(change_request=change_request, member=me)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your request is withdrawn.")
    return redirect("roles:member", pk=me.pk)


@login_required
@require_POST
def member_conference_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's answer to the current or next conference; only they give it."""
    member = get_object_or_404(Member.objects.select_related("cell", "user"), pk=pk)
    if member.user_id != request.user.pk:
        raise PermissionDenied("Only the member answers for the conference.")
    conference = selectors.conference_upcoming(as_of=timezone.localdate())
    if conference is None:
        raise Http404("No conference is recorded ahead.")
    form = ConferenceParticipationForm(request.POST)
    if form.is_valid():
        try:
            services.conference_participation_save(conference=conference, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Saved your answer for {conference.name}.")
            return redirect(f"{reverse('roles:member', args=[member.pk])}#conference")
    return _member_page(request, member.pk, None, status=400, conference_form=form)


@login_required
@require_GET
def commitment_requests(request: HttpRequest) -> HttpResponse:
    """The requests the viewer decides: those of the cells where they are the epic planning
    and sustainability manager (every one for staff), pending and decided in the last 90 days."""
    cell_ids = commitment_decider_cell_ids(request.user)
    if cell_ids is not None and not cell_ids:
        raise PermissionDenied(
            "Only a cell's epic planning and sustainability manager or staff decide these."
        )
    today = timezone.localdate()
    data = selectors.commitment_requests_to_decide(
        cell_ids=cell_ids,
        as_of=today,
        decided_since=timezone.now() - timedelta(days=selectors.DECIDED_SHOWN_DAYS),
    )
    me = member_of(request.user)
    return render(
        request,
        "roles/commitment_requests.html",
        {
            "data": data,
            "my_member_id": me.pk if me else None,
            "decided_days": selectors.DECIDED_SHOWN_DAYS,
            **_viewer(request),
        },
    )


@login_required
@require_POST
def commitment_request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approves (recording the commitment) or declines a pending request."""
    change_request = get_object_or_404(
        CommitmentChangeRequest.objects.select_related("member__user", "member__cell"), pk=pk
    )
    if not can_decide_commitment_request(request.user, change_request.member):
        raise PermissionDenied(
            "Only the epic planning and sustainability manager of the member's cell, or staff, decide "
            "this request, and never their own."
        )
    form = CommitmentDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    who = change_request.member.name
    try:
        if decision == "approve":
            commitment = services.commitment_request_approve(
                change_request=change_request, decided_by=member_of(request.user), note=note
            )
            messages.success(
                request,
                f"Approved: {who} works {floatformat(commitment.hours_per_week, '-2')} hours a week from "
                f"{date_format(commitment.since, 'DATE_FORMAT')}.",
            )
        else:
            services.commitment_request_decline(
                change_request=change_request, decided_by=member_of(request.user), note=note
            )
            messages.success(request, f"Declined {who}'s request.")
    except ValidationError as exc:
        messages.error(request, f"Nothing changed for {who}: {' '.join(exc.messages)}")
    return redirect("roles:commitment-requests")


@login_required
@require_GET
def conference_answers(request: HttpRequest) -> HttpResponse:
    """Every cell's answers to the current or next conference: staff see every cell, an
    epic planning and sustainability manager the cells they hold the role in."""
    today = timezone.localdate()
    cell_ids: set[int] | None = None
    if not request.user.is_staff:
        me = member_of(request.user)
        cell_ids = (
            selectors.cells_held(member=me, role_slug=EPIC_SUSTAINABILITY_MANAGER, as_of=today)
            if me
            else set()
        )
        if not cell_ids:
            raise PermissionDenied(
                "Only staff and a cell's epic planning and sustainability manager see the conference answers."
            )
    conference = selectors.conference_upcoming(as_of=today)
    cells = (
        selectors.conference_answers(conference=conference, cell_ids=cell_ids, as_of=today)
        if conference
        else []
    )
    return render(
        request,
        "roles/conference.html",
        {"conference": conference, "cells": cells, **_viewer(request)},
    )
