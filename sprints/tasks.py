"""Celery tasks of the sprints app."""

from __future__ import annotations

from celery import shared_task

from sprints import services


@shared_task(name="sprints.complete_sprint", acks_late=True)
def complete_sprint(completion_id: int) -> str:
    """Runs (or resumes) a sprint completion. Steps already done are skipped, so
    running it again after a failure finishes the job without repeating anything;
    the sprint manager re-queues it from the completion page."""
    completion = services.sprint_completion_run(completion_id=completion_id)
    return completion.state
