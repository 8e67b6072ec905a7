"""Acceptance: completing the sprint on the demo data adds no duty due before the new sprint's
first day to anyone's home, and no home lists a duty twice (issue 14)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from duties.models import DutyInstance
from duties.selectors import my_open_duties
from opencraft_ops import calendar
from roles.models import Cell, Member
from sprints import services
from sprints.models import CompletionState

pytestmark = pytest.mark.django_db


def homes(as_of: date) -> dict[int, list[DutyInstance]]:
    """Every member's home duties on ``as_of`` (the selector the home page lists)."""
    return {m.pk: my_open_duties(member=m, as_of=as_of) for m in Member.objects.all()}


def test_completing_the_demo_sprint_adds_no_past_due_duty_to_any_home(clock: Any, settings: Any) -> None:
    settings.JIRA_BASE_URL = ""  # the demo portal has no JIRA connection
    ending = calendar.sprint_on(date.today())
    clock(ending.end)  # the sprint's last day, when the sprint manager completes it
    call_command("demo_data", stdout=io.StringIO())
    nxt = calendar.sprint_dates(ending.number + 1)
    today = timezone.localdate()
    assert today == ending.end

    # As on a portal whose daily opener has not run for a while (no beat in ``make run``): the
    # last ten days' duties were never opened. The completion must not open them: they would
    # land on homes already overdue (the daily opener's catch-up owns them).
    missed = DutyInstance.objects.filter(
        due_on__range=(today - timedelta(days=10), today - timedelta(days=1)), done_at__isnull=True
    )
    assert missed.exists()
    missed.delete()
    existing = set(DutyInstance.objects.values_list("pk", flat=True))
    assert existing, "the demo data opens duties"
    before = {day: homes(day) for day in (today, nxt.start)}

    for cell in Cell.objects.order_by("name"):
        sprint = services.sprint_ensure(number=ending.number)
        completion = services.sprint_completion_request(cell=cell, sprint=sprint, user_id=None, as_of=today)
        completion = services.sprint_completion_run(completion_id=completion.pk)
        assert completion.state == CompletionState.DONE
        duties_step = completion.steps.get(name="open_duties").detail
        assert duties_step["due_from"] == nxt.start.isoformat()
        assert "none is due earlier" in duties_step["summary"]

    added = DutyInstance.objects.exclude(pk__in=existing)
    assert added.exists(), "the completion opens the new sprint's duties"
    assert min(d.due_on for d in added) >= nxt.start

    members = Member.objects.count()
    assert members >= 15
    for day in (today, nxt.start):
        after = homes(day)
        for member_id, duties in after.items():
            new = [d for d in duties if d.pk not in existing]
            assert not [d for d in new if d.due_on < nxt.start], f"member {member_id} on {day}"
            listed = Counter((d.definition_id, d.subject_key, d.due_on) for d in duties)
            assert max(listed.values(), default=1) == 1, f"member {member_id} lists a duty twice on {day}"
            assert len({d.pk for d in duties}) == len(duties)
            # what was overdue stays what it was: the completion overdue nothing new
            overdue_before = {d.pk for d in before[day][member_id] if d.due_on < day and d.done_at is None}
            overdue_after = {d.pk for d in duties if d.due_on < day and d.done_at is None}
            assert overdue_after <= overdue_before, f"member {member_id} has new overdue duties on {day}"
