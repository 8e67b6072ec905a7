"""Tempo REST API v4 client over ``requests`` (see ../shared/INTEGRATIONS.md).

Returns frozen dataclasses and imports no Django model. Pages are yielded one
at a time so a sync can store each page before asking for the next: memory
stays flat whatever the number of worklogs. A record that does not parse is
not fatal: it comes back in the page's ``skipped`` list with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal, InvalidOperation
from typing import Any

from opencraft_ops.integrations.http import HttpSession, MalformedResponse, NotConfigured, RetryPolicy

ACCOUNT_ATTRIBUTE = "_Account_"
WORKLOG_PAGE_LIMIT = 1000  # Tempo accepts up to 5000; 1000 keeps each transaction short.
PAPERTRAIL_PAGE_LIMIT = 1000


@dataclass(frozen=True)
class SkippedRecord:
    """A remote record we could not use, and why."""

    remote_id: str
    reason: str


@dataclass(frozen=True)
class TempoWorklog:
    tempo_id: int
    issue_id: str
    author_account_id: str
    seconds: int
    billable_seconds: int
    start_date: date
    start_time: dtime | None
    description: str
    created_at: datetime
    updated_at: datetime
    account_key: str


UNKNOWN_ID = "?"  # the remote id of a record whose id could not be read


@dataclass(frozen=True)
class WorklogPage:
    worklogs: list[TempoWorklog]
    skipped: list[SkippedRecord]
    offset: int
    next_url: str | None
    expected: int | None = None  # metadata.count: how many records the server says it sent

    @property
    def fetched(self) -> int:
        return len(self.worklogs) + len(self.skipped)

    @property
    def problem(self) -> str:
        """Why this page cannot be trusted to list every worklog it covers ("" when it can):
        a record without a readable id, or fewer/more records than ``metadata.count``."""
        unnamed = sum(1 for s in self.skipped if s.remote_id == UNKNOWN_ID)
        if unnamed:
            return (
                f"the page at offset {self.offset} had {unnamed} record(s) without a readable tempoWorklogId"
            )
        if self.expected is not None and self.expected != self.fetched:
            return (
                f"the page at offset {self.offset} held {self.fetched} record(s) "
                f"but its metadata.count said {self.expected}"
            )
        return ""


@dataclass(frozen=True)
class TempoDeletion:
    tempo_id: int
    deleted_at: datetime


@dataclass(frozen=True)
class DeletionPage:
    """One page of the papertrail: the deletions we could read, and the entries we could not."""

    deletions: list[TempoDeletion] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)


@dataclass(frozen=True)
class TempoAccount:
    tempo_id: int
    key: str
    name: str
    status: str
    category_key: str
    category_name: str
    category_type: str
    customer: str
    lead_account_id: str
    is_global: bool
    monthly_budget: Decimal | None

    @property
    def billable(self) -> bool:
        return self.category_type.upper() == "BILLABLE"


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    required_seconds: int
    kind: str  # WORKING_DAY | NON_WORKING_DAY | HOLIDAY | HOLIDAY_AND_NON_WORKING_DAY
    holiday: str = ""


@dataclass(frozen=True)
class AccountsResult:
    accounts: list[TempoAccount] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)


def parse_datetime(value: Any) -> datetime:
    """Tempo's UTC ISO timestamps (``2024-05-01T10:00:00Z``), always tz-aware."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a timestamp: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{name} is not a whole number: {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} is not a whole number: {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} is negative: {number}")
    return number


