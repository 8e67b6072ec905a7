"""Adds the roles of roles/catalog.py that are missing (edits made in the admin are kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from roles.catalog import CATALOG, load_catalog
from roles.models import Role


class Command(BaseCommand):
    help = "Load the role catalog: add missing roles, keep existing ones as edited."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_catalog(Role)
        self.stdout.write(f"Role catalog: {len(CATALOG)} roles in the catalog, {created} added.")
