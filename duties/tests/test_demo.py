"""The duties demo: the demo user has duties due and overdue; running it again adds nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from duties import demo
from duties.models import ChecklistItem, DutyDefinition, DutyInstance, FindingSnapshot
from duties.services import duty_instances_open, duty_instances_reassign
from roles import demo as roles_demo

pytestmark = pytest.mark.django_db


def test_demo_user_has_duties_due_and_overdue_and_seed_is_idempotent():
    out = io.StringIO()
    roles_demo.seed(out)
    demo.seed(out)
    today = timezone.localdate()
    mine = DutyInstance.objects.filter(
        assignee__user__username="demo", done_at__isnull=True, opens_on__lte=today
    )
    assert mine.filter(due_on__lt=today).count() == 2
    assert mine.filter(due_on__gte=today).exists()
    # One current duty of the demo user is half ticked.
    half = [d for d in mine.filter(due_on__gte=today) if 0 < d.progress[0] < d.progress[1]]
    assert len(half) == 1 and half[0].progress[0] == half[0].progress[1] // 2
    # A team that keeps up: of everyone else's past-due duties one in ten (rounded down) is
    # still open, and of the duties done one in eight (rounded down) was done a day late, the
    # rest on time. Exact whatever the day: the demo picks that many, it does not hash for them.
    past = DutyInstance.objects.filter(due_on__lt=today, assignee__isnull=False)
    others = past.exclude(assignee__user__username="demo")
    assert others.count() >= 3 * demo.OPEN_ONE_IN  # a history: some of it stays open
    assert others.filter(done_at__isnull=True).count() == others.count() // demo.OPEN_ONE_IN
    done = list(past.filter(done_at__isnull=False))
    late = [d for d in done if timezone.localtime(d.done_at).date() > d.due_on]
    assert len(late) == len(done) // demo.LATE_ONE_IN
    assert all(abs((timezone.localtime(d.done_at).date() - d.due_on).days) <= 1 for d in done)
    assert not ChecklistItem.objects.filter(duty__in=done, ticked_at__isnull=True).exists()
    assert FindingSnapshot.objects.filter(rule="_total").values("sprint_number").distinct().count() >= 2
    counts = (DutyInstance.objects.count(), DutyInstance.objects.filter(done_at__isnull=False).count())
    demo.seed(out)
    assert (
        DutyInstance.objects.count(),
        DutyInstance.objects.filter(done_at__isnull=False).count(),
    ) == counts
    # The hourly task right after the demo has nothing to open or move.
    assert duty_instances_open(as_of=today).created == 0
    assert duty_instances_reassign(as_of=today) == 0


def test_which_demo_duties_stay_open_or_late_does_not_depend_on_database_ids():
    out = io.StringIO()
    roles_demo.seed(out)

    def seeded_choices() -> tuple[set[str], set[str]]:
        demo.seed(out)
        past = DutyInstance.objects.filter(due_on__lt=timezone.localdate(), assignee__isnull=False)
        rows = list(past.select_related("definition", "epic", "subject_member__user", "cell"))
        still_open = {demo._stable_key(d) for d in rows if d.done_at is None}
        late = {
            demo._stable_key(d)
            for d in rows
            if d.done_at is not None and timezone.localtime(d.done_at).date() > d.due_on
        }
        return still_open, late

    first = seeded_choices()
    # The definitions (and with them every duty) again, under new ids.
    DutyDefinition.objects.all().delete()
    assert seeded_choices() == first
    assert first[0] and first[1]
