"""Rotations: firefighters, discovery duty, ops reviewer and pager shifts.

Also the things built around them: the record of swaps between members, a cell's
own firefighting policy, secret calendar feeds and outgoing webhooks.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from roles.models import Cell, Member
from rotations.webhook_urls import url_problem


class RotationKind(models.TextChoices):
    FIREFIGHTER_1 = "firefighter_1", "Firefighter 1"
    FIREFIGHTER_2 = "firefighter_2", "Firefighter 2"
    FIREFIGHTER_BACKUP = "firefighter_backup", "Backup firefighter"
    DISCOVERY_DUTY = "discovery_duty", "Discovery duty"
    OPS_REVIEWER = "ops_reviewer", "Ops reviewer"
    PAGER = "pager", "Pager"


FIREFIGHTER_KINDS = (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2, RotationKind.FIREFIGHTER_BACKUP)
# Kinds that only core members may hold (SPEC: core members take the team rotations).
CORE_ONLY_KINDS = (*FIREFIGHTER_KINDS, RotationKind.DISCOVERY_DUTY)


class RotationAssignment(models.Model):
    """Someone on a rotation from ``start`` to ``end`` (inclusive).

    Firefighters are per cell and sprint, discovery duty per cell and week; the
    ops reviewer and pager shifts may have no cell. ``reserved_hours`` are taken
    out of the member's capacity for the sprint(s) the period overlaps.
    """

    kind = models.CharField(max_length=30, choices=RotationKind.choices)
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.CASCADE, related_name="rotations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="rotations")
    sprint = models.ForeignKey(
        "sprints.Sprint", null=True, blank=True, on_delete=models.PROTECT, related_name="rotations"
    )
    start = models.DateField()
    end = models.DateField()
    reserved_hours = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    note = models.CharField(max_length=255, blank=True)
    reason = models.TextField(
        blank=True, help_text="Why the schedule picked this member (filled in by schedule generation)."
    )
    # A pager shift normally follows the sprint's firefighters (``services.pager``); one given
    # to someone by hand keeps that holder until it is removed, which hands it back to them.
    set_by_hand = models.BooleanField(
        default=False,
        help_text="A pager shift given by hand: it no longer follows the sprint's firefighters.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "kind"]
        indexes = [models.Index(fields=["cell", "start"]), models.Index(fields=["member", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="rotation_end_after_start",
                violation_error_message="A rotation cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(reserved_hours__gte=0), name="rotation_reserved_hours_not_negative"
            ),
            # One firefighter 1, one firefighter 2, one discovery duty... per cell and period:
            # this is what makes applying a generated schedule idempotent.
            models.UniqueConstraint(
                fields=["kind", "cell", "start"],
                condition=~Q(kind="firefighter_backup"),
                name="rotation_one_holder_per_slot",
                violation_error_message="This slot already has someone.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.member} {self.start} – {self.end}"


class FirefightingPolicy(models.Model):
    """How a cell staffs firefighting when it departs from the default of two
    firefighters per sprint (project cells may record their own rules)."""

    cell = models.OneToOneField(Cell, on_delete=models.CASCADE, related_name="firefighting_policy")
    firefighters_per_sprint = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(2)],
        help_text="How many firefighter slots schedule generation fills (0, 1 or 2).",
    )
    ops_reviewer = models.BooleanField(default=True, help_text="Schedule an ops reviewer each sprint.")
    pager = models.BooleanField(default=True, help_text="Schedule weekly pager shifts from the firefighters.")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "firefighting policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(firefighters_per_sprint__lte=2), name="policy_at_most_two_firefighters"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cell}: {self.firefighters_per_sprint} firefighter(s) per sprint"


class Swap(models.Model):
    """Two members exchanging their rotation slots, with who agreed and when."""

    first = models.ForeignKey(RotationAssignment, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(RotationAssignment, on_delete=models.CASCADE, related_name="+")
    # Members as they were before the swap: the assignments change, this record does not.
    first_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    second_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    agreed_on = models.DateField(help_text="When both members agreed.")
    # The one of the two who agreed to the other's request (empty on swaps recorded before it was asked).
    agreed_by = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Which of the two members agreed to the swap.",
    )
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(first=F("second")), name="swap_two_assignments"),
            models.CheckConstraint(condition=~Q(first_member=F("second_member")), name="swap_two_members"),
            models.CheckConstraint(
                condition=Q(agreed_by__isnull=True)
                | Q(agreed_by=F("first_member"))
                | Q(agreed_by=F("second_member")),
                name="swap_agreed_by_one_of_the_two",
                violation_error_message="The member who agreed must be one of the two members swapping.",
            ),
        ]

    def __str__(self) -> str:
        by = f" by {self.agreed_by}" if self.agreed_by_id else ""
        return f"{self.first_member} ⇄ {self.second_member} (agreed{by} {self.agreed_on})"


class CalendarFeed(models.Model):
    """A secret iCalendar URL for one member's or one cell's rotations.

    Only a SHA-256 digest of the token is stored: the URL is shown once, when
    the feed is created or regenerated.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(cell__isnull=True))
                | (Q(member__isnull=True) & Q(cell__isnull=False)),
                name="feed_member_xor_cell",
                violation_error_message="A feed is for one member or one cell.",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar of {self.member or self.cell}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    SPRINT_STARTED = "sprint.started", "A sprint started (participants and rotations)"
    ROTATION_CHANGED = "rotation.changed", "A rotation changed"
    DUTY_OVERDUE = "duty.overdue", "A duty is overdue"


def generate_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def mask_secret(secret: str) -> str:
    """What the admin shows of a secret after it was shown once."""
    return (secret[:10] + "…" + "•" * 8) if len(secret) > 16 else "•" * 8


MIN_SECRET_LENGTH = 24


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=100)
    url = models.URLField(
        max_length=500,
        help_text="An https URL of a public host (private, loopback and link-local targets are refused).",
    )
    secret = models.CharField(
        max_length=128,
        default=generate_webhook_secret,
        validators=[MinLengthValidator(MIN_SECRET_LENGTH)],
        help_text="Generated; shown once when the endpoint is created or its secret rotated.",
    )
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    is_active = models.BooleanField(default=True)
    timeout_seconds = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = url_problem(self.url) if self.url else None
        if problem:
            raise ValidationError({"url": problem})
        events = self.events
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            raise ValidationError({"events": 'A list of event names, e.g. ["rotation.changed"].'})
        unknown = sorted(set(events) - set(WebhookEvent.values))
        if unknown:
            raise ValidationError(
                {
                    "events": f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(WebhookEvent.values)}."
                }
            )

    def wants(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by one attempt, until ``next_attempt_at``
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint, with every attempt's outcome."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50, choices=WebhookEvent.choices)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Events that must be sent once (e.g. "sprint.started:142") carry a key.
    dedupe_key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    log = models.JSONField(default=list, help_text="One entry per attempt: time, status code, error.")
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the delivery is due to be sent (again): after a failure, its back-off; while "
            "queued, a fallback in case no worker takes it; while sending, the end of that claim."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="webhook_delivery_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.get_status_display()})"
