"""Notifications reach their addressee once per event, by email and chat (a Mattermost /
Slack incoming webhook: a receiver of our own on loopback), retried after a failing
receiver, held through quiet hours; a duty falling due and an epic update due too."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from duties.models import DutyInstance
from duties.services import duty_due_notify, epic_updates_due_notify
from duties.tests.factories import DutyInstanceFactory
from findings.models import Finding, scope_of
from findings.services import findings_evaluate
from findings.signals import discard_pending
from notifications.calculations import backoff_seconds, in_quiet_hours, quiet_until
from notifications.models import ChatWebhook, Notification, NotificationPreference, Status
from notifications.services import notifications_send_due
from notifications.tests.receiver import chat_receiver

TODAY = date.today()


@pytest.fixture
def receiver() -> Any:
    with chat_receiver() as r:
        yield r


@pytest.fixture
def member(sprint_manager: Any) -> Any:
    sprint_manager.user.email = "sm@example.com"
    sprint_manager.user.save(update_fields=["email"])
    return sprint_manager


@pytest.fixture
def hook(member: Any, receiver: Any) -> ChatWebhook:
    return ChatWebhook.objects.create(name="My DMs", url=receiver.url, member=member)


def _overdue_duty(member: Any) -> DutyInstance:
    duty: Any = DutyInstanceFactory(
        assignee=member,
        cell=member.cell,
        due_on=TODAY - timedelta(days=2),
        opens_on=TODAY - timedelta(days=9),
    )
    discard_pending()
    return duty


def _evaluate(capture: Any, member: Any, now: datetime | None = None) -> None:
    with capture(execute=True):
        findings_evaluate(scopes=[scope_of(member.cell_id)], now=now)


def _texts(receiver: Any) -> list[str]:
    return [body["text"] for body in receiver.bodies]


def test_a_new_finding_reaches_its_addressee_once_per_episode(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    duty = _overdue_duty(member)
    _evaluate(django_capture_on_commit_callbacks, member)
    chat = [t for t in _texts(receiver) if "was due" in t]
    assert len(chat) == 1 and chat[0].startswith("[")  # {"text": "[warning] “…” was due …"}
    assert [m.to for m in mail.outbox if "was due" in m.subject] == [["sm@example.com"]]
    episode = Finding.objects.get(rule="duty-overdue", subject=f"duty:{duty.pk}", resolved_at__isnull=True)
    assert episode.notified_at is not None
    log = Notification.objects.filter(key=f"finding:{episode.pk}")
    assert {(n.channel, n.status) for n in log} == {("email", "sent"), ("chat", "sent")}

    # Still open at the next evaluations: nothing new is sent.
    _evaluate(django_capture_on_commit_callbacks, member)
    _evaluate(django_capture_on_commit_callbacks, member)
    assert len([t for t in _texts(receiver) if "was due" in t]) == 1

    # Resolved, then back: a new episode, told once more.
    duty.done_at = timezone.now()
    duty.save(update_fields=["done_at"])
    _evaluate(django_capture_on_commit_callbacks, member)
    duty.done_at = None
    duty.save(update_fields=["done_at"])
    _evaluate(django_capture_on_commit_callbacks, member)
    assert len([t for t in _texts(receiver) if "was due" in t]) == 2


def test_a_failing_receiver_is_retried_until_it_answers(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.fail_next, receiver.fail_when = [500], "was due"
    duty = _overdue_duty(member)
    _evaluate(django_capture_on_commit_callbacks, member)
    episode = Finding.objects.get(subject=f"duty:{duty.pk}", rule="duty-overdue")
    chat = Notification.objects.get(channel="chat", key=f"finding:{episode.pk}")
    assert chat.status == Status.RETRYING and chat.attempts == 1 and "500" in chat.last_error
    # Not due yet: the sweep leaves it.
    assert chat.pk not in notifications_send_due(now=timezone.now())
    results = notifications_send_due(now=chat.next_attempt_at + timedelta(seconds=1))
    assert results[chat.pk] == Status.SENT
    chat.refresh_from_db()
    assert chat.status == Status.SENT and chat.attempts == 2 and chat.last_error == ""
    assert len([t for t in _texts(receiver) if "was due" in t]) == 2  # the failed post and the good one
    # A receiver that never answers well is given up after the attempts allowed.
    assert [backoff_seconds(n) for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_gives_up_after_the_attempts_allowed(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    receiver.fail_next, receiver.fail_when = [503, 503, 503], "was due"
    duty = _overdue_duty(member)
    _evaluate(django_capture_on_commit_callbacks, member)
    episode = Finding.objects.get(subject=f"duty:{duty.pk}", rule="duty-overdue")
    chat = Notification.objects.get(channel="chat", key=f"finding:{episode.pk}")
    notifications_send_due(now=chat.next_attempt_at + timedelta(seconds=1))
    chat.refresh_from_db()
    assert chat.status == Status.FAILED and chat.attempts == 2


def test_nothing_is_sent_in_quiet_hours(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now().replace(hour=22, minute=30, second=0, microsecond=0)
    NotificationPreference.objects.create(member=member, quiet_start=time(21, 0), quiet_end=time(7, 0))
    _overdue_duty(member)
    with django_capture_on_commit_callbacks(execute=True):
        findings_evaluate(scopes=[scope_of(member.cell_id)], now=now)
    from notifications.services import findings_notify

    # The signal's task ran with the real clock; replay the episode at 22:30 (UTC, the member's zone).
    Notification.objects.all().delete()
    Finding.objects.update(notified_at=None)
    findings_notify(finding_ids=list(Finding.objects.values_list("pk", flat=True)), now=now)
    held = list(Notification.objects.filter(kind="finding"))
    assert held and all(
        n.next_attempt_at == (now + timedelta(days=1)).replace(hour=7, minute=0) for n in held
    )
    assert all(n.delayed_reason == "quiet hours until 07:00" for n in held)
    receiver.bodies.clear()
    mail.outbox.clear()
    assert notifications_send_due(now=now + timedelta(hours=1)) == {}
    assert receiver.bodies == [] and mail.outbox == []
    sent = notifications_send_due(now=(now + timedelta(days=1)).replace(hour=7, minute=1))
    assert set(sent.values()) == {Status.SENT}
    assert len([t for t in _texts(receiver) if "was due" in t]) == 1
    assert len([m for m in mail.outbox if "was due" in m.subject]) == 1


def test_a_members_channel_choice_and_the_cells_channel(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationPreference.objects.create(member=member, by_email=False, by_chat=True)
    ChatWebhook.objects.create(name="Bebop channel", url=receiver.url + "/cell", cell=member.cell)
    _overdue_duty(member)
    _evaluate(django_capture_on_commit_callbacks, member)
    log = Notification.objects.filter(kind="finding")
    assert {n.target for n in log} == {f"webhook:{w.pk}" for w in ChatWebhook.objects.all()}
    assert not [m for m in mail.outbox if "New finding" in m.subject]


@pytest.mark.parametrize(
    ("local", "start", "end", "quiet"),
    [
        (time(22, 0), time(21, 0), time(7, 0), True),
        (time(6, 59), time(21, 0), time(7, 0), True),
        (time(7, 0), time(21, 0), time(7, 0), False),
        (time(12, 0), time(12, 0), time(13, 0), True),
        (time(13, 0), time(12, 0), time(13, 0), False),
        (time(3, 0), time(9, 0), time(9, 0), False),
    ],
)
def test_quiet_hours(local: time, start: time, end: time, quiet: bool) -> None:
    assert in_quiet_hours(local, start, end) is quiet
    now = datetime.combine(TODAY, local, tzinfo=timezone.get_current_timezone())
    assert (quiet_until(now=now, tz="UTC", start=start, end=end) is not None) is quiet


def test_a_duty_falling_due_is_told_once(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    DutyInstanceFactory(assignee=member, cell=member.cell, due_on=TODAY, opens_on=TODAY - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert duty_due_notify(as_of=TODAY, now=timezone.now()) == 2  # email and chat
    with django_capture_on_commit_callbacks(execute=True):
        assert duty_due_notify(as_of=TODAY, now=timezone.now()) == 0
    assert [t for t in _texts(receiver) if t.startswith("Due today")] != []
    assert len([m for m in mail.outbox if m.subject.startswith("Due today")]) == 1


def test_an_epic_update_due_is_told_once_on_its_day(
    member: Any, hook: ChatWebhook, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from epics.models import EpicStatus
    from epics.tests.factories import EpicFactory
    from opencraft_ops import calendar
    from opencraft_ops.sprint_dates import thursday_w2

    day = thursday_w2(calendar.sprint_on(TODAY))
    epic: Any = EpicFactory(owner=member, cell=member.cell, status=EpicStatus.IN_DEVELOPMENT)
    assert epic_updates_due_notify(as_of=day - timedelta(days=1), now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert epic_updates_due_notify(as_of=day, now=timezone.now()) == 2
        assert epic_updates_due_notify(as_of=day, now=timezone.now()) == 0
    assert any(epic.key in t for t in _texts(receiver))


def test_a_member_sets_their_channels_and_quiet_hours(member: Any) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/api/notifications/preferences/").status_code in (401, 403)
    api.force_authenticate(member.user)
    assert api.get("/api/notifications/preferences/").data["by_email"] is True
    done = api.put(
        "/api/notifications/preferences/",
        {"by_chat": False, "quiet_start": "21:00", "quiet_end": "07:00"},
        format="json",
    )
    assert done.status_code == 200
    pref = NotificationPreference.objects.get(member=member)
    assert (pref.by_email, pref.by_chat, pref.quiet_start, pref.quiet_end) == (True, False, time(21), time(7))
    for bad in ({"quiet_start": "22:00", "quiet_end": None}, {"by_chat": "maybe"}, {"quiet_end": "25:00"}):
        assert api.put("/api/notifications/preferences/", bad, format="json").status_code == 400
    pref.refresh_from_db()
    assert pref.quiet_start == time(21)
    assert api.get("/api/notifications/").status_code == 200
