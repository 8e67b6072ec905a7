"""Celery tasks of the rotations app: thin wrappers owning the retry policy."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from rotations.services.webhooks import backoff_seconds, webhook_attempt, webhooks_send_due


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_deliver(self: Task, delivery_id: int) -> str:
    """Attempt one delivery; on failure retry with exponential back-off (30 s, 60 s,
    120 s...) until the endpoint's ``max_attempts`` (tracked on the delivery row, not by
    Celery).

    With ``task_always_eager`` (the demo) there is no worker to come back later: the
    attempt ran inside the web request that caused the event, and retrying inline would
    hold that request for attempts x timeout. The delivery stays "retrying" with its
    due time, and :func:`send_due_webhooks` (beat, every minute) sends it then.
    An attempt that finds another one posting the delivery ("busy") stops there.
    """
    outcome = webhook_attempt(delivery_id=delivery_id)
    if outcome != "retry":
        return outcome
    if self.app.conf.task_always_eager:
        return "retry-later"
    raise self.retry(countdown=backoff_seconds(self.request.retries + 1))


@shared_task
def send_due_webhooks() -> int:
    """Every minute: attempt the deliveries whose next attempt is due (see
    ``webhooks_send_due``); returns how many were attempted."""
    return len(webhooks_send_due())


@shared_task
def sprint_started_notify() -> int:
    """Daily: when today is a sprint's first day, send "sprint.started" (once per sprint)."""
    from rotations.services.schedule import sprint_started_emit

    return len(sprint_started_emit(as_of=timezone.localdate()))
