"""Celery task that posts an epic update to JIRA, with its retry policy.

The service it calls is idempotent (it looks for the update's marker among the
epic's comments before posting), so retrying after any failure is safe.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.app.task import Task

from epics import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
RETRY_DELAYS = (30, 120, 600, 1800, 3600)  # seconds before each retry


@shared_task(bind=True, name="sprints.post_epic_update", max_retries=MAX_RETRIES, acks_late=True)
def post_epic_update(self: Task, update_id: int) -> str | None:
    """Posts the update; on a JIRA failure retries later (inline, at once, when
    tasks run eagerly as in the demo) and records the failure after the last try."""
    from opencraft_ops.integrations.http import AuthError, IntegrationError, NotConfigured

    inline_tries_left = MAX_RETRIES if self.request.is_eager else 0
    while True:
        try:
            return services.epic_update_post(update_id=update_id)
        except (NotConfigured, AuthError) as exc:
            # Retrying cannot help until someone fixes the settings.
            services.epic_update_mark_failed(update_id=update_id, error=str(exc))
            logger.warning("Epic update %s not posted: %s", update_id, exc)
            return None
        except IntegrationError as exc:
            retries = self.request.retries or 0
            if inline_tries_left > 0:
                inline_tries_left -= 1
                services.epic_update_note_error(update_id=update_id, error=str(exc))
                continue
            if self.request.is_eager or retries >= MAX_RETRIES:
                services.epic_update_mark_failed(update_id=update_id, error=str(exc))
                logger.warning("Epic update %s not posted after %d retries: %s", update_id, MAX_RETRIES, exc)
                return None
            services.epic_update_note_error(update_id=update_id, error=str(exc))
            raise self.retry(exc=exc, countdown=RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]) from exc
