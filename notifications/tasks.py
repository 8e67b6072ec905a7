"""Celery tasks of the notifications app."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def notify_findings(finding_ids: list[int]) -> int:
    return services.findings_notify(finding_ids=finding_ids)


@shared_task
def send_due() -> int:
    """Sends the messages whose time has come (every minute, and after each new event)."""
    return len(services.notifications_send_due())
