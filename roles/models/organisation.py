"""Cells and members: who is in the organisation, where and since when."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from roles.calculations import display_name


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Paris, UTC).")


class MemberType(models.TextChoices):
    SHORT_TERM = "short_term", "Short-term member"
    NEWCOMER = "newcomer", "Newcomer"
    CORE = "core", "Core member"


class CellKind(models.TextChoices):
    GENERALIST = "generalist", "Generalist"
    PROJECT = "project", "Project"


class Cell(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=CellKind.choices, default=CellKind.GENERALIST)
    description = models.TextField(blank=True)
    firefighting_rules = models.TextField(
        blank=True,
        help_text="A project cell's own firefighting arrangement, when it has one. "
        "Leave empty to follow the default two-firefighter rotation.",
    )
    client_sla_hours = models.DecimalField(
        "client SLA (hours)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("24"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
        help_text="Response time promised to clients. Never looser than the 24 h default.",
    )
    firefighting_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("7.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of the cell's weekly hours reserved for firefighting.",
    )
    discovery_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of the cell's weekly hours reserved for discoveries.",
    )
    discovery_duty_hours_per_week = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("5"), validators=[MinValueValidator(0)]
    )
    firefighter_min_hours_per_sprint = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("15"), validators=[MinValueValidator(0)]
    )
    jira_project_key = models.CharField(max_length=20, blank=True)
    jira_board_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    created_on = models.DateField(default=date.today)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client_sla_hours__gt=0) & Q(client_sla_hours__lte=24),
                name="cell_sla_within_24h",
                violation_error_message="The client SLA must be between 0 and 24 hours.",
            ),
            models.CheckConstraint(
                condition=Q(firefighting_percent__gte=0, firefighting_percent__lte=100)
                & Q(discovery_percent__gte=0, discovery_percent__lte=100),
                name="cell_percentages_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_generalist(self) -> bool:
        return self.kind == CellKind.GENERALIST

    def clean(self) -> None:
        if self.is_generalist and self.firefighting_rules.strip():
            raise ValidationError(
                {"firefighting_rules": "Only project cells keep their own firefighting rules."}
            )


class MemberQuerySet(models.QuerySet["Member"]):
    def active(self, as_of: date | None = None) -> MemberQuerySet:
        day = as_of or timezone.localdate()
        return self.filter(Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gte=day)))

    def with_type(self, as_of: date | None = None) -> MemberQuerySet:
        """Annotates ``current_type``: the member type in force on ``as_of`` (one subquery)."""
        from roles.models.records import MemberTypePeriod  # records import this module

        day = as_of or timezone.localdate()
        latest = (
            MemberTypePeriod.objects.filter(member=models.OuterRef("pk"), since__lte=day)
            .order_by("-since")
            .values("member_type")[:1]
        )
        return self.annotate(current_type=models.Subquery(latest))

    def with_commitment(self, as_of: date | None = None) -> MemberQuerySet:
        """Annotates ``current_weekly_hours``: the weekly commitment in force on ``as_of``."""
        from roles.models.records import WeeklyCommitment

        day = as_of or timezone.localdate()
        latest = (
            WeeklyCommitment.objects.filter(member=models.OuterRef("pk"), since__lte=day)
            .order_by("-since")
            .values("hours_per_week")[:1]
        )
        return self.annotate(current_weekly_hours=models.Subquery(latest))


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    cell = models.ForeignKey(
        Cell,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="Empty for people outside any cell (e.g. company-wide roles).",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    jira_account_id = models.CharField(max_length=128, unique=True, null=True, blank=True)
    joined_on = models.DateField(default=date.today)
    left_on = models.DateField(null=True, blank=True)
    email_digest = models.BooleanField(default=True, help_text="Send the daily email digest of duties.")

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="member_left_after_joined",
                violation_error_message="A member cannot leave before joining.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return display_name(self.user.first_name, self.user.last_name, self.user.username)

    def is_active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)

    def clean(self) -> None:
        if self.left_on is not None and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "A member cannot leave before joining."})

    def type_on(self, day: date) -> str | None:
        """The member type in force on ``day`` (one query)."""
        return (
            self.type_periods.filter(since__lte=day)
            .order_by("-since")
            .values_list("member_type", flat=True)
            .first()
        )
