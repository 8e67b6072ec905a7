"""Celery tasks of the roles app: each takes plain values and calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from roles import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def end_leavers_access() -> dict[str, Any]:
    """Daily: ends the sessions and tokens of members whose membership has ended."""
    result = services.leavers_access_end(as_of=timezone.localdate())
    return {"members": result.members, "sessions": result.sessions, "tokens": result.tokens}
