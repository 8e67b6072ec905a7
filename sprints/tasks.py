"""Celery tasks of the sprints app."""

from __future__ import annotations

import logging

from celery import shared_task

from sprints import services

log = logging.getLogger(__name__)


@shared_task(name="sprints.complete_sprint", acks_late=True)
def complete_sprint(completion_id: int) -> str:
    """Runs (or resumes) a sprint completion. Steps already done are skipped, so
    running it again after a failure finishes the job without repeating anything;
    the sprint manager re-queues it from the completion page.

    A second delivery while a run of the cell's completion is going (a double POST, or
    the broker redelivering) does nothing and says so: the running one finishes the job."""
    try:
        completion = services.sprint_completion_run(completion_id=completion_id)
    except services.CompletionBusy as exc:
        log.warning("Sprint completion %s not started: %s", completion_id, " ".join(exc.messages))
        return "busy"
    return completion.state
