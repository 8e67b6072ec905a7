"""Secret iCalendar feeds of rotations (per member or per cell).

Tokens are random (256 bits); only their SHA-256 digest is stored, so the URL
is shown once. Revoking keeps the row (for the record) and kills the URL;
regenerating revokes the old URL and issues a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone
from icalendar import Calendar, Event

from roles.models import Cell, Member
from roles.permissions import can_view_cell, member_of
from rotations.models import CalendarFeed, RotationAssignment

PRODID = "-//OpenCraft//opencraft_ops rotations//EN"
UID_DOMAIN = "rotations.opencraft-ops"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(
    *, owner: User, member: Member | None = None, cell: Cell | None = None
) -> tuple[CalendarFeed, str]:
    """A new feed and its token (shown once)."""
    if (member is None) == (cell is None):
        raise ValueError("A feed is for one member or one cell.")
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(token_digest=digest(token), member=member, cell=cell, owner=owner)
    return feed, token


@transaction.atomic
def feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed


@transaction.atomic
def feed_regenerate(*, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    feed_revoke(feed=feed)
    return feed_create(owner=feed.owner, member=feed.member, cell=feed.cell)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed for ``token``, its owner, member and cell preloaded (one query)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("owner", "member__user", "member__cell", "cell")
        .filter(token_digest=digest(token), revoked_at__isnull=True)
        .first()
    )


def feed_access_problem(feed: CalendarFeed, *, today: date) -> str | None:
    """Why the feed's owner may no longer read it, or None.

    A secret URL outlives sessions: it keeps working only while its owner could still
    open the page it mirrors. It stops when the owner's account is disabled, when the
    owner has left the team (staff excepted), and, for a cell's calendar, when the owner
    no longer sees that cell (moved to another cell); a feed of someone else's rotations
    needs the owner to still see that member's cell. One or two queries.
    """
    owner = feed.owner
    if not owner.is_active:
        return "The owner's account is disabled."
    own = member_of(owner)
    if not owner.is_staff and (own is None or (own.left_on is not None and own.left_on < today)):
        return "The owner has left the team."
    if feed.cell is not None and not can_view_cell(owner, feed.cell):
        return f"The owner no longer sees {feed.cell}."
    someone_else = feed.member is not None and feed.member.user_id != owner.pk
    if someone_else and not can_view_cell(owner, feed.member.cell):  # type: ignore[union-attr]
        return f"The owner no longer sees {feed.member}'s cell."
    return None


def feed_touch(*, feed: CalendarFeed, now: datetime) -> None:
    """Record use at most hourly, so calendar clients polling often cost no write."""
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


def render_calendar(
    *, name: str, assignments: Iterable[RotationAssignment], stamp: datetime, base_url: str
) -> bytes:
    """An RFC 5545 calendar of all-day events, one per assignment.

    UIDs derive from the assignment id, so an edited or swapped slot updates the
    same event in Google Calendar and Thunderbird instead of duplicating it.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "UTC")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for a in assignments:
        event = Event()
        event.add("uid", f"rotation-{a.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        # Calendar clients (Thunderbird) replace an event when its sequence grows.
        event.add("sequence", max((getattr(a, "revision", None) or 1) - 1, 0))
        if getattr(a, "changed_at", None):
            event.add("last-modified", a.changed_at)  # type: ignore[attr-defined]
        event.add("dtstart", a.start)
        event.add("dtend", a.end + timedelta(days=1))  # exclusive end for all-day events
        cell = f" ({a.cell.name})" if a.cell_id and a.cell else ""
        event.add("summary", f"{a.get_kind_display()}{cell}: {a.member.name}")
        description = [f"{a.get_kind_display()} from {a.start} to {a.end}."]
        if a.reserved_hours:
            description.append(f"Hours set aside: {a.reserved_hours}.")
        if a.note:
            description.append(a.note)
        event.add("description", "\n".join(description))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [a.get_kind_display()])
        if a.cell_id and a.cell:
            event.add("url", f"{base_url.rstrip('/')}/rotations/{a.cell.slug}/")
        cal.add_component(event)
    return cal.to_ical()


def feed_assignments(feed: CalendarFeed, *, today: date) -> list[RotationAssignment]:
    """Rotations of the feed from 90 days ago onwards, each annotated with its number of
    changes and last change from its history (one query)."""
    changes = RotationAssignment.history.model.objects.filter(id=OuterRef("pk")).order_by().values("id")
    qs = (
        RotationAssignment.objects.filter(end__gte=today - timedelta(days=90))
        .select_related("member__user", "cell")
        .annotate(
            revision=Subquery(changes.annotate(n=Count("history_id")).values("n")[:1]),
            changed_at=Subquery(changes.annotate(at=Max("history_date")).values("at")[:1]),
        )
    )
    qs = qs.filter(member=feed.member) if feed.member_id else qs.filter(cell=feed.cell)
    return list(qs.order_by("start", "kind", "pk"))
