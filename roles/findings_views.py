"""A stored finding's page, acknowledging and snoozing it, and asking for a re-check.

The findings live in the ``findings`` app (below this one); the access rules are the
organisation's, so the pages are here, next to the directory and ``/api/findings/``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from findings import selectors as findings_selectors
from findings import services as findings_services
from findings import tasks as findings_tasks
from findings.models import COMPANY_SCOPE, Finding, scope_of
from opencraft_ops.process_checks import rules
from roles.models import Cell, Member
from roles.permissions import AnyUser, can_view_cell, held_role_slugs, member_of
from roles.selectors import member_check_context


class AcknowledgeForm(forms.Form):
    note = forms.CharField(required=False, max_length=findings_services.NOTE_MAX)


class SnoozeForm(forms.Form):
    """Either ``days`` (1 to 90) or an ``until`` moment."""

    days = forms.IntegerField(required=False, min_value=1, max_value=90)
    until = forms.DateTimeField(required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("days") is None and data.get("until") is None:
            raise ValidationError("Say how long: days (1 to 90) or until a date and time.")
        return data

    def until_moment(self, now: datetime) -> datetime:
        if self.cleaned_data.get("until") is not None:
            until: datetime = self.cleaned_data["until"]
            return until if timezone.is_aware(until) else timezone.make_aware(until)
        return now + timedelta(days=self.cleaned_data["days"])


def finding_cell(finding: Finding) -> Cell | None:
    return Cell.objects.filter(pk=finding.cell_id).first() if finding.cell_id is not None else None


def require_finding_view(user: AnyUser, finding: Finding) -> None:
    if not can_view_cell(user, finding_cell(finding)):
        raise PermissionDenied("You can only see the findings of your own cell.")


def can_act_on(user: AnyUser, finding: Finding) -> bool:
    """Staff, or the finding's addressee: the member it names, or (naming nobody) a holder
    of its role in its cell."""
    if user.is_staff:
        return True
    member = member_of(user)
    if member is None:
        return False
    context = member_check_context(member_id=member.pk, as_of=timezone.localdate())
    return findings_selectors.is_addressed_to(finding, member_id=member.pk, member_roles=context.member_roles)


def require_act_on(user: AnyUser, finding: Finding) -> Member | None:
    if not can_act_on(user, finding):
        raise PermissionDenied("Only the finding's addressee (or staff) can acknowledge or snooze it.")
    return member_of(user)


def can_recheck(user: AnyUser, cell: Cell | None) -> bool:
    """Staff, or a member holding a role (in the cell, or company-wide) right now."""
    if user.is_staff:
        return True
    member = member_of(user)
    if member is None:
        return False
    if cell is not None and not can_view_cell(user, cell):
        return False
    return bool(held_role_slugs(member, cell=cell))


def recheck_scopes(cell: Cell | None) -> list[str] | None:
    """The scopes a re-check evaluates: the cell and the company's, or everything."""
    return None if cell is None else [scope_of(cell.pk), COMPANY_SCOPE]


def recheck_now(cell: Cell | None) -> None:
    """Queues the evaluation at once, past the debounce (eager Celery: runs now)."""
    findings_tasks.evaluate_scopes.delay(scopes=recheck_scopes(cell))


def actor_name(user: AnyUser, member: Member | None) -> str:
    return member.name if member is not None else str(user.get_username())


def _back(request: HttpRequest, finding: Finding | None = None) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    if not target:
        target = reverse("roles:finding", args=[finding.pk]) if finding else "/"
    return redirect(target)


@login_required
@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    require_finding_view(request.user, finding)
    titles = {rule.slug: rule.title for rule in rules()}
    episodes = list(Finding.objects.filter(key=finding.key).order_by("-first_seen")[:20])
    names = (
        {m.pk: m.name for m in Member.objects.filter(pk=finding.member_id).select_related("user")}
        if finding.member_id
        else {}
    )
    return render(
        request,
        "findings/detail.html",
        {
            "finding": finding,
            "rule_title": titles.get(finding.rule, finding.rule),
            "addressee": names.get(finding.member_id or 0)
            or (finding.role_slug or "").replace("-", " ")
            or "nobody in particular",
            "episodes": episodes,
            "can_act": finding.is_open and can_act_on(request.user, finding),
            "freshness": findings_selectors.freshness(cell_ids=[finding.cell_id] if finding.cell_id else []),
            "now": timezone.now(),
            "ack_form": AcknowledgeForm(initial={"note": finding.acknowledgement_note}),
        },
    )


@login_required
@require_POST
def finding_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    member = require_act_on(request.user, finding)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, f"The note is limited to {findings_services.NOTE_MAX} characters; nothing was changed."
        )
        return _back(request, finding)
    try:
        findings_services.finding_acknowledge(
            finding=finding,
            member_id=member.pk if member else None,
            by_name=actor_name(request.user, member),
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _back(request, finding)
    messages.success(request, "Finding acknowledged.")
    return _back(request, finding)


@login_required
@require_POST
def finding_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    member = require_act_on(request.user, finding)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Snooze for 1 to 90 days, or until a date and time; nothing was changed.")
        return _back(request, finding)
    now = timezone.now()
    try:
        snoozed = findings_services.finding_snooze(
            finding=finding,
            member_id=member.pk if member else None,
            by_name=actor_name(request.user, member),
            until=form.until_moment(now),
            at=now,
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _back(request, finding)
    if snoozed.snoozed_until:
        messages.success(
            request,
            f"Snoozed until {formats.date_format(timezone.localtime(snoozed.snoozed_until), 'DATETIME_FORMAT')}.",
        )
    else:
        messages.success(request, "Snooze lifted.")
    return _back(request, finding)


@login_required
@require_POST
def findings_recheck(request: HttpRequest) -> HttpResponse:
    """Re-checks a cell's findings (``cell``: its id) or, without one, the member's cell."""
    raw = request.POST.get("cell", "")
    if raw and not raw.isdigit():
        messages.error(request, "Unknown cell; nothing was re-checked.")
        return _back(request)
    cell: Cell | None
    if raw:
        cell = get_object_or_404(Cell, pk=int(raw))
    else:
        member = member_of(request.user)
        cell = member.cell if member is not None else None
    if not can_recheck(request.user, cell):
        raise PermissionDenied("Only role holders (or staff) can ask for a re-check.")
    recheck_now(cell)
    messages.success(request, "Findings re-checked." if _eager() else "Re-check queued; refresh in a moment.")
    return _back(request)


def _eager() -> bool:
    from django.conf import settings

    return bool(settings.CELERY_TASK_ALWAYS_EAGER)
