"""Small HTTP answers shared by the apps' views."""

from __future__ import annotations

from django.http import HttpResponseBadRequest


def bad_request(message: str) -> HttpResponseBadRequest:
    """A 400 in plain text: the message may quote the user's input, which must never be
    served as HTML (a ``scope=<script>...`` would run)."""
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
