"""Quiet hours and retry back-off, over plain values."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_BACKOFF_SECONDS = 3600


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether ``local`` falls in [start, end); a window with end <= start spans midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(*, now: datetime, tz: str, start: time | None, end: time | None) -> datetime | None:
    """When the member's quiet hours end, if ``now`` is inside them; else None."""
    if start is None or end is None:
        return None
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return None
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake


def backoff_seconds(attempt: int) -> int:
    """Seconds before the next try after ``attempt`` failed: 1 min, 2, 4, ... capped at an hour."""
    return int(min(MAX_BACKOFF_SECONDS, 60 * 2 ** max(0, attempt - 1)))
