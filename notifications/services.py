"""Writes of the notifications app: queuing an event's messages and delivering them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from findings.models import Finding
from notifications.calculations import backoff_seconds, quiet_until
from notifications.models import Channel, ChatWebhook, Kind, Notification, NotificationPreference, Status
from opencraft_ops.webhook_targets import pinned_post
from roles import rotation_holders
from roles.models import Member, RoleAssignment

logger = logging.getLogger(__name__)

# How long an attempt holds its claim (longer than any webhook timeout).
CLAIM_SECONDS = 120
SWEEP_BATCH = 200


def _queue_sweep() -> None:
    from notifications import tasks

    transaction.on_commit(lambda: tasks.send_due.delay())


@transaction.atomic
def notify(
    *,
    kind: str,
    key: str,
    member_ids: Iterable[int],
    cell_id: int | None,
    subject: str,
    text: str,
    now: datetime | None = None,
) -> int:
    """Queues an event's messages, once per target however often it is called: an email
    and the personal chat webhooks of each addressee (by their channel choice, held until
    their quiet hours end), and the chat webhooks of the cell. Three queries and an insert.
    Returns how many messages were new."""
    now = now or timezone.now()
    members = list(
        Member.objects.filter(pk__in=set(member_ids), left_on__isnull=True).select_related(
            "user", "notification_preference"
        )
    )
    hooks = list(
        ChatWebhook.objects.filter(active=True).filter(
            Q(member_id__in=[m.pk for m in members])
            | (Q(cell_id=cell_id) if cell_id is not None else Q(pk__in=[]))
        )
    )
    rows: list[Notification] = []
    common = {"kind": kind, "key": key[:200], "subject": subject[:200], "text": text}
    for member in members:
        pref = getattr(member, "notification_preference", None)
        wake = (
            quiet_until(now=now, tz=member.timezone, start=pref.quiet_start, end=pref.quiet_end)
            if pref
            else None
        )
        due, reason = (wake, f"quiet hours until {wake:%H:%M}") if wake else (now, "")
        if (pref is None or pref.by_email) and member.user.email:
            rows.append(
                Notification(
                    **common,
                    target=f"email:{member.pk}",
                    channel=Channel.EMAIL,
                    member=member,
                    next_attempt_at=due,
                    delayed_reason=reason,
                )
            )
        if pref is None or pref.by_chat:
            for hook in hooks:
                if hook.member_id == member.pk:
                    rows.append(
                        Notification(
                            **common,
                            target=f"webhook:{hook.pk}",
                            channel=Channel.CHAT,
                            member=member,
                            webhook=hook,
                            next_attempt_at=due,
                            delayed_reason=reason,
                        )
                    )
    for hook in hooks:
        if hook.cell_id is not None:
            rows.append(
                Notification(
                    **common,
                    target=f"webhook:{hook.pk}",
                    channel=Channel.CHAT,
                    webhook=hook,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return 0
    before = Notification.objects.filter(key=common["key"]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    added = Notification.objects.filter(key=common["key"]).count() - before
    if added:
        _queue_sweep()
    return added


def role_holders(*, role_slug: str, cell_id: int | None, as_of: datetime) -> list[int]:
    """The members holding ``role_slug`` in the cell (or company-wide) on that day: for a
    rotation role, who the rotation schedule names (``roles.rotation_holders``)."""
    day = as_of.date()
    if rotation_holders.is_rotation_slug(role_slug):
        slots = rotation_holders.holds(start=day, end=day, cell_ids=None if cell_id is None else [cell_id])
        return sorted({h.member_id for h in slots if h.role_slug == role_slug})
    qs = (
        RoleAssignment.objects.holdings()
        .filter(role__slug=role_slug, since__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
    )
    if cell_id is not None:
        qs = qs.filter(Q(cell_id=cell_id) | Q(cell__isnull=True))
    return list(qs.values_list("member_id", flat=True).distinct())


def _finding_text(finding: Finding) -> str:
    link = f" {settings.PORTAL_BASE_URL.rstrip('/')}{finding.url}" if finding.url.startswith("/") else ""
    return f"[{finding.severity_label}] {finding.message}{link}"


def findings_notify(*, finding_ids: Iterable[int], now: datetime | None = None) -> int:
    """Tells the addressees of newly opened findings (not snoozed, not acknowledged) once
    per episode: the named member, else the holders of the finding's role in its cell."""
    now = now or timezone.now()
    added = 0
    rows = Finding.objects.filter(
        pk__in=list(finding_ids), resolved_at__isnull=True, notified_at__isnull=True
    )
    for finding in rows:
        if finding.snoozed_until is not None and finding.snoozed_until > now:
            continue
        if finding.member_id is not None:
            members = [finding.member_id]
        elif finding.role_slug:
            members = role_holders(role_slug=finding.role_slug, cell_id=finding.cell_id, as_of=now)
        else:
            members = []
        added += notify(
            kind=Kind.FINDING,
            key=f"finding:{finding.pk}",
            member_ids=members,
            cell_id=finding.cell_id,
            subject=f"New finding: {finding.message[:150]}",
            text=_finding_text(finding),
            now=now,
        )
        Finding.objects.filter(pk=finding.pk).update(notified_at=now)
    return added


