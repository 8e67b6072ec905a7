"""Check the JIRA and Tempo connections: what the sync will read, and every problem found."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.doctor import ERROR, SAMPLE_ISSUES, integrations_check


class Command(BaseCommand):
    help = (
        "Connect to JIRA and Tempo with the configured credentials and print what the sync will do: "
        "the JIRA user and time zone, each cell's board and project, the fields read with their ids, "
        "the workflow statuses and how they map, the Tempo accounts and their cells. Each problem is "
        "named with its fix; the command exits non-zero when there is an error. Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sample",
            type=int,
            default=SAMPLE_ISSUES,
            help=f"recent issues read to check the fields (default {SAMPLE_ISSUES}, at most 100)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sample = options["sample"]
        if not 1 <= sample <= 100:
            raise CommandError("--sample must be between 1 and 100.")
        report = integrations_check(sample=sample)
        for section in report.sections:
            self.stdout.write(self.style.MIGRATE_HEADING(section.title))
            for line in section.lines:
                self.stdout.write(f"  {line}")
            for problem in section.problems:
                style = self.style.ERROR if problem.level == ERROR else self.style.WARNING
                self.stdout.write(style(f"  {problem.level.upper()}: {problem.text}"))
                self.stdout.write(f"    fix: {problem.fix}")
        problems = report.problems
        if not problems:
            self.stdout.write(self.style.SUCCESS("No problem found."))
            return
        summary = f"{report.errors} error(s), {len(problems) - report.errors} warning(s)."
        if report.errors:
            raise CommandError(summary)
        self.stdout.write(self.style.WARNING(summary))
