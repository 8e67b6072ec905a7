"""API views of the core: the token endpoint with the API's safe parsers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from opencraft_ops.parsers import SafeJSONParser


class TokenView(ObtainAuthToken):
    """``POST /api/token/`` with a username and password answers the caller's token.
    Uses the API's default parsers (bounded JSON) instead of the stock view's own."""

    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]


token_view = TokenView.as_view()


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for URLs no view matches: JSON under ``/api/`` (as the API's own 404s), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
