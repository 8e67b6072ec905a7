"""Tempo -> accounts and worklogs.

Worklogs come incrementally by ``updatedFrom=<watermark>`` in Tempo's default
order (start time, then id). Each page is stored in one transaction together
with the cursor's progress; the watermark moves in the transaction of the last
page. A crash between pages therefore resumes from the old watermark: pages
already stored come again and change nothing (upserts keyed on the Tempo id,
rows compared before writing), nothing is lost and nothing is stored twice.
Deletions come from the papertrail; a reconciliation of a recent window
catches anything the feeds missed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from opencraft_ops.integrations.prefetch import prefetch
from opencraft_ops.integrations.tempo import (
    SkippedRecord,
    TempoAccount,
    TempoClient,
    TempoWorklog,
    WorklogPage,
)
from roles.models import Cell, Member
from sprints.models import Ticket
from sustainability.models import Account, AccountCategory, Worklog
from sync.models import SyncKind, SyncMode, SyncRun, SyncSource
from sync.services.runs import (
    Progress,
    RunCounts,
    cursor_advance,
    cursor_get,
    cursor_note_pending,
    recorded_run,
    source_lock,
)

log = logging.getLogger("sync")

WORKLOG_CURSOR = "tempo.worklogs"
DELETION_CURSOR = "tempo.deletions"
RECONCILE_DAYS = 62  # "the last two months"
MAX_SECONDS = 2**31 - 1
WORKLOG_FIELDS = [
    "member",
    "author_account_id",
    "ticket",
    "jira_issue_id",
    "account",
    "account_key",
    "work_date",
    "start_time",
    "seconds",
    "billable_seconds",
    "description",
    "created_at",
    "updated_at",
]
_COMPARED = [f"{f}_id" if f in ("member", "ticket", "account") else f for f in WORKLOG_FIELDS]


# --- accounts ---------------------------------------------------------------
def _category_of(account: TempoAccount) -> str | None:
    mapping = {k.lower(): v for k, v in settings.TEMPO_ACCOUNT_CATEGORIES.items()}
    for candidate in (account.category_key, account.category_name):
        mapped = mapping.get(candidate.lower()) if candidate else None
        if mapped in AccountCategory.values:
            return mapped
    return None


def account_cell(
    remote: TempoAccount,
    category: str,
    *,
    cells_by_key: dict[str, int],
    cells_by_lead: Mapping[str | None, int],
) -> int | None:
    """The cell an account goes to: the cell whose JIRA project key prefixes the account key
    ("BB-CLIENT1"), else, for a cell-internal account, its lead's cell."""
    prefix = remote.key.split("-", 1)[0].upper()
    cell_id = cells_by_key.get(prefix) if "-" in remote.key else None
    if cell_id is None and category == AccountCategory.INTERNAL_CELL:
        cell_id = cells_by_lead.get(remote.lead_account_id)
    return cell_id


def account_category(account: TempoAccount) -> str | None:
    """Our category of a Tempo account (TEMPO_ACCOUNT_CATEGORIES), None when not mapped."""
    return _category_of(account)


