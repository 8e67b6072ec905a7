"""Outgoing webhooks: events sent to the endpoints registered in the admin.

Every delivery is a row (the delivery log); a Celery task posts it after the
transaction commits, signed as Standard Webhooks do (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>">``; the target checked again after DNS), with
the endpoint's timeout, and retries with exponential back-off until the
endpoint's ``max_attempts``. Without a worker (eager mode, the demo) only the
first attempt runs, inline: a failed delivery is left "retrying" with its due
time instead of holding the web request for attempts x timeout, and the beat's
sweep (:func:`webhooks_send_due`) sends it once that time has come.

Each attempt first claims its delivery in one UPDATE (pending or retrying ->
sending, until ``next_attempt_at``): of two attempts at once (a worker's retry and
the sweep, or "send again" while one is in flight) one posts, the other does nothing.
A claim whose attempt died (a worker killed mid-post) runs out and the sweep takes it.
Receivers verify with :func:`verify_signature` (or its equivalent in their language).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from opencraft_ops.webhook_targets import RefusedTarget, pinned_post
from rotations.models import (
    DeliveryStatus,
    RotationAssignment,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    generate_webhook_secret,
)

logger = logging.getLogger(__name__)

# Standard Webhooks (https://www.standardwebhooks.com/): stock verifiers check these.
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENT_HEADER = "X-Ops-Event"
MAX_BACKOFF_SECONDS = 3600
TOLERANCE_SECONDS = 300
# How long an attempt holds its claim: more than the longest timeout (60 s) allows a post to take.
CLAIM_SECONDS = 180
# A queued delivery no worker has taken after this long is sent by the sweep instead.
QUEUED_FALLBACK_SECONDS = 300
SWEEP_BATCH = 100


def rotation_payload(a: RotationAssignment) -> dict[str, Any]:
    """A rotation slot as webhook events carry it."""
    return {
        "id": a.pk,
        "kind": a.kind,
        "cell": a.cell.slug if a.cell_id and a.cell else None,
        "member_id": a.member_id,
        "member": a.member.name,
        "sprint": a.sprint.number if a.sprint_id and a.sprint else None,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "reserved_hours": str(a.reserved_hours),
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret: the base64 after ``whsec_`` (Standard Webhooks), else
    the text itself (secrets entered before they were generated)."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` and base64(HMAC-SHA256(key,
    "<id>.<timestamp>.<body>")), so the delivery id is signed too."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_signature(
    *,
    secret: str,
    msg_id: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps
    (replays); ``signature`` may list several space-separated ``v1,...`` values."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - ts) > tolerance:
        return False
    expected = sign(secret=secret, msg_id=msg_id, timestamp=ts, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature.split())


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Gives ``endpoint`` a new generated secret and returns it (to be shown once)."""
    endpoint.secret = generate_webhook_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


def backoff_seconds(attempt: int) -> int:
    """30 s, 60 s, 120 s... capped at an hour."""
    return int(min(30 * 2 ** max(attempt - 1, 0), MAX_BACKOFF_SECONDS))


@transaction.atomic
def webhook_emit(*, event: str, payload: dict[str, Any], dedupe_key: str = "") -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint that subscribed to it.

    Public entry point for other apps too (the duties app sends ``duty.overdue``).
    With a ``dedupe_key`` the event goes to each endpoint at most once. Tasks are
    queued after the surrounding transaction commits.
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    now = timezone.now()
    body = {"event": event, "sent_for": now.isoformat(), "data": payload}
    fallback = now + timedelta(seconds=QUEUED_FALLBACK_SECONDS)
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if not endpoint.wants(event):
            continue
        if dedupe_key and WebhookDelivery.objects.filter(endpoint=endpoint, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    payload=json.loads(encode(body)),
                    dedupe_key=dedupe_key,
                    next_attempt_at=fallback,
                )
        except IntegrityError:  # a concurrent emit won the race for this key
            continue
        deliveries.append(delivery)
    if deliveries:
        from rotations.tasks import webhook_deliver

        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: [webhook_deliver.delay(i) for i in ids])
    return deliveries


