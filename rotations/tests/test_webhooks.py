"""Webhooks against real HTTP receivers on loopback: signature, retries, delivery log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from opencraft_ops.celery import app as celery_app
from rotations.models import DeliveryStatus, RotationKind, WebhookDelivery
from rotations.services import editing, schedule, webhooks
from rotations.tests.factories import make_endpoint, make_slot

pytestmark = pytest.mark.django_db
SECRET = "s3cret-shared-key"


class Receiver:
    """A tiny HTTP server that checks each request's signature like a real consumer would."""

    def __init__(self, status: int = 200, delay: float = 0) -> None:
        self.status, self.delay = status, delay
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(
                    {
                        "event": self.headers[webhooks.EVENT_HEADER],
                        "delivery": self.headers[webhooks.DELIVERY_HEADER],
                        "valid": webhooks.verify_signature(
                            secret=SECRET,
                            timestamp=self.headers[webhooks.TIMESTAMP_HEADER],
                            body=body,
                            signature=self.headers[webhooks.SIGNATURE_HEADER],
                            now=time.time(),
                        ),
                        "tampered_valid": webhooks.verify_signature(
                            secret=SECRET,
                            timestamp=self.headers[webhooks.TIMESTAMP_HEADER],
                            body=body + b" ",
                            signature=self.headers[webhooks.SIGNATURE_HEADER],
                            now=time.time(),
                        ),
                        "json": json.loads(body),
                    }
                )
                time.sleep(outer.delay)
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b"ok" if outer.status < 300 else b"receiver broke")

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


def test_rotation_change_is_signed_and_delivered(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver() as receiver:
        make_endpoint(url=receiver.url, events=["rotation.changed"])
        make_endpoint(url=receiver.url, events=["sprint.started"])  # not subscribed
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["valid"] is True and request["tampered_valid"] is False
    assert request["event"] == "rotation.changed"
    assert request["json"]["data"]["action"] == "changed"
    assert request["json"]["data"]["rotations"][0]["member_id"] == crew[3].pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert str(delivery.delivery_id) == request["delivery"]


def test_failing_receiver_gets_retries_then_a_logged_failure(
    crew, current_sprint, django_capture_on_commit_callbacks, caplog
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(status=500) as receiver:
        make_endpoint(url=receiver.url, max_attempts=3)
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
    assert len(receiver.requests) == 3
    assert all(r["valid"] for r in receiver.requests)
    assert len({r["delivery"] for r in receiver.requests}) == 1  # the same delivery, retried
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3 and delivery.last_status_code == 500
    assert [entry["status"] for entry in delivery.log] == [500, 500, 500]
    assert "receiver broke" in delivery.last_error
    assert "failed after 3 attempts" in caplog.text


def test_timeout_and_unreachable_receivers_are_logged(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    with Receiver(delay=2) as slow:
        make_endpoint(url=slow.url, timeout_seconds=1, max_attempts=1)
        make_endpoint(url="http://127.0.0.1:9/closed", max_attempts=2)
        with django_capture_on_commit_callbacks(execute=True):
            editing.rotation_change(assignment=slot, member=crew[3])
    slow_delivery, closed = WebhookDelivery.objects.order_by("endpoint__name")
    assert slow_delivery.status == DeliveryStatus.FAILED and "Timeout" in slow_delivery.last_error
    assert closed.status == DeliveryStatus.FAILED and closed.attempts == 2
    assert "ConnectionError" in closed.last_error


def test_sprint_started_carries_participants_and_is_sent_once(
    crew, newcomer, current_sprint, django_capture_on_commit_callbacks
) -> None:
    from sprints import calendar

    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    start = calendar.sprint_dates(current_sprint).start
    with Receiver() as receiver:
        make_endpoint(url=receiver.url, events=["sprint.started"])
        with django_capture_on_commit_callbacks(execute=True):
            assert schedule.sprint_started_emit(as_of=start + __import__("datetime").timedelta(days=1)) == []
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


@pytest.mark.parametrize(
    ("timestamp", "signature", "now_offset", "valid"),
    [
        ("1700000000", None, 0, True),
        ("1700000000", None, 301, False),  # stale: a replay
        ("not-a-number", None, 0, False),
        ("1700000000", "sha256=deadbeef", 0, False),
    ],
)
def test_verify_signature(timestamp, signature, now_offset, valid) -> None:
    body = b'{"a":1}'
    good = webhooks.sign(secret=SECRET, timestamp=1700000000, body=body)
    assert (
        webhooks.verify_signature(
            secret=SECRET,
            timestamp=timestamp,
            body=body,
            signature=signature or good,
            now=1700000000 + now_offset,
        )
        is valid
    )


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (20, 3600)])
def test_backoff(attempt, seconds) -> None:
    assert webhooks.backoff_seconds(attempt) == seconds
