"""API views of the core: JSON 400s and 404s under /api/ (the token endpoint is ``roles.tokens``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found

from opencraft_ops.api_errors import body_refusal


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for URLs no view matches: JSON under ``/api/`` (as the API's own 404s), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for what Django refuses before a view runs (a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read by a middleware, too many fields): JSON with the
    reason under ``/api/``, else the page."""
    if request.path.startswith("/api/"):
        detail = body_refusal(exception) or "The request could not be understood."
        return JsonResponse({"detail": detail}, status=400)
    return default_bad_request(request, exception)
