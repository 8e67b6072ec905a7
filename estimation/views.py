"""Pages of the estimation app: the list of sessions and a session's page, where members vote
and keepers reveal, add late tickets, decide and close."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from estimation import calculations, selectors, services
from estimation.forms import AddTicketForm, CloseForm, DecideForm, RevealForm, VoteForm
from estimation.models import EstimationItem, EstimationSession, SessionState
from opencraft_ops.responses import bad_request
from sprints.models import Ticket


def _form_errors(form: VoteForm | RevealForm | AddTicketForm | DecideForm | CloseForm) -> HttpResponse:
    text = "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())
    return bad_request(f"The form has errors: {text}")


def _item(session: EstimationSession, item_id: int | None) -> EstimationItem | None:
    if item_id is None:
        return None
    return (
        EstimationItem.objects.select_related("session", "ticket").filter(pk=item_id, session=session).first()
    )


def _back(session: EstimationSession, key: str = "") -> HttpResponse:
    url = reverse("estimation:session", args=[session.pk])
    return redirect(f"{url}#t-{key}" if key else url)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The sessions of the viewer's cell (every cell for staff), open ones first."""
    sessions = list(selectors.visible_sessions(request.user).order_by("-sprint__number", "cell__name")[:50])
    sessions.sort(key=lambda s: s.state != SessionState.OPEN)
    return render(request, "estimation/index.html", {"sessions": sessions})


@login_required
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    current = selectors.session_for(request.user, pk)
    today = timezone.localdate()
    access = selectors.session_access(request.user, current, as_of=today)
    page = selectors.session_page(session=current, viewer=access.member, as_of=today)
    context = {
        "session": current,
        "page": page,
        "access": access,
        "scale": calculations.VOTE_CHOICES,
        "today": today,
        "rules": calculations.RULE_CHOICES,
        "rule_label": calculations.RULE_LABELS[calculations.Rule(current.rule)],
        "decide_choices": [str(v) for v in calculations.SCALE],
        "is_newcomer": selectors.is_newcomer(access.member, as_of=today),
        "reminder_day": calculations.reminder_day(current.closes_on),
        "addable": selectors.addable_tickets(current).only("key", "summary")[:100]
        if access.is_co_keeper and current.state == SessionState.OPEN
        else [],
    }
    return render(request, "estimation/session.html", context)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    current = selectors.session_for(request.user, pk)
    access = selectors.session_access(request.user, current, as_of=timezone.localdate())
    if not access.can_vote or access.member is None:
        raise PermissionDenied("Only the cell's members estimate its tickets.")
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    item = _item(current, form.cleaned_data["item"])
    if item is None:
        return bad_request("That ticket is not in this session.")
    try:
        services.vote_cast(
            item=item,
            member=access.member,
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
        )
    except services.Refused as exc:
        return bad_request(" ".join(exc.messages))
    messages.success(request, f"Your estimate for {item.ticket.key} is saved.")
    return _back(current, item.ticket.key)


def _co_keeper_session(request: HttpRequest, pk: int) -> tuple[EstimationSession, selectors.Access]:
    current = selectors.session_for(request.user, pk)
    access = selectors.session_access(request.user, current, as_of=timezone.localdate())
    if not access.is_co_keeper:
        raise PermissionDenied(
            "Only the session's keepers (sprint planning manager, epic owners) can do this."
        )
    return current, access


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    current, _ = _co_keeper_session(request, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    item_id = form.cleaned_data["item"]
    item = _item(current, item_id)
    if item_id is not None and item is None:
        return bad_request("That ticket is not in this session.")
    try:
        count = services.items_reveal(session=current, item_ids=None if item is None else [item.pk])
    except services.Refused as exc:
        return bad_request(" ".join(exc.messages))
    messages.success(
        request,
        f"Votes revealed on {count} ticket(s)." if item is None else f"Votes on {item.ticket.key} revealed.",
    )
    return _back(current, item.ticket.key if item else "")


@login_required
@require_POST
def add_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    current, access = _co_keeper_session(request, pk)
    form = AddTicketForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    ticket = Ticket.objects.filter(key=form.cleaned_data["key"]).first()
    if ticket is None:
        return bad_request(f"No ticket {form.cleaned_data['key']} in the portal (has the sync seen it yet?).")
    try:
        services.item_add(session=current, ticket=ticket, by=access.member)
    except services.Refused as exc:
        return bad_request(" ".join(exc.messages))
    messages.success(request, f"{ticket.key} added to the session.")
    return _back(current, ticket.key)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    current, _ = _co_keeper_session(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    item = _item(current, form.cleaned_data["item"])
    if item is None:
        return bad_request("That ticket is not in this session.")
    raw = form.cleaned_data["points"]
    try:
        services.item_decide(item=item, points=Decimal(raw) if raw else None)
    except services.Refused as exc:
        return bad_request(" ".join(exc.messages))
    messages.success(request, f"Decision for {item.ticket.key} saved.")
    return _back(current, item.ticket.key)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    current = selectors.session_for(request.user, pk)
    access = selectors.session_access(request.user, current, as_of=timezone.localdate())
    if not access.is_keeper:
        raise PermissionDenied("Only the sprint planning manager closes the session.")
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    if current.state == SessionState.CLOSED:
        return bad_request("The session is already closed.")
    result = services.session_close(
        session=current, by_user_id=request.user.pk, rule=form.cleaned_data["rule"]
    )
    result.refresh_from_db()
    if result.state == SessionState.CLOSED:
        messages.success(request, "Session closed: the points are on the tickets and in JIRA.")
    else:
        messages.warning(
            request, f"Session closed; some points are not in JIRA yet (retried): {result.last_error}"
        )
    return _back(current)
