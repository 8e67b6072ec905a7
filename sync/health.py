"""``/healthz`` for load balancers and monitors: the database, Redis, beat's last tick
and each configured source's last successful sync, with their ages, as JSON.

200 when every check passes, 503 otherwise. It sits in the sync app, the top layer,
because it reads the sync runs; it needs no login and names no secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opencraft_ops.beat import HEARTBEAT
from sync import selectors

REDIS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: dict[str, Any]


def _age(at: datetime | None, now: datetime) -> float | None:
    return None if at is None else round((now - at).total_seconds(), 1)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is the answer, never a 500
        return Check(False, {"error": type(exc).__name__})
    return Check(True, {})


def needs_redis() -> bool:
    """Redis is the broker unless tasks run eagerly, and may be the cache."""
    cache_backend = str(settings.CACHES["default"]["BACKEND"])
    return not settings.CELERY_TASK_ALWAYS_EAGER or "redis" in cache_backend.lower()


def check_redis() -> Check:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return Check(False, {"error": type(exc).__name__})
    return Check(True, {})


def check_beat(now: datetime) -> Check:
    """Beat records each entry's last run as it sends it (CELERY_BEAT_SYNC_EVERY = 1);
    the heartbeat entry runs every minute, so its last run is beat's last tick."""
    try:
        last = selectors.beat_last_tick(HEARTBEAT)
    except Exception as exc:
        return Check(False, {"error": type(exc).__name__})
    age = _age(last, now)
    limit = settings.HEALTHZ_BEAT_MAX_AGE_SECONDS
    return Check(
        age is not None and age <= limit,
        {"last_tick": last.isoformat() if last else None, "age_seconds": age, "max_age_seconds": limit},
    )


def check_sync(now: datetime) -> Check:
    """A source with no base URL is off and passes; a configured one must have synced lately."""
    try:
        configured = selectors.configured_sources()
        last = selectors.last_successes()
    except Exception as exc:
        return Check(False, {"error": type(exc).__name__})
    limit = settings.HEALTHZ_SYNC_MAX_AGE_SECONDS
    sources: dict[str, Any] = {}
    ok = True
    for source, is_on in configured.items():
        at = last.get(source)
        age = _age(at, now)
        fresh = not is_on or (age is not None and age <= limit)
        ok = ok and fresh
        sources[str(source)] = {
            "configured": is_on,
            "ok": fresh,
            "last_success": at.isoformat() if at else None,
            "age_seconds": age,
        }
    return Check(ok, {"max_age_seconds": limit, "sources": sources})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    database = check_database()
    eager = bool(settings.CELERY_TASK_ALWAYS_EAGER)
    checks = {
        "database": database,
        # The embedded demo (``make run``) runs tasks in the web process with a local cache:
        # it has no broker and no beat to be down, so those checks say so and pass.
        "redis": check_redis() if needs_redis() else Check(True, {"skipped": "Redis is not used here"}),
        # Without the database neither can be read; they report the same failure.
        "beat": (
            Check(True, {"skipped": "tasks run eagerly in the web process; no beat runs"})
            if eager
            else check_beat(now)
            if database.ok
            else Check(False, {"error": "database unavailable"})
        ),
        "sync": check_sync(now) if database.ok else Check(False, {"error": "database unavailable"}),
    }
    healthy = all(c.ok for c in checks.values())
    body = {
        "status": "ok" if healthy else "failing",
        "time": now.isoformat(),
        "checks": {name: {"ok": c.ok, **c.detail} for name, c in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
