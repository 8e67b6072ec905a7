"""Writes of the findings app: evaluating scopes into finding episodes, acknowledging, snoozing."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from findings.calculations import finding_key
from findings.models import CHECKED_TTL_SECONDS, COMPANY_SCOPE, Evaluation, Finding, checked_key, scope_of
from findings.signals import cells_evaluated, findings_opened
from opencraft_ops.process_checks import CheckContext, run_checks
from opencraft_ops.process_checks import Finding as CheckFinding

NOTE_MAX = 2000

logger = logging.getLogger(__name__)


@dataclass
class EvaluationResult:
    scopes: list[str]
    opened: list[int] = field(default_factory=list)
    still_open: int = 0
    resolved: int = 0
    seconds: float = 0.0


def all_scopes() -> list[str]:
    """Every cell's scope and the company's. The cells are read through the app registry
    (this app sits below ``roles`` and imports none of its modules)."""
    cell_model = apps.get_model("roles", "Cell")
    return [
        *(scope_of(pk) for pk in cell_model.objects.order_by("pk").values_list("pk", flat=True)),
        COMPANY_SCOPE,
    ]


def _context(scopes: list[str], as_of: date, *, everything: bool) -> CheckContext:
    if everything:
        return CheckContext(as_of=as_of)
    cell_ids = frozenset(int(s.split(":", 1)[1]) for s in scopes if s.startswith("cell:"))
    return CheckContext(as_of=as_of, cell_ids=cell_ids)


@transaction.atomic
def findings_evaluate(
    *, scopes: Collection[str] | None = None, as_of: date | None = None, now: datetime | None = None
) -> EvaluationResult:
    """Runs the process checks for ``scopes`` (``cell:<id>`` / ``company``; None: every
    scope, in one run of every rule) and brings the stored episodes in line: a finding
    seen for the first time opens an episode, one still seen gets its ``last_seen`` (and
    current message, severity, link) updated, an open one no longer seen is resolved.

    The scopes' ``Evaluation`` rows are locked first, so two evaluations of a cell at once
    take turns instead of opening the same episode twice. Queries: a constant number
    (lock, open episodes, create, update, resolve) plus what the rules run.
    """
    started = time.monotonic()
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    everything = scopes is None
    wanted = sorted(set(all_scopes() if scopes is None else scopes))
    result = EvaluationResult(scopes=wanted)
    if not wanted:
        return result
    Evaluation.objects.bulk_create(
        [
            Evaluation(
                scope=s, cell_id=int(s.split(":", 1)[1]) if s.startswith("cell:") else None, checked_at=now
            )
            for s in wanted
        ],
        ignore_conflicts=True,
    )
    list(Evaluation.objects.select_for_update().filter(scope__in=wanted).order_by("scope").values_list("pk"))

    wanted_set = set(wanted)
    seen: dict[str, tuple[str, CheckFinding]] = {}
    for finding in run_checks(_context(wanted, as_of, everything=everything)):
        scope = scope_of(finding.cell_id)
        if scope in wanted_set:
            seen.setdefault(finding_key(finding), (scope, finding))

    open_rows = {f.key: f for f in Finding.objects.filter(scope__in=wanted, resolved_at__isnull=True)}
    new_rows: list[Finding] = []
    changed: list[Finding] = []
    for key, (scope, check) in seen.items():
        row = open_rows.get(key)
        severity = int(check.severity)
        message, url = check.message, check.url
        if row is None:
            new_rows.append(
                Finding(
                    key=key,
                    rule=check.rule,
                    subject=check.subject[:200],
                    scope=scope,
                    cell_id=check.cell_id,
                    member_id=check.member_id,
                    role_slug=check.role_slug or "",
                    severity=severity,
                    message=message,
                    url=url[:500],
                    first_seen=now,
                    last_seen=now,
                )
            )
        elif (row.severity, row.message, row.url) != (severity, message, url[:500]):
            row.severity, row.message, row.url, row.last_seen = severity, message, url[:500], now
            changed.append(row)
    gone = [row.pk for key, row in open_rows.items() if key not in seen]
    changed_pks = {row.pk for row in changed}
    unchanged = [row.pk for key, row in open_rows.items() if key in seen and row.pk not in changed_pks]

    created = Finding.objects.bulk_create(new_rows)
    if changed:
        Finding.objects.bulk_update(changed, ["severity", "message", "url", "last_seen"])
    if unchanged:
        Finding.objects.filter(pk__in=unchanged).update(last_seen=now)
    if gone:
        Finding.objects.filter(pk__in=gone).update(resolved_at=now)

    seconds = time.monotonic() - started
    open_counts: dict[str, int] = dict.fromkeys(wanted, 0)
    for scope, _check in seen.values():
        open_counts[scope] += 1
    for scope in wanted:
        Evaluation.objects.filter(scope=scope).update(
            checked_at=now, duration_ms=int(seconds * 1000), open_count=open_counts[scope]
        )
    # Pages read how fresh their findings are from the cache (no query); a miss asks the table.
    cache.set_many({checked_key(scope): now for scope in wanted}, timeout=CHECKED_TTL_SECONDS)
    cell_ids = [int(s.split(":", 1)[1]) for s in wanted if s.startswith("cell:")]
    for receiver, error in cells_evaluated.send_robust(sender=Finding, cell_ids=cell_ids, as_of=as_of):
        if isinstance(error, Exception):
            logger.error("After evaluating %s, %r failed: %s", wanted, receiver, error, exc_info=error)
    # PostgreSQL and SQLite (3.35+) return the new ids from the bulk insert.
    result.opened = [row.pk for row in created]
    result.still_open = len(changed) + len(unchanged)
    result.resolved = len(gone)
    result.seconds = seconds
    if result.opened:
        opened = list(result.opened)
        transaction.on_commit(lambda: findings_opened.send(sender=Finding, finding_ids=opened))
    return result


@transaction.atomic
def finding_acknowledge(
    *, finding: Finding, member_id: int | None, by_name: str, note: str = "", at: datetime | None = None
) -> Finding:
    """Records "seen, I'm on it": who, when and a note. Acknowledging again replaces it;
    a resolved episode cannot be acknowledged."""
    if len(note) > NOTE_MAX:
        raise ValidationError(f"The note is limited to {NOTE_MAX} characters.")
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.resolved_at is not None:
        raise ValidationError("This finding is resolved; there is nothing to acknowledge.")
    locked.acknowledged_by_id = member_id
    locked.acknowledged_by_name = by_name
    locked.acknowledged_at = at or timezone.now()
    locked.acknowledgement_note = note
    locked.save(
        update_fields=[
            "acknowledged_by_id",
            "acknowledged_by_name",
            "acknowledged_at",
            "acknowledgement_note",
        ]
    )
    return locked


@transaction.atomic
def finding_snooze(
    *, finding: Finding, member_id: int | None, by_name: str, until: datetime, at: datetime | None = None
) -> Finding:
    """Hides the finding from "findings for me" and holds its notifications until ``until``
    (at most 90 days ahead); snoozing to a moment in the past wakes it."""
    at = at or timezone.now()
    if (until - at).days > 90:
        raise ValidationError("A finding can be snoozed for at most 90 days.")
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.resolved_at is not None:
        raise ValidationError("This finding is resolved; there is nothing to snooze.")
    locked.snoozed_until = until if until > at else None
    locked.snoozed_by_id = member_id
    locked.snoozed_by_name = by_name
    locked.snoozed_at = at
    locked.save(update_fields=["snoozed_until", "snoozed_by_id", "snoozed_by_name", "snoozed_at"])
    return locked
