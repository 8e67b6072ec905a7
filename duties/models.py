"""Duties: each role's recurring duties with checklists, and their instances."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from duties.cadence import Cadence, CadenceKind
from roles.models import Cell, Member, Role


class CadenceChoice(models.TextChoices):
    SPRINT = CadenceKind.SPRINT.value, "Every sprint on a sprint day"
    WEEKLY = CadenceKind.WEEKLY.value, "Every week on a weekday"
    MONTHLY = CadenceKind.MONTHLY.value, "Every month, before a day of the month"
    QUARTERLY = CadenceKind.QUARTERLY.value, "Every quarter (January, April, July, October)"
    NEWCOMER_JOINING = CadenceKind.NEWCOMER_JOINING.value, "Once per newcomer, around their first day"
    NEWCOMER_WEEKLY = CadenceKind.NEWCOMER_WEEKLY.value, "Every week of a newcomer's trial"


class Weekday(models.IntegerChoices):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class AssigneeRule(models.TextChoices):
    HOLDER = "holder", "The role's holder (the backup when the holder is off)"
    NEWCOMER = "newcomer", "The newcomer themself"


class DutyDefinition(models.Model):
    """A recurring duty of a role, with its checklist (one item per line)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="duty_definitions")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    checklist = models.TextField(help_text="One checklist item per line.")
    cadence = models.CharField(max_length=30, choices=CadenceChoice.choices)
    sprint_week = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="W1, W2 or W3.",
    )
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, choices=Weekday.choices)
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(28)],
        help_text="Monthly/quarterly: due on the last working day before this day. "
        "Quarterly without it: the last working day of the month.",
    )
    offset_days = models.SmallIntegerField(
        default=0, help_text="Newcomer duties: due this many days after the first day (negative: before)."
    )
    lead_days = models.PositiveSmallIntegerField(
        default=2, help_text="Opens this many days before it is due."
    )
    assignee_rule = models.CharField(max_length=20, choices=AssigneeRule.choices, default=AssigneeRule.HOLDER)
    active = models.BooleanField(default=True)
    in_force_from = models.DateField(
        null=True,
        blank=True,
        verbose_name="in force from",
        help_text="The day this duty came into force: the opener never opens an instance due before it "
        "(its catch-up would otherwise open past occurrences as overdue). Empty: no limit.",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role__sort_order", "sort_order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cadence="sprint") | (Q(sprint_week__isnull=False) & Q(weekday__isnull=False)),
                name="duty_sprint_cadence_has_day",
                violation_error_message="A sprint cadence needs a sprint week and a weekday.",
            ),
            models.CheckConstraint(
                condition=~Q(cadence__in=["weekly", "newcomer_weekly"]) | Q(weekday__isnull=False),
                name="duty_weekly_cadence_has_weekday",
                violation_error_message="A weekly cadence needs a weekday.",
            ),
            models.CheckConstraint(
                condition=~Q(cadence="monthly") | Q(day_of_month__isnull=False),
                name="duty_monthly_cadence_has_day",
                violation_error_message="A monthly cadence needs the day it is due before.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.title}"

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    def as_cadence(self) -> Cadence:
        return Cadence(
            kind=CadenceKind(self.cadence),
            week=self.sprint_week,
            weekday=self.weekday,
            day_of_month=self.day_of_month,
            offset_days=self.offset_days,
            lead_days=self.lead_days,
        )

    def clean(self) -> None:
        try:
            self.as_cadence().validate()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if not self.checklist_items:
            raise ValidationError({"checklist": "A duty needs at least one checklist item."})


class AssignedAs(models.TextChoices):
    HOLDER = "holder", "Holder"
    BACKUP = "backup", "Backup (holder off)"
    NEWCOMER = "newcomer", "Newcomer"
    NOBODY = "nobody", "Nobody holds the role"


class DutyInstance(models.Model):
    """One occurrence of a duty for one subject (a cell, a holder, a newcomer or an epic).

    ``period`` + ``subject_key`` identify it, so the opener can run any number
    of times and open it once.
    """

    definition = models.ForeignKey(DutyDefinition, on_delete=models.CASCADE, related_name="instances")
    period = models.CharField(max_length=40)
    subject_key = models.CharField(
        max_length=60, help_text="cell:<id>, member:<id>, newcomer:<id> or epic:<id>."
    )
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.CASCADE, related_name="duties")
    subject_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="duties_about"
    )
    epic = models.ForeignKey(
        "epics.Epic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duties",
        help_text="Per-epic duties (the epic owner's update).",
    )
    opens_on = models.DateField()
    due_on = models.DateField()
    assignee = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="duties"
    )
    assigned_as = models.CharField(max_length=20, choices=AssignedAs.choices, default=AssignedAs.HOLDER)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="duties_done"
    )
    notes = models.TextField(blank=True)
    overdue_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the duty.overdue webhook was queued."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["overdue_notified_at"])

    class Meta:
        ordering = ["due_on", "definition__sort_order"]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"]),
            models.Index(fields=["cell", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "period", "subject_key"],
                name="duty_instance_once_per_period_and_subject",
                violation_error_message="This duty is already open for that period.",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")),
                name="duty_instance_due_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.title} ({self.period})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, as_of: date) -> bool:
        return self.done_at is None and self.due_on < as_of

    @property
    def progress(self) -> tuple[int, int]:
        """(ticked, total) items; uses the prefetched items when there are."""
        items = list(self.items.all())
        return sum(1 for i in items if i.ticked_at is not None), len(items)


class ChecklistItem(models.Model):
    """One line of an instance's checklist, copied from the definition when it opens."""

    duty = models.ForeignKey(DutyInstance, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    ticked_at = models.DateTimeField(null=True, blank=True)
    ticked_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="duty_items_ticked"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["duty", "position"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "position"], name="checklist_item_position_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_ticked(self) -> bool:
        return self.ticked_at is not None


# The rule name of a snapshot row holding all of a cell's findings that day (zero included).
TOTAL_RULE = "_total"


class FindingSnapshot(models.Model):
    """How many findings a rule had for a cell on a day (taken by the beat task, for trends)."""

    day = models.DateField()
    sprint_number = models.PositiveIntegerField()
    cell = models.ForeignKey(Cell, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    cell_key = models.CharField(max_length=20, help_text="cell:<id> or 'none'.")
    rule = models.SlugField(max_length=80)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["day", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["day", "cell_key", "rule"], name="finding_snapshot_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cell_key} {self.rule}: {self.count}"


class DigestSent(models.Model):
    """The daily digest sent to a member for a day of theirs: recorded so a retry never sends it twice."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(help_text="The member's local date.")
    sent_at = models.DateTimeField(null=True, blank=True)
    duties_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="digest_once_per_member_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.day}"
