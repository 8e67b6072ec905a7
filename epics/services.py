"""Writes for epics: status transitions, milestones, monthly budgets, epic
updates and posting them to JIRA."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from epics import answers as update_answers
from epics import calculations as calc
from epics import render
from epics.models import (
    BudgetKind,
    Epic,
    EpicBudgetPeriod,
    EpicMilestone,
    EpicStatus,
    EpicStatusChange,
    EpicUpdate,
    PostState,
)
from roles.models import Member
from sprints.services import sprint_ensure

logger = logging.getLogger(__name__)

UserLike = AbstractBaseUser | AnonymousUser | None


def _user_or_none(user: UserLike) -> Any:
    return user if user is not None and user.is_authenticated else None


EPIC_FIELDS = frozenset(
    {
        "key",
        "title",
        "cell",
        "client",
        "account",
        "owner",
        "reviewer",
        "status",
        "budget_kind",
        "budget_hours",
        "description",
    }
)
# Status and budget kind move through ``epic_transition`` and ``epic_budget_kind_set``.
EPIC_EDITABLE_FIELDS = EPIC_FIELDS - {"key", "status", "budget_kind", "budget_hours"}


@transaction.atomic
def epic_create(**fields: Any) -> Epic:
    """Creates an epic kept in the portal (no JIRA id until a sync links it by key)."""
    unknown = set(fields) - EPIC_FIELDS
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))} here.")
    epic = Epic(**fields)
    epic.full_clean()
    epic.save()
    return epic


@transaction.atomic
def epic_update(*, epic: Epic, changes: Mapping[str, Any]) -> Epic:
    """Changes an epic's descriptive fields (title, cell, client, account, owner,
    reviewer, description); the others stay."""
    unknown = set(changes) - EPIC_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for name, value in changes.items():
        setattr(epic, name, value)
    epic.full_clean()
    epic.save()
    return epic


@transaction.atomic
def epic_transition(*, epic: Epic, to_status: str, by: UserLike, note: str = "") -> EpicStatusChange:
    """Moves the epic to ``to_status`` when the transition graph allows it and records the change."""
    locked = Epic.objects.select_for_update().get(pk=epic.pk)
    if to_status not in EpicStatus.values:
        raise ValidationError({"to_status": f"{to_status!r} is not an epic status."})
    if locked.status == to_status:
        raise ValidationError({"to_status": f"The epic is already {EpicStatus(to_status).label}."})
    if not calc.can_transition(locked.status, to_status):
        allowed = ", ".join(str(EpicStatus(s).label) for s in calc.next_statuses(locked.status))
        raise ValidationError(
            {
                "to_status": f"An epic cannot go from {EpicStatus(locked.status).label} to "
                f"{EpicStatus(to_status).label}. Allowed next: {allowed}."
            }
        )
    change = EpicStatusChange.objects.create(
        epic=locked,
        from_status=locked.status,
        to_status=to_status,
        changed_by=_user_or_none(by),
        note=note[:500],
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    epic.status = to_status
    return change


@transaction.atomic
def epic_status_record_external(
    *, epic: Epic, to_status: str, note: str = "Changed in JIRA", by: UserLike = None
) -> EpicStatusChange | None:
    """Records a status change that happened elsewhere (the JIRA sync): JIRA is the
    source of truth there, so the transition graph is not enforced, only recorded.
    Returns None when the status does not change."""
    if to_status not in EpicStatus.values:
        raise ValidationError({"to_status": f"{to_status!r} is not an epic status."})
    locked = Epic.objects.select_for_update().get(pk=epic.pk)
    if locked.status == to_status:
        return None
    change = EpicStatusChange.objects.create(
        epic=locked,
        from_status=locked.status,
        to_status=to_status,
        changed_by=_user_or_none(by),
        note=note[:500],
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    epic.status = to_status
    return change


@transaction.atomic
def epic_milestone_create(*, epic: Epic, title: str, deadline: date, done: bool = False) -> EpicMilestone:
    milestone = EpicMilestone(epic=epic, title=title.strip(), deadline=deadline, done=done)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def epic_milestone_set_done(*, milestone: EpicMilestone, done: bool) -> EpicMilestone:
    milestone.done = done
    milestone.save(update_fields=["done"])
    return milestone


@transaction.atomic
def epic_milestone_delete(*, milestone: EpicMilestone) -> None:
    milestone.delete()


@transaction.atomic
def epic_budget_kind_set(*, epic: Epic, budget_kind: str, budget_hours: Decimal | None) -> Epic:
    """Sets how the epic is budgeted; a fixed budget needs its hours (zero or more)."""
    errors: dict[str, str] = {}
    if budget_kind not in BudgetKind.values:
        errors["budget_kind"] = f"{budget_kind!r} is not a budget kind."
    if budget_hours is not None and budget_hours < 0:
        errors["budget_hours"] = "A budget cannot be negative."
    elif budget_kind == BudgetKind.FIXED and budget_hours is None:
        errors["budget_hours"] = "A fixed budget needs its number of hours."
    if errors:
        raise ValidationError(errors)
    epic.budget_kind = budget_kind
    epic.budget_hours = budget_hours if budget_kind == BudgetKind.FIXED else None
    epic.save(update_fields=["budget_kind", "budget_hours", "updated_at"])
    return epic


@transaction.atomic
def epic_budget_set(*, epic: Epic, hours_per_month: Decimal, since: date, note: str = "") -> EpicBudgetPeriod:
    """Records the monthly budget from ``since`` (replacing a change on that same day)."""
    if hours_per_month < 0:
        raise ValidationError({"hours_per_month": "A monthly budget cannot be negative."})
    period, _ = EpicBudgetPeriod.objects.update_or_create(
        epic=epic, since=since, defaults={"hours_per_month": hours_per_month, "note": note}
    )
    return period


@transaction.atomic
def epic_update_save(
    *, epic: Epic, sprint_number: int, author: Member | None, answers: Mapping[str, object]
) -> EpicUpdate:
    """Creates or replaces the epic's update for the sprint ``sprint_number``.

    Validates ``answers`` against the epic's budget kind first; on any error
    raises ``ValidationError`` with field messages and writes nothing (not even
    the sprint row, which is created from the calendar only for a valid update).
    An update already posted to JIRA is final (its comment is there for everyone).
    """
    cleaned, errors = update_answers.clean_answers(epic.budget_kind, answers)
    if errors:
        raise ValidationError(errors)
    # Inside this transaction: a refusal below rolls the new sprint row back too.
    sprint = sprint_ensure(number=sprint_number)
    update = EpicUpdate.objects.select_for_update().filter(epic=epic, sprint=sprint).first()
    if update is not None and update.post_state in (PostState.POSTED, PostState.QUEUED):
        raise ValidationError(
            {
                "__all__": "This sprint's update is already posted (or being posted) to JIRA and can no longer change."
            }
        )
    if update is None:
        update = EpicUpdate(epic=epic, sprint=sprint)
    update.author = author
    update.budget_kind = epic.budget_kind
    update.answers = update_answers.to_json(cleaned)
    update.save()
    return update


ACK_COMMENT_MAX = 4000


@transaction.atomic
def epic_update_acknowledge(*, update: EpicUpdate, by: Member | None, comment: str = "") -> EpicUpdate:
    """The epic's reviewer records that they read ``update``, with optional feedback.

    Only the reviewer named on the epic may (``PermissionDenied`` otherwise, staff
    included: the acknowledgement says the reviewer read it). Acknowledging again keeps
    the first time and replaces the comment. ``ValidationError`` for a comment over
    4,000 characters; nothing is written then.
    """
    reviewer_id = update.epic.reviewer_id
    if by is None or reviewer_id is None or by.pk != reviewer_id:
        raise PermissionDenied("Only the epic's reviewer can acknowledge its updates.")
    comment = comment.strip()
    if len(comment) > ACK_COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment under {ACK_COMMENT_MAX} characters."})
    locked = EpicUpdate.objects.select_for_update().get(pk=update.pk)
    locked.reviewer_acknowledged_at = locked.reviewer_acknowledged_at or timezone.now()
    locked.reviewer_acknowledged_by = by
    locked.reviewer_comment = comment
    locked.save(update_fields=["reviewer_acknowledged_at", "reviewer_acknowledged_by", "reviewer_comment"])
    return locked


def update_text(update: EpicUpdate, *, wiki: bool, with_marker: bool = False) -> str:
    answers = update_answers.from_json(update.budget_kind, update.answers)
    return render.render(
        update.budget_kind,
        answers,
        sprint_label=str(update.sprint),
        wiki=wiki,
        ref=str(update.ref) if with_marker else None,
        author=update.author.name if update.author else "",
    )


@transaction.atomic
def epic_update_queue_post(*, update: EpicUpdate) -> bool:
    """Queues the post of ``update`` to JIRA after the transaction commits.

    Returns False when it is already posted or queued (nothing is queued twice).
    """
    locked = EpicUpdate.objects.select_for_update().get(pk=update.pk)
    if locked.post_state in (PostState.POSTED, PostState.QUEUED):
        return False
    locked.post_state = PostState.QUEUED
    locked.post_error = ""
    locked.save(update_fields=["post_state", "post_error", "updated_at"])
    update.post_state = locked.post_state
    transaction.on_commit(lambda: _enqueue_post(locked.pk))
    return True


def _enqueue_post(update_id: int) -> None:
    from epics.tasks import post_epic_update

    post_epic_update.delay(update_id)


def _jira_client() -> Any:
    """A JIRA client that never re-sends a request by itself.

    A POST whose answer is lost (time-out, dropped connection) may still have
    created the comment, so a new attempt must start over from the comment
    check in ``epic_update_post``: the client's own retries (ours and the
    ``jira`` package's) are switched off here and the Celery task owns the
    retry policy.
    """
    from opencraft_ops.integrations.config import jira_client
    from opencraft_ops.integrations.http import RetryPolicy

    client = jira_client()
    client.policy = RetryPolicy(server_error_delays=(), max_delay=client.policy.max_delay)
    client._jira._session.max_retries = 0
    return client


def epic_update_post(*, update_id: int) -> str:
    """Posts the update as a comment on its epic in JIRA; returns the comment id.

    Idempotent: an update with a stored comment id returns it; otherwise the
    epic's comments are searched for the update's marker first, so a post whose
    answer got lost (time-out, worker crash) is found instead of posted again.
    Integration errors propagate to the task, which retries.
    """
    update = EpicUpdate.objects.select_related("epic", "sprint", "author__user").get(pk=update_id)
    if update.jira_comment_id:
        return update.jira_comment_id
    EpicUpdate.objects.filter(pk=update.pk).update(post_attempts=F("post_attempts") + 1)
    tag = render.marker(str(update.ref))
    client = _jira_client()
    try:
        comment_id = next((c.id for c in client.comments(update.epic.key) if tag in c.body), None)
        if comment_id is None:
            comment_id = client.post_comment(
                update.epic.key, update_text(update, wiki=True, with_marker=True)
            )
    finally:
        client.close()
    _mark_posted(update_id=update.pk, comment_id=str(comment_id))
    return str(comment_id)


@transaction.atomic
def epic_update_note_error(*, update_id: int, error: str) -> None:
    """A failed attempt that will be retried: keep the error for the page to show."""
    EpicUpdate.objects.filter(pk=update_id, post_state=PostState.QUEUED).update(post_error=error[:2000])


@transaction.atomic
def _mark_posted(*, update_id: int, comment_id: str) -> None:
    EpicUpdate.objects.filter(pk=update_id).update(
        jira_comment_id=comment_id, post_state=PostState.POSTED, posted_at=timezone.now(), post_error=""
    )


@transaction.atomic
def epic_update_mark_failed(*, update_id: int, error: str) -> None:
    """The post gave up after its retries: show the error and let the author try again."""
    EpicUpdate.objects.filter(pk=update_id).exclude(post_state=PostState.POSTED).update(
        post_state=PostState.FAILED, post_error=error[:2000]
    )
