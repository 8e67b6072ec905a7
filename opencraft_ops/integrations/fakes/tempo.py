"""A fake Tempo REST API v4: worklogs (paged by offset with ``metadata.next``),
the papertrail of deletions, accounts and user schedules, held in memory.

Mount point: ``{server}/4``. Tests change the data through the methods below
(``add_worklog``, ``update_worklog``, ``delete_worklog``, ``corrupt_worklog``,
``corrupt_deletion``) and the next sync must see the change.

``proxy_faults`` holds faults answered as a proxy in front of Tempo would: an
HTML error page (``Fault(status=502)``; a ``status`` of 200 is an HTML page with
a 200), where the server's own ``faults`` answer with Tempo's JSON errors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from opencraft_ops.integrations.fakes.data import Dataset
from opencraft_ops.integrations.fakes.server import FakeRequest, FakeResponse, FaultPlan, json_error

MAX_WORKLOG_LIMIT = 5000
MAX_PAPERTRAIL_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FakeWorklog:
    id: int
    issue_id: int
    author: str
    seconds: int
    billable: int
    start_date: date
    start_time: dtime
    description: str
    created: datetime
    updated: datetime
    account_key: str


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_when(value: str) -> datetime:
    """Tempo accepts a date or a date-time for updatedFrom."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), dtime(0), tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class FakeTempo:
    def __init__(self, *, token: str = "tempo-token", clock: Callable[[], datetime] | None = None) -> None:
        self.token = token
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self.worklogs: dict[int, FakeWorklog] = {}
        self.corrupted: dict[int, dict[str, Any]] = {}
        self.corrupted_deletions: dict[int, dict[str, Any]] = {}
        self.proxy_faults = FaultPlan()
        self.accounts: list[dict[str, Any]] = []
        self.deletions: list[tuple[int, datetime]] = []
        self.daily_hours: dict[str, float] = {}
        self.holidays: dict[date, str] = {}
        self._lock = threading.RLock()
        self._version = 0
        self._sorted: tuple[int, list[FakeWorklog]] | None = None
        self._filtered: dict[tuple[Any, ...], list[FakeWorklog]] = {}

    # --- data ---------------------------------------------------------------
    def load(self, data: Dataset) -> None:
        with self._lock:
            for row in data.worklogs:
                wl = FakeWorklog(*row)
                self.worklogs[wl.id] = wl
            self.accounts = [dict(a) for a in data.accounts]
            self._touch()

    def _touch(self) -> None:
        self._version += 1
        self._filtered.clear()

    def next_id(self) -> int:
        return max(self.worklogs, default=0) + 1 + len(self.deletions)

    def add_worklog(self, **fields: Any) -> FakeWorklog:
        with self._lock:
            now = self.clock()
            values = {
                "id": self.next_id(),
                "billable": fields.get("seconds", 3600),
                "start_time": dtime(9, 0),
                "description": "",
                "created": now,
                "updated": now,
                "account_key": "",
            }
            values.update(fields)
            worklog = FakeWorklog(**values)
            self.worklogs[worklog.id] = worklog
            self._touch()
            return worklog

    def update_worklog(self, worklog_id: int, **changes: Any) -> FakeWorklog:
        with self._lock:
            worklog = replace(self.worklogs[worklog_id], updated=self.clock(), **changes)
            self.worklogs[worklog_id] = worklog
            self._touch()
            return worklog

    def delete_worklog(self, worklog_id: int) -> None:
        with self._lock:
            del self.worklogs[worklog_id]
            self.corrupted.pop(worklog_id, None)
            self.deletions.append((worklog_id, self.clock()))
            self._touch()

    def corrupt_worklog(self, worklog_id: int, **raw_fields: Any) -> None:
        """Serve this worklog with these raw JSON fields overridden (e.g. timeSpentSeconds="abc")."""
        with self._lock:
            self.corrupted[worklog_id] = raw_fields
            self._touch()

    def corrupt_deletion(self, worklog_id: int, **raw_fields: Any) -> None:
        """Serve the papertrail entry of this deleted worklog with these raw fields overridden."""
        with self._lock:
            self.corrupted_deletions[worklog_id] = raw_fields

    def add_account(self, **account: Any) -> None:
        with self._lock:
            self.accounts.append(account)

    # --- HTTP -----------------------------------------------------------------
    def authorised(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path
        fault = self.proxy_faults.pick(request)
        if fault is not None:
            status = fault.status or 502
            title = f"{status} {HTTPStatus(status).phrase}"
            return FakeResponse(
                status,
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                "<hr><center>nginx</center></body></html>",
                content_type="text/html",
            )
        if not path.startswith("/4/"):
            return json_error(404, f"No endpoint {path}")
        route = path[3:]
        if request.method == "GET" and route == "worklogs":
            return self._worklogs(request)
        if request.method == "POST" and route == "papertrail/search":
            return self._papertrail(request)
        if request.method == "GET" and route == "accounts":
            return self._accounts(request)
        if request.method == "GET" and route.startswith("user-schedule/"):
            return self._schedule(request, route.split("/", 1)[1])
        return json_error(404, f"No endpoint {request.method} {path}")

    def serialise(self, wl: FakeWorklog, base: str) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "self": f"{base}/4/worklogs/{wl.id}",
            "tempoWorklogId": wl.id,
            "issue": {"self": f"{base}/rest/api/2/issue/{wl.issue_id}", "id": wl.issue_id},
            "timeSpentSeconds": wl.seconds,
            "billableSeconds": wl.billable,
            "startDate": wl.start_date.isoformat(),
            "startTime": wl.start_time.strftime("%H:%M:%S"),
            "startDateTimeUtc": f"{wl.start_date.isoformat()}T{wl.start_time.strftime('%H:%M:%S')}Z",
            "description": wl.description,
            "createdAt": _iso(wl.created),
            "updatedAt": _iso(wl.updated),
            "author": {"self": f"{base}/rest/api/2/user?accountId={wl.author}", "accountId": wl.author},
            "attributes": {
                "self": f"{base}/4/worklogs/{wl.id}/work-attribute-values",
                "values": [{"key": "_Account_", "value": wl.account_key}] if wl.account_key else [],
            },
        }
        if wl.id in self.corrupted:
            raw.update(self.corrupted[wl.id])
        return raw

    def _ordered(self) -> list[FakeWorklog]:
        if self._sorted is None or self._sorted[0] != self._version:
            ordered = sorted(self.worklogs.values(), key=lambda w: (w.start_date, w.start_time, w.id))
            self._sorted = (self._version, ordered)
        return self._sorted[1]

    def _worklogs(self, request: FakeRequest) -> FakeResponse:
        try:
            offset = request.int_arg("offset", 0)
            limit = request.int_arg("limit", 50)
            updated_from = request.arg("updatedFrom")
            date_from = request.arg("from")
            date_to = request.arg("to")
            since = _parse_when(updated_from) if updated_from else None
            lo = date.fromisoformat(date_from) if date_from else None
            hi = date.fromisoformat(date_to) if date_to else None
        except ValueError as exc:
            return json_error(400, f"Invalid query parameter: {exc}")
        if offset < 0 or not 1 <= limit <= MAX_WORKLOG_LIMIT:
            return json_error(400, f"limit must be between 1 and {MAX_WORKLOG_LIMIT}, offset at least 0")
        with self._lock:
            cache_key = (self._version, since, lo, hi)
            rows = self._filtered.get(cache_key)
            if rows is None:
                rows = [
                    w
                    for w in self._ordered()
                    if (since is None or w.updated >= since)
                    and (lo is None or w.start_date >= lo)
                    and (hi is None or w.start_date <= hi)
                ]
                self._filtered[cache_key] = rows
            page = rows[offset : offset + limit]
            results = [self.serialise(w, request.base_url) for w in page]
        params = {k: v[-1] for k, v in request.query.items()}
        params["limit"] = str(limit)
        metadata: dict[str, Any] = {"count": len(results), "offset": offset, "limit": limit}
        if offset + limit < len(rows):
            metadata["next"] = (
                f"{request.base_url}/4/worklogs?{urlencode({**params, 'offset': offset + limit})}"
            )
        if offset > 0:
            metadata["previous"] = (
                f"{request.base_url}/4/worklogs?{urlencode({**params, 'offset': max(0, offset - limit)})}"
            )
        self_url = f"{request.base_url}/4/worklogs?{urlencode({**params, 'offset': offset})}"
        return FakeResponse(200, {"self": self_url, "metadata": metadata, "results": results})

    def _papertrail(self, request: FakeRequest) -> FakeResponse:
        body = request.body if isinstance(request.body, dict) else {}
        if "worklog" not in (body.get("entityType") or []):
            return json_error(400, "entityType must include worklog")
        try:
            since = _parse_when(body["from"]) if body.get("from") else None
            until = _parse_when(body["to"]) if body.get("to") else None
            token = request.arg("nextPageToken") or body.get("nextPageToken") or "0"
            start = int(token)
            limit = min(request.int_arg("limit", 50), MAX_PAPERTRAIL_LIMIT)
        except ValueError as exc:
            return json_error(400, f"Invalid papertrail search: {exc}")
        with self._lock:
            rows = [
                (wid, when)
                for wid, when in sorted(self.deletions, key=lambda d: (d[1], d[0]))
                if (since is None or when >= since) and (until is None or when <= until)
            ]
        page = rows[start : start + limit]
        metadata: dict[str, Any] = {"count": len(page), "limit": limit}
        if start + limit < len(rows):
            metadata["nextPageToken"] = str(start + limit)
        results = [
            {
                "action": "Deleted",
                "entityType": "worklog",
                "entityId": wid,
                "timestamp": _iso(when),
                "actor": {"accountId": "tempo-admin"},
                **self.corrupted_deletions.get(wid, {}),
            }
            for wid, when in page
        ]
        return FakeResponse(
            200, {"self": f"{request.base_url}/4/papertrail/search", "metadata": metadata, "results": results}
        )

    def _accounts(self, request: FakeRequest) -> FakeResponse:
        offset = request.int_arg("offset", 0)
        limit = min(request.int_arg("limit", 50), 1000)
        with self._lock:
            accounts = list(self.accounts)
        page = accounts[offset : offset + limit]
        results = []
        for a in page:
            if "raw" in a:
                results.append(a["raw"])
                continue
            cat_key, cat_name, cat_type = a["category"]
            results.append(
                {
                    "self": f"{request.base_url}/4/accounts/{a['key']}",
                    "id": a["id"],
                    "key": a["key"],
                    "name": a["name"],
                    "status": a["status"],
                    "global": a.get("global", False),
                    "monthlyBudget": a.get("budget"),
                    "lead": {"accountId": a.get("lead", "lead-account")},
                    "category": {
                        "id": abs(hash(cat_key)) % 1000,
                        "key": cat_key,
                        "name": cat_name,
                        "type": {"name": cat_type},
                    },
                    "customer": {
                        "id": 1,
                        "key": a["customer"].upper().replace(" ", "-"),
                        "name": a["customer"],
                    }
                    if a.get("customer")
                    else None,
                }
            )
        metadata: dict[str, Any] = {"count": len(results), "offset": offset, "limit": limit}
        if offset + limit < len(accounts):
            metadata["next"] = (
                f"{request.base_url}/4/accounts?{urlencode({'offset': offset + limit, 'limit': limit})}"
            )
        return FakeResponse(
            200, {"self": f"{request.base_url}/4/accounts", "metadata": metadata, "results": results}
        )

    def _schedule(self, request: FakeRequest, account_id: str) -> FakeResponse:
        try:
            lo = date.fromisoformat(request.arg("from") or "")
            hi = date.fromisoformat(request.arg("to") or "")
        except ValueError:
            return json_error(400, "from and to are required dates (YYYY-MM-DD)")
        if hi < lo or (hi - lo).days > 366:
            return json_error(400, "to must follow from, within a year")
        hours = self.daily_hours.get(account_id, 8.0)
        results = []
        day = lo
        while day <= hi:
            weekend = day.weekday() >= 5
            holiday = self.holidays.get(day) or ("New Year's Day" if (day.month, day.day) == (1, 1) else "")
            kind = (
                "HOLIDAY_AND_NON_WORKING_DAY"
                if holiday and weekend
                else "HOLIDAY"
                if holiday
                else "NON_WORKING_DAY"
                if weekend
                else "WORKING_DAY"
            )
            entry: dict[str, Any] = {
                "date": day.isoformat(),
                "requiredSeconds": 0 if kind != "WORKING_DAY" else int(hours * 3600),
                "type": kind,
            }
            if holiday:
                entry["holiday"] = {"name": holiday, "durationSeconds": int(hours * 3600)}
            results.append(entry)
            day += timedelta(days=1)
        return FakeResponse(
            200,
            {
                "self": f"{request.base_url}/4/user-schedule/{account_id}",
                "metadata": {"count": len(results)},
                "results": results,
            },
        )