def _deliver(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        assert notification.member is not None
        send_mail(
            subject=notification.subject,
            message=notification.text,
            from_email=None,
            recipient_list=[notification.member.user.email],
        )
        return
    assert notification.webhook is not None
    # The chat server's address is resolved once, checked (no private, loopback or
    # link-local address unless WEBHOOK_ALLOW_LOOPBACK) and connected to as checked.
    response = pinned_post(
        notification.webhook.url,
        json={"text": notification.text},
        timeout=settings.NOTIFICATIONS_TIMEOUT_SECONDS,
    )
    response.raise_for_status()


def notification_attempt(*, notification_id: int, now: datetime | None = None) -> str:
    """One attempt at one message. It first claims the row in one UPDATE (so two attempts
    at once post once), then posts outside any transaction, then records the outcome:
    sent; retrying after a back-off; failed after ``NOTIFICATIONS_MAX_ATTEMPTS``."""
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, next_attempt_at__lte=now)
        .filter(Q(status__in=[Status.PENDING, Status.RETRYING]) | Q(status=Status.SENDING))
        .update(
            status=Status.SENDING,
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("member__user", "webhook").get(pk=notification_id)
    try:
        _deliver(notification)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        logger.warning(
            "Notification %s failed (attempt %s): %s", notification_id, notification.attempts, error
        )
        if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            Notification.objects.filter(pk=notification_id).update(status=Status.FAILED, last_error=error)
            return Status.FAILED
        Notification.objects.filter(pk=notification_id).update(
            status=Status.RETRYING,
            last_error=error,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(notification.attempts)),
        )
        return Status.RETRYING
    Notification.objects.filter(pk=notification_id).update(status=Status.SENT, sent_at=now, last_error="")
    return Status.SENT


def notifications_send_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> dict[int, str]:
    """Attempts every message whose time has come (new, retry due, quiet hours over, or a
    claim whose attempt died)."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(
            status__in=[Status.PENDING, Status.RETRYING, Status.SENDING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return {pk: notification_attempt(notification_id=pk, now=now) for pk in due}


@transaction.atomic
def notification_preference_set(
    *,
    member: Member,
    by_email: bool,
    by_chat: bool,
    quiet_start: time | None,
    quiet_end: time | None,
) -> NotificationPreference:
    """Saves a member's channels and quiet hours (their local time; the window may span
    midnight). Quiet hours need both ends, and two different ones."""
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError(
            {
                (
                    "quiet_end" if quiet_end is None else "quiet_start"
                ): "Give both ends of the quiet hours, or neither."
            }
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": "Quiet hours must end at another time than they start."})
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(member=member)
    pref.by_email, pref.by_chat = by_email, by_chat
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.save()
    return pref
