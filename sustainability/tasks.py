"""Celery tasks of the sustainability app."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.utils import timezone

from sustainability.alerts import alerts_notify


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_alerts(as_of: str | None = None) -> dict[str, Any]:
    """Records budget and target crossings and emails each once (beat: hourly).
    Any failure retries the whole task; crossings are recorded before any email
    and each email is marked sent on its own, so a retry sends only what is
    missing. ``as_of``: an ISO date to evaluate instead of today (replays and tests);
    a replay clears no crossing a later day found (``alerts.alerts_record``)."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    result = alerts_notify(as_of=day)
    return {"new": result.new, "emailed": result.emailed, "cleared": result.cleared}
