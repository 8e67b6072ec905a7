from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from sync.models import FEED_KINDS, SyncMode, SyncOutcome, SyncRun, SyncSource


class SyncRunFactory(factory.django.DjangoModelFactory[SyncRun]):
    class Meta:
        model = SyncRun

    source = SyncSource.TEMPO
    kind = factory.LazyAttribute(lambda run: FEED_KINDS[run.source])
    mode = SyncMode.INCREMENTAL
    started = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    finished = factory.LazyAttribute(lambda run: run.started + timedelta(seconds=12))
    outcome = SyncOutcome.SUCCESS
    fetched = 10
    created = 4
    updated = 2
