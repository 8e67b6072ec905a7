"""Sync JIRA boards' sprints, epics and tickets now (the Celery beat does it every ten minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencraft_ops.integrations import config
from sync.management.commands._common import friendly_errors, progress_bar, summarise
from sync.services import jira_sync


class Command(BaseCommand):
    help = (
        "Sync JIRA: the cells' board sprints, then epics and tickets updated since the last sync (or --full)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="ignore the watermark and read every issue")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if not config.jira_configured():
            raise CommandError("JIRA sync is off: set JIRA_BASE_URL (and JIRA_USER, JIRA_API_TOKEN).")
        with friendly_errors():
            client = config.jira_client()
            try:
                with progress_bar(self, "issues", not options["no_progress"]) as progress:
                    run = jira_sync(
                        client=client, full=options["full"], progress=progress, triggered_by="command"
                    )
                summarise(self, run)
            finally:
                client.close()
