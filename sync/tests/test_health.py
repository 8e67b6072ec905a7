"""/healthz: the database, Redis, beat's last tick and the last successful sync, as JSON;
200 when all pass, 503 otherwise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from opencraft_ops.beat import HEARTBEAT
from sync.models import SyncKind, SyncMode, SyncOutcome, SyncRun, SyncSource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def with_a_worker(settings: Any) -> None:
    """As in production: tasks go through Redis to a worker, and beat schedules them."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def beat_ticked() -> PeriodicTask:
    call_command("sync_beat_schedule", stdout=None)
    PeriodicTask.objects.filter(name=HEARTBEAT).update(last_run_at=timezone.now() - timedelta(seconds=40))
    return PeriodicTask.objects.get(name=HEARTBEAT)


def _oks(body: dict[str, Any]) -> dict[str, bool]:
    return {name: check["ok"] for name, check in body["checks"].items()}


def test_healthy_portal_answers_200_with_every_check_and_its_age(client: Any, beat_ticked: Any) -> None:
    # Queries: SELECT 1; the heartbeat's last run; the last successful run per source.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert _oks(body) == {"database": True, "redis": True, "beat": True, "sync": True}
    assert 40 <= body["checks"]["beat"]["age_seconds"] < 100
    assert body["checks"]["sync"]["sources"]["tempo"] == {
        "configured": False,
        "ok": True,
        "last_success": None,
        "age_seconds": None,
    }


def test_no_login_needed_and_the_query_count_is_flat(
    client: Any, beat_ticked: Any, django_assert_num_queries: Any
) -> None:
    # SELECT 1; the heartbeat's last run; the last success per source (one aggregate).
    with django_assert_num_queries(3):
        assert client.get("/healthz").status_code == 200


def test_beat_never_ticked_or_stale_is_503(client: Any, settings: Any, beat_ticked: Any) -> None:
    settings.HEALTHZ_BEAT_MAX_AGE_SECONDS = 30
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert _oks(response.json())["beat"] is False
    PeriodicTask.objects.filter(name=HEARTBEAT).update(last_run_at=None)
    settings.HEALTHZ_BEAT_MAX_AGE_SECONDS = 300
    body = client.get("/healthz").json()
    assert body["checks"]["beat"]["last_tick"] is None and body["checks"]["beat"]["ok"] is False


def test_a_configured_source_must_have_synced_lately(client: Any, settings: Any, beat_ticked: Any) -> None:
    settings.TEMPO_BASE_URL = "https://tempo.example.com"
    settings.TEMPO_API_TOKEN = "token"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sync"]["sources"]["tempo"]["ok"] is False
    now = timezone.now()
    SyncRun.objects.create(
        source=SyncSource.TEMPO,
        kind=SyncKind.WORKLOGS,
        mode=SyncMode.INCREMENTAL,
        started=now - timedelta(minutes=6),
        finished=now - timedelta(minutes=5),
        outcome=SyncOutcome.SUCCESS,
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    tempo = response.json()["checks"]["sync"]["sources"]["tempo"]
    assert tempo["configured"] is True and 290 < tempo["age_seconds"] < 400
    settings.HEALTHZ_SYNC_MAX_AGE_SECONDS = 60
    assert client.get("/healthz").status_code == 503


def test_redis_down_is_503_and_names_no_secret(client: Any, settings: Any, beat_ticked: Any) -> None:
    settings.REDIS_URL = "redis://:secret-password@127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert _oks(response.json())["redis"] is False
    assert "secret-password" not in response.content.decode()


def test_healthz_refuses_other_methods(client: Any) -> None:
    assert client.post("/healthz").status_code == 405


def test_the_embedded_demo_without_broker_or_beat_is_healthy(client: Any, settings: Any) -> None:
    # ``make run``: tasks run eagerly in the web process and the cache is local, so no beat
    # ticks and Redis is not needed; an unreachable Redis URL does not matter there.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["beat"] == {"ok": True, "skipped": "tasks run eagerly in the web process; no beat runs"}
    assert checks["redis"] == {"ok": True, "skipped": "Redis is not used here"}
    # A cache on Redis still needs it.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert client.get("/healthz").json()["checks"]["redis"]["ok"] is False
