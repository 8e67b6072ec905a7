"""Shared output for the sync commands: a progress bar and a summary of each run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opencraft_ops.integrations.http import IntegrationError
from sync.models import SyncOutcome, SyncRun
from sync.services import SyncBusy


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


@contextmanager
def progress_bar(command: BaseCommand, unit: str, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    bar = tqdm(unit=f" {unit}", file=command.stderr, dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turns the integration's errors into one clear line (and a non-zero exit)."""
    try:
        yield
    except SyncBusy as exc:
        raise CommandError(str(exc)) from exc
    except IntegrationError as exc:
        raise CommandError(str(exc)) from exc


def summarise(command: BaseCommand, run: SyncRun) -> None:
    style = command.style.SUCCESS if run.outcome == SyncOutcome.SUCCESS else command.style.WARNING
    seconds = run.duration_seconds or 0.0
    command.stdout.write(
        style(
            f"{run.get_source_display()} {run.get_mode_display().lower()} sync: {run.get_outcome_display().lower()} "
            f"in {seconds:.1f}s: fetched {run.fetched}, created {run.created}, updated {run.updated}, "
            f"deleted {run.deleted}, skipped {run.skipped}, errors {run.errors}."
        )
    )
    for record in run.skipped_records[:10]:
        command.stdout.write(f"  left out {record['remote_id']}: {record['reason']}")
    if run.skipped > 10:
        command.stdout.write(f"  ... and {run.skipped - 10} more (see the sync status page).")
    authors: dict[str, Any] = run.unknown_authors or {}
    if authors:
        listed = ", ".join(f"{a} ({n})" for a, n in list(authors.items())[:10])
        command.stdout.write(f"  worklog authors with no member: {listed}")
    if run.message and not authors:
        command.stdout.write(f"  {run.message}")
