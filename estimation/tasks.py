"""Celery tasks of the estimation app: the beat's hourly run and the JIRA writes at closing.

``write_points`` is safe to retry after any failure: the service never writes a ticket's
points twice (see ``estimation.services``)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from estimation import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
RETRY_DELAYS = (30, 120, 600, 1800, 3600)  # seconds before each retry


@shared_task(name="estimation.tasks.sessions_tick")
def sessions_tick() -> dict[str, int]:
    """Opens the next sprint's sessions, lets late tickets join, closes the due ones."""
    summary = services.sessions_tick(as_of=timezone.localdate())
    return {
        "opened": summary.opened,
        "refreshed": summary.refreshed,
        "closed": summary.closed,
        "resumed": summary.resumed,
    }


@shared_task(bind=True, name="estimation.tasks.write_points", max_retries=MAX_RETRIES, acks_late=True)
def write_points(self: Task, session_id: int) -> dict[str, int] | None:
    """Writes a closed session's points to JIRA; on a JIRA failure retries later (inline, at
    once, when tasks run eagerly as in the demo and the tests)."""
    from opencraft_ops.integrations.http import AuthError, IntegrationError

    inline_tries_left = MAX_RETRIES if self.request.is_eager else 0
    while True:
        try:
            summary = services.session_write_points(session_id=session_id)
            return {
                "written": summary.written,
                "confirmed": summary.confirmed,
                "skipped": summary.skipped,
                "failed": summary.failed,
            }
        except AuthError as exc:
            # Retrying cannot help until someone fixes the settings; the beat resumes later.
            services.session_note_failure(session_id=session_id, error=str(exc))
            logger.warning("Estimation session %s: points not written: %s", session_id, exc)
            return None
        except IntegrationError as exc:
            retries = self.request.retries or 0
            if inline_tries_left > 0:
                inline_tries_left -= 1
                continue
            if self.request.is_eager or retries >= MAX_RETRIES:
                services.session_note_failure(session_id=session_id, error=str(exc))
                logger.warning("Estimation session %s: points not written: %s", session_id, exc)
                return None
            raise self.retry(exc=exc, countdown=RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]) from exc
