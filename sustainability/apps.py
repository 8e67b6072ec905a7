from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import AppConfig


def _keep_headlines(sender: Any, cell_ids: list[int], as_of: date, **kwargs: Any) -> None:
    """Each evaluation of a cell's findings also refreshes its home-page figure: writes that
    change the hours (worklogs, accounts, targets) queue that evaluation, and so does every
    sync and the beat, so the figure kept is as fresh as the findings beside it."""
    from sustainability.dashboard import store_headlines

    store_headlines(cell_ids=cell_ids, as_of=as_of)


class SustainabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sustainability"

    def ready(self) -> None:
        from findings.signals import cells_evaluated

        cells_evaluated.connect(_keep_headlines, dispatch_uid="sustainability-keep-headlines")
