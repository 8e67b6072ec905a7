"""The staff-only sync status page, and a button to run a sync now."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from opencraft_ops.responses import bad_request
from sync import selectors, tasks
from sync.models import DEMO_TRIGGER, SyncSource

TASKS: dict[SyncSource, Task[Any, Any]] = {
    SyncSource.TEMPO: tasks.sync_tempo,
    SyncSource.JIRA: tasks.sync_jira,
}


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("The sync status is for staff.")


@login_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    sources, runs = selectors.sync_status()
    return render(
        request, "sync/status.html", {"sources": sources, "runs": runs, "demo_trigger": DEMO_TRIGGER}
    )


@login_required
@require_POST
def run_now(request: HttpRequest, source: str) -> HttpResponse:
    _require_staff(request)
    if source not in TASKS:
        return bad_request(f"Unknown source {source!r}: use tempo or jira.")
    if not selectors.configured_sources()[SyncSource(source)]:
        messages.error(request, f"{SyncSource(source).label} is not configured, nothing to run.")
        return redirect("sync:status")
    task = TASKS[SyncSource(source)]
    transaction.on_commit(lambda: task.delay())
    messages.success(request, f"{SyncSource(source).label} sync queued.")
    return redirect("sync:status")
