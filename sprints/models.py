"""Sprints, tickets (mirrors of JIRA issues) and epics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from opencraft_ops import calendar
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell, Member


class Sprint(models.Model):
    """A two-week sprint shared by every cell: Tuesday to the Monday 13 days later.

    Dates derive from the number through ``sprints.calculations.sprint_dates``;
    they are stored so queries can filter and join on them.
    """

    number = models.PositiveIntegerField(unique=True)
    start = models.DateField(unique=True)
    end = models.DateField(unique=True)
    name = models.CharField(max_length=100, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end=F("start") + timedelta(days=13)),
                name="sprint_lasts_two_weeks",
                violation_error_message="A sprint ends on the Monday 13 days after its Tuesday start.",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Sprint {self.number}"

    def clean(self) -> None:
        """A sprint's dates are its number's dates in the calendar (the admin form too)."""
        super().clean()
        if not self.number:
            return
        if self.number > MAX_SPRINT_NUMBER:
            raise ValidationError({"number": f"Give a sprint number from 1 to {MAX_SPRINT_NUMBER}."})
        dates = calendar.sprint_dates(self.number)
        if (self.start, self.end) != (dates.start, dates.end):
            raise ValidationError(
                {
                    "start": f"Sprint {self.number} runs from {dates.start.isoformat()} to "
                    f"{dates.end.isoformat()} in the sprint calendar."
                }
            )


class BoardSprintState(models.TextChoices):
    FUTURE = "future", "Future"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class BoardSprint(models.Model):
    """A cell's JIRA sprint (one per cell board) for one of our sprints."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="board_sprints")
    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="board_sprints")
    jira_id = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=BoardSprintState.choices, default=BoardSprintState.FUTURE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sprint", "cell"], name="one_board_sprint_per_cell")]

    def __str__(self) -> str:
        return self.name or f"{self.cell} {self.sprint}"


class TicketStatus(models.TextChoices):
    BACKLOG = "Backlog", "Backlog"
    TODO = "To Do", "To Do"
    IN_PROGRESS = "In Progress", "In Progress"
    CODE_REVIEW = "Code Review", "Code Review"
    EXTERNAL_REVIEW = "External Review", "External Review"
    MERGED = "Merged", "Merged"
    DELIVERED = "Deployed & Delivered", "Deployed & Delivered"
    DONE = "Done", "Done"
    STRETCH = "Stretch Goals", "Stretch Goals"
    BLOCKED = "Long External Review/Blocked", "Long External Review/Blocked"


class PriorityCategory(models.IntegerChoices):
    """The backlog's priority order, most important first."""

    CLIENT = 1, "Client work"
    NEWCOMER = 2, "Newcomer-friendly"
    INTERNAL_PRIORITY = 3, "Internal priority (flagged by management)"
    OTHER = 4, "Other cell work"


