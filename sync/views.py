"""The staff-only sync status page, a button to run a sync now, and the connection check.

The button never answers a 500: with tasks in-process (the demo, CELERY_TASK_ALWAYS_EAGER) the
sync runs during the request and its failure becomes a message (the run itself is on the
page); with workers, a broker that cannot be reached is a message too."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from opencraft_ops.integrations.http import short_message
from opencraft_ops.responses import bad_request
from sync import doctor, selectors, tasks
from sync.models import DEMO_TRIGGER, SyncSource

log = logging.getLogger("sync")

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
    label = SyncSource(source).label
    task = TASKS[SyncSource(source)]
    if task.app.conf.task_always_eager:
        # In-process (the demo): one attempt, no retry loop inside a request; a failure is a
        # message here and a failed run on the page.
        result = task.apply(retries=tasks.MAX_RETRIES, throw=False)
        if result.failed():
            log.warning("sync %s now failed: %s", source, result.result)
            messages.error(request, f"{label} sync failed: {_reason(result.result)} (the run is below).")
        else:
            _report_inline(request, label, result.result)
        return redirect("sync:status")
    try:
        task.delay()
    except Exception as exc:
        log.warning("sync %s now could not be queued: %s", source, exc, exc_info=True)
        messages.error(request, f"{label} sync could not be queued ({_reason(exc)}): is the broker up?")
        return redirect("sync:status")
    messages.success(request, f"{label} sync queued: its run appears below when a worker takes it.")
    return redirect("sync:status")


def _reason(exc: Any) -> str:
    text = str(exc) or type(exc).__name__
    return short_message(text, 300)


def _report_inline(request: HttpRequest, label: str, value: Any) -> None:
    """The answer of a sync that ran in-process (``{"status": ..., "outcome": [...]}``)."""
    value = value if isinstance(value, dict) else {}
    status = value.get("status")
    if status == "done":
        outcomes = ", ".join(str(o) for o in value.get("outcome") or []) or "done"
        text = (
            f"{label} sync finished ({outcomes}): created {value.get('created', 0)}, "
            f"updated {value.get('updated', 0)}, deleted {value.get('deleted', 0)}, "
            f"skipped {value.get('skipped', 0)}."
        )
        (messages.success if "failed" not in outcomes else messages.warning)(request, text)
    elif status in ("busy", "off"):
        messages.warning(request, f"{label} sync did not run: {value.get('reason', status)}")
    else:
        messages.warning(request, f"{label} sync answered {short_message(str(value), 200)}")


@login_required
@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """What the sync will do with the configured credentials (``manage.py integrations_check``)."""
    _require_staff(request)
    report = doctor.integrations_check()
    return render(request, "sync/check.html", {"report": report})
