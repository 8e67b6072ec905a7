"""The home page's sustainability figure is kept per cell by each evaluation of the cell's
findings: the page reads it without a query, it is the dashboard's figure, a write that
changes the hours refreshes it with the findings, and a day with none kept is computed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from findings.selectors import ensure_fresh
from findings.services import findings_evaluate
from findings.signals import discard_pending
from roles.tests.factories import CellFactory
from sustainability.dashboard import headline, headline_key, stored_headline
from sustainability.tests.factories import AccountFactory, hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def bebop(cell: Any, core_member: Any) -> Any:
    today = timezone.localdate()
    billable = AccountFactory(key="ACME", category="client", billable=True)
    internal = AccountFactory(key="BB-INT", category="internal_cell", billable=False, cell=cell)
    hours(core_member, billable, today - timedelta(days=3), 6)
    hours(core_member, internal, today - timedelta(days=3), 2)
    discard_pending()
    return {"billable": billable, "internal": internal}


def test_each_evaluation_keeps_every_cells_figure_read_without_a_query(
    cell: Any, bebop: Any, django_assert_num_queries: Any
) -> None:
    other: Any = CellFactory(name="Falcon", slug="falcon")
    today = timezone.localdate()
    cache.delete_many([headline_key(c.pk, today) for c in (cell, other)])
    findings_evaluate()
    assert cache.get(headline_key(cell.pk, today)) is not None
    assert cache.get(headline_key(other.pk, today)) is not None
    with django_assert_num_queries(0):
        kept = stored_headline(cell=cell, as_of=today)
    live = headline(cell=cell, as_of=today)
    assert kept.figures == live.figures
    assert kept.figures.totals.non_billable_cell == Decimal(2)


def test_a_worklog_written_refreshes_the_figure_with_the_findings(
    cell: Any, core_member: Any, bebop: Any
) -> None:
    today = timezone.localdate()
    findings_evaluate()
    before = stored_headline(cell=cell, as_of=today).figures
    hours(core_member, bebop["internal"], today - timedelta(days=1), 4)  # marks the cell stale
    ensure_fresh()  # eager Celery: the evaluation the write queued runs now
    after = stored_headline(cell=cell, as_of=today).figures
    assert after != before
    assert after.totals.non_billable_cell == Decimal(6)
    assert after == headline(cell=cell, as_of=today).figures


def test_a_day_with_no_figure_kept_is_computed_then(cell: Any, bebop: Any) -> None:
    today = timezone.localdate()
    findings_evaluate()
    tomorrow = today + timedelta(days=1)  # a member whose local date is ahead of the portal's
    assert cache.get(headline_key(cell.pk, tomorrow)) is None
    with CaptureQueriesContext(connection) as ctx:
        computed = stored_headline(cell=cell, as_of=tomorrow)
    assert 3 <= len(ctx.captured_queries) <= 4  # accounts, targets, the hours (one or two)
    assert computed.figures == headline(cell=cell, as_of=tomorrow).figures
