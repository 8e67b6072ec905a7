"""Import accounts or worklogs from a CSV file: the whole file or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustainability.importing import ImportError_, import_csv


class Command(BaseCommand):
    help = "Import accounts or worklogs from a CSV file (see the README for the columns)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["accounts", "worklogs"])
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open("rb") as stream:
            try:
                result = import_csv(kind=options["kind"], stream=stream)
            except ImportError_ as exc:
                for error in exc.result.errors:
                    self.stderr.write(error)
                raise CommandError(
                    f"Nothing imported: {len(exc.result.errors)} problem(s) in {path}."
                ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} {result.kind} rows: {result.created} created, {result.updated} updated."
            )
        )