def accounts_store(*, accounts: Iterable[TempoAccount], counts: RunCounts) -> None:
    """Upserts accounts by Tempo id (or by key for an account created in the portal first).
    A cell set by hand (``cell_set_by_hand``) is kept; otherwise the cell is derived
    from the key's project prefix, or for an internal cell account its lead's cell."""
    cells_by_key = {c.jira_project_key.upper(): c.pk for c in Cell.objects.exclude(jira_project_key="")}
    cells_by_lead = dict(
        Member.objects.exclude(jira_account_id=None)
        .exclude(cell=None)
        .values_list("jira_account_id", "cell_id")
    )
    existing = {a.tempo_id: a for a in Account.objects.exclude(tempo_id=None)}
    by_key = {a.key: a for a in Account.objects.filter(tempo_id=None)}
    for remote in accounts:
        counts.fetched += 1
        category = _category_of(remote)
        if category is None:
            counts.skip(
                [
                    SkippedRecord(
                        remote.key,
                        f"account category {remote.category_key or remote.category_name!r} is not mapped "
                        "in TEMPO_ACCOUNT_CATEGORIES",
                    )
                ]
            )
            continue
        cell_id = account_cell(remote, category, cells_by_key=cells_by_key, cells_by_lead=cells_by_lead)
        values: dict[str, Any] = {
            "tempo_id": remote.tempo_id,
            "key": remote.key[:64],
            "name": remote.name[:255],
            "category": category,
            "billable": remote.billable,
            "status": remote.status,
            "customer": remote.customer[:255],
        }
        local = existing.get(remote.tempo_id) or by_key.get(remote.key)
        if cell_id is not None and not (local is not None and local.cell_set_by_hand):
            values["cell_id"] = cell_id
        if local is None:
            try:
                with transaction.atomic():
                    Account.objects.create(**values)
                counts.created += 1
            except IntegrityError as exc:
                counts.skip([SkippedRecord(remote.key, f"account: {exc}")], error=True)
            continue
        if any(getattr(local, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(local, name, value)
            try:
                with transaction.atomic():
                    local.save()
                counts.updated += 1
            except IntegrityError as exc:
                counts.skip([SkippedRecord(remote.key, f"account: {exc}")], error=True)


def accounts_sync(*, client: TempoClient, triggered_by: str = "") -> SyncRun:
    with (
        source_lock(SyncSource.TEMPO),
        recorded_run(
            source=SyncSource.TEMPO, kind=SyncKind.ACCOUNTS, mode=SyncMode.FULL, triggered_by=triggered_by
        ) as (run, counts),
    ):
        result = client.accounts()
        counts.skip(result.skipped)
        counts.fetched += len(result.skipped)
        accounts_store(accounts=result.accounts, counts=counts)
        _link_worklog_accounts()
    return run


# --- worklogs ---------------------------------------------------------------
class _Maps:
    """Remote ids -> local ids, loaded once per run (members, accounts) or per page (tickets)."""

    def __init__(self) -> None:
        self.members: dict[str, int] = {
            a: i
            for a, i in Member.objects.exclude(jira_account_id=None).values_list("jira_account_id", "id")
            if a
        }
        self.accounts: dict[str, int] = dict(Account.objects.values_list("key", "id"))


def _validate(worklog: TempoWorklog) -> str | None:
    if worklog.seconds > MAX_SECONDS or worklog.billable_seconds > MAX_SECONDS:
        return "timeSpentSeconds is out of range"
    if len(worklog.author_account_id) > 128:
        return "author.accountId is longer than 128 characters"
    if len(worklog.issue_id) > 32:
        return "issue.id is longer than 32 characters"
    return None


def _columns() -> list[str]:
    return [str(Worklog._meta.get_field(name).column) for name in ["tempo_id", *_COMPARED]]  # type: ignore[union-attr]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    return str(value)


def _existing_rows(tempo_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The stored values of these worklogs, to write only what changed (one query).

    On PostgreSQL one ``= ANY(array)`` parameter instead of a thousand ``IN`` parameters."""
    if connection.vendor != "postgresql":
        return {
            row[0]: row[1:]
            for row in Worklog.objects.filter(tempo_id__in=tempo_ids).values_list("tempo_id", *_COMPARED)
        }
    columns = _columns()
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {names} FROM "{Worklog._meta.db_table}" WHERE "{columns[0]}" = ANY(%s)', [tempo_ids]
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _upsert_worklogs(rows: list[tuple[Any, ...]]) -> None:
    """``INSERT ... ON CONFLICT (tempo_id) DO UPDATE`` for a page of rows.

    On PostgreSQL the rows go through COPY (building a thousand model instances per
    page would cost more than the database work);
    elsewhere (the SQLite demo) through the ORM's ``bulk_create``.
    """
    if connection.vendor != "postgresql":
        Worklog.objects.bulk_create(
            [Worklog(tempo_id=r[0], **dict(zip(_COMPARED, r[1:], strict=True))) for r in rows],
            update_conflicts=True,
            unique_fields=["tempo_id"],
            update_fields=_COMPARED,
        )
        return
    # COPY into a per-transaction staging table, then one INSERT ... SELECT ... ON CONFLICT:
    # far cheaper than binding 14,000 parameters per page.
    meta = Worklog._meta
    columns = _columns()
    names = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns[1:])
    text = "".join("\t".join(_copy_value(v) for v in row) + "\n" for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "sync_worklog_stage" ON COMMIT DELETE ROWS AS '
            f'SELECT {names} FROM "{meta.db_table}" WITH NO DATA'
        )
        cursor.execute('TRUNCATE "sync_worklog_stage"')
        cursor.cursor.copy_expert(f'COPY "sync_worklog_stage" ({names}) FROM STDIN', io.StringIO(text))
        cursor.execute(
            f'INSERT INTO "{meta.db_table}" ({names}) SELECT {names} FROM "sync_worklog_stage" '
            f'ON CONFLICT ("{columns[0]}") DO UPDATE SET {updates}'
        )


def worklogs_store_page(
    *, page: WorklogPage, maps: _Maps, counts: RunCounts, seen: set[int] | None = None
) -> None:
    """Stores one page: reads the existing rows once, writes only what changed, in one upsert.

    Runs inside the caller's transaction. A page the database refuses as a whole
    is retried row by row in savepoints, so one bad row is counted, not fatal.
    ``seen`` collects the ids Tempo sent (stored or not; the skipped ones are in
    ``counts.skipped_ids``).
    """
    counts.fetched += page.fetched
    counts.skip(page.skipped)
    valid: list[TempoWorklog] = []
    for worklog in page.worklogs:
        problem = _validate(worklog)
        if problem:
            counts.skip([SkippedRecord(str(worklog.tempo_id), f"worklog: {problem}")])
        else:
            valid.append(worklog)
    if seen is not None:
        seen.update(w.tempo_id for w in valid)
    if not valid:
        return
    # The same worklog twice on one page (it moved while paging): keep the newest.
    latest: dict[int, TempoWorklog] = {}
    for worklog in valid:
        if worklog.tempo_id not in latest or worklog.updated_at >= latest[worklog.tempo_id].updated_at:
            latest[worklog.tempo_id] = worklog
    tickets = dict(
        Ticket.objects.filter(jira_id__in={w.issue_id for w in latest.values()}).values_list("jira_id", "id")
    )
    existing = _existing_rows(list(latest))
    to_write: list[tuple[Any, ...]] = []
    created = 0
    for tempo_id, w in latest.items():
        member_id = maps.members.get(w.author_account_id)
        if member_id is None:
            counts.unknown_authors[w.author_account_id] += 1
        values = (
            member_id,
            w.author_account_id,
            tickets.get(w.issue_id),
            w.issue_id,
            maps.accounts.get(w.account_key) if w.account_key else None,
            w.account_key,
            w.start_date,
            w.start_time,
            w.seconds,
            w.billable_seconds,
            w.description,
            w.created_at,
            w.updated_at,
        )
        before = existing.get(tempo_id)
        if before is not None and tuple(before) == values:
            continue
        if before is None:
            created += 1
        to_write.append((tempo_id, *values))
    if not to_write:
        return
    try:
        with transaction.atomic():
            _upsert_worklogs(to_write)
        counts.created += created
        counts.updated += len(to_write) - created
    except DatabaseError:
        for values in to_write:
            row = Worklog(tempo_id=values[0], **dict(zip(_COMPARED, values[1:], strict=True)))
            is_new = row.tempo_id not in existing
            try:
                with transaction.atomic():
                    Worklog.objects.bulk_create(
                        [row], update_conflicts=True, unique_fields=["tempo_id"], update_fields=_COMPARED
                    )
            except DatabaseError as exc:
                counts.skip(
                    [SkippedRecord(str(row.tempo_id), f"worklog not stored: {exc}".strip())], error=True
                )
                continue
            if is_new:
                counts.created += 1
            else:
                counts.updated += 1


def _link_worklog_accounts() -> int:
    account = Account.objects.filter(key=OuterRef("account_key")).values("id")[:1]
    return (
        Worklog.objects.filter(account__isnull=True)
        .exclude(account_key="")
        .filter(account_key__in=Account.objects.values("key"))
        .update(account=Subquery(account))
    )


def worklogs_link_orphans() -> int:
    """Links worklogs to tickets, members and accounts that arrived after them (three UPDATEs)."""
    ticket = Ticket.objects.filter(jira_id=OuterRef("jira_issue_id")).values("id")[:1]
    linked = (
        Worklog.objects.filter(ticket__isnull=True)
        .exclude(jira_issue_id="")
        .filter(jira_issue_id__in=Ticket.objects.exclude(jira_id=None).values("jira_id"))
        .update(ticket=Subquery(ticket))
    )
    member = Member.objects.filter(jira_account_id=OuterRef("author_account_id")).values("id")[:1]
    linked += (
        Worklog.objects.filter(member__isnull=True)
        .exclude(author_account_id="")
        .filter(author_account_id__in=Member.objects.exclude(jira_account_id=None).values("jira_account_id"))
        .update(member=Subquery(member))
    )
    return linked + _link_worklog_accounts()


def worklogs_sync(
    *,
    client: TempoClient,
    full: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    progress: Progress | None = None,
    triggered_by: str = "",
) -> SyncRun:
    """Incremental by watermark (or everything with ``full``), then papertrail deletions; or
    the worklogs of a work-date range, stored only: a range sync moves no watermark and applies
    no deletions (the feed and the reconciliation do).

    Not atomic as a whole on purpose: each page commits with the cursor's progress. The next
    page is fetched while the current one is stored (one page ahead, so memory stays flat).
    """
    ranged = date_from is not None or date_to is not None
    if full and ranged:
        raise ValueError("A full sync reads every worklog: it takes no date range.")
    mode = SyncMode.RANGE if ranged else SyncMode.FULL if full else SyncMode.INCREMENTAL
    with (
        source_lock(SyncSource.TEMPO),
        recorded_run(source=SyncSource.TEMPO, mode=mode, triggered_by=triggered_by) as (
            run,
            counts,
        ),
    ):
        maps = _Maps()
        if ranged:
            for page in prefetch(client.worklog_pages(date_from=date_from, date_to=date_to)):
                with transaction.atomic():
                    worklogs_store_page(page=page, maps=maps, counts=counts)
                if progress:
                    progress(page.fetched)
        else:
            cursor = cursor_get(WORKLOG_CURSOR)
            updated_from = None if full else cursor.value
            started = run.started
            for page in prefetch(client.worklog_pages(updated_from=updated_from)):
                with transaction.atomic():
                    worklogs_store_page(page=page, maps=maps, counts=counts)
                    newest = max((w.updated_at for w in page.worklogs), default=None)
                    cursor_note_pending(cursor, newest)
                    if page.next_url is None:
                        cursor_advance(cursor, run_started=started)
                if progress:
                    progress(page.fetched)
            deletions_apply(client=client, counts=counts, since=updated_from)
        worklogs_link_orphans()
    return run


def deletions_apply(*, client: TempoClient, counts: RunCounts, since: datetime | None = None) -> None:
    """Deletes the worklogs the papertrail reports deleted since the deletion cursor.

    Papertrail pages are in time order, so the cursor moves with each page. An entry that
    does not parse is skipped, counted and named on the run; it deletes nothing (the nightly
    reconciliation removes that worklog, as it is no longer in Tempo)."""
    cursor = cursor_get(DELETION_CURSOR)
    start = cursor.value or since or timezone.now() - timedelta(days=RECONCILE_DAYS)
    for page in client.deleted_worklogs(since=start):
        counts.skip(page.skipped)
        with transaction.atomic():
            ids = [d.tempo_id for d in page.deletions]
            if ids:
                deleted, _ = Worklog.objects.filter(tempo_id__in=ids).delete()
                counts.deleted += deleted
            newest = max((d.deleted_at for d in page.deletions), default=None)
            if newest is not None:
                cursor.pending = newest
                cursor_advance(cursor, run_started=timezone.now())


def worklogs_reconcile(
    *,
    client: TempoClient,
    today: date,
    days: int = RECONCILE_DAYS,
    progress: Progress | None = None,
    triggered_by: str = "",
) -> SyncRun:
    """Re-reads every worklog of the last ``days`` days: stores differences and deletes
    local worklogs Tempo no longer has (unless they changed upstream after the re-read began).

    Nothing is deleted unless every page was read completely: a record Tempo sent but we
    could not read (by id, however many there are) keeps its local copy, and a record
    without a readable id, or a page shorter than its ``metadata.count``, holds back every
    deletion of the run (noted on the run; the next reconciliation tries again)."""
    date_from = today - timedelta(days=days)
    with (
        source_lock(SyncSource.TEMPO),
        recorded_run(source=SyncSource.TEMPO, mode=SyncMode.RECONCILE, triggered_by=triggered_by) as (
            run,
            counts,
        ),
    ):
        maps = _Maps()
        seen: set[int] = set()
        problems: list[str] = []
        for page in prefetch(client.worklog_pages(date_from=date_from, date_to=today)):
            with transaction.atomic():
                worklogs_store_page(page=page, maps=maps, counts=counts, seen=seen)
            if page.problem:
                problems.append(page.problem)
            if progress:
                progress(page.fetched)
        if problems:
            counts.note(
                f"Deletions held back: {problems[0]}"
                + (f" (and {len(problems) - 1} more page(s))" if len(problems) > 1 else "")
                + "; nothing was deleted."
            )
        else:
            # A record Tempo sent but we could not read is still upstream: keep our copy.
            keep = {int(remote_id) for remote_id in counts.skipped_ids if remote_id.isdigit()}
            local: set[int] = set(
                Worklog.objects.filter(
                    work_date__gte=date_from, work_date__lte=today, updated_at__lt=run.started
                )
                .exclude(tempo_id=None)
                .values_list("tempo_id", flat=True)  # type: ignore[arg-type]
            )
            gone = sorted(local - seen - keep)
            for i in range(0, len(gone), 500):
                with transaction.atomic():
                    deleted, _ = Worklog.objects.filter(tempo_id__in=gone[i : i + 500]).delete()
                    counts.deleted += deleted
        worklogs_link_orphans()
    return run
