"""Rotations: firefighters, discovery duty, ops reviewer and pager shifts."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from roles.models import Cell, Member


class RotationKind(models.TextChoices):
    FIREFIGHTER_1 = "firefighter_1", "Firefighter 1"
    FIREFIGHTER_2 = "firefighter_2", "Firefighter 2"
    FIREFIGHTER_BACKUP = "firefighter_backup", "Backup firefighter"
    DISCOVERY_DUTY = "discovery_duty", "Discovery duty"
    OPS_REVIEWER = "ops_reviewer", "Ops reviewer"
    PAGER = "pager", "Pager"


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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.member} {self.start} – {self.end}"
