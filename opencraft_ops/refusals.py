"""The portal's refusal answers outside the apps' views: the CSRF failure page and the
django-axes lockout (429). The 403, 404 and 500 pages are the templates of the same
names, rendered by Django's default handlers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _minutes(delta: Any) -> int:
    return max(1, int(delta.total_seconds() // 60)) if delta else 0


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Too many wrong passwords: JSON on the API, the portal's page elsewhere."""
    minutes = _minutes(settings.AXES_COOLOFF_TIME)
    message = (
        f"Too many wrong passwords for this account from your address: sign-in is locked for "
        f"{minutes} minutes. If you forgot your password, ask staff to reset it."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without (or with a stale) CSRF token: usually a page left open across a
    sign-out or an expired session."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the portal's look, with the menu when the request still allows it
    (a broken database must not break the error page too: then a plain page)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return HttpResponse(
            "<h1>Something broke on our side</h1><p>Nothing you sent was saved. Try again in a minute; "
            "if it keeps happening, tell staff.</p>",
            status=500,
        )