def _claimable(moment: datetime) -> Q:
    """Deliveries an attempt may take at ``moment``: waiting ones, and claims that ran out."""
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]) | Q(
        status=DeliveryStatus.SENDING, next_attempt_at__lte=moment
    )


def webhook_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim one delivery, post it once and log the outcome.

    Returns ``"delivered"``, ``"retry"`` (the caller schedules another attempt),
    ``"failed"`` (no attempt left, or no such delivery) or ``"busy"`` (another
    attempt holds it: nothing posted). The claim is one UPDATE, so two attempts at
    once never both post. The HTTP call runs outside any transaction so a slow
    receiver never holds a database lock.
    """
    claimed_at = now or timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(_claimable(claimed_at), pk=delivery_id).update(
            status=DeliveryStatus.SENDING, next_attempt_at=claimed_at + timedelta(seconds=CLAIM_SECONDS)
        )
        == 1
    )
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or not claimed:
        if delivery is None or delivery.status == DeliveryStatus.FAILED:
            return "failed"
        return "delivered" if delivery.status == DeliveryStatus.DELIVERED else "busy"
    endpoint = delivery.endpoint
    body = encode(delivery.payload)
    timestamp = int(time.time())
    msg_id = str(delivery.delivery_id)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "opencraft-ops-webhooks/1",
        EVENT_HEADER: delivery.event,
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=endpoint.secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }
    status_code: int | None = None
    # Checked again now, after DNS (a public name may point inside since it was saved),
    # and posted to the very address checked (no second lookup to rebind), no redirects.
    error = ""
    try:
        response = pinned_post(endpoint.url, data=body, headers=headers, timeout=endpoint.timeout_seconds)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:200]}"
    except RefusedTarget as exc:
        error = f"Refused target: {exc}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    moment = now or timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.log = [*delivery.log, {"at": moment.isoformat(), "status": status_code, "error": error}]
    delivery.next_attempt_at = None
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = moment
        outcome = "delivered"
    elif delivery.attempts >= endpoint.max_attempts:
        delivery.status = DeliveryStatus.FAILED
        outcome = "failed"
        logger.warning(
            "Webhook %s to %s failed after %s attempts: %s",
            delivery.event,
            endpoint.url,
            delivery.attempts,
            error,
        )
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = moment + timedelta(seconds=backoff_seconds(delivery.attempts))
        outcome = "retry"
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "log",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return outcome


def webhooks_send_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> dict[int, str]:
    """The beat's sweep: attempt every delivery whose next attempt is due (a back-off that
    has run out, a queued delivery no worker took, a claim whose attempt died), oldest
    first, at most ``limit``. Returns each attempted delivery's outcome.

    Under a worker the task's own retries usually come first and the sweep finds them
    claimed or done; without one (the demo) it is what sends retries at all. A failure
    here is not retried by Celery: it waits for a later sweep, at its back-off.
    """
    moment = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(_claimable(moment), next_attempt_at__lte=moment)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return {pk: webhook_attempt(delivery_id=pk, now=now) for pk in list(due)}


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery) -> bool:
    """Admin action: send a delivery again from scratch. False (and nothing changes) while
    an attempt is posting it, so "send again" never makes a second, simultaneous post."""
    now = timezone.now()
    in_flight = Q(status=DeliveryStatus.SENDING, next_attempt_at__gt=now)
    reset = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(in_flight)
        .update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now + timedelta(seconds=QUEUED_FALLBACK_SECONDS),
        )
    )
    if not reset:
        return False
    delivery.refresh_from_db()
    from rotations.tasks import webhook_deliver

    pk = delivery.pk
    transaction.on_commit(lambda: webhook_deliver.delay(pk))
    return True
