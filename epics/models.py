"""Epics and their management records: status changes, monthly budget history, timeline
milestones and the sprint's epic updates.

The tables were created by the ``sprints`` app and renamed in place when epics became an
app of their own (``sprints`` 0005, ``epics`` 0001). The epic's due date is not stored: it
is derived from the milestones (``epics.calculations.due_date`` / ``epics.selectors``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from opencraft_ops.validators import validate_sensible_date
from roles.models import Cell, Member


class EpicStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    OFFER = "offer", "Offer / Waiting on client"
    ACCEPTED = "accepted", "Accepted"
    IN_DEVELOPMENT = "in_development", "In Development"
    DELIVERED = "delivered", "Delivered to client / QA"
    DONE = "done", "Done"


class BudgetKind(models.TextChoices):
    FIXED = "fixed", "Fixed scope / fixed budget"
    MONTHLY = "monthly", "Dynamic scope / monthly budget"
    NONE = "none", "Dynamic scope / no budget (ad hoc support)"


class Epic(models.Model):
    jira_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    key = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=255)
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.SET_NULL, related_name="epics")
    client = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        "sustainability.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="epics"
    )
    owner = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_epics"
    )
    reviewer = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_epics"
    )
    status = models.CharField(max_length=20, choices=EpicStatus.choices, default=EpicStatus.PROSPECT)
    budget_kind = models.CharField(max_length=10, choices=BudgetKind.choices, default=BudgetKind.FIXED)
    budget_hours = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["cell", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_hours__isnull=True) | Q(budget_hours__gte=0),
                name="epic_budget_not_negative",
                violation_error_message="An epic budget cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"


class EpicStatusChange(models.Model):
    """One move of an epic from a status to another: who, when, and why."""

    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=EpicStatus.choices)
    to_status = models.CharField(max_length=20, choices=EpicStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["epic", "changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")),
                name="epic_status_change_changes",
                violation_error_message="A status change must change the status.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.epic.key}: {self.from_status} -> {self.to_status}"


class EpicBudgetPeriod(models.Model):
    """A monthly budget of ``hours_per_month`` from ``since`` until the next period."""

    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="budget_periods")
    hours_per_month = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    since = models.DateField(validators=[validate_sensible_date])
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["epic", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["epic", "since"],
                name="epic_budget_one_change_per_day",
                violation_error_message="This epic already has a budget change on that date.",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_month__gte=0),
                name="epic_monthly_budget_not_negative",
                violation_error_message="A monthly budget cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.epic.key}: {self.hours_per_month} h/month since {self.since}"


class EpicMilestone(models.Model):
    """A milestone of the epic's timeline (even one as small as "check in with the client")."""

    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=255)
    deadline = models.DateField(validators=[validate_sensible_date])
    done = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["epic", "done", "deadline"])]

    def __str__(self) -> str:
        return f"{self.epic.key}: {self.title} ({self.deadline})"


class PostState(models.TextChoices):
    NOT_POSTED = "not_posted", "Not posted"
    QUEUED = "queued", "Queued for JIRA"
    POSTED = "posted", "Posted to JIRA"
    FAILED = "failed", "Posting failed"


class EpicUpdate(models.Model):
    """The sprint's update of an epic: answers to its budget kind's questionnaire.

    ``answers`` holds JSON validated by ``answers.clean_answers`` for
    ``budget_kind``; ``ref`` tags the JIRA comment so a retried post finds the
    comment instead of posting a second one.
    """

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="updates")
    sprint = models.ForeignKey("sprints.Sprint", on_delete=models.PROTECT, related_name="epic_updates")
    author = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="epic_updates"
    )
    budget_kind = models.CharField(max_length=10, choices=BudgetKind.choices)
    answers = models.JSONField(default=dict)
    post_state = models.CharField(max_length=12, choices=PostState.choices, default=PostState.NOT_POSTED)
    jira_comment_id = models.CharField(max_length=64, blank=True)
    post_attempts = models.PositiveSmallIntegerField(default=0)
    post_error = models.TextField(blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    # The epic reviewer reads each update and acknowledges it, with feedback when needed.
    reviewer_acknowledged_at = models.DateTimeField(null=True, blank=True)
    reviewer_acknowledged_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="acknowledged_epic_updates"
    )
    reviewer_comment = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["post_attempts", "post_error"])

    class Meta:
        ordering = ["-sprint__number", "epic__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["epic", "sprint"],
                name="one_epic_update_per_sprint",
                violation_error_message="This epic already has an update for that sprint.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.epic.key} update, sprint {self.sprint.number}"
