"""A member's dated records: type history, weekly commitments (and the requests to change them) and time off."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from opencraft_ops.validators import validate_sensible_date
from roles.models.organisation import Member, MemberType


def _refuse_second_change_that_day(record: MemberTypePeriod | WeeklyCommitment, what: str) -> None:
    """The unique (member, since) constraint as a message on ``since`` (the
    constraint's own check would report it for the whole form)."""
    if record.member_id is None or record.since is None:
        return
    taken = type(record)._default_manager.filter(member_id=record.member_id, since=record.since)
    taken = taken.exclude(pk=record.pk)
    if record.exclude_pks:
        taken = taken.exclude(pk__in=record.exclude_pks)
    if taken.exists():
        raise ValidationError({"since": f"This member already has {what} starting on {record.since}."})


class MemberTypePeriod(models.Model):
    """The member's type from ``since`` until the next period starts."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="type_periods")
    member_type = models.CharField(max_length=20, choices=MemberType.choices)
    since = models.DateField(validators=[validate_sensible_date])
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()
    # Stored rows clean() leaves out (not a field): the admin's member page sets the
    # rows its POST deletes or edits, whose new values its formset checks.
    exclude_pks: frozenset[int] = frozenset()

    class Meta:
        ordering = ["member", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "since"],
                name="member_type_one_change_per_day",
                violation_error_message="This member already has a type change on that date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_member_type_display()} since {self.since}"

    def clean(self) -> None:
        _refuse_second_change_that_day(self, "a type change")


# The bounds of a weekly commitment, and of a request to change one.
WEEKLY_HOURS_VALIDATORS = [
    MinValueValidator(0, message="Weekly hours cannot be negative."),
    MaxValueValidator(80, message="Weekly hours cannot exceed 80."),
]


class WeeklyCommitment(models.Model):
    """Hours per week the member commits to, from ``since`` until the next change."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commitments")
    hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=WEEKLY_HOURS_VALIDATORS,
    )
    since = models.DateField(validators=[validate_sensible_date])
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()
    # Stored rows clean() leaves out (not a field): the admin's member page sets the
    # rows its POST deletes or edits, whose new values its formset checks.
    exclude_pks: frozenset[int] = frozenset()

    class Meta:
        ordering = ["member", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "since"],
                name="commitment_one_change_per_day",
                violation_error_message="This member already has a commitment starting that day.",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=80),
                name="commitment_hours_in_range",
                violation_error_message="Weekly hours must be between 0 and 80.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.hours_per_week} h/week since {self.since}"

    def clean(self) -> None:
        _refuse_second_change_that_day(self, "a commitment")


class TimeOffKind(models.TextChoices):
    VACATION = "vacation", "Vacation"
    SICK = "sick", "Sick leave"
    OTHER = "other", "Other"


class TimeOff(models.Model):
    """A period away. ``hours`` empty means whole days; otherwise hours per day off.

    A member's periods never overlap: ``clean()`` checks it before every write,
    and on PostgreSQL an exclusion constraint (``time_off_no_overlap``,
    migration 0004) refuses a row that slipped past it in a race.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="time_off")
    kind = models.CharField(max_length=20, choices=TimeOffKind.choices, default=TimeOffKind.VACATION)
    start = models.DateField(validators=[validate_sensible_date])
    end = models.DateField(validators=[validate_sensible_date])
    hours_per_day = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
        help_text="Leave empty for whole days off.",
    )
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()
    # Stored rows clean() leaves out (not a field): the admin's member page sets the
    # rows its POST deletes or edits, whose new values its formset checks.
    exclude_pks: frozenset[int] = frozenset()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["member", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="time_off_end_after_start",
                violation_error_message="Time off cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_day__isnull=True) | Q(hours_per_day__gt=0),
                name="time_off_hours_positive",
                violation_error_message="Hours off per day must be positive.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_kind_display()} {self.start} – {self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "Time off cannot end before it starts."})
        if self.member_id and self.start and self.end:
            others = TimeOff.objects.filter(
                member_id=self.member_id, start__lte=self.end, end__gte=self.start
            ).exclude(pk=self.pk)
            if self.exclude_pks:
                others = others.exclude(pk__in=self.exclude_pks)
            clash = others.order_by("start").first()
            if clash is not None:
                raise ValidationError(
                    {"start": f"This overlaps time off already recorded from {clash.start} to {clash.end}."}
                )

    @property
    def is_whole_days(self) -> bool:
        return self.hours_per_day is None


class CommitmentRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CommitmentChangeRequest(models.Model):
    """A member asks to change their weekly hours from ``since`` on; their cell's epic
    planning and sustainability manager (or staff) approves it, which records the
    ``WeeklyCommitment``, or declines it. Rows are kept whatever becomes of them.

    ``decided_at`` is when the request left "pending" (a withdrawal included);
    ``decided_by`` names who approved or declined it (empty for a withdrawal, or a
    staff account without a member)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commitment_requests")
    hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=WEEKLY_HOURS_VALIDATORS,
    )
    since = models.DateField(
        validators=[validate_sensible_date], help_text="The day the new commitment starts."
    )
    reason = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=CommitmentRequestStatus.choices, default=CommitmentRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitment_requests_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="pending"),
                name="commitment_request_one_pending",
                violation_error_message="There is already a pending request to change these weekly hours; "
                "withdraw it before asking again.",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=80),
                name="commitment_request_hours_in_range",
                violation_error_message="Weekly hours must be between 0 and 80.",
            ),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True) & Q(decided_by__isnull=True))
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="commitment_request_decided_when_not_pending",
                violation_error_message="A decided request needs its decision time; a pending one has none.",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="commitment_request_status")]

    def __str__(self) -> str:
        return f"{self.member}: {self.hours_per_week} h/week from {self.since} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == CommitmentRequestStatus.PENDING

    def clean(self) -> None:
        # Only a new request is held to today: a decided one keeps its date as it ages.
        if not self._state.adding or self.since is None:
            return
        if self.since < timezone.localdate():
            raise ValidationError(
                {"since": "The new commitment cannot start in the past; pick today or later."}
            )
        if (
            self.member_id is not None
            and WeeklyCommitment.objects.filter(member_id=self.member_id, since=self.since).exists()
        ):
            raise ValidationError(
                {"since": f"A commitment already starts on {self.since}; pick another day."}
            )