class Ticket(models.Model):
    """A mirror of a JIRA issue. Estimates and time spent are in seconds, as JIRA keeps them."""

    jira_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    key = models.CharField(max_length=32, unique=True)
    summary = models.CharField(max_length=500)
    issue_type = models.CharField(max_length=50, default="Story")
    status = models.CharField(max_length=50, default=TicketStatus.BACKLOG)
    jira_status = models.CharField(
        max_length=100,
        blank=True,
        help_text="The status's name in JIRA's workflow; ``status`` is the portal status it maps to.",
    )
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    reviewer = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_tickets"
    )
    story_points = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    original_estimate_seconds = models.PositiveIntegerField(null=True, blank=True)
    remaining_estimate_seconds = models.PositiveIntegerField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    account = models.ForeignKey(
        "sustainability.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    epic = models.ForeignKey(
        "epics.Epic", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    sprint = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    labels = models.JSONField(default=list, blank=True)
    priority_category = models.PositiveSmallIntegerField(
        choices=PriorityCategory.choices, default=PriorityCategory.OTHER
    )
    is_recurring = models.BooleanField(default=False)
    recurring_hours_per_sprint = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    needs_production_access = models.BooleanField(default=False)
    added_to_sprint_at = models.DateTimeField(
        null=True, blank=True, help_text="When the ticket entered its current sprint (for injections)."
    )
    injection_accepted = models.BooleanField(default=False)
    jira_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority_category", "key"]
        indexes = [
            models.Index(fields=["sprint", "cell"]),
            models.Index(fields=["sprint", "assignee"]),
            models.Index(fields=["sprint", "reviewer"]),
            models.Index(fields=["epic"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(story_points__isnull=True) | Q(story_points__gte=0),
                name="ticket_points_not_negative",
                violation_error_message="Story points cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.summary}"

    @property
    def is_green(self) -> bool:
        """Ready for a sprint: estimated, assigned and with a reviewer."""
        return self.story_points is not None and self.assignee_id is not None and self.reviewer_id is not None

    @property
    def is_unestimated(self) -> bool:
        """No story points, or (recurring tickets aside) no time estimate: the rule of
        ``sprints.selectors.unestimated_filter``."""
        no_hours = self.remaining_estimate_seconds is None and self.original_estimate_seconds is None
        return self.story_points is None or (not self.is_recurring and no_hours)

    @property
    def remaining_hours(self) -> Decimal:
        return Decimal(self.remaining_estimate_seconds or 0) / 3600


class Spillover(models.Model):
    """A ticket of ``sprint`` that was not finished when the sprint ended.

    Recorded by the sprint completion; the assignee explains why, and the sprint
    manager's wrap-up checks that every spillover has an explanation.
    """

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="spillovers")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="spillovers")
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.SET_NULL, related_name="spillovers"
    )
    assignee = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="spillovers"
    )
    status = models.CharField(max_length=50, help_text="The ticket's status when the sprint ended.")
    story_points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sprint", "ticket__key"]
        indexes = [models.Index(fields=["sprint", "cell"]), models.Index(fields=["assignee", "sprint"])]
        constraints = [
            models.UniqueConstraint(
                fields=["sprint", "ticket"],
                name="one_spillover_per_ticket_and_sprint",
                violation_error_message="This ticket already has a spillover for that sprint.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.key} spilled over {self.sprint}"

    @property
    def is_explained(self) -> bool:
        return bool(self.explanation.strip())


class CompletionState(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    FAILED = "failed", "Failed (re-run to finish)"
    DONE = "done", "Done"


class SprintCompletion(models.Model):
    """Completing one cell's sprint: the steps done so far, so a re-run after a
    failure resumes where it stopped and never repeats a step."""

    sprint = models.ForeignKey(Sprint, on_delete=models.PROTECT, related_name="completions")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="sprint_completions")
    state = models.CharField(max_length=10, choices=CompletionState.choices, default=CompletionState.PLANNED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sprint__number", "cell__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sprint", "cell"],
                name="one_completion_per_cell_sprint",
                violation_error_message="This cell's sprint already has a completion.",
            )
        ]

    def __str__(self) -> str:
        return f"Completion of {self.sprint} for {self.cell}"


class CompletionStep(models.Model):
    """A finished step of a sprint completion, with what it did."""

    completion = models.ForeignKey(SprintCompletion, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=50)
    done_at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["completion", "name"], name="completion_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.completion}: {self.name}"


class UpdateKind(models.TextChoices):
    MID = "mid", "Mid-sprint update"
    END = "end", "End-of-sprint update"


class MemberSprintUpdate(models.Model):
    """A member's written sprint update, as they record it: the mid-sprint update (text) or
    the end-of-sprint update (video), posted in the cell's Sprint Updates thread. The sprint
    manager confirms everyone's are in (``sprints.process_checks.member_update_missing``)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sprint_updates")
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="member_updates")
    kind = models.CharField(max_length=3, choices=UpdateKind.choices)
    posted_at = models.DateTimeField()
    link = models.URLField(max_length=500, blank=True, help_text="The forum post, if any.")
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sprint", "member", "kind"]
        constraints = [
            # Sprint first: the board and the check read one sprint's updates for many members.
            models.UniqueConstraint(
                fields=["sprint", "member", "kind"],
                name="one_member_update_per_sprint_and_kind",
                violation_error_message="This member already recorded this update for that sprint.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.member} for {self.sprint}"
