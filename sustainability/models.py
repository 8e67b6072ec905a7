"""Accounts and worklogs: the raw material of the sustainability figures."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from roles.models import Cell, Member


class AccountCategory(models.TextChoices):
    CLIENT = "client", "Client"
    INTERNAL_NON_CELL = "internal_non_cell", "Internal (non-cell)"
    INTERNAL_CELL = "internal_cell", "Internal (cell)"


class AccountStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    CLOSED = "CLOSED", "Closed"
    ARCHIVED = "ARCHIVED", "Archived"


class Account(models.Model):
    tempo_id = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=20, choices=AccountCategory.choices)
    billable = models.BooleanField(default=False)
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")
    status = models.CharField(max_length=10, choices=AccountStatus.choices, default=AccountStatus.OPEN)
    customer = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} – {self.name}"


class Worklog(models.Model):
    """A Tempo worklog. ``member`` and ``ticket`` may be empty while their JIRA
    counterparts are unknown; the raw ids are kept so they can be linked later."""

    tempo_id = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="worklogs"
    )
    author_account_id = models.CharField(max_length=128, blank=True)
    ticket = models.ForeignKey(
        "sprints.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="worklogs"
    )
    jira_issue_id = models.CharField(max_length=32, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="worklogs"
    )
    account_key = models.CharField(max_length=64, blank=True)
    work_date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField()
    billable_seconds = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(help_text="When the worklog was created upstream.")
    updated_at = models.DateTimeField(help_text="When the worklog was last changed upstream.")

    class Meta:
        ordering = ["-work_date", "-id"]
        indexes = [
            models.Index(fields=["work_date"]),
            models.Index(fields=["account", "work_date"]),
            models.Index(fields=["member", "work_date"]),
            models.Index(fields=["ticket"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seconds__gte=0), name="worklog_seconds_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.work_date} {self.seconds / 3600:.2f} h ({self.account_key or 'no account'})"
