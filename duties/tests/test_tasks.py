"""Beat tasks: the opener task, finding snapshots, and the once-a-day digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import send_mail as real_send_mail
from django.db.models import Sum

from duties import services, tasks
from duties.models import DigestSent, DutyInstance, FindingSnapshot
from duties.tests.factories import DutyInstanceFactory, make_member
from opencraft_ops.beat import BEAT_SCHEDULE

# 07:10 UTC on Wednesday 25 November 2026 is 08:10 in Paris: the digest hour there.
PARIS_MORNING = datetime(2026, 11, 25, 7, 10, tzinfo=UTC)
DAY = date(2026, 11, 25)


@pytest.fixture
def paris(cell):
    return make_member(cell=cell, timezone="Europe/Paris", user__email="ana@example.com")


def due(member, *, on, done=False):
    return DutyInstanceFactory(
        assignee=member,
        cell=member.cell,
        opens_on=on - timedelta(days=2),
        due_on=on,
        done_at=PARIS_MORNING if done else None,
    )


def test_beat_schedule_has_the_duties_tasks():
    tasks_named = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"duties.tasks.open_duties", "duties.tasks.send_digests"} <= tasks_named


def test_open_duties_task_opens_reassigns_and_snapshots(sprint_manager):
    result = tasks.open_duties.apply().get()
    assert result["created"] > 0
    assert DutyInstance.objects.filter(assignee=sprint_manager).exists()
    # Overdue duties of the catch-up window (42 days: the sprint manager's wrap-up of the last
    # two sprints at least, whatever the day) are findings, and today's counts are stored.
    assert DutyInstance.objects.filter(due_on__lt=date.today(), done_at__isnull=True).count() >= 2
    assert FindingSnapshot.objects.filter(day=date.today(), rule="duty-overdue").exists()
    again = tasks.open_duties.apply().get()
    assert again["created"] == 0


def test_snapshot_replaces_the_days_counts(sprint_manager, cell):
    DutyInstanceFactory(
        assignee=sprint_manager, cell=cell, opens_on=DAY - timedelta(10), due_on=DAY - timedelta(5)
    )
    first = services.finding_snapshots_take(as_of=DAY)
    assert services.finding_snapshots_take(as_of=DAY) == first  # replaced, not added
    assert FindingSnapshot.objects.count() == first
    snap = FindingSnapshot.objects.get(rule="duty-overdue")
    total = FindingSnapshot.objects.get(rule="_total", cell=cell)
    assert (
        total.count
        == FindingSnapshot.objects.filter(cell=cell).exclude(rule="_total").aggregate(n=Sum("count"))["n"]
    )
    assert (snap.rule, snap.count, snap.cell_key, snap.sprint_number) == (
        "duty-overdue",
        1,
        f"cell:{cell.pk}",
        207,
    )


def test_digest_goes_out_once_in_the_members_morning(paris, django_capture_on_commit_callbacks):
    due(paris, on=DAY)
    due(paris, on=DAY - timedelta(days=3))
    due(paris, on=DAY - timedelta(days=1), done=True)
    due(paris, on=DAY + timedelta(days=3))
    assert [m.pk for m in services.members_due_a_digest(now=PARIS_MORNING)] == [paris.pk]
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is True
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Overdue (1)" in body and "Due today (1)" in body
    assert mail.outbox[0].to == ["ana@example.com"]
    # The footer points at the member's own switch, not at an admin.
    assert "#daily-email" in body and "admin" not in body
    # A retry, or the next quarter-hour's run, sends nothing more.
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is False
    assert services.members_due_a_digest(now=PARIS_MORNING + timedelta(minutes=15)) == []
    assert len(mail.outbox) == 1
    assert DigestSent.objects.get().duties_count == 2


def test_not_the_morning_elsewhere(paris, cell):
    la = make_member(cell=cell, timezone="America/Los_Angeles", user__email="lee@example.com")
    due(la, on=DAY)
    # 07:10 UTC is 23:10 the day before in Los Angeles.
    assert la.pk not in [m.pk for m in services.members_due_a_digest(now=PARIS_MORNING)]
    assert [m.pk for m in services.members_due_a_digest(now=datetime(2026, 11, 25, 16, 5, tzinfo=UTC))] == [
        la.pk
    ]


def test_opted_out_members_get_nothing(paris):
    paris.email_digest = False
    paris.save()
    due(paris, on=DAY)
    assert services.members_due_a_digest(now=PARIS_MORNING) == []
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is False
    assert mail.outbox == []


def test_nothing_due_records_the_day_without_an_email(paris):
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is False
    assert mail.outbox == [] and DigestSent.objects.get().sent_at is not None


def test_a_failed_send_is_retried_and_sent_once(paris, monkeypatch):
    due(paris, on=DAY)
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OSError("SMTP down")
        return real_send_mail(**kwargs)  # the test mail backend accepts it this time

    monkeypatch.setattr(services, "send_mail", flaky)
    with pytest.raises(OSError):
        services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING)
    assert not DigestSent.objects.filter(sent_at__isnull=False).exists()
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is True
    assert services.digest_send(member_id=paris.pk, day=DAY, now=PARIS_MORNING) is False
    assert len(calls) == 2 and len(mail.outbox) == 1


def test_send_digests_task_queues_after_commit(paris, django_capture_on_commit_callbacks):
    due(paris, on=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply(kwargs={"at": PARIS_MORNING.isoformat()}).get() == 1
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply(kwargs={"at": PARIS_MORNING.isoformat()}).get() == 0
    assert len(mail.outbox) == 1


def test_member_with_unknown_zone_is_skipped_not_crashing(cell):
    broken = make_member(cell=cell, user__email="x@example.com")
    type(broken).objects.filter(pk=broken.pk).update(timezone="Mars/Olympus")
    assert services.members_due_a_digest(now=PARIS_MORNING) == []


def test_changes_in_one_transaction_queue_one_reassign(cell, django_capture_on_commit_callbacks):
    from roles.tests.factories import TimeOffFactory

    member = make_member(cell=cell)
    with django_capture_on_commit_callbacks() as callbacks:
        for offset in range(5):
            TimeOffFactory(
                member=member, start=DAY + timedelta(days=offset), end=DAY + timedelta(days=offset)
            )
    assert len(callbacks) == 1


def test_overdue_duties_are_announced_once_by_webhook(
    sprint_manager, cell, django_capture_on_commit_callbacks
):
    from rotations.models import WebhookDelivery, WebhookEndpoint

    late: Any = DutyInstanceFactory(
        assignee=sprint_manager, cell=cell, opens_on=DAY - timedelta(5), due_on=DAY - timedelta(2)
    )
    DutyInstanceFactory(
        assignee=sprint_manager, cell=cell, opens_on=DAY - timedelta(1), due_on=DAY
    )  # not late yet
    # Nobody listens: nothing is recorded, so a later subscriber still hears about it.
    assert services.duty_overdue_notify(as_of=DAY, now=PARIS_MORNING) == 0
    WebhookEndpoint.objects.create(
        name="chat", url="http://127.0.0.1:9/hook", secret="s", events=["duty.overdue"]
    )
    WebhookEndpoint.objects.create(
        name="other", url="http://127.0.0.1:9/x", secret="s", events=["sprint.started"]
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.duty_overdue_notify(as_of=DAY, now=PARIS_MORNING) == 1
        assert services.duty_overdue_notify(as_of=DAY, now=PARIS_MORNING) == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "duty.overdue" and delivery.endpoint.name == "chat"
    assert delivery.payload["data"]["duty"] == late.pk
    assert delivery.payload["data"]["assignee"] == sprint_manager.user.username
    assert len(callbacks) == 1  # the delivery task is queued after the commit


def test_a_clean_cell_gets_a_zero_total(db):
    from roles.tests.factories import CellFactory

    quiet: Any = CellFactory(name="Quiet", slug="quiet")
    services.finding_snapshots_take(as_of=DAY)
    # The quiet cell may have findings from other apps' rules; its total row always exists.
    total = FindingSnapshot.objects.get(cell=quiet, rule="_total")
    others = FindingSnapshot.objects.filter(cell=quiet).exclude(rule="_total").aggregate(n=Sum("count"))["n"]
    assert total.count == (others or 0)


def test_a_digest_missed_at_the_hour_goes_out_later_that_morning(paris, django_capture_on_commit_callbacks):
    """The beat was down at 08:00-09:00 in Paris: the 10:40 run sends it, once; after the
    catch-up hours (noon) the day is skipped."""
    due(paris, on=DAY)
    late_morning = PARIS_MORNING + timedelta(hours=2, minutes=30)  # 10:40 in Paris
    noon = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # 12:00 in Paris
    assert [m.pk for m in services.members_due_a_digest(now=late_morning)] == [paris.pk]
    assert services.members_due_a_digest(now=noon) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply(kwargs={"at": late_morning.isoformat()}).get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            tasks.send_digests.apply(kwargs={"at": (late_morning + timedelta(minutes=15)).isoformat()}).get()
            == 0
        )
    assert len(mail.outbox) == 1
    # The next day's digest is a new one: before the hour, nothing.
    assert services.members_due_a_digest(now=PARIS_MORNING + timedelta(hours=23)) == []
