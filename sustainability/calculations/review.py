"""The monthly accounts review: which tickets' accounts look wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sustainability.calculations.figures import AccountInfo
from sustainability.calculations.units import INTERNAL_NON_CELL


@dataclass(frozen=True)
class ReviewTicket:
    key: str
    summary: str
    cell_id: int | None
    account: AccountInfo | None
    epic_key: str | None
    epic_account: AccountInfo | None
    logged_accounts: frozenset[int]  # accounts the month's worklogs used
    seconds: int


def suspect_reasons(ticket: ReviewTicket, accounts: Mapping[int, AccountInfo]) -> list[str]:
    """Why the ticket's account looks wrong (empty: nothing suspect)."""
    reasons = []
    account = ticket.account
    if account is None:
        return ["no account on the ticket"]
    epic = ticket.epic_account
    if epic is not None and epic.category != account.category:
        reasons.append(
            f"account {account.key} ({account.category}) differs in category from epic "
            f"{ticket.epic_key}'s account {epic.key} ({epic.category})"
        )
    if account.category != INTERNAL_NON_CELL and account.cell_id not in (None, ticket.cell_id):
        reasons.append(f"account {account.key} belongs to another cell")
    others = sorted(accounts[a].key for a in ticket.logged_accounts if a != account.id and a in accounts)
    if others:
        reasons.append(f"time logged on other accounts: {', '.join(others)}")
    return reasons
