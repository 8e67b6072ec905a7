"""Celery tasks of the findings app: evaluating a few cells after writes (debounced),
every cell on the beat schedule and after each sync."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.cache import cache

from findings import services
from findings.models import COMPANY_SCOPE, scope_of
from findings.signals import Token

logger = logging.getLogger(__name__)

QUEUED_KEY = "findings:queued:{scope}"


def debounce_seconds() -> int:
    return int(getattr(settings, "FINDINGS_DEBOUNCE_SECONDS", 30))


def scopes_for(tokens: Iterable[Token]) -> list[str] | None:
    """The scopes the written rows may change; None for "every scope". Members are
    resolved to their cells in one query."""
    tokens = set(tokens)
    if any(kind == "all" for kind, _ in tokens):
        return None
    scopes = {scope_of(pk) for kind, pk in tokens if kind == "cell"}
    member_ids = {pk for kind, pk in tokens if kind == "member" and pk is not None}
    if member_ids:
        member_model = apps.get_model("roles", "Member")
        for cell_id in member_model.objects.filter(pk__in=member_ids).values_list("cell_id", flat=True):
            scopes.add(scope_of(cell_id))
    # A cell's rules also report cell-less findings (company-wide roles): keep those fresh too.
    if scopes:
        scopes.add(COMPANY_SCOPE)
    return sorted(scopes)


def request_evaluation(tokens: Iterable[Token]) -> None:
    """Queues an evaluation of the scopes behind ``tokens``, debounced per scope: while one
    is queued for a cell (a cache key living ``FINDINGS_DEBOUNCE_SECONDS``), further writes
    to that cell add nothing, and the queued task, starting after that delay, sees them all.
    With eager Celery the evaluation runs at once."""
    scopes = scopes_for(tokens)
    targets = ["*"] if scopes is None else scopes
    fresh = [s for s in targets if cache.add(QUEUED_KEY.format(scope=s), 1, timeout=debounce_seconds() + 60)]
    if not fresh:
        return
    evaluate_scopes.apply_async(
        kwargs={"scopes": None if scopes is None else fresh}, countdown=debounce_seconds()
    )


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def evaluate_scopes(scopes: list[str] | None = None) -> dict[str, Any]:
    """Evaluates ``scopes`` (None: every scope). Clears their debounce keys first, so a
    write landing during the evaluation queues the next one."""
    cache.delete_many([QUEUED_KEY.format(scope=s) for s in (scopes or ["*"])])
    result = services.findings_evaluate(scopes=scopes)
    summary = {
        "scopes": len(result.scopes),
        "opened": len(result.opened),
        "resolved": result.resolved,
        "open": len(result.opened) + result.still_open,
        "seconds": round(result.seconds, 3),
    }
    logger.info("Findings evaluated: %s", summary)
    return summary


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def evaluate_all() -> dict[str, Any]:
    """Every rule for every cell (the beat, every few minutes, for the rules that depend on
    the clock; and after each sync, whose bulk writes send no signal)."""
    return evaluate_scopes(scopes=None)
