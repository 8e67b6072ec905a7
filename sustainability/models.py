"""Accounts and worklogs: the raw material of the sustainability figures."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from opencraft_ops.validators import MAX_REFERENCE_YEARS, validate_sensible_date
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
    cell_set_by_hand = models.BooleanField(
        default=False,
        help_text="Set when a person chose the cell (admin, API, portal); the Tempo sync then keeps it.",
    )
    status = models.CharField(max_length=10, choices=AccountStatus.choices, default=AccountStatus.OPEN)
    customer = models.CharField(max_length=255, blank=True)
    owner = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        help_text="The client owner (or account lead) alerted about this account's budget.",
    )

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
            # Worklogs without a ticket, by JIRA issue: linked when their issue arrives, and
            # counted for an epic when logged on the epic issue itself (small: a partial index).
            models.Index(
                fields=["jira_issue_id"],
                condition=models.Q(ticket__isnull=True),
                name="worklog_unlinked_issue",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seconds__gte=0), name="worklog_seconds_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.work_date} {self.seconds / 3600:.2f} h ({self.account_key or 'no account'})"


class BudgetKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


class AccountBudget(models.Model):
    """The budget of an account from ``since`` until the account's next budget row.

    A monthly budget applies to each calendar month, a yearly one to each
    calendar year; both are pro-rated by days for partial periods and for a
    change in the middle of a month (see ``calculations.budget_hours``).
    Zero hours means "no budget from this day on".
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="budgets")
    kind = models.CharField(max_length=10, choices=BudgetKind.choices, default=BudgetKind.MONTHLY)
    hours = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    since = models.DateField(validators=[validate_sensible_date])
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["account", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "since"],
                name="budget_one_change_per_day",
                violation_error_message="This account already has a budget starting that day.",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="budget_hours_not_negative",
                violation_error_message="A budget cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.key}: {self.hours} h/{self.kind} since {self.since}"


class SustainabilityTarget(models.Model):
    """The maximum non-billable share of a cell (or of the company when ``cell`` is
    empty) from ``since`` until the next target; a cell "unlocks" a higher limit
    by adding a row. ``reference_start`` is where the reference period measured
    against this target begins."""

    cell = models.ForeignKey(
        Cell,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sustainability_targets",
        help_text="Empty for the company-wide limit.",
    )
    max_non_billable_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
        help_text="Maximum share of non-billable hours, in percent (e.g. 30).",
    )
    since = models.DateField(validators=[validate_sensible_date])
    reference_start = models.DateField(
        validators=[validate_sensible_date], help_text="First day of the reference period for this target."
    )
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cell__name", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "since"],
                condition=Q(cell__isnull=False),
                name="target_one_change_per_day",
                violation_error_message="This cell already has a target starting that day.",
            ),
            models.UniqueConstraint(
                fields=["since"],
                condition=Q(cell__isnull=True),
                name="company_target_one_change_per_day",
                violation_error_message="The company already has a limit starting that day.",
            ),
            models.CheckConstraint(
                condition=Q(max_non_billable_percent__gte=0) & Q(max_non_billable_percent__lt=100),
                name="target_percent_in_range",
                violation_error_message="The target must be between 0 and 100 % (exclusive).",
            ),
            models.CheckConstraint(
                condition=Q(reference_start__lte=F("since")),
                name="target_reference_before_since",
                violation_error_message="The reference period must start on or before the target.",
            ),
        ]

    def __str__(self) -> str:
        who = self.cell.name if self.cell is not None else "Company"
        return f"{who}: max {self.max_non_billable_percent} % since {self.since}"

    def clean(self) -> None:
        super().clean()
        if self.since and self.reference_start:
            earliest = self.since.replace(year=self.since.year - MAX_REFERENCE_YEARS, day=1)
            if self.reference_start < earliest:
                raise ValidationError(
                    {
                        "reference_start": f"The reference period may cover at most "
                        f"{MAX_REFERENCE_YEARS} years before the target."
                    }
                )


class WorklogMonth(models.Model):
    """Rollup of worklogs per month, account and the logging member's cell, kept
    up to date by PostgreSQL triggers (migrations 0003 and 0004): statement
    triggers on the worklog table, and a row trigger on members that moves a
    member's hours when their cell changes.

    ``account_id`` / ``member_cell_id`` are plain integers (0 for none) so the
    triggers can upsert on one unique key. ``billed_seconds`` is the billable
    part of each worklog as if its account were billable (see
    ``selectors.BILLED``); the account's flag decides at read time.
    """

    month = models.DateField()
    account_id = models.BigIntegerField(default=0)
    member_cell_id = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    billed_seconds = models.BigIntegerField(default=0)
    worklogs = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "account_id", "member_cell_id"], name="worklog_month_cell_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} account {self.account_id} cell {self.member_cell_id}"


class AlertKind(models.TextChoices):
    BUDGET = "budget", "Budget threshold"
    TARGET = "target", "Above target"
    PROJECTED = "projected", "Projected above target"


class AlertCrossing(models.Model):
    """A threshold crossed in a period, recorded before its email goes out so the
    email is sent once (``notified_at``), whatever fails or retries.

    While the figure stays past the threshold the crossing is open; when it falls
    back under, ``cleared_at`` is set (the row stays as history) and a new
    crossing later is a new row, alerted again.
    """

    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    subject = models.CharField(max_length=100, help_text="e.g. account:ACME or cell:3")
    period_start = models.DateField()
    threshold = models.DecimalField(max_digits=6, decimal_places=2)
    value = models.DecimalField(max_digits=9, decimal_places=2)
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True, help_text="The page the email links to.")
    crossed_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(
        null=True, blank=True, help_text="When the figure fell back under the threshold."
    )
    seen_on = models.DateField(
        help_text="The latest day evaluated that found it; evaluating an earlier day "
        "(a replay) does not clear it."
    )
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-crossed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "period_start", "threshold"],
                condition=Q(cleared_at__isnull=True),
                name="alert_once_per_open_crossing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} {self.threshold} ({self.period_start})"


class AccountsReview(models.Model):
    """The monthly accounts review of a cell: changes applied and open questions."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="accounts_reviews")
    month = models.DateField(help_text="First day of the month reviewed.")
    author = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts_reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "cell__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "month"],
                name="one_accounts_review_per_cell_month",
                violation_error_message="This cell already has an accounts review for that month.",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="accounts_review_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"Accounts review {self.month:%B %Y} ({self.cell})"


class ReviewItemKind(models.TextChoices):
    CHANGE = "change", "Update applied"
    QUESTION = "question", "Open question"


class AccountsReviewItem(models.Model):
    review = models.ForeignKey(AccountsReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ReviewItemKind.choices)
    category = models.CharField(max_length=20, choices=AccountCategory.choices)
    ticket_key = models.CharField(max_length=32)
    previous_account_key = models.CharField(max_length=64, blank=True)
    new_account_key = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "category", "kind", "ticket_key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="change") | (~Q(previous_account_key="") & ~Q(new_account_key="")),
                name="review_change_names_accounts",
                violation_error_message="A change needs the previous and the new account.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_key}: {self.get_kind_display()}"
