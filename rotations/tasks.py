"""Celery tasks of the rotations app: thin wrappers owning the retry policy."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from rotations.services.webhooks import backoff_seconds, webhook_attempt


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_deliver(self: Task, delivery_id: int) -> str:
    """Attempt one delivery; on failure retry with exponential back-off until the
    endpoint's ``max_attempts`` (tracked on the delivery row, not by Celery)."""
    outcome = webhook_attempt(delivery_id=delivery_id)
    # Eager mode (the demo, the tests) cannot wait: retry inline without the back-off.
    while outcome == "retry" and self.request.is_eager:
        outcome = webhook_attempt(delivery_id=delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=backoff_seconds(self.request.retries + 1))
    return outcome


@shared_task
def sprint_started_notify() -> int:
    """Daily: when today is a sprint's first day, send "sprint.started" (once per sprint)."""
    from rotations.services.schedule import sprint_started_emit

    return len(sprint_started_emit(as_of=timezone.localdate()))
