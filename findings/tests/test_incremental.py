"""The evaluation after a write runs the rules for the written cell only (and the company's
scope): its findings must be exactly those a full evaluation of every cell stores for the
same scopes. Checked rule by rule on the demo data (which makes every rule fire), and
through ``findings_evaluate`` after writes to one cell, with members in two cells and one
outside every cell."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from findings.calculations import finding_key
from findings.models import COMPANY_SCOPE, Finding, scope_of
from findings.services import findings_evaluate
from findings.signals import discard_pending
from findings.tasks import scopes_for
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.models import Cell, Member
from roles.tests.factories import MemberFactory, TimeOffFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()
Row = tuple[str, str, int, str, str, int | None, str]


def _seen(context: CheckContext, scopes: set[str]) -> dict[str, tuple[str, int, str, str]]:
    """The findings of ``scopes`` that the rules report under ``context``, by key."""
    return {
        finding_key(f): (f.rule, int(f.severity), f.message, f.url)
        for f in run_checks(context)
        if scope_of(f.cell_id) in scopes
    }


def _stored(scopes: set[str]) -> set[Row]:
    return set(
        Finding.objects.filter(scope__in=scopes, resolved_at__isnull=True).values_list(
            "key", "rule", "severity", "message", "url", "member_id", "scope"
        )
    )


def test_every_rule_reports_the_same_for_one_cell_as_for_every_cell() -> None:
    call_command("demo_data", stdout=io.StringIO())
    discard_pending()
    # A member outside every cell with late worklogs and no hours: company-scope findings.
    loner = MemberFactory.create(cell=None, joined_on=TODAY - timedelta(days=400))
    _late_worklog(loner, TODAY - timedelta(days=6))
    everything = CheckContext(as_of=TODAY)
    full_rules = {
        rule for rule, *_ in _seen(everything, {COMPANY_SCOPE, *map(scope_of, _cell_ids())}).values()
    }
    # The demo makes the rules this change is about fire, so the comparison means something.
    assert {"late-worklogs", "under-contract-hours"} <= full_rules
    for cell_id in _cell_ids():
        scopes = {scope_of(cell_id), COMPANY_SCOPE}
        one_cell = CheckContext(as_of=TODAY, cell_ids=frozenset({cell_id}))
        assert _seen(one_cell, scopes) == _seen(everything, scopes), f"cell {cell_id}"


def _cell_ids() -> list[int]:
    return list(Cell.objects.order_by("pk").values_list("pk", flat=True))


def _late_worklog(member: Member, day: date) -> None:
    from sustainability.tests.factories import WorklogFactory

    # Logged five days after the work: late whatever the weekday.
    WorklogFactory.create(
        member=member,
        work_date=day,
        created_at=datetime.combine(day + timedelta(days=5), datetime.min.time(), tzinfo=UTC),
    )


def test_evaluation_after_a_write_stores_what_a_full_evaluation_stores(cell: Any, other_cell: Any) -> None:
    here = [MemberFactory.create(cell=cell, joined_on=TODAY - timedelta(days=400)) for _ in range(3)]
    there = [MemberFactory.create(cell=other_cell, joined_on=TODAY - timedelta(days=400)) for _ in range(3)]
    loner = MemberFactory.create(cell=None, joined_on=TODAY - timedelta(days=400))
    for member in [*here, *there, loner]:
        _late_worklog(member, TODAY - timedelta(days=7))
    discard_pending()
    findings_evaluate()
    scopes = {scope_of(cell.pk), COMPANY_SCOPE}
    other_before = _stored({scope_of(other_cell.pk)})
    rules = {row[1] for row in _stored(scopes)}
    assert {"late-worklogs", "under-contract-hours"} <= rules

    # One write in ``cell``: its member's late worklog gains time off; another turns late.
    TimeOffFactory.create(member=here[0], start=TODAY - timedelta(days=7), end=TODAY - timedelta(days=2))
    _late_worklog(here[1], TODAY - timedelta(days=8))
    discard_pending()
    wanted = scopes_for([("member", here[0].pk)])
    assert wanted is not None and set(wanted) == scopes
    findings_evaluate(scopes=wanted)
    incremental = _stored(scopes)
    # The other cell was not evaluated, and is as it was.
    assert _stored({scope_of(other_cell.pk)}) == other_before

    findings_evaluate()
    assert _stored(scopes) == incremental
    assert not any(row[1] == "late-worklogs" and row[5] == here[0].pk for row in incremental)
    assert any(row[1] == "late-worklogs" and row[5] == loner.pk for row in incremental)
