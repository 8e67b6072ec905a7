"""Estimation sessions: a cell's members give story points to the next sprint's tickets;
when the session closes, the agreed points go to the tickets and to JIRA."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from estimation.calculations import (
    DEFAULT_LARGE_SPREAD_STEPS,
    RULE_CHOICES,
    VOTE_CHOICES,
    Rule,
)
from roles.models import Cell, Member
from sprints.models import Sprint, Ticket

FRIDAY = 4


def points_text(points: Decimal | None) -> str:
    """``Decimal("3.00")`` -> "3", ``Decimal("0.50")`` -> "0.5"; "" for None."""
    if points is None:
        return ""
    text = f"{points:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class CellEstimationSettings(models.Model):
    """A cell's own estimation settings; a cell without a row uses the defaults (closing on
    Friday of W2, the median-or-keeper rule, spreads of two scale steps flagged)."""

    cell = models.OneToOneField(Cell, on_delete=models.CASCADE, related_name="estimation_settings")
    close_week = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="Week of the running sprint (W1, W2 or W3) in which the session closes.",
    )
    close_weekday = models.PositiveSmallIntegerField(
        default=FRIDAY,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
        help_text="Day of that week the session closes (0 = Monday ... 4 = Friday).",
    )
    rule = models.CharField(max_length=20, choices=RULE_CHOICES, default=Rule.MEDIAN_OR_KEEPER.value)
    large_spread_steps = models.PositiveSmallIntegerField(
        default=DEFAULT_LARGE_SPREAD_STEPS,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="Votes this many scale steps apart (or any '?' / 'too big') are flagged for discussion.",
    )

    class Meta:
        verbose_name = "cell estimation settings"
        verbose_name_plural = "cell estimation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(close_week__gte=1, close_week__lte=3, close_weekday__lte=6),
                name="estimation_close_day_in_sprint_weeks",
                violation_error_message="The closing day is a weekday (0-6) of W1, W2 or W3.",
            )
        ]

    def __str__(self) -> str:
        return f"Estimation settings of {self.cell}"


class SessionState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSING = "closing", "Closing (writing points to JIRA)"
    CLOSED = "closed", "Closed"


class EstimationSession(models.Model):
    """One cell's estimation of one sprint's tickets (``sprint`` is the sprint estimated: the
    next one while the session is open)."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="estimation_sessions")
    sprint = models.ForeignKey(Sprint, on_delete=models.PROTECT, related_name="estimation_sessions")
    state = models.CharField(max_length=10, choices=SessionState.choices, default=SessionState.OPEN)
    closes_on = models.DateField(help_text="The session closes at the end of this day.")
    rule = models.CharField(
        max_length=20,
        choices=RULE_CHOICES,
        default=Rule.MEDIAN_OR_KEEPER.value,
        help_text="How the points are chosen at closing.",
    )
    large_spread_steps = models.PositiveSmallIntegerField(
        default=DEFAULT_LARGE_SPREAD_STEPS, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-sprint__number", "cell__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "sprint"],
                name="one_estimation_session_per_cell_sprint",
                violation_error_message="This cell already has an estimation session for that sprint.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cell} estimation of {self.sprint}"

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN


class ItemSource(models.TextChoices):
    OPENING = "opening", "At opening"
    SYNC = "sync", "Joined later (unestimated ticket of the sprint)"
    ADDED = "added", "Added by an epic owner or the keeper"


class WriteState(models.TextChoices):
    NONE = "none", "Nothing to write"
    PENDING = "pending", "To write"
    SENDING = "sending", "Sent, answer not confirmed"
    WRITTEN = "written", "Written to JIRA"
    SKIPPED = "skipped", "Not written (JIRA off)"
    FAILED = "failed", "Failed"


class EstimationItem(models.Model):
    """A ticket of a session: its votes, the keeper's decision and, once closed, its points and
    where writing them to JIRA stands (so a retried close never writes them twice)."""

    session = models.ForeignKey(EstimationSession, on_delete=models.CASCADE, related_name="items")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="estimation_items")
    source = models.CharField(max_length=10, choices=ItemSource.choices, default=ItemSource.OPENING)
    added_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    keeper_points = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The keeper's decision, used by the rules that ask for it.",
    )
    final_points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, help_text="Why the ticket got its points.")
    votes_record = models.JSONField(default=list, blank=True, help_text="The votes as they were at closing.")
    write_state = models.CharField(max_length=10, choices=WriteState.choices, default=WriteState.NONE)
    write_attempts = models.PositiveSmallIntegerField(default=0)
    written_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["ticket__priority_category", "ticket__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "ticket"],
                name="ticket_once_per_estimation_session",
                violation_error_message="This ticket is already in the session.",
            ),
            models.CheckConstraint(
                condition=Q(final_points__isnull=True) | Q(final_points__gte=0),
                name="estimation_final_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.key} in {self.session}"

    @property
    def keeper_points_text(self) -> str:
        return points_text(self.keeper_points)

    @property
    def final_points_text(self) -> str:
        return points_text(self.final_points)


class Vote(models.Model):
    """One member's estimate of one ticket (they may change it while the session is open)."""

    item = models.ForeignKey(EstimationItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="estimation_votes")
    value = models.CharField(max_length=10, choices=VOTE_CHOICES)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member"],
                name="one_vote_per_member_and_ticket",
                violation_error_message="This member already voted on this ticket.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.item.ticket.key}: {self.value}"

    @property
    def points(self) -> Decimal | None:
        return None if self.value in ("?", "too-big") else Decimal(self.value)