def parse_worklog(raw: Any) -> TempoWorklog:
    """One worklog from its JSON; ``ValueError`` names the first bad field."""
    if not isinstance(raw, dict):
        raise ValueError("worklog is not an object")
    tempo_id = _int(raw.get("tempoWorklogId"), "tempoWorklogId", minimum=1)
    issue = raw.get("issue") or {}
    issue_id = issue.get("id") if isinstance(issue, dict) else None
    if issue_id in (None, ""):
        raise ValueError("issue.id is missing")
    author = raw.get("author") or {}
    author_id = author.get("accountId") if isinstance(author, dict) else None
    if not author_id:
        raise ValueError("author.accountId is missing")
    seconds = _int(raw.get("timeSpentSeconds"), "timeSpentSeconds")
    billable_raw = raw.get("billableSeconds")
    billable = seconds if billable_raw is None else _int(billable_raw, "billableSeconds")
    try:
        start_date = date.fromisoformat(str(raw.get("startDate")))
    except ValueError:
        raise ValueError(f"startDate is not a date: {raw.get('startDate')!r}") from None
    start_time_raw = raw.get("startTime")
    try:
        start_time = dtime.fromisoformat(start_time_raw) if start_time_raw else None
    except ValueError:
        raise ValueError(f"startTime is not a time: {start_time_raw!r}") from None
    try:
        created_at = parse_datetime(raw.get("createdAt"))
        updated_at = parse_datetime(raw.get("updatedAt"))
    except ValueError as exc:
        raise ValueError(f"createdAt/updatedAt: {exc}") from None
    account_key = ""
    attributes = raw.get("attributes") or {}
    for item in attributes.get("values") or [] if isinstance(attributes, dict) else []:
        if isinstance(item, dict) and item.get("key") == ACCOUNT_ATTRIBUTE:
            account_key = str(item.get("value") or "")
    description = raw.get("description") or ""
    return TempoWorklog(
        tempo_id=tempo_id,
        issue_id=str(issue_id),
        author_account_id=str(author_id),
        seconds=seconds,
        billable_seconds=billable,
        start_date=start_date,
        start_time=start_time,
        description=str(description),
        created_at=created_at,
        updated_at=updated_at,
        account_key=account_key[:64],
    )


def parse_account(raw: Any) -> TempoAccount:
    if not isinstance(raw, dict):
        raise ValueError("account is not an object")
    tempo_id = _int(raw.get("id"), "id", minimum=1)
    key = raw.get("key")
    if not key or not isinstance(key, str):
        raise ValueError("key is missing")
    category = raw.get("category") or {}
    customer = raw.get("customer") or {}
    lead = raw.get("lead") or {}
    budget_raw = raw.get("monthlyBudget")
    try:
        budget = None if budget_raw is None else Decimal(str(budget_raw))
    except InvalidOperation:
        raise ValueError(f"monthlyBudget is not a number: {budget_raw!r}") from None
    status = str(raw.get("status") or "OPEN").upper()
    if status not in {"OPEN", "CLOSED", "ARCHIVED"}:
        raise ValueError(f"unknown status {status!r}")
    return TempoAccount(
        tempo_id=tempo_id,
        key=key,
        name=str(raw.get("name") or key),
        status=status,
        category_key=str(category.get("key") or ""),
        category_name=str(category.get("name") or ""),
        category_type=str((category.get("type") or {}).get("name") or ""),
        customer=str(customer.get("name") or ""),
        lead_account_id=str(lead.get("accountId") or ""),
        is_global=bool(raw.get("global", False)),
        monthly_budget=budget,
    )


