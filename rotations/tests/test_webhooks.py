"""Webhooks against real HTTP receivers on loopback: signature, retries, delivery log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from celery.signals import task_retry
from django.urls import reverse
from django.utils import timezone

from opencraft_ops.celery import app as celery_app
from rotations.models import DeliveryStatus, RotationKind, WebhookDelivery
from rotations.services import editing, schedule, webhooks
from rotations.tasks import webhook_deliver
from rotations.tests.factories import make_endpoint, make_slot

pytestmark = pytest.mark.django_db
SECRET = "whsec_czNjcmV0LXNoYXJlZC1rZXktb2YtMzItYnl0ZXMhISE="  # base64 of "s3cret-shared-key-of-32-bytes!!!"


def expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """What a Standard Webhooks receiver computes, written out with hmac/hashlib/base64
    (not the project's helpers): the key is the base64 after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class Receiver:
    """A tiny HTTP server that checks each request's signature like a real consumer would.

    ``statuses`` answers the requests in turn (the last one repeats)."""

    def __init__(self, status: int = 200, delay: float = 0, statuses: list[int] | None = None) -> None:
        self.statuses, self.delay = statuses or [status], delay
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["webhook-timestamp"]
                msg_id = self.headers["webhook-id"]
                outer.requests.append(
                    {
                        "event": self.headers["X-Ops-Event"],
                        "delivery": msg_id,
                        "valid": hmac.compare_digest(
                            expected_signature(SECRET, msg_id, timestamp, body),
                            self.headers["webhook-signature"],
                        )
                        and abs(time.time() - int(timestamp)) < 300,
                        "tampered_valid": hmac.compare_digest(
                            expected_signature(SECRET, msg_id, timestamp, body + b" "),
                            self.headers["webhook-signature"],
                        ),
                        "json": json.loads(body),
                    }
                )
                time.sleep(outer.delay)
                status = outer.statuses[min(len(outer.requests), len(outer.statuses)) - 1]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver broke")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def eager_celery() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def worker_mode() -> Iterator[None]:
    """Tasks behave as under a worker: not "always eager", so a failed attempt asks Celery
    for a retry with a countdown. ``apply()`` runs each retry at once, in this process,
    so nothing waits for the countdown and no broker is needed."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    # Not propagating lets apply() hand each Retry on to the next attempt, as a worker does.
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def retry_countdowns() -> Iterator[list[float]]:
    """The countdown of every retry the delivery task asks Celery for (``task_retry`` signal)."""
    seen: list[float] = []

    def on_retry(sender: Any = None, reason: Any = None, **kwargs: Any) -> None:
        seen.append(reason.when)

    task_retry.connect(on_retry, sender=webhook_deliver, weak=False)
    yield seen
    task_retry.disconnect(on_retry, sender=webhook_deliver)


def test_rotation_change_is_signed_and_delivered(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver() as receiver:
        make_endpoint(url=receiver.url, events=["rotation.changed"])
        make_endpoint(url=receiver.url, events=["sprint.started"])  # not subscribed
        with django_capture_on_commit_callbacks(execute=True) as queued:
            editing.rotation_change(assignment=slot, member=crew[3])
    assert len(queued) == 1  # sent after the commit, not inside the transaction
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["valid"] is True and request["tampered_valid"] is False
    assert request["event"] == "rotation.changed"
    assert request["json"]["data"]["action"] == "changed"
    assert request["json"]["data"]["rotations"][0]["member_id"] == crew[3].pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert str(delivery.delivery_id) == request["delivery"]


def test_without_a_worker_a_failure_waits_instead_of_retrying_inline(
    crew, current_sprint, django_capture_on_commit_callbacks, retry_countdowns
) -> None:
    """Eager mode (the demo): one attempt, then the delivery waits out its back-off
    ("retrying", due in 30 s) instead of holding the caller for attempts x timeout."""
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(status=500) as receiver:
        make_endpoint(url=receiver.url, max_attempts=3)
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
    assert len(receiver.requests) == 1 and receiver.requests[0]["valid"]
    assert retry_countdowns == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and "receiver broke" in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert (
        before + timedelta(seconds=30) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    )


def test_a_web_request_does_not_wait_for_every_attempt(
    client, crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    """A grid edit while the receiver times out: the page answers after one attempt,
    not after max_attempts x timeout (5 x 1 s here)."""
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    client.force_login(crew[0].user)
    with Receiver(delay=1.5) as slow:
        make_endpoint(url=slow.url, timeout_seconds=1, max_attempts=5)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):  # the request's commit
            response = client.post(
                reverse("rotations:change", args=[crew[0].cell.slug, slot.pk]), {"member": crew[3].pk}
            )
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert len(slow.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert "Timeout" in delivery.last_error
    assert elapsed < 4, elapsed  # one 1 s timeout, well short of five


def test_worker_retries_with_backoff_then_logs_the_failure(
    crew, current_sprint, django_capture_on_commit_callbacks, caplog, worker_mode, retry_countdowns
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(status=500) as receiver:
        make_endpoint(url=receiver.url, max_attempts=4)
        with django_capture_on_commit_callbacks(execute=False):
            editing.rotation_change(assignment=slot, member=crew[3])
        delivery = WebhookDelivery.objects.get()
        result = webhook_deliver.apply(args=(delivery.pk,))
    assert result.get() == "failed"
    assert retry_countdowns == [30, 60, 120]  # the back-off between the four attempts
    assert len(receiver.requests) == 4
    assert all(r["valid"] for r in receiver.requests)
    assert len({r["delivery"] for r in receiver.requests}) == 1  # the same delivery, retried
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == 4 and delivery.last_status_code == 500
    assert [entry["status"] for entry in delivery.log] == [500, 500, 500, 500]
    assert "receiver broke" in delivery.last_error
    assert "failed after 4 attempts" in caplog.text


def test_worker_stops_retrying_once_delivered(
    crew, current_sprint, django_capture_on_commit_callbacks, worker_mode, retry_countdowns
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(statuses=[503, 502, 200]) as receiver:
        make_endpoint(url=receiver.url, max_attempts=5)
        with django_capture_on_commit_callbacks(execute=False):
            editing.rotation_change(assignment=slot, member=crew[3])
        delivery = WebhookDelivery.objects.get()
        assert webhook_deliver.apply(args=(delivery.pk,)).get() == "delivered"
    assert retry_countdowns == [30, 60]
    assert len(receiver.requests) == 3
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert [entry["status"] for entry in delivery.log] == [503, 502, 200]
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_timeout_and_unreachable_receivers_are_logged(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(delay=2) as slow:
        make_endpoint(url=slow.url, timeout_seconds=1, max_attempts=1)
        make_endpoint(url="http://127.0.0.1:9/closed", max_attempts=1)
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
    # By address, not by name: the factories' names ("... 9", "... 10") sort differently
    # depending on how many endpoints earlier tests made.
    closed = WebhookDelivery.objects.get(endpoint__url="http://127.0.0.1:9/closed")
    slow_delivery = WebhookDelivery.objects.exclude(pk=closed.pk).get()
    assert slow_delivery.status == DeliveryStatus.FAILED and "Timeout" in slow_delivery.last_error
    assert closed.status == DeliveryStatus.FAILED and closed.attempts == 1
    assert "ConnectionError" in closed.last_error


def test_sprint_started_carries_participants_and_is_sent_once(
    crew, newcomer, current_sprint, django_capture_on_commit_callbacks
) -> None:
    from opencraft_ops import calendar

    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    start = calendar.sprint_dates(current_sprint).start
    with Receiver() as receiver:
        make_endpoint(url=receiver.url, events=["sprint.started"])
        with django_capture_on_commit_callbacks(execute=True):
            assert schedule.sprint_started_emit(as_of=start + timedelta(days=1)) == []
            assert len(schedule.sprint_started_emit(as_of=start)) == 1
            assert schedule.sprint_started_emit(as_of=start) == []  # once per sprint
    assert len(receiver.requests) == 1
    data = receiver.requests[0]["json"]["data"]
    assert data["sprint"]["number"] == current_sprint
    by_name = {p["username"]: p for p in data["participants"]}
    assert {r["kind"] for r in by_name[crew[2].user.username]["rotations"]} == {"firefighter_1"}
    assert by_name["newcomer"]["member_type"] == "newcomer" and by_name["newcomer"]["rotations"] == []


def test_duty_overdue_can_be_sent_by_other_apps_and_unknown_events_refused(
    django_capture_on_commit_callbacks,
) -> None:
    with Receiver() as receiver:
        make_endpoint(url=receiver.url, events=["duty.overdue"])
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhook_emit(event="duty.overdue", payload={"duty": 12}, dedupe_key="duty.overdue:12")
            webhooks.webhook_emit(event="duty.overdue", payload={"duty": 12}, dedupe_key="duty.overdue:12")
    assert [r["json"]["data"] for r in receiver.requests] == [{"duty": 12}]
    with pytest.raises(ValueError):
        webhooks.webhook_emit(event="nope", payload={})


def test_signature_known_answer() -> None:
    """Standard Webhooks: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the secret's
    key, base64, after "v1,"; checked against a digest computed outside Python
    (``printf 'msg_1.1700000000.{"event":"rotation.changed"}' | openssl dgst -sha256
    -hmac 's3cret-shared-key-of-32-bytes!!!' -binary | base64``) and against
    hmac/hashlib in this file. The id is signed: another id breaks the signature."""
    body = b'{"event":"rotation.changed"}'
    known = "v1,egrjP5lTahur3JzddHHK5+z858HAwMIcSocHljA0S7U="
    assert expected_signature(SECRET, "msg_1", "1700000000", body) == known
    assert webhooks.sign(secret=SECRET, msg_id="msg_1", timestamp=1700000000, body=body) == known
    assert webhooks.sign(secret=SECRET[:-2] + "x=", msg_id="msg_1", timestamp=1700000000, body=body) != known
    assert webhooks.sign(secret=SECRET, msg_id="msg_2", timestamp=1700000000, body=body) != known
    assert webhooks.sign(secret=SECRET, msg_id="msg_1", timestamp=1700000001, body=body) != known
    assert webhooks.sign(secret=SECRET, msg_id="msg_1", timestamp=1700000000, body=body + b" ") != known


@pytest.mark.parametrize(
    ("timestamp", "signature", "now_offset", "valid"),
    [
        ("1700000000", None, 0, True),
        ("1700000000", "v1,c29tZXRoaW5nIGVsc2U= {good}", 0, True),  # several signatures: any may match
        ("1700000000", None, 301, False),  # stale: a replay
        ("not-a-number", None, 0, False),
        ("1700000000", "v1,deadbeef", 0, False),
    ],
)
def test_verify_signature(timestamp, signature, now_offset, valid) -> None:
    body = b'{"a":1}'
    good = expected_signature(SECRET, "msg_1", "1700000000", body)
    assert (
        webhooks.verify_signature(
            secret=SECRET,
            msg_id="msg_1",
            timestamp=timestamp,
            body=body,
            signature=(signature or "{good}").format(good=good),
            now=1700000000 + now_offset,
        )
        is valid
    )


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (20, 3600)])
def test_backoff(attempt, seconds) -> None:
    assert webhooks.backoff_seconds(attempt) == seconds


# --- Due deliveries (the beat's sweep) and one post per attempt ------------------------------


def test_sweep_sends_a_due_retrying_delivery_once(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    """Eager mode: the first attempt fails and leaves the delivery "retrying"; the sweep
    does nothing before its back-off has run out, then sends it, once."""
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(statuses=[500, 200]) as receiver:
        make_endpoint(url=receiver.url, max_attempts=3)
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at is not None
        due = delivery.next_attempt_at
        assert webhooks.webhooks_send_due(now=due - timedelta(seconds=1)) == {}
        assert webhooks.webhooks_send_due(now=due) == {delivery.pk: "delivered"}
        assert webhooks.webhooks_send_due(now=due + timedelta(hours=2)) == {}
    assert len(receiver.requests) == 2 and all(r["valid"] for r in receiver.requests)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.next_attempt_at is None and [e["status"] for e in delivery.log] == [500, 200]


def test_the_beat_runs_the_sweep_every_minute(crew, current_sprint) -> None:
    from opencraft_ops.beat import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["rotations-webhooks-send-due"]
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))
    task = celery_app.tasks[entry["task"]]
    with Receiver() as receiver:
        endpoint = make_endpoint(url=receiver.url)
        past = timezone.now() - timedelta(seconds=1)
        due = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="duty.overdue",
            payload={"d": 1},
            status=DeliveryStatus.RETRYING,
            attempts=1,
            next_attempt_at=past,
        )
        later = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="duty.overdue",
            payload={"d": 2},
            status=DeliveryStatus.RETRYING,
            attempts=1,
            next_attempt_at=past + timedelta(minutes=5),
        )
        assert task.apply().get() == 1
    assert [r["json"] for r in receiver.requests] == [{"d": 1}]
    assert WebhookDelivery.objects.get(pk=due.pk).status == DeliveryStatus.DELIVERED
    assert WebhookDelivery.objects.get(pk=later.pk).status == DeliveryStatus.RETRYING


def test_sweep_sends_what_no_worker_took_and_claims_that_ran_out(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver() as receiver:
        endpoint = make_endpoint(url=receiver.url)
        # Queued, but the task never ran (a lost message): its fallback time comes.
        with django_capture_on_commit_callbacks(execute=False):
            editing.rotation_change(assignment=slot, member=crew[3])
        queued = WebhookDelivery.objects.get()
        assert queued.status == DeliveryStatus.PENDING and queued.next_attempt_at is not None
        now = queued.next_attempt_at - timedelta(seconds=1)
        # Two attempts that died mid-post: one claim has run out, the other still holds.
        stale, held = (
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event="duty.overdue",
                payload={"d": n},
                status=DeliveryStatus.SENDING,
                next_attempt_at=now + timedelta(seconds=offset),
            )
            for n, offset in ((1, -1), (2, 60))
        )
        assert webhooks.webhooks_send_due(now=now) == {stale.pk: "delivered"}
        assert webhooks.webhook_attempt(delivery_id=held.pk, now=now) == "busy"
        assert webhooks.webhooks_send_due(now=queued.next_attempt_at) == {queued.pk: "delivered"}
    assert [r["json"].get("d", "change") for r in receiver.requests] == [1, "change"]
    assert WebhookDelivery.objects.get(pk=held.pk).status == DeliveryStatus.SENDING


@pytest.mark.django_db(transaction=True)
def test_two_attempts_at_once_post_once(crew, current_sprint) -> None:
    """A worker's retry and the sweep (or "send again") start together on one delivery:
    one claims it and posts, the other finds it taken and posts nothing."""
    with Receiver(delay=1.0) as receiver:
        endpoint = make_endpoint(url=receiver.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="duty.overdue",
            payload={"d": 1},
            status=DeliveryStatus.RETRYING,
            attempts=1,
            next_attempt_at=timezone.now(),
        )
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def attempt() -> None:
            from django.db import connection

            try:
                start.wait(10)
                outcomes.append(webhooks.webhook_attempt(delivery_id=delivery.pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert sorted(outcomes) == ["busy", "delivered"]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2


def test_send_again_leaves_a_delivery_being_sent_alone(client, staff_user, crew) -> None:
    endpoint = make_endpoint()
    now = timezone.now()
    sending = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="duty.overdue",
        payload={"d": 1},
        status=DeliveryStatus.SENDING,
        attempts=1,
        next_attempt_at=now + timedelta(minutes=2),
    )
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event="duty.overdue", payload={"d": 2}, status=DeliveryStatus.FAILED, attempts=3
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:rotations_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [sending.pk, failed.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 delivery(ies) queued again" in page and "1 delivery(ies) being sent right now" in page
    sending.refresh_from_db()
    failed.refresh_from_db()
    assert (sending.status, sending.attempts) == (DeliveryStatus.SENDING, 1)
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
    assert failed.next_attempt_at is not None and failed.next_attempt_at > now
