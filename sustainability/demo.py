"""Demo sustainability data on top of what the sync demo brought: targets per
cell (one unlocked to a higher limit this quarter), the company limit, budgets
for the accounts that exist, and one recorded accounts review.

Creates no accounts or worklogs; idempotent; does nothing harmful when nothing
was synced (targets and the company limit are still added).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from roles.models import Cell, Member
from sustainability.models import (
    Account,
    AccountBudget,
    AccountCategory,
    AccountsReview,
    AccountsReviewItem,
    BudgetKind,
    ReviewItemKind,
    SustainabilityTarget,
    Worklog,
)

# Budget as a share of the hours an account used per month lately: some on track, one tight, one over.
BUDGET_FACTORS = [Decimal("1.5"), Decimal("1.1"), Decimal("0.8")]


def _months_ago(today: date, months: int) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


@transaction.atomic
def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    reference = date(today.year - 1, 1, 1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    targets = 0
    for index, cell in enumerate(Cell.objects.order_by("name")):
        _, created = SustainabilityTarget.objects.get_or_create(
            cell=cell,
            since=reference,
            defaults={
                "max_non_billable_percent": Decimal("30"),
                "reference_start": reference,
                "note": "Initial target of the reference period.",
            },
        )
        targets += created
        if index == 0 and quarter_start > reference:
            _, created = SustainabilityTarget.objects.get_or_create(
                cell=cell,
                since=quarter_start,
                defaults={
                    "max_non_billable_percent": Decimal("35"),
                    "reference_start": reference,
                    "note": "Unlocked the 35 % limit.",
                },
            )
            targets += created
    SustainabilityTarget.objects.get_or_create(
        cell=None,
        since=reference,
        defaults={
            "max_non_billable_percent": Decimal("40"),
            "reference_start": reference,
            "note": "Company-wide limit, non-cell hours included.",
        },
    )

    window_start = _months_ago(today, 3)
    spent = dict(
        Worklog.objects.filter(work_date__gte=window_start, work_date__lte=today, account__isnull=False)
        .order_by()
        .values("account_id")
        .annotate(total=Sum("seconds"))
        .values_list("account_id", "total")
    )
    budgets = 0
    budget_since = date(today.year, 1, 1)
    for index, account in enumerate(Account.objects.order_by("key")):
        if account.budgets.exists():
            continue
        monthly = Decimal(spent.get(account.pk) or 0) / 3600 / 3
        if account.category == AccountCategory.INTERNAL_NON_CELL:
            kind, hours = BudgetKind.YEARLY, max(Decimal(120), monthly * 12)
        else:
            kind = BudgetKind.MONTHLY
            hours = monthly * BUDGET_FACTORS[index % len(BUDGET_FACTORS)] if monthly else Decimal(40)
        AccountBudget.objects.create(
            account=account,
            kind=kind,
            hours=hours.quantize(Decimal("1"), rounding=ROUND_HALF_UP),
            since=budget_since,
            note="Demo budget",
        )
        budgets += 1

    reviews = 0
    last_month = _months_ago(today, 1)
    manager = Member.objects.filter(user__username="demo").select_related("cell").first()
    review_cell = manager.cell if manager and manager.cell else Cell.objects.order_by("name").first()
    if review_cell is not None:
        review, created = AccountsReview.objects.get_or_create(
            cell=review_cell,
            month=last_month,
            defaults={"author": manager, "notes": "Reviewed the tickets worked on last month."},
        )
        reviews += created
        if created:
            worked = (
                Worklog.objects.filter(
                    work_date__gte=last_month,
                    work_date__lt=_months_ago(today, 0),
                    ticket__cell=review_cell,
                    ticket__account__isnull=False,
                )
                .select_related("ticket__account")
                .order_by("ticket__key")
                .first()
            )
            other = Account.objects.filter(category=AccountCategory.INTERNAL_CELL, cell=review_cell).first()
            if worked is not None and worked.ticket is not None and worked.ticket.account is not None:
                ticket, account = worked.ticket, worked.ticket.account
                if other is not None and other.pk != account.pk:
                    AccountsReviewItem.objects.create(
                        review=review,
                        kind=ReviewItemKind.CHANGE,
                        category=other.category,
                        ticket_key=ticket.key,
                        previous_account_key=account.key,
                        new_account_key=other.key,
                    )
                AccountsReviewItem.objects.create(
                    review=review,
                    kind=ReviewItemKind.QUESTION,
                    category=account.category,
                    ticket_key=ticket.key,
                    text="Should the onboarding part be billed to the client?",
                )
    stdout.write(
        f"  sustainability: {targets} targets, {budgets} budgets, {reviews} accounts review"
        f"{'s' if reviews != 1 else ''} added\n"
    )
