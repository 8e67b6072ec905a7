"""Writes of the sustainability app: review items (CSV import, alerts live in
their own modules: ``importing.py``, ``alerts.py``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from roles.models import Cell, Member
from sustainability.models import AccountsReview, AccountsReviewItem


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
