"""The member's own notification settings page: channels and quiet hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from notifications import services
from notifications.forms import PreferenceForm
from notifications.models import Notification, NotificationPreference
from roles.forms import apply_validation_error
from roles.permissions import member_of

RECENT = 10


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Where the signed-in member chooses how findings, duties and epic updates reach them,
    and sees the last messages sent to them. Members without settings get both channels
    and no quiet hours, as ``notifications.services.notify`` assumes."""
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("Your account is not linked to a team member: there is nobody to notify.")
    pref = NotificationPreference.objects.filter(member=member).first()
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.notification_preference_set(member=member, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "Your notification settings are saved.")
                return redirect("notifications:preferences")
        status = 400
    else:
        current = pref or NotificationPreference()
        form = PreferenceForm(
            initial={
                "by_email": current.by_email,
                "by_chat": current.by_chat,
                "quiet_start": current.quiet_start,
                "quiet_end": current.quiet_end,
            }
        )
    recent = list(Notification.objects.filter(member=member).order_by("-created_at", "-pk")[:RECENT])
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "member": member, "saved": pref, "recent": recent},
        status=status,
    )