def _results(body: Any, url: str) -> tuple[list[Any], dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise MalformedResponse(f"Tempo: {url} did not answer a page with results.", service="Tempo", url=url)
    metadata = body.get("metadata")
    return body["results"], metadata if isinstance(metadata, dict) else {}


def _remote_id(raw: Any, key: str) -> str:
    return str(raw.get(key)) if isinstance(raw, dict) and raw.get(key) is not None else UNKNOWN_ID


def _count(metadata: dict[str, Any]) -> int | None:
    count = metadata.get("count")
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def parse_deletion(raw: dict[str, Any]) -> TempoDeletion:
    """One papertrail entry; ``ValueError`` names the bad field."""
    tempo_id = _int(raw.get("entityId"), "entityId", minimum=1)
    try:
        deleted_at = parse_datetime(raw.get("timestamp"))
    except ValueError as exc:
        raise ValueError(f"timestamp: {exc}") from None
    return TempoDeletion(tempo_id=tempo_id, deleted_at=deleted_at)


class TempoClient:
    """Talks to ``{base_url}`` (``https://api.tempo.io/4`` in production)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_limit: int = WORKLOG_PAGE_LIMIT,
    ) -> None:
        self.page_limit = page_limit
        if not base_url:
            raise NotConfigured("Tempo sync is off: TEMPO_BASE_URL is not set.", service="Tempo")
        if not token:
            raise NotConfigured("Tempo sync is off: TEMPO_API_TOKEN is not set.", service="Tempo")
        self.http = HttpSession(
            service="Tempo",
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            auth_settings="TEMPO_API_TOKEN (and that it may read worklogs, accounts and the audit trail)",
            timeout=timeout,
            policy=policy,
            sleep=sleep,
        )

    def close(self) -> None:
        self.http.close()

    def worklog_pages(
        self,
        *,
        updated_from: datetime | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int | None = None,
    ) -> Iterator[WorklogPage]:
        """Worklogs in Tempo's default order (start time then id), one page at a time,
        following ``metadata.next`` until it is absent."""
        params: dict[str, Any] = {"limit": limit or self.page_limit, "offset": 0}
        if updated_from is not None:
            params["updatedFrom"] = format_datetime(updated_from)
        if date_from is not None:
            params["from"] = date_from.isoformat()
        if date_to is not None:
            params["to"] = date_to.isoformat()
        url: str | None = "worklogs"
        request_params: dict[str, Any] | None = params
        offset = 0
        while url:
            body = self.http.get(url, params=request_params)
            results, metadata = _results(body, url)
            worklogs: list[TempoWorklog] = []
            skipped: list[SkippedRecord] = []
            for raw in results:
                try:
                    worklogs.append(parse_worklog(raw))
                except ValueError as exc:
                    skipped.append(SkippedRecord(_remote_id(raw, "tempoWorklogId"), f"worklog: {exc}"))
            next_url = metadata.get("next") or None
            yield WorklogPage(
                worklogs=worklogs,
                skipped=skipped,
                offset=offset,
                next_url=next_url,
                expected=_count(metadata),
            )
            offset += len(results)
            url, request_params = next_url, None  # `next` carries every parameter already

    def deleted_worklogs(
        self, *, since: datetime, until: datetime | None = None, limit: int = PAPERTRAIL_PAGE_LIMIT
    ) -> Iterator[DeletionPage]:
        """Worklog deletions recorded in the papertrail since ``since``, page by page.

        An entry that does not parse comes back in the page's ``skipped`` list with the reason
        (it deletes nothing; the reconciliation removes such a worklog later). Entries about
        other entity types are not ours and are left out silently."""
        body: dict[str, Any] = {
            "from": format_datetime(since),
            "entityType": ["worklog"],
            "action": ["Deleted"],
        }
        if until is not None:
            body["to"] = format_datetime(until)
        token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if token:
                params["nextPageToken"] = token
            answer = self.http.post("papertrail/search", json=body, params=params)
            results, metadata = _results(answer, "papertrail/search")
            page = DeletionPage()
            for raw in results:
                if not isinstance(raw, dict):
                    page.skipped.append(SkippedRecord(UNKNOWN_ID, "papertrail: entry is not an object"))
                    continue
                if raw.get("entityType") not in (None, "worklog"):
                    continue
                try:
                    page.deletions.append(parse_deletion(raw))
                except ValueError as exc:
                    page.skipped.append(SkippedRecord(_remote_id(raw, "entityId"), f"papertrail: {exc}"))
            yield page
            token = metadata.get("nextPageToken") or (
                answer.get("nextPageToken") if isinstance(answer, dict) else None
            )
            if not token:
                return

    def accounts(self) -> AccountsResult:
        result = AccountsResult()
        url: str | None = "accounts"
        params: dict[str, Any] | None = {"limit": 1000, "offset": 0}
        while url:
            body = self.http.get(url, params=params)
            results, metadata = _results(body, url)
            for raw in results:
                try:
                    result.accounts.append(parse_account(raw))
                except ValueError as exc:
                    result.skipped.append(SkippedRecord(_remote_id(raw, "key"), f"account: {exc}"))
            url, params = metadata.get("next") or None, None
        return result

    def user_schedule(self, account_id: str, *, date_from: date, date_to: date) -> list[ScheduleDay]:
        body = self.http.get(
            f"user-schedule/{account_id}", params={"from": date_from.isoformat(), "to": date_to.isoformat()}
        )
        results, _ = _results(body, f"user-schedule/{account_id}")
        days: list[ScheduleDay] = []
        for raw in results:
            try:
                holiday = raw.get("holiday") or {}
                days.append(
                    ScheduleDay(
                        day=date.fromisoformat(raw["date"]),
                        required_seconds=_int(raw.get("requiredSeconds", 0), "requiredSeconds"),
                        kind=str(raw.get("type") or "WORKING_DAY"),
                        holiday=str(holiday.get("name") or "") if isinstance(holiday, dict) else str(holiday),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        return days
