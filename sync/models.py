"""Records of the JIRA/Tempo sync: each run with its counts, and where each feed got to."""

from __future__ import annotations

from django.db import models

from epics.models import EpicStatus
from sprints.models import TicketStatus


class SyncSource(models.TextChoices):
    TEMPO = "tempo", "Tempo"
    JIRA = "jira", "JIRA"


class SyncKind(models.TextChoices):
    """What a run brought in: the Tempo worklog feed, Tempo accounts, or JIRA boards and issues."""

    WORKLOGS = "worklogs", "Worklogs"
    ACCOUNTS = "accounts", "Accounts"
    ISSUES = "issues", "Boards, sprints and issues"


class SyncMode(models.TextChoices):
    INCREMENTAL = "incremental", "Incremental"
    FULL = "full", "Full"
    RANGE = "range", "Date range"
    RECONCILE = "reconcile", "Reconciliation"


class SyncOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Success, some records skipped"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped, nothing to sync"


SUCCESSFUL_OUTCOMES = (SyncOutcome.SUCCESS, SyncOutcome.PARTIAL)
# The runs that keep a source current (what the sync-stale check watches): the watermark
# feeds, not the accounts, a date range or the nightly reconciliation.
FEED_KINDS = {SyncSource.TEMPO: SyncKind.WORKLOGS, SyncSource.JIRA: SyncKind.ISSUES}
FEED_MODES = (SyncMode.INCREMENTAL, SyncMode.FULL)
MAX_STORED_SKIPS = 200  # default of SYNC_MAX_STORED_SKIPS: the run keeps the first ones; counters stay exact
DEMO_TRIGGER = "demo"  # triggered_by of the runs the demo seeding makes from the built-in fake servers


class SyncRun(models.Model):
    source = models.CharField(max_length=10, choices=SyncSource.choices)
    kind = models.CharField(max_length=10, choices=SyncKind.choices, default=SyncKind.WORKLOGS)
    mode = models.CharField(max_length=12, choices=SyncMode.choices, default=SyncMode.INCREMENTAL)
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=SyncOutcome.choices, default=SyncOutcome.RUNNING)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    skipped_records = models.JSONField(
        default=list,
        blank=True,
        help_text="[{remote_id, reason}] of the records left out (the first SYNC_MAX_STORED_SKIPS).",
    )
    unknown_authors = models.JSONField(
        default=dict,
        blank=True,
        help_text="JIRA account ids of worklog authors with no member, and their counts.",
    )
    message = models.TextField(blank=True, help_text="Why the run failed, or notes.")
    triggered_by = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["source", "outcome", "-finished"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.kind} {self.mode} {self.started:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()


class SyncCursor(models.Model):
    """Where a feed got to. ``value`` is the watermark the next incremental run starts from;
    ``pending`` is the newest remote change stored by a run still paging (it becomes the
    watermark, less an overlap, in the same transaction as the feed's last page)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.DateTimeField(null=True, blank=True)
    pending = models.DateTimeField(null=True, blank=True)
    fields = models.CharField(
        max_length=500,
        blank=True,
        help_text="The JIRA fields the stored issues were read with: when they change, the next run reads "
        "every issue again.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class StatusCategory(models.TextChoices):
    """JIRA's status categories: every workflow status belongs to one."""

    NEW = "new", "To do (new)"
    INDETERMINATE = "indeterminate", "In progress (indeterminate)"
    DONE = "done", "Done"


class JiraStatus(models.Model):
    """A workflow status the JIRA sync has met, with its category and how it maps.

    A status named like a portal status maps to it; any other maps by its category, unless a
    staff member sets ``ticket_status`` / ``epic_status`` here (in the admin). A status
    mapped only by its category is reported once as a finding to the sync's keepers."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, blank=True, help_text="JIRA's status category key.")
    ticket_status = models.CharField(
        max_length=50,
        blank=True,
        choices=TicketStatus.choices,
        help_text="The portal status of the tickets in this JIRA status (empty: by name, else by category).",
    )
    epic_status = models.CharField(
        max_length=20,
        blank=True,
        choices=EpicStatus.choices,
        help_text="The portal status of the epics in this JIRA status (empty: by name, else by category).",
    )
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    issue_keys = models.JSONField(
        default=list, blank=True, help_text="Keys of the latest issues read in this status (at most 20)."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "JIRA status"
        verbose_name_plural = "JIRA statuses"

    def __str__(self) -> str:
        return f"{self.name} ({self.category or 'no category'})"
