"""The duties demo: the demo user has duties due and overdue; running it again adds nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from duties import demo
from duties.models import ChecklistItem, DutyInstance, FindingSnapshot
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
    # A team that keeps up: about one past-due duty in ten still open, most done on time.
    past = DutyInstance.objects.filter(due_on__lt=today, assignee__isnull=False)
    still_open = past.filter(done_at__isnull=True).count()
    assert 0 < still_open <= 0.15 * past.count()
    done = list(past.filter(done_at__isnull=False))
    on_time = sum(1 for d in done if timezone.localtime(d.done_at).date() <= d.due_on)
    assert 0.8 <= on_time / len(done) <= 0.95
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
