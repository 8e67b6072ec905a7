"""Celery tasks of the sustainability app."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.utils import timezone

from sustainability.alerts import alerts_notify


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_alerts(as_of: str | None = None) -> dict[str, Any]:
    """Emails new budget and target crossings once (beat: hourly). ``as_of``: an
    ISO date to evaluate instead of today (replays and tests)."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    result = alerts_notify(as_of=day)
    return {"new": result.new, "emailed": result.emailed, "cleared": result.cleared}
