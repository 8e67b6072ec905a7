"""Creates (or tops up) the demo organisation. Idempotent: running it again
keeps existing data and adds only what is missing.

Each app contributes its part in ``<app>/demo.py`` with a ``seed(stdout)``
function; they run in dependency order, each in its own transaction, with a
progress line per step and a summary at the end.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

SEED_ORDER = [
    "roles",
    "sync",
    "sprints",
    "epics",
    "rotations",
    "sustainability",
    "estimation",
    "duties",
    "handbook",
]


class Command(BaseCommand):
    help = "Load the demo organisation, sprints, rotations, worklogs and duties (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        modules = []
        for app in SEED_ORDER:
            try:
                modules.append((app, importlib.import_module(f"{app}.demo")))
            except ModuleNotFoundError as exc:
                if exc.name not in {app, f"{app}.demo"}:
                    raise
        started = time.monotonic()
        for step, (app, module) in enumerate(modules, start=1):
            self.stdout.write(f"[{step}/{len(modules)}] {app}...")
            step_started = time.monotonic()
            with transaction.atomic():
                module.seed(self.stdout)
            self.stdout.write(f"      done in {time.monotonic() - step_started:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(modules)} apps seeded in {time.monotonic() - started:.1f}s."
            )
        )
