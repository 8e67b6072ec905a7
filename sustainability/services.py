"""Writes of the sustainability app: accounts, budgets, targets and review items
(the CSV import and the alerts live in their own modules: ``importing.py``,
``alerts.py``).

Accounts, budgets and targets are validated in one place, the model's
``full_clean`` (fields, unique and check constraints with their messages):
the API, the admin and the import all end there. A refusal raises Django's
``ValidationError`` and saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db import models, transaction

from roles.models import Cell, Member
from sustainability.models import (
    Account,
    AccountBudget,
    AccountsReview,
    AccountsReviewItem,
    AccountStatus,
    BudgetKind,
    SustainabilityTarget,
)

M = TypeVar("M", bound=models.Model)

ACCOUNT_FIELDS = frozenset(
    {
        "tempo_id",
        "key",
        "name",
        "category",
        "billable",
        "cell",
        "cell_set_by_hand",
        "status",
        "customer",
        "owner",
    }
)
BUDGET_FIELDS = frozenset({"account", "kind", "hours", "since", "note"})
TARGET_FIELDS = frozenset({"cell", "max_non_billable_percent", "since", "reference_start", "note"})


def _validated_save(instance: M, changes: Mapping[str, object], allowed: frozenset[str]) -> M:
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def account_create(
    *,
    key: str,
    name: str,
    category: str,
    billable: bool = False,
    cell: Cell | None = None,
    status: str = AccountStatus.OPEN,
    customer: str = "",
    owner: Member | None = None,
    tempo_id: int | None = None,
    cell_set_by_hand: bool | None = None,
) -> Account:
    """Creates an account; a cell given here is a person's choice the Tempo sync
    keeps (``cell_set_by_hand`` defaults to whether a cell is given)."""
    return _validated_save(
        Account(),
        {
            "key": key,
            "name": name,
            "category": category,
            "billable": billable,
            "cell": cell,
            "status": status,
            "customer": customer,
            "owner": owner,
            "tempo_id": tempo_id,
            # A cell chosen at creation is a person's choice the sync must keep.
            "cell_set_by_hand": cell is not None if cell_set_by_hand is None else cell_set_by_hand,
        },
        ACCOUNT_FIELDS,
    )


@transaction.atomic
def account_update(*, account: Account, changes: Mapping[str, object]) -> Account:
    """Changes the named fields of ``account`` (the others stay). Changing the cell
    marks it as set by hand (the Tempo sync keeps it) unless ``cell_set_by_hand``
    is given too (``false`` hands the cell back to the sync)."""
    if "cell" in changes and "cell_set_by_hand" not in changes:
        changes = {**changes, "cell_set_by_hand": True}
    return _validated_save(account, changes, ACCOUNT_FIELDS)


@transaction.atomic
def budget_create(
    *,
    account: Account,
    hours: Decimal,
    since: date,
    kind: str = BudgetKind.MONTHLY,
    note: str = "",
) -> AccountBudget:
    """A budget for ``account`` from ``since`` on (history: the previous rows stay)."""
    return _validated_save(
        AccountBudget(),
        {"account": account, "kind": kind, "hours": hours, "since": since, "note": note},
        BUDGET_FIELDS,
    )


@transaction.atomic
def budget_update(*, budget: AccountBudget, changes: Mapping[str, object]) -> AccountBudget:
    return _validated_save(budget, changes, BUDGET_FIELDS)


@transaction.atomic
def budget_delete(*, budget: AccountBudget) -> None:
    budget.delete()


@transaction.atomic
def target_create(
    *,
    max_non_billable_percent: Decimal,
    since: date,
    reference_start: date,
    cell: Cell | None = None,
    note: str = "",
) -> SustainabilityTarget:
    """A target of ``cell`` (``None``: the company limit) from ``since`` on,
    measured over the reference period starting ``reference_start``."""
    return _validated_save(
        SustainabilityTarget(),
        {
            "cell": cell,
            "max_non_billable_percent": max_non_billable_percent,
            "since": since,
            "reference_start": reference_start,
            "note": note,
        },
        TARGET_FIELDS,
    )


@transaction.atomic
def target_update(*, target: SustainabilityTarget, changes: Mapping[str, object]) -> SustainabilityTarget:
    return _validated_save(target, changes, TARGET_FIELDS)


@transaction.atomic
def target_delete(*, target: SustainabilityTarget) -> None:
    target.delete()


@transaction.atomic
def accounts_review_item_add(
    *,
    cell: Cell,
    month: date,
    author: Member | None,
    kind: str,
    category: str,
    ticket_key: str,
    previous_account_key: str = "",
    new_account_key: str = "",
    text: str = "",
) -> AccountsReviewItem:
    """Records a change applied or an open question in the cell's review of ``month``
    (the review is created on first use)."""
    review, _ = AccountsReview.objects.get_or_create(
        cell=cell, month=month.replace(day=1), defaults={"author": author}
    )
    item = AccountsReviewItem(
        review=review,
        kind=kind,
        category=category,
        ticket_key=ticket_key.strip().upper(),
        previous_account_key=previous_account_key.strip(),
        new_account_key=new_account_key.strip(),
        text=text.strip(),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def accounts_review_item_delete(*, item: AccountsReviewItem) -> None:
    item.delete()
