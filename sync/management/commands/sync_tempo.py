"""Sync Tempo accounts and worklogs now (the Celery beat does it every five minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opencraft_ops.integrations import config
from sync.management.commands._common import friendly_errors, parse_day, progress_bar, summarise
from sync.services import accounts_sync, worklogs_reconcile, worklogs_sync


class Command(BaseCommand):
    help = (
        "Sync Tempo: accounts, then worklogs changed since the last sync (or every worklog with --full), "
        "then the deletions from Tempo's papertrail. --from/--to instead stores the worklogs of a "
        "work-date range and applies no deletions (it moves no watermark either): use --reconcile, "
        "which re-reads the last two months and also deletes what Tempo no longer has."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="ignore the watermark and read every worklog (not with --from/--to)",
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            help="first work date (YYYY-MM-DD); a date-range sync applies no deletions",
        )
        parser.add_argument(
            "--to", dest="date_to", help="last work date (YYYY-MM-DD); a date-range sync applies no deletions"
        )
        parser.add_argument("--reconcile", action="store_true", help="re-read the last two months and repair")
        parser.add_argument("--skip-accounts", action="store_true", help="do not sync accounts first")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if not config.tempo_configured():
            raise CommandError("Tempo sync is off: set TEMPO_BASE_URL and TEMPO_API_TOKEN.")
        date_from = parse_day(options["date_from"]) if options["date_from"] else None
        date_to = parse_day(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to must not be before --from.")
        if options["reconcile"] and (options["full"] or date_from or date_to):
            raise CommandError("--reconcile cannot be combined with --full, --from or --to.")
        if options["full"] and (date_from or date_to):
            raise CommandError(
                "--full reads every worklog and cannot be combined with --from/--to: "
                "give either --full or a date range."
            )
        with friendly_errors():
            client = config.tempo_client()
            try:
                if not options["skip_accounts"]:
                    summarise(self, accounts_sync(client=client, triggered_by="command"))
                with progress_bar(self, "worklogs", not options["no_progress"]) as progress:
                    if options["reconcile"]:
                        run = worklogs_reconcile(
                            client=client,
                            today=timezone.localdate(),
                            progress=progress,
                            triggered_by="command",
                        )
                    else:
                        run = worklogs_sync(
                            client=client,
                            full=options["full"],
                            date_from=date_from,
                            date_to=date_to,
                            progress=progress,
                            triggered_by="command",
                        )
                summarise(self, run)
            finally:
                client.close()
