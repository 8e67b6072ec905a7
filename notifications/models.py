"""Notifications: chat webhooks (per cell or per member), each member's choice of
channels and quiet hours, and the delivery log.

This app sits above ``roles`` and below ``sprints`` (``.importlinter``): it reads the
findings and the organisation, and the apps above (duties, epics) call it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from opencraft_ops.webhook_targets import url_problem
from roles.models import Cell, Member


class ChatWebhook(models.Model):
    """An incoming webhook of Mattermost or Slack (both accept ``{"text": ...}``), for a
    cell's channel or for one member's direct messages."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_webhooks"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_webhooks"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cell__isnull=False) & Q(member__isnull=True))
                | (Q(cell__isnull=True) & Q(member__isnull=False)),
                name="chat_webhook_cell_or_member",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The same targets as the rotations' webhooks: ``https`` to a public host (checked
        again, after DNS, at each send)."""
        super().clean()
        problem = url_problem(self.url) if self.url else None
        if problem:
            raise ValidationError({"url": problem})


class NotificationPreference(models.Model):
    """A member's channels and quiet hours (their local time; a window may span midnight).
    Members without a row get email and chat, no quiet hours."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="notification_preference")
    by_email = models.BooleanField(default=True)
    by_chat = models.BooleanField(default=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="quiet_hours_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"Notifications of {self.member_id}"


class Kind(models.TextChoices):
    FINDING = "finding", "new finding"
    DUTY_DUE = "duty_due", "duty due"
    EPIC_UPDATE_DUE = "epic_update_due", "epic update due"


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    CHAT = "chat", "chat"


class Status(models.TextChoices):
    PENDING = "pending", "pending"
    SENDING = "sending", "sending"
    RETRYING = "retrying", "retrying"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class Notification(models.Model):
    """One message to one target (the delivery log). ``key`` names the event (a finding's
    episode, a duty instance, an epic and sprint); with ``target`` (``email:<member>``,
    ``webhook:<id>``) it is unique, so an event reaches each target once."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    target = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(
        ChatWebhook, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delayed_reason = models.CharField(max_length=100, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key", "target"], name="notification_once_per_target")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} -> {self.target} ({self.status})"
