"""CSV import of accounts and worklogs (management command and staff page).

Every row is checked before anything is written; one bad row rejects the whole
file with each problem reported by line number, so nothing is half-imported.

Accounts: ``key, name, category, billable[, cell, customer, status]`` (category
client / internal_non_cell / internal_cell; cell by slug). Upsert by key.

Worklogs: ``member, account, work_date, hours[, billable_hours, ticket,
tempo_id, description, created_at, updated_at]`` (member by JIRA account id or
username; ticket by key; dates ISO). Rows with a ``tempo_id`` are upserted on
it; rows without one are added.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from roles.models import Cell, Member
from sprints.models import Ticket
from sustainability.models import Account, AccountCategory, AccountStatus, Worklog

MAX_ERRORS = 50
TRUE = {"1", "true", "yes", "y", "on"}
FALSE = {"0", "false", "no", "n", "off", ""}
ACCOUNT_COLUMNS = {"key", "name", "category", "billable"}
WORKLOG_COLUMNS = {"member", "account", "work_date", "hours"}


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportError_(Exception):  # "ImportError" is a builtin
    def __init__(self, result: ImportResult) -> None:
        super().__init__("; ".join(result.errors[:3]))
        self.result = result


def _reader(stream: IO[Any] | Iterable[str]) -> tuple[csv.DictReader[str], list[str]]:
    raw = stream.read() if hasattr(stream, "read") else "".join(stream)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(raw.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = headers
    return reader, headers


def _hours_to_seconds(value: str, column: str) -> int:
    try:
        hours = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{column} {value!r} is not a number of hours") from None
    if hours < 0 or hours > 24:
        raise ValueError(f"{column} must be between 0 and 24 hours, not {value}")
    return int((hours * 3600).to_integral_value())


def _date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


def _datetime(value: str, column: str, default: datetime) -> datetime:
    if not value.strip():
        return default
    parsed = parse_datetime(value.strip())
    if parsed is None:
        raise ValueError(f"{column} {value!r} is not a date and time (ISO 8601)")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _finish(result: ImportResult) -> None:
    if result.errors:
        if len(result.errors) > MAX_ERRORS:
            more = len(result.errors) - MAX_ERRORS
            result.errors = [*result.errors[:MAX_ERRORS], f"... and {more} more problems"]
        raise ImportError_(result)


@transaction.atomic
def accounts_import(*, stream: IO[Any] | Iterable[str]) -> ImportResult:
    result = ImportResult(kind="accounts")
    reader, headers = _reader(stream)
    missing = ACCOUNT_COLUMNS - set(headers)
    if missing:
        result.errors.append(f"Missing columns: {', '.join(sorted(missing))}.")
        _finish(result)
    cells = {slug: pk for pk, slug in Cell.objects.values_list("pk", "slug")}
    existing = {a.key: a for a in Account.objects.all()}
    categories = set(AccountCategory.values)
    to_create: list[Account] = []
    to_update: list[Account] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        result.rows += 1
        try:
            key = (row.get("key") or "").strip()
            name = (row.get("name") or "").strip()
            if not key or not name:
                raise ValueError("key and name are required")
            if key in seen:
                raise ValueError(f"account {key} appears twice")
            seen.add(key)
            category = (row.get("category") or "").strip()
            if category not in categories:
                raise ValueError(f"category {category!r} is not one of {', '.join(sorted(categories))}")
            billable_text = (row.get("billable") or "").strip().lower()
            if billable_text not in TRUE | FALSE:
                raise ValueError(f"billable {billable_text!r} is not yes/no")
            slug = (row.get("cell") or "").strip()
            if slug and slug not in cells:
                raise ValueError(f"no cell {slug!r}")
            status = (row.get("status") or AccountStatus.OPEN).strip().upper()
            if status not in AccountStatus.values:
                raise ValueError(f"status {status!r} is not OPEN, CLOSED or ARCHIVED")
        except ValueError as exc:
            result.errors.append(f"Line {line}: {exc}.")
            continue
        account = existing.get(key) or Account(key=key)
        account.name = name
        account.category = category
        account.billable = billable_text in TRUE
        account.cell_id = cells.get(slug) if slug else None
        account.customer = (row.get("customer") or "").strip()
        account.status = status
        (to_update if account.pk else to_create).append(account)
    _finish(result)
    Account.objects.bulk_create(to_create)
    Account.objects.bulk_update(to_update, ["name", "category", "billable", "cell", "customer", "status"])
    result.created, result.updated = len(to_create), len(to_update)
    return result


@transaction.atomic
def worklogs_import(*, stream: IO[Any] | Iterable[str]) -> ImportResult:
    result = ImportResult(kind="worklogs")
    reader, headers = _reader(stream)
    missing = WORKLOG_COLUMNS - set(headers)
    if missing:
        result.errors.append(f"Missing columns: {', '.join(sorted(missing))}.")
        _finish(result)
    rows = list(reader)
    members: dict[str, int] = {}
    for pk, username, jira_id in Member.objects.values_list("pk", "user__username", "jira_account_id"):
        members[username] = pk
        if jira_id:
            members[jira_id] = pk
    accounts = dict(Account.objects.values_list("key", "pk"))
    ticket_keys = {(r.get("ticket") or "").strip() for r in rows} - {""}
    tickets = dict(Ticket.objects.filter(key__in=ticket_keys).values_list("key", "pk"))
    tempo_ids = set()
    for r in rows:
        if (r.get("tempo_id") or "").strip().isdigit():
            tempo_ids.add(int(r["tempo_id"]))
    existing = {w.tempo_id: w for w in Worklog.objects.filter(tempo_id__in=tempo_ids)}
    now = timezone.now()
    to_create: list[Worklog] = []
    to_update: list[Worklog] = []
    seen: set[int] = set()
    for line, row in enumerate(rows, start=2):
        result.rows += 1
        try:
            member_ref = (row.get("member") or "").strip()
            if member_ref not in members:
                raise ValueError(f"no member {member_ref!r} (JIRA account id or username)")
            account_key = (row.get("account") or "").strip()
            if account_key not in accounts:
                raise ValueError(f"no account {account_key!r}")
            ticket_key = (row.get("ticket") or "").strip()
            if ticket_key and ticket_key not in tickets:
                raise ValueError(f"no ticket {ticket_key!r}")
            work_date = _date(row.get("work_date") or "", "work_date")
            seconds = _hours_to_seconds(row.get("hours") or "", "hours")
            if seconds <= 0:
                raise ValueError("hours must be more than 0")
            billable = (row.get("billable_hours") or "").strip()
            billable_seconds = _hours_to_seconds(billable, "billable_hours") if billable else seconds
            if billable_seconds > seconds:
                raise ValueError("billable_hours cannot exceed hours")
            created_at = _datetime(row.get("created_at") or "", "created_at", now)
            updated_at = _datetime(row.get("updated_at") or "", "updated_at", created_at)
            tempo_text = (row.get("tempo_id") or "").strip()
            if tempo_text and not tempo_text.isdigit():
                raise ValueError(f"tempo_id {tempo_text!r} is not a whole number")
            tempo_id = int(tempo_text) if tempo_text else None
            if tempo_id is not None:
                if tempo_id in seen:
                    raise ValueError(f"tempo_id {tempo_id} appears twice")
                seen.add(tempo_id)
        except ValueError as exc:
            result.errors.append(f"Line {line}: {exc}.")
            continue
        worklog = existing.get(tempo_id) if tempo_id is not None else None
        worklog = worklog or Worklog(tempo_id=tempo_id)
        worklog.member_id = members[member_ref]
        worklog.account_id = accounts[account_key]
        worklog.account_key = account_key
        worklog.ticket_id = tickets.get(ticket_key) if ticket_key else None
        worklog.work_date = work_date
        worklog.seconds = seconds
        worklog.billable_seconds = billable_seconds
        worklog.description = (row.get("description") or "").strip()
        worklog.created_at = created_at
        worklog.updated_at = updated_at
        (to_update if worklog.pk else to_create).append(worklog)
    _finish(result)
    Worklog.objects.bulk_create(to_create, batch_size=2000)
    Worklog.objects.bulk_update(
        to_update,
        [
            "member",
            "account",
            "account_key",
            "ticket",
            "work_date",
            "seconds",
            "billable_seconds",
            "description",
            "created_at",
            "updated_at",
        ],
        batch_size=2000,
    )
    result.created, result.updated = len(to_create), len(to_update)
    return result


def import_csv(*, kind: str, stream: IO[Any] | Iterable[str]) -> ImportResult:
    """Imports a whole file or nothing; raises ``ImportError_`` with every problem."""
    try:
        if kind == "accounts":
            return accounts_import(stream=stream)
        if kind == "worklogs":
            return worklogs_import(stream=stream)
    except UnicodeDecodeError:
        raise ImportError_(ImportResult(kind=kind, errors=["The file is not UTF-8 text."])) from None
    except csv.Error as exc:
        raise ImportError_(ImportResult(kind=kind, errors=[f"The file is not valid CSV: {exc}."])) from None
    raise ValueError(f"Unknown import kind {kind!r}.")
