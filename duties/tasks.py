"""Celery tasks of the duties app: each takes plain values and calls services."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from duties import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def open_duties() -> dict[str, Any]:
    """Opens due duties (catching up after downtime), moves open ones to whoever should
    do them now, stores today's finding counts for the trends, announces newly overdue
    duties (``duty.overdue`` webhook) and tells each assignee of a duty due today, and each
    owner of an epic whose update is due today, once (notifications app). Safe to run any time."""
    today = timezone.localdate()
    opened = services.duty_instances_open(as_of=today)
    reassigned = services.duty_instances_reassign(as_of=today)
    snapshots = services.finding_snapshots_take(as_of=today)
    announced = services.duty_overdue_notify(as_of=today, now=timezone.now())
    due_messages = services.duty_due_notify(as_of=today, now=timezone.now())
    epic_messages = services.epic_updates_due_notify(as_of=today, now=timezone.now())
    result = {
        "due_messages": due_messages,
        "epic_update_messages": epic_messages,
        "created": opened.created,
        "reassigned": reassigned,
        "snapshot_rows": snapshots,
        "overdue_announced": announced,
    }
    logger.info("Duties opened: %s", result)
    return result


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def reassign_duties() -> int:
    return services.duty_instances_reassign(as_of=timezone.localdate())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_digest(member_id: int, day: str) -> bool:
    from datetime import date

    return services.digest_send(member_id=member_id, day=date.fromisoformat(day), now=timezone.now())


@shared_task
def send_digests(at: str | None = None) -> int:
    """Queues the digest of every member whose morning it is (runs every 15 minutes).
    ``at``: an ISO instant to act as now (for replays and tests)."""
    now = datetime.fromisoformat(at) if at else timezone.now()
    members = services.members_due_a_digest(now=now)
    for member in members:
        _queue_digest(member.pk, member.digest_day.isoformat())  # type: ignore[attr-defined]
    return len(members)


def _queue_digest(member_id: int, day: str) -> None:
    transaction.on_commit(lambda: send_digest.delay(member_id, day))


def _run_reassign() -> None:
    reassign_duties.delay()


def queue_reassign() -> None:
    """Called when an assignment, rotation or time off changes: reassign once after the
    commit, however many rows the transaction changed (a demo load or a bulk edit)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _run_reassign for entry in connection.run_on_commit):
        return
    transaction.on_commit(_run_reassign)
