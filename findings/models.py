"""Findings as records: each row is one *episode* of a process finding, from the
evaluation that first saw it to the one that saw it gone.

This app sits just above ``opencraft_ops`` and below ``roles`` (see ``.importlinter``):
the directory and ``/api/findings/`` live in ``roles`` and read these rows, so the
rows name cells and members by id (indexed integers, no foreign keys). An evaluation
of a cell resolves the findings of members or cells that no longer exist.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from opencraft_ops.process_checks import Severity

COMPANY_SCOPE = "company"


# The cache key holding when a scope was last evaluated (read by pages without a query).
CHECKED_TTL_SECONDS = 86400


def checked_key(scope: str) -> str:
    return f"findings:checked:{scope}"


def scope_of(cell_id: int | None) -> str:
    """The evaluation scope a finding belongs to: its cell, or the company for cell-less ones."""
    return f"cell:{cell_id}" if cell_id is not None else COMPANY_SCOPE


class Finding(models.Model):
    """One episode of a finding: open while ``resolved_at`` is empty.

    ``key`` identifies the finding from one evaluation to the next (rule, subject, cell,
    addressee); at most one open episode per key. When the condition stops the episode
    is resolved; when it comes back a new episode (a new row) opens.
    """

    key = models.CharField(max_length=400)
    rule = models.SlugField(max_length=80)
    subject = models.CharField(max_length=200)
    scope = models.CharField(max_length=30, help_text="cell:<id> or 'company': which evaluation owns it.")
    cell_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member_id = models.BigIntegerField(null=True, blank=True, db_index=True, help_text="Who should act.")
    role_slug = models.SlugField(max_length=80, blank=True, default="", help_text="Or which role should act.")
    severity = models.PositiveSmallIntegerField(choices=[(s.value, s.label) for s in Severity])
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True, default="")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_id = models.BigIntegerField(null=True, blank=True, help_text="The member (id).")
    acknowledged_by_name = models.CharField(max_length=200, blank=True, default="")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True, default="")
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_by_id = models.BigIntegerField(null=True, blank=True)
    snoozed_by_name = models.CharField(max_length=200, blank=True, default="")
    snoozed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When its notifications were queued.")

    class Meta:
        ordering = ["-severity", "rule", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="finding_one_open_episode_per_key"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("first_seen")),
                name="finding_resolved_after_first_seen",
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "resolved_at"], name="finding_scope_open"),
            models.Index(fields=["cell_id", "first_seen"], name="finding_cell_history"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject} ({'open' if self.resolved_at is None else 'resolved'})"

    @property
    def level(self) -> Severity:
        return Severity(self.severity)

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Evaluation(models.Model):
    """When a scope (a cell, or the company for cell-less findings) was last evaluated."""

    scope = models.CharField(max_length=30, unique=True)
    cell_id = models.BigIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scope"]

    def __str__(self) -> str:
        return f"{self.scope} checked {self.checked_at:%Y-%m-%d %H:%M}"
