"""Sync JIRA boards' sprints, epics and tickets now (the Celery beat does it every ten minutes)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opencraft_ops.integrations import config
from sync.management.commands._common import friendly_errors, progress_bar, summarise
from sync.services import jira_sync

MOMENT_FORMATS = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM (portal time zone unless an offset is given)"


def parse_moment(option: str, value: str, *, end: bool) -> datetime:
    """``--from``/``--to`` as an aware datetime. A bare date is the start of that day for
    ``--from`` and the end of it for ``--to`` (both in the portal's time zone)."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time(0, 0))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date or time ({MOMENT_FORMATS}).") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


class Command(BaseCommand):
    help = (
        "Sync JIRA: the cells' board sprints, then epics and tickets updated since the last sync. "
        "--full reads every issue and deletes the synced tickets and epics JIRA no longer has. "
        "--from/--to instead reads the issues updated in that range (JQL 'updated'), leaving the "
        "watermark alone and deleting nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="ignore the watermark, read every issue, apply deletions"
        )
        parser.add_argument(
            "--from", dest="updated_from", help=f"issues updated from this moment ({MOMENT_FORMATS})"
        )
        parser.add_argument(
            "--to",
            dest="updated_to",
            help="issues updated before this moment; a bare date includes that whole day",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if not config.jira_configured():
            raise CommandError("JIRA sync is off: set JIRA_BASE_URL (and JIRA_USER, JIRA_API_TOKEN).")
        raw_from, raw_to = options["updated_from"], options["updated_to"]
        updated_from = parse_moment("--from", raw_from, end=False) if raw_from else None
        updated_to = parse_moment("--to", raw_to, end=True) if raw_to else None
        if options["full"] and (updated_from or updated_to):
            raise CommandError("--full reads every issue and cannot be combined with --from/--to.")
        if updated_from and updated_to and updated_to <= updated_from:
            raise CommandError("--to must be after --from.")
        if updated_from and updated_from > timezone.now():
            raise CommandError(f"--from {raw_from} is in the future: no issue was updated then.")
        with friendly_errors():
            # The client is built inside the recorded run: a failure to connect is on /sync/ too.
            with progress_bar(self, "issues", not options["no_progress"]) as progress:
                run = jira_sync(
                    full=options["full"],
                    updated_from=updated_from,
                    updated_to=updated_to,
                    progress=progress,
                    triggered_by="command",
                )
            summarise(self, run)
