"""Creates (or tops up) the demo organisation. Idempotent: running it again
keeps existing data and adds only what is missing.

Each app contributes its part in ``<app>/demo.py`` with a ``seed(stdout)``
function; they run in dependency order.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

SEED_ORDER = ["roles", "sprints", "rotations", "sustainability", "duties"]


class Command(BaseCommand):
    help = "Load the demo organisation, sprints, rotations, worklogs and duties (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for app in SEED_ORDER:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
