"""The duties demo: the demo user has duties due and overdue; running it again adds nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from duties import demo
from duties.models import DutyInstance, FindingSnapshot
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
    assert mine.filter(due_on__lt=today).exists()
    assert mine.filter(due_on__gte=today).exists()
    assert DutyInstance.objects.filter(done_at__isnull=False).exists()  # a history for cell health
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
